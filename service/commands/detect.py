"""``audarma detect``: the language and script of an article, or of each record of a batch."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import AudarmaError
from ..jobs.corpus import is_batch, iter_batch
from ..languages import language_name
from ..text import check_text, detect_document
from .common import Output, add_io_arguments, read_text, settings_from_args


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "detect",
        help="identify the language and script of an article",
        description=(
            "Identify the language (kk, ru, or what else it is: ky, tt, uz, ...) and script"
            " (Cyrl, Latn) of an article (FILE or stdin), offline. A .jsonl file"
            ' ({"id": ..., "text": ...} per line) or a folder of .txt files gives one line'
            " per record with its id."
        ),
    )
    add_io_arguments(parser, file_help="article, folder of .txt articles, or .jsonl batch")
    parser.set_defaults(func=run)


def detect_text(text: str, max_chars: int) -> dict[str, Any]:
    """``{"language", "script", "confidence"}`` of one article (size-checked first)."""
    return detect_document(check_text(text, max_chars)).to_dict()


def describe(found: dict[str, Any]) -> str:
    """The text format: ``kk (Kazakh), script Cyrl, confidence 0.9731``."""
    language = found["language"]
    name = f" ({language_name(language)})" if language_name(language) != language else ""
    return f"{language}{name}, script {found['script']}, confidence {found['confidence']}"


def run(args: argparse.Namespace) -> int:
    max_chars = settings_from_args(args).max_chars
    if not is_batch(args.file):
        found = detect_text(read_text(args.file), max_chars)
        with Output(args.out) as out:
            out.write_json(found, indent=None) if args.format == "json" else out.write(
                describe(found)
            )
        return 0
    failed = 0
    with Output(args.out) as out:
        for item_id, text in iter_batch(args.file):
            try:
                if isinstance(text, AudarmaError):
                    raise text
                record: dict[str, Any] = {"id": item_id, **detect_text(text, max_chars)}
            except AudarmaError as exc:
                failed += 1
                record = {"id": item_id, "error": str(exc)}
            if args.format == "json":
                out.write(json.dumps(record, ensure_ascii=False))
            elif "error" in record:
                out.write(f"{item_id}: error: {record['error']}")
            else:
                out.write(f"{item_id}: {describe(record)}")
    if failed:
        print(f"audarma: warning: {failed} record(s) could not be read", file=sys.stderr)
    return 0
