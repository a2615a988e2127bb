"""What the HTTP API and the page share: one translator, the summarizers, scoring, the queue.

Both interfaces call these methods and only convert arguments and render results, so a text
the API refuses is refused by the page with the same message, and the model is loaded once for
both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..errors import AudarmaError, InputError, InputTooLargeError
from ..evaluation.metrics import METRICS as ALL_METRICS
from ..evaluation.metrics import Scorer
from ..jobs.batch import translate_record
from ..languages import KNOWN_LANGUAGES, SOURCE_LANGUAGE, SOURCES, TARGETS, parse_languages
from ..results import TranslationResult
from ..settings import Settings, load_settings
from ..summarize import Summarizer, SummaryResult
from ..text import Detection, check_text, detect_document
from ..text.document import prepare_document
from ..text.transliterate import source_tag, transliterate
from ..translate import ParagraphCallback, ProgressCallback, Translator, parse_targets
from .workpool import WorkPool

#: How the JSON API says which language an article is in (quoted when one is refused).
API_SOURCE_HINT = '"source": "kk" (or "ru")'
#: The metric choices offered (``rouge`` stands for ROUGE-1, -2 and -L); all by default.
METRICS = ("bleu", "chrf++", "ter", "rouge")
MAX_SUMMARY_SENTENCES = 10
#: Scoring input may be a whole test set, so it gets a larger budget than one article.
SCORE_CHARS_FACTOR = 100


class AppServices:
    """The model-backed operations of the web app, each validated and size-checked first."""

    def __init__(
        self,
        settings: Settings | None = None,
        translator: Translator | None = None,
        summarizer: Summarizer | None = None,
    ) -> None:
        self.settings = settings or (translator.settings if translator else load_settings())
        self.pool = WorkPool(self.settings.concurrency, self.settings.queue_size)
        #: The one summarizer (strategy chosen per call); it holds the one translator, whose
        #: model loads on first use, once, for the API and the page alike.
        self.summarizer = summarizer or Summarizer(translator=translator, settings=self.settings)

    @property
    def translator(self) -> Translator:
        """The one translator (created on first use; its model loads on first translation)."""
        return self.summarizer.translator

    def load_model(self) -> None:
        """Load the translation model now (``audarma ui`` does, to fail before serving)."""
        _ = self.translator.engine

    # ------------------------------------------------------------------ checks
    def check_text(self, text: str) -> str:
        """Refuse empty text (400) and text over the size limit (413) before any model work."""
        return check_text(text, self.settings.max_chars)

    # ------------------------------------------------------------------ operations
    def translate(
        self,
        text: str,
        targets: Sequence[str] | str,
        progress: ProgressCallback | None = None,
        on_paragraph: ParagraphCallback | None = None,
        *,
        source: str = "auto",
        source_hint: str = API_SOURCE_HINT,
    ) -> TranslationResult:
        """Translate one article (validated first; the caller runs this through the pool).

        ``on_paragraph`` hears of each paragraph as it is done (streaming interfaces);
        ``source_hint`` is how the interface says which language an article is in.
        """
        self.check_text(text)
        languages = parse_targets(targets)
        return self.translator.translate(
            text,
            languages,
            source=source,
            source_hint=source_hint,
            progress=progress,
            on_paragraph=on_paragraph,
        )

    def check_source(self, text: str, source: str, source_hint: str = API_SOURCE_HINT) -> None:
        """Refuse an article in a language Audarma does not translate (400), before a stream
        starts or a queue place is taken."""
        prepare_document(self.check_text(text), source, source_hint)

    def summarize(
        self, text: str, languages: Sequence[str] | str, strategy: str, sentences: int
    ) -> SummaryResult:
        """Summarize one article in each language with ``strategy``."""
        self.check_text(text)
        codes = [lang.code for lang in parse_languages(languages)]
        if not 1 <= sentences <= MAX_SUMMARY_SENTENCES:
            raise InputError(f"sentences must be between 1 and {MAX_SUMMARY_SENTENCES}")
        return self.summarizer.summarize(
            text, languages=codes, sentences=sentences, strategy=strategy
        )

    def job_record(
        self, item_id: str, text: str, targets: Sequence[str], summaries: bool = False
    ) -> dict[str, Any]:
        """One job article's record, in the batch record shape of ``audarma translate``.

        ``{"id", ...translate JSON}`` (plus ``"summaries"`` in Kazakh and each target when
        asked) or ``{"id", "error"}``. A summary that fails leaves the translation standing,
        with a warning: losing a good translation to a summary problem helps nobody.
        """
        record = translate_record(
            item_id, text, self.translator, parse_targets(targets), source_hint=API_SOURCE_HINT
        )
        if summaries and "error" not in record:
            languages = [SOURCE_LANGUAGE, *(code for code in targets if code != SOURCE_LANGUAGE)]
            try:
                summary = self.summarizer.summarize(text, languages=languages)
            except AudarmaError as exc:
                record["warnings"].append(f"summaries: {exc}")
            else:
                data = summary.to_dict()
                record["summaries"] = data["summaries"]
                record["warnings"].extend(f"summaries: {w}" for w in data["warnings"])
        return record

    def detect(self, text: str) -> Detection:
        """The language and script of an article (size-checked first; no model but the
        detector's, which loads on the first call)."""
        return detect_document(self.check_text(text))

    def transliterate(self, text: str, to: str, source: str | None = None) -> dict[str, str]:
        """``{"to", "from", "text"}``: ``text`` converted to the script ``to``."""
        self.check_text(text)
        converted = transliterate(text, to, source)
        return {"to": to, "from": source_tag(text, to, source), "text": converted}

    def check_score_input(
        self, hypotheses: Sequence[str], references: Sequence[Sequence[str]]
    ) -> None:
        """Line-aligned, non-empty, and within the size budget."""
        if not hypotheses:
            raise InputError("no hypotheses given")
        if not references:
            raise InputError("no references given; give at least one reference list")
        for number, ref in enumerate(references, start=1):
            if len(ref) != len(hypotheses):
                raise InputError(
                    f"reference list {number} has {len(ref)} lines but there are"
                    f" {len(hypotheses)} hypotheses; they must be line-aligned"
                )
        total = sum(len(line) for line in hypotheses) + sum(
            len(line) for ref in references for line in ref
        )
        limit = self.settings.max_chars * SCORE_CHARS_FACTOR
        if total > limit:
            raise InputTooLargeError(
                f"the score input has {total} characters; the limit is {limit}"
            )

    def score(
        self,
        hypotheses: Sequence[str],
        references: Sequence[Sequence[str]],
        language: str,
        metrics: Sequence[str] | None = None,
        normalize: bool = True,
    ) -> dict[str, Any]:
        """Score line-aligned hypotheses: the same dict as ``audarma score --format json``."""
        self.check_score_input(hypotheses, references)
        scorer = Scorer(
            language=language, metrics=list(metrics or ALL_METRICS), normalize=normalize
        )
        return scorer.score(list(hypotheses), [list(ref) for ref in references]).to_dict()

    # ------------------------------------------------------------------ facts
    def health(self) -> dict[str, Any]:
        """Liveness plus what an operator wants at a glance: model, engine, cache and queue.

        The service is ``ok`` while it can translate; ``degraded`` when it translates without
        its cache (the ``cache`` part says why).
        """
        engine = self.translator.loaded_engine
        choice = getattr(engine, "layout_choice", None)
        cache = self.translator.cache
        cache_status = "off" if cache is None else cache.status
        return {
            "status": "degraded" if cache_status == "unavailable" else "ok",
            "version": __version__,
            "model": self.translator.model_info.to_dict(),
            "engine": {
                "loaded": engine is not None,
                "variant": getattr(engine, "variant", None),
                "thread_layout": str(choice) if choice is not None else None,
            },
            "cache": {"status": cache_status, "problem": cache.problem if cache else None},
            "queue": {
                "running": self.pool.running,
                "waiting": max(0, self.pool.admitted - self.pool.running),
                "concurrency": self.pool.concurrency,
                "queue_size": self.pool.queue_size,
            },
        }

    @staticmethod
    def languages() -> dict[str, Any]:
        """The language registry: sources (with the scripts they are read in), targets (with
        the script each is written in, and what a derived one is made from), and the languages
        recognised only to be refused by name."""
        listed = {**SOURCES, **TARGETS}
        return {
            "source": SOURCE_LANGUAGE,
            "sources": list(SOURCES),
            "targets": list(TARGETS),
            "languages": [
                {
                    "code": lang.code,
                    "name": lang.name,
                    "nllb": lang.nllb or None,
                    "script": lang.script,
                    "source": lang.source,
                    "target": lang.target,
                    # the scripts an article may be written in (kk: Latin is converted)
                    "input_scripts": [lang.script, *lang.input_scripts] if lang.source else [],
                    "derived_from": lang.derived_from,
                }
                for lang in listed.values()
            ],
            "recognised": [
                {"code": lang.code, "name": lang.name, "script": lang.script}
                for code, lang in KNOWN_LANGUAGES.items()
                if code not in listed
            ],
        }
