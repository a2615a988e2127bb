"""Abstractive summaries with a seq2seq summarizer (mT5 XL-Sum by default).

XL-Sum covers English and Uzbek but not Kazakh, so the model summarises the article's
*translations*: the English summary from the English translation, the Uzbek one from the
Uzbek translation. The Kazakh summary takes the best route a Kazakh-less summarizer allows:
the English summary (English is the model's strongest language) translated back into Kazakh
by the same translator, sentence by sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from ..checks import CUT, EMPTY, FLAG_ORDER
from ..languages import SOURCE_LANGUAGE
from .base import Budget, Document, Draft, StrategyOutput, split_text, token_budget
from .models import Generation, Seq2SeqSummarizer

if TYPE_CHECKING:  # pragma: no cover
    from ..languages import Language
    from ..settings import Settings
    from ..translate import Translator

#: The language whose summary is translated into Kazakh.
PIVOT = "en"


class SummaryModel(Protocol):
    """What this strategy needs from a model (see :class:`.models.Seq2SeqSummarizer`)."""

    model_name: str

    def generate(self, text: str, max_new_tokens: int, beam: int) -> Generation:
        """The summary of ``text``."""
        ...


def flatten(text: str) -> str:
    """One line with single spaces: how XL-Sum's inputs were prepared."""
    return re.sub(r"\s+", " ", text).strip()


class Seq2SeqStrategy:
    """Summarise each translation with a seq2seq model; Kazakh via the English summary."""

    name = "seq2seq"

    def __init__(
        self,
        translator: Callable[[], Translator],
        settings: Settings,
        model: SummaryModel | None = None,
    ) -> None:
        self._translator = translator
        self.settings = settings
        self._model = model

    @property
    def model(self) -> SummaryModel:
        if self._model is None:
            self._model = Seq2SeqSummarizer(self.settings.summary_model, self.settings)
        return self._model

    def summarize(
        self, doc: Document, languages: Sequence[Language], budget: Budget
    ) -> StrategyOutput:
        codes = [lang.code for lang in languages]
        sources = [c for c in codes if c != SOURCE_LANGUAGE]
        if SOURCE_LANGUAGE in codes and PIVOT not in sources:
            sources.append(PIVOT)
        translator = self._translator()
        translation = translator.translate(doc.text, sources)
        warnings = list(translation.warnings)
        drafts: dict[str, Draft] = {}
        for code in sources:
            text = translation.translations[code].text
            drafts[code] = self._summarize_text(text, code, budget, warnings)
        if SOURCE_LANGUAGE in codes:
            drafts[SOURCE_LANGUAGE] = self._back_translate(drafts[PIVOT], translator, budget, doc)
        return StrategyOutput({code: drafts[code] for code in codes}, warnings)

    def _summarize_text(self, text: str, code: str, budget: Budget, warnings: list[str]) -> Draft:
        limit = token_budget(budget, self.settings.max_new_tokens)
        out = self.model.generate(flatten(text), limit, self.settings.beam)
        if out.input_truncated:
            warnings.append(
                f"{code}: the article is longer than the summary model's input limit; only its"
                " beginning was summarised"
            )
        draft = Draft(split_text(out.text), [], reference=text).fitted(budget)
        if out.hit_limit and CUT not in draft.flags:
            draft.flags.append(CUT)
        if not draft.sentences:
            draft.flags.append(EMPTY)
        return draft

    def _back_translate(
        self, pivot: Draft, translator: Translator, budget: Budget, doc: Document
    ) -> Draft:
        pairs = translator.translate_sentences(pivot.sentences, SOURCE_LANGUAGE, source=PIVOT)
        found = {flag for pair in pairs for flag in pair.flags}
        flags = [f for f in (CUT, EMPTY) if f in pivot.flags]
        flags += [flag for flag in FLAG_ORDER if flag in found]
        draft = Draft([pair.target for pair in pairs], flags, reference=doc.text)
        return draft.fitted(budget)
