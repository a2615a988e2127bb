"""``audarma translate``: one article, or a batch (folder of .txt / JSONL), into en and uz."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from ..errors import AudarmaError, InputError
from ..languages import parse_languages
from ..results import TranslationResult
from ..translate import Translator
from .common import Output, add_io_arguments, decode_bytes, read_text, settings_from_args


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Model, engine, device and decoding flags (shared with other model-running commands)."""
    parser.add_argument("--model", help="hub id or local model folder")
    parser.add_argument("--engine", choices=("transformers", "ctranslate2"))
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
        help="translate Kazakh articles into English and/or Uzbek",
        description=(
            "Translate a Kazakh article (FILE or stdin). A folder of .txt files or a .jsonl file"
            ' ({"id": ..., "text": ...} per line) is a batch: one JSON result per line, written'
            " as each article finishes; rerunning with the same --out skips finished articles."
        ),
    )
    add_io_arguments(parser, file_help="article, folder of .txt articles, or .jsonl batch")
    parser.add_argument("--to", default="en,uz", help="target languages (default: en,uz)")
    add_model_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    targets = parse_languages(args.to)
    if args.file and (Path(args.file).is_dir() or args.file.endswith(".jsonl")):
        return _run_batch(args, targets)
    text = read_text(args.file)
    result = translator_from_args(args).translate(text, targets)
    with Output(args.out) as out:
        out.write_json(result.to_dict()) if args.format == "json" else out.write(result.to_text())
    for warning in result.warnings:
        print(f"audarma: warning: {warning}", file=sys.stderr)
    return 0


def iter_batch(path: str) -> Iterator[tuple[str, str | AudarmaError]]:
    """(id, text) for each article of a folder or JSONL file; a bad item yields its error."""
    source = Path(path)
    if source.is_dir():
        files = sorted(source.glob("*.txt"))
        if not files:
            raise InputError(f"{path} has no .txt files")
        for file in files:
            try:
                yield file.stem, decode_bytes(file.read_bytes(), str(file))
            except AudarmaError as exc:
                yield file.stem, exc
        return
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError
        except ValueError:
            yield (
                f"line-{number}",
                InputError(f'{path}:{number}: expected a JSON object with a "text" string'),
            )
            continue
        yield str(item.get("id", f"line-{number}")), item["text"]


def _finished_ids(path: str | None) -> set[str]:
    if not path or not Path(path).exists():
        return set()
    done = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line cut short by a crash: redone
        if isinstance(record, dict) and "error" not in record and "id" in record:
            done.add(str(record["id"]))
    return done


def _run_batch(args: argparse.Namespace, targets: list) -> int:
    from tqdm import tqdm

    items = list(iter_batch(args.file))
    done = _finished_ids(args.out)
    todo = [(i, t) for i, t in items if i not in done]
    translator = translator_from_args(args)
    failures = 0
    stream = open(args.out, "a", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    try:
        for item_id, text in tqdm(todo, desc="articles", unit="article", file=sys.stderr):
            try:
                if isinstance(text, AudarmaError):
                    raise text
                result: TranslationResult = translator.translate(text, targets)
                record = {"id": item_id, **result.to_dict()}
            except AudarmaError as exc:
                failures += 1
                record = {"id": item_id, "error": str(exc)}
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            stream.flush()
    finally:
        if args.out:
            stream.close()
    if failures:
        raise InputError(f"{failures} of {len(todo)} articles failed (see their 'error' records)")
    return 0
