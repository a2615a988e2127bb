"""``audarma ui``: serve the web page and the JSON API with uvicorn."""

from __future__ import annotations

import argparse
import contextlib
import errno
import ipaddress
import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator

from ..errors import ConfigError
from ..settings import Settings
from ..translate import Translator
from .common import settings_from_args
from .translate import add_model_arguments

#: The logger the web app writes one line per request to (service.web.access.ACCESS_LOG; not
#: imported from there, so that `audarma --help` does not import the web stack).
ACCESS_LOG = "audarma.access"


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
        "--data-dir", help="API keys and durable jobs live here (default ~/.local/share/audarma)"
    )
    parser.add_argument(
        "--rate-limit", help="rate of keys added without --rate: N/second|minute|hour"
    )
    parser.add_argument("--max-job-articles", type=int, help="articles in one job (default 1000)")
    parser.add_argument(
        "--max-queued-articles", type=int, help="unfinished job articles in all (default 10000)"
    )
    parser.add_argument(
        "--shutdown-timeout",
        type=float,
        help="seconds a stop gives running requests and the job article in hand (default 20)",
    )
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        help="one line per request on stderr: text (default) or json",
    )
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
        data_dir="data_dir",
        rate_limit="rate_limit",
        max_job_articles="max_job_articles",
        max_queued_articles="max_queued_articles",
        shutdown_timeout="shutdown_timeout",
        log_format="log_format",
        model="model",
        engine="engine",
        device="device",
        beam="beam",
        cache="cache",
        allowed_hosts="allowed_hosts",
    )  # out-of-range values (port, concurrency, queue size, beam ...) fail here
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
                    " can reach this address can use the page (API keys guard only the API)",
                    file=sys.stderr,
                )
            if not settings.allowed_hosts:
                print(
                    f"audarma: warning: serving on {settings.host} for any Host name; name"
                    " yours with --allowed-hosts",
                    file=sys.stderr,
                )
        print(
            f"audarma: serving http://{settings.host}:{settings.port}/ (API: /api/v1, docs:"
            f" /docs, metrics: /metrics; keys and jobs in {settings.data_dir})",
            file=sys.stderr,
        )
        handler = _access_log_handler(args.log_level)
        try:
            serve(
                app,
                sock,
                args.log_level,
                shutdown_timeout=settings.shutdown_timeout,
                on_stop=app.state.jobs.pause,
            )
        finally:
            logging.getLogger(ACCESS_LOG).removeHandler(handler)
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


def _access_log_handler(log_level: str) -> logging.Handler:
    """Print the app's one line per request on stderr, as the app formatted it (text or JSON);
    uvicorn's own access log is off, so each request is logged once."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger(ACCESS_LOG)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if log_level in ("info", "debug") else logging.WARNING)
    logger.propagate = False
    return handler


def serve(
    app: object,
    sock: socket.socket,
    log_level: str,
    shutdown_timeout: float = 20.0,
    on_stop: Callable[[], None] | None = None,
) -> None:
    """Run uvicorn on ``sock`` until SIGINT or SIGTERM, then return normally.

    On the signal, ``on_stop`` runs at once (the job runner takes no new article), uvicorn
    stops accepting connections and gives open requests up to ``shutdown_timeout`` seconds,
    then the app's shutdown waits for the job article in hand. uvicorn re-raises the signal
    when done; both signals are made to arrive as KeyboardInterrupt here, so that a requested
    stop ends with status 0 rather than a signal death or the CLI's "interrupted" status.
    """
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: object) -> None:
            if on_stop is not None:
                on_stop()
            super().handle_exit(sig, frame)  # type: ignore[arg-type]

    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=max(1, round(shutdown_timeout)),
    )
    server = Server(config)
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
