"""Append-only JSONL records with a run identity: how batch work survives a crash.

A batch (``audarma translate FOLDER --out results.jsonl``) and an evaluation run
(``audarma eval --out DIR``) write one JSON record per finished article or document. The
records file is only ever appended to, one complete line at a time, flushed and synced before
the next item starts, so a crash or Ctrl-C loses at most the item in flight and a rerun picks
up where the last one stopped. A line cut short by a crash is cut off when the store is opened
again (the item is simply done again).

Next to the records lies the run's *identity*: everything that shapes the outputs (model,
engine, targets, decoding options ...). Resuming with a different identity would silently mix
two systems in one file, so it is refused with one line naming what differs; ``restart``
starts over instead.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputError

OUTPUTS = "outputs.jsonl"
RUN_INFO = "run.json"
#: What a batch's identity file is called next to its records file ``X``: ``X.run.json``.
IDENTITY_SUFFIX = ".run.json"


def check_identity(
    previous: dict[str, Any], identity: dict[str, Any], where: str, hint: str = ""
) -> None:
    """Refuse to resume the run in ``where`` (identity ``previous``) as one of ``identity``,
    with one line naming everything that differs."""
    differs = _differences(previous, identity)
    if differs:
        what = "; ".join(f"{name} {before!r}, now {now!r}" for name, before, now in differs)
        raise ConfigError(
            f"{where} holds a run with a different {differs[0][0]} ({what})"
            + (f"; {hint}" if hint else "")
        )


def _differences(previous: dict[str, Any], identity: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(name, before, now)`` for each part that differs; inside a nested part (the decoding
    options, the model) by its own name, ``decoding.beam``, so the line says what changed
    rather than printing both whole."""
    differs = []
    for key in [*identity, *(k for k in previous if k not in identity)]:
        before, now = previous.get(key), identity.get(key)
        if before == now:
            continue
        if isinstance(before, dict) and isinstance(now, dict):
            subkeys = [*now, *(k for k in before if k not in now)]
            differs += [
                (f"{key}.{sub}", before.get(sub), now.get(sub))
                for sub in subkeys
                if before.get(sub) != now.get(sub)
            ]
        else:
            differs.append((key, before, now))
    return differs


class RecordStore:
    """Records of one run, by item id, in ``records_path``; its identity in ``identity_path``."""

    def __init__(self, records_path: str | Path, identity_path: str | Path) -> None:
        self.outputs = Path(records_path)
        self.info_path = Path(identity_path)

    @classmethod
    def beside(cls, records_path: str | Path) -> RecordStore:
        """The store of a batch's ``--out`` file: the identity sits beside it."""
        path = Path(records_path)
        return cls(path, path.with_name(path.name + IDENTITY_SUFFIX))

    # ------------------------------------------------------------------ identity
    def open(self, identity: dict[str, Any], *, restart: bool = False, hint: str = "") -> None:
        """Start a run with ``identity``, or check that the stored run has exactly it.

        ``restart`` forgets every record first. ``hint`` ends the refusal's message (how to
        start over with the interface at hand).
        """
        if restart:
            self.outputs.unlink(missing_ok=True)
            self.info_path.unlink(missing_ok=True)
        if self.info_path.exists():
            check_identity(self.info(), identity, str(self.outputs), hint)
        else:
            if self.outputs.exists() and self.outputs.stat().st_size:
                raise ConfigError(
                    f"{self.outputs} already holds results of an unknown run (no"
                    f" {self.info_path.name})" + (f"; {hint}" if hint else "")
                )
            write_atomically(self.info_path, json.dumps(identity, ensure_ascii=False, indent=2))
        self._repair()

    def info(self) -> dict[str, Any]:
        """The stored identity."""
        data = read_json(self.info_path, missing=f"{self.info_path} does not exist: not a run")
        if not isinstance(data, dict):
            raise InputError(f"{self.info_path} is not a JSON object")
        return data

    # ------------------------------------------------------------------ records
    def records(self) -> dict[str, dict[str, Any]]:
        """The latest record of each item; a finished one wins over a failed attempt."""
        records: dict[str, dict[str, Any]] = {}
        if not self.outputs.exists():
            return records
        with open(self.outputs, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # cut short by a crash: that item is redone
                if isinstance(record, dict) and "id" in record:
                    keep_latest(records, record)
        return records

    def finished(self) -> set[str]:
        """Ids of the items that have a complete, successful record."""
        return {item for item, record in self.records().items() if "error" not in record}

    def append(self, record: dict[str, Any]) -> None:
        """Add one item's record as one line, durably, without touching earlier lines."""
        line = json.dumps(record, ensure_ascii=False) + "\n"
        self.outputs.parent.mkdir(parents=True, exist_ok=True)
        with open(self.outputs, "ab") as handle:
            handle.write(line.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())

    def _repair(self) -> None:
        repair_tail(self.outputs)


def keep_latest(records: dict[str, dict[str, Any]], record: dict[str, Any]) -> None:
    """Let ``record`` stand for its item in ``records`` unless it is a failed attempt at an
    item that already has a successful record (a retry that failed takes nothing away)."""
    item_id = str(record["id"])
    previous = records.get(item_id)
    if "error" in record and previous is not None and "error" not in previous:
        return
    records[item_id] = record


def repair_tail(path: Path) -> None:
    """Cut off a last line that a crash left without its line break (it cannot parse)."""
    if not path.exists():
        return
    with open(path, "r+b") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return
        keep = size
        while keep > 0:  # back to the last complete line, a block at a time
            start = max(0, keep - 65536)
            handle.seek(start)
            block = handle.read(keep - start)
            newline = block.rfind(b"\n")
            if newline >= 0:
                keep = start + newline + 1
                break
            keep = start
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())


class RunStore(RecordStore):
    """An evaluation run folder: ``run.json`` (its identity) and ``outputs.jsonl``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        super().__init__(self.folder / OUTPUTS, self.folder / RUN_INFO)

    def open(self, identity: dict[str, Any], *, restart: bool = False, hint: str = "") -> None:
        """Create the folder, then open the run (see :meth:`RecordStore.open`)."""
        if self.folder.exists() and not self.folder.is_dir():
            raise InputError(f"{self.folder} exists and is not a folder")
        self.folder.mkdir(parents=True, exist_ok=True)
        super().open(
            identity, restart=restart, hint=hint or "use another --out folder to start a new run"
        )

    def info(self) -> dict[str, Any]:
        """The run's ``run.json``."""
        if not self.info_path.exists():
            raise InputError(f"{self.folder} is not an evaluation run (no {RUN_INFO})")
        return super().info()


def read_json(path: Path, *, missing: str) -> Any:
    """The JSON in ``path``; a missing file is the one-line error ``missing``, a damaged one
    says so. Identity files and manifests are read back by later runs and by hand-written
    commands, so neither may surface as a traceback."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(missing) from None
    except ValueError:
        raise InputError(f"{path} is not valid JSON") from None


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
