"""Who calls, how often, and what happened: API keys and quotas, request ids, logs, metrics.

Two ASGI middlewares, so they cover every answer of the app, including those other guards
give before any route runs (401, 413, 429):

- :class:`ApiKeyMiddleware` — when at least one API key exists, every ``/api/...`` path
  except the health check needs one (``Authorization: Bearer KEY`` or ``X-API-Key: KEY``),
  and each request is charged to the key's quota. Nothing, not even the body, is read for a
  caller without a valid key.
- :class:`RequestContextMiddleware` — the outermost layer: gives each request an id (the
  caller's ``X-Request-ID`` when it is sane), echoes it in the answer's headers and in every
  JSON error body, writes one log line per request (never its text) and records the request
  in the metrics.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.routing import BaseRoute, Match

from ..errors import ConfigError
from .guard import AUTHENTICATED, ASGIApp, Message, Receive, Scope, Send, send_json
from .keys import ApiKey, KeyStore
from .metrics import Metrics
from .ratelimit import RateLimitedError, RateLimiter, parse_rate

#: Where an authenticated key is kept in the ASGI scope (``request.state.api_key`` too).
API_KEY_SCOPE = AUTHENTICATED
#: The one line per request goes to this logger (``audarma ui`` prints it on stderr).
ACCESS_LOG = "audarma.access"
LOG_FORMATS = ("text", "json")
#: A caller's own request id is kept when it looks like one (and cannot forge log lines).
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

KEY_REQUIRED = (
    "an API key is required: send 'Authorization: Bearer KEY' or 'X-API-Key: KEY'"
    " (a revoked or mistyped key counts as none)"
)

access_log = logging.getLogger(ACCESS_LOG)
log = logging.getLogger(__name__)


def check_log_format(log_format: str) -> str:
    """``log_format`` if it is one of :data:`LOG_FORMATS`, else a :class:`ConfigError`."""
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"log_format must be one of {', '.join(LOG_FORMATS)}, got {log_format!r}")
    return log_format


def caller(request: Any) -> ApiKey | None:
    """The API key a request was authenticated with, or None (keys off, or an open path)."""
    return request.scope.get(API_KEY_SCOPE)


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value
    return b""


def presented_key(scope: Scope) -> str:
    """The key a request presents: ``Authorization: Bearer KEY``, else ``X-API-Key: KEY``."""
    scheme, _, token = _header(scope, b"authorization").partition(b" ")
    if scheme.lower() == b"bearer" and token.strip():
        return token.strip().decode("latin-1")
    return _header(scope, b"x-api-key").strip().decode("latin-1")


class ApiKeyMiddleware:
    """API keys and per-key quotas on ``prefix`` paths, except ``open_paths``.

    ``uncharged`` are ``(method, path)`` pairs whose route charges the quota itself (a job
    costs one per article, known only once its body is read).
    """

    def __init__(
        self,
        app: ASGIApp,
        keys: KeyStore,
        limiter: RateLimiter,
        default_rate: str,
        prefix: str = "/api/",
        open_paths: Iterable[str] = (),
        uncharged: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.app = app
        self.keys = keys
        self.limiter = limiter
        self.default_rate = parse_rate(default_rate)
        self.prefix = prefix
        self.open = frozenset(open_paths)
        self.uncharged = frozenset(uncharged)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith(self.prefix)
            or path in self.open
            or not self.keys.enforced()
        ):
            await self.app(scope, receive, send)
            return
        key = self.keys.authenticate(presented_key(scope))
        if key is None:
            await send_json(
                send,
                401,
                {"error": KEY_REQUIRED},
                [("www-authenticate", 'Bearer realm="Audarma"')],
            )
            return
        if not key.rate:
            key = dataclasses.replace(key, rate=self.default_rate)
        scope[API_KEY_SCOPE] = key
        scope.setdefault("state", {})["api_key"] = key
        if (scope.get("method", ""), path) not in self.uncharged:
            try:
                self.limiter.hit(str(key.id), key.rate)
            except RateLimitedError as exc:
                await send_json(
                    send, 429, {"error": str(exc)}, [("retry-after", str(exc.retry_after))]
                )
                return
        await self.app(scope, receive, send)


def route_label(routes: Sequence[BaseRoute], scope: Scope) -> str:
    """The template of the route among ``routes`` that ``scope`` goes to, e.g.
    ``/api/v1/jobs/{job_id}``: a metrics label of bounded cardinality (never an id). A path
    none of them takes is the mounted page's (``page``)."""
    probe = {
        "type": "http",
        "path": scope.get("path", ""),
        "root_path": "",
        "method": scope.get("method", "GET"),
    }
    for route in routes:
        if route.matches(probe)[0] is not Match.NONE:
            return getattr(route, "path", "other")
    return "page"


