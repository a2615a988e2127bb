"""Boundary precision/recall/F1 of the Kazakh sentence segmenter on the NTREX-128 dev bodies.

Each NTREX document is one sentence per line; its lines (without the headline) are joined with
single spaces and the joins are the gold boundaries (see ``service.evaluation.segmentation``).
razdel, a Russian segmenter, is scored for comparison when it is installed; its input has the
curly quotes mapped to ``"`` (same length, so offsets are unchanged) because it only knows
``"`` and «».

``--quotes`` also scores the same text with «» guillemets (and with a space before each closing
one, ``… ашты. » Сосын``), and counts per 1,000 lines the sentences that start with what
belongs to the sentence before: a closing guillemet, or a speech tail such as ``», – деп``.

    python eval/segmentation_f1.py [--errors] [--quotes] [--data eval/data/ntrex128-dev]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.evaluation.segmentation import (  # noqa: E402
    BoundaryScore,
    Span,
    boundary_errors,
    ntrex_documents,
    orphan_starts,
    score_segmenter,
    to_guillemets,
)
from service.text.files import read_lines  # noqa: E402
from service.text.segment import split_sentences  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "ntrex128-dev"
#: Curly and low quotes -> ``"`` for razdel (a one-to-one map keeps offsets).
RAZDEL_QUOTES = str.maketrans(dict.fromkeys("“”„«»", '"'))
#: How the quotes of the text are written, for ``--quotes``.
QUOTE_STYLES = {
    "as is": None,
    "«»": to_guillemets,
    "«» spaced": lambda line: to_guillemets(line, space_before_closing=True),
}


def load_documents(data: Path = DATA) -> list[tuple[str, list[Span]]]:
    """The NTREX Kazakh document bodies with their gold sentence spans."""
    return ntrex_documents(data)


def razdel_spans(text: str) -> list[Span]:
    """razdel's sentence spans, with quotes normalised first."""
    import razdel

    return [(s.start, s.stop) for s in razdel.sentenize(text.translate(RAZDEL_QUOTES))]


def describe(name: str, score: BoundaryScore) -> str:
    return (
        f"{name:8} P={score.precision:.4f} R={score.recall:.4f} F1={score.f1:.4f} "
        f"(tp={score.true_positives} fp={score.false_positives} fn={score.false_negatives})"
    )


def quote_report(data: Path) -> None:
    """F1 and orphaned quote starts per 1,000 lines, for each way of writing the quotes."""
    lines = read_lines(data / "kaz.txt")
    for style, rewrite in QUOTE_STYLES.items():
        documents = ntrex_documents(data, rewrite)
        texts = [rewrite(line) if rewrite else line for line in lines]
        in_lines = orphan_starts(s for line in texts for s in split_sentences(line))
        in_documents = orphan_starts(s for text, _ in documents for s in split_sentences(text))
        body_lines = sum(len(gold) for _, gold in documents)
        print(
            f"{describe(style, score_segmenter(documents))}; orphaned quote starts:"
            f" {len(in_lines)} in {len(lines)} lines ({1000 * len(in_lines) / len(lines):.1f}"
            f" per 1,000), {len(in_documents)} in {len(documents)} documents"
            f" ({1000 * len(in_documents) / body_lines:.1f} per 1,000 lines)"
        )
        for sentence in (in_lines + in_documents)[:3]:
            print(f"    {sentence[:80]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="NTREX-128 dev folder")
    parser.add_argument("--errors", action="store_true", help="print our wrong boundaries")
    parser.add_argument("--quotes", action="store_true", help="score «» and spaced quotes too")
    args = parser.parse_args(argv)
    documents = load_documents(args.data)
    print(f"{len(documents)} documents, {sum(len(g) - 1 for _, g in documents)} gold boundaries")
    print(describe("audarma", score_segmenter(documents)))
    try:
        print(describe("razdel", score_segmenter(documents, razdel_spans)))
    except ImportError:
        print("razdel   not installed")
    if args.quotes:
        quote_report(args.data)
    if args.errors:
        for line in boundary_errors(documents):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
