"""``Summarizer``: short summaries of a Kazakh article in Kazakh, English and Uzbek.

One facade for every interface (Python, CLI, HTTP, page): it validates the request, prepares
the article once, lets the chosen strategy (:mod:`service.summarizers`) draft each language's
summary, then runs the same faithfulness checks on every draft — numbers that the article does
not contain, names that its text does not contain, budgets that had to be enforced — so a
summary from any strategy is judged the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .checks import SUMMARY_FLAG_ORDER, check_summary
from .languages import Language, parse_languages
from .settings import Settings, load_settings
from .summarizers import Budget, Strategy, check_strategy, create_strategy, prepare
from .text import unreadable_warning
from .translate import Translator, finish_target

#: Languages summarised when none are given.
DEFAULT_LANGUAGES = ("kk", "en", "uz")


@dataclass
class LanguageSummary:
    """One language's summary, with its faithfulness flags."""

    language: str
    sentences: list[str]
    flags: list[str] = field(default_factory=list)
    #: The numbers or names behind ``unsupported_number`` / ``unsupported_entity``.
    details: dict[str, list[str]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "sentences": list(self.sentences),
            "flags": list(self.flags),
            "details": {flag: list(items) for flag, items in self.details.items()},
        }


@dataclass
class SummaryResult:
    """Summaries of one article (DESIGN §5, ``audarma summarize --format json``)."""

    strategy: str
    summaries: dict[str, LanguageSummary]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "summaries": {code: s.to_dict() for code, s in self.summaries.items()},
            "warnings": list(self.warnings),
        }

    def to_text(self) -> str:
        """Plain text: one block per language, headed by its code when there are several."""
        if len(self.summaries) == 1:
            return next(iter(self.summaries.values())).text
        return "\n\n".join(f"[{code}]\n{s.text}" for code, s in self.summaries.items())


def _ordered(flags: Sequence[str]) -> list[str]:
    known = [f for f in SUMMARY_FLAG_ORDER if f in flags]
    return known + [f for f in dict.fromkeys(flags) if f not in SUMMARY_FLAG_ORDER]


class Summarizer:
    """Summarises Kazakh articles with one strategy (``extractive``, ``seq2seq`` or ``llm``).

    ``summary_model`` is the model of the chosen strategy (setting ``summary_model`` for
    seq2seq, ``llm_model`` for llm). Models load on first use and stay loaded; the translator
    (created from the settings when not given) is only loaded when a strategy needs it.
    """

    def __init__(
        self,
        translator: Translator | None = None,
        strategy: str | None = None,
        *,
        settings: Settings | None = None,
        sentences: int | None = None,
        words: int | None = None,
        summary_model: str | None = None,
        prompts_dir: str | None = None,
        model_instance: Any = None,
    ) -> None:
        base = settings or (translator.settings if translator is not None else load_settings())
        base = base.replace(
            summary_strategy=strategy,
            summary_sentences=sentences,
            summary_words=words,
            prompts_dir=prompts_dir,
        )
        self.strategy = check_strategy(base.summary_strategy)
        if summary_model and self.strategy == "llm":
            base = base.replace(llm_model=summary_model)
        elif summary_model:
            base = base.replace(summary_model=summary_model)
        self.settings = base
        # Fail on a bad budget now, not on the first article.
        Budget(base.summary_sentences, base.summary_words)
        self._translator = translator
        self._model_instance = model_instance
        self._strategies: dict[str, Strategy] = {}
        self._lock = threading.RLock()
        if self.strategy == "llm":
            self._get(self.strategy)  # a bad --prompts folder fails before any work

    @property
    def translator(self) -> Translator:
        """The translator (created from the settings on first use when none was given)."""
        with self._lock:
            if self._translator is None:
                self._translator = Translator(settings=self.settings)
            return self._translator

    def _get(self, name: str) -> Strategy:
        with self._lock:
            if name not in self._strategies:
                model = self._model_instance if name == self.strategy else None
                self._strategies[name] = create_strategy(
                    name, lambda: self.translator, self.settings, model
                )
            return self._strategies[name]

    def summarize(
        self,
        text: str,
        languages: Sequence[str | Language] | str = DEFAULT_LANGUAGES,
        *,
        sentences: int | None = None,
        words: int | None = None,
        strategy: str | None = None,
    ) -> SummaryResult:
        """Summarise ``text`` (a Kazakh article) in each of ``languages``.

        ``sentences``/``words`` override the budget for this call; ``strategy`` the strategy.
        """
        langs = parse_languages(languages)
        budget = Budget(
            self.settings.summary_sentences if sentences is None else sentences,
            self.settings.summary_words if words is None else words,
        )
        name = check_strategy(strategy) if strategy else self.strategy
        doc = prepare(text, self.settings.max_chars)
        # One call at a time: strategies load their models lazily, and a model is not faster
        # when several threads drive it at once.
        # A derived language (uz-Cyrl) is summarised in the language a model writes (uz), once,
        # and converted: its summary says what the uz one says.
        decoded = list(dict.fromkeys(lang.decoded for lang in langs))
        with self._lock:
            output = self._get(name).summarize(doc, decoded, budget)
        summaries = {}
        for lang in langs:
            draft = output.drafts[lang.decoded.code]
            lines = [finish_target(line, lang, self.settings) for line in draft.sentences]
            reference = draft.reference
            if reference is not None and lang.derived_from:
                reference = finish_target(reference, lang, self.settings)
            details = check_summary(" ".join(lines), doc.text, reference, lang)
            flags = _ordered([*details, *draft.flags])
            summaries[lang.code] = LanguageSummary(lang.code, lines, flags, details)
        unreadable = unreadable_warning(doc.text)
        return SummaryResult(
            name, summaries, [*([unreadable] if unreadable else []), *output.warnings]
        )
