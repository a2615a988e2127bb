"""Durable jobs across crashes and stops of a real ``audarma ui`` process (tiny NLLB model).

One job of 12 NTREX articles: the server is killed with SIGKILL once some but not all
articles are done, started again (it carries on), stopped with SIGTERM (exit 0, unfinished
articles left queued in the store), started a third time, and the job finishes. Every article
id is then in the results exactly once, in submission order, and in the store exactly once.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import httpx
import pytest

from service.evaluation.datasets import load_dataset
from service.jobs.queue import JobQueue
from tests.data import NTREX
from tests.webhelpers import LiveServer, start_server, stop_server

ARTICLES = 12
#: Bound on waiting for job progress (not a timing check).
PROGRESS_TIMEOUT_S = 240


def _status(server: LiveServer, job_id: str) -> dict:
    response = httpx.get(f"{server.url}/api/v1/jobs/{job_id}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def _wait(server: LiveServer, job_id: str, until, what: str) -> dict:
    deadline = time.monotonic() + PROGRESS_TIMEOUT_S
    status = _status(server, job_id)
    while not until(status):
        if time.monotonic() > deadline or server.process.poll() is not None:
            raise AssertionError(f"no {what} ({status}):\n{server.output()}")
        time.sleep(0.05)
        status = _status(server, job_id)
    return status


def _finished(status: dict) -> int:
    return status["done"] + status["failed"]


@pytest.mark.slow
def test_jobs_survive_sigkill_and_sigterm(tiny_nllb_dir: Path, tmp_path: Path) -> None:
    documents = load_dataset(NTREX).documents[:ARTICLES]
    articles = [{"id": doc.id, "text": doc.text} for doc in documents]
    ids = [article["id"] for article in articles]
    assert len(set(ids)) == ARTICLES
    store = tmp_path / "data" / "jobs.sqlite3"
    servers: list[LiveServer] = []

    def start() -> LiveServer:
        server = start_server(tiny_nllb_dir, tmp_path, "--shutdown-timeout", "5")
        servers.append(server)
        return server

    try:
        first = start()
        submitted = httpx.post(
            f"{first.url}/api/v1/jobs",
            json={"articles": articles, "targets": ["en", "uz"]},
            timeout=30,
        )
        assert submitted.status_code == 202, submitted.text
        job_id = submitted.json()["id"]

        # 1. SIGKILL once some, not all, articles are done.
        status = _wait(first, job_id, lambda s: _finished(s) >= 1, "first article")
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=30)
        assert _finished(status) < ARTICLES, "the job ended before the kill: nothing was tested"
        killed_at = _finished(_job_in_store(store, job_id))

        # 2. Started again, it carries on; SIGTERM stops it cleanly with work left queued.
        second = start()
        _wait(second, job_id, lambda s: _finished(s) > killed_at, "progress after the restart")
        assert stop_server(second, signal.SIGTERM, timeout=60) == 0, second.output()
        assert "audarma: server stopped" in second.output()
        assert "Traceback" not in second.output()
        after_stop = _job_in_store(store, job_id)
        assert killed_at < _finished(after_stop) < ARTICLES, after_stop
        queue = JobQueue(store)
        states = [state for _, state in queue.articles(job_id)]
        queue.close()
        assert states.count("queued") == ARTICLES - _finished(after_stop)

        # 3. The third start finishes the job.
        third = start()
        final = _wait(third, job_id, lambda s: s["status"] in ("done", "failed"), "the end")
        assert final == {
            "id": job_id,
            "status": "done",
            "total": ARTICLES,
            "done": ARTICLES,
            "failed": 0,
        }
        results = httpx.get(f"{third.url}/api/v1/jobs/{job_id}/results", timeout=30)
        records = [json.loads(line) for line in results.text.splitlines()]
        assert [record["id"] for record in records] == ids  # each once, in order
        for record in records:
            assert set(record["translations"]) == {"en", "uz"}
        assert stop_server(third, signal.SIGTERM, timeout=60) == 0
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.process.kill()
                server.process.wait()

    queue = JobQueue(store)
    try:
        assert queue.articles(job_id) == [(item, "done") for item in ids]
    finally:
        queue.close()


def _job_in_store(store: Path, job_id: str) -> dict:
    """The job as the store has it (read with no server running)."""
    queue = JobQueue(store)
    try:
        info = queue.get(job_id, "")
    finally:
        queue.close()
    assert info is not None
    return info.to_dict()
