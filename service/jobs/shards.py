"""A corpus run's results as shard files in a folder, written by one driver, resumable.

A run on a Ray cluster (``audarma translate CORPUS --out DIR --ray ...``) keeps::

    DIR/manifest.json        the run's identity, output format, counts, and each run so far
    DIR/order.jsonl          the corpus ids in input order (what ``--merge`` follows)
    DIR/part-00000.jsonl     one part per run, appended as batches finish (--format jsonl)
    DIR/part-00000-00000.parquet   complete files written whole (--format parquet)
    DIR/.lock                held by the driver writing the folder

Only the driver writes, one batch at a time, so exactly-once is decided here and not by the
cluster's retries: a record whose article already has a successful one is dropped, whichever
worker sent it and however often. A JSONL part is flushed and synced after every batch and a
line cut short by a crash is cut off when the folder is opened again; a Parquet part is
written to a temporary name and renamed into place, every :data:`PARQUET_ROWS` records or
:data:`PARQUET_SECONDS`. A crash therefore loses at most the batches in flight (and the
Parquet records not yet written), which the next run simply translates again.

Like :class:`~.store.RecordStore`, the folder refuses to resume with another identity
(model, engine, targets, decoding options) and ``restart`` starts over. A record that failed
is retried by the next run; a successful record of an article always wins over a failed one.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import ConfigError, InputError
from .store import check_identity, read_json, repair_tail, write_atomically

MANIFEST = "manifest.json"
ORDER = "order.jsonl"
LOCK = ".lock"
FORMATS = ("jsonl", "parquet")
#: What ``manifest.json`` says it is (and which version of this layout).
KIND = "audarma-results"
VERSION = 1
#: A Parquet part is written after this many records, or this many seconds after the last.
PARQUET_ROWS = 1000
PARQUET_SECONDS = 60.0

_PART = re.compile(r"part-(\d+)(?:-(\d+))?\.(jsonl|parquet)")


@dataclass(frozen=True)
class _Where:
    """Where an article's record lies: its part and its byte offset (JSONL) or row
    (Parquet), and whether it is a success."""

    part: Path
    position: int
    ok: bool


class ShardStore:
    """The results folder of a corpus run (see the module's docstring)."""

    def __init__(
        self,
        folder: str | Path,
        output_format: str = "jsonl",
        *,
        parquet_rows: int = PARQUET_ROWS,
        parquet_seconds: float = PARQUET_SECONDS,
    ) -> None:
        if output_format not in FORMATS:
            raise ConfigError(f"unknown results format {output_format!r}; choose jsonl or parquet")
        self.folder = Path(folder)
        self.format = output_format
        self.manifest_path = self.folder / MANIFEST
        self._parquet_rows = parquet_rows
        self._parquet_seconds = parquet_seconds
        self._index: dict[str, _Where] = {}
        self._written: set[str] = set()
        self._lock: IO[str] | None = None
        self._jsonl: IO[bytes] | None = None
        self._buffer: list[dict[str, Any]] = []
        self._flushed_at = time.monotonic()
        self._run = 0
        self._files = 0

    # ------------------------------------------------------------------ opening
    def open(self, identity: dict[str, Any], *, restart: bool = False, hint: str = "") -> None:
        """Take the folder for this run: lock it, check (or record) the identity, repair.

        ``restart`` forgets every result first. ``hint`` ends a refusal (how to start over).
        """
        if self.folder.exists() and not self.folder.is_dir():
            raise InputError(f"{self.folder} exists and is not a folder")
        self.folder.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        try:
            if restart:
                for path in [*self._parts(), self.manifest_path, self.folder / ORDER]:
                    path.unlink(missing_ok=True)
            if self.manifest_path.exists():
                manifest = self.manifest()
                check_identity(manifest.get("identity", {}), identity, str(self.folder), hint)
                if manifest.get("format") != self.format:
                    raise ConfigError(
                        f"{self.folder} holds {manifest.get('format')} results; rerun with"
                        f" --format {manifest.get('format')}" + (f", or {hint}" if hint else "")
                    )
            elif self._parts():
                raise ConfigError(
                    f"{self.folder} already holds results of an unknown run (no {MANIFEST})"
                    + (f"; {hint}" if hint else "")
                )
            else:
                self._write_manifest(
                    {"kind": KIND, "version": VERSION, "identity": identity, "format": self.format}
                    | _counts(0, 0, 0)
                    | {"parts": [], "runs": []}
                )
            for leftover in self.folder.glob(".part-*"):
                leftover.unlink(missing_ok=True)  # a Parquet part a crash left half-written
            self._load(repair=True)
        except BaseException:
            self._release_lock()
            raise

    def _take_lock(self) -> None:
        import fcntl

        handle = open(self.folder / LOCK, "w", encoding="utf-8")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise ConfigError(
                f"{self.folder} is being written by another run; wait for it to end, or"
                " choose another --out"
            ) from None
        self._lock = handle

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing releases the flock
            self._lock = None

    def read(self) -> dict[str, Any]:
        """Open the folder only to read it (a run may be writing it); returns the manifest."""
        manifest = self.manifest()
        self.format = manifest.get("format", self.format)
        self._load(repair=False)
        return manifest

    def _load(self, *, repair: bool) -> None:
        """Index every record already in the parts (the last word on each article wins,
        a success over a failure) and choose this run's part name."""
        runs = [-1]
        for part in self._parts():
            runs.append(int(_PART.fullmatch(part.name)[1]))
            if part.suffix == ".jsonl":
                if repair:
                    repair_tail(part)
                entries = _scan_jsonl(part)
            else:
                entries = _scan_parquet(part)
            for item_id, position, ok in entries:
                previous = self._index.get(item_id)
                if previous is None or ok or not previous.ok:
                    self._index[item_id] = _Where(part, position, ok)
        self._run = max(runs) + 1

    def _parts(self) -> list[Path]:
        """Every part file, in the order they were written."""
        parts = [p for p in self.folder.glob("part-*") if _PART.fullmatch(p.name)]
        return sorted(
            parts, key=lambda p: tuple(int(n or 0) for n in _PART.fullmatch(p.name).groups()[:2])
        )

    # ------------------------------------------------------------------ reading
    def manifest(self) -> dict[str, Any]:
        """The content of ``manifest.json``."""
        data = read_json(
            self.manifest_path, missing=f"{self.folder} holds no corpus results (no {MANIFEST})"
        )
        if not isinstance(data, dict) or data.get("kind") != KIND:
            raise InputError(f"{self.manifest_path} is not an Audarma results manifest")
        return data

    def finished(self) -> set[str]:
        """Ids of the articles that have a successful record."""
        return {item_id for item_id, where in self._index.items() if where.ok}

    def failed(self) -> set[str]:
        """Ids of the articles whose only records are failures (the next run retries them)."""
        return {item_id for item_id, where in self._index.items() if not where.ok}

    def order(self) -> list[str]:
        """The corpus ids in input order, as the last run wrote them (empty if none did)."""
        path = self.folder / ORDER
        if not path.exists():
            return []
        with open(path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def records(self) -> Iterator[dict[str, Any]]:
        """Each article's record once, in corpus order; articles not in the corpus order
        (from an earlier corpus) after them, in the order they were written."""
        order = self.order()
        known = set(order)
        rest = [i for i in self._index if i not in known]
        reader = _Reader()
        try:
            for item_id in [*order, *rest]:
                where = self._index.get(item_id)
                if where is not None:
                    yield reader.read(where)
        finally:
            reader.close()

    def merge(self, path: str | Path) -> int:
        """Write :meth:`records` to one JSONL file (atomically: a crash leaves no half
        file). Returns how many records it holds."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        count = 0
        try:
            with open(temporary, "wb") as out:
                for record in self.records():
                    out.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
                    count += 1
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return count

    # ------------------------------------------------------------------ writing
    def write_order(self, ids: Iterable[str]) -> None:
        """Record the corpus order of this run (atomically)."""
        text = "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in ids)
        write_atomically(self.folder / ORDER, text.rstrip("\n"))

    def append(self, records: Iterable[dict[str, Any]]) -> int:
        """Keep the records of articles that have no successful record yet (and none from
        this run): durably for JSONL before returning. Returns how many were kept."""
        fresh = []
        for record in records:
            item_id = str(record["id"])
            where = self._index.get(item_id)
            if item_id in self._written or (where is not None and where.ok):
                continue  # a duplicate delivery, or an article done by an earlier run
            self._written.add(item_id)
            fresh.append(record)
        if not fresh:
            return 0
        if self.format == "jsonl":
            self._append_jsonl(fresh)
        else:
            self._buffer.extend(fresh)
            due = time.monotonic() - self._flushed_at >= self._parquet_seconds
            if len(self._buffer) >= self._parquet_rows or due:
                self._flush_parquet()
        return len(fresh)

    def _append_jsonl(self, records: list[dict[str, Any]]) -> None:
        if self._jsonl is None:
            part = self.folder / f"part-{self._run:05d}.jsonl"
            self._jsonl = open(part, "ab")  # noqa: SIM115
        part = Path(self._jsonl.name)
        offset = self._jsonl.tell()
        lines = []
        for record in records:
            line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
            self._index[str(record["id"])] = _Where(part, offset, "error" not in record)
            offset += len(line)
            lines.append(line)
        self._jsonl.write(b"".join(lines))
        self._jsonl.flush()
        os.fsync(self._jsonl.fileno())

    def _flush_parquet(self) -> None:
        self._flushed_at = time.monotonic()
        if not self._buffer:
            return
        import pyarrow.parquet as pq

        part = self.folder / f"part-{self._run:05d}-{self._files:05d}.parquet"
        temporary = self.folder / f".{part.name}.tmp"
        pq.write_table(_parquet_table(self._buffer), temporary)
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, part)
        for row, record in enumerate(self._buffer):
            self._index[str(record["id"])] = _Where(part, row, "error" not in record)
        self._files += 1
        self._buffer = []

    def close(
        self, corpus: dict[str, Any] | None = None, run: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Write what is buffered, update the manifest (the ``corpus`` of this run and what it
        did, ``run``), release the folder. Returns the manifest."""
        try:
            if self._jsonl is not None:
                self._jsonl.close()
                self._jsonl = None
            if self.format == "parquet":
                self._flush_parquet()
            manifest = self.manifest()
            order = self.order()
            finished = self.finished()
            failed = len(self.failed())
            missing = sum(1 for i in order if i not in self._index)
            manifest.update(_counts(len(finished), failed, missing))
            if corpus is not None:
                manifest["corpus"] = corpus
            manifest["parts"] = [p.name for p in self._parts()]
            if run is not None:
                manifest["runs"] = [*manifest.get("runs", []), run]
            self._write_manifest(manifest)
            return manifest
        finally:
            self._release_lock()

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        write_atomically(self.manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2))


def _counts(finished: int, failed: int, missing: int) -> dict[str, Any]:
    return {
        "finished": finished,
        "failed": failed,
        "missing": missing,
        "complete": failed == 0 and missing == 0,
    }


def _scan_jsonl(part: Path) -> Iterator[tuple[str, int, bool]]:
    """(id, byte offset, success) of each record of a JSONL part."""
    offset = 0
    with open(part, "rb") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except ValueError:
                record = None  # not ours to judge: skipped, that article is redone
            if isinstance(record, dict) and "id" in record:
                yield str(record["id"]), offset, "error" not in record
            offset += len(line)


def _scan_parquet(part: Path) -> Iterator[tuple[str, int, bool]]:
    """(id, row, success) of each record of a Parquet part."""
    import pyarrow.parquet as pq

    table = pq.read_table(part, columns=["id", "error"])
    ids, errors = table.column("id").to_pylist(), table.column("error").to_pylist()
    for row, (item_id, error) in enumerate(zip(ids, errors, strict=True)):
        yield str(item_id), row, error is None


def _parquet_table(records: list[dict[str, Any]]) -> Any:
    """Records as a Parquet-ready table: ``id``, ``error``, the text of each translation
    (``text_en`` ...), ``warnings``, and the whole record as JSON (``record``)."""
    import pyarrow as pa

    languages = sorted({code for r in records for code in r.get("translations", {})})
    columns: dict[str, Any] = {
        "id": pa.array([str(r["id"]) for r in records], pa.string()),
        "error": pa.array([r.get("error") for r in records], pa.string()),
    }
    for code in languages:
        texts = [r.get("translations", {}).get(code, {}).get("text") for r in records]
        columns[f"text_{code}"] = pa.array(texts, pa.string())
    columns["warnings"] = pa.array([r.get("warnings") for r in records], pa.list_(pa.string()))
    columns["record"] = pa.array([json.dumps(r, ensure_ascii=False) for r in records], pa.string())
    return pa.table(columns)


class _Reader:
    """Reads records back by position, keeping the part last read at hand (records are
    written roughly in corpus order, so merging reads each part about once)."""

    def __init__(self) -> None:
        self._part: Path | None = None
        self._handle: IO[bytes] | None = None
        self._rows: list[str] = []

    def read(self, where: _Where) -> dict[str, Any]:
        if where.part != self._part:
            self.close()
            if where.part.suffix == ".jsonl":
                self._handle = open(where.part, "rb")  # noqa: SIM115
            else:
                import pyarrow.parquet as pq

                table = pq.read_table(where.part, columns=["record"])
                self._rows = table.column("record").to_pylist()
            self._part = where.part
        if self._handle is not None:
            self._handle.seek(where.position)
            return json.loads(self._handle.readline())
        return json.loads(self._rows[where.position])

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self._part, self._handle, self._rows = None, None, []
