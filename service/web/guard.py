"""Request guards for the web app: optional basic auth and a request-body size cap.

(API keys and quotas are in :mod:`service.web.access`.)

They are plain ASGI middleware so that they guard everything mounted in the app — the JSON API,
the Gradio page, its queue and its file routes — not only the routes FastAPI knows about.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
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


class BodyLimitMiddleware:
    """Refuse request bodies over ``limit`` bytes under ``prefix`` with 413, before parsing.

    Size checks on the parsed text come too late to protect memory: by then the whole body has
    been read and decoded. This refuses a declared ``Content-Length`` over the limit at once and
    stops reading a chunked body as soon as it passes the limit.
    """

    def __init__(self, app: ASGIApp, limit: int, prefix: str = "/api/") -> None:
        self.app = app
        self.limit = limit
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        message = f"request body over the {self.limit}-byte limit"
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await send_json(send, 413, {"error": message})
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge(message)
            return msg

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if started:
                raise
            await send_json(send, 413, {"error": message})
