"""The bounded queue in front of the model: concurrency limit, queue limit, refusal when full."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

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


def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` until it holds (a guard against hanging, not a timing check)."""
    for _ in range(1000):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("the pool never reached the expected state")


def test_refuses_at_once_when_slots_and_queue_are_full() -> None:
    pool = WorkPool(concurrency=1, queue_size=1)
    release = threading.Event()
    events: list[str] = []

    def hold(name: str) -> None:
        events.append(f"start {name}")
        assert release.wait(30), "the test never released the work"
        events.append(f"end {name}")

    workers = [threading.Thread(target=pool.run_sync, args=(hold, n)) for n in ("a", "b")]
    for worker in workers:
        worker.start()
    try:
        wait_until(lambda: pool.admitted == 2 and len(events) == 1)
        assert pool.admitted == 2 and pool.running == 1  # one runs, one waits

        with pytest.raises(BusyError) as excinfo:
            pool.run_sync(hold, "c")
        assert excinfo.value.status_code == 503
        # Refused without waiting: the answer came while both places were still held, before
        # any work finished, and the refused work never started.
        assert len(events) == 1 and events[0] in ("start a", "start b")
        assert pool.admitted == 2 and pool.running == 1
    finally:
        release.set()
        for worker in workers:
            worker.join(10)
    first, second = events[0][-1], "b" if events[0] == "start a" else "a"
    assert events == [f"start {first}", f"end {first}", f"start {second}", f"end {second}"]
    assert pool.admitted == 0


def test_never_runs_more_than_the_concurrency_limit() -> None:
    pool = WorkPool(concurrency=2, queue_size=20)
    lock = threading.Lock()
    active = peak = 0
    # Each call waits for a partner inside the pool: two must run at once or the barrier
    # breaks; a third running beside them would raise the peak.
    pair = threading.Barrier(2, timeout=30)

    def work() -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        pair.wait()
        with lock:
            active -= 1

    async def burst() -> None:
        await asyncio.gather(*(pool.run(work) for _ in range(12)))

    asyncio.run(burst())
    assert peak == 2
    assert pool.admitted == 0 and pool.running == 0


def test_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError):
        WorkPool(concurrency=0, queue_size=1)
    with pytest.raises(ValueError):
        WorkPool(concurrency=1, queue_size=-1)


def test_reserved_runs_wait_for_a_slot_even_when_the_queue_is_full() -> None:
    """The job runner's way in: a full queue of interactive calls cannot starve it."""
    pool = WorkPool(concurrency=1, queue_size=0)
    release = threading.Event()
    order: list[str] = []

    def hold() -> None:
        order.append("interactive")
        assert release.wait(30), "the test never released the work"

    holder = threading.Thread(target=pool.run_sync, args=(hold,))
    holder.start()
    wait_until(lambda: pool.running == 1)
    with pytest.raises(BusyError):
        pool.run_sync(lambda: None)
    result: list[str] = []
    job = threading.Thread(target=lambda: result.append(pool.run_reserved(lambda: "job")))
    job.start()
    wait_until(lambda: pool.admitted == 2)  # waiting, not refused
    assert not result
    release.set()
    holder.join(30)
    job.join(30)
    assert result == ["job"] and order == ["interactive"]
    assert pool.admitted == 0 and pool.running == 0
