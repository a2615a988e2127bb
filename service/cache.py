"""Persistent translation cache (SQLite, standard library only).

Re-translating an article after a one-sentence edit should cost one sentence. The key covers
everything that changes the output — model, engine, languages, decoding options and the
sentence — so a hit is always the output the engine would give now.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from .engines.base import Hypothesis
from .errors import ConfigError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    truncated INTEGER NOT NULL,
    tokens INTEGER NOT NULL
)
"""


def cache_key(model: str, engine: str, src: str, tgt: str, options: str, sentence: str) -> str:
    """A digest of everything that determines an output."""
    parts = "\x1f".join((model, engine, src, tgt, options, sentence))
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()


class TranslationCache:
    """A key -> hypothesis store; safe to share between threads of one process."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open the translation cache at {self.path}: {exc}") from None
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[str]) -> dict[str, Hypothesis]:
        """The cached hypotheses among ``keys``."""
        found: dict[str, Hypothesis] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    "SELECT key, target, truncated, tokens FROM translations"
                    f" WHERE key IN ({marks})",
                    chunk,
                )
                for key, target, truncated, tokens in rows:
                    found[key] = Hypothesis(target, bool(truncated), tokens)
        return found

    def put_many(self, items: Iterable[tuple[str, Hypothesis]]) -> None:
        rows = [(k, h.text, int(h.truncated), h.tokens) for k, h in items]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?)", rows)
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
