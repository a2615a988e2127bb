"""``audarma ui``: serve the web page and the JSON API with uvicorn."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading

from ..settings import Settings
from ..translate import Translator
from .common import settings_from_args
from .translate import add_model_arguments

#: Seconds open connections (the page's event streams) get to finish when stopping.
GRACEFUL_SHUTDOWN_S = 3


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "ui",
        help="serve the web page and the HTTP API",
        description=(
            "Serve the page (Translate, Summarize, Evaluate) at / and the JSON API at /api/v1"
            " (OpenAPI at /openapi.json, docs at /docs). Binds to 127.0.0.1 unless --host says"
            " otherwise; the model is loaded before serving and shared by all requests."
        ),
    )
    parser.add_argument("--host", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, help="port (default 7860)")
    parser.add_argument("--auth", help="require HTTP basic auth as USER:PASSWORD")
    parser.add_argument("--concurrency", type=int, help="model calls run at once (default 1)")
    parser.add_argument(
        "--queue-size", type=int, help="requests that may wait; beyond that: 503 (default 32)"
    )
    parser.add_argument("--max-chars", type=int, help="largest text accepted (default 20000)")
    add_model_arguments(parser)
    parser.add_argument(
        "--no-preload",
        dest="preload",
        action="store_false",
        help="load the model on the first request instead of before serving",
    )
    parser.add_argument(
        "--log-level", default="info", choices=("critical", "error", "warning", "info", "debug")
    )
    parser.set_defaults(func=run)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    settings: Settings = settings_from_args(
        args,
        host="host",
        port="port",
        auth="auth",
        concurrency="concurrency",
        queue_size="queue_size",
        max_chars="max_chars",
        model="model",
        engine="engine",
        device="device",
        beam="beam",
        cache="cache",
    )
    _ = settings.credentials  # a malformed --auth fails before anything loads
    translator = Translator(settings=settings)
    if args.preload:
        print(f"audarma: loading {settings.model} ...", file=sys.stderr)
        _ = translator.engine  # a model that cannot load fails here, before serving

    from ..web import create_app  # imports Gradio: only once there is something to serve

    app = create_app(settings, translator=translator)
    if not is_loopback(settings.host) and not settings.auth:
        print(
            f"audarma: warning: serving on {settings.host} without --auth: anyone who can"
            " reach this address can use it",
            file=sys.stderr,
        )
    print(
        f"audarma: serving http://{settings.host}:{settings.port}/ (API: /api/v1, docs: /docs)",
        file=sys.stderr,
    )
    serve(app, settings.host, settings.port, args.log_level)
    print("audarma: server stopped", file=sys.stderr)
    return 0


def serve(app: object, host: str, port: int, log_level: str) -> None:
    """Run uvicorn until SIGINT or SIGTERM, then return normally.

    uvicorn stops gracefully on either signal and then re-raises it; both are made to arrive
    as KeyboardInterrupt here, so that a requested stop ends with status 0 rather than a
    signal death or the CLI's "interrupted" status.
    """
    import uvicorn

    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:  # signal handlers can only be set there
        previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level=log_level,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        )
    except KeyboardInterrupt:
        pass
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
