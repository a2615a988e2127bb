"""Extractive summaries: the article's own key sentences, aligned across languages.

Editors need a summary they can trust on a laptop CPU. Choosing sentences from the article
(instead of writing new ones) makes every statement traceable to the source, and reusing the
translator's translations of exactly those sentences keeps the Kazakh, English and Uzbek
summaries aligned sentence for sentence at the cost of translating N sentences (usually
cache hits when the article was translated before).

Ranking combines the two signals that work for news without a model:
- *lead bias*: news puts the key facts first, so earlier sentences get a head start;
- *centrality*: TextRank (PageRank over TF-IDF cosine similarity) over Kazakh word stems; a
  sentence that shares content with many others, and with the headline, states the story.
Kazakh is agglutinative (``Қазақстан``, ``Қазақстанның``, ``Қазақстанда``), so words are
compared by their first :data:`STEM_LENGTH` letters, a crude but dependable stemmer.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..checks import CUT, FLAG_ORDER
from ..languages import SOURCE_LANGUAGE
from .base import Budget, Candidate, Document, Draft, StrategyOutput, count_words, cut_words

if TYPE_CHECKING:  # pragma: no cover
    from ..languages import Language
    from ..results import SentencePair
    from ..translate import Translator

#: Share of a sentence's score that comes from its position (the rest is centrality).
LEAD_WEIGHT = 0.35
#: PageRank damping factor (the usual 0.85).
DAMPING = 0.85
#: Letters of a word kept as its stem.
STEM_LENGTH = 6

#: Function words that say nothing about what a sentence is about.
_STOPWORDS_TEXT = """
    және мен бен пен да де та те ол бұл осы сол ал бірақ үшін туралы бойынша арқылы кейін
    дейін соң деп деді деген дейді болып болды болады болған еді екен жатыр жатқан оның оған
    онда олар біз біздің мұнда сондай сонымен қатар тағы өте ең әр барлық бар жоқ емес қазір
    яғни немесе не ма ме ба бе па пе ғой ретінде сияқты
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_TERM = re.compile(r"[^\W_]+")


def terms(sentence: str) -> list[str]:
    """Content-word stems of ``sentence`` (numbers kept whole)."""
    out = []
    for word in _TERM.findall(sentence.casefold()):
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        out.append(word if word.isdigit() else word[:STEM_LENGTH])
    return out


def tfidf(documents: Sequence[Sequence[str]]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors (smoothed IDF over ``documents``, the article's sentences)."""
    n = len(documents)
    df = Counter(term for doc in documents for term in set(doc))
    vectors = []
    for doc in documents:
        weights = {
            term: count * (math.log((1 + n) / (1 + df[term])) + 1.0)
            for term, count in Counter(doc).items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values()))
        vectors.append({t: w / norm for t, w in weights.items()} if norm else {})
    return vectors


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def pagerank(weights: Sequence[Sequence[float]], damping: float = DAMPING) -> list[float]:
    """PageRank of a weighted undirected graph; a node without edges spreads evenly."""
    import numpy as np

    matrix = np.asarray(weights, dtype=float)
    n = len(matrix)
    totals = matrix.sum(axis=1)
    dangling = totals == 0
    transitions = np.divide(
        matrix, totals[:, None], out=np.zeros_like(matrix), where=~dangling[:, None]
    )
    rank = np.full(n, 1.0 / n)
    for _ in range(200):
        new = (1 - damping) / n + damping * (transitions.T @ rank + rank[dangling].sum() / n)
        done = np.abs(new - rank).max() < 1e-12
        rank = new
        if done:
            break
    return rank.tolist()


def score_candidates(doc: Document, lead_weight: float = LEAD_WEIGHT) -> list[float]:
    """A score per candidate sentence (higher is more important), in candidate order.

    The headline takes part in the graph (a sentence close to it gains centrality) but is
    never a candidate itself.
    """
    texts = [c.text for c in doc.candidates]
    if doc.headline:
        texts.append(doc.headline)
    vectors = tfidf([terms(t) for t in texts])
    n = len(vectors)
    weights = [
        [cosine(vectors[i], vectors[j]) if i != j else 0.0 for j in range(n)] for i in range(n)
    ]
    ranks = pagerank(weights)[: len(doc.candidates)]
    top = max(ranks)
    return [
        lead_weight / math.sqrt(1 + c.position) + (1 - lead_weight) * (r / top)
        for c, r in zip(doc.candidates, ranks, strict=True)
    ]


def rank(doc: Document) -> list[Candidate]:
    """Candidates, most important first (ties: the earlier sentence first)."""
    scores = score_candidates(doc)
    order = sorted(range(len(doc.candidates)), key=lambda i: (-scores[i], i))
    return [doc.candidates[i] for i in order]


def _ordered_flags(pairs: Sequence[SentencePair]) -> list[str]:
    found = {flag for pair in pairs for flag in pair.flags}
    return [flag for flag in FLAG_ORDER if flag in found]


class ExtractiveStrategy:
    """Top-ranked Kazakh sentences in article order, with their sentence translations."""

    name = "extractive"

    def __init__(self, translator: Callable[[], Translator]) -> None:
        #: Called only when a language other than Kazakh is asked for.
        self._translator = translator

    def summarize(
        self, doc: Document, languages: Sequence[Language], budget: Budget
    ) -> StrategyOutput:
        warnings: list[str] = []
        chosen = rank(doc)[: budget.sentences]
        if len(doc.candidates) <= budget.sentences:
            warnings.append(
                f"the article has only {len(doc.candidates)} sentences to choose from;"
                " the summary keeps them all"
            )
        texts: dict[str, dict[Candidate, str]] = {}
        pairs: dict[str, dict[Candidate, SentencePair]] = {}
        for lang in languages:
            if lang.code == SOURCE_LANGUAGE:
                texts[lang.code] = {c: c.text for c in chosen}
                continue
            translated = self._translator().translate_sentences(
                [c.text for c in chosen], lang, warnings=warnings
            )
            pairs[lang.code] = dict(zip(chosen, translated, strict=True))
            texts[lang.code] = {c: pair.target for c, pair in pairs[lang.code].items()}

        def words(code: str, kept: Sequence[Candidate]) -> int:
            return sum(count_words(texts[code][c]) for c in kept)

        # The word budget holds in every language: drop the lowest-ranked sentence until it does.
        while (
            budget.words and len(chosen) > 1 and any(words(c, chosen) > budget.words for c in texts)
        ):
            chosen = chosen[:-1]
        in_order = sorted(chosen, key=lambda c: c.index)

        drafts = {}
        for code in texts:
            sentences = [texts[code][c] for c in in_order]
            flags = _ordered_flags([pairs[code][c] for c in in_order]) if code in pairs else []
            if budget.words and words(code, in_order) > budget.words:
                sentences = [cut_words(sentences[0], budget.words)]
                flags.append(CUT)
                warnings.append(
                    f"{code}: the best sentence alone is over the {budget.words}-word budget;"
                    " it was cut (flag 'cut')"
                )
            # An extractive summary's names are the article's (kk) or its translation's own.
            reference = doc.text if code == SOURCE_LANGUAGE else None
            drafts[code] = Draft(sentences, flags, reference)
        return StrategyOutput(drafts, warnings)
