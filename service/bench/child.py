"""One benchmark path, measured in a process of its own (``python -m service.bench.child``).

Each path (naive transformers, batched transformers, a CTranslate2 compute type ...) runs in
a fresh interpreter so its peak resident memory is its own, not the maximum of every model
loaded before it, and so one path's allocator or thread pools cannot slow the next. The
parent (:mod:`service.bench.run`) sends a JSON job on stdin and reads a JSON result from the
last line of stdout.

Every path decodes the same source ids to the same lengths: row ``i`` gets exactly
``lengths[i]`` content tokens after its target tag, so the paths differ only in how fast
they compute them. Random weights never end a sentence by themselves, so the lengths are
imposed: with one length per batch (``--lengths fixed``) by a minimum and maximum decoding
length; with each row's own length (``--lengths reference``) the way a real model stops:
the row leaves the batch when it is done (transformers: EOS forced at its length, the row
then idles in the batch as transformers does; CTranslate2 greedy: its step callback ends the
row; CTranslate2 beam search, which has no per-row stop, decodes the length-sorted rows in the
engine's beam sub-batches, each to its longest row's length: :func:`beam_groups`).
"""

from __future__ import annotations

import dataclasses
import json
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..engines.ctranslate2_engine import CTranslate2Engine
from ..engines.family import language_token
from ..engines.transformers_engine import (
    RowForcedTagLogitsProcessor,
    TransformersEngine,
    padded_batch,
)
from ..errors import ConfigError
from ..languages import get_language
from ..settings import load_settings
from ..translate import Translator
from .workload import seed_article_text


@dataclass
class PathJob:
    """One path to measure: the engine, its model folder and the workload (sent as JSON)."""

    kind: ClassVar[str] = "path"

    engine: str
    model_dir: str
    threads: int
    #: Per row: its source ids, its target language code and its output length.
    sources: list[list[int]]
    targets: list[str]
    lengths: list[int]
    batches: list[list[int]]
    beams: list[int] = field(default_factory=lambda: [1, 4])
    repeats: int = 3
    repeat_budget: float = float("inf")
    dtype: str = "float32"  # transformers
    compute_type: str = "int8"  # ctranslate2
    one_by_one: bool = False
    shortlist: bool = False
    #: CTranslate2: the thread layout setting (``auto`` measures, ``default``, or a layout).
    thread_layout: str = "auto"

    def __post_init__(self) -> None:
        if self.engine not in ("transformers", "ctranslate2"):
            raise ConfigError(f"bench job: unknown engine {self.engine!r}")
        if not len(self.lengths) == len(self.targets) == len(self.sources):
            raise ConfigError("bench job: one length and one target per source row are needed")
        planned = sorted(i for batch in self.batches for i in batch)
        if planned != list(range(len(self.sources))):
            raise ConfigError("bench job: the batches must cover every row exactly once")
        if self.repeats < 1 or not self.beams or min(self.beams) < 1 or self.threads < 1:
            raise ConfigError("bench job: repeats, beams and threads must be positive")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}


@dataclass
class ArticleJob:
    """The seed article into every target through ``Translator()``'s default path, decoded
    to realistic lengths (``ratio`` x each sentence's source tokens), at each beam size."""

    kind: ClassVar[str] = "article"

    model: str
    threads: int
    cache_dir: str
    beams: list[int] = field(default_factory=lambda: [1, 4])
    targets: list[str] = field(default_factory=lambda: ["en", "uz"])
    ratio: float = 1.2
    thread_layout: str = "auto"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}


def job_from_dict(data: dict[str, Any]) -> PathJob | ArticleJob:
    """The job a parent sent (``kind`` says which)."""
    data = dict(data)
    kind = data.pop("kind", "path")
    jobs: dict[str, type[PathJob] | type[ArticleJob]] = {"path": PathJob, "article": ArticleJob}
    if kind not in jobs:
        raise ConfigError(f"bench job: unknown kind {kind!r}")
    return jobs[kind](**data)


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB.

    Linux: ``VmHWM`` of this address space. Not ``ru_maxrss``: Linux carries that across
    ``fork`` + ``execve``, so a child would report its parent's size if the parent was bigger.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class RowLengthLogitsProcessor:
    """Ends row ``b`` after exactly ``lengths[b]`` content tokens: EOS is forbidden before
    and forced then (transformers ``LogitsProcessor`` protocol, batch-major beam rows)."""

    def __init__(self, lengths: Sequence[int], num_beams: int, eos_id: int) -> None:
        self._lengths = [length for length in lengths for _ in range(num_beams)]
        self._eos = eos_id

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        content = input_ids.shape[-1] - 2  # after the decoder start token and the tag
        if content < 0:
            return scores
        for row, length in enumerate(self._lengths):
            if content < length:
                scores[row, self._eos] = float("-inf")
            elif content == length:
                scores[row, :] = float("-inf")
                scores[row, self._eos] = 0.0
        return scores


