"""The web app: the JSON API under ``/api/v1`` and the Gradio page at ``/``, in one process.

``app`` is the factory; ``services`` is what the API and the page share (one translator, one
summarizer, one bounded work pool); ``api`` and ``page`` only convert arguments and render
results (``render`` for the page's HTML, ``files`` for its uploads and downloads); ``guard``
holds the basic-auth and body-limit middleware, ``access`` the API keys, quotas, request ids
and access log (``keys`` stores the keys, ``ratelimit`` counts the quotas), ``metrics`` the
Prometheus registry and ``jobs`` the durable job routes and their runner.

``create_app`` is imported on first use, so that ``audarma keys`` (which needs only
:mod:`service.web.keys`) does not pay for importing Gradio.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app  # imports Gradio

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
