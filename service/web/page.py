"""The Gradio page: Translate, Summarize and Evaluate tabs (DESIGN §7).

The ``*_view`` functions are plain functions over :class:`~service.web.services.AppServices` — the
same calls the JSON API makes — returning what the page shows; :func:`build_page` only lays
out components and wires them up. Errors reach the reader as a message, never a traceback:
user errors with their own one-line text, bugs as a short note pointing at the server log.
"""

from __future__ import annotations

import functools
import inspect
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from html import escape
from typing import Any, TypeVar

import gradio as gr

from ..errors import AudarmaError, InputError
from ..languages import LANGUAGES, SOURCES, get_language
from ..results import SentencePair, TranslationResult
from ..settings import Settings
from ..summarizers import STRATEGY_NAMES
from ..translate import parse_targets
from .files import (
    DownloadDir,
    dev_set_available,
    dev_set_segments,
    read_upload,
    seed_articles,
    text_lines,
)
from .render import (
    aligned_html,
    detection_line,
    partial_text,
    score_table_html,
    summaries_html,
    translation_status,
    translation_text,
)
from .services import MAX_SUMMARY_SENTENCES, METRICS, AppServices
from .workpool import BusyError

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
#: ``progress(fraction_or_(done, total), desc=...)``, as :class:`gr.Progress` is called.
PageProgress = Callable[..., Any]

TARGET_CHOICES = [
    ("English and Uzbek", "en,uz"),
    ("English and Uzbek in Cyrillic", "en,uz-Cyrl"),
    ("English", "en"),
    ("Uzbek", "uz"),
    ("Uzbek in Cyrillic", "uz-Cyrl"),
]
SOURCE_CHOICES = [("Detect", "auto"), *((lang.name, code) for code, lang in SOURCES.items())]
#: How the page says which language an article is in (quoted when one is refused).
PAGE_SOURCE_HINT = 'the "Article language" choice'
#: The targets the page's Uzbek box shows, in order of preference.
UZBEK_BOX = ("uz", "uz-Cyrl")
LANGUAGE_CHOICES = [(lang.name, lang.code) for lang in LANGUAGES.values()]
#: Segments (lines other than headlines) in the bundled NTREX-128 dev set.
DEV_SET_MAX_LINES = 926


def _no_progress(*_args: Any, **_kwargs: Any) -> None:
    return None


def _shown(exc: Exception, name: str) -> gr.Error:
    """The message the page shows for ``exc``: its own line, or a pointer to the server log."""
    if isinstance(exc, gr.Error):
        return exc
    if isinstance(exc, BusyError):
        return gr.Error(
            "The server is busy with other requests; try again in a moment.",
            title="Busy",
            duration=None,
            print_exception=False,
        )
    if isinstance(exc, AudarmaError):
        # Gradio renders a message as HTML, and user errors quote what the user sent.
        return gr.Error(escape(str(exc), quote=False), duration=None, print_exception=False)
    log.error("page function %s failed", name, exc_info=exc)
    return gr.Error(
        f"Something went wrong ({type(exc).__name__}); the details are in the server log.",
        duration=None,
        print_exception=False,
    )


