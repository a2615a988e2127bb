"""ROUGE-1, ROUGE-2 and ROUGE-L with a Unicode-aware tokenizer, as a sacrebleu metric.

Google's ``rouge-score`` keeps only ``[a-z0-9]`` when it tokenizes, so two identical Kazakh
(Cyrillic) texts score 0 with it. Here a token is a run of letters and digits in any script
(``[^\\W_]+`` on NFC, case-folded text), so Cyrillic, Uzbek Latin with its apostrophe letters
(ʻ and ʼ are letters) and English all count. No stemming and no stop words: neither is
available for all three languages, and a scorer that treats languages differently cannot be
compared across them.

The metric implements sacrebleu's :class:`~sacrebleu.metrics.base.Metric` interface, so the
same bootstrap confidence intervals and sacrebleu's own paired tests work on it unchanged.
Scores are F-measures x 100. With several references each segment takes the best-scoring one
(max), and the corpus score is the mean of the segment scores (as ``rouge-score`` aggregates).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sacrebleu.metrics.base import Metric, Score, Signature
from sacrebleu.utils import sum_of_lists

from .. import __version__

VARIANTS = ("1", "2", "L")

_TOKEN = re.compile(r"[^\W_]+")


def tokenize(text: str) -> list[str]:
    """Letters-and-digits tokens of ``text``, case-folded, in any script."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
    return _TOKEN.findall(folded)


def f_measure(matches: int, hyp_total: int, ref_total: int) -> float:
    """Harmonic mean of precision and recall (0 when nothing matches)."""
    if matches == 0:
        return 0.0
    precision, recall = matches / hyp_total, matches / ref_total
    return 2 * precision * recall / (precision + recall)


def ngrams(tokens: Sequence[str], n: int) -> Counter:
    """Counts of the ``n``-grams of ``tokens``."""
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def ngram_f(hyp: Counter, ref: Counter) -> float:
    """ROUGE-N F-measure (0..1) from the n-gram counts of a hypothesis and a reference."""
    matches = sum((hyp & ref).values())
    return f_measure(matches, sum(hyp.values()), sum(ref.values()))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two token lists.

    Bit-parallel (Hyyrö 2004): one integer operation per token of ``b`` instead of a row of
    the dynamic-programming table, so whole documents score quickly in pure Python.
    """
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for position, token in enumerate(a):
        masks[token] = masks.get(token, 0) | (1 << position)
    full = (1 << len(a)) - 1
    row = full
    for token in b:
        match = row & masks.get(token, 0)
        row = ((row + match) | (row - match)) & full
    return len(a) - row.bit_count()


def rouge_l_f(hyp: Sequence[str], ref: Sequence[str]) -> float:
    """ROUGE-L F-measure (0..1): longest common subsequence over both lengths."""
    return f_measure(lcs_length(hyp, ref), len(hyp), len(ref))


class ROUGEScore(Score):
    """A ROUGE corpus score (F-measure x 100)."""


class ROUGESignature(Signature):
    """sacrebleu-style: ``nrefs:1|tok:unicode-words|case:fold|stem:no|refs:max|agg:mean|...``."""

    def __init__(self, args: dict) -> None:
        super().__init__(args)
        self._abbr.update({"tok": "tok", "case": "c", "stem": "s", "refs": "r", "agg": "a"})
        self.info.update(
            {"tok": "unicode-words", "case": "fold", "stem": "no", "refs": "max", "agg": "mean"}
        )
        # The scorer is Audarma's, not sacrebleu's: record whose version computed it.
        self.info["version"] = f"audarma-{__version__}"


class ROUGE(Metric):
    """ROUGE-``variant`` (``"1"``, ``"2"`` or ``"L"``) F-measure x 100.

    Segment statistics are ``[best F-measure, 1]``, so summing any subset of segments and
    dividing gives the mean over that subset: what the bootstrap and the paired tests need.
    """

    _SIGNATURE_TYPE = ROUGESignature

    def __init__(self, variant: str = "1") -> None:
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f"unknown ROUGE variant {variant!r}; expected one of {VARIANTS}")
        self.variant = variant
        self.name = f"ROUGE-{variant}"

    def _features(self, text: str) -> Any:
        tokens = tokenize(text)
        return tokens if self.variant == "L" else ngrams(tokens, int(self.variant))

    def _similarity(self, hyp: Any, ref: Any) -> float:
        return rouge_l_f(hyp, ref) if self.variant == "L" else ngram_f(hyp, ref)

    def _preprocess_segment(self, sent: str) -> str:
        return sent

    def _extract_reference_info(self, refs: Sequence[str]) -> dict[str, Any]:
        return {"refs": [self._features(ref) for ref in refs]}

    def _compute_segment_statistics(self, hypothesis: str, ref_kwargs: dict) -> list[float]:
        hyp = self._features(hypothesis)
        best = max((self._similarity(hyp, ref) for ref in ref_kwargs["refs"]), default=0.0)
        return [best, 1.0]

    def _compute_score_from_stats(self, stats: Sequence[float]) -> ROUGEScore:
        total, count = float(stats[0]), float(stats[1])
        return ROUGEScore(self.name, 100.0 * total / count if count else 0.0)

    def _aggregate_and_compute(self, stats: Sequence[Sequence[float]]) -> ROUGEScore:
        return self._compute_score_from_stats(sum_of_lists(stats))
