"""The speed benchmark behind ``audarma bench``.

It answers one question with numbers anyone can rerun: how much faster is Audarma's default
CPU path than the naive way (transformers, float32, one sentence per ``generate`` call), and
what does each step (batching, bfloat16, CTranslate2 compute types, the shortlist) buy?

Fairness rules, because speed numbers are easy to fake by accident:

* every path decodes the same source token ids to the same fixed lengths (``ratio`` x the
  longest source in the sentence's batch of the pipeline's own length-sorted plan), so no
  path wins by stopping early; random-weight models would otherwise stop at random;
* each path runs in a fresh process (:mod:`service.benchrun`): its peak RSS is its own, and
  its load time includes reading the weights from disk (conversion is timed separately);
* timings are the median of up to ``repeats`` passes after one warm-up call; passes stop
  repeating once they add up to ``repeat_budget`` seconds (a 5-minute naive pass is already
  an average over thousands of steps, and three of them would dominate the run).

``--synthetic nllb-600m`` builds random weights of the real architecture (256,206-row
vocabulary, so the output projection costs what it really costs) from the bundled
tokenizer text: no download, the same numbers offline.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .batching import plan_batches
from .benchreport import NAIVE, add_comparisons, headline, memory_ratio, targets
from .errors import ConfigError, InputError
from .settings import Settings, load_settings

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PathSpec:
    """One way of running the model."""

    name: str
    engine: str  # transformers | ctranslate2
    description: str
    dtype: str = "float32"  # transformers
    compute_type: str = ""  # ctranslate2
    one_by_one: bool = False
    shortlist: bool = False


@dataclass
class BenchConfig:
    """What to measure."""

    model: str | None = None
    synthetic: str | None = None
    engines: Sequence[str] = ("transformers", "ctranslate2")
    paths: Sequence[str] | None = None  # names to keep (default: all applicable)
    sentences: int = 16
    beams: Sequence[int] = (1, 4)
    repeats: int = 3
    repeat_budget: float = 60.0
    ratio: float = 1.2
    threads: int = 0
    target: str = "en"
    seed_article: bool = True
    shortlist: bool = True
    #: Synthetic models only: shortlist size standing in for the real vocabulary's Latin part.
    shortlist_proxy: int = 64_000
    settings: Settings = field(default_factory=load_settings)


# --- machine ---------------------------------------------------------------------------------


def cpu_name() -> str:
    """The CPU model string (Linux), else the platform's processor name."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info(threads: int) -> dict[str, Any]:
    import ctranslate2

    from .engines.ct2_tuning import thread_layout, usable_cores
    from .engines.device import cpu_has_native_bf16

    return {
        "cpu": cpu_name(),
        "cores": usable_cores(),
        "threads": threads,
        "ct2_layout": str(thread_layout(threads)),
        "native_bf16": cpu_has_native_bf16(),
        "ct2_cpu_compute_types": sorted(ctranslate2.get_supported_compute_types("cpu")),
        "ctranslate2": ctranslate2.__version__,
        "python": platform.python_version(),
    }


# --- model and workload ----------------------------------------------------------------------


