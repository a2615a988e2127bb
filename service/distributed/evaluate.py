"""``audarma eval --dataset ... --out DIR --ray ...``: the evaluation's documents on a cluster.

Each document goes to the actor pool as its own block and is processed there exactly as one
process does it (:func:`~service.evaluation.runner.process_document`: sentence mode,
document mode, summaries). The driver appends each record to the run's ``outputs.jsonl``
(:class:`~service.jobs.store.RunStore`) as it arrives, once per document, and the scores and
reports are then made from that file as usual, so they are those of a run on one machine.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from ..evaluation.datasets import EvalDocument
from ..evaluation.options import EvalOptions
from ..evaluation.runner import DocumentsRunner, make_summarizer, process_document
from ..jobs.store import RunStore
from ..translate import Translator
from .cluster import connect
from .pool import RayOptions, run_pool, worker_settings
from .progress import JobProgress
from .workers import Worker, marker_path

#: The record of a document whose block the cluster gave up (its actor died every time).
LOST = "its Ray actor died on every attempt; rerun to retry it"


def ray_documents_runner(ray: RayOptions) -> DocumentsRunner:
    """A :data:`~service.evaluation.runner.DocumentsRunner` that uses the Ray cluster."""

    def run(
        documents: Sequence[EvalDocument],
        store: RunStore,
        translator: Translator,
        options: EvalOptions,
        summarizer: Any = None,
    ) -> None:
        if not documents:
            return
        report = JobProgress(len(documents), unit="document", show=options.progress)
        written: set[str] = set()
        wanted = {doc.id for doc in documents}

        def consume(output: Any) -> None:
            records = [json.loads(r) for r in output.column("record").to_pylist()]
            fresh = [r for r in records if r["id"] in wanted and r["id"] not in written]
            for record in fresh:
                store.append(record)
                written.add(record["id"])
            report.add(output, len(fresh), sum("error" in r for r in fresh))

        kwargs = {
            "settings": worker_settings(translator.settings, ray),
            "options": options,
            "test_exit_on_batch": ray.test_exit_on_batch,
            "test_marker": marker_path(store.folder),
        }
        try:
            with connect(ray.address) as cluster:
                report.start()
                run_pool(
                    _blocks(documents),
                    EvalWorker,
                    kwargs,
                    ray,
                    cluster,
                    consume,
                    blocks_total=len(documents),
                )
        except KeyboardInterrupt:
            report.close()
            print(
                f"audarma: stopped; {len(store.finished())} document(s) are saved in"
                f" {store.outputs}; rerun the same command to resume",
                file=sys.stderr,
            )
            raise
        report.close()
        missing = [doc.id for doc in documents if doc.id not in written]
        for doc_id in missing:  # their actor died on every attempt: failed, retried next run
            store.append({"id": doc_id, "error": LOST})
        report.print_summary(before=0, missing=len(missing))

    return run


class EvalWorker(Worker):
    """Processes evaluation documents (sentence and document mode, summaries) per call."""

    def __init__(self, settings: dict[str, Any], options: EvalOptions, **hooks: Any) -> None:
        super().__init__(settings, **hooks)
        self.options = options
        self.summarizer = None
        if self.translator is not None and options.summaries:
            self.summarizer = make_summarizer(self.translator, options.strategy)

    def __call__(self, batch: Any) -> Any:
        docs = [EvalDocument(**json.loads(d)) for d in batch.column("document").to_pylist()]

        def work() -> list[dict[str, Any]]:
            return [
                process_document(doc, self.translator, self.options, self.summarizer)
                for doc in docs
            ]

        return self._run([doc.id for doc in docs], work)


def _blocks(documents: Sequence[EvalDocument]) -> Iterator[Any]:
    """One block per document (documents take seconds each: the finest grain pays)."""
    import pyarrow as pa

    for doc in documents:
        yield pa.table({"document": [json.dumps(dataclasses.asdict(doc), ensure_ascii=False)]})
