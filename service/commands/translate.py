"""``audarma translate``: one article, or a batch (folder of .txt / JSONL), into en and uz."""

from __future__ import annotations

import argparse
import json
import sys

from ..engines import ENGINE_NAMES
from ..errors import InputError
from ..jobs.batch import is_batch, iter_batch, run_batch
from ..jobs.store import RecordStore
from ..languages import SOURCES, TARGETS, Language
from ..translate import Translator, parse_targets
from .common import Output, add_io_arguments, read_text, settings_from_args

#: How the command line says which language an article is in (quoted when one is refused).
SOURCE_HINT = "--source kk (or --source ru)"


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Model, engine, device and decoding flags (shared with other model-running commands)."""
    parser.add_argument("--model", help="hub id or local model folder")
    parser.add_argument("--engine", choices=ENGINE_NAMES)
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--beam", type=int, help="beam size (1 = greedy)")
    parser.add_argument(
        "--no-cache", dest="cache", action="store_const", const=False, help="skip the cache"
    )


def translator_from_args(args: argparse.Namespace) -> Translator:
    settings = settings_from_args(
        args, model="model", engine="engine", device="device", beam="beam", cache="cache"
    )
    return Translator(settings=settings)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "translate",
        help="translate Kazakh (or Russian) articles into English and/or Uzbek",
        description=(
            "Translate a Kazakh or Russian article (FILE or stdin; Kazakh in Cyrillic or in the"
            " official Latin alphabet). A folder of .txt files or a .jsonl file"
            ' ({"id": ..., "text": ...} per line) is a batch: one JSON result per line, written'
            " as each article finishes; rerunning with the same --out skips finished articles."
        ),
    )
    add_io_arguments(parser, file_help="article, folder of .txt articles, or .jsonl batch")
    parser.add_argument(
        "--to",
        default="en,uz",
        help=f"target languages, of {','.join(TARGETS)} (default: en,uz)",
    )
    parser.add_argument(
        "--source",
        choices=("auto", *SOURCES),
        default="auto",
        help="the articles' language: detected (auto, the default; other languages are"
        " refused) or said (kk, ru)",
    )
    add_model_arguments(parser)
    parser.add_argument(
        "--restart",
        action="store_true",
        help="batches: forget the results already in --out and start over",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    targets = parse_targets(args.to)
    if is_batch(args.file):
        return _run_batch(args, targets)
    text = read_text(args.file)
    result = translator_from_args(args).translate(
        text, targets, source=args.source, source_hint=SOURCE_HINT
    )
    with Output(args.out) as out:
        out.write_json(result.to_dict()) if args.format == "json" else out.write(result.to_text())
    for warning in result.warnings:
        print(f"audarma: warning: {warning}", file=sys.stderr)
    return 0


def _run_batch(args: argparse.Namespace, targets: list[Language]) -> int:
    from tqdm import tqdm

    items = list(iter_batch(args.file))
    translator = translator_from_args(args)
    done: set[str] = set()
    if args.out:
        store = RecordStore.beside(args.out)
        store.open(
            {"kind": "translate", **translator.identity(targets, args.source)},
            restart=args.restart,
            hint="rerun with --restart to start over, or choose another --out",
        )
        write, done = store.append, store.finished()
    else:

        def write(record: dict) -> None:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()

    todo = sum(1 for item_id, _ in items if item_id not in done)
    with tqdm(total=todo, desc="articles", unit="article", file=sys.stderr) as bar:
        summary = run_batch(
            items, translator, targets, write, done, bar.update, source=args.source,
            source_hint=SOURCE_HINT,
        )  # fmt: skip
    if summary.failed:
        todo = summary.total - summary.skipped
        raise InputError(f"{summary.failed} of {todo} articles failed (see their 'error' records)")
    return 0
