"""A bounded admission queue in front of the model, shared by the HTTP API and the page.

A model call holds a text, its intermediate tensors and its result in memory; if every request
that arrives is allowed to wait for the model, a burst of them can exhaust memory and each
waits longer than any client will. So at most ``concurrency`` calls run at once, at most
``queue_size`` more wait, and anything beyond that is refused at once with :class:`BusyError`
(HTTP 503) so that the client can retry later.
"""

from __future__ import annotations

import math
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

import anyio
import anyio.from_thread
import anyio.to_thread

from ..errors import AudarmaError

T = TypeVar("T")


class BusyError(AudarmaError):
    """Every run slot and every queue place is taken."""

    status_code = 503


class WorkPool:
    """Runs blocking work (model calls, scoring) with bounded concurrency and a bounded queue."""

    def __init__(self, concurrency: int, queue_size: int) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        if queue_size < 0:
            raise ValueError(f"queue_size must be 0 or more, got {queue_size}")
        self.concurrency = concurrency
        self.queue_size = queue_size
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._admitted = 0
        self._running = 0
        # Own thread budget: a waiting call holds a thread, and it must not take the threads
        # FastAPI and Gradio use for everything else.
        self._threads = anyio.CapacityLimiter(concurrency + queue_size)

    @property
    def admitted(self) -> int:
        """Calls running or waiting right now."""
        return self._admitted

    @property
    def running(self) -> int:
        """Calls holding a run slot right now."""
        return self._running

    @contextmanager
    def admit(self) -> Iterator[None]:
        """Take a place (running or waiting) or raise :class:`BusyError` without waiting."""
        with self._lock:
            if self._admitted >= self.concurrency + self.queue_size:
                raise BusyError("busy, retry later")
            self._admitted += 1
        try:
            yield
        finally:
            with self._lock:
                self._admitted -= 1

    def _run_in_slot(self, fn: Callable[[], T]) -> T:
        with self._slots:
            with self._lock:
                self._running += 1
            try:
                return fn()
            finally:
                with self._lock:
                    self._running -= 1

    def run_sync(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Run ``fn`` in the calling thread once a slot is free (for Gradio's worker threads)."""
        with self.admit():
            return self._run_in_slot(partial(fn, *args, **kwargs))

    def ensure_room(self) -> None:
        """Refuse with :class:`BusyError` now if no place is free (before a stream starts:
        once a streaming response has begun, its status can no longer say 503)."""
        with self._lock:
            if self._admitted >= self.concurrency + self.queue_size:
                raise BusyError("busy, retry later")

    async def stream(self, fn: Callable[[Callable[[Any], None]], T]) -> AsyncIterator[Any]:
        """Run ``fn(emit)`` like :meth:`run`, yielding what it ``emit``-s as it goes, then its
        result. An exception from ``fn`` (or a full queue) is raised to the consumer."""
        send, receive = anyio.create_memory_object_stream[Any](max_buffer_size=math.inf)

        def emit(item: Any) -> None:
            anyio.from_thread.run_sync(send.send_nowait, (False, item))

        async def produce() -> None:
            async with send:
                try:
                    result = await self.run(fn, emit)
                except BaseException as exc:  # handed to the consumer, raised there
                    await send.send((True, exc))
                else:
                    await send.send((False, result))

        async with anyio.create_task_group() as group:
            group.start_soon(produce)
            async with receive:
                async for failed, item in receive:
                    if failed:
                        raise item
                    yield item

    def run_reserved(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Like :meth:`run_sync`, but never refused: for the one job-runner thread.

        A full queue of interactive requests would otherwise refuse every try of the runner
        and starve the jobs; instead it waits for a slot like everyone else (the bound on
        waiting calls grows by this one thread).
        """
        with self._lock:
            self._admitted += 1
        try:
            return self._run_in_slot(partial(fn, *args, **kwargs))
        finally:
            with self._lock:
                self._admitted -= 1

    async def run(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Run ``fn`` in a worker thread once a slot is free, without blocking the event loop."""
        with self.admit():
            job = partial(self._run_in_slot, partial(fn, *args, **kwargs))
            # Not cancellable: the thread holds the model until it finishes anyway, and the
            # admission place must stay taken until it does.
            return await anyio.to_thread.run_sync(
                job, abandon_on_cancel=False, limiter=self._threads
            )
