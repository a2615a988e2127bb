"""The Summarizer facade: validation, the faithfulness checks and the JSON shape."""

import pytest

from service import Summarizer, Translator
from service.checks import (
    check_summary,
    entity_candidates,
    unsupported_entities,
    unsupported_numbers,
)
from service.errors import ConfigError, InputError, InputTooLargeError, LanguageError
from service.languages import LANGUAGES
from service.settings import load_settings
from service.summarizers.base import Budget, cut_words, fit_to_budget
from service.summarizers.models import Generation
from tests.fakes import FakeEngine

KK, EN, UZ = LANGUAGES["kk"], LANGUAGES["en"], LANGUAGES["uz"]
ARTICLE = (
    "date 2025-10-17 Қазақстан мен Өзбекстан ынтымақтастықты тереңдетеді\n"
    "Бүгін Ташкентте халықаралық форум өтті. 5 күнге жалғасқан іс-шарада дәрігерлер 3 мыңға"
    " жуық адамға кеңес берді.\nСамарқанд пен Бұхарада 60-тан астам ота жасалды."
)


class CannedSummaries:
    """A seq2seq model that answers with a fixed text per call, recording its inputs."""

    model_name = "canned"

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.inputs: list[str] = []

    def generate(self, text: str, max_new_tokens: int, beam: int) -> Generation:
        self.inputs.append(text)
        return Generation(self.answers.pop(0))


def translator() -> Translator:
    return Translator(engine_instance=FakeEngine(), cache=False)


# --------------------------------------------------------------------------- the checks
def test_numbers_not_in_the_article_are_unsupported():
    assert unsupported_numbers("Doctors saw 3,000 people in 5 days and 45 patients.", ARTICLE) == [
        "45"
    ]
    assert unsupported_numbers("Over 60 operations, 3 thousand people.", ARTICLE) == []
    assert unsupported_numbers("It lasted 2 025 days; 17 and 10.", ARTICLE) == []  # the date line
    assert unsupported_numbers("Some 600 operations and 4 000 visits.", ARTICLE) == ["600", "4000"]


def test_entity_candidates_skip_sentence_initial_words_and_single_letters():
    text = "Doctors met in Tashkent. I think A Kazinform reporter saw WHO staff. — Біз Ташкентте."
    assert entity_candidates(text) == ["Tashkent", "Kazinform", "WHO", "Ташкентте"]


def test_unsupported_entities_match_inflected_names_and_apostrophe_variants():
    reference = "Бүгін Ташкентте форум өтті. Oʻzbekiston vakillari Samarqandda boʻldi."
    summary = "Форум Ташкент қаласында. Vakillar O'zbekiston va Samarqand, Buxoro haqida. Uni BMT."
    assert unsupported_entities(summary, reference) == ["Buxoro", "BMT"]


def test_check_summary_reports_flags_with_their_evidence():
    assert check_summary("Forum in Paris drew 45 doctors.", ARTICLE, "forum doctors", EN) == {
        "unsupported_number": ["45"],
        "unsupported_entity": ["Paris"],
    }
    assert check_summary("Forum in Paris.", ARTICLE, None, EN) == {}  # no reference: no names
    assert check_summary("Форум өтті.", ARTICLE, None, UZ) == {"wrong_script": ["Latn"]}
    assert check_summary("Форум өтті (Forum).", ARTICLE, None, KK) == {}


# --------------------------------------------------------------------------- budgets
def test_budget_fitting_cuts_at_sentence_boundaries():
    text = ["One two three.", "Four five.", "Six."]
    assert fit_to_budget(text, Budget(2)) == (["One two three.", "Four five."], True)
    assert fit_to_budget(text, Budget(3, words=5)) == (["One two three.", "Four five."], True)
    assert fit_to_budget(text, Budget(3, words=6)) == (text, False)
    assert fit_to_budget(text, Budget(3, words=2)) == (["One two…"], True)
    assert cut_words("Oʻzbekiston va іс-шара, 100-ге жуық.", 3) == "Oʻzbekiston va іс-шара…"


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the article is empty"),
        (" \n\t\n", "the article is empty"),
        ("Бүгін Ташкентте форум өтті.", "the article has 1 sentence besides its headline"),
        ("date 2025-10-17 Форум өтті\nБүгін Ташкентте форум өтті.", "has 1 sentence"),
        ("АСТАНА. KAZINFORM\nБүгін Ташкентте форум өтті.", "a summary needs at least 2"),
    ],
)
def test_articles_that_cannot_be_summarised(text, message):
    with pytest.raises(InputError, match=message):
        Summarizer().summarize(text, ["kk"])


def test_text_over_the_size_limit():
    summarizer = Summarizer(settings=load_settings({"max_chars": 50}))
    with pytest.raises(InputTooLargeError, match="the limit is 50"):
        summarizer.summarize(ARTICLE, ["kk"])


