"""API keys: ``audarma keys add|list|revoke`` and what the HTTP API does with them.

Keys are made with the real command (the ``cli`` fixture) in the data folder the app uses, and
checked through the app with FastAPI's test client: 401 without a valid key, Bearer and
X-API-Key both accepted, a revoke effective at once in the running app, health and metrics
open, basic auth unchanged for the page.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.settings import load_settings
from service.web import create_app
from service.web.keys import KEY_PREFIX, KeyStore
from tests.webhelpers import fake_translator, make_settings

TRANSLATE = "/api/v1/translate"
TEXT = {"text": "Сәлем, әлем.", "targets": ["en"]}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def app(data_dir: Path):
    return create_app(translator=fake_translator(make_settings(data_dir=str(data_dir))))


def _add(cli, data_dir: Path, name: str, *extra: str) -> str:
    code, out, err = cli("keys", "add", name, "--data-dir", data_dir, *extra)
    assert code == 0, err
    return out.strip()


# ---------------------------------------------------------------------- the command line
def test_add_prints_the_key_alone_and_stores_only_a_digest(cli, data_dir: Path) -> None:
    code, out, err = cli(
        "keys", "add", "desk-economy", "--rate", "10/minute", "--data-dir", data_dir
    )
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(KEY_PREFIX) and len(lines[0]) > 40
    key = lines[0]
    store_file = data_dir / "keys.sqlite3"
    assert key.encode() not in store_file.read_bytes()
    with sqlite3.connect(store_file) as db:
        (row,) = db.execute("SELECT name, rate, salt, digest FROM api_keys").fetchall()
    assert row[:2] == ("desk-economy", "10/minute")
    assert len(row[2]) == 16 and len(row[3]) == 32  # salt, SHA-256
    assert stat.S_IMODE(os.stat(store_file).st_mode) == 0o600
    # Two keys are never alike.
    assert _add(cli, data_dir, "desk-2") != key


def test_list_shows_names_rates_and_dates_never_keys(cli, data_dir: Path) -> None:
    key = _add(cli, data_dir, "scripts", "--rate", "2/second")
    _add(cli, data_dir, "cms")
    code, out, _ = cli("keys", "list", "--data-dir", data_dir)
    assert code == 0
    assert key not in out
    header, cms, scripts = out.splitlines()
    assert header.split() == ["NAME", "RATE", "CREATED", "LAST", "USED", "STATUS"]
    assert cms.split()[:3] == ["cms", "default", "(60/minute)"]
    assert scripts.split()[:2] == ["scripts", "2/second"]
    assert scripts.split()[-2:] == ["never", "active"]
    code, out, _ = cli("keys", "list", "--format", "json", "--data-dir", data_dir)
    listed = json.loads(out)
    assert [item["name"] for item in listed] == ["cms", "scripts"]
    assert set(listed[0]) == {"name", "rate", "created", "last_used", "revoked"}
    assert listed[0]["rate"] is None and listed[1]["rate"] == "2/second"


def test_data_dir_comes_from_the_environment(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AUDARMA_DATA_DIR", str(tmp_path / "env-data"))
    _add(cli, tmp_path / "unused", "x")  # --data-dir wins over the variable
    code, out, _ = cli("keys", "add", "y")
    assert code == 0
    assert (tmp_path / "env-data" / "keys.sqlite3").exists()
    assert load_settings().keys_path == tmp_path / "env-data" / "keys.sqlite3"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("keys", "add", "bad name"), "bad key name"),
        (("keys", "add", "ok", "--rate", "10/day"), "bad rate '10/day'"),
        (("keys", "add", "ok", "--rate", "0/minute"), "bad rate"),
        (("keys", "revoke", "nobody"), "no active key named 'nobody'"),
    ],
)
def test_bad_requests_are_one_line_errors(cli, data_dir: Path, argv, message: str) -> None:
    code, out, err = cli(*argv, "--data-dir", data_dir)
    assert code == 2 and out == ""
    assert err.startswith("audarma: error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_an_active_name_cannot_be_taken_twice_a_revoked_one_can(cli, data_dir: Path) -> None:
    first = _add(cli, data_dir, "desk")
    code, _, err = cli("keys", "add", "desk", "--data-dir", data_dir)
    assert code == 2 and "a key named 'desk' exists; revoke it first" in err
    assert cli("keys", "revoke", "desk", "--data-dir", data_dir)[0] == 0
    second = _add(cli, data_dir, "desk")
    store = KeyStore(data_dir / "keys.sqlite3")
    assert store.authenticate(first) is None
    again = store.authenticate(second)
    assert again is not None and again.name == "desk"
    store.close()


# ---------------------------------------------------------------------- the HTTP API
def test_without_keys_the_api_is_open(app) -> None:
    with TestClient(app) as client:
        assert client.post(TRANSLATE, json=TEXT).status_code == 200


def test_with_a_key_every_api_route_but_health_needs_one(cli, app, data_dir: Path) -> None:
    key = _add(cli, data_dir, "desk")
    with TestClient(app) as client:
        for method, path in [
            ("POST", TRANSLATE),
            ("GET", "/api/v1/languages"),
            ("GET", "/api/v1/jobs/whatever"),
            ("GET", "/api/v1/no-such-route"),
        ]:
            response = client.request(method, path, json=TEXT)
            assert response.status_code == 401, path
            assert "API key is required" in response.json()["error"]
            assert response.headers["www-authenticate"] == 'Bearer realm="Audarma"'
        wrong = client.post(TRANSLATE, json=TEXT, headers={"Authorization": f"Bearer {key}x"})
        assert wrong.status_code == 401
        assert client.get("/api/v1/health").status_code == 200
        assert client.get("/metrics").status_code == 200
        assert client.get("/").status_code == 200  # the page: basic auth only (off here)
        bearer = client.post(TRANSLATE, json=TEXT, headers={"Authorization": f"Bearer {key}"})
        assert bearer.status_code == 200
        header = client.post(TRANSLATE, json=TEXT, headers={"X-API-Key": key})
        assert header.status_code == 200
        assert header.json() == bearer.json()


def test_a_revoked_key_stops_working_at_once(cli, app, data_dir: Path) -> None:
    key = _add(cli, data_dir, "desk")
    other = _add(cli, data_dir, "other")
    with TestClient(app) as client:
        headers = {"X-API-Key": key}
        assert client.get("/api/v1/languages", headers=headers).status_code == 200
        assert cli("keys", "revoke", "desk", "--data-dir", data_dir)[0] == 0
        assert client.get("/api/v1/languages", headers=headers).status_code == 401
        assert client.get("/api/v1/languages", headers={"X-API-Key": other}).status_code == 200
        # The last key revoked: keys are off again, the API is open.
        assert cli("keys", "revoke", "other", "--data-dir", data_dir)[0] == 0
        assert client.get("/api/v1/languages").status_code == 200


def test_last_used_is_recorded(cli, app, data_dir: Path) -> None:
    key = _add(cli, data_dir, "desk")
    with TestClient(app) as client:
        assert client.get("/api/v1/languages", headers={"X-API-Key": key}).status_code == 200
    code, out, _ = cli("keys", "list", "--format", "json", "--data-dir", data_dir)
    (info,) = json.loads(out)
    assert info["last_used"] is not None and info["last_used"] >= info["created"]


def test_basic_auth_stays_on_the_page_a_key_opens_the_api(cli, data_dir: Path) -> None:
    settings = make_settings(data_dir=str(data_dir), auth="editor:pw")
    app = create_app(translator=fake_translator(settings))
    key = _add(cli, data_dir, "cms")
    with TestClient(app) as client:
        assert client.get("/").status_code == 401
        assert client.get("/", auth=("editor", "pw")).status_code == 200
        assert client.get("/api/v1/languages", headers={"X-API-Key": key}).status_code == 200
        # Keys on: the password alone does not open the API.
        assert client.get("/api/v1/languages", auth=("editor", "pw")).status_code == 401
        assert client.get("/metrics").status_code == 200
        assert client.get("/api/v1/health").status_code == 200
