"""The extractive strategy: ranking, budgets, alignment across languages, the shared cache."""

import pytest

from service import Summarizer, Translator
from service.checks import FLAG_ORDER
from service.languages import LANGUAGES
from service.settings import load_settings
from service.summarizers import prepare
from service.summarizers.base import count_words
from service.summarizers.extractive import rank, score_candidates, terms
from tests.data import seed_text
from tests.fakes import FakeEngine, fake_translation

EN, UZ = LANGUAGES["en"], LANGUAGES["uz"]

#: Sentences with no content word in common: only their position can rank them.
UNRELATED = (
    "Алма бақта жақсы өсті. Күн бүгін жылы болды. Балалар мектепке ерте барды. "
    "Өзен көктемде қатты тасыды. Таулы жерде қалың қар жауды."
)
#: A hub sentence (the fifth) sharing the story's words with three others, and an off-topic
#: lead and ending.
CENTRAL = (
    "Ауа райы бұлтты болады. Ташкент форумында денсаулық министрлері кездесті. "
    "Форумда денсаулық сақтау министрлері келісімге қол қойды. "
    "Ташкент форумы денсаулық сақтау саласындағы ынтымақтастықты талқылады. "
    "Ташкент форумында министрлері денсаулық сақтау келісімін талқылады. Футбол командасы жеңді."
)


def fake_translator(cache: bool = False) -> tuple[Translator, FakeEngine]:
    engine = FakeEngine()
    return Translator(engine_instance=engine, cache=cache), engine


def sentences(text: str) -> list[str]:
    return [c.text for c in prepare(text, 20000).candidates]


def test_terms_are_stems_without_function_words():
    assert terms("Қазақстан мен Қазақстанның 100 өкілдері және т.б.") == [
        "қазақс",
        "қазақс",
        "100",
        "өкілде",
    ]


def test_lead_bias_orders_unrelated_sentences_by_position():
    doc = prepare(UNRELATED, 20000)
    assert [c.position for c in rank(doc)] == [0, 1, 2, 3, 4]
    scores = score_candidates(doc)
    assert scores == sorted(scores, reverse=True) and scores[0] == pytest.approx(1.0)


def test_centrality_beats_an_off_topic_lead():
    ranked = [c.position for c in rank(prepare(CENTRAL, 20000))]
    assert ranked[0] == 4  # the hub sentence
    assert ranked[-2:] == [0, 5]  # the weather lead and the football ending come last


def test_headline_guides_the_ranking_but_is_never_chosen():
    text = (
        "date 2025-10-17 Ташкентте медицина форумы өтті\n"
        "Алма бақта жақсы өсті. Күн бүгін жылы болды. Ташкентте медицина форумы басталды."
    )
    doc = prepare(text, 20000)
    assert doc.headline == "Ташкентте медицина форумы өтті"
    assert [c.text for c in rank(doc)][0] == "Ташкентте медицина форумы басталды."
    result = Summarizer(strategy="extractive").summarize(text, ["kk"], sentences=3)
    assert "Ташкентте медицина форумы өтті" not in result.summaries["kk"].sentences


def test_dateline_fragments_are_not_candidates():
    text = "АСТАНА. KAZINFORM\nҮкімет жаңа заң жобасын мақұлдады. Заң келесі жылы күшіне енеді."
    assert sentences(text) == [
        "Үкімет жаңа заң жобасын мақұлдады.",
        "Заң келесі жылы күшіне енеді.",
    ]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_n_sentences_in_article_order_aligned_across_languages(n):
    tr, _ = fake_translator()
    result = Summarizer(translator=tr, strategy="extractive").summarize(
        CENTRAL, ["kk", "en", "uz"], sentences=n
    )
    ranked = [c.text for c in rank(prepare(CENTRAL, 20000))][:n]
    kk = result.summaries["kk"].sentences
    assert kk == [s for s in sentences(CENTRAL) if s in ranked]  # the top n, in article order
    assert result.summaries["en"].sentences == [fake_translation(s, EN) for s in kk]
    assert result.summaries["uz"].sentences == [fake_translation(s, UZ) for s in kk]
    assert result.summaries["en"].text == " ".join(fake_translation(s, EN) for s in kk)
    assert result.strategy == "extractive" and result.warnings == []


