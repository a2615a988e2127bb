"""The durable job store (service/jobs/queue.py): order, round-robin, cancel, limits, and
exactly-once records across a crash (a second store opened on the same file)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from service.errors import ConfigError
from service.jobs.queue import JobConflictError, JobQueue, QueueFullError, lock_file

OPTIONS = {"targets": ["en"], "summaries": False}


@pytest.fixture
def queue(tmp_path: Path) -> JobQueue:
    store = JobQueue(tmp_path / "jobs.sqlite3")
    yield store
    store.close()


def _articles(prefix: str, n: int) -> list[tuple[str, str]]:
    return [(f"{prefix}{i}", f"text {prefix}{i}") for i in range(n)]


def _work_one(queue: JobQueue) -> str | None:
    claim = queue.claim()
    if claim is None:
        return None
    assert queue.finish(claim, {"id": claim.item_id, "echo": claim.text})
    return claim.item_id


def test_submit_claim_finish_and_results_in_submission_order(queue: JobQueue) -> None:
    info = queue.submit("k1", _articles("a", 3), OPTIONS, max_queued=100)
    assert info.to_dict() == {"id": info.id, "status": "queued", "total": 3, "done": 0, "failed": 0}
    claim = queue.claim()
    assert (claim.job_id, claim.item_id, claim.text, claim.options) == (
        info.id,
        "a0",
        "text a0",
        OPTIONS,
    )
    # Claimed but not finished: running, nothing in the results yet.
    assert queue.get(info.id, "k1").status == "running"
    assert list(queue.results(info.id)) == []
    assert queue.finish(claim, {"id": "a0", "ok": 1})
    assert queue.finish(queue.claim(), {"id": "a1", "error": "bad"})
    assert queue.finish(queue.claim(), {"id": "a2", "ok": 3})
    assert queue.claim() is None
    assert queue.get(info.id, "k1").to_dict() == {
        "id": info.id,
        "status": "done",
        "total": 3,
        "done": 2,
        "failed": 1,
    }
    records = [json.loads(line) for line in queue.results(info.id)]
    assert records == [{"id": "a0", "ok": 1}, {"id": "a1", "error": "bad"}, {"id": "a2", "ok": 3}]
    assert queue.articles(info.id) == [("a0", "done"), ("a1", "failed"), ("a2", "done")]


def test_a_job_whose_articles_all_failed_is_failed(queue: JobQueue) -> None:
    info = queue.submit("", _articles("x", 2), OPTIONS, max_queued=10)
    for _ in range(2):
        claim = queue.claim()
        queue.finish(claim, {"id": claim.item_id, "error": "the article is empty"})
    assert queue.get(info.id, "").status == "failed"


def test_owners_see_only_their_jobs(queue: JobQueue) -> None:
    info = queue.submit("k1", _articles("a", 1), OPTIONS, max_queued=10)
    assert queue.get(info.id, "k2") is None
    assert queue.get(info.id, "") is None
    assert queue.cancel(info.id, "k2") is None
    assert queue.get(info.id, "k1") is not None


def test_jobs_take_turns_article_by_article(queue: JobQueue) -> None:
    big = queue.submit("k1", _articles("big", 4), OPTIONS, max_queued=100)
    small = queue.submit("k2", _articles("small", 2), OPTIONS, max_queued=100)
    order = [_work_one(queue) for _ in range(6)]
    # The small job, submitted second, does not wait for all of the big one.
    assert order == ["big0", "small0", "big1", "small1", "big2", "big3"]
    assert queue.get(big.id, "k1").status == queue.get(small.id, "k2").status == "done"


def test_queue_limit_counts_unfinished_articles_of_everyone(queue: JobQueue) -> None:
    queue.submit("k1", _articles("a", 3), OPTIONS, max_queued=5)
    with pytest.raises(QueueFullError, match="holds 3 unfinished articles; 3 more") as caught:
        queue.submit("k2", _articles("b", 3), OPTIONS, max_queued=5)
    assert caught.value.status_code == 429 and caught.value.retry_after > 0
    _work_one(queue)
    queue.submit("k2", _articles("b", 3), OPTIONS, max_queued=5)  # room again
    assert queue.counts() == {"queued_articles": 5, "queued_jobs": 1, "running_jobs": 1}


def test_cancel_keeps_finished_records_and_drops_the_rest(queue: JobQueue) -> None:
    info = queue.submit("k", _articles("a", 3), OPTIONS, max_queued=10)
    _work_one(queue)
    in_hand = queue.claim()  # a1 is being translated when the cancel comes
    cancelled = queue.cancel(info.id, "k")
    assert cancelled.to_dict() == {
        "id": info.id,
        "status": "cancelled",
        "total": 3,
        "done": 1,
        "failed": 0,
    }
    assert not queue.finish(in_hand, {"id": "a1"})  # its record is not written
    assert queue.claim() is None
    assert [json.loads(line)["id"] for line in queue.results(info.id)] == ["a0"]
    with pytest.raises(JobConflictError, match="already cancelled"):
        queue.cancel(info.id, "k")


def test_an_article_claimed_when_the_process_died_is_done_again_once(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    first = JobQueue(path)
    info = first.submit("k", _articles("a", 3), OPTIONS, max_queued=10)
    _work_one(first)
    lost = first.claim()  # claimed, never finished: the process "dies" here
    assert lost.item_id == "a1"
    del first  # no close: like a killed process

    second = JobQueue(path)
    assert [_work_one(second) for _ in range(3)] == ["a1", "a2", None]
    ids = [json.loads(line)["id"] for line in second.results(info.id)]
    assert ids == ["a0", "a1", "a2"]
    # A late finish of the lost claim (impossible after a real crash) would not write twice.
    assert not second.finish(lost, {"id": "a1", "again": True})
    assert [json.loads(line)["id"] for line in second.results(info.id)] == ["a0", "a1", "a2"]
    second.close()


def test_finished_articles_drop_their_text(queue: JobQueue) -> None:
    info = queue.submit("k", _articles("a", 2), OPTIONS, max_queued=10)
    _work_one(queue)
    with sqlite3.connect(queue.path) as db:
        texts = db.execute(
            "SELECT item_id, text FROM articles WHERE job_id = ? ORDER BY seq", (info.id,)
        ).fetchall()
    assert texts == [("a0", None), ("a1", "text a1")]


def test_results_stream_in_pages(queue: JobQueue) -> None:
    n = 250  # more than one page of RESULTS_PAGE
    info = queue.submit("k", _articles("a", n), OPTIONS, max_queued=1000)
    while _work_one(queue):
        pass
    ids = [json.loads(line)["id"] for line in queue.results(info.id)]
    assert ids == [f"a{i}" for i in range(n)]


def test_lock_file_is_exclusive_until_closed(tmp_path: Path) -> None:
    held = lock_file(tmp_path / "jobs.lock")
    assert held is not None
    assert lock_file(tmp_path / "jobs.lock") is None
    held.close()
    again = lock_file(tmp_path / "jobs.lock")
    assert again is not None
    again.close()


def test_unusable_store_path_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="cannot open the job store"):
        JobQueue(blocker / "jobs.sqlite3")
