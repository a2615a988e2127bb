"""One benchmark path, measured in a process of its own (``python -m service.bench.child``).

Each path (naive transformers, batched transformers, a CTranslate2 compute type ...) runs in
a fresh interpreter so its peak resident memory is its own, not the maximum of every model
loaded before it, and so one path's allocator or thread pools cannot slow the next. The
parent (:mod:`service.bench.run`) sends a JSON job on stdin and reads a JSON result from the last
line of stdout.

Every path decodes the same source ids to the same fixed lengths: sentence ``i`` gets exactly
``lengths[i]`` content tokens after the target tag (EOS is suppressed until then, and the
limit stops it there), so the paths differ only in how fast they compute them.
"""

from __future__ import annotations

import dataclasses
import json
import resource
import sys
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..engines.ctranslate2_engine import CTranslate2Engine
from ..engines.transformers_engine import TransformersEngine, padded_batch
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
    target: str
    sources: list[list[int]]
    batches: list[list[int]]
    lengths: list[int]
    beams: list[int] = field(default_factory=lambda: [1, 4])
    repeats: int = 3
    repeat_budget: float = float("inf")
    dtype: str = "float32"  # transformers
    compute_type: str = "int8"  # ctranslate2
    one_by_one: bool = False
    shortlist: bool = False

    def __post_init__(self) -> None:
        if self.engine not in ("transformers", "ctranslate2"):
            raise ConfigError(f"bench job: unknown engine {self.engine!r}")
        if len(self.lengths) != len(self.sources):
            raise ConfigError("bench job: one length per source sentence is needed")
        planned = sorted(i for batch in self.batches for i in batch)
        if planned != list(range(len(self.sources))):
            raise ConfigError("bench job: the batches must cover every sentence exactly once")
        if self.repeats < 1 or not self.beams or min(self.beams) < 1 or self.threads < 1:
            raise ConfigError("bench job: repeats, beams and threads must be positive")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}


@dataclass
class SeedJob:
    """The seed article into English and Uzbek through ``Translator()``'s default path."""

    kind: ClassVar[str] = "seed"

    model: str
    threads: int
    cache_dir: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **dataclasses.asdict(self)}


def job_from_dict(data: dict[str, Any]) -> PathJob | SeedJob:
    """The job a parent sent (``kind`` says which)."""
    data = dict(data)
    kind = data.pop("kind", "path")
    jobs: dict[str, type[PathJob] | type[SeedJob]] = {"path": PathJob, "seed": SeedJob}
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


class _TransformersRunner:
    """``generate`` on padded batches (or one sentence per call for the naive baseline)."""

    def __init__(self, job: PathJob) -> None:
        import torch

        torch.set_num_threads(job.threads)
        self.engine = TransformersEngine(job.model_dir, device="cpu", dtype=job.dtype)
        self.tag = self.engine.sources.target_id(get_language(job.target))
        self.pad = int(self.engine.tokenizer.pad_token_id)
        config = self.engine.model.generation_config
        self.config = config.__class__.from_dict(config.to_dict())
        self.config.max_length = None

    def run(self, batch: list[list[int]], beam: int, length: int) -> list[list[int]]:
        import torch

        input_ids, mask = padded_batch(batch, self.pad)
        with torch.inference_mode():
            output = self.engine.model.generate(
                input_ids=input_ids,
                attention_mask=mask,
                generation_config=self.config,
                forced_bos_token_id=self.tag,
                num_beams=beam,
                do_sample=False,
                min_new_tokens=length + 1,  # the tag, then exactly `length` content tokens
                max_new_tokens=length + 1,
            )
        return [row[2 : 2 + length] for row in output.tolist()]


class _CTranslate2Runner:
    """The CTranslate2 engine's own ``generate`` (its thread layout and batch split)."""

    def __init__(self, job: PathJob) -> None:
        self.engine = CTranslate2Engine(
            job.model_dir,
            device="cpu",
            compute_type=job.compute_type,
            threads=job.threads,
            shortlist=job.shortlist,
        )
        self.target = get_language(job.target)

    def run(self, batch: list[list[int]], beam: int, length: int) -> list[list[int]]:
        tokens = [self.engine.tokenizer.convert_ids_to_tokens(ids) for ids in batch]
        out = self.engine.generate(
            tokens, self.target, beam=beam, max_length=length + 1, min_length=length + 1
        )
        return [row[:length] for row in out]


def _passes(runner: Any, job: PathJob, beam: int) -> tuple[float, float, list[list[int]]]:
    """One timed pass over the workload: wall and CPU seconds, outputs in sentence order."""
    sources, lengths = job.sources, job.lengths
    outputs: list[list[int]] = [[] for _ in sources]
    groups = [[i] for i in range(len(sources))] if job.one_by_one else job.batches
    started, cpu_started = time.perf_counter(), time.process_time()
    for group in groups:
        length = max(lengths[i] for i in group)
        produced = runner.run([sources[i] for i in group], beam, length)
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
    runner.run([job.sources[shortest]], 1, 2)
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
    return {"load_s": load_s, "beams": beams, "peak_rss_mb": peak_rss_mb()}


def seed_job(job: SeedJob) -> dict[str, Any]:
    """The seed article into English and Uzbek through ``Translator()``'s default path."""
    settings = load_settings().replace(
        model=job.model, threads=job.threads, cache_dir=job.cache_dir, cache=False
    )
    translator = Translator(settings=settings)
    started = time.perf_counter()
    engine = translator.engine
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    result = translator.translate(seed_article_text(), ["en", "uz"])
    seconds = time.perf_counter() - started
    sentences = sum(len(p) for p in result.translations["en"].paragraphs)
    return {
        "engine": f"{engine.name} {getattr(engine, 'variant', '')}".strip(),
        "sentences": sentences,
        "load_s": load_s,
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> int:
    job = job_from_dict(json.loads(sys.stdin.read()))
    result = run_job(job) if isinstance(job, PathJob) else seed_job(job)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
