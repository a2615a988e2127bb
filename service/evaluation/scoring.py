"""Scores of a finished run, computed from ``outputs.jsonl`` and the dataset alone.

Rows of the report, one per (task, system, language):

- ``translation`` / ``sentence``: every reference line translated on its own; corpus scores
  over all lines of all documents (the standard comparison, as in WMT);
- ``translation`` / ``document``: the full pipeline's output, one segment per document;
- ``summary`` / the strategy and ``summary`` / ``lead-1``: ROUGE against the reference summaries,
  one segment per document.

Per-document scores are rescored from the same segment statistics, never recomputed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

import sacrebleu

from .. import __version__
from ..languages import get_language
from ..translate import Translator
from .comet import CometScorer, CometUnavailable
from .datasets import EvalDataset, EvalDocument
from .metrics import (
    ROUGE_METRICS,
    MetricScore,
    Scorer,
    ScoreReport,
    bootstrap_scores,
    percentile_interval,
    resample_counts,
)
from .options import EvalOptions

LEAD1 = "lead-1"
TRANSLATION_SYSTEMS = ("sentence", "document")
#: Metrics too slow for document-length segments (TER's shift search grows much faster than
#: the segment: one 400-word document takes seconds).
DOCUMENT_MODE_SKIPS = frozenset({"ter"})

#: (document id, its hypothesis segments, its reference streams aligned with them)
Item = tuple[str, list[str], list[list[str]]]

NOTES = [
    "BLEU, chrF++ (chrF, word order 2) and TER are sacrebleu's, with sacrebleu's default"
    " settings; their signatures identify them exactly.",
    "95% intervals: bootstrap over segments (sacrebleu's resampling and percentile rule);"
    " bs = resamples, seed = random seed.",
    "ROUGE: F-measure x 100 on Unicode letter/digit tokens, case-folded, no stemming; with"
    " several references each segment takes the best one (max); corpus = mean of segments.",
    "uzapos:fold = Uzbek apostrophes (ʻ ʼ ‘ ’ ' `) folded to one character on both sides"
    " before scoring Uzbek; uzapos:none = texts scored as they are.",
]


def score_run(
    dataset: EvalDataset,
    full: EvalDataset,
    records: dict[str, dict[str, Any]],
    translator: Translator,
    options: EvalOptions,
) -> dict[str, Any]:
    """The report of a run (everything ``report.json`` holds except timings of this call)."""
    done = finished_documents(dataset.documents, records)
    failed = [
        {"id": doc.id, "error": records[doc.id]["error"]}
        for doc in dataset.documents
        if doc.id in records and "error" in records[doc.id]
    ]
    notes = list(NOTES)
    per_doc: dict[str, dict[str, Any]] = {doc.id: {} for doc in done}
    rows: list[dict[str, Any]] = []
    if not done:
        notes.append("No document was translated successfully: nothing to score.")
    else:
        rows = translation_rows(done, records, options, per_doc, notes)
        if options.summaries:
            rows += summary_rows(done, records, options, per_doc, notes)
    return {
        "audarma_version": __version__,
        "sacrebleu_version": sacrebleu.__version__,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "dataset": {
            "name": dataset.name,
            "path": dataset.path,
            "format": dataset.format,
            "fingerprint": full.fingerprint(),
            "documents": len(dataset.documents),
            "documents_in_dataset": len(full.documents),
            "segments": dataset.segments,
            "limit": options.limit,
        },
        "model": translator.model_info.to_dict(),
        "summarizer": options.summarizer_info(translator.settings),
        "settings": translator.settings.to_dict(),
        "options": {
            "targets": list(options.targets),
            "metrics": list(options.metrics),
            "normalize": options.normalize,
            "bootstrap": options.n_bootstrap,
            "seed": options.seed,
            "summaries": options.summaries,
            "comet": options.comet,
        },
        "translation_seconds": round(sum(records[d.id].get("seconds", 0.0) for d in done), 3),
        "results": rows,
        "documents": [
            {
                "id": doc.id,
                "seconds": records[doc.id].get("seconds"),
                "flags": records[doc.id].get("flags", {}),
                "scores": per_doc[doc.id],
            }
            for doc in done
        ],
        "failed": failed,
        "notes": notes,
    }


def finished_documents(
    docs: Sequence[EvalDocument], records: dict[str, dict[str, Any]]
) -> list[EvalDocument]:
    """The documents that have a successful record, in dataset order."""
    return [doc for doc in docs if doc.id in records and "error" not in records[doc.id]]


def translation_rows(
    done: Sequence[EvalDocument],
    records: dict[str, dict[str, Any]],
    options: EvalOptions,
    per_doc: dict[str, dict[str, Any]],
    notes: list[str],
) -> list[dict[str, Any]]:
    """Sentence- and document-mode rows for each target language that has references."""
    rows = []
    comet = _comet(options, notes)
    if set(options.metrics) & DOCUMENT_MODE_SKIPS:
        notes.append(
            "TER is not computed in document mode: sacrebleu's TER shift search takes minutes"
            " on document-length segments."
        )
    for lang in options.targets:
        docs = scored_documents("translation", lang, done)
        if not docs:
            script = get_language(lang).script
            only = f" (only {script}-script {lang} references count)" if "-" in lang else ""
            notes.append(
                f"{lang}: the dataset has no reference translations{only}; translation not scored."
            )
            continue
        for system in TRANSLATION_SYSTEMS:
            metrics = mode_metrics(system, options.metrics)
            if not metrics:
                continue
            scorer = _scorer(lang, metrics, options)
            items = row_items("translation", system, lang, docs, records)
            report = score_items(scorer, items, per_doc, f"translation/{system}/{lang}")
            if comet is not None and system == "sentence":
                report.metrics["comet"] = comet_score(comet, scorer, docs, items)
            rows.append(_row("translation", system, report, docs, records, lang))
    if comet is not None:
        notes.append(
            f"COMET ({comet.name}): sentence mode only, against the first reference of each"
            " segment; COMET's own scale."
        )
    return rows


def summary_rows(
    done: Sequence[EvalDocument],
    records: dict[str, dict[str, Any]],
    options: EvalOptions,
    per_doc: dict[str, dict[str, Any]],
    notes: list[str],
) -> list[dict[str, Any]]:
    """ROUGE of the summariser and of the lead-1 baseline, on the same documents."""
    rows = []
    for lang in options.summary_languages:
        docs = scored_documents("summary", lang, done)
        if not docs:
            notes.append(f"{lang}: the dataset has no reference summaries; summaries not scored.")
            continue
        scorer = _scorer(lang, ROUGE_METRICS, options)
        for system in (options.strategy, LEAD1):
            items = row_items("summary", system, lang, docs, records)
            report = score_items(scorer, items, per_doc, f"summary/{system}/{lang}")
            rows.append(_row("summary", system, report, docs, records, None))
    return rows


def mode_metrics(system: str, metrics: Sequence[str]) -> list[str]:
    """The metrics computed for a translation mode (document mode skips the slow ones)."""
    if system == "document":
        return [m for m in metrics if m not in DOCUMENT_MODE_SKIPS]
    return list(metrics)


def scored_documents(task: str, lang: str, docs: Sequence[EvalDocument]) -> list[EvalDocument]:
    """The documents that have references for ``task`` in ``lang``."""
    if task == "translation":
        return [doc for doc in docs if lang in doc.references]
    return [doc for doc in docs if lang in doc.summaries]


def row_items(
    task: str,
    system: str,
    lang: str,
    docs: Sequence[EvalDocument],
    records: dict[str, dict[str, Any]],
) -> list[Item]:
    """Each document's hypotheses and references for one result row.

    Sentence mode: the document's translated lines against its reference lines. Document mode:
    the whole translated article against each whole reference, one segment. Summaries: the
    summary (or lead-1 sentence) against the reference summaries, one segment.
    """
    if task == "translation" and system == "sentence":
        return [(d.id, records[d.id]["sentence"][lang], d.references[lang]) for d in docs]
    if task == "translation":
        return [
            (
                d.id,
                [" ".join(records[d.id]["document"][lang])],
                [[" ".join(stream)] for stream in d.references[lang]],
            )
            for d in docs
        ]
    return [
        (d.id, [summary_text(records[d.id], system, lang)], [[s] for s in d.summaries[lang]])
        for d in docs
    ]


def summary_text(record: dict[str, Any], system: str, lang: str) -> str:
    """A document's summary by ``system`` (the strategy, or the lead-1 baseline) in ``lang``."""
    if system == LEAD1:
        return record["lead1"][lang]
    return record.get("summaries", {}).get(lang, {}).get("text", "")