def test_kazakh_only_needs_no_translator():
    summarizer = Summarizer(strategy="extractive")
    result = summarizer.summarize(UNRELATED, ["kk"], sentences=2)
    assert result.summaries["kk"].sentences == sentences(UNRELATED)[:2]
    assert summarizer._translator is None  # nothing was loaded


def test_word_budget_drops_the_lowest_ranked_sentence_first():
    tr, _ = fake_translator()
    ranked = rank(prepare(CENTRAL, 20000))
    top3 = [c.text for c in ranked[:3]]
    top2 = [c.text for c in ranked[:2]]
    # The fake translation adds one word ("en:"), so English is the binding language.
    budget = sum(count_words(fake_translation(s, EN)) for s in top2)
    assert sum(count_words(fake_translation(s, EN)) for s in top3) > budget
    result = Summarizer(translator=tr).summarize(CENTRAL, ["kk", "en"], sentences=3, words=budget)
    assert result.summaries["kk"].sentences == [s for s in sentences(CENTRAL) if s in top2]
    for summary in result.summaries.values():
        assert count_words(summary.text) <= budget and summary.flags == []


def test_word_budget_below_one_sentence_cuts_it_and_flags():
    tr, _ = fake_translator()
    result = Summarizer(translator=tr).summarize(UNRELATED, ["kk", "en"], sentences=2, words=3)
    assert result.summaries["kk"].sentences == ["Алма бақта жақсы…"]
    assert result.summaries["en"].sentences == ["en: Alma baqta…"]
    assert result.summaries["kk"].flags == ["cut"] and result.summaries["en"].flags == ["cut"]
    assert any("word budget" in w for w in result.warnings)


def test_short_article_keeps_all_sentences_with_a_warning():
    text = "Үкімет жаңа заң жобасын мақұлдады. Заң келесі жылы күшіне енеді."
    result = Summarizer().summarize(text, ["kk"], sentences=3)
    assert result.summaries["kk"].sentences == sentences(text)
    assert result.warnings == [
        "the article has only 2 sentences to choose from; the summary keeps them all"
    ]


def test_translations_are_the_article_pipelines_and_come_from_its_cache():
    text = seed_text()
    tr, engine = fake_translator(cache=True)
    article = tr.translate(text, ["en", "uz"])
    engine.calls.clear()
    result = Summarizer(translator=tr).summarize(text, ["kk", "en", "uz"])
    assert engine.calls == []  # every summary sentence was a cache hit
    for code in ("en", "uz"):
        by_source = {
            p.source: p.target for para in article.translations[code].paragraphs for p in para
        }
        kk = result.summaries["kk"].sentences
        assert result.summaries[code].sentences == [by_source[s] for s in kk]


def test_translation_flags_are_carried_into_the_summary():
    # A tight output limit makes the fake engine cut its translations: flag "truncated".
    settings = load_settings({"max_length_ratio": 0.5, "max_length_offset": 0, "cache": False})
    tr = Translator(engine_instance=FakeEngine(), settings=settings)
    result = Summarizer(translator=tr).summarize(UNRELATED, ["kk", "en"], sentences=2)
    pairs = tr.translate_sentences(result.summaries["kk"].sentences, EN)
    assert all("truncated" in p.flags for p in pairs)
    carried = [f for f in FLAG_ORDER if any(f in p.flags for p in pairs)]
    assert result.summaries["en"].flags == carried
    assert result.summaries["en"].sentences == [p.target for p in pairs]
    assert result.summaries["kk"].flags == []
