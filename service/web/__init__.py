"""The web app: the JSON API under ``/api/v1`` and the Gradio page at ``/``, in one process.

``app`` is the factory; ``services`` is what the API and the page share (one translator, one
summarizer, one bounded work pool); ``api`` and ``page`` only convert arguments and render
results (``render`` for the page's HTML, ``files`` for its uploads and downloads); ``guard``
holds the ASGI middleware (basic auth, body limits). Importing this package imports Gradio.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
