"""A run folder: ``run.json`` (what the run is) and ``outputs.jsonl`` (one line per document).

``outputs.jsonl`` is only ever appended to, one complete line per finished document, flushed
and synced before the next document starts, so a crash or Ctrl-C loses at most the document in
flight and a rerun picks up where the last one stopped. A line cut short by a crash is left in
place (nothing is rewritten) and ignored when read; the document is simply done again.

``run.json`` records everything that shapes the outputs (dataset contents, targets, model,
decoding, summaries). Resuming a folder with a different configuration would silently mix two
systems in one score, so it is refused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputError

OUTPUTS = "outputs.jsonl"
RUN_INFO = "run.json"


class RunStore:
    """The outputs of one evaluation run, kept in ``folder``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.outputs = self.folder / OUTPUTS
        self.info_path = self.folder / RUN_INFO

    def open(self, identity: dict[str, Any]) -> None:
        """Create the folder, or check that the run in it has this ``identity``."""
        if self.folder.exists() and not self.folder.is_dir():
            raise InputError(f"{self.folder} exists and is not a folder")
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.info_path.exists():
            previous = self.info()
            for key, value in identity.items():
                if previous.get(key) != value:
                    raise ConfigError(
                        f"{self.folder} holds a run with a different {key} ({previous.get(key)!r},"
                        f" now {value!r}); use another --out folder to start a new run"
                    )
            return
        self.info_path.write_text(
            json.dumps(identity, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    def info(self) -> dict[str, Any]:
        """The run's ``run.json``."""
        try:
            data = json.loads(self.info_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"{self.folder} is not an evaluation run (no {RUN_INFO})") from None
        except ValueError:
            raise InputError(f"{self.info_path} is not valid JSON") from None
        if not isinstance(data, dict):
            raise InputError(f"{self.info_path} is not a JSON object")
        return data

    def records(self) -> dict[str, dict[str, Any]]:
        """The latest record of each document; a finished one wins over a failed attempt."""
        records: dict[str, dict[str, Any]] = {}
        if not self.outputs.exists():
            return records
        with open(self.outputs, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # cut short by a crash: that document is redone
                if not isinstance(record, dict) or "id" not in record:
                    continue
                doc_id = str(record["id"])
                previous = records.get(doc_id)
                if "error" in record and previous is not None and "error" not in previous:
                    continue
                records[doc_id] = record
        return records

    def finished(self) -> set[str]:
        """Ids of the documents that have a complete, successful record."""
        return {doc_id for doc_id, record in self.records().items() if "error" not in record}

    def append(self, record: dict[str, Any]) -> None:
        """Add one document's record as one line, durably, without touching earlier lines."""
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with open(self.outputs, "ab") as handle:
            if handle.tell() and not self._ends_with_newline():
                handle.write(b"\n")  # close a line cut short by a crash; it stays unreadable
            handle.write(line.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())

    def _ends_with_newline(self) -> bool:
        with open(self.outputs, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"
