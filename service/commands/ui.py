"""``audarma ui``: serve the web page and the JSON API with uvicorn."""

from __future__ import annotations

import argparse
import contextlib
import errno
import ipaddress
import signal
import socket
import sys
import threading
from collections.abc import Iterator

from ..errors import ConfigError
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
    parser.add_argument(
        "--allowed-hosts",
        metavar="NAMES",
        help=(
            "comma-separated host names the server answers to, e.g. news.example.org or"
            " *.example.org (default: the loopback names when bound to loopback, any otherwise)"
        ),
    )
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
        allowed_hosts="allowed_hosts",
    )  # out-of-range values (port, concurrency, queue size, beam) fail here
    _ = settings.credentials  # a malformed --auth fails before anything loads
    if not settings.allowed_hosts and is_loopback(settings.host):
        # A page on another site may resolve its own name to 127.0.0.1 (DNS rebinding):
        # a loopback server answers only to loopback names.
        settings = settings.replace(allowed_hosts=",".join(LOOPBACK_NAMES))
    with listen(settings.host, settings.port) as sock:  # a port in use fails before loading
        translator = Translator(settings=settings)
        if args.preload:
            print(f"audarma: loading {settings.model} ...", file=sys.stderr)
            _ = translator.engine  # a model that cannot load fails here, before serving

        from ..web import create_app  # imports Gradio: only once there is something to serve

        app = create_app(settings, translator=translator)
        if not is_loopback(settings.host):
            if not settings.auth:
                print(
                    f"audarma: warning: serving on {settings.host} without --auth: anyone who"
                    " can reach this address can use it",
                    file=sys.stderr,
                )
            if not settings.allowed_hosts:
                print(
                    f"audarma: warning: serving on {settings.host} for any Host name; name"
                    " yours with --allowed-hosts",
                    file=sys.stderr,
                )
        print(
            f"audarma: serving http://{settings.host}:{settings.port}/ (API: /api/v1, docs: /docs)",
            file=sys.stderr,
        )
        serve(app, sock, args.log_level)
    print("audarma: server stopped", file=sys.stderr)
    return 0


#: Host names of this machine's loopback interface, as they appear in a Host header.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


@contextlib.contextmanager
def listen(host: str, port: int) -> Iterator[socket.socket]:
    """A socket bound to ``host:port``, or one line saying why there cannot be one.

    Binding before the model loads makes a port in use a one-line error at once, rather
    than uvicorn's log and exit status after a minute of loading; uvicorn then serves on
    this very socket, so nothing can take the port in between.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        hint = (
            "choose another --port, or stop what uses it"
            if exc.errno == errno.EADDRINUSE
            else "check --host and --port"
        )
        raise ConfigError(f"cannot serve on {host}:{port}: {reason} ({hint})") from None
    try:
        yield sock
    finally:
        sock.close()


def serve(app: object, sock: socket.socket, log_level: str) -> None:
    """Run uvicorn on ``sock`` until SIGINT or SIGTERM, then return normally.

    uvicorn stops gracefully on either signal and then re-raises it; both are made to arrive
    as KeyboardInterrupt here, so that a requested stop ends with status 0 rather than a
    signal death or the CLI's "interrupted" status.
    """
    import uvicorn

    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    server = uvicorn.Server(config)
    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:  # signal handlers can only be set there
        previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    stopped = False
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        stopped = True
    except SystemExit:  # uvicorn's answer to a failed startup: its log says why
        pass
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    if not server.started and not stopped:
        raise ConfigError("the server could not start (see uvicorn's log above)")
