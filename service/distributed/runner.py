"""``audarma translate CORPUS --out DIR --ray ...``: a corpus translated on a Ray cluster.

The driver reads the corpus with the same reader as one process (:mod:`service.jobs.corpus`),
leaves out the articles ``DIR`` already has, cuts the rest into the same groups one process
would translate (:func:`~service.jobs.batch.corpus_groups`), and hands one block per group to
a pool of actors (:mod:`.pool`). Records come back as groups finish and the driver alone
writes them (:class:`~service.jobs.shards.ShardStore`): a group retried after an actor died,
or a driver killed and run again, never leaves an article missing or twice in the results.
Same groups and same settings give the same records as ``audarma translate CORPUS`` on one
machine.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..jobs.batch import corpus_groups
from ..jobs.corpus import BatchItem, check_unique, iter_batch
from ..jobs.shards import ShardStore
from ..languages import Language
from ..settings import Settings, load_settings
from ..text.document import PYTHON_SOURCE_HINT
from ..translate import Translator, parse_targets
from .cluster import connect
from .pool import RayOptions, run_pool, worker_settings
from .progress import JobProgress
from .workers import CorpusWorker, marker_path

RESTART_HINT = "rerun with --restart to start over, or choose another --out"


def translate_corpus(
    corpus: str | Path,
    out_dir: str | Path,
    targets: Sequence[str | Language] | str = ("en", "uz"),
    *,
    settings: Settings | None = None,
    ray: RayOptions | None = None,
    output_format: str = "jsonl",
    restart: bool = False,
    progress: bool = True,
    source: str = "auto",
    source_hint: str = PYTHON_SOURCE_HINT,
) -> dict[str, Any]:
    """Translate every article of ``corpus`` not yet in ``out_dir``; returns the manifest.

    ``source`` and ``source_hint`` are :meth:`~service.translate.Translator.translate_many`'s:
    each article's language detected (``auto``) or said. The manifest's ``failed`` and
    ``missing`` say what the next run will retry.
    """
    settings = settings or load_settings()
    ray = ray or RayOptions()
    languages = parse_targets(targets)
    identity = {
        "kind": "translate",
        **Translator(settings=settings, cache=False).identity(languages, source),
    }
    ids = check_unique((item_id for item_id, _ in iter_batch(corpus)), str(corpus))
    store = ShardStore(out_dir, output_format)
    store.open(identity, restart=restart, hint=RESTART_HINT)
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    done = store.finished()
    todo = sum(1 for item_id in ids if item_id not in done)
    report = JobProgress(todo, show=progress)
    run: dict[str, Any] = {"started": started, "status": "interrupted"}
    pool = 0
    try:
        store.write_order(ids)
        if todo:
            with connect(ray.address) as cluster:
                report.start()
                groups = corpus_groups(iter_batch(corpus), done, settings.corpus_articles)
                kwargs = {
                    "settings": worker_settings(settings, ray),
                    "targets": [lang.code for lang in languages],
                    "source": source,
                    "source_hint": source_hint,
                    "test_exit_on_batch": ray.test_exit_on_batch,
                    "test_marker": marker_path(out_dir),
                }

                def consume(output: Any) -> None:
                    records = [json.loads(r) for r in output.column("record").to_pylist()]
                    kept = store.append(records)
                    report.add(output, kept, sum("error" in r for r in records))

                blocks = -(-todo // max(1, settings.corpus_articles))
                pool = run_pool(
                    _blocks(groups),
                    CorpusWorker,
                    kwargs,
                    ray,
                    cluster,
                    consume,
                    blocks_total=blocks,
                )
        run["status"] = "done"
    except Exception as exc:
        run["status"] = f"failed: {exc}"
        raise
    finally:
        report.close()
        run.update(report.record())
        run["ray"] = {
            "address": ray.address,
            "actors": pool,
            "cpus_per_actor": ray.cpus_per_actor,
            "gpus_per_actor": ray.gpus_per_actor,
        }
        manifest = store.close({"path": str(corpus), "articles": len(ids)}, run)
    report.print_summary(before=len(ids) - todo, missing=manifest["missing"])
    return manifest


def _blocks(groups: Iterator[list[BatchItem]]) -> Iterator[Any]:
    """Each group as a pyarrow table: ``id``, ``text`` and ``error`` (an unreadable item)."""
    import pyarrow as pa

    for group in groups:
        yield pa.table(
            {
                "id": pa.array([item_id for item_id, _ in group], pa.string()),
                "text": pa.array(
                    [t if isinstance(t, str) else None for _, t in group], pa.string()
                ),
                "error": pa.array(
                    [None if isinstance(t, str) else str(t) for _, t in group], pa.string()
                ),
            }
        )
