"""Request ids and the access log: an id on every answer (the caller's when sane), in every
JSON error body, one log line per request (text or JSON) with route, status, duration and key
name, never the text; an unexpected failure answers JSON 500 with the id."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.errors import ConfigError
from service.web import create_app
from service.web.access import ACCESS_LOG
from tests.fakes import FakeEngine
from tests.webhelpers import fake_translator, make_settings

SECRET_TEXT = "Құпия мәтін журналға түспеуі керек."


class BrokenEngine(FakeEngine):
    def translate_batch(self, *args, **kwargs):
        raise RuntimeError("engine bug")


def _app(tmp_path: Path, engine=None, **settings):
    settings = make_settings(data_dir=str(tmp_path / "data"), **settings)
    return create_app(translator=fake_translator(settings, engine=engine))


def test_every_answer_has_a_request_id(tmp_path: Path) -> None:
    with TestClient(_app(tmp_path)) as client:
        ids = {
            client.get(path).headers["x-request-id"] for path in ("/api/v1/health", "/", "/metrics")
        }
        assert len(ids) == 3 and all(len(i) == 32 for i in ids)
        mine = client.get("/api/v1/health", headers={"X-Request-ID": "cms-42.a"})
        assert mine.headers["x-request-id"] == "cms-42.a"
        # A forged id (spaces, line breaks, too long) is replaced, not echoed into logs.
        for bad in ("two words", "x" * 65, "a\tb"):
            echoed = client.get("/api/v1/health", headers={"X-Request-ID": bad})
            assert echoed.headers["x-request-id"] != bad


def test_error_bodies_carry_the_request_id(tmp_path: Path) -> None:
    with TestClient(_app(tmp_path)) as client:
        for response in (
            client.post("/api/v1/translate", json={"text": ""}, headers={"X-Request-ID": "r1"}),
            client.post("/api/v1/translate", json={}),
            client.get("/api/v1/nothing"),
            client.post(
                "/api/v1/translate",
                content=b"x" * (9 * 1024 * 1024),
                headers={"content-type": "application/json"},
            ),
        ):
            body = response.json()
            assert response.status_code >= 400 and body["error"]
            assert body["request_id"] == response.headers["x-request-id"]
            assert int(response.headers["content-length"]) == len(response.content)
        assert client.post("/api/v1/translate", json={"text": ""}).json()["request_id"] != "r1"


def test_unexpected_failure_is_json_500_with_the_id(tmp_path: Path, caplog) -> None:
    client = TestClient(_app(tmp_path, engine=BrokenEngine()))
    with caplog.at_level(logging.ERROR, logger="service.web.access"):
        response = client.post("/api/v1/translate", json={"text": "Сәлем."})
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal error; the server log has the details",
        "request_id": response.headers["x-request-id"],
    }
    assert "engine bug" in caplog.text and response.headers["x-request-id"] in caplog.text


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_one_log_line_per_request_without_the_text(
    cli, tmp_path: Path, caplog, log_format: str
) -> None:
    app = _app(tmp_path, log_format=log_format)
    _, key, _ = cli("keys", "add", "desk-7", "--data-dir", tmp_path / "data")
    headers = {"X-API-Key": key.strip(), "X-Request-ID": "req-1"}
    with TestClient(app) as client, caplog.at_level(logging.INFO, logger=ACCESS_LOG):
        client.post("/api/v1/translate", json={"text": SECRET_TEXT}, headers=headers)
        client.get("/api/v1/health")
        client.get("/api/v1/languages", headers={"X-Request-ID": "req-3"})
    lines = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOG]
    assert len(lines) == 3
    assert "Құпия" not in caplog.text and key.strip() not in caplog.text
    if log_format == "json":
        first, second, third = (json.loads(line) for line in lines)
        assert set(first) == {
            "time",
            "request_id",
            "method",
            "route",
            "status",
            "duration_ms",
            "key",
        }
        assert first["request_id"] == "req-1" and first["key"] == "desk-7"
        assert (first["route"], first["method"], first["status"]) == (
            "/api/v1/translate",
            "POST",
            200,
        )
        assert first["duration_ms"] >= 0 and first["time"].endswith("Z")
        assert second["route"] == "/api/v1/health" and second["key"] is None
        assert (third["status"], third["key"]) == (401, None)
    else:
        words = lines[0].split()
        assert words[1:5] == ["req-1", "POST", "/api/v1/translate", "200"]
        assert words[5].endswith("ms") and words[6] == "key=desk-7"
        assert lines[2].split()[4] == "401" and lines[2].endswith("key=-")


def test_bad_log_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="log_format must be one of text, json"):
        _app(tmp_path, log_format="xml")
