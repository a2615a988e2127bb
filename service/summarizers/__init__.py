"""Summary strategies behind one small interface (:class:`~.base.Strategy`).

- ``extractive`` (:mod:`.extractive`): the article's key sentences and their translations;
  needs no model beyond the translator.
- ``seq2seq`` (:mod:`.seq2seq`): an abstractive summarizer run on the translations.
- ``llm`` (:mod:`.llm`): a chat model driven by the prompt templates.

Strategy modules that load models import torch only when they first run, so choosing a
strategy (and ``audarma --help``) stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .base import Budget, Document, Draft, Strategy, StrategyOutput, prepare

if TYPE_CHECKING:  # pragma: no cover
    from ..settings import Settings
    from ..translate import Translator

__all__ = [
    "STRATEGIES",
    "Budget",
    "Document",
    "Draft",
    "Strategy",
    "StrategyOutput",
    "check_strategy",
    "create_strategy",
    "prepare",
]

STRATEGIES = ("extractive", "seq2seq", "llm")


def check_strategy(name: str) -> str:
    """``name`` normalised, or a clear error listing the strategies."""
    key = (name or "").strip().lower()
    if key not in STRATEGIES:
        raise ConfigError(
            f"unknown summary strategy {name!r}; choose one of: {', '.join(STRATEGIES)}"
        )
    return key


def create_strategy(
    name: str,
    translator: Callable[[], Translator],
    settings: Settings,
    model: Any = None,
) -> Strategy:
    """The strategy ``name``; ``model`` replaces the model it would load (tests, sharing)."""
    key = check_strategy(name)
    if key == "extractive":
        from .extractive import ExtractiveStrategy

        return ExtractiveStrategy(translator)
    if key == "seq2seq":
        from .seq2seq import Seq2SeqStrategy

        return Seq2SeqStrategy(translator, settings, model)
    from .llm import LLMStrategy

    return LLMStrategy(translator, settings, model=model)
