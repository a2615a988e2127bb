"""Tests for service.text.clauses: splitting over-long sentences and rejoining them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.text import (
    join_pieces,
    split_clauses,
)
from tests.data import SEED_SENTENCES


def words(text: str) -> int:
    return len(text.split())


# --------------------------------------------------------------------------------------------
# split_clauses and join_pieces
# --------------------------------------------------------------------------------------------

LONG_SENTENCE = SEED_SENTENCES[3][2]  # the seed article's longest sentence


def _rebuild(sentence: str, pieces: list[str]) -> None:
    """Assert that ``pieces`` are consecutive substrings of ``sentence`` with only whitespace
    between them."""
    rest = sentence.strip()
    for piece in pieces:
        assert piece and piece == piece.strip()
        assert rest.startswith(piece)
        rest = rest[len(piece) :].lstrip()
    assert rest == ""


def test_split_clauses_sentence_that_fits_is_not_split() -> None:
    assert split_clauses(LONG_SENTENCE, 40, words) == [LONG_SENTENCE]
    assert split_clauses(" Бір екі. ", 2, words) == [" Бір екі. "]


def test_split_clauses_prefers_the_clause_boundary() -> None:
    pieces = split_clauses(LONG_SENTENCE, 20, words)
    assert pieces == [
        "Біз қос мемлекет арасындағы ынтымақтастық өңірдегі денсаулық сақтау саласының жаңа жүйесін"
        " құруға серпін беретініне сенімдіміз,",
        "— деді форумда сөз сөйлеген ҚР Денсаулық сақтау министрі Ақмарал Әлназарова.",
    ]
    assert " ".join(pieces) == LONG_SENTENCE


def test_split_clauses_balances_pieces_within_budget() -> None:
    pieces = split_clauses(LONG_SENTENCE, 12, words)
    assert pieces == [
        "Біз қос мемлекет арасындағы ынтымақтастық өңірдегі денсаулық",
        "сақтау саласының жаңа жүйесін құруға серпін беретініне сенімдіміз,",
        "— деді форумда сөз сөйлеген ҚР Денсаулық сақтау министрі Ақмарал Әлназарова.",
    ]
    assert all(words(piece) <= 12 for piece in pieces)
    assert " ".join(pieces) == LONG_SENTENCE


@pytest.mark.parametrize(
    ("sentence", "budget", "pieces"),
    [
        # A semicolon beats a comma even when the comma would be as good a cut.
        ("Бір екі үш; төрт бес алты, жеті сегіз", 5, ["Бір екі үш;", "төрт бес алты, жеті сегіз"]),
        # Colon and dash are one tier: the more balanced cut wins; the dash opens its piece.
        (
            "Бір екі үш: төрт бес алты — жеті сегіз",
            6,
            ["Бір екі үш: төрт бес алты", "— жеті сегіз"],
        ),
        # A dash cut would need a third piece; a comma cut that fits in two wins.
        (
            "Бір екі үш – төрт, бес алты жеті сегіз",
            5,
            ["Бір екі үш – төрт,", "бес алты жеті сегіз"],
        ),
        # No cut fits in two pieces: recurse on the balanced clause cuts.
        (
            "Бір екі үш: төрт бес алты — жеті сегіз",
            5,
            ["Бір екі үш:", "төрт бес алты", "— жеті сегіз"],
        ),
    ],
)
def test_split_clauses_punctuation_tiers(sentence: str, budget: int, pieces: list[str]) -> None:
    assert split_clauses(sentence, budget, words) == pieces
    assert " ".join(pieces) == sentence


def test_split_clauses_collapses_whitespace_at_cuts_only() -> None:
    sentence = "Бір  екі,\t\tүш   төрт"
    assert split_clauses(sentence, 2, words) == ["Бір  екі,", "үш   төрт"]


def test_split_clauses_without_punctuation_falls_back_to_spaces() -> None:
    sentence = "бір екі үш төрт бес алты жеті сегіз тоғыз он"
    pieces = split_clauses(sentence, 3, words)
    assert pieces == ["бір екі үш", "төрт бес", "алты жеті", "сегіз тоғыз он"]
    assert " ".join(pieces) == sentence


def test_split_clauses_without_spaces_cuts_characters() -> None:
    assert split_clauses("абвгдежзик", 3, len) == ["аб", "вгд", "еж", "зик"]


def test_split_clauses_returns_a_single_character_that_cannot_fit() -> None:
    assert split_clauses("аб", 1, lambda text: 5) == ["а", "б"]


def test_split_clauses_rejects_a_non_positive_budget() -> None:
    with pytest.raises(ValueError, match="max_tokens"):
        split_clauses("бір", 0, words)


def test_split_clauses_calls_the_tokenizer_sparingly() -> None:
    calls = 0

    def counting(text: str) -> int:
        nonlocal calls
        calls += 1
        return words(text)

    pieces = split_clauses(" ".join(["сөз"] * 2000), 50, counting)
    assert all(words(piece) <= 50 for piece in pieces)
    assert calls < 2000


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("аб қ,;:—–.- \t\n")), max_size=80),
    st.integers(min_value=1, max_value=6),
    st.sampled_from([words, len]),
)
def test_split_clauses_properties(sentence: str, budget: int, count) -> None:
    pieces = split_clauses(sentence, budget, count)
    if count(sentence) <= budget or not sentence.strip():
        assert pieces == [sentence]
        return
    _rebuild(sentence, pieces)
    assert all(count(piece) <= budget or len(piece) == 1 for piece in pieces)
    if count is words:
        # Cuts are only made at whitespace, so joining with spaces restores the sentence.
        assert " ".join(pieces).split() == sentence.split()


@pytest.mark.parametrize(
    ("pieces", "joined"),
    [
        (["We believe,", "said the minister."], "We believe, said the minister."),
        ([" Biz ", "", "  ", "ishonamiz. "], "Biz ishonamiz."),
        (["one  two", "three\nfour"], "one two three four"),
        ([], ""),
    ],
)
def test_join_pieces(pieces: list[str], joined: str) -> None:
    assert join_pieces(pieces) == joined
