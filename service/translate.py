"""The article pipeline behind every interface.

text -> parse -> segment -> split over-long sentences -> dedupe -> cache look-up ->
length-sorted token-budget batches -> engine -> reassemble -> checks -> result objects.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .batching import plan_batches
from .cache import TranslationCache, cache_key
from .checks import TRUNCATED, check_pair
from .engines import load_engine
from .engines.base import DecodeOptions, Engine, Hypothesis
from .errors import InputError
from .languages import SOURCE_LANGUAGE, Language, get_language, parse_languages
from .results import LanguageTranslation, ModelInfo, SentencePair, TranslationResult
from .settings import Settings, load_settings
from .text import (
    check_text,
    join_pieces,
    normalize_uzbek,
    paragraph_sentences,
    parse_article,
    scalar_text,
    split_clauses,
    unreadable_warning,
)

#: ``progress(done, total)``: sentences finished so far, out of all to do for this call.
ProgressCallback = Callable[[int, int], None]

#: Settings that change what a translation says: a resumed batch or evaluation run must keep
#: every one of them, so they are part of its identity.
OUTPUT_SETTINGS = (
    "beam",
    "dtype",
    "compute_type",
    "shortlist",
    "max_sentence_tokens",
    "max_length_ratio",
    "max_length_offset",
    "max_new_tokens",
    "normalize_uzbek",
)


def finish_target(text: str, tgt: Language, settings: Settings) -> str:
    """A model's output as Audarma delivers it in ``tgt`` (translations and summaries alike).

    Uzbek gets its official apostrophes (``oʻ gʻ ʼ``) unless the setting turns that off.
    """
    if tgt.code == "uz" and settings.normalize_uzbek:
        return normalize_uzbek(text)
    return text


@dataclass
class TranslatorStats:
    """Counters that make caching and batching observable (tests, logs, benchmarks)."""

    engine_sentences: int = 0
    cache_hits: int = 0
    batches: int = 0


class Translator:
    """Translates Kazakh articles (or lists of sentences) with one loaded engine.

    The engine loads on first use and is shared by all calls; calls are serialised with a
    lock because model back ends are not safe to drive from several threads at once.
    """

    def __init__(
        self,
        model: str | None = None,
        engine: str | None = None,
        device: str | None = None,
        *,
        beam: int | None = None,
        settings: Settings | None = None,
        engine_instance: Engine | None = None,
        cache: bool | TranslationCache | None = None,
    ) -> None:
        base = settings or load_settings()
        self.settings = base.replace(model=model, engine=engine, device=device, beam=beam)
        if isinstance(cache, TranslationCache):
            self._cache: TranslationCache | None = cache
        elif cache if cache is not None else self.settings.cache:
            self._cache = TranslationCache(self.settings.cache_path)
        else:
            self._cache = None
        self._engine = engine_instance
        self._lock = threading.RLock()
        self.stats = TranslatorStats()

    @property
    def cache(self) -> TranslationCache | None:
        """The translation cache in use (``None`` when caching is off)."""
        return self._cache

    # ------------------------------------------------------------------ engine
    @property
    def engine(self) -> Engine:
        """The loaded engine (loaded now if it was not yet)."""
        with self._lock:
            if self._engine is None:
                self._engine = load_engine(self.settings)
            return self._engine

    @property
    def model_info(self) -> ModelInfo:
        if self._engine is not None:
            return ModelInfo(self._engine.model_name, self._engine.name)
        return ModelInfo(self.settings.model, self.settings.engine)

    def identity(self, targets: Sequence[str | Language] | str) -> dict[str, Any]:
        """What makes this translator's outputs what they are: a batch run's identity."""
        return {
            "model": self.model_info.to_dict(),
            "targets": [lang.code for lang in parse_languages(targets)],
            "decoding": {name: getattr(self.settings, name) for name in OUTPUT_SETTINGS},
        }

    def decode_options(self, beam: int | None = None) -> DecodeOptions:
        s = self.settings
        return DecodeOptions(
            beam=beam or s.beam,
            max_length_ratio=s.max_length_ratio,
            max_length_offset=s.max_length_offset,
            max_new_tokens=s.max_new_tokens,
        )

    # ------------------------------------------------------------------ public API
    def translate(
        self,
        text: str,
        targets: Sequence[str | Language] | str = ("en", "uz"),
        *,
        beam: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> TranslationResult:
        """Translate a whole article into each target language, paragraph for paragraph."""
        text = check_text(text, self.settings.max_chars)
        languages = parse_languages(targets)
        src = get_language(SOURCE_LANGUAGE)
        if src in languages:
            raise InputError("the source language is Kazakh; choose other target languages")
        article = parse_article(text)
        paragraphs = paragraph_sentences(article)
        flat = [sentence for para in paragraphs for sentence in para]
        if not flat:
            raise InputError("the article has no text to translate")

        warnings = [w for w in [unreadable_warning(text)] if w]
        translations: dict[str, LanguageTranslation] = {}
        total = len(flat) * len(languages)
        for number, tgt in enumerate(languages):
            offset = number * len(flat)
            report = (
                None if progress is None else _offset_progress(progress, offset, len(flat), total)
            )
            pairs = self.translate_sentences(
                flat, tgt, beam=beam, progress=report, warnings=warnings
            )
            translations[tgt.code] = LanguageTranslation(tgt.code, _regroup(pairs, paragraphs))
            truncated = sum(1 for pair in pairs if TRUNCATED in pair.flags)
            if truncated:
                warnings.append(
                    f"{tgt.code}: {truncated} sentence(s) hit the output token limit"
                    " (flag 'truncated')"
                )
        return TranslationResult(src.code, article.date, self.model_info, translations, warnings)

    def translate_sentences(
        self,
        sentences: Sequence[str],
        target: str | Language,
        source: str | Language = SOURCE_LANGUAGE,
        *,
        beam: int | None = None,
        progress: ProgressCallback | None = None,
        warnings: list[str] | None = None,
    ) -> list[SentencePair]:
        """Translate each string as one unit (no sentence segmentation), with QA flags.

        This is the sentence-level entry point the evaluator and summarizer share with the
        article pipeline: over-long units are still split at clause boundaries and rejoined.
        """
        src, tgt = get_language(source), get_language(target)
        if src == tgt:
            raise InputError(f"source and target are both {src.name}")
        sentences = [scalar_text(sentence) for sentence in sentences]
        hyps = self._translate_units(
            list(sentences), src, tgt, self.decode_options(beam), progress, warnings
        )
        pairs = []
        for sentence, hyp in zip(sentences, hyps, strict=True):
            text = finish_target(hyp.text, tgt, self.settings)
            flags = check_pair(sentence, text, src, tgt, truncated=hyp.truncated)
            pairs.append(SentencePair(sentence, text, flags))
        return pairs

    # ------------------------------------------------------------------ pipeline
    def _translate_units(
        self,
        units: list[str],
        src: Language,
        tgt: Language,
        options: DecodeOptions,
        progress: ProgressCallback | None,
        warnings: list[str] | None,
    ) -> list[Hypothesis]:
        with self._lock:
            engine = self.engine
            pieces_of = self._split_long(units, src, engine, warnings, options)
            unique = list(dict.fromkeys(piece for pieces in pieces_of for piece in pieces))
            done = self._lookup(unique, src, tgt, options, engine)
            todo = [piece for piece in unique if piece not in done]
            self.stats.cache_hits += len(unique) - len(todo)
            self._run_engine(todo, src, tgt, options, engine, done, progress, len(unique))
            if progress is not None:
                progress(len(units), len(units))
        results = []
        for pieces in pieces_of:
            hyps = [done[piece] for piece in pieces]
            results.append(
                Hypothesis(
                    join_pieces([h.text for h in hyps]),
                    truncated=any(h.truncated for h in hyps),
                    tokens=sum(h.tokens for h in hyps),
                )
            )
        return results

    def _split_long(
        self,
        units: list[str],
        src: Language,
        engine: Engine,
        warnings: list[str] | None,
        options: DecodeOptions | None = None,
    ) -> list[list[str]]:
        """Each unit as the list of pieces it is translated in (usually just itself).

        A unit is split when it is over the input limit, or when its output limit would not
        fit the model's positions (``max_output_tokens``, for engines that have one).
        """
        limit = min(self.settings.max_sentence_tokens, engine.max_input_tokens)
        room = getattr(engine, "max_output_tokens", None)
        fits = options.source_limit(room) if options is not None and room else None
        limit = min(limit, fits) if fits else limit
        unique = list(dict.fromkeys(units))
        lengths = dict(zip(unique, engine.count_tokens(unique, src), strict=True)) if unique else {}

        def count(piece: str) -> int:
            return engine.count_tokens([piece], src)[0]

        split: dict[str, list[str]] = {}
        for unit in unique:
            if lengths[unit] > limit:
                split[unit] = split_clauses(unit, limit, count)
                if warnings is not None:
                    warnings.append(
                        f"a sentence of {lengths[unit]} tokens (over the {limit}-token limit) was"
                        f" split into {len(split[unit])} parts: {unit[:60]!r}..."
                    )
            else:
                split[unit] = [unit]
        return [split[unit] for unit in units]

    def _key(
        self, piece: str, src: Language, tgt: Language, options: DecodeOptions, engine: Engine
    ) -> str:
        # An engine's ``variant`` (dtype, quantization, shortlist) changes its outputs too.
        variant = getattr(engine, "variant", "")
        engine_id = f"{engine.name}/{variant}" if variant else engine.name
        return cache_key(
            engine.model_name, engine_id, src.code, tgt.code, options.fingerprint(), piece
        )

    def _lookup(
        self,
        pieces: list[str],
        src: Language,
        tgt: Language,
        options: DecodeOptions,
        engine: Engine,
    ) -> dict[str, Hypothesis]:
        if self._cache is None or not pieces:
            return {}
        keys = {self._key(p, src, tgt, options, engine): p for p in pieces}
        return {keys[k]: hyp for k, hyp in self._cache.get_many(list(keys)).items()}

    def _run_engine(
        self,
        todo: list[str],
        src: Language,
        tgt: Language,
        options: DecodeOptions,
        engine: Engine,
        done: dict[str, Hypothesis],
        progress: ProgressCallback | None,
        total: int,
    ) -> None:
        if not todo:
            return
        lengths = engine.count_tokens(todo, src)
        finished = total - len(todo)
        for batch in plan_batches(
            lengths, self.settings.batch_tokens, self.settings.max_batch_size
        ):
            batch_text = [todo[i] for i in batch]
            hyps = engine.translate_batch(batch_text, src, tgt, options)
            if len(hyps) != len(batch_text):
                raise RuntimeError(
                    f"engine {engine.name} returned {len(hyps)} outputs"
                    f" for {len(batch_text)} inputs"
                )
            done.update(zip(batch_text, hyps, strict=True))
            if self._cache is not None:
                self._cache.put_many(
                    (self._key(p, src, tgt, options, engine), h)
                    for p, h in zip(batch_text, hyps, strict=True)
                )
            self.stats.engine_sentences += len(batch_text)
            self.stats.batches += 1
            finished += len(batch_text)
            if progress is not None:
                progress(finished, total)


def _regroup(pairs: list[SentencePair], paragraphs: list[list[str]]) -> list[list[SentencePair]]:
    out, start = [], 0
    for para in paragraphs:
        out.append(pairs[start : start + len(para)])
        start += len(para)
    return out


def _offset_progress(
    progress: ProgressCallback, offset: int, span: int, total: int
) -> ProgressCallback:
    """Map one language's progress (in its own units) onto the whole call's sentence count."""
    return lambda done, count: progress(offset + (span * done // count if count else span), total)