def readable_errors(fn: F) -> F:
    """Turn any exception into a :class:`gr.Error` the page shows as a message (for plain
    handlers and for generators that stream their updates alike)."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def streaming(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:
                raise _shown(exc, fn.__name__) from None

        return streaming  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise _shown(exc, fn.__name__) from None

    return wrapper  # type: ignore[return-value]


# ---------------------------------------------------------------------- views
#: What the Translate tab shows: English text, Uzbek text, aligned HTML, download paths,
#: JSON, status line.
TranslateOutputs = tuple[str, str, str, list[str], dict[str, Any], str]


def translate_updates(
    services: AppServices,
    downloads: DownloadDir,
    text: str,
    targets: str | Sequence[str],
    progress: PageProgress = _no_progress,
    source: str = "auto",
) -> Iterator[TranslateOutputs]:
    """The Translate tab's outputs as they grow: each paragraph as soon as it is done (cached
    ones at once), then the whole result with its aligned view, downloads and JSON.

    The translation runs in a worker thread and reports back through a queue, so progress
    and partial text reach the page from this generator's own thread.
    """
    services.check_text(text)
    languages = [lang.code for lang in parse_targets(targets)]
    services.check_source(text, source, PAGE_SOURCE_HINT)
    events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def work() -> None:
        try:
            result = services.pool.run_sync(
                services.translate,
                text,
                languages,
                progress=lambda done, total: events.put(("progress", (done, total))),
                on_paragraph=lambda event: events.put(("paragraph", event)),
                source=source,
                source_hint=PAGE_SOURCE_HINT,
            )
        except BaseException as exc:  # handed to the page's thread, shown there
            events.put(("error", exc))
        else:
            events.put(("done", result))

    started = time.perf_counter()
    threading.Thread(target=work, name="audarma-page-translate", daemon=True).start()
    partial: dict[str, dict[int, list[SentencePair]]] = {code: {} for code in languages}
    while True:
        kind, item = events.get()
        if kind == "progress":
            progress(item, desc="Translating", unit="sentences")
        elif kind == "paragraph":
            partial[item.language][item.paragraph] = item.pairs
            done = sum(len(paragraphs) for paragraphs in partial.values())
            uzbek = next((code for code in UZBEK_BOX if code in partial), "uz")
            yield (
                partial_text(partial.get("en")),
                partial_text(partial.get(uzbek)),
                "",
                [],
                {},
                f"Translating: {done} paragraph(s) done so far.",
            )
        elif kind == "error":
            raise item
        else:
            yield _finished(downloads, item, time.perf_counter() - started)
            return


def translate_view(*args: Any, **kwargs: Any) -> TranslateOutputs:
    """The Translate tab's final outputs: :func:`translate_updates` (same arguments) without
    the stream, for callers that only want the end."""
    *_, final = translate_updates(*args, **kwargs)
    return final


def _finished(
    downloads: DownloadDir, result: TranslationResult, seconds: float
) -> TranslateOutputs:
    data = result.to_dict()
    english = result.translations.get("en")
    uzbek = next((result.translations[c] for c in UZBEK_BOX if c in result.translations), None)
    stem = f"audarma-{result.date or 'article'}-{'-'.join(result.translations)}"
    files = downloads.write(stem, translation_text(result), data)
    return (
        english.text if english else "",
        uzbek.text if uzbek else "",
        aligned_html(result),
        files,
        data,
        translation_status(result, seconds),
    )


def detect_view(services: AppServices, text: str) -> str:
    """The detected-language line under the article ("" while there is nothing to tell).

    It follows typing, so it never raises: an over-long text is the Translate button's to
    refuse, with its message.
    """
    if not text or not text.strip():
        return ""
    try:
        return detection_line(services.detect(text))
    except AudarmaError:
        return ""


def summarize_view(
    services: AppServices,
    text: str,
    strategy: str,
    languages: Sequence[str] | str,
    sentences: float,
    progress: PageProgress = _no_progress,
) -> tuple[str, dict[str, Any]]:
    """The summaries as HTML (with their flags) and as the summarize JSON."""
    services.check_text(text)
    if not languages:
        raise InputError("choose at least one language for the summaries")
    progress(None, desc=f"Summarizing ({strategy})")
    result = services.pool.run_sync(services.summarize, text, languages, strategy, int(sentences))
    return summaries_html(result), result.to_dict()


def evaluate_view(
    services: AppServices,
    hypotheses_text: str,
    hypotheses_file: str | None,
    reference_text: str,
    reference_files: Sequence[str] | None,
    use_dev_set: bool,
    dev_lines: float,
    language: str,
    metrics: Sequence[str],
    progress: PageProgress = _no_progress,
) -> tuple[str, dict[str, Any]]:
    """Score pasted/uploaded hypotheses against pasted/uploaded references or the dev set.

    With the dev set and no hypotheses, the first ``dev_lines`` Kazakh lines are translated
    with the loaded model first, so the tab also answers "how good is this model?".
    """
    lang = get_language(language).code
    hypotheses = text_lines(read_upload(hypotheses_file, "hypotheses") or hypotheses_text or "")
    if not metrics:
        raise InputError("choose at least one metric")
    if use_dev_set:
        limit = len(hypotheses) or int(dev_lines or 0)
        if not 1 <= limit <= DEV_SET_MAX_LINES:
            raise InputError(f"dev set lines must be between 1 and {DEV_SET_MAX_LINES}")
        sources, references = dev_set_segments(lang, limit)
        if len(hypotheses) > len(sources):
            raise InputError(
                f"the dev set has {len(sources)} segments; got {len(hypotheses)} hypotheses"
            )
        if not hypotheses:
            hypotheses = _translate_dev_set(services, sources, lang, progress)
    else:
        references = [text_lines(read_upload(path, "reference")) for path in reference_files or ()]
        if reference_text and reference_text.strip():
            references.insert(0, text_lines(reference_text))
        if not hypotheses:
            raise InputError("paste or upload the hypotheses (one segment per line)")
    progress(None, desc="Scoring")
    report = services.pool.run_sync(services.score, hypotheses, references, lang, list(metrics))
    return score_table_html(report), report


def _translate_dev_set(
    services: AppServices, sources: list[str], language: str, progress: PageProgress
) -> list[str]:

    def report(done: int, total: int) -> None:
        progress((done, total), desc="Translating the dev set", unit="sentences")

    pairs = services.pool.run_sync(
        services.translator.translate_sentences, sources, language, progress=report
    )
    return [pair.target for pair in pairs]


# ---------------------------------------------------------------------- layout
INTRO = (
    "# Audarma\nKazakh news into English and Uzbek: translate, summarize and score. "
    "Sentences with a QA flag are marked \u26a0 — give them a human look before publishing."
)


class PageHandlers:
    """The page's event handlers: the views above, bound to the app's services.

    Methods rather than closures, so each tab's wiring names what it calls; Gradio passes a
    :class:`gr.Progress` to any handler that declares one as a default argument.
    """

    def __init__(self, services: AppServices, downloads: DownloadDir) -> None:
        self.services = services
        self.downloads = downloads

    @readable_errors
    def translate(
        self,
        text: str,
        targets: str,
        source: str = "auto",
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> Iterator[TranslateOutputs]:
        yield from translate_updates(self.services, self.downloads, text, targets, progress, source)

    @readable_errors
    def detect(self, text: str) -> str:
        return detect_view(self.services, text)

    @readable_errors
    def summarize(
        self,
        text: str,
        strategy: str,
        languages: list[str],
        sentences: float,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple:
        return summarize_view(self.services, text, strategy, languages, sentences, progress)

    @readable_errors
    def evaluate(
        self,
        hypotheses_text: str,
        hypotheses_file: str | None,
        reference_text: str,
        reference_files: list[str] | None,
        use_dev_set: bool,
        dev_lines: float,
        language: str,
        metrics: list[str],
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple:
        return evaluate_view(
            self.services,
            hypotheses_text,
            hypotheses_file,
            reference_text,
            reference_files,
            use_dev_set,
            dev_lines,
            language,
            metrics,
            progress,
        )


def build_page(services: AppServices, downloads: DownloadDir) -> gr.Blocks:
    """The page's Blocks, with ``/translate``, ``/summarize`` and ``/evaluate`` API names."""
    settings = services.settings
    handlers = PageHandlers(services, downloads)
    seeds = seed_articles()
    with gr.Blocks(title="Audarma", analytics_enabled=False, delete_cache=(3600, 3600)) as page:
        gr.Markdown(INTRO)
        with gr.Tabs():
            with gr.Tab("Translate", id="translate"):
                translate_tab(handlers, seeds)
            with gr.Tab("Summarize", id="summarize"):
                summarize_tab(handlers, seeds, settings)
            with gr.Tab("Evaluate", id="evaluate"):
                evaluate_tab(handlers)
    # Gradio's max_size counts waiting events and refuses every event at 0; the work pool
    # behind the handlers is what holds queue_size (0: nothing waits) for page and API alike.
    page.queue(default_concurrency_limit=settings.concurrency, max_size=max(1, settings.queue_size))
    return page


