"""Durable jobs through the HTTP API: submit (202), status, NDJSON results in the CLI batch
record shape, cancel, ownership by key, limits; on the fake engine (exact content) and the
tiny NLLB model (the real engine path)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.jobs.queue import JobQueue
from service.web import create_app
from tests.data import seed_text
from tests.webhelpers import GatedEngine, fake_translator, make_settings

JOBS = "/api/v1/jobs"
WAIT_S = 120


def wait_for_job(client: TestClient | httpx.Client, job_id: str, headers=None) -> dict:
    """Poll until the job is finished (bounded: fails after WAIT_S)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        status = client.get(f"{JOBS}/{job_id}", headers=headers).json()
        if status["status"] in ("done", "failed", "cancelled"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {WAIT_S} s: {status}")


def records(client, job_id: str, headers=None) -> list[dict]:
    response = client.get(f"{JOBS}/{job_id}/results", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


ARTICLES = [
    {"id": "first", "text": "Бүгін Ташкентте форум өтті.\nОған министрлер қатысты."},
    {"id": "empty", "text": "   "},
    {"id": "third", "text": "Дәрігерлер кеңес берді."},
]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def client(data_dir: Path):
    app = create_app(translator=fake_translator(make_settings(data_dir=str(data_dir))))
    with TestClient(app) as test_client:
        yield test_client


def test_job_end_to_end_records_match_the_cli_batch(
    client: TestClient, cli, fake_engine, tmp_path: Path
) -> None:
    submitted = client.post(JOBS, json={"articles": ARTICLES, "targets": ["en", "uz"]})
    assert submitted.status_code == 202
    body = submitted.json()
    assert body == {"id": body["id"], "status": "queued", "total": 3}
    status = wait_for_job(client, body["id"])
    assert status == {"id": body["id"], "status": "done", "total": 3, "done": 2, "failed": 1}

    got = records(client, body["id"])
    assert [record["id"] for record in got] == ["first", "empty", "third"]
    assert got[1] == {"id": "empty", "error": "the article is empty"}
    # The same articles through `audarma translate batch.jsonl`: the same records.
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8"
    )
    code, out, _ = cli("translate", batch, "--to", "en,uz")
    assert code == 2  # one article failed
    assert [json.loads(line) for line in out.splitlines()] == got


def test_job_with_summaries(client: TestClient) -> None:
    article = {"id": "seed", "text": seed_text()}
    job = client.post(JOBS, json={"articles": [article], "targets": ["en"], "summaries": True})
    wait_for_job(client, job.json()["id"])
    (record,) = records(client, job.json()["id"])
    assert list(record["translations"]) == ["en"]
    assert list(record["summaries"]) == ["kk", "en"]
    assert record["summaries"]["kk"]["sentences"]


def test_bad_jobs_are_refused_before_anything_is_stored(client: TestClient, data_dir) -> None:
    too_long = {"articles": [{"id": "a", "text": "ә" * 20001}]}
    response = client.post(JOBS, json=too_long)
    assert response.status_code == 413
    assert response.json()["error"] == "article 'a' has 20001 characters; the limit is 20000"
    twice = {"articles": [{"id": "a", "text": "Сәлем."}, {"id": "a", "text": "Сау бол."}]}
    assert client.post(JOBS, json=twice).json()["error"] == (
        "article id 'a' appears twice; ids must be unique"
    )
    assert client.post(JOBS, json={"articles": []}).status_code == 422
    assert client.post(JOBS, json={"articles": [{"text": "x"}]}).status_code == 422
    unknown = client.post(JOBS, json={"articles": [{"id": "a", "text": "x"}], "targets": ["fr"]})
    assert unknown.status_code == 400
    kazakh = client.post(JOBS, json={"articles": [{"id": "a", "text": "x"}], "targets": ["kk"]})
    assert kazakh.status_code == 400
    assert kazakh.json()["error"] == "the source language is Kazakh; choose other target languages"
    assert client.post(
        JOBS, json={"articles": [{"id": "a", "text": "x"}], "lang": 1}
    ).status_code == (422)
    assert JobQueue(data_dir / "jobs.sqlite3").counts()["queued_articles"] == 0


def test_articles_per_job_limit(data_dir: Path) -> None:
    app = create_app(
        translator=fake_translator(make_settings(data_dir=str(data_dir), max_job_articles=2))
    )
    client = TestClient(app)
    articles = [{"id": str(i), "text": "Сәлем."} for i in range(3)]
    response = client.post(JOBS, json={"articles": articles})
    assert response.status_code == 413
    assert response.json()["error"] == (
        "the job has 3 articles; the limit is 2 (setting max_job_articles):"
        " split it into several jobs"
    )


def test_unknown_job_is_404(client: TestClient) -> None:
    for path in (f"{JOBS}/nope", f"{JOBS}/nope/results"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["error"] == "no such job: nope"
    assert client.delete(f"{JOBS}/nope").status_code == 404


def test_a_key_sees_only_its_own_jobs(cli, client: TestClient, data_dir: Path) -> None:
    keys = {}
    for name in ("desk-a", "desk-b"):
        code, out, _ = cli("keys", "add", name, "--data-dir", data_dir)
        keys[name] = {"X-API-Key": out.strip()}
    job = client.post(JOBS, json={"articles": ARTICLES[:1]}, headers=keys["desk-a"]).json()
    wait_for_job(client, job["id"], keys["desk-a"])
    assert len(records(client, job["id"], keys["desk-a"])) == 1
    for method, path in [
        ("GET", f"{JOBS}/{job['id']}"),
        ("GET", f"{JOBS}/{job['id']}/results"),
        ("DELETE", f"{JOBS}/{job['id']}"),
    ]:
        response = client.request(method, path, headers=keys["desk-b"])
        assert response.status_code == 404, path
    assert client.get(f"{JOBS}/{job['id']}").status_code == 401


def test_cancel_stops_a_job_between_articles(data_dir: Path) -> None:
    engine = GatedEngine()
    app = create_app(
        translator=fake_translator(make_settings(data_dir=str(data_dir)), engine=engine)
    )
    with TestClient(app) as client:
        articles = [{"id": str(i), "text": f"Сөйлем {i}."} for i in range(5)]
        job = client.post(JOBS, json={"articles": articles, "targets": ["en"]}).json()
        assert engine.entered.wait(30)  # article 0 is in the engine
        cancelled = client.delete(f"{JOBS}/{job['id']}")
        assert cancelled.status_code == 200
        assert cancelled.json() == {
            "id": job["id"],
            "status": "cancelled",
            "total": 5,
            "done": 0,
            "failed": 0,
        }
        engine.gate.set()
        again = client.delete(f"{JOBS}/{job['id']}")
        assert again.status_code == 409
        assert again.json()["error"] == f"job {job['id']} is already cancelled"
        # The runner takes nothing more of it; the article in hand is not recorded.
        client.post(JOBS, json={"articles": [{"id": "next", "text": "Келесі."}], "targets": ["en"]})
        deadline = time.monotonic() + WAIT_S
        while client.get("/api/v1/health").json()["queue"]["running"] and (
            time.monotonic() < deadline
        ):
            time.sleep(0.05)
        assert records(client, job["id"]) == []
    assert [s for batch in engine.calls for s in batch if s.startswith("Сөйлем")] == ["Сөйлем 0."]


def test_jobs_and_interactive_requests_share_the_work_pool(data_dir: Path) -> None:
    """An editor's request is not starved by a big job: the runner takes one article at a time
    through the same pool, so the request gets the model after the article in hand."""
    engine = GatedEngine()
    app = create_app(
        translator=fake_translator(
            make_settings(data_dir=str(data_dir), concurrency=1, queue_size=4), engine=engine
        )
    )
    with TestClient(app) as client:
        articles = [{"id": str(i), "text": f"Сөйлем {i}."} for i in range(20)]
        job = client.post(JOBS, json={"articles": articles, "targets": ["en"]}).json()
        assert engine.entered.wait(30)
        health = client.get("/api/v1/health").json()["queue"]
        assert health["running"] == 1  # the job's article holds the one slot
        engine.gate.set()
        interactive = client.post(
            "/api/v1/translate", json={"text": "Редактор.", "targets": ["en"]}
        )
        assert interactive.status_code == 200
        wait_for_job(client, job["id"])
    seen = [s for batch in engine.calls for s in batch]
    assert seen.index("Редактор.") < len(articles)  # not after the whole job


def test_job_on_the_tiny_model(tiny_nllb_dir: Path, data_dir: Path) -> None:
    settings = make_settings(model=str(tiny_nllb_dir), beam=1, data_dir=str(data_dir))
    with TestClient(create_app(settings)) as client:
        articles = [
            {"id": "a", "text": "Бүгін форум өтті."},
            {"id": "b", "text": "Дәрігерлер кеңес берді.\n\nОталар жасалды."},
        ]
        job = client.post(JOBS, json={"articles": articles, "targets": ["en", "uz"]}).json()
        assert wait_for_job(client, job["id"])["status"] == "done"
        got = records(client, job["id"])
    assert [r["id"] for r in got] == ["a", "b"]
    for record, article in zip(got, articles, strict=True):
        assert set(record["translations"]) == {"en", "uz"}
        paragraphs = record["translations"]["en"]["paragraphs"]
        assert len(paragraphs) == len([p for p in article["text"].split("\n") if p.strip()])
        assert record["model"]["engine"] == settings.engine
