"""Scoring a sentence segmenter: boundary precision, recall and F1 against gold spans.

NTREX documents are one sentence per line, so joining a document's lines gives a text whose
gold sentence boundaries are known; ``eval/segmentation_f1.py`` reports the Kazakh
segmenter's score on the bundled dev set with these functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..text.files import read_lines
from ..text.segment import Span, sentence_spans


@dataclass(frozen=True)
class BoundaryScore:
    """Precision, recall and F1 of predicted sentence boundaries against gold ones."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def internal_boundaries(spans: Sequence[Span]) -> set[int]:
    """Where sentences end inside a text: the end of every span but the last."""
    return {end for _, end in spans[:-1]}


def boundary_f1(
    predicted: Sequence[Sequence[Span]], gold: Sequence[Sequence[Span]]
) -> BoundaryScore:
    """Score predicted sentence spans against gold spans, one span list per document.

    Only internal boundaries count: the end of a text is a boundary for every segmenter.
    """
    tp = fp = fn = 0
    for predicted_spans, gold_spans in zip(predicted, gold, strict=True):
        found, expected = internal_boundaries(predicted_spans), internal_boundaries(gold_spans)
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
    return BoundaryScore(true_positives=tp, false_positives=fp, false_negatives=fn)


def join_lines(lines: Iterable[str]) -> tuple[str, list[Span]]:
    """Strip ``lines``, drop blank ones and join them with single spaces.

    Returns the text and the span of each line in it: with one sentence per line (as in
    NTREX), these are the gold sentence spans of the joined text.
    """
    text, spans = "", []
    for line in (line.strip() for line in lines):
        if line:
            if text:
                text += " "
            spans.append((len(text), len(text) + len(line)))
            text += line
    return text, spans


def line_documents(lines: Sequence[str], doc_ids: Sequence[str]) -> list[tuple[str, list[Span]]]:
    """Group line-aligned sentences into documents, drop each headline, join the bodies.

    ``doc_ids[i]`` names the document of ``lines[i]``; a document's first line is its headline.
    Returns ``(body, gold_spans)`` per document, in order (see :func:`join_lines`).
    """
    documents: dict[str, list[str]] = {}
    for line, doc_id in zip(lines, doc_ids, strict=True):
        documents.setdefault(doc_id, []).append(line)
    return [join_lines(doc_lines[1:]) for doc_lines in documents.values()]


def score_segmenter(
    documents: Sequence[tuple[str, Sequence[Span]]],
    segment: Callable[[str], Sequence[Span]] = sentence_spans,
) -> BoundaryScore:
    """Boundary precision/recall/F1 of ``segment`` on ``(text, gold_spans)`` documents."""
    return boundary_f1([segment(text) for text, _ in documents], [gold for _, gold in documents])


def ntrex_documents(
    folder: str | Path, rewrite: Callable[[str], str] | None = None
) -> list[tuple[str, list[Span]]]:
    """The NTREX Kazakh document bodies of ``folder`` with their gold sentence spans.

    ``rewrite`` changes each line first (e.g. :func:`to_guillemets`); the gold spans follow.
    """
    folder = Path(folder)
    lines = read_lines(folder / "kaz.txt")
    if rewrite is not None:
        lines = [rewrite(line) for line in lines]
    doc_ids = [line.split("\t")[0] for line in read_lines(folder / "doc_ids.tsv")]
    return line_documents(lines, doc_ids)


_CURLY_QUOTES = re.compile('[“”„"]')
#: A sentence that starts where its quotation closes or its speech tail begins: a closing
#: guillemet, a comma, or a dash before деп/деді ("» Сосын", "», – деп ...", "– деді ол.").
_ORPHAN_START = re.compile(
    r"^(?:[»›]|[“”„\"]?\s*[,;:]|[–—-]\s*(?:деп|деді|дейді|деген|делінген|делінді|дегенді)\b)"
)


def to_guillemets(line: str, space_before_closing: bool = False) -> str:
    """NTREX's “…” quotes as Kazakh news prints them: «…», optionally ``… ашты. »`` spaced.

    Quotes alternate open/close along the line (nesting is not recovered), which is how
    Kazakh agencies' copy looks once pasted; the spaced variant is how it looks after
    a careless editor or a tokenizer.
    """
    count = 0

    def swap(_match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        if count % 2:
            return "«"
        return " »" if space_before_closing else "»"

    return _CURLY_QUOTES.sub(swap, line)


def orphan_starts(sentences: Iterable[str]) -> list[str]:
    """Sentences that begin with what belongs to the sentence before (see ``_ORPHAN_START``)."""
    return [sentence for sentence in sentences if _ORPHAN_START.match(sentence)]


def boundary_errors(
    documents: Sequence[tuple[str, Sequence[Span]]],
    segment: Callable[[str], Sequence[Span]] = sentence_spans,
    width: int = 60,
) -> Iterator[str]:
    """Every wrong boundary in context: ``+`` a spurious one, ``-`` a missed one."""
    for text, gold in documents:
        found, expected = internal_boundaries(segment(text)), internal_boundaries(gold)
        for sign, positions in (("+", found - expected), ("-", expected - found)):
            for pos in sorted(positions):
                yield f"{sign} …{text[max(0, pos - width) : pos]} ‖ {text[pos : pos + width]}…"
