"""Uzbek Latin apostrophes: the official ``oʻ gʻ`` (U+02BB) and ``ʼ`` (U+02BC)."""

from __future__ import annotations

import re

#: Everything typed in place of the Uzbek apostrophes ʻ (U+02BB) and ʼ (U+02BC).
UZBEK_APOSTROPHES = "'`‘’ʻʼ"
_OKINA = "\u02bb"  # ʻ in oʻ and gʻ
_TUTUQ = "\u02bc"  # ʼ, the glottal stop sign (tutuq belgisi) in maʼno, saʼnat
_APOSTROPHE = re.compile(f"[{UZBEK_APOSTROPHES}]")
_FOLD = str.maketrans({char: _TUTUQ for char in UZBEK_APOSTROPHES})


def normalize_uzbek(text: str, *, keep_official: bool = False) -> str:
    """Write Uzbek Latin apostrophes the official way: ``oʻ gʻ`` (U+02BB) and ``ʼ`` (U+02BC).

    Models and keyboards emit o', o‘, g` and the like; readers (and scorers) expect one
    spelling. An apostrophe after ``o``/``g`` becomes ʻ, one between other letters becomes ʼ.
    Quotes are left alone: an apostrophe that opens a word (``'muppets'``) opens a quotation, and
    one that ends a word closes it when a quotation is open, so ``'bog'`` stays quoted while a
    bare ``tog'`` becomes ``togʻ``.

    ``keep_official``: leave ʻ and ʼ as written (text that already uses them is trusted, as
    the script converter does); only the look-alikes are decided.
    """
    chars = list(text)
    quote_open = False
    for match in _APOSTROPHE.finditer(text):
        i = match.start()
        if keep_official and text[i] in (_OKINA, _TUTUQ):
            continue
        before = text[i - 1] if i > 0 else ""
        letter_before = _is_letter(before)
        letter_after = i + 1 < len(text) and _is_letter(text[i + 1])
        if letter_before and letter_after:
            chars[i] = _OKINA if before in "oOgG" else _TUTUQ
        elif letter_after:
            quote_open = True  # word-initial: opens a quotation
        elif quote_open:
            quote_open = False  # word-final or after punctuation: closes the quotation
        elif before and before in "oOgG":
            chars[i] = _OKINA  # word-final gʻ/oʻ: togʻ, bogʻ
    return "".join(chars)


def _is_letter(char: str) -> bool:
    """A letter other than ʻ and ʼ (Unicode counts them as letters; here they are apostrophes)."""
    return char.isalpha() and char not in UZBEK_APOSTROPHES


def fold_uzbek_apostrophes(text: str) -> str:
    """Map every apostrophe variant to ʼ (U+02BC) so that ``oʻ``/``o'``/``o‘`` compare equal."""
    return text.translate(_FOLD)
