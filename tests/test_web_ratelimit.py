"""Per-key quotas: 429 with Retry-After after N requests, counted per key and across the jobs
endpoint (one per article), through the HTTP API with keys made by ``audarma keys``."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.errors import ConfigError, InputTooLargeError
from service.web import create_app
from service.web.ratelimit import RateLimitedError, RateLimiter, parse_rate
from tests.webhelpers import fake_translator, make_settings

LANGUAGES = "/api/v1/languages"
JOBS = "/api/v1/jobs"


def _job(n: int) -> dict:
    return {"articles": [{"id": str(i), "text": "Сәлем."} for i in range(n)], "targets": ["en"]}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _client(data_dir: Path, **settings) -> TestClient:
    app = create_app(translator=fake_translator(make_settings(data_dir=str(data_dir), **settings)))
    return TestClient(app)


def _key(cli, data_dir: Path, name: str, *rate: str) -> dict[str, str]:
    code, out, err = cli("keys", "add", name, *rate, "--data-dir", data_dir)
    assert code == 0, err
    return {"Authorization": f"Bearer {out.strip()}"}


@pytest.mark.parametrize(
    ("text", "normal"),
    [("60/minute", "60/minute"), (" 5 / Second ", "5/second"), ("100/hours", "100/hour")],
)
def test_parse_rate(text: str, normal: str) -> None:
    assert parse_rate(text) == normal


@pytest.mark.parametrize("text", ["", "60", "60/day", "-1/minute", "0/second", "1.5/minute"])
def test_parse_rate_refuses(text: str) -> None:
    with pytest.raises(ConfigError, match="use N/second, N/minute or N/hour"):
        parse_rate(text)


def test_limiter_charges_cost_and_refuses_without_charging() -> None:
    limiter = RateLimiter()
    limiter.hit("a", "5/minute", cost=3)
    with pytest.raises(RateLimitedError) as caught:
        limiter.hit("a", "5/minute", cost=3)  # only 2 left: refused, nothing charged
    assert 1 <= caught.value.retry_after <= 60
    limiter.hit("a", "5/minute", cost=2)
    limiter.hit("b", "5/minute", cost=5)  # another identity has its own window
    with pytest.raises(InputTooLargeError, match="6 articles are more than this key's rate"):
        limiter.hit("c", "5/minute", cost=6, what="articles")


def test_429_after_n_requests_with_retry_after(cli, data_dir: Path) -> None:
    desk = _key(cli, data_dir, "desk", "--rate", "3/minute")
    other = _key(cli, data_dir, "other", "--rate", "3/minute")
    with _client(data_dir) as client:
        statuses = [client.get(LANGUAGES, headers=desk).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        over = client.get(LANGUAGES, headers=desk)
        assert over.status_code == 429
        assert 1 <= int(over.headers["retry-after"]) <= 60
        body = over.json()
        assert body["error"].startswith("rate limit of 3 per minute reached for this key")
        assert body["request_id"] == over.headers["x-request-id"]
        # Another key is not starved by the first one's burst.
        assert client.get(LANGUAGES, headers=other).status_code == 200
        # Health and metrics are never counted nor refused.
        for _ in range(5):
            assert client.get("/api/v1/health", headers=desk).status_code == 200
            assert client.get("/metrics", headers=desk).status_code == 200


def test_keys_without_a_rate_follow_the_rate_limit_setting(cli, data_dir: Path) -> None:
    desk = _key(cli, data_dir, "desk")
    with _client(data_dir, rate_limit="2/hour") as client:
        assert [client.get(LANGUAGES, headers=desk).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]


def test_job_articles_count_as_requests(cli, data_dir: Path) -> None:
    desk = _key(cli, data_dir, "desk", "--rate", "5/minute")
    with _client(data_dir) as client:
        assert client.post(JOBS, json=_job(3), headers=desk).status_code == 202
        # 3 of 5 used: a job of 3 more is over the rate, a request of 1 is not.
        refused = client.post(JOBS, json=_job(3), headers=desk)
        assert refused.status_code == 429 and refused.headers["retry-after"]
        assert client.get(LANGUAGES, headers=desk).status_code == 200
        assert client.post(JOBS, json=_job(1), headers=desk).status_code == 202
        assert client.get(LANGUAGES, headers=desk).status_code == 429


def test_a_job_larger_than_the_rate_is_413_not_429(cli, data_dir: Path) -> None:
    """Waiting would never help, so the caller is not told to retry."""
    desk = _key(cli, data_dir, "desk", "--rate", "5/minute")
    with _client(data_dir) as client:
        response = client.post(JOBS, json=_job(6), headers=desk)
        assert response.status_code == 413
        assert "retry-after" not in response.headers
        assert (
            "6 articles are more than this key's rate allows (5 per minute)"
            in (response.json()["error"])
        )


def test_a_full_queue_costs_no_quota(cli, data_dir: Path) -> None:
    desk = _key(cli, data_dir, "desk", "--rate", "4/minute")
    # max_queued_articles 2: without the runner (no lifespan) nothing leaves the queue.
    app = create_app(
        translator=fake_translator(make_settings(data_dir=str(data_dir), max_queued_articles=2))
    )
    client = TestClient(app)
    assert client.post(JOBS, json=_job(2), headers=desk).status_code == 202
    full = client.post(JOBS, json=_job(1), headers=desk)
    assert full.status_code == 429 and full.headers["retry-after"] == "30"
    assert "max_queued_articles" in full.json()["error"]
    # 2 of 4 used by the accepted job, none by the refused one.
    assert [client.get(LANGUAGES, headers=desk).status_code for _ in range(3)] == [200, 200, 429]
