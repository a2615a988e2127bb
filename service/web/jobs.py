"""Durable jobs over HTTP: the ``/api/v1/jobs`` routes and the runner that works them off.

A desk submits a day's articles in one request and gets a job id at once (202); the articles
wait in the store under ``data_dir`` (:mod:`service.jobs.queue`) and one background thread
translates them, one article at a time, through the same work pool as the interactive API, so
a big job and an editor's single article take turns on the model instead of one starving the
other. A server restarted after a crash (even SIGKILL) picks up every unfinished article.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from ..errors import InputError, InputTooLargeError
from ..jobs.queue import Claim, JobQueue, QueueFullError, lock_file
from ..languages import SOURCE_LANGUAGE
from ..translate import parse_targets
from .access import caller
from .api import ERRORS, PREFIX, ErrorResponse, Strict
from .metrics import Metrics
from .ratelimit import RateLimiter
from .services import AppServices

log = logging.getLogger(__name__)

#: Seconds the runner sleeps when there is nothing to do (a submission wakes it at once).
IDLE_WAIT_S = 1.0
#: Most characters of an article id.
MAX_ID_CHARS = 200


class JobArticle(Strict):
    id: str = Field(min_length=1, max_length=MAX_ID_CHARS, description="your id for it")
    text: str = Field(description="the Kazakh article")


class JobRequest(Strict):
    articles: list[JobArticle] = Field(min_length=1, description="the articles, in order")
    targets: list[str] = Field(default_factory=lambda: ["en", "uz"], min_length=1)
    summaries: bool = Field(False, description="also summarize each article (kk and targets)")


class JobOut(BaseModel):
    id: str
    status: str
    total: int
    done: int = 0
    failed: int = 0


class JobNotFoundError(InputError):
    """No job of that id belongs to the caller (whether it belongs to another is not told)."""

    status_code = 404


JOB_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    404: {"model": ErrorResponse, "description": "no such job (or another key's)"},
    429: {"model": ErrorResponse, "description": "over the key's rate, or the queue is full"},
}


class JobRunner:
    """One thread that translates queued job articles until stopped.

    Only one process works a store at a time: the runner holds an exclusive lock on a file
    beside it (released by the OS if the process dies), so two servers sharing ``data_dir``
    never translate the same article; the other one takes over when the first is gone.
    """

    def __init__(
        self,
        queue: JobQueue,
        services: AppServices,
        lock_path: str | Path,
        metrics: Metrics | None = None,
    ) -> None:
        self.queue = queue
        self.services = services
        self.metrics = metrics
        self._lock_path = Path(lock_path)
        self._lock_handle: Any = None
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._paused_at: float | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._paused_at = None
        self._thread = threading.Thread(target=self._loop, name="audarma-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """There is new work: stop idling."""
        self._wake.set()

    def pause(self) -> None:
        """Take no new article (the one in hand is finished): the server is stopping."""
        if self._paused_at is None:
            self._paused_at = time.monotonic()
        self._stopping.set()
        self._wake.set()

    def stop(self, timeout: float) -> bool:
        """Pause, then wait for the article in hand until ``timeout`` s after the pause (the
        signal), so a stop takes at most that long; True if the runner ended.

        An article still unfinished then stays queued in the store for the next start.
        """
        self.pause()
        if self._thread is not None:
            left = timeout - (time.monotonic() - (self._paused_at or time.monotonic()))
            self._thread.join(max(0.0, left))
            if self._thread.is_alive():
                return False
        if self._lock_handle is not None:
            self._lock_handle.close()
            self._lock_handle = None
        return True

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                if not self._step():
                    self._wake.wait(IDLE_WAIT_S)
                    self._wake.clear()
            except Exception:  # a bug or a broken store: log it, keep serving, try again
                log.exception("the job runner failed; retrying")
                self._stopping.wait(IDLE_WAIT_S)

    def _step(self) -> bool:
        """Work on one article; False when there was nothing to do (or no right to)."""
        if self._lock_handle is None:
            self._lock_handle = lock_file(self._lock_path)
            if self._lock_handle is None:
                return False  # another server works this store
        claim = self.queue.claim()
        if claim is None:
            return False
        try:
            record = self.services.pool.run_reserved(self._record, claim)
        except Exception as exc:
            log.exception("job %s: article %r failed unexpectedly", claim.job_id, claim.item_id)
            record = {"id": claim.item_id, "error": f"internal error: {type(exc).__name__}"}
        if self.queue.finish(claim, record) and self.metrics is not None:
            self.metrics.job_articles.labels("failed" if "error" in record else "done").inc()
        return True

    def _record(self, claim: Claim) -> dict[str, Any]:
        return self.services.job_record(
            claim.item_id,
            claim.text,
            claim.options["targets"],
            summaries=claim.options.get("summaries", False),
        )


def build_jobs_router(
    services: AppServices, queue: JobQueue, runner: JobRunner, limiter: RateLimiter
) -> APIRouter:
    """``/api/v1/jobs`` routes. A job belongs to the key that submitted it; other keys get 404."""
    router = APIRouter(prefix=PREFIX, tags=["jobs"])
    settings = services.settings

    @router.post(
        "/jobs",
        status_code=202,
        summary="submit articles to translate in the background",
        responses={202: {"model": JobOut}, **JOB_ERRORS},
    )
    def submit(job: JobRequest, request: Request) -> JSONResponse:
        articles = [(article.id, article.text) for article in job.articles]
        if len(articles) > settings.max_job_articles:
            raise InputTooLargeError(
                f"the job has {len(articles)} articles; the limit is {settings.max_job_articles}"
                " (setting max_job_articles): split it into several jobs"
            )
        seen: set[str] = set()
        for item_id, text in articles:
            if item_id in seen:
                raise InputError(f"article id {item_id!r} appears twice; ids must be unique")
            seen.add(item_id)
            if len(text) > settings.max_chars:
                raise InputTooLargeError(
                    f"article {item_id!r} has {len(text)} characters; the limit is"
                    f" {settings.max_chars}"
                )
        targets = [lang.code for lang in parse_targets(job.targets)]
        if SOURCE_LANGUAGE in targets:  # every article would fail: say so now, once
            raise InputError("the source language is Kazakh; choose other target languages")
        queued = queue.counts()["queued_articles"]
        if queued + len(articles) > settings.max_queued_articles:
            # Checked before the quota is charged, so a full queue costs the caller nothing;
            # submit() checks again, atomically.
            raise QueueFullError(
                f"the job queue holds {queued} unfinished articles; {len(articles)} more would"
                f" pass the limit of {settings.max_queued_articles} (setting"
                " max_queued_articles); retry later"
            )
        key = caller(request)
        if key is not None:
            limiter.hit(str(key.id), key.rate, cost=len(articles), what="articles")
        options = {"targets": targets, "summaries": job.summaries}
        info = queue.submit(
            _owner(request), articles, options, max_queued=settings.max_queued_articles
        )
        runner.wake()
        return JSONResponse(
            {"id": info.id, "status": info.status, "total": info.total}, status_code=202
        )

    @router.get(
        "/jobs/{job_id}",
        summary="a job's status and counts",
        responses={200: {"model": JobOut}, **JOB_ERRORS},
    )
    def status(job_id: str, request: Request) -> dict[str, Any]:
        return _job(queue.get(job_id, _owner(request)), job_id).to_dict()

    @router.get(
        "/jobs/{job_id}/results",
        summary="records of the finished articles, as NDJSON in submission order",
        responses={
            200: {"content": {"application/x-ndjson": {}}, "description": "one record a line"},
            **JOB_ERRORS,
        },
    )
    def results(job_id: str, request: Request) -> StreamingResponse:
        _job(queue.get(job_id, _owner(request)), job_id)
        return StreamingResponse(queue.results(job_id), media_type="application/x-ndjson")

    @router.delete(
        "/jobs/{job_id}",
        summary="cancel a job: queued articles are dropped, finished records kept",
        responses={200: {"model": JobOut}, 409: {"model": ErrorResponse}, **JOB_ERRORS},
    )
    def cancel(job_id: str, request: Request) -> dict[str, Any]:
        return _job(queue.cancel(job_id, _owner(request)), job_id).to_dict()

    return router


def _owner(request: Request) -> str:
    """Whose jobs a request may see: its key's (by id, never reused), or everyone's when keys
    are off."""
    key = caller(request)
    return "" if key is None else str(key.id)


def _job(info: Any, job_id: str) -> Any:
    if info is None:
        raise JobNotFoundError(f"no such job: {job_id}")
    return info
