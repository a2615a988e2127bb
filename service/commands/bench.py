"""``audarma bench``: the speed benchmark (naive baseline vs batching vs CTranslate2)."""

from __future__ import annotations

import argparse
import sys

from ..bench.paths import DEFAULT_ALIAS
from ..bench.report import format_table, report_json
from ..bench.run import BenchConfig, run_bench
from ..bench.synthetic import PRESETS
from ..bench.workload import LENGTHS
from ..engines import ENGINE_NAMES
from .common import Output, add_output_arguments, settings_from_args


def _int_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers like 1,4, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive numbers, got {text!r}")
    return values


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "bench",
        help="measure translation speed of each engine and setting",
        description=(
            "Run the naive baseline (transformers fp32, one sentence per call), transformers"
            " batched, and each CTranslate2 compute type on the same NTREX sentences decoded to"
            " the same lengths; print sentences/s, tokens/s, load time, peak memory and the"
            " speed-up over the baseline, then time the seed article through the pipeline."
            " Each path runs in its own process."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--model", help="hub id or local model folder (default: the setting)")
    source.add_argument(
        "--synthetic",
        choices=sorted(PRESETS),
        help="random weights of this architecture, built locally (no download)",
    )
    parser.add_argument(
        "--engines",
        type=_names,
        default=list(ENGINE_NAMES),
        help=f"engines to measure (default: {','.join(ENGINE_NAMES)})",
    )
    parser.add_argument(
        "--paths",
        type=_names,
        help=f"only these rows, e.g. naive,{DEFAULT_ALIAS},ct2-int8 ({DEFAULT_ALIAS}: whatever"
        " the default CPU path is)",
    )
    parser.add_argument("--sentences", type=int, default=16, help="NTREX sentences (default 16)")
    parser.add_argument("--beams", type=_int_list, default=[1, 4], help="default: 1,4")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per path (median)")
    parser.add_argument(
        "--repeat-budget",
        type=float,
        default=60.0,
        help="stop repeating a path's passes once they add up to this many seconds (default 60)",
    )
    parser.add_argument("--save-json", help="also write the JSON report to this file")
    parser.add_argument("--ratio", type=float, default=1.2, help="output/source token ratio")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: all cores)")
    parser.add_argument(
        "--lengths",
        choices=LENGTHS,
        default="fixed",
        help="fixed: --ratio x the longest source of each batch, into English (default);"
        " reference: each sentence's human reference length, into English and Uzbek",
    )
    parser.add_argument(
        "--tune",
        action="store_true",
        help="measure the CTranslate2 thread layouts again and keep the fastest",
    )
    parser.add_argument(
        "--no-seed",
        "--no-article",
        dest="no_seed",
        action="store_true",
        help="skip the seed article timed through the pipeline",
    )
    parser.add_argument("--no-shortlist", action="store_true", help="skip the shortlist row")
    parser.add_argument(
        "--shortlist-proxy",
        type=int,
        default=128_000,
        help="synthetic models: shortlist size standing in for the real vocabulary's Latin part"
        " (default 128000)",
    )
    add_output_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from_args(args, threads="threads")
    config = BenchConfig(
        model=args.model,
        synthetic=args.synthetic,
        engines=args.engines,
        paths=args.paths,
        sentences=args.sentences,
        beams=args.beams,
        repeats=args.repeats,
        repeat_budget=args.repeat_budget,
        ratio=args.ratio,
        threads=args.threads,
        seed_article=not args.no_seed,
        shortlist=not args.no_shortlist,
        shortlist_proxy=args.shortlist_proxy,
        lengths=args.lengths,
        tune=args.tune,
        settings=settings,
    )
    report = run_bench(config, progress=lambda message: print(f"bench: {message}", file=sys.stderr))
    if args.save_json:
        with Output(args.save_json) as saved:
            saved.write(report_json(report))
    with Output(args.out) as out:
        out.write(report_json(report) if args.format == "json" else format_table(report))
    return 0
