"""The web app factory: the JSON API under ``/api/v1`` and the Gradio page at ``/``.

One :class:`~service.web.services.AppServices` backs both, so the model is loaded once and
one bounded queue guards it; durable jobs (a background runner) go through the same queue.
API keys, quotas and the job store live under the ``data_dir`` setting; ``/metrics`` serves
Prometheus. Gradio's usage analytics are switched off when the app is made
(Gradio reads the variable each time it would report), so serving the page never calls out
of the machine.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import gradio as gr
from fastapi import FastAPI, Request, Response
from starlette.routing import Route

from .. import __version__
from ..jobs.queue import JobQueue
from ..settings import Settings, load_settings
from ..summarize import Summarizer
from ..translate import Translator
from .access import ApiKeyMiddleware, RequestContextMiddleware, check_log_format
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
from .jobs import JobRunner, build_jobs_router
from .keys import KeyStore
from .metrics import Metrics
from .page import build_page
from .ratelimit import RateLimiter, parse_rate
from .render import CSS
from .services import AppServices

METRICS_PATH = "/metrics"
#: Paths reachable without credentials or keys: liveness probes and metrics scrapers need no
#: secret and learn nothing from them but "ok", the version, the model name and counters.
OPEN_PATHS = (f"{PREFIX}/health", METRICS_PATH)
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
    check_log_format(settings.log_format)
    parse_rate(settings.rate_limit)
    services = AppServices(settings, translator=translator, summarizer=summarizer)
    downloads = DownloadDir()
    keys = KeyStore(settings.keys_path, busy_timeout=1.0)
    queue = JobQueue(settings.jobs_path)
    limiter = RateLimiter()
    metrics = Metrics(lambda: services.translator, services.pool, queue.counts)
    runner = JobRunner(queue, services, settings.jobs_path.with_suffix(".lock"), metrics)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runner.start()
        try:
            yield
        finally:
            # Runs once uvicorn has let open requests finish: the article in hand gets what
            # is left of the shutdown budget; queued ones stay in the store for the next start.
            if runner.stop(settings.shutdown_timeout):
                queue.close()
                keys.close()
            downloads.cleanup()

    app = FastAPI(
        title="Audarma",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.jobs = runner
    install_error_handlers(app)
    router = build_router(services)
    app.include_router(router)
    jobs_router = build_jobs_router(services, queue, runner, limiter)
    app.include_router(jobs_router)
    install_api_fallback(app, router, jobs_router)

    @app.get(METRICS_PATH, include_in_schema=False)
    def prometheus_metrics(request: Request) -> Response:
        body, content_type = metrics.render(request.headers.get("accept", ""))
        return Response(body, headers={"Content-Type": content_type})

    # The last added runs first: request context, host check, API keys, basic auth, the body
    # cap, then the app (and the Retry-After that every 503 of the app, the page's queue
    # included, leaves with). Nothing, not even a body, is read for a stranger.
    credentials = settings.credentials
    app.add_middleware(RetryAfterMiddleware, seconds=RETRY_AFTER_S)
    app.add_middleware(
        BodyLimitMiddleware,
        limit=max(MIN_BODY_LIMIT, 12 * settings.max_chars),
        upload_limit=UPLOAD_BODY_LIMIT,
        upload_paths=UPLOAD_PATHS,
    )
    if credentials:
        app.add_middleware(BasicAuthMiddleware, credentials=credentials, open_paths=OPEN_PATHS)
    app.add_middleware(
        ApiKeyMiddleware,
        keys=keys,
        limiter=limiter,
        default_rate=settings.rate_limit,
        open_paths=OPEN_PATHS,
        uncharged=[("POST", f"{PREFIX}/jobs")],
    )
    if settings.host_names and "*" not in settings.host_names:
        app.add_middleware(HostGuardMiddleware, allowed_hosts=settings.host_names)
    # Metrics label requests by these routes' templates; anything else is the page's.
    labelled = [*router.routes, *jobs_router.routes]
    labelled += [route for route in app.router.routes if isinstance(route, Route)]
    app.add_middleware(
        RequestContextMiddleware,
        routes=labelled,
        metrics=metrics,
        log_format=settings.log_format,
    )

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
