"""Tests for service.text.article: the date line, headline and paragraphs."""

from __future__ import annotations

import pytest

from service.errors import InputError
from service.text import (
    Article,
    paragraph_sentences,
    parse_article,
)
from tests.data import seed_text

# --------------------------------------------------------------------------------------------
# parse_article
# --------------------------------------------------------------------------------------------


def test_parse_seed_article() -> None:
    article = parse_article(seed_text())
    assert article.date == "2025-10-17"
    assert article.has_headline
    assert article.paragraphs[0] == (
        "Қазақстан мен Өзбекстан денсаулық сақтау саласындағы ынтымақтастықты тереңдете түседі"
    )
    assert len(article.paragraphs) == 9
    assert article.paragraphs[1].startswith("ТАШКЕНТ. KAZINFORM — Бүгін")
    assert article.paragraphs[-1].endswith("меморандумға қол қойылды.")


def test_parse_date_line_with_leading_space_and_bom() -> None:
    text = "\ufeff  date 2025-10-17   Тақырып  \nБірінші абзац.\n"
    assert parse_article(text) == Article("2025-10-17", ["Тақырып", "Бірінші абзац."], True)


def test_parse_without_date_line() -> None:
    text = "Бірінші абзац.\nЕкінші абзац."
    assert parse_article(text) == Article(None, ["Бірінші абзац.", "Екінші абзац."], False)


def test_parse_crlf_and_blank_lines_between_paragraphs() -> None:
    text = "date 2025-01-02 Тақырып\r\n\r\n  Бір.  \r\n\r\n\r\nЕкі.\r\n   \r\nҮш.\r\n"
    article = parse_article(text)
    assert article == Article("2025-01-02", ["Тақырып", "Бір.", "Екі.", "Үш."], True)


def test_parse_date_line_without_headline() -> None:
    assert parse_article("date 2025-10-17\nМәтін.") == Article("2025-10-17", ["Мәтін."], False)


def test_parse_line_that_only_looks_like_a_date_line_is_a_paragraph() -> None:
    text = "dates 2025-10-17 are here\nМәтін."
    assert parse_article(text).paragraphs == ["dates 2025-10-17 are here", "Мәтін."]
    assert parse_article(text).date is None


@pytest.mark.parametrize("text", ["", "   ", "\n\n", " \r\n\t\r\n", "\ufeff"])
def test_parse_empty_article(text: str) -> None:
    with pytest.raises(InputError, match="^the article is empty$"):
        parse_article(text)


def test_parse_date_line_alone_is_an_error() -> None:
    with pytest.raises(InputError, match="date line but no text"):
        parse_article("date 2025-10-17\n\n")


def test_parse_impossible_date_is_an_error() -> None:
    with pytest.raises(InputError, match="impossible date: 2025-13-40"):
        parse_article("date 2025-13-40 Тақырып\nМәтін.")


def test_paragraph_sentences() -> None:
    article = parse_article("date 2025-10-17 Тақырып\nБір. Екі!\nҮш?")
    assert paragraph_sentences(article) == [["Тақырып"], ["Бір.", "Екі!"], ["Үш?"]]


# --------------------------------------------------------------------------------------------
# scalar_text / check_text: text that is not Unicode scalar values (issue #12, item 1)
# --------------------------------------------------------------------------------------------


def test_scalar_text_replaces_lone_surrogates_and_joins_pairs() -> None:
    from service.text import REPLACEMENT, scalar_text, unreadable_warning

    # A lone high, a lone low, and a pair (as a UTF-16 tool might leave it in a str).
    text = "\ud800 Бүгін \udfff форум \ud83d\ude00."
    assert scalar_text(text) == f"{REPLACEMENT} Бүгін {REPLACEMENT} форум \U0001f600."
    assert scalar_text("Бүгін форум өтті.") == "Бүгін форум өтті."
    assert unreadable_warning(scalar_text(text)) == (
        "2 character(s) of the text are not valid Unicode (e.g. unpaired surrogates) or could"
        " not be decoded; they were replaced with U+FFFD"
    )
    assert unreadable_warning("Бүгін.") is None


def test_check_text_returns_scalar_text() -> None:
    from service.text import check_text

    assert check_text("\ud800 Бүгін.", 100) == "\ufffd Бүгін."
