"""Corpus metrics: configured once, applied to lists of strings, every score with its signature.

BLEU, chrF++ (chrF with word order 2) and TER are sacrebleu's own classes with their default
settings, and the corpus score is computed by sacrebleu's own code path from its own segment
statistics, so a score here is the number ``sacrebleu`` prints for the same files. ROUGE comes
from :mod:`service.evaluation.rouge`, which implements the same interface.

Confidence intervals come from bootstrap resampling of segments. The resamples are drawn with
exactly the call and seed ``sacrebleu --confidence`` uses, and each resample is rescored from
the summed per-segment sufficient statistics (never by re-tokenising), so a thousand resamples
cost a fraction of a second. The interval is the 2.5th-97.5th percentile of the resampled
scores, picked the way sacrebleu picks them.

Uzbek apostrophe folding (ʻ ʼ ‘ ’ ' ` compared as one character, on hypotheses and references
alike) is on by default for Uzbek because real text mixes them freely and folding alone moves
BLEU by over ten points on NTREX; the choice is appended to every signature
(``|uzapos:fold`` or ``|uzapos:none``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.metrics.base import Metric

from ..errors import ConfigError, InputError
from ..languages import get_language
from ..text import fold_uzbek_apostrophes
from .rouge import ROUGE
from .sacrebleu_api import score_of_segments, score_of_totals, segment_statistics, signature

TRANSLATION_METRICS = ("bleu", "chrf++", "ter")
ROUGE_METRICS = ("rouge1", "rouge2", "rougeL")
METRICS = TRANSLATION_METRICS + ROUGE_METRICS
#: Names that stand for several metrics in ``--metrics``.
METRIC_GROUPS = {"rouge": ROUGE_METRICS}
#: How reports print each metric.
DISPLAY_NAMES = {
    "bleu": "BLEU",
    "chrf++": "chrF++",
    "ter": "TER",
    "rouge1": "ROUGE-1",
    "rouge2": "ROUGE-2",
    "rougeL": "ROUGE-L",
    "comet": "COMET",
}
#: Metrics where a lower score is better.
LOWER_IS_BETTER = frozenset({"ter"})

DEFAULT_BOOTSTRAP = 1000
#: sacrebleu's default seed (``SACREBLEU_SEED``), so our intervals match ``sacrebleu -ci``.
DEFAULT_SEED = 12345

#: A stream of reference lines; ``None`` marks a segment this reference does not cover.
ReferenceStream = Sequence[str | None]


def parse_metrics(spec: str | Sequence[str]) -> list[str]:
    """``"bleu,chrf++,rouge"`` -> metric names in order, groups expanded, repeats dropped."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    names: list[str] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        key = {name.lower(): name for name in METRICS}.get(item.lower(), item.lower())
        expanded = METRIC_GROUPS.get(key, (key,))
        for name in expanded:
            if name not in METRICS:
                known = ", ".join([*METRICS, *METRIC_GROUPS])
                raise ConfigError(f"unknown metric {item!r}; choose from {known}")
            if name not in names:
                names.append(name)
    if not names:
        raise ConfigError("no metric given; choose from " + ", ".join(METRICS))
    return names


def make_metric(name: str) -> Metric:
    """A fresh sacrebleu-interface metric for ``name`` (fresh: it records its reference count)."""
    if name == "bleu":
        return BLEU()
    if name == "chrf++":
        return CHRF(word_order=2)
    if name == "ter":
        return TER()
    if name in ROUGE_METRICS:
        return ROUGE(name[len("rouge") :])
    raise ConfigError(f"unknown metric {name!r}; choose from {', '.join(METRICS)}")


@dataclass(frozen=True)
class MetricScore:
    """One corpus score, its reproducibility signature and its 95% bootstrap interval."""

    name: str
    score: float
    signature: str
    ci95: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "signature": self.signature,
            "ci95": list(self.ci95) if self.ci95 is not None else None,
        }


@dataclass
class ScoreReport:
    """The scores of one set of hypotheses (DESIGN §5, ``audarma score --format json``)."""

    segments: int
    language: str
    normalized: bool
    metrics: dict[str, MetricScore]

    def to_dict(self) -> dict[str, Any]:
        return {
            "segments": self.segments,
            "language": self.language,
            "normalized": self.normalized,
            "metrics": {name: score.to_dict() for name, score in self.metrics.items()},
        }

    def to_text(self) -> str:
        """One line per metric: name, score, interval, signature."""
        lines = []
        for name, score in self.metrics.items():
            ci = (
                "" if score.ci95 is None else f"  95% CI [{score.ci95[0]:.2f}, {score.ci95[1]:.2f}]"
            )
            lines.append(f"{DISPLAY_NAMES[name]:<8}{score.score:7.2f}{ci}  {score.signature}")
        return "\n".join(lines)


@dataclass
class SegmentStats:
    """One metric's per-segment sufficient statistics: any subset rescored by summing rows."""

    name: str
    metric: Metric
    rows: list[list[float]]

    def score(self, indices: Sequence[int] | None = None) -> float:
        """The corpus score over all segments (or ``indices``), by sacrebleu's own code path."""
        rows = self.rows if indices is None else [self.rows[i] for i in indices]
        return score_of_segments(self.metric, rows)

    def score_totals(self, totals: np.ndarray) -> float:
        """The score of already summed statistics (one bootstrap resample)."""
        return score_of_totals(self.metric, totals)

    @cached_property
    def matrix(self) -> np.ndarray:
        return np.asarray(self.rows, dtype=np.float64)


