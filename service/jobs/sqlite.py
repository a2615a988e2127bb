"""The SQLite files that hold state: how they are opened, and opened again.

The job queue and the API key store outlive any one run of the web app that uses them (a
test client, or a server restarted in the same process, starts the same app again after its
shutdown closed them), so their connection is not a constant but something to (re)open; and
both open their file the same way: a private folder, write-ahead logging, autocommit (they
run their own ``BEGIN IMMEDIATE`` transactions), one connection shared by the threads.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from ..errors import ConfigError


def open_store(
    path: Path,
    schema: str,
    what: str,
    *,
    timeout: float = 30.0,
    durable: bool = False,
    private: bool = False,
) -> sqlite3.Connection:
    """Open (creating if needed) the store at ``path`` with ``schema``; one-line errors.

    ``durable``: a commit survives a power cut too, not only a killed process
    (``synchronous=FULL``). ``private``: a new file is readable by its owner only.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fresh = not path.exists()
        db = sqlite3.connect(
            str(path), check_same_thread=False, timeout=timeout, isolation_level=None
        )
        if fresh and private:
            os.chmod(path, 0o600)
        db.execute("PRAGMA journal_mode=WAL")
        if durable:
            db.execute("PRAGMA synchronous=FULL")
        db.executescript(schema)
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(f"cannot open the {what} at {path}: {exc}") from None
    return db


class Reopening:
    """A store's connection, opened by ``connect()`` and again after :meth:`close`."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = connect()  # errors surface at once

    @property
    def connection(self) -> sqlite3.Connection:
        with self._lock:
            if self._connection is None:
                self._connection = self._connect()
            return self._connection

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
