"""Basic auth and the request-body cap, on a bare app so that only the guards are tested."""

from __future__ import annotations

import base64

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from service.errors import ConfigError
from service.settings import parse_auth
from service.web.api import install_error_handlers
from service.web.guard import (
    BasicAuthMiddleware,
    BodyLimitMiddleware,
    HostGuardMiddleware,
    RetryAfterMiddleware,
)


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def guarded() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/open")
    async def open_route() -> dict:
        return {"ok": True}

    @app.get("/secret")
    async def secret() -> dict:
        return {"ok": True}

    @app.post("/api/echo")
    async def echo(request: Request) -> dict:
        return {"size": len(await request.body())}

    app.add_middleware(BodyLimitMiddleware, limit=100)
    app.add_middleware(BasicAuthMiddleware, credentials=("editor", "s3cr:et"), open_paths=["/open"])
    return TestClient(app)


def test_parse_auth() -> None:
    assert parse_auth("") is None
    assert parse_auth("editor:s3cr:et") == ("editor", "s3cr:et")
    for bad in ("editor", ":pw", "editor:"):
        with pytest.raises(ConfigError):
            parse_auth(bad)


def test_auth_required_with_challenge(guarded: TestClient) -> None:
    response = guarded.get("/secret")
    assert response.status_code == 401
    assert response.json() == {"error": "authentication required"}
    assert response.headers["www-authenticate"].startswith('Basic realm="Audarma"')


@pytest.mark.parametrize(
    "headers",
    [
        _basic("editor", "wrong"),
        _basic("someone", "s3cr:et"),
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": "Bearer abc"},
    ],
)
def test_wrong_credentials_refused(guarded: TestClient, headers: dict[str, str]) -> None:
    assert guarded.get("/secret", headers=headers).status_code == 401


def test_right_credentials_and_open_paths(guarded: TestClient) -> None:
    assert guarded.get("/secret", headers=_basic("editor", "s3cr:et")).json() == {"ok": True}
    assert guarded.get("/open").status_code == 200


def test_body_limit_declared_and_streamed(guarded: TestClient) -> None:
    auth = _basic("editor", "s3cr:et")
    assert guarded.post("/api/echo", content=b"x" * 100, headers=auth).json() == {"size": 100}
    declared = guarded.post("/api/echo", content=b"x" * 101, headers=auth)
    assert declared.status_code == 413
    assert "100-byte limit" in declared.json()["error"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(5):
            yield b"x" * 40

    streamed = guarded.post("/api/echo", content=chunks(), headers=auth)
    assert streamed.status_code == 413
    assert "error" in streamed.json()


# ---------------------------------------------------------------------- every route (#12)
@pytest.fixture
def capped() -> TestClient:
    """Body limits on a bare app: 100 bytes everywhere, 1000 on the upload path."""
    from starlette.responses import PlainTextResponse

    app = FastAPI()
    install_error_handlers(app)

    @app.post("/page/echo")
    async def page_echo(request: Request) -> dict:
        return {"size": len(await request.body())}

    @app.post("/page/swallow")
    async def swallow(request: Request):
        try:  # a framework that answers body errors its own way (as Gradio does)
            await request.body()
        except Exception:
            return PlainTextResponse("Invalid JSON body.", status_code=400)
        return PlainTextResponse("ok")

    @app.post("/page/upload")
    async def upload(request: Request) -> dict:
        return {"size": len(await request.body())}

    @app.get("/busy")
    async def busy():
        return PlainTextResponse("busy", status_code=503)

    app.add_middleware(
        BodyLimitMiddleware, limit=100, upload_limit=1000, upload_paths=("/page/upload",)
    )
    app.add_middleware(RetryAfterMiddleware)
    return TestClient(app)


def _chunks(size: int, step: int = 40):
    for start in range(0, size, step):
        yield b"x" * min(step, size - start)


def test_body_limit_guards_every_path(capped: TestClient) -> None:
    assert capped.post("/page/echo", content=b"x" * 100).json() == {"size": 100}
    for path in ("/page/echo", "/page/swallow"):
        for body in (b"x" * 101, _chunks(200)):
            response = capped.post(path, content=body)
            assert response.status_code == 413, path
            assert response.json() == {"error": "request body over the 100-byte limit"}


def test_upload_path_has_its_own_limit(capped: TestClient) -> None:
    assert capped.post("/page/upload", content=b"x" * 1000).json() == {"size": 1000}
    response = capped.post("/page/upload", content=_chunks(1001))
    assert response.status_code == 413
    assert response.json() == {"error": "request body over the 1000-byte limit"}


def test_every_503_tells_when_to_retry(capped: TestClient) -> None:
    response = capped.get("/busy")
    assert response.status_code == 503 and response.headers["retry-after"] == "2"


@pytest.fixture
def hosts() -> TestClient:
    app = FastAPI()

    @app.get("/")
    async def root() -> dict:
        return {"ok": True}

    app.add_middleware(HostGuardMiddleware, allowed_hosts=["localhost", "127.0.0.1", "[::1]"])
    return TestClient(app, base_url="http://localhost")


@pytest.mark.parametrize("host", ["localhost", "localhost:7860", "127.0.0.1:80", "[::1]:7860"])
def test_allowed_hosts_pass(hosts: TestClient, host: str) -> None:
    assert hosts.get("/", headers={"host": host}).json() == {"ok": True}


@pytest.mark.parametrize("host", ["evil.example", "evil.example:7860", "localhost.evil", ""])
def test_other_hosts_are_refused_with_json(hosts: TestClient, host: str) -> None:
    response = hosts.get("/", headers={"host": host})
    assert response.status_code == 400
    assert response.json()["error"].startswith("this server does not answer to the host name")
