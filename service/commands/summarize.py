"""``audarma summarize``: short summaries of one Kazakh article in Kazakh, English and Uzbek."""

from __future__ import annotations

import argparse
import sys

from ..languages import parse_languages
from ..summarize import Summarizer
from ..summarizers import STRATEGY_NAMES
from .common import Output, add_io_arguments, read_text
from .translate import add_model_arguments, translator_from_args


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "summarize",
        help="summarise a Kazakh article in Kazakh, English and/or Uzbek",
        description=(
            "Summarise a Kazakh article (FILE or stdin). Strategies: extractive (the article's"
            " key sentences and their translations; the default), seq2seq (an abstractive"
            " summarizer on the translations), llm (a chat model with the prompt templates)."
            " Each summary carries faithfulness flags."
        ),
    )
    add_io_arguments(parser, file_help="Kazakh article")
    parser.add_argument("--lang", default="kk,en,uz", help="summary languages (default: kk,en,uz)")
    # Checked by Summarizer rather than argparse, for a one-line error like every other.
    parser.add_argument("--strategy", help=f"{' | '.join(STRATEGY_NAMES)} (default: extractive)")
    parser.add_argument("--sentences", type=int, help="most sentences per summary (default: 3)")
    parser.add_argument(
        "--words", type=int, help="most words per summary, in every language (default: no limit)"
    )
    parser.add_argument(
        "--summary-model",
        help="hub id or folder of the seq2seq summarizer or chat model (the chosen strategy's)",
    )
    parser.add_argument("--prompts", help="folder of prompt templates overriding the packaged ones")
    add_model_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    languages = parse_languages(args.lang)
    text = read_text(args.file)
    summarizer = Summarizer(
        translator=translator_from_args(args),
        strategy=args.strategy,
        sentences=args.sentences,
        words=args.words,
        summary_model=args.summary_model,
        prompts_dir=args.prompts,
    )
    result = summarizer.summarize(text, languages)
    with Output(args.out) as out:
        out.write_json(result.to_dict()) if args.format == "json" else out.write(result.to_text())
    for code, summary in result.summaries.items():
        for flag in summary.flags:
            items = summary.details.get(flag)
            detail = f": {', '.join(items)}" if items else ""
            print(f"audarma: flag: {code} summary: {flag}{detail}", file=sys.stderr)
    for warning in result.warnings:
        print(f"audarma: warning: {warning}", file=sys.stderr)
    return 0
