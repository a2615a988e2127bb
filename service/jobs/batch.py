"""Batches of articles (a corpus, :mod:`.corpus`), translated one record each.

``audarma translate FOLDER|FILE.jsonl|FILE.parquet`` writes one record per article in the
batch record shape: ``{"id": ..., **translate JSON}`` or ``{"id": ...,
"error": "..."}``. With an output file the records go through a :class:`RecordStore`, so a
rerun resumes and refuses to mix runs of another identity.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import AudarmaError
from ..languages import Language
from ..results import TranslationResult
from ..text.document import PYTHON_SOURCE_HINT
from ..translate import Translator
from .corpus import BatchItem


def corpus_groups(
    items: Iterable[BatchItem], done: Collection[str], size: int
) -> Iterator[list[BatchItem]]:
    """The groups a corpus is translated in: ``size`` consecutive items not in ``done``, in
    input order (the last group may be shorter).

    One process and a Ray pool translate the same groups, and a group's sentences share the
    engine's batches, so both give the same results record for record (floating-point
    results depend on what a batch holds).
    """
    size = max(1, size)
    group: list[BatchItem] = []
    for item in items:
        if item[0] in done:
            continue
        group.append(item)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group


def translate_records(
    items: Sequence[BatchItem],
    translator: Translator,
    targets: Sequence[Language],
    *,
    source: str = "auto",
    source_hint: str = PYTHON_SOURCE_HINT,
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
    source_hint: str = PYTHON_SOURCE_HINT,
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
    source_hint: str = PYTHON_SOURCE_HINT,
) -> BatchSummary:
    """Translate every item not in ``done``, ``corpus_articles`` at a time in shared batches,
    handing each record to ``write`` as its group finishes (``progress`` hears how many)."""
    items = list(items)
    failed = translated = 0
    for group in corpus_groups(items, done, translator.settings.corpus_articles):
        for record in translate_records(
            group, translator, targets, source=source, source_hint=source_hint
        ):
            failed += "error" in record
            write(record)
        translated += len(group)
        progress(len(group))
    return BatchSummary(total=len(items), skipped=len(items) - translated, failed=failed)
