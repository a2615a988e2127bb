"""Request guards for the web app: basic auth, body size caps, host names, Retry-After.

(API keys and quotas are in :mod:`service.web.access`.)

They are plain ASGI middleware so that they guard everything mounted in the app — the JSON API,
the Gradio page, its queue and its file routes — not only the routes FastAPI knows about.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from typing import Any

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REALM = "Audarma"
#: Scope key under which an earlier guard leaves the API key a request was authenticated with;
#: basic auth lets such a request through (a script with a key needs no password too).
AUTHENTICATED = "audarma.api_key"


async def send_json(send: Send, status: int, body: dict[str, Any], headers: Iterable = ()) -> None:
    """Answer an HTTP request with a JSON body (the API's error shape) straight from ASGI."""
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *[(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


class BasicAuthMiddleware:
    """HTTP basic auth on every path except ``open_paths`` (the health check, for probes)."""

    def __init__(
        self, app: ASGIApp, credentials: tuple[str, str], open_paths: Iterable[str] = ()
    ) -> None:
        self.app = app
        self._user = credentials[0].encode("utf-8")
        self._password = credentials[1].encode("utf-8")
        self._open = frozenset(open_paths)

    def _authorized(self, scope: Scope) -> bool:
        header = dict(scope.get("headers") or []).get(b"authorization", b"")
        scheme, _, token = header.partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            decoded = base64.b64decode(token.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        user, sep, password = decoded.partition(b":")
        # Compare both parts, always, in constant time: no early exit that leaks which was wrong.
        ok_user = secrets.compare_digest(user, self._user)
        ok_password = secrets.compare_digest(password, self._password)
        return bool(sep) and ok_user and ok_password

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope.get("path") in self._open:
            await self.app(scope, receive, send)
            return
        if scope.get(AUTHENTICATED) is not None or self._authorized(scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        challenge = f'Basic realm="{REALM}", charset="UTF-8"'
        await send_json(
            send, 401, {"error": "authentication required"}, [("www-authenticate", challenge)]
        )


class _BodyTooLarge(HTTPException):
    """Raised from ``receive``: FastAPI passes HTTP exceptions through body parsing unchanged,
    so the app's own handler answers it as a JSON 413."""

    def __init__(self, message: str) -> None:
        super().__init__(413, detail=message)


#: Most bytes of an over-size body read (and thrown away) so that the client, still sending,
#: receives the 413 instead of a connection reset; past it the connection is simply closed.
DRAIN_LIMIT = 64 * 1024 * 1024


class BodyLimitMiddleware:
    """Refuse request bodies over ``limit`` bytes, on every route, with a JSON 413.

    Size checks on the parsed text come too late to protect memory: by then the whole body has
    been read and decoded. This refuses a declared ``Content-Length`` over the limit before
    the app sees the request, and stops a chunked body as soon as it passes the limit; the
    app's own answer (Gradio answers body errors its own way) is replaced by the JSON 413.
    ``upload_paths`` (the page's file uploads) get ``upload_limit`` instead.

    The 413 reaches every client: most send the whole body before they read an answer, and
    a server that answers and closes with the body unread makes the kernel reset the
    connection (urllib and requests then report a reset, not the 413). So the rest of an
    over-size body is drained, up to :data:`DRAIN_LIMIT`, before answering; a client that
    asked ``Expect: 100-continue`` (curl) has sent nothing yet and is answered at once.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        upload_limit: int | None = None,
        upload_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit if upload_limit is not None else limit
        self.upload_paths = frozenset(upload_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.upload_limit if path.rstrip("/") in self.upload_paths else self.limit
        message = f"request body over the {limit}-byte limit"
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            waiting = headers.get(b"expect", b"").lower() == b"100-continue"
            if not waiting and int(declared) <= DRAIN_LIMIT:
                await _drain(receive, 0)
            await send_json(send, 413, {"error": message})
            return
        seen = 0
        over = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, over
            if over:  # the app asks again after the refusal: there is no more body
                raise _BodyTooLarge(message)
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    over = True
                    if msg.get("more_body", False):
                        await _drain(receive, seen)
                    raise _BodyTooLarge(message)
            return msg

        async def guarded_send(msg: Message) -> None:
            nonlocal started
            if over and not started:
                return  # the app's answer to the refusal; ours replaces it
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not over or started:
                raise  # a bug of the app's own, or a refusal too late to answer
        if over and not started:
            await send_json(send, 413, {"error": message})


async def _drain(receive: Receive, seen: int) -> None:
    """Read and drop the rest of a request body, up to :data:`DRAIN_LIMIT` bytes in all."""
    while seen <= DRAIN_LIMIT:
        msg = await receive()
        if msg["type"] != "http.request":
            return  # the client went away
        seen += len(msg.get("body", b""))
        if not msg.get("more_body", False):
            return


class RetryAfterMiddleware:
    """Every 503 says when to come back: the API's own do, and so must the page's queue
    (Gradio answers a full queue with a bare 503)."""

    def __init__(self, app: ASGIApp, seconds: int = 2) -> None:
        self.app = app
        self.header = (b"retry-after", str(seconds).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_retry_after(msg: Message) -> None:
            if msg["type"] == "http.response.start" and msg.get("status") == 503:
                headers = list(msg.get("headers") or [])
                if not any(name.lower() == b"retry-after" for name, _ in headers):
                    msg = {**msg, "headers": [*headers, self.header]}
            await send(msg)

        await self.app(scope, receive, send_with_retry_after)


class HostGuardMiddleware:
    """Answer only requests whose ``Host`` is one of ``allowed_hosts`` (Starlette's rules).

    A server on 127.0.0.1 is reachable from any web page the user opens, through a name that
    the page's site resolves to 127.0.0.1 (DNS rebinding); refusing unknown host names
    closes that door. Starlette's TrustedHostMiddleware decides; a refusal is answered in the
    API's error shape rather than its plain text.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str]) -> None:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        self.app = app
        self.allowed_hosts = list(allowed_hosts)
        self._check = TrustedHostMiddleware(_mark_trusted, self.allowed_hosts, www_redirect=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        verdict: Scope = {**scope, _TRUSTED: False}
        await self._check(verdict, receive, _discard)
        if verdict[_TRUSTED]:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        await send_json(
            send,
            400,
            {
                "error": f"this server does not answer to the host name {host!r};"
                " its operator can allow it with --allowed-hosts"
            },
        )


_TRUSTED = "audarma.host_trusted"


async def _mark_trusted(scope: Scope, receive: Receive, send: Send) -> None:
    scope[_TRUSTED] = True


async def _discard(message: Message) -> None:
    return None
