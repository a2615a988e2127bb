"""Abstractive summaries from a chat LLM, driven by the prompt templates in ``prompts/``.

Each language has its own template (``summarize.kk.j2``, ``summarize.en.j2``,
``summarize.uz.j2``). The model reads the article in the language it writes: the English and
Uzbek summaries are made from the article's translations (a small multilingual model reads
those far better than Kazakh, and the names in them are the ones the summary should use); the
Kazakh summary is made from the original. Decoding is greedy, bounded by the budget, and the
answer is cut at a sentence boundary to the budget, flagged ``cut`` when anything was removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from ..checks import CUT, EMPTY
from ..languages import SOURCE_LANGUAGE
from ..prompts import PromptLibrary
from .base import ELLIPSIS, Budget, Document, Draft, StrategyOutput, split_text, token_budget
from .models import ChatModel, Generation

if TYPE_CHECKING:  # pragma: no cover
    from ..languages import Language
    from ..settings import Settings
    from ..translate import Translator

TASK = "summarize"
#: List markers and emphasis chat models like to add; a summary is plain sentences.
_LIST_MARKER = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")
_EMPHASIS = re.compile(r"\*\*|__")
#: Control characters other than tabs and line breaks: no summary needs them.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SENTENCE_END = re.compile(r"[.!?…][\"'»”’)]*$")


class ChatLike(Protocol):
    """What this strategy needs from a model (see :class:`.models.ChatModel`)."""

    model_name: str

    @property
    def special_tokens(self) -> list[str]:
        """Strings that must not reach the tokenizer from the article."""
        ...

    def generate(self, messages: Sequence[dict[str, str]], max_new_tokens: int) -> Generation:
        """The assistant's answer to ``messages``."""
        ...


def clean_answer(text: str) -> str:
    """The answer without list markers, emphasis, control characters or blank lines."""
    text = _CONTROL.sub("", text)
    lines = (_LIST_MARKER.sub("", _EMPHASIS.sub("", line)).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def answer_draft(answer: Generation, budget: Budget, reference: str) -> Draft:
    """The answer as a draft within ``budget``: cut at a sentence boundary, flagged if cut.

    An answer stopped by the token limit ends mid-sentence; that unfinished sentence is
    dropped (or, when it is the only one, kept with ``…``).
    """
    sentences = split_text(clean_answer(answer.text))
    flags: list[str] = []
    if answer.hit_limit:
        flags.append(CUT)
        if sentences and not _SENTENCE_END.search(sentences[-1]):
            sentences = sentences[:-1] if len(sentences) > 1 else [sentences[0] + ELLIPSIS]
    draft = Draft(sentences, flags, reference).fitted(budget)
    if not draft.sentences:
        draft.flags.append(EMPTY)
    return draft


class LLMStrategy:
    """Summarise with a chat model, one templated prompt per language."""

    name = "llm"

    def __init__(
        self,
        translator: Callable[[], Translator],
        settings: Settings,
        prompts: PromptLibrary | None = None,
        model: ChatLike | None = None,
    ) -> None:
        self._translator = translator
        self.settings = settings
        self.prompts = prompts or PromptLibrary(settings.prompts_dir or None)
        self._model = model

    @property
    def model(self) -> ChatLike:
        if self._model is None:
            self._model = ChatModel(self.settings.llm_model, self.settings)
        return self._model

    def summarize(
        self, doc: Document, languages: Sequence[Language], budget: Budget
    ) -> StrategyOutput:
        for lang in languages:  # a missing template fails before any model work
            self.prompts.template(TASK, lang.code)
        targets = [lang.code for lang in languages if lang.code != SOURCE_LANGUAGE]
        warnings: list[str] = []
        translations = {}
        if targets:
            result = self._translator().translate(doc.text, targets)
            warnings.extend(result.warnings)
            translations = {code: t.text for code, t in result.translations.items()}
        limit = token_budget(budget, self.settings.max_new_tokens)
        drafts = {}
        for lang in languages:
            text = doc.body if lang.code == SOURCE_LANGUAGE else translations[lang.code]
            messages = self.prompts.render(
                TASK,
                lang.code,
                article=text,
                forbidden=self.model.special_tokens,
                sentences=budget.sentences,
                words=budget.words,
                language=lang.name,
            )
            drafts[lang.code] = answer_draft(self.model.generate(messages, limit), budget, text)
        return StrategyOutput(drafts, warnings)
