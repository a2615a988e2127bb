"""The one small interface every translation engine implements.

The pipeline (:mod:`service.translate`) does segmentation, batching, caching and checks; an
engine only turns a batch of source sentences into hypotheses. Keeping it this small is what
lets the CLI, HTTP API, page, evaluator and benchmark share one code path across
transformers, CTranslate2 and chat-LLM back ends.

A batch may mix languages: each row has its own source and target language (one language
stands for every row), so an article's English and Uzbek sentences, or the sentences of many
articles, fill the same length-sorted batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..errors import ConfigError
from ..languages import Language
from ..settings import MAX_BEAM

#: One language for every row of a batch, or one per row.
Languages = Language | Sequence[Language]

#: Scripts an output may be restricted to (the target-script shortlist). Only Latin: every
#: target Audarma decodes is written in it, and a non-Latin target never gets a Latin map.
SHORTLIST_SCRIPTS = frozenset({"Latn"})


def per_row(languages: Languages, rows: int) -> list[Language]:
    """One language per row: ``languages`` repeated when it is one, checked when it is a list."""
    if isinstance(languages, Language):
        return [languages] * rows
    listed = list(languages)
    if len(listed) != rows:
        raise ValueError(f"{len(listed)} languages given for {rows} rows")
    return listed


@dataclass(frozen=True)
class DecodeOptions:
    """How to decode. Part of the cache key, so every field must change the output or be inert."""

    beam: int = 4
    #: Per-sentence output token limit: ``ratio * source_tokens + offset``, capped.
    max_length_ratio: float = 2.0
    max_length_offset: int = 16
    max_new_tokens: int = 512
    #: Restrict outputs in a shortlisted script (:data:`SHORTLIST_SCRIPTS`) to that script's
    #: tokens and the script-neutral ones, where the engine can.
    shortlist: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.beam <= MAX_BEAM:
            raise ConfigError(f"beam must be between 1 and {MAX_BEAM}, got {self.beam}")

    def token_limit(self, source_tokens: int) -> int:
        """The output token limit for a source of ``source_tokens`` tokens."""
        limit = int(self.max_length_ratio * source_tokens) + self.max_length_offset
        return max(1, min(self.max_new_tokens, limit))

    def source_limit(self, output_room: int) -> int | None:
        """The longest source whose output limit fits in ``output_room`` tokens (None: any).

        A model's decoder has as many positions as its encoder: a source whose limit
        (``ratio * n + offset``) passes the decoder's room would have its output cut by the
        room rather than by this rule, so the pipeline splits such sources first.
        """
        if self.max_new_tokens <= output_room:
            return None
        if self.max_length_ratio <= 0:
            return None if self.max_length_offset <= output_room else 1
        return max(1, int((output_room - self.max_length_offset) / self.max_length_ratio))

    def fingerprint(self) -> str:
        """A stable string for cache keys."""
        return (
            f"beam={self.beam};ratio={self.max_length_ratio};"
            f"offset={self.max_length_offset};cap={self.max_new_tokens}"
            + (";shortlist" if self.shortlist else "")
        )


@dataclass(frozen=True)
class Hypothesis:
    """One engine output."""

    text: str
    #: Generation stopped at the token limit instead of at end-of-sentence.
    truncated: bool = False
    #: Number of generated tokens (without special tokens), for speed reporting.
    tokens: int = 0


@runtime_checkable
class Engine(Protocol):
    """A loaded translation model."""

    #: Engine kind: ``transformers``, ``ctranslate2``, ``llm`` ...
    name: str
    #: The model id or folder the engine was loaded from.
    model_name: str

    def translate_batch(
        self,
        sentences: Sequence[str],
        src: Languages,
        tgt: Languages,
        options: DecodeOptions,
    ) -> list[Hypothesis]:
        """Translate one batch (row ``i``: ``src[i]`` -> ``tgt[i]``); outputs in input order."""
        ...

    def count_tokens(self, sentences: Sequence[str], src: Languages) -> list[int]:
        """Source token count of each sentence (special tokens included)."""
        ...

    @property
    def max_input_tokens(self) -> int:
        """The longest source (in tokens) the model accepts; longer sentences get split."""
        ...