def synthetic_model(preset: str, cache_dir: str | Path, progress: Progress) -> Path:
    """Random weights of ``preset``'s architecture, built once into the cache (atomically)."""
    from .synthetic import PRESETS, build_tiny_model

    if preset not in PRESETS:
        raise ConfigError(
            f"unknown synthetic model {preset!r}; choose one of: {', '.join(PRESETS)}"
        )
    family = "m2m100" if preset.startswith("m2m100") else "nllb"
    folder = Path(cache_dir).expanduser() / "synthetic" / preset
    if (folder / "config.json").is_file():
        return folder
    progress(f"building random weights of {preset} in {folder} (once)")
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{preset}.tmp-", dir=folder.parent))
    try:
        build_tiny_model(scratch / "model", family, preset=preset)
        os.replace(scratch / "model", folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return folder


def source_sentences(count: int) -> list[str]:
    """The first ``count`` Kazakh NTREX sentences (real news text, bundled)."""
    from .synthetic import find_ntrex_dir

    text = (find_ntrex_dir() / "kaz.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if count < 1 or count > len(lines):
        raise InputError(f"--sentences must be between 1 and {len(lines)}, got {count}")
    return lines[:count]


def seed_article_text() -> str:
    """The seed article (Kazinform, 2025-10-17), as bundled (see :mod:`service.bundled`)."""
    from .bundled import seed_files

    files = seed_files()
    if not files:
        raise InputError("the seed article was not found (seeds/*.txt)")
    return files[0].read_text(encoding="utf-8")


@dataclass
class Workload:
    """Source ids, the pipeline's batch plan over them, and each sentence's fixed length."""

    sources: list[list[int]]
    batches: list[list[int]]
    lengths: list[int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences": len(self.sources),
            "source_tokens": sum(len(s) for s in self.sources),
            "output_tokens": sum(self.lengths),
            "batch_sizes": [len(b) for b in self.batches],
        }


def make_workload(
    model: str, count: int, ratio: float, settings: Settings, target: str = "en"
) -> Workload:
    """Tokenize the sentences with the model's tokenizer and plan batches as the pipeline does."""
    from transformers import AutoTokenizer

    from .engines.transformers_engine import detect_family
    from .languages import get_language

    tokenizer = AutoTokenizer.from_pretrained(model)
    family = detect_family(tokenizer) or "nllb"
    tokenizer.src_lang = get_language("kk").model_code(family)
    get_language(target)
    sources = [list(ids) for ids in tokenizer(source_sentences(count))["input_ids"]]
    lengths = [len(ids) for ids in sources]
    batches = plan_batches(lengths, settings.batch_tokens, settings.max_batch_size)
    fixed = [0] * len(sources)
    for batch in batches:
        longest = max(lengths[i] for i in batch)
        for i in batch:
            fixed[i] = max(1, math.ceil(ratio * longest))
    return Workload(sources, batches, fixed)


# --- paths -----------------------------------------------------------------------------------


def default_path_name(settings: Settings) -> str:
    """The row that is what ``Translator()`` runs on this CPU with these settings."""
    if settings.engine == "ctranslate2":
        from .engines.ct2_tuning import choose_compute_type

        name = f"ct2-{choose_compute_type('cpu', settings.compute_type)}"
        return name + ("-shortlist" if settings.shortlist else "")
    from .engines.device import cpu_has_native_bf16, resolve_dtype

    if settings.dtype == "auto":  # the full-size models the bench is for: bf16 where native
        return "transformers-" + ("bfloat16" if cpu_has_native_bf16() else "float32")
    return "transformers-" + str(resolve_dtype("cpu", settings.dtype)).removeprefix("torch.")


def candidate_paths(config: BenchConfig) -> list[PathSpec]:
    """Every applicable path for the chosen engines on this CPU."""
    import ctranslate2

    from .engines.device import cpu_has_native_bf16

    paths: list[PathSpec] = []
    if "transformers" in config.engines:
        paths.append(
            PathSpec(
                NAIVE, "transformers", "transformers fp32, one sentence per call", one_by_one=True
            )
        )
        paths.append(PathSpec("transformers-float32", "transformers", "transformers fp32, batched"))
        if cpu_has_native_bf16():
            paths.append(
                PathSpec(
                    "transformers-bfloat16",
                    "transformers",
                    "transformers bf16, batched",
                    dtype="bfloat16",
                )
            )
    if "ctranslate2" in config.engines:
        supported = set(ctranslate2.get_supported_compute_types("cpu"))
        for compute in ("int8", "int16", "float32"):
            if compute in supported:
                paths.append(
                    PathSpec(
                        f"ct2-{compute}",
                        "ctranslate2",
                        f"CTranslate2 {compute}, batched",
                        compute_type=compute,
                    )
                )
        if config.shortlist and "int8" in supported:
            paths.append(
                PathSpec(
                    "ct2-int8-shortlist",
                    "ctranslate2",
                    "CTranslate2 int8, batched, target-script shortlist",
                    compute_type="int8",
                    shortlist=True,
                )
            )
    if config.paths:
        known = {p.name for p in paths}
        unknown = [name for name in config.paths if name not in known]
        if unknown:
            raise ConfigError(
                f"unknown bench path(s) {', '.join(unknown)}; choose from: {', '.join(known)}"
            )
        paths = [p for p in paths if p.name in config.paths]
    if not paths:
        raise ConfigError("no bench path selected")
    return paths


# --- running ---------------------------------------------------------------------------------


def run_child(job: dict[str, Any]) -> dict[str, Any]:
    """Run ``job`` in a fresh interpreter (:mod:`service.benchrun`) and return its result."""
    done = subprocess.run(
        [sys.executable, "-m", "service.benchrun"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"bench job {job.get('kind', 'path')} failed: {tail}")
    return json.loads(lines[-1])


def prepare_ct2(
    model: str, compute_type: str, settings: Settings, progress: Progress
) -> dict[str, Any]:
    """The path's converted folder: from the cache, or converted now (timed, reported apart)."""
    from .engines.convert import cache_folder, describe_source, ensure_converted, is_converted

    folder = cache_folder(settings.cache_dir, describe_source(model), compute_type)
    if is_converted(folder):
        return {"path": str(folder), "seconds": 0.0}
    progress(f"converting to CTranslate2 {compute_type} (cached after the first time)")
    started = time.perf_counter()
    folder = ensure_converted(model, compute_type, settings.cache_dir)
    return {"path": str(folder), "seconds": time.perf_counter() - started}


def _summarize(
    spec: PathSpec, result: dict[str, Any], workload: Workload, beam: int
) -> dict[str, Any]:
    runs = result["beams"][str(beam)]
    median = statistics.median(runs["seconds"])
    return {
        "path": spec.name,
        "description": spec.description,
        "engine": spec.engine,
        "beam": beam,
        "seconds": [round(s, 3) for s in runs["seconds"]],
        # CPU seconds of the whole process (all threads): a cross-check on a busy machine.
        "cpu_seconds": [round(s, 3) for s in runs["cpu_seconds"]],
        "sentences_per_s": len(workload.sources) / median,
        "tokens_per_s": runs["generated_tokens"] / median,
        "generated_tokens": runs["generated_tokens"],
        "load_s": round(result["load_s"], 3),
        "peak_rss_mb": round(result["peak_rss_mb"], 1),
    }


def run_bench(config: BenchConfig, progress: Progress | None = None) -> dict[str, Any]:
    """Measure every selected path; returns the report (rendered by :mod:`service.benchreport`)."""
    say = progress or (lambda message: None)
    settings = config.settings
    threads = config.threads or _default_threads()
    if config.synthetic:
        model = str(synthetic_model(config.synthetic, settings.cache_dir, say))
    elif config.model:
        model = config.model
    else:
        model = settings.model
    specs = candidate_paths(config)
    workload = make_workload(model, config.sentences, config.ratio, settings, config.target)
    default_name = default_path_name(settings)
    extra: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    outputs: dict[tuple[str, int], list[list[int]]] = {}
    for spec in specs:
        job: dict[str, Any] = {
            "kind": "path",
            "engine": spec.engine,
            "model_dir": model,
            "dtype": spec.dtype,
            "threads": threads,
            "target": config.target,
            "sources": workload.sources,
            "batches": workload.batches,
            "lengths": workload.lengths,
            "one_by_one": spec.one_by_one,
            "beams": list(config.beams),
            "repeats": config.repeats,
            "repeat_budget": config.repeat_budget,
        }
        if spec.engine == "ctranslate2":
            converted = prepare_ct2(model, spec.compute_type, settings, say)
            extra.setdefault("conversion_s", {})[spec.compute_type] = converted["seconds"]
            job.update(model_dir=converted["path"], compute_type=spec.compute_type)
            if spec.shortlist:
                job["shortlist"] = True
                if config.synthetic:
                    _write_proxy_shortlist(converted["path"], config.shortlist_proxy)
        say(f"measuring {spec.name} ({spec.description})")
        result = run_child(job)
        if spec.shortlist:  # the engine wrote (or kept) the folder's vocabulary map
            from .engines.shortlist import read_vmap_info

            info = read_vmap_info(job["model_dir"])
            extra["shortlist"] = {
                "tokens": info.get("tokens"),
                "proxy_for_real_vocabulary": bool(info.get("proxy_for_real_vocabulary")),
            }
        for beam in config.beams:
            row = _summarize(spec, result, workload, beam)
            row["default"] = spec.name == default_name
            rows.append(row)
            outputs[(spec.name, beam)] = result["beams"][str(beam)]["outputs"]
    add_comparisons(rows, outputs)
    report: dict[str, Any] = {
        "model": config.synthetic and f"synthetic {config.synthetic}" or model,
        "model_dir": model,
        "machine": machine_info(threads),
        "workload": {
            **workload.to_dict(),
            "ratio": config.ratio,
            "target": config.target,
            "batch_tokens": settings.batch_tokens,
            "max_batch_size": settings.max_batch_size,
        },
        "default_path": default_name,
        "rows": rows,
        "speedup_vs_naive": headline(rows),
        **extra,
    }
    report["memory_vs_transformers_batched"] = memory_ratio(rows)
    report["targets"] = targets(report)
    if config.seed_article:
        say("timing the seed article end to end (en + uz) on the default path")
        report["seed_article"] = run_child(
            {"kind": "seed", "model": model, "threads": threads, "cache_dir": settings.cache_dir}
        )
    return report


def _default_threads() -> int:
    from .engines.ct2_tuning import usable_cores

    return usable_cores()


def _write_proxy_shortlist(model_dir: str, size: int) -> None:
    """A synthetic model's shortlist, padded to ``size`` to stand in for the real one.

    A synthetic model's tokenizer has a few thousand pieces and the rest of its 256k rows are
    padding, so its honest script filter would keep ~1.5k tokens and overstate the gain. The
    proxy keeps the filter's tokens and pads the list with padding rows up to ``size`` (by
    default 64,000: the issue's estimate of NLLB's Latin-script part).
    """
    from .engines.ctranslate2_engine import read_vocabulary
    from .engines.shortlist import shortlist_tokens, write_vmap

    vocabulary = read_vocabulary(Path(model_dir))
    keep = shortlist_tokens(vocabulary, ["Latn"], always=["<s>", "<pad>", "</s>", "<unk>"])
    chosen = set(keep)
    for token in vocabulary:
        if len(keep) >= size:
            break
        if token not in chosen:
            keep.append(token)
            chosen.add(token)
    write_vmap(model_dir, keep, {"scripts": ["Latn"], "proxy_for_real_vocabulary": True})
