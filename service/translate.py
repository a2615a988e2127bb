"""The article pipeline behind every interface.

text -> parse -> segment -> split over-long sentences -> dedupe -> cache look-up ->
length-sorted token-budget batches (every target language, and in corpus mode every article,
in the same batches) -> engine -> shortlist fallback -> reassemble -> checks -> results.

One call translates any number of articles into any number of languages: the pieces of all
of them are pooled, so two target languages, or many short articles, fill the CPU as well as
one long article does. An article's result does not depend on what it was pooled with (under
greedy search exactly; under beam search only a sentence that hits its token limit may come
out differently, see :mod:`service.engines.family`).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .batching import plan_batches
from .cache import TranslationCache, cache_key
from .checks import REPETITION, TRUNCATED, UNTRANSLATED, check_pair
from .engines import load_engine
from .engines.base import DecodeOptions, Engine, Hypothesis
from .errors import AudarmaError, InputError
from .languages import (
    SOURCE_LANGUAGE,
    TARGETS,
    Language,
    describe,
    get_language,
    get_source,
    parse_languages,
)
from .results import LanguageTranslation, ModelInfo, SentencePair, TranslationResult
from .settings import Settings, load_settings
from .text import check_text, join_pieces, normalize_uzbek, scalar_text, split_clauses
from .text.document import PYTHON_SOURCE_HINT, Document, prepare_document
from .text.transliterate import uzbek_to_cyrillic

#: ``progress(done, total)``: sentences finished so far (one per target language), out of all.
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

#: Flags on a shortlisted output that send its sentence back to the full vocabulary once.
FALLBACK_FLAGS = frozenset({UNTRANSLATED, REPETITION, TRUNCATED})


#: Targets no model writes, made from their ``derived_from`` language's output.
DERIVED: dict[str, Callable[[str], str]] = {"uz-Cyrl": uzbek_to_cyrillic}


def finish_target(text: str, tgt: Language, settings: Settings) -> str:
    """A model's output as Audarma delivers it in ``tgt`` (translations and summaries alike).

    Uzbek gets its official apostrophes (``oʻ gʻ ʼ``) unless the setting turns that off;
    Uzbek in Cyrillic is that Uzbek converted by the official rules.
    """
    if tgt.decoded.code == "uz" and settings.normalize_uzbek:
        text = normalize_uzbek(text)
    convert = DERIVED.get(tgt.code)
    return convert(text) if convert else text


def parse_targets(targets: Sequence[str | Language] | str) -> list[Language]:
    """The target languages asked for, checked: each must be one Audarma writes."""
    languages = parse_languages(targets)
    for lang in languages:
        if lang.code == SOURCE_LANGUAGE:
            raise InputError("the source language is Kazakh; choose other target languages")
        if not lang.target:
            raise InputError(
                f"{lang.name} ({lang.code}) is not a target language; choose from"
                f" {describe(TARGETS)}"
            )
    return languages


@dataclass(frozen=True)
class ParagraphEvent:
    """A paragraph of one article finished in one language (for streaming to people)."""

    article: int
    language: str
    paragraph: int
    pairs: list[SentencePair]


#: ``on_paragraph(event)``: called as soon as a paragraph is complete in a language.
ParagraphCallback = Callable[[ParagraphEvent], None]


@dataclass
class TranslatorStats:
    """Counters that make caching and batching observable (tests, logs, benchmarks, the
    server's metrics). They only grow, apart from ``load_seconds``."""

    engine_sentences: int = 0
    cache_hits: int = 0
    #: Distinct pieces looked up in the cache and not found (0 while the cache is off).
    cache_misses: int = 0
    batches: int = 0
    #: Sentences decoded a second time without the shortlist (see :data:`FALLBACK_FLAGS`).
    fallbacks: int = 0
    #: Sentences delivered per target language code, whether from the engine or the cache.
    sentences: Counter[str] = field(default_factory=Counter)
    #: Wall-clock seconds spent inside the engine's ``translate_batch``.
    engine_seconds: float = 0.0
    #: Seconds the engine took to load; None until it has loaded here.
    load_seconds: float | None = None


@dataclass(frozen=True)
class _Unit:
    """One sentence (or piece of one) to translate from ``src`` into ``tgt``."""

    text: str
    src: Language
    tgt: Language


@dataclass(frozen=True)
class _Slot:
    """Where a unit's translation goes: its article, the target asked for (``uz-Cyrl`` for a
    ``uz`` unit), its paragraph, its source as the user wrote it, and its own source language
    when it is not its article's."""

    article: int
    target: Language
    paragraph: int
    shown: str
    language: str | None = None

    @property
    def owner(self) -> tuple[int, str, int]:
        return self.article, self.target.code, self.paragraph

    @property
    def sentences(self) -> list[str]:
        return [sentence for paragraph in self.paragraphs for sentence in paragraph]


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
                started = time.perf_counter()
                self._engine = load_engine(self.settings)
                self.stats.load_seconds = time.perf_counter() - started
            return self._engine

    @property
    def loaded_engine(self) -> Engine | None:
        """The engine if it is loaded already (``None``: it loads on the first translation)."""
        return self._engine

    @property
    def model_info(self) -> ModelInfo:
        """Which model and engine translate, and whether the shortlist is in effect."""
        if self._engine is not None:
            engine = self._engine
            shortlist = self.settings.shortlist and bool(_shortlist_scripts(engine))
            return ModelInfo(engine.model_name, engine.name, shortlist)
        return ModelInfo(self.settings.model, self.settings.engine, self.settings.shortlist)

    def identity(
        self, targets: Sequence[str | Language] | str, source: str = "auto"
    ) -> dict[str, Any]:
        """What makes this translator's outputs what they are: a batch run's identity."""
        model = self.model_info
        return {
            "model": {"name": model.name, "engine": model.engine},
            "source": source,
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
            shortlist=s.shortlist,
        )

    # ------------------------------------------------------------------ public API
    def translate(
        self,
        text: str,
        targets: Sequence[str | Language] | str = ("en", "uz"),
        **options: Any,
    ) -> TranslationResult:
        """Translate a whole article into each target language, paragraph for paragraph.

        ``options`` are :meth:`translate_many`'s (``source``, ``source_hint``, ``beam``,
        ``progress``, ``on_paragraph``); an unusable article raises its error.
        """
        (result,) = self.translate_many([text], targets, **options)
        if isinstance(result, AudarmaError):
            raise result
        return result

    def translate_many(
        self,
        texts: Sequence[str],
        targets: Sequence[str | Language] | str = ("en", "uz"),
        *,
        source: str | Language = "auto",
        source_hint: str = PYTHON_SOURCE_HINT,
        beam: int | None = None,
        progress: ProgressCallback | None = None,
        on_paragraph: ParagraphCallback | None = None,
    ) -> list[TranslationResult | AudarmaError]:
        """Translate several articles at once (corpus mode): their sentences share batches.

        ``source``: ``auto`` (the detected language: Kazakh or Russian; anything else is
        refused, naming ``source_hint`` as the way to force it), or ``kk``/``ru``.
        ``on_paragraph`` hears of each paragraph as soon as it is done in a language (cached
        paragraphs first), so a reader can start before the last one is translated.

        Returns, per article and in order, its result or the error that makes it unusable
        (one bad article, or one in a language Audarma does not translate, does not stop the
        others); a bad target list fails the whole call.
        """
        languages = parse_targets(targets)
        if not (isinstance(source, Language) or source.strip().lower() == "auto"):
            get_source(source)  # a bad --source fails the call, not each article
        documents = [self._prepare(text, source, source_hint) for text in texts]
        units: list[_Unit] = []
        slots: list[_Slot] = []
        for number, doc in enumerate(documents):
            if isinstance(doc, Document):
                for tgt in languages:
                    for p_index, paragraph in enumerate(doc.paragraphs):
                        for sentence in paragraph:
                            own = sentence.language if sentence.language != doc.language else None
                            units.append(_Unit(sentence.text, sentence.language, tgt.decoded))
                            slots.append(
                                _Slot(number, tgt, p_index, sentence.shown, own and own.code)
                            )
        warnings = [list(doc.notes) if isinstance(doc, Document) else [] for doc in documents]
        owners = [slot.owner for slot in slots]
        assembler = _Assembler(units, slots, self._pair, on_paragraph) if on_paragraph else None
        hyps = self._translate_units(
            units, self.decode_options(beam), progress, assembler, warnings, owners
        )
        pairs: dict[tuple[int, str, int], list[SentencePair]] = {}
        for unit, slot, hyp in zip(units, slots, hyps, strict=True):
            pairs.setdefault(slot.owner, []).append(self._pair(unit, hyp, slot))
        return [
            doc
            if isinstance(doc, AudarmaError)
            else self._result(number, doc, languages, pairs, warnings[number])
            for number, doc in enumerate(documents)
        ]

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
        if src == tgt.decoded:
            raise InputError(f"source and target are both {src.name}")
        sentences = [scalar_text(sentence) for sentence in sentences]
        units = [_Unit(sentence, src, tgt.decoded) for sentence in sentences]
        slots = [_Slot(0, tgt, 0, sentence) for sentence in sentences]
        notes: list[list[str]] = [[]]
        hyps = self._translate_units(
            units, self.decode_options(beam), progress, None, notes, [s.owner for s in slots]
        )
        if warnings is not None:
            warnings.extend(notes[0])
        return [self._pair(u, h, s) for u, h, s in zip(units, hyps, slots, strict=True)]

    # ------------------------------------------------------------------ pipeline
    def _prepare(self, text: str, source: str | Language, hint: str) -> Document | AudarmaError:
        """Check, identify and segment one article; an unusable one becomes its error."""
        try:
            doc = prepare_document(check_text(text, self.settings.max_chars), source, hint)
            if not any(doc.paragraphs):
                raise InputError("the article has no text to translate")
            return doc
        except AudarmaError as exc:
            return exc

    def _pair(self, unit: _Unit, hyp: Hypothesis, slot: _Slot) -> SentencePair:
        """The sentence pair a reader sees: checked in the language the model wrote, then
        converted to the script asked for (``uz-Cyrl``)."""
        text, flags = self._checked(unit, hyp)
        convert = DERIVED.get(slot.target.code)
        return SentencePair(slot.shown, convert(text) if convert else text, flags, slot.language)

    def _checked(self, unit: _Unit, hyp: Hypothesis) -> tuple[str, list[str]]:
        """The model's output as delivered in the language it wrote, and its QA flags."""
        text = finish_target(hyp.text, unit.tgt, self.settings)
        return text, check_pair(unit.text, text, unit.src, unit.tgt, truncated=hyp.truncated)

    def _result(
        self,
        number: int,
        doc: Document,
        languages: list[Language],
        pairs: dict[tuple[int, str, int], list[SentencePair]],
        notes: list[str],
    ) -> TranslationResult:
        """One article's result from the pooled sentence pairs."""
        translations: dict[str, LanguageTranslation] = {}
        for tgt in languages:
            paragraphs = [pairs[number, tgt.code, p] for p in range(len(doc.paragraphs))]
            translations[tgt.code] = LanguageTranslation(tgt.code, paragraphs)
            truncated = sum(1 for p in paragraphs for pair in p if TRUNCATED in pair.flags)
            if truncated:
                notes.append(
                    f"{tgt.code}: {truncated} sentence(s) hit the output token limit"
                    " (flag 'truncated')"
                )
        return TranslationResult(
            doc.language.code,
            doc.article.date,
            self.model_info,
            translations,
            notes,
            source_script=doc.script,
        )

    def _translate_units(
        self,
        units: list[_Unit],
        options: DecodeOptions,
        progress: ProgressCallback | None,
        assembler: _Assembler | None,
        warnings: list[list[str]],
        owners: list[tuple[int, str, int]],
    ) -> list[Hypothesis]:
        """One hypothesis per unit: split, deduplicated, cached, batched, decoded, rejoined."""
        with self._lock:
            engine = self.engine
            pieces_of = self._split_long(units, engine, warnings, owners, options)
            waiting = _Waiting(pieces_of)
            pieces = list(waiting.pieces)
            done = self._lookup(pieces, options, engine)
            self.stats.cache_hits += len(done)
            if self._cache is not None:
                self.stats.cache_misses += len(pieces) - len(done)
            self.stats.sentences.update(unit.tgt.code for unit in units)
            finished = waiting.complete(done)
            report = _Reporter(len(units), progress, assembler)
            report(finished, pieces_of, done)
            todo = [piece for piece in pieces if piece not in done]
            fell_back: set[_Unit] = set()
            for batch in self._plan(todo, engine, streaming=assembler is not None):
                fell_back.update(self._run_batch(batch, options, engine, done))
                report(waiting.complete(batch), pieces_of, done)
            report.finish()
        if fell_back:
            _note_fallbacks(fell_back, pieces_of, owners, warnings)
        return [_joined(pieces, done) for pieces in pieces_of]

    def _split_long(
        self,
        units: list[_Unit],
        engine: Engine,
        warnings: list[list[str]],
        owners: list[tuple[int, str, int]],
        options: DecodeOptions,
    ) -> list[list[_Unit]]:
        """Each unit as the pieces it is translated in (usually just itself).

        A unit is split when it is over the input limit, or when its output limit would not
        fit the model's positions (``max_output_tokens``, for engines that have one).
        """
        limit = min(self.settings.max_sentence_tokens, engine.max_input_tokens)
        room = getattr(engine, "max_output_tokens", None)
        fits = options.source_limit(room) if room else None
        limit = min(limit, fits) if fits else limit
        sources = list(dict.fromkeys((unit.text, unit.src) for unit in units))
        lengths = {}
        if sources:
            counts = engine.count_tokens([t for t, _ in sources], [s for _, s in sources])
            lengths = dict(zip(sources, counts, strict=True))
        split: dict[tuple[str, Language], list[str]] = {}
        for (text, src), length in lengths.items():
            if length > limit:
                split[text, src] = split_clauses(
                    text, limit, lambda piece, src=src: engine.count_tokens([piece], src)[0]
                )
        reported: set[tuple[int, str]] = set()
        for unit, (article, _, _) in zip(units, owners, strict=True):
            parts = split.get((unit.text, unit.src))
            if parts is not None and (article, unit.text) not in reported:
                reported.add((article, unit.text))
                warnings[article].append(
                    f"a sentence of {lengths[unit.text, unit.src]} tokens (over the"
                    f" {limit}-token limit) was split into {len(parts)} parts:"
                    f" {unit.text[:60]!r}..."
                )
        return [
            [_Unit(part, unit.src, unit.tgt) for part in split.get((unit.text, unit.src), [])]
            or [unit]
            for unit in units
        ]

    def _plan(self, todo: list[_Unit], engine: Engine, streaming: bool) -> list[list[_Unit]]:
        """Length-sorted token-budget batches over every language (and article) at once.

        When a reader is waiting for paragraphs, the pieces are planned in windows taken in
        article order, so the first paragraphs finish first.
        """
        if not todo:
            return []
        lengths = engine.count_tokens([u.text for u in todo], [u.src for u in todo])
        s = self.settings
        window = 2 * s.max_batch_size if streaming else len(todo)
        batches: list[list[_Unit]] = []
        for start in range(0, len(todo), window):
            part = range(start, min(start + window, len(todo)))
            plan = plan_batches([lengths[i] for i in part], s.batch_tokens, s.max_batch_size)
            batches.extend([todo[part[i]] for i in batch] for batch in plan)
        return batches

    def _run_batch(
        self,
        batch: list[_Unit],
        options: DecodeOptions,
        engine: Engine,
        done: dict[_Unit, Hypothesis],
    ) -> list[_Unit]:
        """Decode one batch, and once more in full its shortlisted rows that came out flagged.

        The full-vocabulary output is kept unless it carries more flags. Returns the rows that
        were decoded again (never more than once each).
        """
        hyps = self._decode(batch, options, engine)
        again: list[int] = []
        if options.shortlist and self.settings.shortlist_fallback:
            scripts = _shortlist_scripts(engine)
            again = [
                i
                for i, (unit, hyp) in enumerate(zip(batch, hyps, strict=True))
                if unit.tgt.script in scripts and FALLBACK_FLAGS & set(self._checked(unit, hyp)[1])
            ]
            if again:
                full_options = replace(options, shortlist=False)
                full = self._decode([batch[i] for i in again], full_options, engine)
                for i, hyp in zip(again, full, strict=True):
                    flags = len(self._checked(batch[i], hyp)[1])
                    if flags <= len(self._checked(batch[i], hyps[i])[1]):
                        hyps[i] = hyp
                self.stats.fallbacks += len(again)
        done.update(zip(batch, hyps, strict=True))
        if self._cache is not None:
            self._cache.put_many(
                (self._key(unit, options, engine), hyp)
                for unit, hyp in zip(batch, hyps, strict=True)
            )
        self.stats.engine_sentences += len(batch)
        self.stats.batches += 1
        return [batch[i] for i in again]

    def _decode(
        self, batch: list[_Unit], options: DecodeOptions, engine: Engine
    ) -> list[Hypothesis]:
        started = time.perf_counter()
        hyps = engine.translate_batch(
            [u.text for u in batch], [u.src for u in batch], [u.tgt for u in batch], options
        )
        self.stats.engine_seconds += time.perf_counter() - started
        if len(hyps) != len(batch):
            raise RuntimeError(
                f"engine {engine.name} returned {len(hyps)} outputs for {len(batch)} inputs"
            )
        return list(hyps)

    def _key(self, unit: _Unit, options: DecodeOptions, engine: Engine) -> str:
        # An engine's ``variant`` (dtype, quantization) changes its outputs too.
        variant = getattr(engine, "variant", "")
        engine_id = f"{engine.name}/{variant}" if variant else engine.name
        return cache_key(
            engine.model_name,
            engine_id,
            unit.src.code,
            unit.tgt.code,
            options.fingerprint(),
            unit.text,
        )

    def _lookup(
        self, pieces: list[_Unit], options: DecodeOptions, engine: Engine
    ) -> dict[_Unit, Hypothesis]:
        if self._cache is None or not pieces:
            return {}
        keys = {self._key(piece, options, engine): piece for piece in pieces}
        return {keys[k]: hyp for k, hyp in self._cache.get_many(list(keys)).items()}


def _shortlist_scripts(engine: Engine) -> frozenset[str]:
    """The scripts ``engine`` can restrict outputs to (none for engines without a shortlist)."""
    return frozenset(getattr(engine, "shortlist_scripts", frozenset()))


class _Waiting:
    """Which units still wait for which pieces; reports units as their last piece arrives."""

    def __init__(self, pieces_of: list[list[_Unit]]) -> None:
        self.pieces: dict[_Unit, list[int]] = {}
        self._missing = [len(set(pieces)) for pieces in pieces_of]
        for index, pieces in enumerate(pieces_of):
            for piece in set(pieces):
                self.pieces.setdefault(piece, []).append(index)

    def complete(self, arrived: Iterable[_Unit]) -> list[int]:
        """The units completed by ``arrived`` pieces (each piece counts once)."""
        completed = []
        for piece in arrived:
            for index in self.pieces.pop(piece, ()):
                self._missing[index] -= 1
                if self._missing[index] == 0:
                    completed.append(index)
        return completed


class _Reporter:
    """Progress (sentences done out of all) and finished paragraphs, as they happen."""

    def __init__(
        self, total: int, progress: ProgressCallback | None, assembler: _Assembler | None
    ) -> None:
        self.total = total
        self.done = 0
        self.progress = progress
        self.assembler = assembler

    def __call__(
        self,
        completed: list[int],
        pieces_of: list[list[_Unit]],
        done: dict[_Unit, Hypothesis],
    ) -> None:
        self.done += len(completed)
        if self.assembler is not None and completed:
            self.assembler.completed(completed, pieces_of, done)
        if self.progress is not None:
            self.progress(self.done, self.total)

    def finish(self) -> None:
        if self.progress is not None and self.done != self.total:
            self.progress(self.total, self.total)


class _Assembler:
    """Builds each paragraph's sentence pairs when its last sentence is done and reports it."""

    def __init__(
        self,
        units: list[_Unit],
        slots: list[_Slot],
        make_pair: Callable[[_Unit, Hypothesis, _Slot], SentencePair],
        on_paragraph: ParagraphCallback,
    ) -> None:
        self.units = units
        self.slots = slots
        self.owners = [slot.owner for slot in slots]
        self.make_pair = make_pair
        self.on_paragraph = on_paragraph
        self._members: dict[tuple[int, str, int], list[int]] = {}
        for index, owner in enumerate(self.owners):
            self._members.setdefault(owner, []).append(index)
        self._missing = {owner: len(members) for owner, members in self._members.items()}

    def completed(
        self, indices: list[int], pieces_of: list[list[_Unit]], done: dict[_Unit, Hypothesis]
    ) -> None:
        finished: list[tuple[int, str, int]] = []
        for index in indices:
            owner = self.owners[index]
            self._missing[owner] -= 1
            if self._missing[owner] == 0:
                finished.append(owner)
        for owner in sorted(finished):
            pairs = [
                self.make_pair(self.units[i], _joined(pieces_of[i], done), self.slots[i])
                for i in self._members[owner]
            ]
            article, language, paragraph = owner
            self.on_paragraph(ParagraphEvent(article, language, paragraph, pairs))


def _joined(pieces: list[_Unit], done: dict[_Unit, Hypothesis]) -> Hypothesis:
    """The hypothesis of a unit translated in ``pieces``: the pieces' outputs rejoined."""
    return Hypothesis(
        join_pieces([done[piece].text for piece in pieces]),
        truncated=any(done[piece].truncated for piece in pieces),
        tokens=sum(done[piece].tokens for piece in pieces),
    )


def _note_fallbacks(
    fell_back: set[_Unit],
    pieces_of: list[list[_Unit]],
    owners: list[tuple[int, str, int]],
    warnings: list[list[str]],
) -> None:
    """Tell each article how many of its sentences were decoded again in full."""
    counts: dict[int, int] = {}
    for pieces, (article, _, _) in zip(pieces_of, owners, strict=True):
        if fell_back.intersection(pieces):
            counts[article] = counts.get(article, 0) + 1
    for article, count in counts.items():
        warnings[article].append(
            f"{count} sentence(s) were decoded again without the target-script shortlist"
            " (their shortlisted output was flagged)"
        )
