"""Tests for service.text.segment: Kazakh sentence segmentation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.text import (
    paragraph_sentences,
    parse_article,
    sentence_spans,
    split_sentences,
)
from tests.data import SEED_SENTENCES, seed_text

# --------------------------------------------------------------------------------------------
# Sentence segmentation: the seed article
# --------------------------------------------------------------------------------------------


def test_seed_article_segmentation() -> None:
    article = parse_article(seed_text())
    assert paragraph_sentences(article) == SEED_SENTENCES


# --------------------------------------------------------------------------------------------
# Sentence segmentation: one rule at a time
# --------------------------------------------------------------------------------------------

SEGMENTATION_CASES = {
    "dateline": (
        "ТАШКЕНТ. KAZINFORM — Бүгін форум өтті. Оған министрлер қатысты.",
        ["ТАШКЕНТ. KAZINFORM — Бүгін форум өтті.", "Оған министрлер қатысты."],
    ),
    "dateline with a date and a hyphenated place": (
        "НҰР-СҰЛТАН. 17 қазан. ҚазАқпарат – Бүгін форум өтті. Ол аяқталды.",
        ["НҰР-СҰЛТАН. 17 қазан. ҚазАқпарат – Бүгін форум өтті.", "Ол аяқталды."],
    ),
    "dateline only at the start": (
        "Біз келдік. ҚР — біздің отанымыз.",
        ["Біз келдік.", "ҚР — біздің отанымыз."],
    ),
    "initials without a space": (
        "ҚР Президенті Қ.Тоқаев сөз сөйледі. Ол риза.",
        ["ҚР Президенті Қ.Тоқаев сөз сөйледі.", "Ол риза."],
    ),
    "initials with a space": (
        "Министр А. Әлназарова келді. Н.Ә. Назарбаев та келді.",
        ["Министр А. Әлназарова келді.", "Н.Ә. Назарбаев та келді."],
    ),
    "hyphenated initials": (
        "Президент Қ.-Ж. Тоқаев келді. Ол сөйледі.",
        ["Президент Қ.-Ж. Тоқаев келді.", "Ол сөйледі."],
    ),
    "list numbers open their item": (
        "Жоспар: 1. Жол салу. 2. Көпір салу. II. Қорытынды.",
        ["Жоспар: 1. Жол салу.", "2. Көпір салу.", "II. Қорытынды."],
    ),
    "year abbreviations": (
        "1991 ж. Қазақстан тәуелсіздік алды. 1990-1991 жж. Кеңес Одағы ыдырады.",
        ["1991 ж. Қазақстан тәуелсіздік алды.", "1990-1991 жж. Кеңес Одағы ыдырады."],
    ),
    "year abbreviation before a lower-case word": (
        "Ол 2020 ж. желтоқсанда келді.",
        ["Ол 2020 ж. желтоқсанда келді."],
    ),
    "etc. inside and at the end of a sentence": (
        "Алма, алмұрт т.б. жемістер пісті. Ит, мысық т.с.с. Бұлар үй жануарлары. Т.с. келді.",
        [
            "Алма, алмұрт т.б. жемістер пісті.",
            "Ит, мысық т.с.с.",
            "Бұлар үй жануарлары.",
            "Т.с. келді.",
        ],
    ),
    "million and billion": (
        "Бюджет 5 млн. теңге. Шығын 3 млрд. Бұл көп. Құны 5 млн. АҚШ доллары. Ол 2 мың. адам.",
        [
            "Бюджет 5 млн. теңге.",
            "Шығын 3 млрд.",
            "Бұл көп.",
            "Құны 5 млн. АҚШ доллары.",
            "Ол 2 мың. адам.",
        ],
    ),
    "units and BC": (
        "Б.з.б. 5 ғасырда салынған. Бойы 180 см. Ұзындығы 100 км. Салмағы 3 т. Ол ауыр.",
        [
            "Б.з.б. 5 ғасырда салынған.",
            "Бойы 180 см.",
            "Ұзындығы 100 км.",
            "Салмағы 3 т.",
            "Ол ауыр.",
        ],
    ),
    "titles": (
        "Проф. Иванов, акад. Петров және доц. Сидоров келді. Ол Ph.D. дәрежесін алды.",
        ["Проф. Иванов, акад. Петров және доц. Сидоров келді.", "Ол Ph.D. дәрежесін алды."],
    ),
    "Latin abbreviations": (
        "U.S. Army келді. Ол Ph.D. Бұл жақсы.",
        ["U.S. Army келді.", "Ол Ph.D.", "Бұл жақсы."],
    ),
    "guillemets with a question inside": (
        "«Неге?» деп сұрады ол. «Бәрі жақсы!» Ол кетті.",
        ["«Неге?» деп сұрады ол.", "«Бәрі жақсы!»", "Ол кетті."],
    ),
    "curly quotes closing after the stop": (
        "“Бүгін оның екеуі де жоқ.” Оның айтуынша, жақсы.",
        ["“Бүгін оның екеуі де жоқ.”", "Оның айтуынша, жақсы."],
    ),
    "the same curly quote opens and closes": (
        "“Бүгін оның екеуі де жоқ.“ Оның айтуынша, “ашық“ болды.",
        ["“Бүгін оның екеуі де жоқ.“", "Оның айтуынша, “ашық“ болды."],
    ),
    "low and single quotes": (
        "Ол „жақсы“ деді. „Біз келдік.“ ‘Иә.’ Енді.",
        ["Ол „жақсы“ деді.", "„Біз келдік.“", "‘Иә.’", "Енді."],
    ),
    "dash speech: a comma before the attribution is no boundary": (
        "— Біз дайынбыз. Бәрі жақсы, — деді министр. Ол кетті.",
        ["— Біз дайынбыз.", "Бәрі жақсы, — деді министр.", "Ол кетті."],
    ),
    "dash speech: a stop before the attribution is no boundary either": (
        "Біз дайынбыз! — деді министр. — Жарайды, — деді ол.",
        ["Біз дайынбыз! — деді министр.", "— Жарайды, — деді ол."],
    ),
    "quoted speech with an en dash attribution": (
        "“Қайда барасың?” – деп сұрады ол. “Үйге.” Ол кетті.",
        ["“Қайда барасың?” – деп сұрады ол.", "“Үйге.”", "Ол кетті."],
    ),
    "a sentence starting with a digit": (
        "Іс-шара аяқталды. 5 күнге жалғасқан жиын өтті.",
        ["Іс-шара аяқталды.", "5 күнге жалғасқан жиын өтті."],
    ),
    "decimals and thousands": (
        "Баға 3.5 пайызға өсті. Халық саны 1.000 адамға жетті. Үлесі 2,5 пайыз.",
        ["Баға 3.5 пайызға өсті.", "Халық саны 1.000 адамға жетті.", "Үлесі 2,5 пайыз."],
    ),
    "a sentence ending with a number": (
        "Жеңімпаздар саны – 500. Бұл рекорд.",
        ["Жеңімпаздар саны – 500.", "Бұл рекорд."],
    ),
    "ellipsis": (
        "Ол келді... Біз күттік… Бірақ ол кетті... және қайтты. Сосын ... Біз.",
        ["Ол келді...", "Біз күттік…", "Бірақ ол кетті... және қайтты.", "Сосын ... Біз."],
    ),
    "urls and e-mails": (
        "Толығырақ: https://kazinform.kz/news/a.html?id=5. Хат: info@kazinform.kz. Рахмет!",
        ["Толығырақ: https://kazinform.kz/news/a.html?id=5.", "Хат: info@kazinform.kz.", "Рахмет!"],
    ),
    "question and exclamation marks": (
        "Сіз келесіз бе? Иә! Әрине?! Жақсы.",
        ["Сіз келесіз бе?", "Иә!", "Әрине?!", "Жақсы."],
    ),
    "a stop followed by a lower-case word is no boundary": (
        "Ол т.б. сияқты. келді де кетті.",
        ["Ол т.б. сияқты. келді де кетті."],
    ),
    "brackets after the stop": (
        "Ол келді (кеше.) Біз де (бүгін).",
        ["Ол келді (кеше.)", "Біз де (бүгін)."],
    ),
    "a line break ends a sentence": (
        "Тақырып\nБір. Екі.\r\nҮш",
        ["Тақырып", "Бір.", "Екі.", "Үш"],
    ),
    "no stop without a space after it": (
        "Ол келді.Біз кеттік. «Иә.»Жоқ.",
        ["Ол келді.Біз кеттік.", "«Иә.»Жоқ."],
    ),
    "a spaced closing guillemet belongs to the sentence before": (
        "Ол: «Қарным ашты. » Сосын үйге кетті.",
        ["Ол: «Қарным ашты. »", "Сосын үйге кетті."],
    ),
    "a speech tail after a spaced quote continues the sentence": (
        "«Олар біз туралы ойлай ма? », – деп білгісі келді. Жақсы.",
        ["«Олар біз туралы ойлай ма? », – деп білгісі келді.", "Жақсы."],
    ),
    "a speech tail after a closed quote continues the sentence": (
        "«Біз келдік.» – деді ол. «Бәрі жақсы!», – деп қосты.",
        ["«Біз келдік.» – деді ол.", "«Бәрі жақсы!», – деп қосты."],
    ),
    "a stop after a spaced closing quote ends the sentence": (
        "Ол «келеді ». Сосын кетеді.",
        ["Ол «келеді ».", "Сосын кетеді."],
    ),
    "a spaced opening quote starts the next sentence": (
        "Ол келді. “Иә” деді. Біз “жоқ ” дедік.",
        ["Ол келді.", "“Иә” деді.", "Біз “жоқ ” дедік."],
    ),
    "a spaced curly quote closes only an open quotation": (
        "“Бәрі жақсы. ” Сосын кетті.",
        ["“Бәрі жақсы. ”", "Сосын кетті."],
    ),
    "outer whitespace is not part of a sentence": (
        "   Бір.    Екі.   ",
        ["Бір.", "Екі."],
    ),
}


@pytest.mark.parametrize(
    ("text", "expected"), SEGMENTATION_CASES.values(), ids=list(SEGMENTATION_CASES)
)
def test_segmentation_rules(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize("text", ["", " ", "\n\t \r\n", "\u3000\xa0"])
def test_empty_text_has_no_sentences(text: str) -> None:
    assert sentence_spans(text) == []


def test_sentence_spans_are_offsets() -> None:
    assert sentence_spans("  Бір. Екі!  ") == [(2, 6), (7, 11)]


SEGMENTER_ALPHABET = st.sampled_from(
    list("аАқҚ zZ5.!?…,;:-—–«»“”„‘’'\"()[] \t\n\r\xa0\u2028\u3000") + ["т.б.", "ж.", "Қ.", "..."]
)


def _check_spans(text: str) -> None:
    spans = sentence_spans(text)
    position = 0
    for start, end in spans:
        assert position <= start < end <= len(text)
        assert text[position:start].strip() == ""
        assert not text[start].isspace() and not text[end - 1].isspace()
        position = end
    assert text[position:].strip() == ""
    assert split_sentences(text) == [text[start:end] for start, end in spans]


@settings(max_examples=300, deadline=None)
@given(st.lists(SEGMENTER_ALPHABET, max_size=60).map("".join))
def test_spans_lose_no_character_on_punctuation_soup(text: str) -> None:
    _check_spans(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_spans_lose_no_character_on_any_text(text: str) -> None:
    _check_spans(text)


# --------------------------------------------------------------------------------------------
# Russian: razdel
# --------------------------------------------------------------------------------------------

RUSSIAN_CASES = {
    "abbreviations and initials": (
        "Т. е. это так. В 2018 г. В. В. Путин сказал. Проф. Иванов пришёл.",
        ["Т. е. это так.", "В 2018 г. В. В. Путин сказал.", "Проф. Иванов пришёл."],
    ),
    "a closing guillemet stays with its sentence": (
        "Он сказал: «Я проголодался. » Потом ушёл.",
        ["Он сказал: «Я проголодался. »", "Потом ушёл."],
    ),
    "a speech tail continues the sentence": (
        "«Они думают о нас? », — спросил он. Да.",
        ["«Они думают о нас? », — спросил он.", "Да."],
    ),
    "dialogue dashes": (
        "— Я пришёл. — Хорошо, — ответил он.",
        ["— Я пришёл.", "— Хорошо, — ответил он."],
    ),
    "a line break ends a sentence": (
        "Привет\nКак дела? Хорошо.",
        ["Привет", "Как дела?", "Хорошо."],
    ),
}


@pytest.mark.parametrize(("text", "expected"), RUSSIAN_CASES.values(), ids=list(RUSSIAN_CASES))
def test_russian_segmentation(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "ru") == expected


def test_russian_articles_are_split_by_razdel() -> None:
    article = parse_article("Заголовок\nСм. рис. 1. Т. е. всё. Это конец.")
    assert paragraph_sentences(article, "ru") == [
        ["Заголовок"],
        ["См. рис. 1.", "Т. е. всё.", "Это конец."],
    ]
    # the Kazakh rules read "См." and "Т." as sentence ends
    assert paragraph_sentences(article) != paragraph_sentences(article, "ru")


@settings(max_examples=200, deadline=None)
@given(st.lists(SEGMENTER_ALPHABET, max_size=60).map("".join))
def test_russian_spans_lose_no_character(text: str) -> None:
    spans = sentence_spans(text, "ru")
    position = 0
    for start, end in spans:
        assert position <= start < end <= len(text)
        assert text[position:start].strip() == ""
        assert not text[start].isspace() and not text[end - 1].isspace()
        position = end
    assert text[position:].strip() == ""
