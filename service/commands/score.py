"""``audarma score``: BLEU, chrF++, TER and ROUGE of line-aligned files, with signatures."""

from __future__ import annotations

import argparse

from ..errors import InputError
from ..evaluation.metrics import DEFAULT_BOOTSTRAP, DEFAULT_SEED, METRICS, Scorer
from ..text.files import split_lines
from .common import Output, add_output_arguments, read_text


def add_scoring_arguments(parser: argparse.ArgumentParser, default_metrics: str) -> None:
    """``--metrics``, ``--no-normalize``, ``--bootstrap`` and ``--seed`` (shared with ``eval``)."""
    parser.add_argument(
        "--metrics",
        default=default_metrics,
        help=f"comma-separated: {', '.join(METRICS)}, or rouge for all three (default:"
        f" {default_metrics})",
    )
    parser.add_argument(
        "--no-normalize",
        dest="normalize",
        action="store_false",
        help="score Uzbek as written (default: fold the apostrophes ʻ ʼ ‘ ’ ' ` on both sides)",
    )
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=DEFAULT_BOOTSTRAP,
        metavar="N",
        help=f"bootstrap resamples for the 95%% intervals; 0 = none (default: {DEFAULT_BOOTSTRAP})",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"bootstrap seed (default: {DEFAULT_SEED})"
    )


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "score",
        help="score line-aligned hypotheses against references",
        description=(
            "BLEU, chrF++ and TER (sacrebleu's, identical to its corpus scores) and ROUGE-1/2/L"
            " (F-measure x 100, Unicode tokens) of a hypothesis file against one or more"
            " line-aligned reference files, each with its signature and a 95%% bootstrap"
            " interval. Uzbek apostrophes are folded on both sides unless --no-normalize."
        ),
    )
    parser.add_argument("--hyp", default="-", help="hypotheses, one per line (default: stdin)")
    parser.add_argument(
        "--ref", action="append", required=True, help="references, one per line (repeatable)"
    )
    parser.add_argument("--lang", required=True, help="language of hypotheses and references")
    add_scoring_arguments(parser, "bleu,chrf++,ter,rouge")
    add_output_arguments(parser)
    parser.set_defaults(func=run)


def read_segments(path: str) -> list[str]:
    """The lines of a line-aligned file; an empty file is an error."""
    lines = split_lines(read_text(path))
    if not lines:
        raise InputError(f"{'standard input' if path == '-' else path} is empty")
    return lines


def run(args: argparse.Namespace) -> int:
    scorer = Scorer(
        args.lang,
        args.metrics,
        normalize=args.normalize,
        n_bootstrap=args.bootstrap,
        seed=args.seed,
    )
    hyps = read_segments(args.hyp)
    refs = []
    for path in args.ref:
        lines = read_segments(path)
        if len(lines) != len(hyps):
            raise InputError(
                f"{path} has {len(lines)} lines but the hypotheses have {len(hyps)};"
                " the files must be line-aligned"
            )
        refs.append(lines)
    report = scorer.score(hyps, refs)
    with Output(args.out) as out:
        out.write_json(report.to_dict()) if args.format == "json" else out.write(report.to_text())
    return 0
