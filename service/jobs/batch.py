"""Batches of articles: a folder of ``.txt`` files or a JSONL file, translated one record each.

``audarma translate FOLDER|FILE.jsonl`` reads its items here and writes one record per
article in the batch record shape: ``{"id": ..., **translate JSON}`` or ``{"id": ...,
"error": "..."}``. With an output file the records go through a :class:`RecordStore`, so a
rerun resumes and refuses to mix runs of another identity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import AudarmaError, InputError
from ..languages import Language
from ..text.files import decode_bytes, loads_json, read_file, split_lines
from ..translate import Translator

#: One article of a batch: its id and its text, or the error that makes it unreadable.
BatchItem = tuple[str, "str | AudarmaError"]


def is_batch(path: str | None) -> bool:
    """Whether ``path`` names a batch (a folder, or a ``.jsonl`` file) rather than one article."""
    return bool(path) and (Path(path).is_dir() or str(path).endswith(".jsonl"))


def iter_batch(path: str | Path) -> Iterator[BatchItem]:
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
    # Only \n ends a line: JSON strings may hold U+2028 and other breaks str.splitlines sees.
    for number, line in enumerate(split_lines(read_file(path)), start=1):
        if not line.strip():
            continue
        try:
            item = loads_json(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError
        except ValueError:
            yield (
                f"line-{number}",
                InputError(f'{path}:{number}: expected a JSON object with a "text" string'),
            )
            continue
        yield str(item.get("id", f"line-{number}")), item["text"]


def translate_record(
    item_id: str, text: str | AudarmaError, translator: Translator, targets: Sequence[Language]
) -> dict[str, Any]:
    """One article's batch record: the translate JSON with its id, or its error."""
    try:
        if isinstance(text, AudarmaError):
            raise text
        return {"id": item_id, **translator.translate(text, targets).to_dict()}
    except AudarmaError as exc:
        return {"id": item_id, "error": str(exc)}


@dataclass
class BatchSummary:
    """What a batch run did."""

    total: int
    skipped: int
    failed: int


def run_batch(
    items: Iterable[BatchItem],
    translator: Translator,
    targets: Sequence[Language],
    write: Callable[[dict[str, Any]], None],
    done: set[str] = frozenset(),  # type: ignore[assignment]
    progress: Callable[[Iterable[BatchItem]], Iterable[BatchItem]] = lambda items: items,
) -> BatchSummary:
    """Translate every item not in ``done``, handing each record to ``write`` as it finishes."""
    items = list(items)
    todo = [(i, t) for i, t in items if i not in done]
    failed = 0
    for item_id, text in progress(todo):
        record = translate_record(item_id, text, translator, targets)
        failed += "error" in record
        write(record)
    return BatchSummary(total=len(items), skipped=len(items) - len(todo), failed=failed)
