"""The seq2seq strategy: which text is summarised, the Kazakh route, budgets, real tiny models."""

import shutil

import pytest

from service import Summarizer, Translator
from service.checks import SUMMARY_FLAG_ORDER
from service.errors import ModelLoadError
from service.languages import LANGUAGES
from service.settings import load_settings
from service.summarizers.base import Budget, token_budget
from service.summarizers.models import Generation, Seq2SeqSummarizer
from tests.fakes import FakeEngine, fake_translation

KK, EN = LANGUAGES["kk"], LANGUAGES["en"]
ARTICLE = (
    "date 2025-10-17 Ташкентте форум өтті\n"
    "Бүгін Ташкентте халықаралық медицина форумы өтті. Форумға екі елдің министрлері қатысты.\n"
    "Дәрігерлер 3 мыңға жуық адамға кеңес берді."
)


class RecordingModel:
    """Answers with ``answer`` (or a function of the input), recording every call."""

    model_name = "recording"

    def __init__(self, answer, hit_limit: bool = False) -> None:
        self.answer = answer
        self.hit_limit = hit_limit
        self.calls: list[tuple[str, int, int]] = []

    def generate(self, text: str, max_new_tokens: int, beam: int) -> Generation:
        self.calls.append((text, max_new_tokens, beam))
        answer = self.answer(text) if callable(self.answer) else self.answer
        return Generation(answer, hit_limit=self.hit_limit)


def summarizer(model, **kwargs) -> tuple[Summarizer, Translator, FakeEngine]:
    engine = FakeEngine()
    tr = Translator(engine_instance=engine, cache=False, beam=2)
    return Summarizer(translator=tr, strategy="seq2seq", model_instance=model, **kwargs), tr, engine


def test_each_translation_is_summarised_and_kazakh_comes_back_from_english():
    model = RecordingModel(lambda text: f"Summary of {text.split(':')[0]}. Second sentence here.")
    summ, tr, engine = summarizer(model)
    result = summ.summarize(ARTICLE, ["kk", "en", "uz"], sentences=2)
    back_translated = engine.calls[-1]
    article = tr.translate(ARTICLE, ["en", "uz"])
    flat = {code: " ".join(article.translations[code].text.split()) for code in ("en", "uz")}
    assert [call[0] for call in model.calls] == [flat["en"], flat["uz"]]
    assert {call[2] for call in model.calls} == {2}  # the translator's beam setting
    assert result.summaries["en"].sentences == ["Summary of en.", "Second sentence here."]
    assert result.summaries["uz"].sentences == ["Summary of uz.", "Second sentence here."]
    # Kazakh: the English summary, translated sentence by sentence (the fake "translates"
    # en -> kk by tagging it).
    assert result.summaries["kk"].sentences == [
        fake_translation("Summary of en.", KK),
        fake_translation("Second sentence here.", KK),
    ]
    assert back_translated == ["Summary of en.", "Second sentence here."]
    assert list(result.summaries) == ["kk", "en", "uz"]


def test_kazakh_alone_still_goes_through_english():
    model = RecordingModel("A forum took place.")
    summ, _, _ = summarizer(model)
    result = summ.summarize(ARTICLE, ["kk"])
    assert len(model.calls) == 1 and list(result.summaries) == ["kk"]
    assert result.summaries["kk"].sentences == [fake_translation("A forum took place.", KK)]


def test_long_answers_are_cut_to_the_budget_and_flagged():
    model = RecordingModel("One two three. Four five six. Seven eight nine.")
    summ, _, _ = summarizer(model)
    result = summ.summarize(ARTICLE, ["en"], sentences=2)
    assert result.summaries["en"].sentences == ["One two three.", "Four five six."]
    assert result.summaries["en"].flags == ["cut"]
    result = summ.summarize(ARTICLE, ["en"], sentences=3, words=4)
    assert result.summaries["en"].sentences == ["One two three."]
    assert model.calls[-1][1] == token_budget(Budget(3, 4), load_settings().max_new_tokens)


def test_an_answer_at_the_token_limit_is_flagged_and_an_empty_one_too():
    summ, _, _ = summarizer(RecordingModel("A forum took place.", hit_limit=True))
    assert summ.summarize(ARTICLE, ["en"]).summaries["en"].flags == ["cut"]
    summ, _, _ = summarizer(RecordingModel("   "))
    empty = summ.summarize(ARTICLE, ["en"]).summaries["en"]
    assert empty.sentences == [] and empty.flags == ["empty"]


def test_tiny_mt5_runs_end_to_end(tiny_nllb_dir, tiny_t5_dir):
    tr = Translator(model=str(tiny_nllb_dir), beam=1, cache=False)
    summ = Summarizer(translator=tr, strategy="seq2seq", summary_model=str(tiny_t5_dir))
    result = summ.summarize(ARTICLE, ["kk", "en", "uz"], sentences=2, words=12)
    assert result.strategy == "seq2seq" and list(result.summaries) == ["kk", "en", "uz"]
    known = set(SUMMARY_FLAG_ORDER)
    for summary in result.summaries.values():
        assert len(summary.sentences) <= 2
        assert sum(len(s.split()) for s in summary.sentences) <= 12 + 2  # "…" glued on
        assert set(summary.flags) <= known


def test_tiny_mt5_generation_is_bounded(tiny_t5_dir):
    model = Seq2SeqSummarizer(str(tiny_t5_dir), load_settings())
    out = model.generate("Бүгін Ташкентте форум өтті. " * 200, max_new_tokens=5, beam=1)
    assert out.input_truncated and model.max_input_tokens == 512
    assert len(model.tokenizer(out.text, add_special_tokens=False)["input_ids"]) <= 5
    assert not model.generate("Форум өтті.", max_new_tokens=5, beam=1).input_truncated


def test_missing_models_name_the_model_and_the_fix(tmp_path, tiny_t5_dir, tiny_chat_dir):
    def load(name):
        Summarizer(
            translator=Translator(engine_instance=FakeEngine(), cache=False),
            strategy="seq2seq",
            summary_model=name,
        ).summarize(ARTICLE, ["en"])

    with pytest.raises(
        ModelLoadError, match=r"'/no/such/model' does not exist.*--summary-model DIR"
    ):
        load("/no/such/model")
    with pytest.raises(
        ModelLoadError,
        match=r"'acme/never-downloaded' is not available offline.*hf download acme/never-",
    ):
        load("acme/never-downloaded")
    with pytest.raises(ModelLoadError, match="has no config.json"):
        load(str(tmp_path))
    broken = tmp_path / "broken"
    shutil.copytree(tiny_t5_dir, broken)
    (broken / "model.safetensors").write_bytes(b"not weights")
    with pytest.raises(
        ModelLoadError, match=r"'.*broken' cannot be loaded as AutoModelForSeq2SeqLM"
    ):
        load(str(broken))
    with pytest.raises(
        ModelLoadError, match=r"cannot be loaded as AutoModelForSeq2SeqLM.*--summary-model"
    ):
        load(str(tiny_chat_dir))  # a causal LM is not a seq2seq summarizer