class _TransformersRunner:
    """``generate`` on padded batches (or one sentence per call for the naive baseline)."""

    def __init__(self, job: PathJob) -> None:
        import torch

        torch.set_num_threads(job.threads)
        self.engine = TransformersEngine(job.model_dir, device="cpu", dtype=job.dtype)
        self.pad = int(self.engine.tokenizer.pad_token_id)
        config = self.engine.model.generation_config
        self.config = config.__class__.from_dict(config.to_dict())
        self.config.max_length = None

    def tag(self, code: str) -> int:
        return self.engine.sources.target_id(get_language(code))

    def run(
        self, batch: list[list[int]], targets: list[str], beam: int, lengths: list[int]
    ) -> list[list[int]]:
        import torch
        from transformers import LogitsProcessorList

        tags = [self.tag(code) for code in targets]
        processors = [RowForcedTagLogitsProcessor(tags, beam)]
        if len(set(lengths)) == 1:  # one length: a minimum and a maximum say it
            bounds = {"min_new_tokens": lengths[0] + 1, "max_new_tokens": lengths[0] + 1}
        else:
            processors.append(RowLengthLogitsProcessor(lengths, beam, self.engine.eos_id))
            bounds = {"max_new_tokens": max(lengths) + 2}
        input_ids, mask = padded_batch(batch, self.pad)
        with torch.inference_mode():
            output = self.engine.model.generate(
                input_ids=input_ids,
                attention_mask=mask,
                generation_config=self.config,
                logits_processor=LogitsProcessorList(processors),
                num_beams=beam,
                do_sample=False,
                **bounds,
            )
        return [row[2 : 2 + n] for row, n in zip(output.tolist(), lengths, strict=True)]


class _CTranslate2Runner:
    """The CTranslate2 engine's own ``generate`` (its thread layout and batch split)."""

    def __init__(self, job: PathJob) -> None:
        self.engine = CTranslate2Engine(
            job.model_dir,
            device="cpu",
            compute_type=job.compute_type,
            threads=job.threads,
            shortlist=job.shortlist,
            thread_layout=job.thread_layout,
        )

    def run(
        self, batch: list[list[int]], targets: list[str], beam: int, lengths: list[int]
    ) -> list[list[int]]:
        tokens = [self.engine.tokenizer.convert_ids_to_tokens(ids) for ids in batch]
        languages = [get_language(code) for code in targets]
        tags = [language_token(self.engine.family, lang) for lang in languages]
        scripts = [
            lang.script if lang.script in self.engine.shortlist_scripts else None
            for lang in languages
        ]
        if beam == 1 and len(set(lengths)) > 1:  # each row leaves when it is done
            # No EOS before the longest length; the step callback ends each row at its own.
            longest = max(lengths) + 1
            out = self.engine.generate(
                tokens, tags, scripts, beam=1, max_length=longest, min_length=longest,
                stops=lengths,
            )  # fmt: skip
            return [row[:n] for row, n in zip(out, lengths, strict=True)]
        outputs: list[list[int]] = [[] for _ in batch]
        for rows in beam_groups(lengths, beam, self.engine.layout.beam_rows):
            longest = max(lengths[i] for i in rows)
            out = self.engine.generate(
                [tokens[i] for i in rows], [tags[i] for i in rows], [scripts[i] for i in rows],
                beam=beam, max_length=longest + 1, min_length=longest + 1,
            )  # fmt: skip
            for i, ids in zip(rows, out, strict=True):
                outputs[i] = ids[: lengths[i]]
        return outputs


