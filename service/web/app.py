"""The web app factory: the JSON API under ``/api/v1`` and the Gradio page at ``/``.

One :class:`~service.web.services.AppServices` backs both, so the model is loaded once and
one bounded queue guards it. Gradio's usage analytics are switched off when the app is made
(Gradio reads the variable each time it would report), so serving the page never calls out
of the machine.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import gradio as gr
from fastapi import FastAPI

from .. import __version__
from ..settings import Settings, load_settings
from ..summarize import Summarizer
from ..translate import Translator
from .api import (
    PREFIX,
    RETRY_AFTER_S,
    build_router,
    install_api_fallback,
    install_error_handlers,
)
from .files import DownloadDir
from .guard import (
    BasicAuthMiddleware,
    BodyLimitMiddleware,
    HostGuardMiddleware,
    RetryAfterMiddleware,
)
from .page import build_page
from .render import CSS
from .services import AppServices

#: Paths reachable without credentials when basic auth is on: liveness probes need no secret
#: and learn nothing from it but "ok", the version and the model name.
OPEN_PATHS = (f"{PREFIX}/health",)
#: Largest request body on any route (API and page alike): an article at the size limit,
#: JSON-escaped (up to 12 bytes per character as \\uXXXX surrogate pairs) or a test set for
#: scoring, whichever is larger.
MIN_BODY_LIMIT = 8 * 1024 * 1024
#: Largest file the page accepts as an upload (hypotheses or references for scoring).
MAX_UPLOAD = "10mb"
#: The page's upload route takes several such files in one request (references).
UPLOAD_BODY_LIMIT = 32 * 1024 * 1024
UPLOAD_PATHS = ("/gradio_api/upload",)

DESCRIPTION = """Translate Kazakh news articles into English and Uzbek, summarize and score.

Errors are JSON `{"error": "..."}`: 400 unusable input or unknown language, 413 over the size
limit, 422 schema errors, 503 busy (retry after `Retry-After` seconds) or model unavailable.
The page at `/` offers the same functions to people.
"""


def create_app(
    settings: Settings | None = None,
    translator: Translator | None = None,
    summarizer: Summarizer | None = None,
) -> FastAPI:
    """The FastAPI app with the JSON API and the page; serve it with any ASGI server.

    ``translator`` and ``summarizer`` replace the ones built from ``settings`` (tests pass a
    translator with a fake engine; ``audarma ui`` lets them default).
    """
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    settings = settings or (translator.settings if translator else load_settings())
    services = AppServices(settings, translator=translator, summarizer=summarizer)
    downloads = DownloadDir()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            downloads.cleanup()

    app = FastAPI(
        title="Audarma",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.services = services
    install_error_handlers(app)
    router = build_router(services)
    app.include_router(router)
    install_api_fallback(app, router)

    # Middleware added last runs first: host check, auth, body cap, then the app (and the
    # Retry-After that every 503 of the app, the page's queue included, leaves with).
    credentials = settings.credentials
    app.add_middleware(RetryAfterMiddleware, seconds=RETRY_AFTER_S)
    app.add_middleware(
        BodyLimitMiddleware,
        limit=max(MIN_BODY_LIMIT, 12 * settings.max_chars),
        upload_limit=UPLOAD_BODY_LIMIT,
        upload_paths=UPLOAD_PATHS,
    )
    if credentials:
        # Nothing, not even a body, is read for a stranger.
        app.add_middleware(BasicAuthMiddleware, credentials=credentials, open_paths=OPEN_PATHS)
    if settings.host_names and "*" not in settings.host_names:
        app.add_middleware(HostGuardMiddleware, allowed_hosts=settings.host_names)

    page = build_page(services, downloads)
    return gr.mount_gradio_app(
        app,
        page,
        path="/",
        footer_links=["api"],
        css=CSS,
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
        enable_monitoring=False,
        max_file_size=MAX_UPLOAD,
        show_error=True,
    )
