"""What runs in each Ray actor: one loaded engine, and the same work one process does.

:class:`CorpusWorker` translates a group of articles with :func:`~service.jobs.batch.
translate_records` (corpus mode); :class:`~.evaluate.EvalWorker` processes evaluation
documents. Each call gets one block (a group) and returns one row per item: its record as
JSON, and in the first row what the call cost (for the per-actor summary).

A worker never raises for an article: bad input becomes the article's ``error`` record, as
on one machine, and so does an unexpected exception of the pipeline (the next run retries
those). A model that cannot load is answered in every call's ``fatal`` column, so the driver
stops the job with that one line rather than a cluster traceback.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..bench.child import peak_rss_mb
from ..errors import AudarmaError, InputError
from ..jobs.batch import translate_records
from ..settings import load_settings
from ..text.document import PYTHON_SOURCE_HINT
from ..translate import Translator


class Worker:
    """One loaded translator per actor, built from the driver's settings."""

    def __init__(
        self, settings: dict[str, Any], *, test_exit_on_batch: int = 0, test_marker: str = ""
    ) -> None:
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.calls = 0
        self.fatal: str | None = None
        self._exit_on_batch = test_exit_on_batch
        self._marker = test_marker
        self.translator: Translator | None = None
        try:
            self.translator = Translator(settings=load_settings(settings))
            self.translator.engine  # noqa: B018  (load now: a model that cannot load says so at once)
        except AudarmaError as exc:
            self.fatal = str(exc)

    def _test_exit(self) -> None:
        """Test-only: die like a killed process on the Nth call, once per marker file."""
        if self._exit_on_batch and self.calls == self._exit_on_batch:
            try:
                os.close(os.open(self._marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return
            os._exit(1)

    def _run(self, ids: Sequence[str], work: Callable[[], list[dict[str, Any]]]) -> Any:
        """The output table of one call: ``work()``'s records, or the reason none can come."""
        import pyarrow as pa

        self.calls += 1
        self._test_exit()
        if self.fatal is not None:
            return pa.table({"id": list(ids), "fatal": [self.fatal] * len(ids)})
        assert self.translator is not None
        stats = self.translator.stats
        before = (sum(stats.sentences.values()), stats.engine_sentences)
        started = time.perf_counter()
        try:
            records = work()
        except Exception as exc:  # a bug or a broken engine: the group fails, the job goes on
            first = (str(exc).splitlines() or [""])[0]
            message = f"internal error: {type(exc).__name__}: {first}"
            records = [{"id": item_id, "error": message} for item_id in ids]
        seconds = time.perf_counter() - started
        first = [1] + [0] * (len(records) - 1)
        sentences = sum(stats.sentences.values()) - before[0]
        engine = stats.engine_sentences - before[1]
        rss_mb = round(peak_rss_mb())
        return pa.table(
            {
                "id": [str(r["id"]) for r in records],
                "record": [json.dumps(r, ensure_ascii=False) for r in records],
                "actor": [self.name] * len(records),
                "seconds": [seconds * f for f in first],
                "sentences": [sentences * f for f in first],
                "engine_sentences": [engine * f for f in first],
                "rss_mb": [rss_mb] * len(records),
            }
        )


class CorpusWorker(Worker):
    """Translates one group of articles per call into ``targets`` (corpus mode)."""

    def __init__(
        self,
        settings: dict[str, Any],
        targets: list[str],
        source: str = "auto",
        source_hint: str = PYTHON_SOURCE_HINT,
        **hooks: Any,
    ) -> None:
        super().__init__(settings, **hooks)
        self.targets = targets
        self.source = source
        self.source_hint = source_hint

    def __call__(self, batch: Any) -> Any:
        ids = [str(i) for i in batch.column("id").to_pylist()]
        texts = batch.column("text").to_pylist()
        errors = batch.column("error").to_pylist()
        items = [
            (i, text if error is None else InputError(error))
            for i, text, error in zip(ids, texts, errors, strict=True)
        ]
        return self._run(
            ids,
            lambda: translate_records(
                items,
                self.translator,
                self.targets,
                source=self.source,
                source_hint=self.source_hint,
            ),
        )


def marker_path(out_dir: str | Path) -> str:
    """Where the test-only exit hook records that it fired (once per output folder)."""
    return str(Path(out_dir) / ".test-actor-exited")
