"""Durable HTTP jobs: articles waiting to be translated, and their records, in one SQLite file.

A newsroom submits a day's articles in one request and collects the records later; the server
may be restarted (or killed) in between. Each article is a row that stays ``queued`` until its
record is written, and the record is written in the same transaction that marks the article
finished. So a crash before that commit leaves the article queued (it is simply done again
after the restart) and a crash after it leaves the record in place (it is never done again):
no article lost, none written twice.

Jobs are served round-robin, one article at a time, by :meth:`JobQueue.claim`: a job of 500
articles submitted first does not hold up a job of 5 submitted a minute later.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import AudarmaError
from .sqlite import Reopening, open_store

#: A job's states; the last three are final.
STATUSES = ("queued", "running", "done", "failed", "cancelled")
FINAL = frozenset({"done", "failed", "cancelled"})
#: Seconds a client refused for a full queue is told to wait before trying again.
QUEUE_FULL_RETRY_S = 30
#: Records read from the store per query while streaming a job's results.
RESULTS_PAGE = 100

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    status TEXT NOT NULL,
    options TEXT NOT NULL,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    served INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, served, created);
CREATE TABLE IF NOT EXISTS articles (
    job_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    text TEXT,
    state TEXT NOT NULL,
    record TEXT,
    PRIMARY KEY (job_id, seq)
);
CREATE INDEX IF NOT EXISTS articles_queued ON articles (job_id, seq) WHERE state = 'queued';
"""


class QueueFullError(AudarmaError):
    """Accepting the job would put more articles in the queue than the setting allows."""

    status_code = 429

    def __init__(self, message: str, retry_after: int = QUEUE_FULL_RETRY_S) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class JobConflictError(AudarmaError):
    """The job is in a state that does not allow the request (cancelling a finished job)."""

    status_code = 409


@dataclass(frozen=True)
class JobInfo:
    """A job's state as the API shows it (``GET /api/v1/jobs/{id}``)."""

    id: str
    status: str
    total: int
    done: int
    failed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
        }


@dataclass(frozen=True)
class Claim:
    """The next article to work on: where it lives, what it says, and the job's options."""

    job_id: str
    seq: int
    item_id: str
    text: str
    options: dict[str, Any]


