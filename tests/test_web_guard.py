"""Basic auth and the request-body cap, on a bare app so that only the guards are tested."""

from __future__ import annotations

import base64

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from service.errors import ConfigError
from service.settings import parse_auth
from service.web.api import install_error_handlers
from service.web.guard import BasicAuthMiddleware, BodyLimitMiddleware


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
