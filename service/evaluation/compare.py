"""Paired significance between two runs on the same documents (``audarma eval --compare``).

The tests are sacrebleu's own (:class:`sacrebleu.significance.PairedTest`): paired bootstrap
resampling (Koehn 2004, as in Moses) and paired approximate randomisation (Riezler and
Maxwell 2005, as in MultEval), run on the same segments, metrics and reference streams as the
reports. The random seed is sacrebleu's (``SACREBLEU_SEED``, default 12345) and appears in
each signature. Run A is the baseline; a p-value answers "could B differ from A this much by
chance?".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sacrebleu.significance import PairedTest

from ..errors import ConfigError, InputError
from ..jobs.store import RunStore
from .datasets import EvalDataset, load_dataset
from .metrics import (
    DISPLAY_NAMES,
    LOWER_IS_BETTER,
    ROUGE_METRICS,
    TRANSLATION_METRICS,
    Scorer,
    make_metric,
    parse_metrics,
)
from .scoring import (
    TRANSLATION_SYSTEMS,
    assemble,
    finished_documents,
    mode_metrics,
    row_items,
    scored_documents,
)

DEFAULT_TRIALS = 10000
SIGNIFICANCE = 0.05


def compare_runs(
    run_a: str | Path,
    run_b: str | Path,
    *,
    dataset_path: str | Path | None = None,
    metrics: str | Sequence[str] = TRANSLATION_METRICS,
    normalize: bool = True,
    n_bootstrap: int = 1000,
    n_trials: int = DEFAULT_TRIALS,
) -> dict[str, Any]:
    """Compare every result row the two runs share; returns a JSON-able dict."""
    if n_bootstrap < 1 or n_trials < 1:
        raise ConfigError("paired tests need at least 1 bootstrap resample and 1 trial")
    metrics = parse_metrics(metrics)
    store_a, store_b = RunStore(run_a), RunStore(run_b)
    info_a, info_b = store_a.info(), store_b.info()
    if info_a["dataset"] != info_b["dataset"]:
        raise InputError(
            f"{run_a} and {run_b} were run on different datasets"
            f" ({info_a['dataset']['name']} {info_a['dataset']['fingerprint']} vs"
            f" {info_b['dataset']['name']} {info_b['dataset']['fingerprint']})"
        )
    dataset = _dataset(store_a, dataset_path, info_a["dataset"]["fingerprint"])
    records_a, records_b = store_a.records(), store_b.records()
    docs = finished_documents(finished_documents(dataset.documents, records_a), records_b)
    if not docs:
        raise InputError(f"{run_a} and {run_b} have no finished document in common")
    comparisons = []
    targets = [lang for lang in info_a["targets"] if lang in info_b["targets"]]
    for lang in targets:
        with_refs = scored_documents("translation", lang, docs)
        if not with_refs:
            continue
        for system in TRANSLATION_SYSTEMS:
            names = mode_metrics(system, metrics)
            if not names:
                continue
            a = row_items("translation", system, lang, with_refs, records_a)
            b = row_items("translation", system, lang, with_refs, records_b)
            comparisons.append(
                paired_tests(
                    "translation", system, lang, a, b, names, normalize, n_bootstrap, n_trials
                )
            )
    summaries_a, summaries_b = info_a.get("summaries"), info_b.get("summaries")
    if summaries_a and summaries_b:
        for lang in ["kk", *targets]:
            with_refs = scored_documents("summary", lang, docs)
            if not with_refs:
                continue
            a = row_items("summary", summaries_a["strategy"], lang, with_refs, records_a)
            b = row_items("summary", summaries_b["strategy"], lang, with_refs, records_b)
            name = summaries_a["strategy"]
            if summaries_b["strategy"] != name:
                name = f"{name} vs {summaries_b['strategy']}"
            comparisons.append(
                paired_tests(
                    "summary", name, lang, a, b, ROUGE_METRICS, normalize, n_bootstrap, n_trials
                )
            )
    return {
        "run_a": {"path": str(run_a), "model": info_a["model"]},
        "run_b": {"path": str(run_b), "model": info_b["model"]},
        "dataset": info_a["dataset"],
        "documents": len(docs),
        "bootstrap_samples": n_bootstrap,
        "randomization_trials": n_trials,
        "comparisons": comparisons,
    }


def paired_tests(
    task: str,
    system: str,
    lang: str,
    items_a: Sequence[Any],
    items_b: Sequence[Any],
    metrics: Sequence[str],
    normalize: bool,
    n_bootstrap: int,
    n_trials: int,
) -> dict[str, Any]:
    """Paired bootstrap and approximate randomisation for one row, with each metric."""
    scorer = Scorer(lang, metrics, normalize=normalize, n_bootstrap=0)
    hyps_a, refs, _ = assemble(items_a)
    hyps_b, _, _ = assemble(items_b)
    hyps_a = [scorer.prepare(h) for h in hyps_a]
    hyps_b = [scorer.prepare(h) for h in hyps_b]
    refs = [[scorer.prepare(r) for r in stream] for stream in refs]
    systems = [("A", hyps_a), ("B", hyps_b)]
    results: dict[str, dict[str, Any]] = {name: {} for name in scorer.names}
    for test_type, samples in (("bs", n_bootstrap), ("ar", n_trials)):
        instances = {name: make_metric(name) for name in scorer.names}
        test = PairedTest(systems, instances, refs, test_type=test_type, n_samples=samples)
        signatures, scores = test()
        for score_name, metric in test.metrics.items():
            name = next(n for n, m in instances.items() if m is metric)
            base, other = scores[score_name]
            entry = results[name]
            entry.setdefault("a", base.score)
            entry.setdefault("b", other.score)
            if test_type == "bs":
                signature = signatures[score_name]
                signature.update("ar", n_trials)
                entry["signature"] = f"{signature.format()}|{scorer.normalization_tag}"
                entry["paired_bootstrap"] = {
                    "p_value": other.p_value,
                    "samples": samples,
                    "a_mean": _float(base.mean),
                    "a_ci": _float(base.ci),
                    "b_mean": _float(other.mean),
                    "b_ci": _float(other.ci),
                }
            else:
                entry["approximate_randomization"] = {"p_value": other.p_value, "trials": samples}
    for name, entry in results.items():
        entry["delta"] = entry["b"] - entry["a"]
        entry["better"] = _better(name, entry)
    return {
        "task": task,
        "system": system,
        "language": lang,
        "segments": len(hyps_a),
        "normalized": scorer.normalized,
        "metrics": results,
    }


def _better(name: str, entry: dict[str, Any]) -> str:
    """``A``, ``B`` or ``neither``: B differs significantly by both tests, in which direction."""
    p_values = (entry["paired_bootstrap"]["p_value"], entry["approximate_randomization"]["p_value"])
    if entry["delta"] == 0 or max(p_values) >= SIGNIFICANCE:
        return "neither"
    b_higher = entry["delta"] > 0
    return "B" if b_higher != (name in LOWER_IS_BETTER) else "A"


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _dataset(store: RunStore, path: str | Path | None, fingerprint: str) -> EvalDataset:
    if path is None:
        report = store.folder / "report.json"
        try:
            path = json.loads(report.read_text(encoding="utf-8"))["dataset"]["path"]
        except (OSError, ValueError, KeyError, TypeError):
            raise InputError(f"{report} is missing or unreadable; give --dataset") from None
    dataset = load_dataset(path)
    if dataset.fingerprint() != fingerprint:
        raise InputError(f"the dataset at {path} is not the one the runs were made on")
    return dataset


def render_text(comparison: dict[str, Any]) -> str:
    """A table: one line per row and metric, both p-values, and which run is better.

    "better" names a run only when both tests give p < 0.05 and the scores differ.
    """
    lines = [
        f"A = {comparison['run_a']['path']} ({comparison['run_a']['model']['name']})",
        f"B = {comparison['run_b']['path']} ({comparison['run_b']['model']['name']})",
        f"{comparison['documents']} documents; paired bootstrap"
        f" {comparison['bootstrap_samples']} resamples, approximate randomisation"
        f" {comparison['randomization_trials']} trials",
    ]
    rows = [
        (f"{item['task']}/{item['system']}/{item['language']}", name, entry)
        for item in comparison["comparisons"]
        for name, entry in item["metrics"].items()
    ]
    width = max([3, *(len(row) for row, _, _ in rows)])
    lines += [
        "",
        f"{'row':<{width}} {'metric':<8} {'A':>7} {'B':>7} {'B-A':>7} {'p(bs)':>7} {'p(ar)':>7}"
        "  better",
    ]
    for row, name, entry in rows:
        lines.append(
            f"{row:<{width}} {DISPLAY_NAMES[name]:<8} {entry['a']:7.2f} {entry['b']:7.2f}"
            f" {entry['delta']:+7.2f} {entry['paired_bootstrap']['p_value']:7.4f}"
            f" {entry['approximate_randomization']['p_value']:7.4f}  {entry['better']}"
        )
    return "\n".join(lines)
