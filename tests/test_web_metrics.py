"""``GET /metrics``: Prometheus text parsed with prometheus_client's own parser; requests by
route template and status, latency histograms, queue and job gauges, sentences by target,
cache hits and misses, engine seconds, model load time; no key names, ids or text."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families

from service.translate import Translator
from service.web import create_app
from tests.webhelpers import fake_translator, make_settings

TEXT = "Бүгін форум өтті. Оған министрлер қатысты."


def scrape(client: TestClient) -> dict[str, list]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    families = text_string_to_metric_families(response.text)
    return {family.name: family.samples for family in families}


def value(samples: list, name: str, **labels: str) -> float:
    found = [s.value for s in samples if s.name == name and s.labels == labels]
    assert len(found) == 1, (name, labels, samples)
    return found[0]


def test_request_and_model_metrics(tmp_path: Path) -> None:
    settings = make_settings(data_dir=str(tmp_path / "data"), cache=True)
    translator = fake_translator(settings)
    translator = Translator(
        settings=settings, engine_instance=translator.engine, cache=True
    )  # with the cache on, so hits and misses count
    app = create_app(translator=translator)
    with TestClient(app) as client:
        for _ in range(2):  # the second time from the cache
            ok = client.post("/api/v1/translate", json={"text": TEXT, "targets": ["en", "uz"]})
            assert ok.status_code == 200
        assert client.post("/api/v1/translate", json={"text": ""}).status_code == 400
        assert client.get("/api/v1/jobs/secret-job-id").status_code == 404
        metrics = scrape(client)

    requests = metrics["audarma_http_requests"]
    route = "/api/v1/translate"
    assert (
        value(requests, "audarma_http_requests_total", route=route, method="POST", status="200")
        == 2
    )
    assert (
        value(requests, "audarma_http_requests_total", route=route, method="POST", status="400")
        == 1
    )
    jobs_route = "/api/v1/jobs/{job_id}"
    assert (
        value(requests, "audarma_http_requests_total", route=jobs_route, method="GET", status="404")
        == 1
    )
    latency = metrics["audarma_http_request_duration_seconds"]
    assert (
        value(latency, "audarma_http_request_duration_seconds_count", route=route, method="POST")
        == 3
    )
    assert (
        value(
            latency,
            "audarma_http_request_duration_seconds_bucket",
            route=route,
            method="POST",
            le="+Inf",
        )
        == 3
    )

    sentences = metrics["audarma_sentences_translated"]
    assert value(sentences, "audarma_sentences_translated_total", target="en") == 4
    assert value(sentences, "audarma_sentences_translated_total", target="uz") == 4
    assert value(metrics["audarma_cache_misses"], "audarma_cache_misses_total") == 4
    assert value(metrics["audarma_cache_hits"], "audarma_cache_hits_total") == 4
    assert value(metrics["audarma_engine_sentences"], "audarma_engine_sentences_total") == 4
    assert value(metrics["audarma_engine_seconds"], "audarma_engine_seconds_total") > 0
    assert value(metrics["audarma_queue_running"], "audarma_queue_running") == 0
    assert value(metrics["audarma_queue_capacity"], "audarma_queue_capacity") == 33
    assert value(metrics["audarma_jobs"], "audarma_jobs", status="running") == 0
    assert value(metrics["audarma_job_articles_queued"], "audarma_job_articles_queued") == 0


def test_job_metrics_and_model_load_time(tiny_nllb_dir: Path, tmp_path: Path) -> None:
    settings = make_settings(model=str(tiny_nllb_dir), beam=1, data_dir=str(tmp_path / "d"))
    app = create_app(settings)
    with TestClient(app) as client:
        before = scrape(client)
        assert "audarma_model_load_seconds" not in before  # not loaded yet
        articles = [{"id": "a", "text": "Сәлем."}, {"id": "b", "text": ""}]
        job = client.post("/api/v1/jobs", json={"articles": articles, "targets": ["en"]}).json()
        deadline = time.monotonic() + 120
        while client.get(f"/api/v1/jobs/{job['id']}").json()["status"] != "done":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        metrics = scrape(client)
    assert value(metrics["audarma_model_load_seconds"], "audarma_model_load_seconds") > 0
    outcomes = metrics["audarma_job_articles"]
    assert value(outcomes, "audarma_job_articles_total", outcome="done") == 1
    assert value(outcomes, "audarma_job_articles_total", outcome="failed") == 1
    assert (
        value(
            metrics["audarma_sentences_translated"],
            "audarma_sentences_translated_total",
            target="en",
        )
        == 1
    )


def test_no_key_names_ids_or_text_in_labels(cli, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    app = create_app(translator=fake_translator(make_settings(data_dir=str(data_dir))))
    code, key, _ = cli("keys", "add", "secret-desk-name", "--data-dir", data_dir)
    headers = {"X-API-Key": key.strip()}
    with TestClient(app) as client:
        client.post("/api/v1/translate", json={"text": TEXT, "targets": ["en"]}, headers=headers)
        job = client.post(
            "/api/v1/jobs", json={"articles": [{"id": "article-7", "text": TEXT}]}, headers=headers
        ).json()
        client.get(f"/api/v1/jobs/{job['id']}", headers=headers)
        client.get("/api/v1/translate", headers={"X-API-Key": "wrong"})
        text = client.get("/metrics").text
        metrics = scrape(client)
    for secret in ("secret-desk-name", key.strip(), job["id"], "article-7", "форум", "wrong"):
        assert secret not in text
    labels = {
        name: value
        for samples in metrics.values()
        for sample in samples
        for name, value in sample.labels.items()
    }
    assert set(labels) <= {"route", "method", "status", "le", "target", "outcome"}
    routes = {s.labels["route"] for s in metrics["audarma_http_requests"] if "route" in s.labels}
    assert routes == {"/api/v1/translate", "/api/v1/jobs", "/api/v1/jobs/{job_id}", "/metrics"}


def test_apps_have_their_own_registries(tmp_path: Path) -> None:
    first = TestClient(create_app(translator=fake_translator(make_settings())))
    second = TestClient(create_app(translator=fake_translator(make_settings())))
    first.get("/api/v1/languages")
    first.get("/api/v1/languages")
    second.get("/api/v1/languages")
    route = {"route": "/api/v1/languages", "method": "GET", "status": "200"}
    assert (
        value(scrape(first)["audarma_http_requests"], "audarma_http_requests_total", **route) == 2
    )
    assert (
        value(scrape(second)["audarma_http_requests"], "audarma_http_requests_total", **route) == 1
    )


def test_openmetrics_when_the_scraper_asks_for_it(tmp_path: Path) -> None:
    client = TestClient(create_app(translator=fake_translator(make_settings())))
    client.get("/api/v1/languages")
    accept = "application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5"
    response = client.get("/metrics", headers={"Accept": accept})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")
    names = {family.name for family in openmetrics_families(response.text)}
    assert {"audarma_http_requests", "audarma_sentences_translated"} <= names