def resample_counts(segments: int, n_samples: int, seed: int | None) -> np.ndarray:
    """How often each segment is drawn in each bootstrap resample, shape ``(n_samples, segments)``.

    The draw is sacrebleu's (``default_rng(seed).choice(n, (n_samples, n))``), so with the same
    seed the resamples are the ones ``sacrebleu --confidence`` scores.
    """
    rng = np.random.default_rng(seed)
    draws = rng.choice(segments, size=(n_samples, segments), replace=True)
    offsets = (np.arange(n_samples) * segments)[:, None]
    flat = np.bincount((draws + offsets).ravel(), minlength=n_samples * segments)
    return flat.reshape(n_samples, segments)


def bootstrap_scores(
    matrix: np.ndarray, score: Callable[[np.ndarray], float], counts: np.ndarray
) -> np.ndarray:
    """The score of each resample: per-segment statistics weighted by ``counts``, summed."""
    totals = counts @ matrix
    return np.array([score(row) for row in totals])


def percentile_interval(scores: np.ndarray) -> tuple[float, float]:
    """The 95% interval of bootstrap ``scores``: sacrebleu's 1/40-from-each-end order statistics."""
    ordered = np.sort(scores)
    lower = len(ordered) // 40
    return float(ordered[lower]), float(ordered[len(ordered) - lower - 1])


@dataclass
class Scorer:
    """Metrics for one target language, configured once and applied to many corpora.

    ``references`` are sacrebleu-style streams: ``[[ref1 line 1, ref1 line 2, ...], [ref2 ...]]``,
    each line-aligned with the hypotheses; ``None`` in a stream means that reference does not
    cover that segment (every segment needs at least one reference).
    """

    language: str
    metrics: str | Sequence[str] = TRANSLATION_METRICS
    normalize: bool = True
    n_bootstrap: int = DEFAULT_BOOTSTRAP
    seed: int | None = DEFAULT_SEED
    _names: list[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.language = get_language(self.language).code
        self._names = parse_metrics(self.metrics)
        if self.n_bootstrap < 0:
            raise ConfigError(
                f"the number of bootstrap resamples must be >= 0, not {self.n_bootstrap}"
            )

    @property
    def names(self) -> list[str]:
        return list(self._names)

    @property
    def normalized(self) -> bool:
        """Whether apostrophe folding applies: asked for, and the language is Uzbek."""
        return self.normalize and self.language == "uz"

    @property
    def normalization_tag(self) -> str:
        """What is appended to each signature to record the folding choice."""
        return "uzapos:fold" if self.normalized else "uzapos:none"

    def prepare(self, text: str | None) -> str | None:
        """A hypothesis or reference line as the metrics see it."""
        if text is None or not self.normalized:
            return text
        return fold_uzbek_apostrophes(text)

    def statistics(
        self, hypotheses: Sequence[str], references: Sequence[ReferenceStream]
    ) -> dict[str, SegmentStats]:
        """Per-segment statistics of every configured metric (the expensive part, done once)."""
        hyps, refs = self._checked(hypotheses, references)
        stats = {}
        for name in self._names:
            metric = make_metric(name)
            stats[name] = SegmentStats(name, metric, segment_statistics(metric, hyps, refs))
        return stats

    def score(
        self, hypotheses: Sequence[str], references: Sequence[ReferenceStream]
    ) -> ScoreReport:
        """Corpus scores with signatures and bootstrap intervals."""
        return self.report(self.statistics(hypotheses, references))

    def report(self, stats: dict[str, SegmentStats]) -> ScoreReport:
        """The :class:`ScoreReport` of statistics from :meth:`statistics`."""
        segments = len(next(iter(stats.values())).rows)
        counts = None
        if self.n_bootstrap > 1:
            counts = resample_counts(segments, self.n_bootstrap, self.seed)
        scores = {}
        for name, stat in stats.items():
            ci = None
            if counts is not None:
                ci = percentile_interval(bootstrap_scores(stat.matrix, stat.score_totals, counts))
            scores[name] = MetricScore(name, stat.score(), self.signature(stat.metric), ci)
        return ScoreReport(segments, self.language, self.normalized, scores)

    def signature(self, metric: Metric) -> str:
        """The metric's sacrebleu signature (with the bootstrap settings) plus the folding tag."""
        return f"{signature(metric, self.n_bootstrap, self.seed)}|{self.normalization_tag}"

    def _checked(
        self, hypotheses: Sequence[str], references: Sequence[ReferenceStream]
    ) -> tuple[list[str], list[list[str | None]]]:
        if isinstance(hypotheses, str) or any(not isinstance(h, str) for h in hypotheses):
            raise InputError("hypotheses must be a list of strings")
        if not hypotheses:
            raise InputError("there is nothing to score: no hypotheses")
        if isinstance(references, str) or not references:
            raise InputError("at least one reference stream is needed")
        for number, stream in enumerate(references, start=1):
            if isinstance(stream, str) or any(
                r is not None and not isinstance(r, str) for r in stream
            ):
                raise InputError(f"reference {number} must be a list of strings")
            if len(stream) != len(hypotheses):
                raise InputError(
                    f"reference {number} has {len(stream)} segments but there are"
                    f" {len(hypotheses)} hypotheses"
                )
        for index, refs in enumerate(zip(*references, strict=True)):
            if all(ref is None for ref in refs):
                raise InputError(f"segment {index + 1} has no reference")
        hyps = [self.prepare(h) for h in hypotheses]
        refs = [[self.prepare(r) for r in stream] for stream in references]
        return hyps, refs
