"""What NLLB-200 and M2M100 models share, whichever engine runs them (no torch needed).

Both engines must give the same hypotheses for the same model, so the family rules live
here once: the language tags and how they are checked, how sources are encoded and counted
(:class:`SourceTokenizer`), what ``truncated`` means and how a hypothesis is cut and decoded
(:func:`finish_hypothesis`), and the engine skeleton around them (:class:`Seq2SeqEngine`).

Token limits. ``DecodeOptions.token_limit(n)`` bounds the *content* tokens of a hypothesis for
a source of ``n`` tokens (counted as :meth:`SourceTokenizer.count` does, specials included).
The decoder output is ``[decoder_start] [target tag] content... [EOS]``; a batch is generated
with ``max_new_tokens = max(limits) + 2`` (the tag, and room for the EOS after a hypothesis of
exactly ``limit`` tokens), and each hypothesis is then cut at its *own* limit: it is
``truncated`` when no EOS came within ``limit`` content tokens. Under greedy search this makes
every result independent of the rest of the batch; under beam search a longer budget can
still change which beam wins for a sentence that hits its limit (beam search keeps ranking
unfinished beams), so truncated beam outputs may differ slightly with batch composition.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from ..errors import LanguageError
from ..languages import Language
from ..settings import Settings
from .base import DecodeOptions, Hypothesis, Languages, per_row

FAMILIES = ("nllb", "m2m100")

#: Headroom between the hard input limit and :attr:`max_input_tokens`, so a sentence the
#: pipeline accepts is never truncated even if a caller counts without the tag and EOS.
SPECIALS_MARGIN = 2

#: Decoder positions before the content: the decoder start token and the forced target tag.
_PREFIX = 2
#: New tokens generated besides the content: the target tag and the final EOS.
TAG_AND_EOS = 2


def detect_family(tokenizer: Any, config: Any = None) -> str | None:
    """``nllb`` or ``m2m100`` from the tokenizer class, the config, or the tag format."""
    names = [type(tokenizer).__name__, str(getattr(config, "tokenizer_class", "") or "")]
    for name in names:
        lowered = name.lower()
        if lowered.startswith("nllb"):
            return "nllb"
        if lowered.startswith("m2m100"):
            return "m2m100"
    # A generic tokenizer class: recognise the language tags themselves.
    if token_id(tokenizer, "eng_Latn") is not None:
        return "nllb"
    if token_id(tokenizer, "__en__") is not None:
        return "m2m100"
    return None


def language_token(family: str, lang: Language) -> str:
    """The tag token of ``lang`` in ``family``: ``kaz_Cyrl`` (NLLB) or ``__kk__`` (M2M100)."""
    code = lang.model_code(family)
    return f"__{code}__" if family == "m2m100" else code


def token_id(tokenizer: Any, token: str) -> int | None:
    """The id of ``token``, or ``None`` when the tokenizer maps it to ``<unk>`` (or nothing)."""
    found = tokenizer.convert_tokens_to_ids(token)
    if found is None or (found == tokenizer.unk_token_id and token != tokenizer.unk_token):
        return None
    return int(found)


def language_token_id(
    tokenizer: Any, family: str, lang: Language, model_name: str, vocab_size: int | None = None
) -> int:
    """The target tag's id, checked: an unknown tag would silently become ``<unk>``."""
    token = language_token(family, lang)
    found = token_id(tokenizer, token)
    if found is None or (vocab_size is not None and found >= vocab_size):
        raise LanguageError(
            f"model {model_name!r} has no language token {token!r} for {lang.name} "
            f"({lang.code}); it cannot translate from or into that language"
        )
    return found


def set_source_language(
    tokenizer: Any, family: str, src: Language, model_name: str, vocab_size: int | None = None
) -> None:
    """Check the source tag exists, then make the tokenizer prepend it (it is tokenizer state)."""
    language_token_id(tokenizer, family, src, model_name, vocab_size)
    tokenizer.src_lang = src.model_code(family)


