"""The speed benchmark behind ``audarma bench``.

It answers one question with numbers anyone can rerun: how much faster is Audarma's default
CPU path than the naive way (transformers, float32, one sentence per ``generate`` call), and
what does each step (batching, bfloat16, CTranslate2 compute types, the shortlist) buy?

Fairness rules, because speed numbers are easy to fake by accident:

* every path decodes the same source token ids to the same lengths (:mod:`.workload`:
  ``ratio`` x the longest source of each batch of the pipeline's own length-sorted plan, or
  each sentence's human reference length in English and Uzbek), so no path wins by stopping
  early; random-weight models would otherwise stop at random;
* each path runs in a fresh process (:mod:`.child`): its peak RSS is its own, and
  its load time includes reading the weights from disk (conversion is timed separately);
* timings are the median of up to ``repeats`` passes after one warm-up call; passes stop
  repeating once they add up to ``repeat_budget`` seconds (a 5-minute naive pass is already
  an average over thousands of steps, and three of them would dominate the run).

``--synthetic nllb-600m`` builds random weights of the real architecture (256,206-row
vocabulary, so the output projection costs what it really costs) from the bundled
tokenizer text: no download, the same numbers offline. Its shortlist is a proxy of
``--shortlist-proxy`` tokens (default 128,000: about 120 of NLLB's ~200 languages write in
Latin, so the real Latin share is unknown here and may well be half the vocabulary).

Before the CTranslate2 paths run, the default path's thread layout is chosen as the engine
chooses it (:mod:`service.engines.autotune`: measured once per machine and model, or the
``thread_layout`` setting); ``--tune`` measures again.
"""

from __future__ import annotations

import json
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

from ..engines import ENGINE_NAMES
from ..engines.autotune import TUNING_FILE, tuning_key
from ..engines.convert import cache_folder, describe_source, ensure_converted, is_converted
from ..engines.ctranslate2_engine import CTranslate2Engine, read_vocabulary
from ..engines.device import cpu_has_amx, cpu_has_native_bf16
from ..engines.shortlist import read_vmap_info, shortlist_tokens, write_vmap
from ..engines.tuning import choose_compute_type, cpu_name, thread_layout, usable_cores
from ..errors import ConfigError
from ..settings import Settings, load_settings
from .child import ArticleJob, PathJob
from .paths import PathSpec, candidate_paths, default_path_name
from .report import add_comparisons, headline, memory_ratio, targets
from .synthetic import PRESETS, build_tiny_model
from .workload import LENGTHS, Workload, make_workload

Progress = Callable[[str], None]


@dataclass
class BenchConfig:
    """What to measure; checked when made, so a bad option fails before any model loads."""

    model: str | None = None
    synthetic: str | None = None
    engines: Sequence[str] = ENGINE_NAMES
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
    shortlist_proxy: int = 128_000
    #: ``fixed`` or ``reference`` output lengths (:mod:`.workload`).
    lengths: str = "fixed"
    #: Measure the default path's thread layout again, even if one is stored.
    tune: bool = False
    settings: Settings = field(default_factory=load_settings)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.engines) - set(ENGINE_NAMES))
        if unknown:
            raise ConfigError(
                f"unknown engine(s) {', '.join(unknown)} for bench; choose from:"
                f" {', '.join(ENGINE_NAMES)}"
            )
        if self.synthetic is not None and self.synthetic not in PRESETS:
            raise ConfigError(
                f"unknown synthetic model {self.synthetic!r}; choose one of: {', '.join(PRESETS)}"
            )
        if self.repeats < 1:
            raise ConfigError("--repeats must be at least 1")
        if not self.beams or min(self.beams) < 1:
            raise ConfigError(f"beam sizes must be positive, got {list(self.beams)}")
        if self.ratio <= 0:
            raise ConfigError(f"--ratio must be positive, got {self.ratio}")
        if self.threads < 0:
            raise ConfigError(f"--threads must be 0 (all cores) or more, got {self.threads}")
        if self.shortlist_proxy < 1:
            raise ConfigError(f"--shortlist-proxy must be positive, got {self.shortlist_proxy}")
        if self.lengths not in LENGTHS:
            raise ConfigError(
                f"unknown --lengths {self.lengths!r}; choose one of: {', '.join(LENGTHS)}"
            )


# --- machine ---------------------------------------------------------------------------------


def machine_info(threads: int) -> dict[str, Any]:
    import ctranslate2

    return {
        "cpu": cpu_name(),
        "cores": usable_cores(),
        "threads": threads,
        "amx": cpu_has_amx(),
        "ct2_default_layout": str(thread_layout(threads)),
        "native_bf16": cpu_has_native_bf16(),
        "ct2_cpu_compute_types": sorted(ctranslate2.get_supported_compute_types("cpu")),
        "ctranslate2": ctranslate2.__version__,
        "python": platform.python_version(),
    }


# --- model and workload ----------------------------------------------------------------------


def synthetic_model(preset: str, cache_dir: str | Path, progress: Progress) -> Path:
    """Random weights of ``preset``'s architecture, built once into the cache (atomically)."""
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


# --- running ---------------------------------------------------------------------------------


def run_child(job: PathJob | ArticleJob) -> dict[str, Any]:
    """Run ``job`` in a fresh interpreter (:mod:`.child`) and return its result."""
    done = subprocess.run(
        [sys.executable, "-m", "service.bench.child"],
        input=json.dumps(job.to_dict()),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"bench job {job.kind} failed: {tail}")
    return json.loads(lines[-1])


