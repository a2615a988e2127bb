"""``audarma eval`` (also ``eval/run_eval.py``): evaluate on a test set, or compare two runs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..distributed.evaluate import ray_documents_runner
from ..distributed.pool import RayOptions
from ..errors import InputError
from ..evaluation.compare import DEFAULT_TRIALS, compare_runs, render_text
from ..evaluation.options import EvalOptions
from ..evaluation.runner import run_evaluation
from ..summarizers import STRATEGY_NAMES
from .score import add_scoring_arguments
from .translate import add_model_arguments, add_ray_arguments, translator_from_args


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "eval",
        help="evaluate translation (and summaries) on a test set",
        description=(
            "Translate a test set (JSONL or NTREX-style folder) sentence by sentence and as whole"
            " documents, optionally summarise it, and score everything. Outputs go to"
            " DIR/outputs.jsonl as each document finishes (a rerun resumes), then"
            " DIR/report.json, report.md and report.html. --ray processes the documents on a Ray"
            " cluster (same outputs and reports). With --compare RUN_A RUN_B, paired"
            " significance tests between two finished runs instead."
        ),
    )
    parser.add_argument("--dataset", help="JSONL file or NTREX-style folder")
    parser.add_argument("--to", default="en,uz", help="target languages (default: en,uz)")
    parser.add_argument("--summaries", action="store_true", help="also evaluate summaries")
    parser.add_argument(
        "--strategy",
        choices=STRATEGY_NAMES,
        default="extractive",
        help="summary strategy (models: settings summary_model / llm_model, AUDARMA_* variables)",
    )
    parser.add_argument(
        "--sentences", type=int, default=1, help="summary length in sentences (default: 1)"
    )
    add_model_arguments(parser)
    parser.add_argument("--limit", type=int, help="evaluate only the first N documents")
    parser.add_argument("--out", help="run folder (outputs.jsonl and the reports)")
    add_scoring_arguments(parser, "bleu,chrf++,ter")
    parser.add_argument("--comet", metavar="PATH", help="local COMET checkpoint (optional)")
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar=("RUN_A", "RUN_B"),
        help="compare two finished runs (paired bootstrap and approximate randomisation)",
    )
    parser.add_argument(
        "--trials",
        type=int,
        default=DEFAULT_TRIALS,
        help=f"approximate randomisation trials for --compare (default: {DEFAULT_TRIALS})",
    )
    add_ray_arguments(parser, "the documents")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.compare:
        return _compare(args)
    if not args.dataset or not args.out:
        raise InputError("give --dataset and --out (or --compare RUN_A RUN_B)")
    options = EvalOptions(
        targets=args.to,
        summaries=args.summaries,
        strategy=args.strategy,
        summary_sentences=args.sentences,
        limit=args.limit,
        metrics=args.metrics,
        normalize=args.normalize,
        n_bootstrap=args.bootstrap,
        seed=args.seed,
        comet=args.comet,
        progress=not args.quiet,
    )
    translator = translator_from_args(args)
    runner = None
    if args.ray:
        runner = ray_documents_runner(RayOptions.from_settings(args.ray, translator.settings))
    report = run_evaluation(args.dataset, args.out, translator, options, documents_runner=runner)
    folder = Path(args.out)
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print((folder / "report.md").read_text(encoding="utf-8"), end="")
    print(f"audarma: report in {folder / 'report.html'}", file=sys.stderr)
    if report["failed"]:
        raise InputError(
            f"{len(report['failed'])} of {report['dataset']['documents']} documents failed"
            f" (see {folder / 'report.md'}); rerun to retry them"
        )
    return 0


def _compare(args: argparse.Namespace) -> int:
    comparison = compare_runs(
        *args.compare,
        dataset_path=args.dataset,
        metrics=args.metrics,
        normalize=args.normalize,
        n_bootstrap=args.bootstrap,
        n_trials=args.trials,
    )
    if args.format == "json":
        print(json.dumps(comparison, ensure_ascii=False, indent=2))
    else:
        print(render_text(comparison))
    return 0
