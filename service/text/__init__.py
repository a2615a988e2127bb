"""Text handling: articles, sentences, clauses, Uzbek apostrophes, scripts, languages, files.

Each job has its own module; the names users and the pipeline import are re-exported here,
so ``from service.text import parse_article`` keeps working.
"""

from __future__ import annotations

from .article import (
    REPLACEMENT,
    Article,
    check_text,
    paragraph_sentences,
    parse_article,
    scalar_text,
    unreadable_warning,
)
from .clauses import join_pieces, split_clauses
from .files import decode_bytes, loads_json, read_file, read_lines, split_lines
from .langid import (
    UNKNOWN,
    Detection,
    choose_source,
    detect_document,
    detect_script,
    detect_sentence,
    sentence_language,
)
from .segment import Span, sentence_spans, split_sentences
from .transliterate import (
    SCRIPT_TAGS,
    Rewritten,
    kazakh_to_cyrillic,
    kazakh_to_cyrillic_mapped,
    transliterate,
    uzbek_to_cyrillic,
)
from .uzbek import UZBEK_APOSTROPHES, fold_uzbek_apostrophes, normalize_uzbek

__all__ = [
    "REPLACEMENT",
    "SCRIPT_TAGS",
    "UNKNOWN",
    "UZBEK_APOSTROPHES",
    "Article",
    "Detection",
    "Rewritten",
    "Span",
    "check_text",
    "choose_source",
    "decode_bytes",
    "detect_document",
    "detect_script",
    "detect_sentence",
    "fold_uzbek_apostrophes",
    "join_pieces",
    "loads_json",
    "kazakh_to_cyrillic",
    "kazakh_to_cyrillic_mapped",
    "normalize_uzbek",
    "paragraph_sentences",
    "parse_article",
    "read_file",
    "read_lines",
    "scalar_text",
    "sentence_language",
    "sentence_spans",
    "split_clauses",
    "split_lines",
    "split_sentences",
    "unreadable_warning",
    "transliterate",
    "uzbek_to_cyrillic",
]