def translate_tab(handlers: PageHandlers, seeds: Sequence[str]) -> None:
    """The article, the targets, both translations side by side, the aligned view, downloads."""
    article = gr.Textbox(
        label="Article (Kazakh in Cyrillic or Latin script, or Russian)",
        lines=10,
        max_lines=30,
        placeholder="Paste a Kazakh article (optional first line: date YYYY-MM-DD headline)",
        elem_id="aud-article",
    )
    detected = gr.Markdown(elem_id="aud-detected")
    article.change(
        handlers.detect,
        inputs=[article],
        outputs=[detected],
        api_name="detect",
        show_progress="hidden",
        trigger_mode="always_last",
    )
    with gr.Row():
        source = gr.Radio(
            SOURCE_CHOICES, value="auto", label="Article language", elem_id="aud-source"
        )
        targets = gr.Radio(
            TARGET_CHOICES, value="en,uz", label="Translate into", elem_id="aud-targets"
        )
        button = gr.Button("Translate", variant="primary", elem_id="aud-translate")
    if seeds:
        gr.Examples([[seeds[0], "en,uz"]], inputs=[article, targets], label="Seed article")
    status = gr.HTML(elem_id="aud-status")  # escaped text (render.translation_status)
    with gr.Row(equal_height=True):
        english = gr.Textbox(label="English", lines=10, buttons=["copy"], elem_id="aud-en")
        uzbek = gr.Textbox(label="Uzbek", lines=10, buttons=["copy"], elem_id="aud-uz")
    gr.Markdown("### Sentence by sentence")
    aligned = gr.HTML(elem_id="aud-aligned")
    files = gr.File(label="Download (text and JSON)", file_count="multiple", elem_id="aud-files")
    with gr.Accordion("JSON", open=False):
        translation_json = gr.JSON(elem_id="aud-translation-json")
    button.click(
        handlers.translate,
        inputs=[article, targets, source],
        outputs=[english, uzbek, aligned, files, translation_json, status],
        api_name="translate",
    )