def assemble(items: Sequence[Item]) -> tuple[list[str], list[list[str | None]], list[range]]:
    """All items' segments as one corpus: hypotheses, reference streams, each item's span.

    Documents may have different numbers of references: missing ones are ``None`` in the
    combined streams, which sacrebleu (and ROUGE) skip.
    """
    width = max(len(refs) for _, _, refs in items)
    hyps: list[str] = []
    streams: list[list[str | None]] = [[] for _ in range(width)]
    spans = []
    for _, doc_hyps, doc_refs in items:
        spans.append(range(len(hyps), len(hyps) + len(doc_hyps)))
        hyps.extend(doc_hyps)
        for j, stream in enumerate(streams):
            stream.extend(doc_refs[j] if j < len(doc_refs) else [None] * len(doc_hyps))
    return hyps, streams, spans


def score_items(
    scorer: Scorer, items: Sequence[Item], per_doc: dict[str, dict[str, Any]], key: str
) -> ScoreReport:
    """Corpus scores over all items' segments; each document's own scores go into ``per_doc``."""
    hyps, streams, spans = assemble(items)
    stats = scorer.statistics(hyps, streams)
    for (doc_id, _, _), span in zip(items, spans, strict=True):
        per_doc[doc_id][key] = {name: stat.score(span) for name, stat in stats.items()}
    return scorer.report(stats)


