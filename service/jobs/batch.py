"""Batches of articles: a folder of ``.txt`` files or a JSONL file, translated one record each.

``audarma translate FOLDER|FILE.jsonl`` reads its items here and writes one record per
article in the batch record shape: ``{"id": ..., **translate JSON}`` or ``{"id": ...,
"error": "..."}``. With an output file the records go through a :class:`RecordStore`, so a
rerun resumes and refuses to mix runs of another identity.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import AudarmaError, InputError
from ..languages import Language
from ..results import TranslationResult
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


def translate_records(
    items: Sequence[BatchItem],
    translator: Translator,
    targets: Sequence[Language],
    *,
    source: str = "auto",
    source_hint: str = "source='kk'",
) -> list[dict[str, Any]]:
    """Batch records of ``items`` translated together (corpus mode: their sentences share
    batches), in order: ``{"id", **translate JSON}`` or ``{"id", "error"}`` each."""
    readable = [(i, text) for i, (_, text) in enumerate(items) if isinstance(text, str)]
    results = translator.translate_many(
        [text for _, text in readable], targets, source=source, source_hint=source_hint
    )
    by_index: dict[int, TranslationResult | AudarmaError] = {
        i: result for (i, _), result in zip(readable, results, strict=True)
    }
    records = []
    for i, (item_id, text) in enumerate(items):
        outcome = by_index.get(i, text)
        if isinstance(outcome, AudarmaError):
            records.append({"id": item_id, "error": str(outcome)})
        else:
            records.append({"id": item_id, **outcome.to_dict()})
    return records


def translate_record(
    item_id: str,
    text: str | AudarmaError,
    translator: Translator,
    targets: Sequence[Language],
    *,
    source: str = "auto",
    source_hint: str = "source='kk'",
) -> dict[str, Any]:
    """One article's batch record: the translate JSON with its id, or its error."""
    return translate_records(
        [(item_id, text)], translator, targets, source=source, source_hint=source_hint
    )[0]


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
    done: Collection[str] = frozenset(),
    progress: Callable[[int], None] = lambda articles: None,
    *,
    source: str = "auto",
    source_hint: str = "source='kk'",
) -> BatchSummary:
    """Translate every item not in ``done``, ``corpus_articles`` at a time in shared batches,
    handing each record to ``write`` as its group finishes (``progress`` hears how many)."""
    items = list(items)
    todo = [(i, t) for i, t in items if i not in done]
    size = max(1, translator.settings.corpus_articles)
    failed = 0
    for start in range(0, len(todo), size):
        group = todo[start : start + size]
        for record in translate_records(
            group, translator, targets, source=source, source_hint=source_hint
        ):
            failed += "error" in record
            write(record)
        progress(len(group))
    return BatchSummary(total=len(items), skipped=len(items) - len(todo), failed=failed)
