"""``audarma transliterate``: Kazakh or Uzbek text from one script into the other."""

from __future__ import annotations

import argparse
import sys

from ..text import check_text
from ..text.transliterate import SOURCE_TAGS, TARGET_TAGS, source_tag, transliterate
from .common import Output, add_io_arguments, read_text, settings_from_args


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "transliterate",
        help="convert Kazakh or Uzbek between Cyrillic and Latin",
        description=(
            "Convert Kazakh (official Latin alphabet of 2021; 2018 and 2017 read too) or Uzbek"
            " (1995 Latin alphabet) text (FILE or stdin) between Cyrillic and Latin, line for"
            " line: only letters change. Prints nothing but the converted text."
        ),
    )
    add_io_arguments(parser, file_help="text")
    # Checked by transliterate() rather than argparse: case-insensitive, one-line errors.
    parser.add_argument("--to", required=True, help=f"target script: {' | '.join(TARGET_TAGS)}")
    parser.add_argument(
        "--from",
        dest="source",
        help=f"source script: {' | '.join(SOURCE_TAGS)} (default: the other script; a Kazakh"
        " Latin alphabet is recognised)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    text = check_text(read_text(args.file), settings_from_args(args).max_chars)
    converted = transliterate(text, args.to, args.source)
    with Output(args.out) as out:
        if args.format == "json":
            source = source_tag(text, args.to, args.source)
            out.write_json({"to": args.to, "from": source, "text": converted})
        elif args.out:
            out.write(converted)
        else:
            sys.stdout.write(converted)  # exactly the text: no line break added or taken
    return 0
