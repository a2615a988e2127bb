"""Audarma: Kazakh news articles into English and Uzbek, with summaries and scores.

Importing the package loads no model library: torch, transformers and CTranslate2 are
imported when a model is loaded, Gradio when the web app is made.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .summarize import Summarizer  # noqa: E402
from .translate import Translator  # noqa: E402

__all__ = ["Summarizer", "Translator", "__version__"]
