"""Corpus throughput on this machine: article by article, corpus mode, and Ray local.

Not a test in the suite: it prints figures (docs/scale.md). It translates the first
``--documents`` NTREX documents into English and Uzbek, greedy by default, with the tiny
random-weight NLLB model (built here, no download), the synthetic NLLB-600M (``--model
nllb-600m``: real architecture and vocabulary, random weights, built once into the cache), or
any model folder:

1. in this process, article by article (``corpus_articles=1``), then in corpus mode (the
   setting's groups, 16: their sentences share batches); the engine is loaded once, first;
2. on a local Ray cluster started here with every core, once per ``--ray-cpus-per-actor``
   value, through the product's own runner (``audarma translate --ray``), after a warm-up
   job: cluster processes started and warm.

For each run: articles/s over the whole run, and the *steady* rate (after the first output:
what a long job runs at once its engines are loaded). Ray's overhead is its rate against
corpus mode in this process, whole and steady. The Ray results with as many engine threads as
this process are checked record for record against the corpus-mode results.

    python eval/scale_bench.py                          # tiny model, 40 documents, greedy
    python eval/scale_bench.py --model nllb-600m --documents 16 --json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

try:
    import service  # noqa: F401  (installed, or run from the repository)
except ImportError:  # pragma: no cover - an uninstalled checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.bench.run import synthetic_model  # noqa: E402
from service.bench.synthetic import build_tiny_model, ntrex_lines, train_sentencepiece  # noqa: E402
from service.distributed.cluster import start_local  # noqa: E402
from service.distributed.pool import RayOptions  # noqa: E402
from service.distributed.runner import translate_corpus  # noqa: E402
from service.engines.tuning import cpu_name, usable_cores  # noqa: E402
from service.evaluation.datasets import load_dataset  # noqa: E402
from service.jobs.batch import run_batch  # noqa: E402
from service.jobs.corpus import iter_batch  # noqa: E402
from service.jobs.shards import ShardStore  # noqa: E402
from service.settings import load_settings  # noqa: E402
from service.translate import Translator  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NTREX = ROOT / "eval" / "data" / "ntrex128-dev"
TARGETS = ["en", "uz"]


def say(text: str) -> None:
    """Where a long measurement is (stderr; the figures go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="tiny", help="tiny, nllb-600m, or a model folder")
    parser.add_argument("--documents", type=int, default=40, help="NTREX documents (default 40)")
    parser.add_argument("--beam", type=int, default=1, help="beam size (default 1: greedy)")
    parser.add_argument(
        "--ray-cpus-per-actor",
        type=float,
        nargs="*",
        default=None,
        help="one Ray job per value (default: every core in one actor, then one per core)",
    )
    parser.add_argument("--repeats", type=int, default=1, help="single-process passes (median)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cores = usable_cores()
    cpus = args.ray_cpus_per_actor or sorted({float(cores), 1.0}, reverse=True)
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="audarma-scale-") as scratch:
        work = Path(scratch)
        model, shortlist = prepare_model(args.model, work)
        overrides = {"model": model, "beam": args.beam, "cache": False, "shortlist": shortlist}
        if args.model == "tiny":  # its conversion is thrown away with it
            overrides["cache_dir"] = str(work / "cache")
        settings = load_settings(overrides)
        docs = load_dataset(NTREX).documents[: args.documents]
        corpus = work / "corpus.jsonl"
        corpus.write_text(
            "".join(
                json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n" for d in docs
            ),
            encoding="utf-8",
        )
        figures: dict[str, Any] = {
            "machine": f"{cores} cores, {cpu_name()}",
            "model": args.model,
            "documents": len(docs),
            "segments": sum(len(d.source) for d in docs),
            "targets": TARGETS,
            "beam": args.beam,
        }
        single, records = single_process(corpus, settings, args.repeats)
        figures["single_process"] = single
        loads.append(os.getloadavg()[0])
        figures["ray_local"] = ray_local(corpus, work, settings, cpus, cores, single, records)
        loads.append(os.getloadavg()[0])
    figures["load_average"] = [round(x, 2) for x in loads]
    print(json.dumps(figures, indent=2) if args.json else render(figures))
    return 0


def prepare_model(name: str, work: Path) -> tuple[str, bool]:
    """The model folder to measure, and whether the shortlist may run (not on synthetic
    weights: their tokenizer's few thousand pieces would make the shortlist a toy)."""
    if name == "tiny":
        spm = train_sentencepiece(ntrex_lines(), work / "spm")
        return str(build_tiny_model(work / "tiny", "nllb", spm_model=spm)), False
    if name in ("nllb-600m", "m2m100-418m"):
        cache = load_settings().cache_dir
        return str(synthetic_model(name, cache, lambda text: print(text, file=sys.stderr))), False
    return name, True


def single_process(corpus: Path, settings: Any, repeats: int) -> tuple[dict, list[dict]]:
    """Article by article, then corpus mode, with one engine loaded first."""
    items = list(iter_batch(corpus))
    Translator(settings=settings).engine  # noqa: B018  (converts and tunes once, untimed)
    started = time.perf_counter()
    engine = Translator(settings=settings).engine
    load_s = time.perf_counter() - started
    runs: dict[str, list[dict]] = {"article_by_article": [], "corpus_mode": []}
    records: list[dict] = []
    sizes = {"article_by_article": 1, "corpus_mode": settings.corpus_articles}
    for _ in range(repeats):
        for label, size in sizes.items():
            translator = Translator(
                settings=settings.replace(corpus_articles=size), engine_instance=engine
            )
            say(f"one process, corpus_articles={size}")
            out: list[dict] = []
            marks: list[tuple[float, int]] = []
            begin = time.perf_counter()
            run_batch(
                items,
                translator,
                TARGETS,
                out.append,
                progress=lambda n, b=begin, m=marks: m.append((time.perf_counter() - b, n)),
            )
            seconds = time.perf_counter() - begin
            runs[label].append(rates(len(items), seconds, marks[0][0], marks[0][1], load_s))
            if label == "corpus_mode":
                records = out
    figures = {label: median_run(passes) for label, passes in runs.items()}
    figures["engine_load_seconds"] = round(load_s, 3)
    figures["corpus_articles"] = settings.corpus_articles
    figures["speedup"] = round(
        figures["corpus_mode"]["articles_per_s"] / figures["article_by_article"]["articles_per_s"],
        2,
    )
    return figures, records