def beam_groups(lengths: Sequence[int], beam: int, beam_rows: int) -> list[list[int]]:
    """The calls CTranslate2 beam search decodes rows of different lengths in: the rows
    sorted by length, in the engine's own beam sub-batches (``beam_rows // beam`` sentences),
    each run to its longest row's length.

    CTranslate2's beam search has no per-row stop, so a real model's rows leave a sub-batch
    as they reach their end, which random weights never do. Running each sub-batch to its
    longest row charges CTranslate2 for the steps its shorter rows would have saved (the
    tokens counted are the reference lengths only): the ratio it gives is a lower bound.
    One call per distinct length instead would decode most rows alone, far slower than
    anything the engine does with a real model. Rows of one length (``--lengths fixed``) stay
    one call: the engine splits it into sub-batches itself, over its parallel translators;
    separate calls here run one after another, so on a layout of several translators the
    ratio is lower still.
    """
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    if len(set(lengths)) <= 1:  # one length: one call, which the engine splits itself
        return [order] if order else []
    size = max(1, beam_rows // max(1, beam))
    return [order[start : start + size] for start in range(0, len(order), size)]


def _passes(runner: Any, job: PathJob, beam: int) -> tuple[float, float, list[list[int]]]:
    """One timed pass over the workload: wall and CPU seconds, outputs in row order."""
    outputs: list[list[int]] = [[] for _ in job.sources]
    groups = [[i] for i in range(len(job.sources))] if job.one_by_one else job.batches
    started, cpu_started = time.perf_counter(), time.process_time()
    for group in groups:
        produced = runner.run(
            [job.sources[i] for i in group],
            [job.targets[i] for i in group],
            beam,
            [job.lengths[i] for i in group],
        )
        for i, ids in zip(group, produced, strict=True):
            outputs[i] = ids
    return time.perf_counter() - started, time.process_time() - cpu_started, outputs


def run_job(job: PathJob) -> dict[str, Any]:
    """Load the path's engine, warm it up, then time passes at each beam size.

    Up to ``repeats`` passes, fewer once they add up to ``repeat_budget`` seconds.
    """
    started = time.perf_counter()
    runner = (_TransformersRunner if job.engine == "transformers" else _CTranslate2Runner)(job)
    load_s = time.perf_counter() - started
    # Warm-up: first calls pay one-off costs (kernel selection, allocator growth, weight
    # packing) that a long-running service pays once.
    shortest = min(range(len(job.sources)), key=lambda i: len(job.sources[i]))
    runner.run([job.sources[shortest]], [job.targets[shortest]], 1, [2])
    beams: dict[str, Any] = {}
    for beam in job.beams:
        seconds, cpu_seconds, outputs = [], [], []
        while len(seconds) < job.repeats and sum(seconds) < job.repeat_budget:
            elapsed, cpu, outputs = _passes(runner, job, beam)
            seconds.append(elapsed)
            cpu_seconds.append(cpu)
        beams[str(beam)] = {
            "seconds": seconds,
            "cpu_seconds": cpu_seconds,
            "generated_tokens": sum(len(ids) for ids in outputs),
            "outputs": outputs,
        }
    engine = runner.engine
    layout = getattr(engine, "layout_choice", None)
    return {
        "load_s": load_s,
        "beams": beams,
        "peak_rss_mb": peak_rss_mb(),
        "thread_layout": str(layout) if layout is not None else None,
    }


def article_job(job: ArticleJob) -> dict[str, Any]:
    """The seed article through the whole pipeline (segmentation, planning, every target in
    the same batches, checks) on the default path, each sentence decoded to ``ratio`` x its
    source tokens: the length a real model writes, since random weights never stop early.

    The shortlist fallback is off here: every output of random weights hits its limit, so
    all of them would be decoded twice, which a real model's outputs are not.
    """
    settings = load_settings().replace(
        model=job.model,
        threads=job.threads,
        cache_dir=job.cache_dir,
        cache=False,
        max_length_ratio=job.ratio,
        max_length_offset=0,
        shortlist_fallback=False,
        thread_layout=job.thread_layout,
    )
    translator = Translator(settings=settings)
    started = time.perf_counter()
    engine = translator.engine
    load_s = time.perf_counter() - started
    text = seed_article_text()
    translator.translate(text, job.targets, beam=1)  # warm-up
    seconds: dict[str, float] = {}
    for beam in job.beams:
        started = time.perf_counter()
        translator.translate(text, job.targets, beam=beam)
        seconds[str(beam)] = time.perf_counter() - started
    sentences = translator.stats.sentences[job.targets[0]] // (len(job.beams) + 1)
    layout = getattr(engine, "layout_choice", None)
    return {
        "engine": f"{engine.name} {getattr(engine, 'variant', '')}".strip(),
        "shortlist": translator.model_info.shortlist,
        "targets": list(job.targets),
        "sentences": sentences,
        "ratio": job.ratio,
        "load_s": load_s,
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
        "thread_layout": str(layout) if layout is not None else None,
    }


def main() -> int:
    job = job_from_dict(json.loads(sys.stdin.read()))
    result = run_job(job) if isinstance(job, PathJob) else article_job(job)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