class SourceTokenizer:
    """How both engines turn source sentences into ids: tag checked, then tag + tokens + EOS.

    NLLB and M2M100 tokenizers hold the source language as state (``src_lang``), so choosing
    it and encoding happen under one lock; one object per engine keeps that rule, the checks
    that the tags exist, and the input limit (the tokenizer's, capped by the model's position
    table, which the tokenizer is then held to) in a single place.
    """

    def __init__(
        self,
        tokenizer: Any,
        family: str,
        model_name: str,
        vocab_size: int,
        positions: int | None = None,
    ) -> None:
        self.tokenizer = tokenizer
        self.family = family
        self.model_name = model_name
        self.vocab_size = vocab_size
        self._lock = threading.Lock()
        limits = [int(tokenizer.model_max_length)] + ([int(positions)] if positions else [])
        #: Longest encoder input, tags included; longer inputs are cut (a last resort).
        self.input_limit = min(limits)
        tokenizer.model_max_length = self.input_limit
        #: Most content tokens a hypothesis may have: the decoder's positions (as many as the
        #: encoder's) less the target tag and the EOS. CTranslate2 has no encodings past the
        #: table and fails; transformers would extend M2M100's sinusoidal table, but both
        #: engines must give the same hypotheses, so both keep to it.
        self.output_limit = max(1, int(positions or self.input_limit) - TAG_AND_EOS)

    @property
    def max_input_tokens(self) -> int:
        """The longest source (special tokens included) sent to the model untruncated."""
        return self.input_limit - SPECIALS_MARGIN

    def encode(
        self, sentences: Sequence[str], src: Languages, max_length: int | None = None
    ) -> list[list[int]]:
        """Ids of each sentence (each with its own source tag); cut to ``max_length`` (tags
        kept) as a last resort."""
        sources = per_row(src, len(sentences))
        cut = {"truncation": True, "max_length": max_length} if max_length else {}
        rows: dict[Language, list[int]] = {}
        for i, lang in enumerate(sources):
            rows.setdefault(lang, []).append(i)
        encoded: list[list[int]] = [[] for _ in sentences]
        with self._lock:
            for lang, indices in rows.items():
                set_source_language(
                    self.tokenizer, self.family, lang, self.model_name, self.vocab_size
                )
                batch = self.tokenizer(
                    [sentences[i] for i in indices], add_special_tokens=True, verbose=False, **cut
                )
                for i, ids in zip(indices, batch["input_ids"], strict=True):
                    encoded[i] = list(ids)
        return encoded

    def count(self, sentences: Sequence[str], src: Languages) -> list[int]:
        """Source token count of each sentence, with the language tag and EOS."""
        return [len(ids) for ids in self.encode(sentences, src)] if sentences else []

    def target_id(self, tgt: Language) -> int:
        """The id of ``tgt``'s tag, checked (an unknown tag would silently be ``<unk>``)."""
        return language_token_id(self.tokenizer, self.family, tgt, self.model_name, self.vocab_size)

    def prepare(
        self, sentences: Sequence[str], src: Languages, tgt: Languages, options: DecodeOptions
    ) -> tuple[list[int], list[list[int]], list[int]]:
        """What both engines check and compute before decoding a batch.

        Returns each row's target tag id, each sentence's ids (cut to the input limit only as
        a last resort: the pipeline splits long sentences first) and its content token limit
        (the options' rule, capped by :attr:`output_limit`).
        """
        targets = [self.target_id(lang) for lang in per_row(tgt, len(sentences))]
        encoded = self.encode(sentences, src, self.input_limit)
        limits = [min(options.token_limit(len(ids)), self.output_limit) for ids in encoded]
        return targets, encoded, limits


