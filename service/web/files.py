"""Files the page reads and writes: uploads, the bundled examples, and result downloads."""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from ..bundled import ntrex_dir, seed_files
from ..errors import InputError
from ..evaluation.datasets import EvalDataset, load_ntrex
from ..text.files import decode_bytes, split_lines


def seed_articles() -> list[str]:
    """The seed article(s), for the page's examples (none: the page offers no example)."""
    return [path.read_text(encoding="utf-8") for path in seed_files()]


def read_upload(path: str | None, what: str) -> str:
    """An uploaded text file's content (UTF-8), or an empty string when none was uploaded."""
    if not path:
        return ""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the uploaded {what}: {exc.strerror}") from None
    return decode_bytes(data, f"the uploaded {what}")


def text_lines(text: str) -> list[str]:
    """Line-aligned segments, split exactly as ``audarma score`` splits its files."""
    return split_lines(text)


def dev_set_available() -> bool:
    return ntrex_dir() is not None


@functools.lru_cache(maxsize=1)
def _dev_set() -> EvalDataset:
    folder = ntrex_dir()
    if folder is None:
        raise InputError("the bundled NTREX dev set is not installed here")
    return load_ntrex(folder)


def dev_set_segments(language: str, limit: int) -> tuple[list[str], list[list[str]]]:
    """The first ``limit`` segments of the bundled dev set: Kazakh sources and the reference
    streams in ``language`` (two for English), as the batch evaluation reads them (headlines
    are reference summaries, not segments)."""
    documents = _dev_set().documents
    if not any(language in doc.references for doc in documents):
        raise InputError(f"the bundled dev set has no references in {language!r}")
    sources = [segment for doc in documents for segment in doc.source][:limit]
    streams = len(documents[0].references[language])
    references = [
        [line for doc in documents for line in doc.references[language][k]][:limit]
        for k in range(streams)
    ]
    return sources, references


class DownloadDir:
    """A private temporary folder for result downloads; files older than ``max_age_s`` go.

    Gradio copies each returned file into its own cache, so these only need to outlive the
    request; pruning on each write keeps a long-running server from filling the disk.
    """

    def __init__(self, max_age_s: float = 3600.0) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="audarma-downloads-")
        self.path = Path(self._dir.name)
        self.max_age_s = max_age_s

    def _prune(self) -> None:
        cutoff = time.time() - self.max_age_s
        for old in self.path.iterdir():
            try:
                expired = old.stat().st_mtime < cutoff
            except OSError:
                continue  # raced with another request's prune: already gone
            if expired:
                shutil.rmtree(old, ignore_errors=True)

    def write(self, stem: str, text: str, data: Any) -> list[str]:
        """``stem.txt`` and ``stem.json`` in a fresh sub-folder; returns their paths."""
        self._prune()
        folder = self.path / uuid.uuid4().hex
        folder.mkdir()
        txt = folder / f"{stem}.txt"
        txt.write_text(text, encoding="utf-8")
        js = folder / f"{stem}.json"
        js.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return [str(txt), str(js)]

    def cleanup(self) -> None:
        self._dir.cleanup()
