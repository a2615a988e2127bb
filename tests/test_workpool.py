"""The bounded queue in front of the model: concurrency limit, queue limit, refusal when full."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from service.web.workpool import BusyError, WorkPool


def test_runs_and_returns_results() -> None:
    pool = WorkPool(concurrency=1, queue_size=0)
    assert pool.run_sync(lambda a, b=0: a + b, 2, b=3) == 5
    assert asyncio.run(pool.run(lambda: "done")) == "done"
    assert pool.admitted == 0 and pool.running == 0


def test_errors_propagate_and_free_the_place() -> None:
    pool = WorkPool(concurrency=1, queue_size=0)

    def fail() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        pool.run_sync(fail)
    assert pool.admitted == 0
    assert pool.run_sync(lambda: 1) == 1


def test_refuses_at_once_when_slots_and_queue_are_full() -> None:
    pool = WorkPool(concurrency=1, queue_size=1)
    release = threading.Event()
    results: list[str] = []

    def hold(name: str) -> None:
        release.wait(10)
        results.append(name)

    workers = [threading.Thread(target=pool.run_sync, args=(hold, n)) for n in ("a", "b")]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 5
    while pool.admitted < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pool.admitted == 2 and pool.running == 1  # one runs, one waits

    started = time.monotonic()
    with pytest.raises(BusyError) as excinfo:
        pool.run_sync(hold, "c")
    assert time.monotonic() - started < 1  # refused without waiting
    assert excinfo.value.status_code == 503

    release.set()
    for worker in workers:
        worker.join(10)
    assert sorted(results) == ["a", "b"]
    assert pool.admitted == 0


def test_never_runs_more_than_the_concurrency_limit() -> None:
    pool = WorkPool(concurrency=2, queue_size=20)
    lock = threading.Lock()
    active = peak = 0

    def work() -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.02)
        with lock:
            active -= 1

    async def burst() -> None:
        await asyncio.gather(*(pool.run(work) for _ in range(12)))

    asyncio.run(burst())
    assert peak == 2


def test_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError):
        WorkPool(concurrency=0, queue_size=1)
    with pytest.raises(ValueError):
        WorkPool(concurrency=1, queue_size=-1)