def rates(articles: int, seconds: float, first_s: float, first: int, load_s: float) -> dict:
    """A run's figures: whole (the engine load counted in ``with_load``) and steady."""
    steady = (articles - first) / (seconds - first_s) if seconds > first_s else 0.0
    return {
        "articles": articles,
        "seconds": round(seconds, 3),
        "articles_per_s": round(articles / seconds, 3),
        "articles_per_s_with_load": round(articles / (seconds + load_s), 3),
        "steady_articles_per_s": round(steady, 3),
        "first_output_seconds": round(first_s, 3),
    }


def median_run(passes: list[dict]) -> dict:
    return sorted(passes, key=lambda p: p["seconds"])[len(passes) // 2]


def ray_local(
    corpus: Path,
    work: Path,
    settings: Any,
    cpus: list[float],
    cores: int,
    single: dict,
    records: list[dict],
) -> dict:
    """One job per actor size on a local cluster started (and warmed up) here."""
    started = time.perf_counter()
    start_local(num_cpus=cores)
    figures: dict[str, Any] = {"cluster_start_seconds": round(time.perf_counter() - started, 3)}
    warm = work / "warm.jsonl"
    warm.write_text("".join(corpus.read_text(encoding="utf-8").splitlines(True)[:4]), "utf-8")
    translate_corpus(warm, work / "warm", TARGETS, settings=settings, progress=False)
    corpus_mode = single["corpus_mode"]
    jobs = []
    for each in cpus:
        say(f"ray local, {each:g} CPU(s) per actor")
        out = work / f"ray-{each:g}"
        manifest = translate_corpus(
            corpus,
            out,
            TARGETS,
            settings=settings,
            ray=RayOptions(cpus_per_actor=each),
            progress=False,
        )
        run = manifest["runs"][-1]
        seconds = run["seconds"] - (run["cluster_seconds"] or 0.0)
        job = rates(run["articles"], seconds, run["first_output_seconds"], run["first_output"], 0.0)
        job.update(
            actors=run["ray"]["actors"],
            cpus_per_actor=each,
            threads_per_actor=max(1, int(each)),
            overhead=round(corpus_mode["articles_per_s_with_load"] / job["articles_per_s"] - 1, 3),
            steady_overhead=round(
                corpus_mode["steady_articles_per_s"] / job["steady_articles_per_s"] - 1, 3
            ),
            per_actor=[
                {
                    "articles": a["articles"],
                    "busy_seconds": a["seconds"],
                    "articles_per_busy_s": round(a["articles"] / a["seconds"], 4),
                    "peak_rss_mb": a["peak_rss_mb"],
                }
                for a in run["actors"].values()
            ],
        )
        if int(each) == cores:
            store = ShardStore(out)
            store.read()
            ours = {r["id"]: r for r in store.records()}
            job["identical_records"] = sum(ours.get(r["id"]) == r for r in records)
        jobs.append(job)
    figures["jobs"] = jobs
    return figures


def render(figures: dict) -> str:
    single = figures["single_process"]
    lines = [
        f"machine: {figures['machine']}; load average {figures['load_average']}",
        f"model: {figures['model']}, beam {figures['beam']}, {figures['documents']} NTREX"
        f" documents ({figures['segments']} segments) into {'+'.join(figures['targets'])}",
        f"engine load: {single['engine_load_seconds']:.1f} s",
    ]
    for label, name in (
        ("article_by_article", "article by article"),
        ("corpus_mode", "corpus mode"),
    ):
        run = single[label]
        lines.append(
            f"one process, {name}: {run['articles']} articles in {run['seconds']:.1f} s ="
            f" {run['articles_per_s']:.2f} articles/s (steady {run['steady_articles_per_s']:.2f})"
        )
    lines.append(f"corpus-mode speed-up: {single['speedup']:.2f}x")
    ray = figures["ray_local"]
    lines.append(f"ray local: cluster started in {ray['cluster_start_seconds']:.1f} s")
    for job in ray["jobs"]:
        same = (
            f"; identical to one process: {job['identical_records']}/{job['articles']}"
            if "identical_records" in job
            else ""
        )
        lines.append(
            f"ray local, {job['actors']} actor(s) x {job['cpus_per_actor']:g} CPU:"
            f" {job['articles_per_s']:.2f} articles/s (first output after"
            f" {job['first_output_seconds']:.1f} s), steady {job['steady_articles_per_s']:.2f};"
            f" overhead vs one process {100 * job['overhead']:+.0f}% whole,"
            f" {100 * job['steady_overhead']:+.0f}% steady; per actor (articles/busy s, peak"
            f" RSS): {', '.join(actor_figures(a) for a in job['per_actor'])}{same}"
        )
    return "\n".join(lines)


def actor_figures(actor: dict) -> str:
    return f"{actor['articles_per_busy_s']:.3f} ({actor['peak_rss_mb']} MB)"


if __name__ == "__main__":
    sys.exit(main())