class RequestContextMiddleware:
    """Request id, one access-log line and the request metrics for every HTTP request."""

    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[BaseRoute],
        metrics: Metrics | None = None,
        log_format: str = "text",
    ) -> None:
        self.app = app
        self.routes = routes
        self.metrics = metrics
        self.log_format = check_log_format(log_format)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id").decode("latin-1")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        route = route_label(self.routes, scope)
        started = time.perf_counter()
        response = _Response(send, request_id)
        try:
            await self.app(scope, receive, response.send)
        except Exception:
            log.exception("request %s failed", request_id)
            if response.started:
                raise
            await send_json(
                response.send, 500, {"error": "internal error; the server log has the details"}
            )
        finally:
            seconds = time.perf_counter() - started
            method = scope.get("method", "")
            if self.metrics is not None:
                self.metrics.observe(route, method, response.status, seconds)
            if access_log.isEnabledFor(logging.INFO):
                key = scope.get(API_KEY_SCOPE)
                access_log.info(
                    self._line(request_id, method, route, response.status, seconds, key)
                )

    def _line(
        self,
        request_id: str,
        method: str,
        route: str,
        status: int,
        seconds: float,
        key: ApiKey | None,
    ) -> str:
        now = time.time()
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
        stamp += f".{int(now % 1 * 1000):03d}Z"
        if self.log_format == "json":
            return json.dumps(
                {
                    "time": stamp,
                    "request_id": request_id,
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                    "key": key.name if key else None,
                },
                ensure_ascii=False,
            )
        name = key.name if key else "-"
        return f"{stamp} {request_id} {method} {route} {status} {seconds * 1000:.1f}ms key={name}"


class _Response:
    """Wraps ``send``: adds ``X-Request-ID``, remembers the status, and puts ``request_id``
    into a JSON error body (held back until its one body message has come)."""

    def __init__(self, send: Send, request_id: str) -> None:
        self._send = send
        self._id = request_id
        self.status = 500
        self.started = False
        self._held: Message | None = None

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = message["status"]
            headers = [
                (k, v) for k, v in message.get("headers", ()) if k.lower() != b"x-request-id"
            ]
            headers.append((b"x-request-id", self._id.encode("latin-1")))
            message = {**message, "headers": headers}
            content_type = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
            if self.status >= 400 and content_type.startswith(b"application/json"):
                self._held = message
                return
            await self._send(message)
            return
        if message["type"] == "http.response.body" and self._held is not None:
            start, self._held = self._held, None
            body = message.get("body", b"")
            if not message.get("more_body", False):
                body = _with_request_id(body, self._id)
                start = {**start, "headers": _set_length(start["headers"], len(body))}
                message = {**message, "body": body}
            await self._send(start)
        await self._send(message)


def _with_request_id(body: bytes, request_id: str) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, dict) or "error" not in data or "request_id" in data:
        return body
    data["request_id"] = request_id
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _set_length(headers: Iterable[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    return [*kept, (b"content-length", str(length).encode())]
