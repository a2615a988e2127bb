"""Audarma: Kazakh news articles into English and Uzbek, with summaries and scores.

The heavy classes are imported lazily so that ``import service`` (and ``audarma --help``)
does not load torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Translator", "Summarizer", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from .summarize import Summarizer
    from .translate import Translator


def __getattr__(name: str) -> Any:
    if name == "Translator":
        from .translate import Translator

        return Translator
    if name == "Summarizer":
        from .summarize import Summarizer

        return Summarizer
    raise AttributeError(f"module 'service' has no attribute {name!r}")