def prepare_ct2(
    model: str, compute_type: str, settings: Settings, progress: Progress
) -> dict[str, Any]:
    """The path's converted folder: from the cache, or converted now (timed, reported apart)."""
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
    """Measure every selected path; returns the report (rendered by :mod:`.report`)."""
    say = progress or (lambda message: None)
    settings = config.settings
    threads = config.threads or usable_cores()
    if config.synthetic:
        model = str(synthetic_model(config.synthetic, settings.cache_dir, say))
    elif config.model:
        model = config.model
    else:
        model = settings.model
    default_name = default_path_name(settings)
    specs = candidate_paths(config.engines, config.paths, config.shortlist, default_name)
    workload = make_workload(
        model, config.sentences, config.ratio, settings, config.target, config.lengths
    )
    extra: dict[str, Any] = {}
    folders = _prepare_folders(model, specs, settings, config, extra, say)
    if settings.engine == "ctranslate2":
        extra["thread_layout"] = _choose_layout(model, threads, settings, config, extra, say)
    rows: list[dict[str, Any]] = []
    outputs: dict[tuple[str, int], list[list[int]]] = {}
    for spec in specs:
        job = PathJob(
            engine=spec.engine,
            model_dir=folders.get(spec.compute_type, model) if spec.compute_type else model,
            threads=threads,
            sources=workload.sources,
            targets=workload.targets,
            lengths=workload.lengths,
            batches=workload.batches,
            beams=list(config.beams),
            repeats=config.repeats,
            repeat_budget=config.repeat_budget,
            dtype=spec.dtype,
            compute_type=spec.compute_type,
            one_by_one=spec.one_by_one,
            shortlist=spec.shortlist,
            thread_layout=settings.thread_layout,
        )
        say(f"measuring {spec.name} ({spec.description})")
        result = run_child(job)
        if spec.shortlist:  # the engine wrote (or kept) the folder's vocabulary map
            info = read_vmap_info(job.model_dir)
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
            "ratio": config.ratio if config.lengths == "fixed" else None,
            "target": config.target if config.lengths == "fixed" else None,
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
        say("timing the seed article through the pipeline (en + uz) on the default path")
        report["article"] = run_child(
            ArticleJob(
                model,
                threads,
                settings.cache_dir,
                beams=list(config.beams),
                ratio=config.ratio,
                thread_layout=settings.thread_layout,
            )
        )
    return report


def _prepare_folders(
    model: str,
    specs: Sequence[PathSpec],
    settings: Settings,
    config: BenchConfig,
    extra: dict[str, Any],
    say: Progress,
) -> dict[str, str]:
    """The converted folder of every CTranslate2 compute type measured (and the default
    path's), with a synthetic model's shortlist proxy written where the shortlist runs."""
    compute_types = {spec.compute_type for spec in specs if spec.engine == "ctranslate2"}
    default = _default_compute_type(settings)
    if default:
        compute_types.add(default)
    folders: dict[str, str] = {}
    for compute_type in sorted(compute_types):
        converted = prepare_ct2(model, compute_type, settings, say)
        extra.setdefault("conversion_s", {})[compute_type] = converted["seconds"]
        folders[compute_type] = converted["path"]
        shortlisted = any(s.shortlist and s.compute_type == compute_type for s in specs) or (
            compute_type == default and settings.shortlist
        )
        if shortlisted and config.synthetic:
            _write_proxy_shortlist(converted["path"], config.shortlist_proxy)
    return folders


def _default_compute_type(settings: Settings) -> str | None:
    if settings.engine != "ctranslate2":
        return None
    return choose_compute_type("cpu", settings.compute_type)


def _choose_layout(
    model: str,
    threads: int,
    settings: Settings,
    config: BenchConfig,
    extra: dict[str, Any],
    say: Progress,
) -> dict[str, Any]:
    """The default path's thread layout, chosen as the engine chooses it (``--tune``: again).

    Measured in this process before any path runs, so no path's load time includes it.
    """
    compute_type = _default_compute_type(settings) or "int8"
    folder = _folder_of(model, compute_type, settings)
    layout = settings.thread_layout
    if config.tune:
        _forget_choice(folder, tuning_key(threads, compute_type))
        layout = "auto"
    say(f"choosing the thread layout ({layout})")
    engine = CTranslate2Engine(
        str(folder), device="cpu", compute_type=compute_type, threads=threads, thread_layout=layout
    )
    choice = engine.layout_choice
    del engine
    return {"layout": str(choice.layout), "source": choice.source, "timings": choice.timings}


def _folder_of(model: str, compute_type: str, settings: Settings) -> Path:
    return cache_folder(settings.cache_dir, describe_source(model), compute_type)


def _forget_choice(folder: Path, key: str) -> None:
    path = folder / TUNING_FILE
    if not path.is_file():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop(key, None)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _write_proxy_shortlist(model_dir: str, size: int) -> None:
    """A synthetic model's shortlist, padded to ``size`` to stand in for the real one.

    A synthetic model's tokenizer has a few thousand pieces and the rest of its 256k rows are
    padding, so its honest script filter would keep ~1.5k tokens and overstate the gain. The
    proxy keeps the filter's tokens and pads the list with padding rows up to ``size`` (by
    default 128,000: half of NLLB's vocabulary, since most of its languages write in Latin).
    """
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
