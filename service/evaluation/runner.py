"""The batch evaluation: translate (and summarise) every document, resumably, then report.

For each document, and each target language:

- *sentence mode*, the standard comparison: every source segment is translated on its own
  (:meth:`Translator.translate_sentences`) and scored against its aligned reference lines;
- *document mode*: the whole article goes through the full pipeline (:meth:`Translator.translate`:
  segmentation, clause splitting, batching, normalisation) and is scored per document, so the
  pipeline's effect on quality is visible next to the sentence-level number.

With summaries on, the summariser runs on the same article and a lead-1 baseline (the first
sentence of the source, and of each document-mode translation) is kept beside it.

Every finished document is appended to ``outputs.jsonl`` at once (:mod:`.store`); scoring and
reports are computed afterwards from that file alone, so a resumed run reports exactly what an
uninterrupted one would.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import AudarmaError
from ..jobs.store import RunStore
from ..languages import SOURCE_LANGUAGE
from ..results import SentencePair
from ..summarize import Summarizer
from ..translate import Translator
from .datasets import EvalDataset, EvalDocument, load_dataset
from .options import EvalOptions
from .report import write_reports
from .scoring import score_run


def run_identity(
    dataset: EvalDataset, translator: Translator, options: EvalOptions
) -> dict[str, Any]:
    """What ``run.json`` records: everything a resumed run must share with the first one."""
    return {
        "dataset": {"name": dataset.name, "fingerprint": dataset.fingerprint()},
        **translator.identity(options.targets),
        "summaries": options.summarizer_info(translator.settings),
    }


#: ``runner(documents, store, translator, options, summarizer)``: processes the documents and
#: appends each one's record to the store (:func:`translate_documents` in this process;
#: :mod:`service.distributed.evaluate` on a Ray cluster).
DocumentsRunner = Callable[[Sequence["EvalDocument"], RunStore, Translator, EvalOptions, Any], None]


def run_evaluation(
    dataset_path: str | Path,
    out_dir: str | Path,
    translator: Translator,
    options: EvalOptions,
    summarizer: Any = None,
    documents_runner: DocumentsRunner | None = None,
) -> dict[str, Any]:
    """Translate what is not done yet, then score everything and write the reports.

    ``summarizer`` (used when ``options.summaries``) follows the contract of
    :class:`service.summarize.Summarizer`; when it is None one is made from ``translator``.
    ``documents_runner`` processes the documents (default: :func:`translate_documents`).
    Returns the report (the content of ``report.json``).
    """
    started = time.monotonic()
    full = load_dataset(dataset_path)
    dataset = full.head(options.limit)
    store = RunStore(out_dir)
    store.open(run_identity(full, translator, options))
    finished = store.finished()
    todo = [doc for doc in dataset.documents if doc.id not in finished]
    if documents_runner is not None:
        documents_runner(todo, store, translator, options, summarizer)
    else:
        if options.summaries and summarizer is None and todo:
            summarizer = make_summarizer(translator, options.strategy)
        translate_documents(todo, store, translator, options, summarizer)
    report = score_run(dataset, full, store.records(), translator, options)
    report["run_seconds"] = round(time.monotonic() - started, 3)
    report["resumed_documents"] = len(dataset.documents) - len(todo)
    write_reports(store.folder, report)
    return report


def make_summarizer(translator: Translator, strategy: str) -> Any:
    """The project's :class:`Summarizer` for ``strategy``, sharing the translator."""
    return Summarizer(translator=translator, strategy=strategy, settings=translator.settings)


def translate_documents(
    documents: Sequence[EvalDocument],
    store: RunStore,
    translator: Translator,
    options: EvalOptions,
    summarizer: Any = None,
) -> None:
    """Process ``documents`` in order, appending each record as soon as it is complete."""
    from tqdm import tqdm

    progress = tqdm(
        documents,
        desc="documents",
        unit="doc",
        file=sys.stderr,
        disable=not options.progress or not documents,
        dynamic_ncols=True,
    )
    with progress as bar:
        try:
            for doc in bar:
                bar.set_postfix_str(doc.id[:30], refresh=False)
                store.append(process_document(doc, translator, options, summarizer))
        except KeyboardInterrupt:
            bar.close()
            print(
                f"audarma: stopped; {len(store.finished())} document(s) are saved in"
                f" {store.outputs}; rerun the same command to resume",
                file=sys.stderr,
            )
            raise


def process_document(
    doc: EvalDocument, translator: Translator, options: EvalOptions, summarizer: Any = None
) -> dict[str, Any]:
    """One document's outputs as a JSON-able record (an ``error`` record for bad input)."""
    started = time.monotonic()
    try:
        record = _outputs(doc, translator, options, summarizer)
    except AudarmaError as exc:
        return {"id": doc.id, "error": str(exc)}
    record["seconds"] = round(time.monotonic() - started, 3)
    return record


def _outputs(
    doc: EvalDocument, translator: Translator, options: EvalOptions, summarizer: Any
) -> dict[str, Any]:
    sentence: dict[str, list[str]] = {}
    flags: dict[str, dict[str, dict[str, int]]] = {"sentence": {}, "document": {}}
    for lang in options.targets:
        if lang not in doc.references:
            continue  # nothing to score it against: sentence mode would be wasted work
        pairs = translator.translate_sentences(doc.source, lang)
        sentence[lang] = [pair.target for pair in pairs]
        flags["sentence"][lang] = _flag_counts(pairs)
    result = translator.translate(doc.text, options.targets)
    document = {}
    for lang, translation in result.translations.items():
        document[lang] = [" ".join(p.target for p in para) for para in translation.paragraphs]
        flags["document"][lang] = _flag_counts(p for para in translation.paragraphs for p in para)
    first = next(iter(result.translations.values())).paragraphs[0][0]
    lead1 = {SOURCE_LANGUAGE: first.source}
    lead1.update({lang: t.paragraphs[0][0].target for lang, t in result.translations.items()})
    record: dict[str, Any] = {
        "id": doc.id,
        "sentence": sentence,
        "document": document,
        "lead1": lead1,
        "flags": flags,
    }
    if result.warnings:
        record["warnings"] = list(result.warnings)
    if options.summaries:
        summary = summarizer.summarize(
            doc.text, languages=options.summary_languages, sentences=options.summary_sentences
        )
        record["summaries"] = {
            lang: {"text": item.text, "sentences": list(item.sentences), "flags": list(item.flags)}
            for lang, item in summary.summaries.items()
        }
    return record


def _flag_counts(pairs: Iterable[SentencePair]) -> dict[str, int]:
    """How many sentences carry each QA flag."""
    counts: Counter[str] = Counter(flag for pair in pairs for flag in pair.flags)
    return dict(sorted(counts.items()))