def test_unknown_strategy_language_and_bad_budgets():
    with pytest.raises(
        ConfigError,
        match="unknown summary strategy 'abstract'; choose one of: extractive, seq2seq, llm",
    ):
        Summarizer(strategy="abstract")
    with pytest.raises(ConfigError, match="unknown summary strategy"):
        Summarizer().summarize(ARTICLE, ["kk"], strategy="bogus")
    with pytest.raises(LanguageError, match="unknown language 'fr'"):
        Summarizer().summarize(ARTICLE, ["kk", "fr"])
    with pytest.raises(ConfigError, match="at least 1 sentence"):
        Summarizer(sentences=0)
    with pytest.raises(ConfigError, match="cannot be negative"):
        Summarizer().summarize(ARTICLE, ["kk"], words=-1)


# --------------------------------------------------------------------------- results
def test_flags_on_crafted_summaries_and_the_json_shape():
    model = CannedSummaries(
        "Doctors treated 45 patients in Samarkand. Tashkent hosted 3,000 visitors.",
        "Forum bo'ldi. Ташкентда халқаро форум бўлди.",
    )
    tr = translator()
    result = Summarizer(translator=tr, strategy="seq2seq", model_instance=model).summarize(
        ARTICLE, ["en", "uz"], sentences=3
    )
    article = tr.translate(ARTICLE, ["en", "uz"])
    assert model.inputs == [" ".join(article.translations[c].text.split()) for c in ("en", "uz")]
    assert result.to_dict() == {
        "strategy": "seq2seq",
        "summaries": {
            "en": {
                "text": "Doctors treated 45 patients in Samarkand. Tashkent hosted 3,000 visitors.",
                "sentences": [
                    "Doctors treated 45 patients in Samarkand.",
                    "Tashkent hosted 3,000 visitors.",
                ],
                # "Samarqand" in the (fake) translation; "Tashkent" matches "Tashkentte".
                "flags": ["unsupported_number", "unsupported_entity"],
                "details": {"unsupported_number": ["45"], "unsupported_entity": ["Samarkand"]},
            },
            "uz": {
                # Apostrophes normalised as in translations; mostly in Cyrillic.
                "text": "Forum boʻldi. Ташкентда халқаро форум бўлди.",
                "sentences": ["Forum boʻldi.", "Ташкентда халқаро форум бўлди."],
                "flags": ["wrong_script"],
                "details": {"wrong_script": ["Latn"]},
            },
        },
        "warnings": [],
    }
    assert result.to_text() == (
        "[en]\nDoctors treated 45 patients in Samarkand. Tashkent hosted 3,000 visitors.\n\n"
        "[uz]\nForum boʻldi. Ташкентда халқаро форум бўлди."
    )


def test_per_call_strategy_and_budget_override_the_defaults():
    summarizer = Summarizer(strategy="extractive", sentences=1)
    assert len(summarizer.summarize(ARTICLE, ["kk"]).summaries["kk"].sentences) == 1
    assert len(summarizer.summarize(ARTICLE, ["kk"], sentences=2).summaries["kk"].sentences) == 2
    model = CannedSummaries("Ташкентте форум өтті.")
    other = Summarizer(translator=translator(), model_instance=model, strategy="seq2seq")
    result = other.summarize(ARTICLE, ["en"], strategy="extractive")
    assert result.strategy == "extractive" and model.inputs == []


def test_summary_model_goes_to_the_chosen_strategys_setting():
    assert Summarizer(strategy="seq2seq", summary_model="/m/t5").settings.summary_model == "/m/t5"
    llm = Summarizer(strategy="llm", summary_model="/m/chat")
    assert llm.settings.llm_model == "/m/chat"
    assert llm.settings.summary_model == load_settings().summary_model


def test_unpaired_surrogates_in_the_article_are_replaced_with_a_warning():
    """Issue #12, item 1: the Python API's rule for text that is not Unicode scalar values."""
    text = ARTICLE.replace("Бүгін", "\ud800Бүгін")
    result = Summarizer(translator(), "extractive").summarize(text, ["kk", "en"])
    assert "\ufffdБүгін" in result.summaries["kk"].text
    assert any("replaced with U+FFFD" in w for w in result.warnings)
    import json

    json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")


def test_summaries_in_uzbek_cyrillic_convert_the_uzbek_one():
    from service.text.transliterate import uzbek_to_cyrillic
    from tests.data import seed_text

    result = Summarizer(translator=translator()).summarize(seed_text(), ["uz", "uz-Cyrl"])
    latin, cyrillic = result.summaries["uz"], result.summaries["uz-Cyrl"]
    assert cyrillic.sentences == [uzbek_to_cyrillic(line) for line in latin.sentences]
    assert "wrong_script" not in cyrillic.flags and cyrillic.flags == latin.flags
