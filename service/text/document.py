"""An article made ready to translate: its language, its script, its sentences.

Kazakh news does not arrive clean: a desk pastes the Russian version, a Kazakh article quotes
an official in Russian, an outlet prints the 2021 Latin alphabet. Before any model sees a
sentence, this module decides

* the article's source language (``kk`` or ``ru``): the one asked for, or the detected one,
  and anything else (Kyrgyz, Tatar, English, ...) is refused by name
  (:func:`~.langid.choose_source`); a text too short to tell is taken as the default;
* its script: Latin-script Kazakh is converted to Cyrillic, paragraph by paragraph, and each
  sentence remembers how the user wrote it, so results show the sources as written;
* its sentences, split by the splitter of its language (Russian: razdel);
* each sentence's own language: a Russian quotation inside a Kazakh article is translated as
  Russian (:func:`~.langid.sentence_language`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..languages import SOURCE_LANGUAGE, Language, get_source
from .article import Article, parse_article, unreadable_warning
from .langid import UNKNOWN, Detection, choose_source, detect_document, detect_script
from .langid import sentence_language as detect_switch
from .segment import sentence_spans
from .transliterate import detect_latin_variant, kazakh_to_cyrillic_mapped

#: Below this many letters a document's language is not refused but taken as the default: a
#: headline or a one-line test cannot be told apart from its neighbours reliably.
REFUSE_MIN_LETTERS = 40


@dataclass(frozen=True)
class Sentence:
    """One source sentence: as the user wrote it, as the model reads it, and its language."""

    shown: str
    text: str
    language: Language


@dataclass
class Document:
    """An article ready to translate."""

    article: Article
    language: Language
    #: The script the article is written in, as detected: ``Cyrl``, ``Latn`` or ``mixed``.
    script: str
    paragraphs: list[list[Sentence]]
    #: What the result must warn about from the start (a guessed language, lost characters).
    notes: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[Sentence]:
        return [sentence for paragraph in self.paragraphs for sentence in paragraph]


#: How the Python API says which language an article is in (quoted when one is refused);
#: the CLI, HTTP API and page pass their own way of saying it.
PYTHON_SOURCE_HINT = "source='kk'"


def prepare_document(
    text: str, source: str | Language = "auto", force_hint: str = PYTHON_SOURCE_HINT
) -> Document:
    """Parse, identify, convert and segment ``text`` (already size-checked and scalar).

    ``source``: ``auto`` (detected), or ``kk``/``ru`` to force it; ``force_hint`` is how the
    calling interface says that (``--source kk``), quoted when an article is refused.
    """
    article = parse_article(text)
    body = "\n".join(article.paragraphs)
    detection = detect_document(body)
    notes = [note for note in [unreadable_warning(text)] if note]
    language = _source(detection, source, force_hint, body, notes)
    script = detection.script if detection.script in ("Latn", "mixed") else "Cyrl"
    if language.code != "kk" or script == "Cyrl":
        paragraphs = [_sentences(p, language) for p in article.paragraphs]
    else:
        variant = detect_latin_variant(body)
        paragraphs = [
            _latin_kazakh(paragraph, variant, script, language) for paragraph in article.paragraphs
        ]
    return Document(article, language, script, paragraphs, notes)


def _source(
    detection: Detection, source: str | Language, hint: str, body: str, notes: list[str]
) -> Language:
    if isinstance(source, Language) or source.strip().lower() != "auto":
        return get_source(source)
    letters = sum(1 for ch in body if ch.isalpha())
    if detection.translatable or (detection.language != UNKNOWN and letters >= REFUSE_MIN_LETTERS):
        return choose_source(detection, "auto", force_hint=hint)
    default = get_source(SOURCE_LANGUAGE)
    notes.append(
        f"the language of the text could not be identified (too short or unclear); it was"
        f" translated as {default.name} ({default.code}); say so with {hint} to be sure"
    )
    return default


def _sentences(paragraph: str, language: Language) -> list[Sentence]:
    """The sentences of a paragraph the model reads as it was written."""
    return [
        _sentence(paragraph[start:end], paragraph[start:end], language)
        for start, end in sentence_spans(paragraph, language.code)
    ]


def _sentence(shown: str, text: str, language: Language) -> Sentence:
    switch = detect_switch(text, language.code)
    return Sentence(shown, text, get_source(switch) if switch else language)


def _latin_kazakh(paragraph: str, variant: str, script: str, language: Language) -> list[Sentence]:
    """A paragraph of Latin-script Kazakh: read in Cyrillic, shown as written.

    In a ``mixed`` article (Cyrillic with Latin names, or Latin with Cyrillic quotations) only
    the sentences written in Latin are converted, so English names in a Cyrillic sentence stay.
    """
    if script == "mixed":
        out = []
        for start, end in sentence_spans(paragraph, language.code):
            shown = paragraph[start:end]
            if detect_script(shown) == "Latn":
                read = kazakh_to_cyrillic_mapped(shown, variant).text  # type: ignore[arg-type]
                out.append(_sentence(shown, read, language))
            else:
                out.append(_sentence(shown, shown, language))
        return out
    rewritten = kazakh_to_cyrillic_mapped(paragraph, variant)  # type: ignore[arg-type]
    sentences = []
    for start, end in sentence_spans(rewritten.text, language.code):
        first, last = rewritten.source_span(start, end)
        sentences.append(_sentence(paragraph[first:last], rewritten.text[start:end], language))
    return sentences
