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
from .extractive import ExtractiveStrategy
from .llm import LLMStrategy
from .seq2seq import Seq2SeqStrategy

if TYPE_CHECKING:  # pragma: no cover
    from ..settings import Settings
    from ..translate import Translator

__all__ = [
    "STRATEGIES",
    "STRATEGY_NAMES",
    "Budget",
    "Document",
    "Draft",
    "Strategy",
    "StrategyOutput",
    "check_strategy",
    "create_strategy",
    "prepare",
]

#: ``factory(translator, settings, model)`` -> a strategy; ``model`` replaces the model it
#: would load (tests, sharing), ``translator`` is called only when a translation is needed.
StrategyFactory = Callable[[Callable[[], "Translator"], "Settings", Any], Strategy]

#: Strategy name -> factory: the one registry of summary strategies (CLI choices, the API's
#: schema and the page's radio buttons are built from it).
STRATEGIES: dict[str, StrategyFactory] = {
    "extractive": lambda translator, settings, model: ExtractiveStrategy(translator),
    "seq2seq": lambda translator, settings, model: Seq2SeqStrategy(translator, settings, model),
    "llm": lambda translator, settings, model: LLMStrategy(translator, settings, model=model),
}
STRATEGY_NAMES = tuple(STRATEGIES)


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
    return STRATEGIES[check_strategy(name)](translator, settings, model)
