"""Tests for service.text.langid: documents, sentences, scripts, Latin Kazakh, refusals.

The NTREX-128 dev folder holds the same lines in Kazakh, Russian, Kyrgyz, Tatar, Bashkir,
Uzbek and English; the accuracy table ``eval/langid_accuracy.py`` prints is computed once per
module here and held to the issue's thresholds.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from service.errors import LanguageError
from service.evaluation.langid_eval import NTREX_LANGUAGES, ntrex_accuracy, russian_quotes
from service.text import (
    UNKNOWN,
    Detection,
    choose_source,
    detect_document,
    detect_script,
    detect_sentence,
    sentence_language,
)
from service.text.langid import model_loaded
from tests.data import NTREX, ROOT


@pytest.fixture(scope="module")
def accuracy() -> dict:
    return {result.name: result for result in ntrex_accuracy(NTREX)}


# --------------------------------------------------------------------------------------------
# NTREX: every document right, Kazakh and Russian lines
# --------------------------------------------------------------------------------------------


def test_the_table_covers_every_language(accuracy: dict) -> None:
    assert set(accuracy) == set(NTREX_LANGUAGES) | {"kaz in 2021 Latin", "kaz in 2018 Latin"}
    assert {(a.documents, a.lines) for a in accuracy.values()} == {(62, 988)}


@pytest.mark.parametrize("name", [*NTREX_LANGUAGES, "kaz in 2021 Latin", "kaz in 2018 Latin"])
def test_every_document_is_detected_right(accuracy: dict, name: str) -> None:
    assert accuracy[name].documents_right == 62


def test_kazakh_lines(accuracy: dict) -> None:
    kazakh = accuracy["kaz"]
    assert kazakh.line_accuracy >= 0.99  # measured 982/988; the other 6 are short: "unknown"
    assert kazakh.line_accuracy_with_fallback == 1.0
    assert kazakh.lines_taken_for_source == 0  # no Kazakh line is ever taken for Russian


def test_russian_lines(accuracy: dict) -> None:
    russian = accuracy["rus"]
    assert russian.line_accuracy >= 0.90  # measured 976/988
    assert russian.lines_taken_for_source == 0  # none taken for Kazakh


@pytest.mark.parametrize("name", ["kir", "tat", "bak", "uzb", "eng-US"])
def test_neighbour_lines_are_rarely_taken_for_kazakh_or_russian(accuracy: dict, name: str):
    assert accuracy[name].lines_taken_for_source <= 0.01 * 988  # measured: 1 Kyrgyz line, 0


@pytest.mark.parametrize("variant", ["2021", "2018"])
def test_latin_kazakh_lines(accuracy: dict, variant: str) -> None:
    assert accuracy[f"kaz in {variant} Latin"].line_accuracy >= 0.95  # measured 0.970, 0.967


def test_russian_quotes_inside_kazakh_articles_switch_to_russian() -> None:
    quotes = russian_quotes(NTREX)
    assert quotes.documents_kazakh == quotes.documents == 62
    assert quotes.russian_switched / quotes.russian_lines >= 0.90  # measured 217/219
    assert quotes.kazakh_switched == 0


# --------------------------------------------------------------------------------------------
# Documents and sentences one at a time
# --------------------------------------------------------------------------------------------

KAZAKH = "Қазақстан Республикасының Президенті бүгін Астанада Үкімет отырысында сөз сөйледі."
RUSSIAN = "Президент России Владимир Путин провёл переговоры с коллегой из Казахстана."
KYRGYZ = "Кыргыз Республикасынын Президенти бүгүн Бишкекте өкмөттүн жыйынында сүйлөдү."


@pytest.mark.parametrize(
    ("text", "language", "script"),
    [
        (KAZAKH, "kk", "Cyrl"),
        (RUSSIAN, "ru", "Cyrl"),
        (KYRGYZ, "ky", "Cyrl"),
        ("Qazaqstan Respublikasynyñ Prezidentı büngın Astanada söz söiledı.", "kk", "Latn"),
        ("Qazaqstan Respýblıkasynyń Prezıdenti búgin Astanada sóz sóıledi.", "kk", "Latn"),
        # Uzbek in Cyrillic is Uzbek, not Kazakh
        ("Ўзбекистон Республикаси Президенти Шавкат Мирзиёев Тошкентда делегацияни қабул қилди.",
         "uz", "Cyrl"),
        ("Türkiye Cumhuriyeti Cumhurbaşkanı bugün Ankara'da yaptığı açıklamada ekonominin "
         "büyüdüğünü söyledi.", "tr", "Latn"),
        ("Azərbaycan Respublikasının Prezidenti İlham Əliyev bu gün Bakıda nümayəndə heyətini "
         "qəbul edib.", "az", "Latn"),
        ("Türkmenistanyň Prezidenti şu gün Aşgabatda daşary ýurt myhmanlaryny kabul etdi.", "tk",
         "Latn"),
        ("Oʻzbekiston Respublikasi Prezidenti Shavkat Mirziyoyev bugun hukumat yigʻilishida "
         "yangi islohotlar haqida gapirdi.", "uz", "Latn"),
        ("The president of Kazakhstan said on Monday that the new government will cut taxes.",
         "en", "Latn"),
    ],
)  # fmt: skip
def test_detect_document(text: str, language: str, script: str) -> None:
    found = detect_document(text)
    assert (found.language, found.script) == (language, script)
    assert found.confidence >= 0.8


@pytest.mark.parametrize(
    "text",
    [
        "Tatarstan Prezidentı bügen Qazanda matbuğat konferensiäse ütkärde häm yañalıqlar "
        "turında söyläde.",
        "Qırım tatar tili Qırımnıñ yerli halqınıñ tili ve bu til bugün de yaşay.",
    ],
)
def test_latin_tatar_is_not_taken_for_kazakh(text: str) -> None:
    assert detect_document(text).language != "kk"


def test_detection_as_json() -> None:
    found = detect_document(KAZAKH).to_dict()
    assert list(found) == ["language", "script", "confidence"]
    assert (found["language"], found["script"]) == ("kk", "Cyrl")
    assert 0.9 <= found["confidence"] <= 1.0 and found["confidence"] == round(
        found["confidence"], 4
    )


@pytest.mark.parametrize("text", ["", "   ", "2024 — 16.12", "…!"])
def test_a_text_without_letters_is_unknown(text: str) -> None:
    assert detect_document(text) == Detection(UNKNOWN, "Zyyy", 0.0)


@pytest.mark.parametrize("text", ["Иә.", "Жоқ!", "Да.", "Спасибо!", "OK", "12:30"])
def test_short_sentences_are_unknown_and_follow_their_document(text: str) -> None:
    assert detect_sentence(text).language == UNKNOWN
    assert sentence_language(text, "kk") is None
    assert sentence_language(text, "ru") is None


def test_a_russian_quote_switches_but_not_back_and_forth() -> None:
    assert sentence_language(RUSSIAN, "kk") == "ru"
    assert sentence_language(RUSSIAN, "ru") is None  # already the document's
    assert sentence_language(KAZAKH, "ru") == "kk"  # a Kazakh sentence in a Russian article
    assert sentence_language(KYRGYZ, "kk") is None  # neighbours are noise, not a switch


def test_a_sentence_with_kazakh_letters_never_switches_to_russian() -> None:
    text = "Министр заявил, что правительство поддержит фермеров, деп хабарлады ҚазАқпарат."
    assert detect_sentence(text).language == "ru"
    assert sentence_language(text, "kk") is None


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Қазақстан", "Cyrl"),
        ("Qazaqstan", "Latn"),
        ("Oʻzbekiston", "Latn"),  # ʻ is a modifier letter, not counted
        ("Қазақстан Qazaqstan", "mixed"),
        ("Sainsbury's компаниясы Ұлыбританиядағы дүкендерін жауып жатыр", "Cyrl"),
        ("2024 — 16.12", "Zyyy"),
        ("", "Zyyy"),
        ("مرحبا بالعالم", "Arab"),
    ],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


# --------------------------------------------------------------------------------------------
# Choosing the source: detected, forced, refused by name
# --------------------------------------------------------------------------------------------


def test_the_detected_language_is_the_source() -> None:
    assert choose_source(detect_document(KAZAKH)).code == "kk"
    assert choose_source(detect_document(RUSSIAN)).code == "ru"
    latin = detect_document("Qazaqstan Respublikasynyñ Prezidentı büngın Astanada söz söiledı.")
    assert choose_source(latin).code == "kk"


def test_other_languages_are_refused_by_name() -> None:
    with pytest.raises(LanguageError) as refused:
        choose_source(detect_document(KYRGYZ))
    assert str(refused.value).startswith("the text looks like Kyrgyz (ky, confidence 1.00);")
    assert str(refused.value).endswith(
        "Audarma translates Kazakh (kk) and Russian (ru); if it is one of those, say so with"
        " --source kk"
    )
    with pytest.raises(LanguageError, match=r"could not be identified.*say so with \"source\""):
        choose_source(detect_document("12:30"), force_hint='"source": "kk"')
    with pytest.raises(LanguageError, match=r"looks like the language with code 'fr' \(confid"):
        choose_source(Detection("fr", "Latn", 0.98))  # a code the registry has no name for


def test_a_forced_source_wins_over_detection() -> None:
    assert choose_source(detect_document(KYRGYZ), "kk").code == "kk"
    assert choose_source(detect_document(KAZAKH), "RU").code == "ru"
    with pytest.raises(LanguageError, match=r"translates articles written in kk \(Kazakh\)"):
        choose_source(detect_document(KAZAKH), "en")


# --------------------------------------------------------------------------------------------
# The model loads on first use, never at import
# --------------------------------------------------------------------------------------------


def test_importing_and_starting_the_command_line_does_not_load_the_model() -> None:
    probe = (
        "import json, sys\n"
        "import service, service.text\n"
        "from service.cli import build_parser\n"
        "build_parser()\n"
        "from service.text import langid\n"
        "before = ['py3langid' in sys.modules, langid.model_loaded()]\n"
        "langid.detect_document('Қазақстан Республикасы')\n"
        "print(json.dumps(before + [langid.model_loaded()]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [False, False, True]


def test_the_model_is_loaded_once() -> None:
    detect_document(KAZAKH)
    assert model_loaded()
    from service.text.langid import _identifier

    first = _identifier()
    detect_document(RUSSIAN)
    assert _identifier() is first