def finish_hypothesis(
    tokenizer: Any,
    content: Sequence[int],
    limit: int,
    eos_id: int,
    special_ids: Collection[int],
) -> Hypothesis:
    """Cut ``content`` (decoder output after the target tag) at EOS or ``limit`` and decode it.

    ``truncated`` when no EOS came within ``limit`` tokens; ``tokens`` counts the kept
    tokens that are not special (a random or confused model may emit tags or ``<pad>``).
    """
    content = list(content)
    end = content.index(eos_id) if eos_id in content else None
    if end is not None and end <= limit:
        kept, truncated = content[:end], False
    else:
        kept, truncated = content[:limit], True
    text = tokenizer.decode(kept, skip_special_tokens=True).strip()
    tokens = sum(1 for t in kept if t not in special_ids)
    return Hypothesis(text=text, truncated=truncated, tokens=tokens)


EngineT = TypeVar("EngineT", bound="Seq2SeqEngine")


@dataclass(frozen=True)
class DecodeBatch:
    """One batch as an engine decodes it: ids in, per-row target tags and limits.

    ``scripts[i]`` is the script row ``i`` is restricted to, or ``None`` for the full
    vocabulary; ``max_length`` counts decoder tokens after the start token, tag included.
    ``row_limits[i]`` is row ``i``'s own content limit: an engine may stop the row once it has
    ``row_limits[i] + 1`` content tokens (enough to tell whether EOS came in time), which never
    changes the finished hypothesis.
    """

    encoded: Sequence[Sequence[int]]
    target_ids: Sequence[int]
    scripts: Sequence[str | None]
    beam: int
    max_length: int
    row_limits: Sequence[int] | None = None


class Seq2SeqEngine:
    """The engine skeleton both NLLB/M2M100 engines share: prepare, generate, finish.

    A subclass loads its model, sets the attributes below, and implements
    :meth:`generate_ids`; everything the pipeline calls is defined once, here.
    """

    name: str
    model_name: str
    family: str
    tokenizer: Any
    sources: SourceTokenizer
    eos_id: int
    special_ids: frozenset[int]
    #: The settings the constructor takes as keyword arguments of the same names.
    SETTINGS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_settings(cls: type[EngineT], settings: Settings) -> EngineT:
        """The engine the settings describe."""
        return cls(settings.model, **{name: getattr(settings, name) for name in cls.SETTINGS})

    @property
    def max_input_tokens(self) -> int:
        """The longest source (special tokens included) sent to the model untruncated."""
        return self.sources.max_input_tokens

    @property
    def max_output_tokens(self) -> int:
        """The most content tokens a hypothesis can have (the model's positions allow)."""
        return self.sources.output_limit

    #: Scripts this engine can restrict outputs to (set by an engine built with a shortlist).
    shortlist_scripts: frozenset[str] = frozenset()

    def count_tokens(self, sentences: Sequence[str], src: Languages) -> list[int]:
        """Source token count of each sentence, with the language tag and EOS."""
        return self.sources.count(sentences, src)

    def translate_batch(
        self,
        sentences: Sequence[str],
        src: Languages,
        tgt: Languages,
        options: DecodeOptions,
    ) -> list[Hypothesis]:
        """Translate one batch; hypotheses in input order, each cut at its own token limit.

        Rows whose target script has a shortlist are restricted to it when ``options`` asks.
        """
        if not sentences:
            return []
        targets = per_row(tgt, len(sentences))
        target_ids, encoded, limits = self.sources.prepare(sentences, src, targets, options)
        scripts = [
            lang.script if options.shortlist and lang.script in self.shortlist_scripts else None
            for lang in targets
        ]
        contents = self.generate_ids(
            DecodeBatch(
                encoded, target_ids, scripts, options.beam, max(limits) + TAG_AND_EOS, limits
            )
        )
        return [
            finish_hypothesis(self.tokenizer, content, limit, self.eos_id, self.special_ids)
            for content, limit in zip(contents, limits, strict=True)
        ]

    def generate_ids(self, batch: DecodeBatch) -> list[list[int]]:
        """Decoder output ids after each row's target tag (EOS included when reached)."""
        raise NotImplementedError
