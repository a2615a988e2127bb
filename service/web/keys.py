"""API keys: who calls the HTTP API, stored hashed in SQLite under ``data_dir``.

``audarma keys add NAME`` makes a random key, shows it once and keeps only a salted SHA-256 of
it; the server checks a presented key against the stored digests in constant time. The server
and the ``audarma keys`` command are different processes sharing one file, so a key revoked on
the command line must stop working at once in a running server: the store re-reads its keys
whenever SQLite's ``data_version`` says another connection changed the file, and otherwise
answers from memory (one cheap pragma per request, no table scan).

This module imports no web framework, so ``audarma keys`` starts fast.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..jobs.sqlite import Reopening, open_store

#: Every key starts with this, so that a leaked one is recognisable (and greppable) as ours.
KEY_PREFIX = "aud_"
#: A key name: letters, digits, ``.``, ``_``, ``-``; it appears in logs, so no spaces.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: ``last_used`` is written at most this often per key: a write per request would cost more
#: than the check it records, and a minute is precise enough to find keys nobody uses.
LAST_USED_RESOLUTION_S = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    salt BLOB NOT NULL,
    digest BLOB NOT NULL,
    rate TEXT NOT NULL,
    created REAL NOT NULL,
    last_used REAL,
    revoked REAL
)
"""


@dataclass(frozen=True)
class ApiKey:
    """An authenticated caller: what the guards, quotas, logs and jobs need to know."""

    #: Unique for ever (a name revoked and added again gets a new id), so jobs and quotas
    #: never pass from an old key to a new one of the same name.
    id: int
    name: str
    #: ``N/unit``, or ``""``: the server's ``rate_limit`` setting applies.
    rate: str


@dataclass(frozen=True)
class KeyInfo:
    """What ``audarma keys list`` shows: never the key, never its digest."""

    name: str
    rate: str
    created: float
    last_used: float | None
    revoked: float | None

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "rate": self.rate or None,
            "created": _iso(self.created),
            "last_used": _iso(self.last_used),
            "revoked": _iso(self.revoked),
        }


def _iso(stamp: float | None) -> str | None:
    if stamp is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))


def _digest(salt: bytes, key: str) -> bytes:
    return hashlib.sha256(salt + key.encode("utf-8")).digest()


def check_name(name: str) -> str:
    """A usable key name, or an :class:`InputError` saying what one looks like."""
    if not NAME_PATTERN.fullmatch(name or ""):
        raise InputError(
            f"bad key name {name!r}: use 1-64 letters, digits, '.', '_' or '-',"
            " starting with a letter or digit"
        )
    return name


class KeyStore:
    """The API keys in one SQLite file; safe to share between the threads of one process."""

    def __init__(self, path: str | Path, busy_timeout: float = 10.0) -> None:
        """``busy_timeout``: seconds to wait for a lock another process holds; the server
        passes a short one, since it checks keys on its event loop."""
        self.path = Path(path)
        self._busy_timeout = busy_timeout
        self._store = Reopening(self._connect)
        self._lock = threading.Lock()
        self._version: int | None = None
        self._active: list[tuple[int, str, str, bytes, bytes]] = []
        self._written: dict[int, float] = {}

    # ------------------------------------------------------------------ the command line
    def add(self, name: str, rate: str = "") -> str:
        """Make a key named ``name`` with ``rate`` (``""``: follow the server's ``rate_limit``);
        returns the key, which is shown once and never stored.

        A revoked key's name may be used again; an active one's may not.
        """
        check_name(name)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT revoked FROM api_keys WHERE name = ?", (name,)
                ).fetchone()
                if row is not None and row[0] is None:
                    raise InputError(
                        f"a key named {name!r} exists; revoke it first (audarma keys revoke"
                        f" {name}) or choose another name"
                    )
                self._db.execute("DELETE FROM api_keys WHERE name = ?", (name,))
                self._db.execute(
                    "INSERT INTO api_keys (name, salt, digest, rate, created)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (name, salt, _digest(salt, key), rate, time.time()),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._version = None
        return key

    def revoke(self, name: str) -> None:
        """Revoke the key named ``name``: every server sharing this file refuses it at once."""
        with self._lock:
            changed = self._db.execute(
                "UPDATE api_keys SET revoked = ? WHERE name = ? AND revoked IS NULL",
                (time.time(), name),
            ).rowcount
            self._version = None
        if not changed:
            raise InputError(f"no active key named {name!r} (see audarma keys list)")

    def list(self) -> list[KeyInfo]:
        """Every key, active and revoked, by name."""
        with self._lock:
            rows = self._db.execute(
                "SELECT name, rate, created, last_used, revoked FROM api_keys ORDER BY name"
            ).fetchall()
        return [KeyInfo(*row) for row in rows]

    # ------------------------------------------------------------------ the server
    def _refresh(self) -> None:
        """Re-read the active keys if another connection changed the file (lock held)."""
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:
            self._active = self._db.execute(
                "SELECT id, name, rate, salt, digest FROM api_keys WHERE revoked IS NULL"
            ).fetchall()
            self._version = version

    def enforced(self) -> bool:
        """Whether any active key exists: then every guarded API route needs one."""
        with self._lock:
            self._refresh()
            return bool(self._active)

    def authenticate(self, presented: str) -> ApiKey | None:
        """The active key ``presented`` is, or None. Every stored digest is compared, each in
        constant time, so the answer's timing says nothing about which key came close."""
        if not presented:
            return None
        found = None
        with self._lock:
            self._refresh()
            for key_id, name, rate, salt, digest in self._active:
                if hmac.compare_digest(_digest(salt, presented), digest) and found is None:
                    found = ApiKey(key_id, name, rate)
            if found is not None:
                self._touch(found.id)
        return found

    def _touch(self, key_id: int) -> None:
        now = time.time()
        if now - self._written.get(key_id, 0.0) < LAST_USED_RESOLUTION_S:
            return
        self._written[key_id] = now
        # If the command line holds the file just now, the next minute's write will do.
        with contextlib.suppress(sqlite3.OperationalError):
            self._db.execute("UPDATE api_keys SET last_used = ? WHERE id = ?", (now, key_id))

    def _connect(self) -> sqlite3.Connection:
        # Keys grant access: a new file is for its owner only.
        return open_store(
            self.path, _SCHEMA, "API key store", timeout=self._busy_timeout, private=True
        )

    @property
    def _db(self) -> sqlite3.Connection:
        """The connection (opened again if an app's shutdown closed it)."""
        return self._store.connection

    def close(self) -> None:
        with self._lock:
            self._store.close()
            self._version = None
