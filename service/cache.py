"""Persistent translation cache (SQLite, standard library only).

Re-translating an article after a one-sentence edit should cost one sentence. The key covers
everything that changes the output — model, engine, languages, decoding options and the
sentence — so a hit is always the output the engine would give now.

A cache is a cache: a damaged file (a crash mid-write on a bad disk, a copy cut short,
garbage behind a valid header) must never break a translation. A file SQLite calls corrupt is
moved aside as ``translations.sqlite3.corrupt-<time>``, one warning is logged, a fresh cache
takes its place, and the work goes on; other database errors (a full disk, a lock held too
long) skip the cache for that call. :attr:`TranslationCache.status` tells health checks.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from .engines.base import Hypothesis
from .errors import ConfigError

log = logging.getLogger(__name__)

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    truncated INTEGER NOT NULL,
    tokens INTEGER NOT NULL
)
"""

#: SQLite's primary result codes for a damaged file: SQLITE_CORRUPT and SQLITE_NOTADB.
_CORRUPT_CODES = frozenset({11, 26})
#: Where to change the location, or how to do without: named in every error about it.
SETTING_HINT = (
    "set cache_dir (AUDARMA_CACHE_DIR) to a writable folder, or turn the cache off"
    " (--no-cache, AUDARMA_CACHE=0)"
)


def cache_key(model: str, engine: str, src: str, tgt: str, options: str, sentence: str) -> str:
    """A digest of everything that determines an output."""
    parts = "\x1f".join((model, engine, src, tgt, options, sentence))
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()


def is_corrupt(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says the file is damaged (not merely locked, full or read-only)."""
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF in _CORRUPT_CODES
    return type(exc) is sqlite3.DatabaseError


class TranslationCache:
    """A key -> hypothesis store; safe to share between threads of one process."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        #: ``ok``; ``recovered`` (a damaged file was moved aside, a fresh one is in use); or
        #: ``unavailable`` (no cache could be opened again: translations run uncached).
        self.status = "ok"
        #: What went wrong, in words without the server's folders (health shows it).
        self.problem: str | None = None
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._inode: tuple[int, int] | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connect()
        except sqlite3.Error as exc:
            if not is_corrupt(exc):
                raise self._open_error(exc) from None
            self._recover(exc)
        except OSError as exc:
            raise self._open_error(exc) from None

    def _open_error(self, exc: Exception) -> ConfigError:
        reason = getattr(exc, "strerror", None) or exc
        return ConfigError(
            f"cannot open the translation cache at {self.path}: {reason}; {SETTING_HINT}"
        )

    def _connect(self) -> None:
        db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(SCHEMA)
            db.commit()
        except BaseException:
            db.close()
            raise
        self._db = db
        stat = self.path.stat()
        self._inode = (stat.st_dev, stat.st_ino)

    def _recover(self, exc: sqlite3.Error) -> None:
        """Move the damaged file aside (unless another process already did), start afresh."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        aside: Path | None = None
        try:
            stat = self.path.stat()
            if self._inode in (None, (stat.st_dev, stat.st_ino)):
                aside = self._move_aside()
        except FileNotFoundError:
            pass  # gone already: another process moved it
        except OSError as move_error:
            return self._give_up(exc, move_error)
        try:
            self._connect()
        except (OSError, sqlite3.Error) as open_error:
            return self._give_up(exc, open_error)
        self.status = "recovered"
        if aside is None:
            self.problem = f"the cache file was unreadable ({exc}); another process replaced it"
        else:
            self.problem = (
                f"the cache file was unreadable ({exc}); it was moved aside as {aside.name}"
                " and a new one started"
            )
            log.warning(
                "the translation cache at %s was unreadable (%s); moved it to %s and started"
                " a new one",
                self.path,
                exc,
                aside,
            )

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        number = 1
        while aside.exists():
            number += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{number}")
        os.replace(self.path, aside)
        for suffix in ("-wal", "-shm"):  # the journal belongs to the damaged file
            companion = Path(f"{self.path}{suffix}")
            if companion.exists():
                os.replace(companion, Path(f"{aside}{suffix}"))
        return aside

    def _give_up(self, exc: Exception, cause: Exception) -> None:
        self.status = "unavailable"
        self.problem = f"the cache file is unreadable ({exc}) and could not be replaced ({cause})"
        log.warning(
            "the translation cache at %s is unreadable (%s) and could not be replaced (%s);"
            " translating without it",
            self.path,
            exc,
            cause,
        )

    def _run(self, operation: Callable[[sqlite3.Connection], T], default: T) -> T:
        """``operation`` on the database; on trouble, recover or skip, never raise."""
        with self._lock:
            for attempt in range(2):
                if self._db is None:
                    return default
                try:
                    return operation(self._db)
                except sqlite3.Error as exc:
                    if is_corrupt(exc) and attempt == 0:
                        self._recover(exc)
                        continue
                    if self.problem is None:
                        self.problem = f"the cache was skipped once ({exc})"
                        log.warning("translation cache at %s skipped: %s", self.path, exc)
                    with contextlib.suppress(sqlite3.Error):
                        self._db.rollback()
                    return default
            return default

    def get_many(self, keys: Sequence[str]) -> dict[str, Hypothesis]:
        """The cached hypotheses among ``keys``."""

        def read(db: sqlite3.Connection) -> dict[str, Hypothesis]:
            found: dict[str, Hypothesis] = {}
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    "SELECT key, target, truncated, tokens FROM translations"
                    f" WHERE key IN ({marks})",
                    chunk,
                )
                for key, target, truncated, tokens in rows:
                    found[key] = Hypothesis(target, bool(truncated), tokens)
            return found

        return self._run(read, {})

    def put_many(self, items: Iterable[tuple[str, Hypothesis]]) -> None:
        rows = [(k, h.text, int(h.truncated), h.tokens) for k, h in items]

        def write(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?)", rows)
            db.commit()

        self._run(write, None)

    def __len__(self) -> int:
        return self._run(
            lambda db: db.execute("SELECT COUNT(*) FROM translations").fetchone()[0], 0
        )

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
