"""Article text: the optional ``date YYYY-MM-DD <headline>`` line, then paragraphs.

Everything here is pure and never changes a character of the paragraphs except the
whitespace around them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import InputError, InputTooLargeError
from .segment import split_sentences

#: The seed format's optional first line: ``date YYYY-MM-DD <headline>``.
_DATE_LINE = re.compile(r"date\s+(?P<date>\d{4}-\d{2}-\d{2})(?:\s+(?P<headline>.*))?", re.I)


@dataclass(frozen=True)
class Article:
    """A parsed article: an optional date and its paragraphs (the headline first, if any)."""

    date: str | None
    paragraphs: list[str]
    has_headline: bool


#: What every character that is not a Unicode scalar value becomes (U+FFFD).
REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def scalar_text(text: str) -> str:
    """``text`` with every unpaired surrogate replaced by U+FFFD (a pair is joined).

    A Python ``str`` can hold surrogate code points that no UTF-8 text can: JSON's ``\\ud800``
    escape, a Python caller, or a file with encoded surrogates (CESU-8) produces them, and
    tokenizers and UTF-8 writers then fail on them. Audarma's one rule for such text: replace,
    keep going, and say so (:func:`unreadable_warning`), so that no article is lost to one
    bad character.
    """
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def unreadable_warning(text: str) -> str | None:
    """The warning a result carries when its input holds U+FFFD (after :func:`scalar_text`).

    The replacement character marks text that was lost before translation: an unpaired
    surrogate replaced here, or bytes another tool could not decode.
    """
    count = text.count(REPLACEMENT)
    if not count:
        return None
    return (
        f"{count} character(s) of the text are not valid Unicode (e.g. unpaired surrogates) or"
        " could not be decoded; they were replaced with U+FFFD"
    )


def check_text(text: str, max_chars: int) -> str:
    """Refuse blank text and text over ``max_chars`` characters, before any model work.

    The one size rule of every entry point (Python, CLI, HTTP, page, summaries): the limit
    bounds the memory and time one request may take. Returns the text as Unicode scalar
    values (:func:`scalar_text`): callers go on with what this returns.
    """
    if len(text) > max_chars:
        raise InputTooLargeError(
            f"the text has {len(text)} characters; the limit is {max_chars}"
            " (setting max_chars / AUDARMA_MAX_CHARS)"
        )
    if not text.strip():
        raise InputError("the article is empty")
    return scalar_text(text)


def parse_article(text: str) -> Article:
    """Parse an article: an optional ``date YYYY-MM-DD <headline>`` line, then paragraphs.

    Paragraphs are the non-blank lines (any line-break convention, CRLF included), stripped.
    A byte-order mark and leading blanks are tolerated because articles are pasted and saved by
    many different editors.
    """
    lines = (line.strip().lstrip("\ufeff").strip() for line in text.splitlines())
    paragraphs = [line for line in lines if line]
    if not paragraphs:
        raise InputError("the article is empty")
    match = _DATE_LINE.fullmatch(paragraphs[0])
    if match is None:
        return Article(date=None, paragraphs=paragraphs, has_headline=False)
    date = match["date"]
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        raise InputError(f"the date line has an impossible date: {date}") from None
    headline = (match["headline"] or "").strip()
    body = paragraphs[1:]
    if headline:
        return Article(date=date, paragraphs=[headline, *body], has_headline=True)
    if not body:
        raise InputError("the article has a date line but no text")
    return Article(date=date, paragraphs=body, has_headline=False)


def paragraph_sentences(article: Article, language: str = "kk") -> list[list[str]]:
    """The sentences of each paragraph, in order (the headline is a paragraph too).

    ``language`` is the article's (``ru`` articles are split by a Russian segmenter).
    """
    return [split_sentences(paragraph, language) for paragraph in article.paragraphs]
