"""Text handling: articles, Kazakh sentences, clause splitting, Uzbek apostrophes, files.

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
from .segment import Span, sentence_spans, split_sentences
from .uzbek import UZBEK_APOSTROPHES, fold_uzbek_apostrophes, normalize_uzbek

__all__ = [
    "REPLACEMENT",
    "UZBEK_APOSTROPHES",
    "Article",
    "Span",
    "check_text",
    "decode_bytes",
    "fold_uzbek_apostrophes",
    "join_pieces",
    "loads_json",
    "normalize_uzbek",
    "paragraph_sentences",
    "parse_article",
    "read_file",
    "read_lines",
    "scalar_text",
    "sentence_spans",
    "split_clauses",
    "split_lines",
    "split_sentences",
    "unreadable_warning",
]
