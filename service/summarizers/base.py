"""What every summary strategy shares: the prepared article, the budget, the draft it returns.

A strategy only decides *which sentences* make each language's summary. Parsing, validation,
the faithfulness checks and the result objects live in :mod:`service.summarize`, so the three
strategies cannot drift apart in what they accept or how they are judged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..checks import CUT, SUMMARY_WORD
from ..errors import ConfigError, InputError
from ..text import Article, check_text, paragraph_sentences, parse_article, split_sentences

if TYPE_CHECKING:  # pragma: no cover
    from ..languages import Language

#: Rough words per news sentence, to bound generation when no word budget is set.
WORDS_PER_SENTENCE = 35
#: Model tokens per word, generously (Kazakh Cyrillic in a byte-level BPE runs near 3), to
#: bound generation: the answer is cut to its budget afterwards, so slack only costs time.
TOKENS_PER_WORD = 3.0
ELLIPSIS = "…"


def count_words(text: str) -> int:
    """Words in ``text`` as budgets count them (punctuation and dashes are not words)."""
    return len(SUMMARY_WORD.findall(text))


@dataclass(frozen=True)
class Budget:
    """How long a summary may be: at most ``sentences`` sentences and ``words`` words (0: any)."""

    sentences: int = 3
    words: int = 0

    def __post_init__(self) -> None:
        if self.sentences < 1:
            raise ConfigError(f"a summary needs at least 1 sentence, not {self.sentences}")
        if self.words < 0:
            raise ConfigError(f"the word budget cannot be negative ({self.words}); 0 means none")

    @property
    def max_words(self) -> int:
        """The word budget, or an estimate from the sentence budget when there is none."""
        return self.words or self.sentences * WORDS_PER_SENTENCE


def token_budget(budget: Budget, cap: int) -> int:
    """New tokens a model may generate for a summary of ``budget``, at most ``cap``."""
    return max(8, min(cap, math.ceil(budget.max_words * TOKENS_PER_WORD) + 16))


def cut_words(sentence: str, words: int) -> str:
    """The first ``words`` words of ``sentence``, original spacing kept, ending in ``…``."""
    matches = list(SUMMARY_WORD.finditer(sentence))
    if len(matches) <= words:
        return sentence
    if words < 1:
        return ""
    return sentence[: matches[words - 1].end()] + ELLIPSIS


def fit_to_budget(sentences: Sequence[str], budget: Budget) -> tuple[list[str], bool]:
    """The leading sentences that fit ``budget``, and whether anything had to be removed.

    Generated text is cut at a sentence boundary; only when even the first sentence is over
    the word budget is it cut inside, after its last allowed word (marked with ``…``).
    """
    kept: list[str] = []
    used = 0
    for sentence in sentences:
        size = count_words(sentence)
        if len(kept) == budget.sentences or (budget.words and used + size > budget.words):
            break
        kept.append(sentence)
        used += size
    if not kept and sentences:
        kept = [cut_words(sentences[0], budget.words)]
    return kept, kept != list(sentences)


def split_text(text: str) -> list[str]:
    """Sentences of generated text, every line break a boundary (one segmenter for all)."""
    return [s for line in text.splitlines() for s in split_sentences(line)]


@dataclass(frozen=True)
class Candidate:
    """A body sentence that may go into a summary."""

    #: Index of the sentence in the article's flat sentence list (headline included).
    index: int
    #: Index among the candidates: 0 is the lead.
    position: int
    paragraph: int
    text: str


@dataclass(frozen=True)
class Document:
    """An article prepared once for every strategy."""

    text: str
    article: Article
    #: Sentences of each paragraph (the headline paragraph first, when there is one).
    paragraphs: list[list[str]]
    candidates: list[Candidate]

    @property
    def headline(self) -> str | None:
        return self.article.paragraphs[0] if self.article.has_headline else None

    @property
    def body(self) -> str:
        """The article's paragraphs, one per line, without the date line (model input)."""
        return "\n".join(self.article.paragraphs)


def is_fragment(sentence: str) -> bool:
    """A dateline or caption scrap (``ТАШКЕНТ. KAZINFORM``): under 3 words or no lowercase."""
    words = SUMMARY_WORD.findall(sentence)
    letters = [c for c in sentence if c.isalpha()]
    return len(words) < 3 or not any(c.islower() for c in letters)


def prepare(text: str, max_chars: int) -> Document:
    """Parse and segment ``text``; refuse what cannot be summarised with one clear line."""
    text = check_text(text, max_chars)
    article = parse_article(text)
    paragraphs = paragraph_sentences(article)
    candidates: list[Candidate] = []
    index = 0
    for number, sentences in enumerate(paragraphs):
        for sentence in sentences:
            headline = article.has_headline and number == 0
            if not headline and not is_fragment(sentence):
                candidates.append(Candidate(index, len(candidates), number, sentence))
            index += 1
    if len(candidates) < 2:
        raise InputError(
            f"the article has {len(candidates)} sentence{'s' if len(candidates) != 1 else ''}"
            " besides its headline and dateline; a summary needs at least 2"
        )
    return Document(text, article, paragraphs, candidates)


@dataclass
class Draft:
    """One language's summary as a strategy made it, before the faithfulness checks."""

    sentences: list[str]
    #: Flags the strategy knows about (``cut``, flags of the translations it reused).
    flags: list[str] = field(default_factory=list)
    #: Text the name check looks names up in; ``None`` skips it (see :func:`check_summary`).
    reference: str | None = None

    def fitted(self, budget: Budget) -> Draft:
        """This draft cut to ``budget`` (flagged ``cut`` when anything was removed)."""
        sentences, cut = fit_to_budget(self.sentences, budget)
        flags = [*self.flags, CUT] if cut and CUT not in self.flags else list(self.flags)
        return Draft(sentences, flags, self.reference)


@dataclass
class StrategyOutput:
    drafts: dict[str, Draft]
    warnings: list[str] = field(default_factory=list)


class Strategy(Protocol):
    """One way of summarising; see :mod:`service.summarizers` for the three there are."""

    name: str

    def summarize(
        self, doc: Document, languages: Sequence[Language], budget: Budget
    ) -> StrategyOutput:
        """A draft per requested language (keyed by code), within ``budget``."""
        ...
