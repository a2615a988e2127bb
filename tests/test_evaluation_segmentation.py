"""Tests for service.evaluation.segmentation: boundary scores, and the Kazakh segmenter
against razdel on the NTREX dev bodies."""

from __future__ import annotations

import importlib.util

import pytest

from service.evaluation.segmentation import (
    BoundaryScore,
    boundary_f1,
    join_lines,
    line_documents,
    orphan_starts,
    score_segmenter,
    to_guillemets,
)
from service.text import split_sentences
from tests.data import NTREX, ROOT

EVAL_SCRIPT = ROOT / "eval" / "segmentation_f1.py"
#: razdel's boundary F1 on the NTREX Kazakh bodies (with quote normalisation): the bar to meet.
RAZDEL_F1 = 0.977


# --------------------------------------------------------------------------------------------
# Boundary scoring and NTREX
# --------------------------------------------------------------------------------------------


def test_join_lines() -> None:
    assert join_lines([" Бір. ", "", "Екі?\r"]) == ("Бір. Екі?", [(0, 4), (5, 9)])
    assert join_lines([]) == ("", [])


def test_line_documents_drop_headlines() -> None:
    lines = ["H1", "a.", "b.", "H2", "c."]
    ids = ["d1", "d1", "d1", "d2", "d2"]
    assert line_documents(lines, ids) == [("a. b.", [(0, 2), (3, 5)]), ("c.", [(0, 2)])]


def test_boundary_f1_counts_internal_boundaries_only() -> None:
    gold = [[(0, 2), (3, 5), (6, 8)], [(0, 4)]]
    predicted = [[(0, 5), (6, 8)], [(0, 1), (2, 4)]]
    score = boundary_f1(predicted, gold)
    assert score == BoundaryScore(true_positives=1, false_positives=1, false_negatives=1)
    assert (score.precision, score.recall, score.f1) == (0.5, 0.5, 0.5)


def test_boundary_f1_of_nothing_to_find() -> None:
    assert boundary_f1([[(0, 3)]], [[(0, 3)]]).f1 == 1.0


def _load_eval_script():
    """The eval script as a module, so the test scores exactly what it reports."""
    spec = importlib.util.spec_from_file_location("segmentation_f1", EVAL_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def evaluation():
    return _load_eval_script()


@pytest.fixture(scope="module")
def ntrex_documents(evaluation) -> list:
    return evaluation.load_documents()


def test_ntrex_boundary_f1_beats_razdel(ntrex_documents: list) -> None:
    assert len(ntrex_documents) == 62
    assert sum(len(gold) - 1 for _, gold in ntrex_documents) == 864
    score = score_segmenter(ntrex_documents)
    assert score.f1 >= RAZDEL_F1, score


def test_ntrex_boundary_f1_against_razdel_itself(evaluation, ntrex_documents: list) -> None:
    pytest.importorskip("razdel")
    ours = score_segmenter(ntrex_documents)
    theirs = score_segmenter(ntrex_documents, evaluation.razdel_spans)
    assert theirs.f1 == pytest.approx(RAZDEL_F1, abs=0.001)
    assert ours.f1 >= theirs.f1


def test_eval_script_prints_scores(evaluation, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluation.main([]) == 0
    out = capsys.readouterr().out
    assert "62 documents, 864 gold boundaries" in out
    assert out.splitlines()[1].startswith("audarma  P=")


def test_to_guillemets_alternates_and_can_space_the_closing_quote() -> None:
    line = 'Ол: “Иә.” Сосын "жоқ" деді.'
    assert to_guillemets(line) == "Ол: «Иә.» Сосын «жоқ» деді."
    assert to_guillemets(line, space_before_closing=True) == "Ол: «Иә. » Сосын «жоқ » деді."


def test_orphan_starts() -> None:
    sentences = [
        "» Сосын кетті.",
        "», – деп айтты.",
        "– деді ол.",
        "«Иә.»",
        "— Біз келдік.",
        "Жоқ.",
    ]
    assert orphan_starts(sentences) == sentences[:3]


@pytest.mark.parametrize(
    "quotes", ["as is", "«»", "«» spaced"], ids=["curly", "guillemets", "spaced-guillemets"]
)
def test_ntrex_quotes_stay_with_their_sentence(evaluation, quotes: str) -> None:
    """No sentence starts with a closing quote or a speech tail, and recall holds."""
    rewrite = evaluation.QUOTE_STYLES[quotes]
    documents = evaluation.ntrex_documents(NTREX, rewrite)
    assert orphan_starts(s for text, _ in documents for s in split_sentences(text)) == []
    lines = evaluation.read_lines(NTREX / "kaz.txt")
    texts = [rewrite(line) if rewrite else line for line in lines]
    assert orphan_starts(s for line in texts for s in split_sentences(line)) == []
    score = score_segmenter(documents)
    assert score.recall >= 0.975, score  # measured 0.9780 in all three (845 of 864)
    assert (score.true_positives, score.false_positives) == (845, 18)


def test_eval_script_reports_quotes(evaluation, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluation.main(["--quotes"]) == 0
    out = capsys.readouterr().out
    assert out.count("orphaned quote starts: 0 in 988 lines (0.0 per 1,000)") == 3
