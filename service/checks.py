"""Quality flags on sentence pairs (DESIGN §9).

The flags answer the most common complaints about NLLB-style systems — dropped content,
untranslated output, truncation and "word salad" loops — so a reader knows which sentences to
look at before publishing. They are heuristics: a flag asks for a human look, it is not a
verdict.
"""

from __future__ import annotations

import re
import unicodedata

from .languages import Language

UNTRANSLATED = "untranslated"
NUMBERS = "numbers"
LENGTH = "length"
REPETITION = "repetition"
TRUNCATED = "truncated"

#: The order flags are reported in.
FLAG_ORDER = (UNTRANSLATED, NUMBERS, LENGTH, REPETITION, TRUNCATED)

#: Target/source character-length ratio bands. Measured on NTREX-128 dev (sources of 20+
#: characters): kk→en 0.5–99.5th percentiles 0.51–1.52, kk→uz 0.61–1.73; widened so that only
#: outliers fire.
LENGTH_BANDS: dict[tuple[str, str], tuple[float, float]] = {
    ("kk", "en"): (0.40, 1.80),
    ("kk", "uz"): (0.45, 2.05),
}
DEFAULT_LENGTH_BAND = (0.35, 2.5)
#: Shorter sources have ratios too noisy to judge.
MIN_LENGTH_CHARS = 20

#: Space-grouped thousands (``1 000 000``) first, then digits with ``.``/``,`` inside.
_NUMBER = re.compile(r"\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?!\d)|\d+(?:[.,]\d+)*")
_WORD = re.compile(r"\w+", re.UNICODE)


def _letters_in_script(text: str, script: str) -> tuple[int, int]:
    """(letters written in ``script``, all letters) of ``text``."""
    name = {"Cyrl": "CYRILLIC", "Latn": "LATIN"}.get(script, script.upper())
    letters = [ch for ch in text if ch.isalpha()]
    inside = sum(1 for ch in letters if unicodedata.name(ch, "").startswith(name))
    return inside, len(letters)


def numbers_in(text: str) -> set[str]:
    """Numbers written in ``text``, separators removed so ``1 000`` and ``1,000`` compare equal."""
    return {re.sub(r"\D", "", match) for match in _NUMBER.findall(text)}


def is_untranslated(source: str, target: str, tgt: Language) -> bool:
    """Target equals the source, or is mostly written in a script the target language doesn't use."""
    if not target.strip():
        return bool(source.strip())
    if target.strip().casefold() == source.strip().casefold() and any(c.isalpha() for c in source):
        return True
    inside, total = _letters_in_script(target, tgt.script)
    return total >= 3 and inside / total < 0.5


def missing_numbers(source: str, target: str) -> set[str]:
    """Numbers in the source that the target does not contain."""
    return numbers_in(source) - numbers_in(target)


def length_out_of_band(source: str, target: str, src: Language, tgt: Language) -> bool:
    if len(source.strip()) < MIN_LENGTH_CHARS:
        return False
    low, high = LENGTH_BANDS.get((src.code, tgt.code), DEFAULT_LENGTH_BAND)
    ratio = len(target.strip()) / len(source.strip())
    return not low <= ratio <= high


def max_repeat(text: str, max_n: int = 4) -> int:
    """The most times any word n-gram (n <= ``max_n``) repeats back to back."""
    words = [w.casefold() for w in _WORD.findall(text)]
    best = 1 if words else 0
    for n in range(1, max_n + 1):
        for start in range(len(words) - n + 1):
            gram = words[start : start + n]
            count = 1
            pos = start + n
            while words[pos : pos + n] == gram:
                count += 1
                pos += n
            best = max(best, count)
    return best


def is_repetitive(source: str, target: str, threshold: int = 3) -> bool:
    """An n-gram repeated ``threshold`` times in a row that the source does not repeat."""
    return max_repeat(target) >= threshold > max_repeat(source)


def check_pair(
    source: str, target: str, src: Language, tgt: Language, *, truncated: bool = False
) -> list[str]:
    """All flags for one sentence pair, in :data:`FLAG_ORDER`."""
    flags: list[str] = []
    if is_untranslated(source, target, tgt):
        flags.append(UNTRANSLATED)
    if missing_numbers(source, target):
        flags.append(NUMBERS)
    if length_out_of_band(source, target, src, tgt):
        flags.append(LENGTH)
    if is_repetitive(source, target):
        flags.append(REPETITION)
    if truncated:
        flags.append(TRUNCATED)
    return flags