class JobQueue:
    """The jobs and their articles in one SQLite file; safe to share between threads.

    ``owner`` is whoever submitted a job (an API key's id, or ``""`` when keys are off); every
    look-up takes it, so a caller never learns whether another caller's job exists.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._store = Reopening(self._connect)
        self._lock = threading.RLock()

    def _connect(self) -> sqlite3.Connection:
        # A finished article must survive a power cut too, not only a killed process.
        return open_store(self.path, _SCHEMA, "job store", durable=True)

    @property
    def _db(self) -> sqlite3.Connection:
        """The connection (opened again if an app's shutdown closed it)."""
        return self._store.connection

    # ------------------------------------------------------------------ helpers
    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self._lock)

    def _info(self, row: Sequence[Any]) -> JobInfo:
        return JobInfo(*row)

    def _row(self, job_id: str, owner: str) -> JobInfo | None:
        row = self._db.execute(
            "SELECT id, status, total, done, failed FROM jobs WHERE id = ? AND owner = ?",
            (job_id, owner),
        ).fetchone()
        return None if row is None else self._info(row)

    # ------------------------------------------------------------------ clients
    def submit(
        self,
        owner: str,
        articles: Sequence[tuple[str, str]],
        options: dict[str, Any],
        max_queued: int,
    ) -> JobInfo:
        """Store a new job of ``(id, text)`` articles, or refuse it if the queue would then
        hold more than ``max_queued`` unfinished articles (:class:`QueueFullError`)."""
        job_id = uuid.uuid4().hex
        now = time.time()
        with self._transaction() as db:
            queued = db.execute("SELECT COUNT(*) FROM articles WHERE state = 'queued'").fetchone()
            if queued[0] + len(articles) > max_queued:
                raise QueueFullError(
                    f"the job queue holds {queued[0]} unfinished articles; {len(articles)} more"
                    f" would pass the limit of {max_queued} (setting max_queued_articles);"
                    " retry later"
                )
            db.execute(
                "INSERT INTO jobs (id, owner, status, options, total, created, updated)"
                " VALUES (?, ?, 'queued', ?, ?, ?, ?)",
                (job_id, owner, json.dumps(options), len(articles), now, now),
            )
            db.executemany(
                "INSERT INTO articles (job_id, seq, item_id, text, state)"
                " VALUES (?, ?, ?, ?, 'queued')",
                ((job_id, seq, item_id, text) for seq, (item_id, text) in enumerate(articles)),
            )
        return JobInfo(job_id, "queued", len(articles), 0, 0)

    def get(self, job_id: str, owner: str) -> JobInfo | None:
        """The job, if ``owner`` submitted it."""
        with self._lock:
            return self._row(job_id, owner)

    def cancel(self, job_id: str, owner: str) -> JobInfo | None:
        """Cancel an unfinished job: its queued articles are dropped, its records so far kept.

        None when there is no such job of ``owner``; :class:`JobConflictError` when it has
        already finished.
        """
        with self._transaction() as db:
            info = self._row(job_id, owner)
            if info is None:
                return None
            if info.status in FINAL:
                raise JobConflictError(f"job {job_id} is already {info.status}")
            db.execute(
                "UPDATE articles SET state = 'cancelled', text = NULL"
                " WHERE job_id = ? AND state = 'queued'",
                (job_id,),
            )
            db.execute(
                "UPDATE jobs SET status = 'cancelled', updated = ? WHERE id = ?",
                (time.time(), job_id),
            )
            return self._row(job_id, owner)

    def results(self, job_id: str) -> Iterator[str]:
        """The records of a job's finished articles as JSON lines, in submission order.

        Read a page at a time, so a large job streams without being held in memory.
        """
        after = -1
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT seq, record FROM articles WHERE job_id = ? AND seq > ?"
                    " AND state IN ('done', 'failed') ORDER BY seq LIMIT ?",
                    (job_id, after, RESULTS_PAGE),
                ).fetchall()
            for seq, record in rows:
                after = seq
                yield record + "\n"
            if len(rows) < RESULTS_PAGE:
                return

    # ------------------------------------------------------------------ the runner
    def claim(self) -> Claim | None:
        """The next article to translate (round-robin over unfinished jobs), or None.

        The article stays ``queued`` until :meth:`finish` writes its record: a crash in
        between leaves it to be claimed again after the restart.
        """
        with self._transaction() as db:
            row = db.execute(
                "SELECT id, options FROM jobs WHERE status IN ('queued', 'running')"
                " ORDER BY served, created LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            job_id, options = row
            article = db.execute(
                "SELECT seq, item_id, text FROM articles WHERE job_id = ? AND state = 'queued'"
                " ORDER BY seq LIMIT 1",
                (job_id,),
            ).fetchone()
            now = time.time()
            if article is None:  # cannot happen through this class; repair rather than spin
                self._settle(db, job_id, now)
                return None
            # ``served`` counts turns (not time, which can tie): the job served longest ago
            # comes next.
            db.execute(
                "UPDATE jobs SET status = 'running', updated = ?,"
                " served = (SELECT MAX(served) FROM jobs) + 1 WHERE id = ?",
                (now, job_id),
            )
        seq, item_id, text = article
        return Claim(job_id, seq, item_id, text, json.loads(options))

    def finish(self, claim: Claim, record: dict[str, Any]) -> bool:
        """Store ``record`` for the claimed article and mark it finished, in one transaction.

        False (nothing written) when the article is no longer queued: its job was cancelled
        meanwhile.
        """
        state = "failed" if "error" in record else "done"
        line = json.dumps(record, ensure_ascii=False)
        with self._transaction() as db:
            written = db.execute(
                "UPDATE articles SET state = ?, record = ?, text = NULL"
                " WHERE job_id = ? AND seq = ? AND state = 'queued'",
                (state, line, claim.job_id, claim.seq),
            ).rowcount
            if not written:
                return False
            column = "failed" if state == "failed" else "done"
            db.execute(f"UPDATE jobs SET {column} = {column} + 1 WHERE id = ?", (claim.job_id,))
            self._settle(db, claim.job_id, time.time())
        return True

    def _settle(self, db: sqlite3.Connection, job_id: str, now: float) -> None:
        """Mark a job whose articles have all finished ``done`` (``failed`` if none worked)."""
        db.execute(
            "UPDATE jobs SET updated = ?, status = CASE"
            " WHEN done + failed < total THEN status"
            " WHEN done = 0 AND total > 0 THEN 'failed' ELSE 'done' END"
            " WHERE id = ? AND status IN ('queued', 'running')",
            (now, job_id),
        )

    # ------------------------------------------------------------------ facts
    def counts(self) -> dict[str, int]:
        """Unfinished articles (``queued_articles``) and jobs by status, for metrics."""
        with self._lock:
            queued = self._db.execute(
                "SELECT COUNT(*) FROM articles WHERE state = 'queued'"
            ).fetchone()[0]
            by_status = dict(
                self._db.execute(
                    "SELECT status, COUNT(*) FROM jobs WHERE status IN ('queued', 'running')"
                    " GROUP BY status"
                ).fetchall()
            )
        return {
            "queued_articles": queued,
            "queued_jobs": by_status.get("queued", 0),
            "running_jobs": by_status.get("running", 0),
        }

    def articles(self, job_id: str) -> list[tuple[str, str]]:
        """``(article id, state)`` of every article of a job, in submission order."""
        with self._lock:
            return self._db.execute(
                "SELECT item_id, state FROM articles WHERE job_id = ? ORDER BY seq", (job_id,)
            ).fetchall()

    def close(self) -> None:
        with self._lock:
            self._store.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error) under the queue's lock."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise
        return self._db

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        try:
            self._db.execute("ROLLBACK" if kind else "COMMIT")
        finally:
            self._lock.release()


def lock_file(path: str | Path) -> Any:
    """Hold an exclusive lock on ``path`` (created if need be) for as long as the returned
    handle stays open, or return None if another process holds it. The OS drops the lock when
    the process dies, even by SIGKILL, so a crashed server never blocks the next one."""
    handle = open(path, "a+b")  # noqa: SIM115 (held open on purpose)
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    os.set_inheritable(handle.fileno(), False)
    return handle
