"""The one place Audarma reaches into sacrebleu's internals.

Bootstrap intervals and paired tests need each metric's per-segment sufficient statistics
and the corpus score of any subset of them. sacrebleu computes both, but only through
methods with a leading underscore (the ones its own ``--confidence`` and ``paired-bs`` code
calls). Calling them from one adapter means a sacrebleu release that renames them breaks
here, in one small module that the golden-value tests exercise, instead of in the scorer;
``pyproject.toml`` also bounds sacrebleu's version for the same reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sacrebleu.metrics.base import Metric


def segment_statistics(
    metric: Metric, hypotheses: Sequence[str], references: Sequence[Sequence[str | None]]
) -> list[list[float]]:
    """Each segment's sufficient statistics under ``metric`` (sacrebleu-style reference streams)."""
    rows = metric._extract_corpus_statistics(list(hypotheses), [list(r) for r in references])
    return [list(row) for row in rows]


def score_of_segments(metric: Metric, rows: Sequence[Sequence[float]]) -> float:
    """The corpus score of these segments' statistics, by sacrebleu's own aggregation."""
    return float(metric._aggregate_and_compute(list(rows)).score)


def score_of_totals(metric: Metric, totals: Any) -> float:
    """The corpus score of statistics already summed over segments (one bootstrap resample)."""
    return float(metric._compute_score_from_stats(totals).score)


def signature(metric: Metric, n_bootstrap: int = 0, seed: int | str | None = None) -> str:
    """The metric's reproducibility signature, recording the bootstrap when there is one."""
    if n_bootstrap > 1:
        metric.n_bootstrap = n_bootstrap
        metric.seed = str(seed).lower()
    return metric.get_signature().format()