def summarize_tab(handlers: PageHandlers, seeds: Sequence[str], settings: Settings) -> None:
    """The article, a strategy, languages and a length; the summaries with their flags."""
    article = gr.Textbox(
        label="Kazakh article", lines=10, max_lines=30, elem_id="aud-summary-article"
    )
    with gr.Row():
        strategy = gr.Radio(list(STRATEGY_NAMES), value=settings.summary_strategy, label="Strategy")
        languages = gr.CheckboxGroup(LANGUAGE_CHOICES, value=["kk", "en", "uz"], label="Languages")
        length = gr.Slider(
            1,
            MAX_SUMMARY_SENTENCES,
            value=settings.summary_sentences,
            step=1,
            label="Length (sentences)",
        )
    button = gr.Button("Summarize", variant="primary", elem_id="aud-summarize")
    if seeds:
        gr.Examples([[seeds[0]]], inputs=[article], label="Seed article")
    summaries = gr.HTML(elem_id="aud-summaries")
    with gr.Accordion("JSON", open=False):
        summary_json = gr.JSON()
    button.click(
        handlers.summarize,
        inputs=[article, strategy, languages, length],
        outputs=[summaries, summary_json],
        api_name="summarize",
    )


def evaluate_tab(handlers: PageHandlers) -> None:
    """Hypotheses and references (pasted, uploaded, or the bundled dev set); the scores."""
    with gr.Row():
        with gr.Column():
            hyp_text = gr.Textbox(label="Hypotheses (one segment per line)", lines=8)
            hyp_file = gr.File(label="…or upload them (.txt)", file_types=[".txt"])
        with gr.Column():
            ref_text = gr.Textbox(label="Reference (one segment per line)", lines=8)
            ref_files = gr.File(
                label="…or upload references (one .txt each)",
                file_count="multiple",
                file_types=[".txt"],
            )
    with gr.Row():
        use_dev = gr.Checkbox(
            label="Use the bundled NTREX-128 dev set as references"
            " (no hypotheses: translate its first lines with the loaded model)",
            value=False,
            interactive=dev_set_available(),
        )
        dev_lines = gr.Number(
            20, label="Dev set lines", minimum=1, maximum=DEV_SET_MAX_LINES, precision=0
        )
    with gr.Row():
        language = gr.Dropdown(LANGUAGE_CHOICES, value="en", label="Language of the texts")
        metrics = gr.CheckboxGroup(list(METRICS), value=list(METRICS), label="Metrics")
    button = gr.Button("Score", variant="primary", elem_id="aud-score")
    scores = gr.HTML(elem_id="aud-scores")
    with gr.Accordion("JSON", open=False):
        score_json = gr.JSON()
    button.click(
        handlers.evaluate,
        inputs=[hyp_text, hyp_file, ref_text, ref_files, use_dev, dev_lines, language, metrics],
        outputs=[scores, score_json],
        api_name="evaluate",
    )
