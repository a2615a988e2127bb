"""Hostile article text through every text entry point (issue #12, item 8).

Hypothesis writes articles no newsroom would: any Unicode (unpaired surrogates included),
control characters, bidirectional marks, tokens thousands of characters long, text without
punctuation. Whatever comes in, ``Translator.translate``, ``Summarizer.summarize`` and
``audarma segment`` answer with a result or a one-line user error, and lose no sentence.
``AUDARMA_FUZZ_EXAMPLES`` sets the examples per property (default 25).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from service import Summarizer, Translator
from service.errors import AudarmaError
from service.text import paragraph_sentences, parse_article, scalar_text
from tests.strategies import articles
from tests.webhelpers import make_settings

EXAMPLES = int(os.environ.get("AUDARMA_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@pytest.fixture(scope="module")
def translator(tiny_nllb_dir: Path) -> Translator:
    # The real tokenizer and engine (CTranslate2, greedy) on the tiny model.
    return Translator(
        settings=make_settings(model=str(tiny_nllb_dir), beam=1, max_chars=6000), cache=False
    )


def _is_user_error(exc: AudarmaError) -> None:
    message = str(exc)
    assert message.strip() and "\n" not in message, repr(message)


def _encodes(data: dict) -> None:
    json.dumps(data, ensure_ascii=False).encode("utf-8")  # no surrogate left anywhere


@given(text=articles)
@FUZZ
def test_translate_answers_every_article(translator: Translator, text: str) -> None:
    try:
        result = translator.translate(text, ["en"])
    except AudarmaError as exc:
        return _is_user_error(exc)
    _encodes(result.to_dict())
    expected = paragraph_sentences(parse_article(scalar_text(text)))
    got = [[pair.source for pair in para] for para in result.translations["en"].paragraphs]
    assert got == expected  # paragraph for paragraph, sentence for sentence, nothing dropped
    if "\ufffd" in scalar_text(text):
        assert any("U+FFFD" in warning for warning in result.warnings)


@given(text=articles)
@FUZZ
def test_summarize_answers_every_article(translator: Translator, text: str) -> None:
    summarizer = Summarizer(translator=translator, strategy="extractive")
    try:
        result = summarizer.summarize(text, ["kk", "en"])
    except AudarmaError as exc:
        return _is_user_error(exc)
    _encodes(result.to_dict())
    assert set(result.summaries) == {"kk", "en"}


def _visible(text: str) -> str:
    """The text without whitespace and byte-order marks (which segmentation may drop)."""
    return "".join(text.replace("\ufeff", "").split())


@given(text=articles)
@FUZZ
def test_segment_command_keeps_every_character(cli, text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")  # a file as a UTF-16 tool would write it
    code, out, err = cli("segment", "--format", "json", stdin=data)
    if code == 2:
        assert out == "" and len(err.splitlines()) == 1 and err.startswith("audarma: error: ")
        return
    assert code == 0, err
    paragraphs = json.loads(out)["paragraphs"]
    if re.match(r"\s*date\s", scalar_text(text), re.I):
        return  # a date line is metadata, not text
    sentences = "".join(sentence for para in paragraphs for sentence in para)
    assert _visible(sentences) == _visible(scalar_text(text))