def comet_score(
    comet: CometScorer, scorer: Scorer, docs: Sequence[EvalDocument], items: Sequence[Item]
) -> MetricScore:
    """Mean COMET over sentence-mode segments, with the same bootstrap as the other metrics."""
    sources = [segment for doc in docs for segment in doc.source]
    hyps = [scorer.prepare(h) for _, doc_hyps, _ in items for h in doc_hyps]
    refs = [scorer.prepare(r) for _, _, doc_refs in items for r in doc_refs[0]]
    scores = comet.segment_scores(sources, hyps, refs)
    mean = sum(scores) / len(scores)
    signature = f"model:{comet.name}|nrefs:1"
    ci = None
    if scorer.n_bootstrap > 1:
        import numpy as np

        matrix = np.array([[s, 1.0] for s in scores])
        counts = resample_counts(len(scores), scorer.n_bootstrap, scorer.seed)
        ci = percentile_interval(bootstrap_scores(matrix, lambda t: t[0] / t[1], counts))
        signature += f"|bs:{scorer.n_bootstrap}|seed:{str(scorer.seed).lower()}"
    return MetricScore("comet", mean, f"{signature}|{scorer.normalization_tag}", ci)


def _comet(options: EvalOptions, notes: list[str]) -> CometScorer | None:
    if not options.comet:
        notes.append("COMET skipped: no local checkpoint given (--comet PATH).")
        return None
    try:
        return CometScorer(options.comet)
    except CometUnavailable as exc:
        notes.append(f"{exc}.")
        return None


def _scorer(lang: str, metrics: Sequence[str], options: EvalOptions) -> Scorer:
    return Scorer(
        lang,
        metrics,
        normalize=options.normalize,
        n_bootstrap=options.n_bootstrap,
        seed=options.seed,
    )


def _row(
    task: str,
    system: str,
    report: ScoreReport,
    docs: Sequence[EvalDocument],
    records: dict[str, dict[str, Any]],
    flags_of: str | None,
) -> dict[str, Any]:
    row = {"task": task, "system": system, "documents": len(docs), **report.to_dict()}
    if flags_of is not None:
        totals: Counter[str] = Counter()
        for doc in docs:
            totals.update(records[doc.id].get("flags", {}).get(system, {}).get(flags_of, {}))
        row["flags"] = dict(sorted(totals.items()))
    return row
