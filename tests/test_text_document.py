"""service.text.document: an article's language, script and sentences, before any model."""

from __future__ import annotations

import pytest

from service.errors import LanguageError
from service.text import paragraph_sentences, parse_article
from service.text.document import prepare_document
from service.text.files import read_lines
from service.text.kazakh_latin import kazakh_cyrillic_to_latin
from tests.data import NTREX, seed_text


def ntrex_document(stem: str, number: int = 0) -> str:
    """Document ``number`` of an NTREX file (its lines, headline first) as an article."""
    lines = read_lines(NTREX / f"{stem}.txt")
    ids = [line.split("\t")[0] for line in read_lines(NTREX / "doc_ids.tsv")]
    wanted = list(dict.fromkeys(ids))[number]
    return "\n".join(line for line, doc in zip(lines, ids, strict=True) if doc == wanted)


def test_a_kazakh_article_is_kazakh_in_cyrillic_as_written():
    doc = prepare_document(seed_text())
    assert (doc.language.code, doc.script, doc.notes) == ("kk", "Cyrl", [])
    expected = paragraph_sentences(parse_article(seed_text()))
    assert [[s.shown for s in p] for p in doc.paragraphs] == expected
    assert all(s.text == s.shown and s.language.code == "kk" for s in doc.sentences)


def test_a_russian_article_is_russian_split_by_a_russian_splitter():
    text = ntrex_document("rus", 2)
    doc = prepare_document(text)
    assert (doc.language.code, doc.script) == ("ru", "Cyrl")
    assert [[s.shown for s in p] for p in doc.paragraphs] == paragraph_sentences(
        parse_article(text), "ru"
    )
    assert {s.language.code for s in doc.sentences} == {"ru"}


@pytest.mark.parametrize(
    ("stem", "name"), [("kir", "Kyrgyz"), ("tat", "Tatar"), ("eng-US", "English")]
)
def test_other_languages_are_refused_by_name_with_the_way_to_force(stem: str, name: str):
    with pytest.raises(LanguageError) as err:
        prepare_document(ntrex_document(stem, 1), force_hint="--source kk")
    message = str(err.value)
    assert message.startswith(f"the text looks like {name} (")
    assert "Audarma translates Kazakh (kk) and Russian (ru)" in message
    assert message.endswith("say so with --source kk") and "\n" not in message


def test_a_forced_source_is_obeyed():
    doc = prepare_document(ntrex_document("kir", 1), source="kk")
    assert doc.language.code == "kk" and doc.notes == []


def test_a_text_too_short_to_tell_is_taken_as_kazakh_with_a_note():
    doc = prepare_document("Сәлем!", force_hint="--source kk")
    assert doc.language.code == "kk"
    assert doc.notes == [
        "the language of the text could not be identified (too short or unclear); it was"
        " translated as Kazakh (kk); say so with --source kk to be sure"
    ]


def test_a_russian_quotation_inside_a_kazakh_article_is_russian():
    kazakh = read_lines(NTREX / "kaz.txt")[3:7]
    russian = read_lines(NTREX / "rus.txt")[10]
    doc = prepare_document("\n".join([*kazakh[:2], russian, *kazakh[2:]]))
    assert doc.language.code == "kk"
    languages = [(s.shown, s.language.code) for s in doc.sentences]
    assert [code for shown, code in languages if shown in russian] == ["ru"] * sum(
        1 for shown, _ in languages if shown in russian
    )
    assert {code for shown, code in languages if shown not in russian} == {"kk"}


def test_latin_kazakh_is_read_in_cyrillic_and_shown_as_written():
    cyrillic = seed_text()
    latin = kazakh_cyrillic_to_latin(cyrillic)
    doc = prepare_document(latin)
    original = prepare_document(cyrillic)
    assert (doc.language.code, doc.script) == ("kk", "Latn")
    assert doc.article.date == original.article.date == "2025-10-17"
    assert [s.text for s in doc.sentences] == [s.text for s in original.sentences]
    shown = [s.shown for s in doc.sentences]
    assert all(sentence in latin for sentence in shown)  # as the user wrote it
    assert shown == [kazakh_cyrillic_to_latin(s.shown) for s in original.sentences]
