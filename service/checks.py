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
from .text import fold_uzbek_apostrophes, split_sentences

# Sentence-pair flags.
UNTRANSLATED = "untranslated"
NUMBERS = "numbers"
LENGTH = "length"
REPETITION = "repetition"
TRUNCATED = "truncated"
# Summary flags (faithfulness of a summary to its article).
UNSUPPORTED_NUMBER = "unsupported_number"
UNSUPPORTED_ENTITY = "unsupported_entity"
#: The summary is mostly not in its language's script (a model answering in the wrong language).
WRONG_SCRIPT = "wrong_script"
#: The summary was shortened to its sentence/word budget (or its generation hit the token cap).
CUT = "cut"
#: The model produced no usable summary text.
EMPTY = "empty"

#: Every flag any result can carry and what it means to a reader, in the order they are
#: reported (summary flags first, then the sentence flags a summary carries over): the one
#: registry every interface (CLI, JSON, the page's badges and legend) reads.
ALL_FLAGS: dict[str, str] = {
    UNSUPPORTED_NUMBER: "the summary has a number the article does not",
    UNSUPPORTED_ENTITY: "the summary names something the article does not",
    WRONG_SCRIPT: "the summary is mostly not written in its language's alphabet",
    CUT: "the summary was shortened to fit its length",
    EMPTY: "no usable summary text was produced",
    UNTRANSLATED: "the output is still Kazakh (Cyrillic) or repeats the source",
    NUMBERS: "a number in the source is missing from the output",
    LENGTH: "the output is much shorter or longer than the source usually is",
    REPETITION: "words repeat in a loop (\u201cword salad\u201d)",
    TRUNCATED: "the output hit its length limit and may be cut short",
}
#: The sentence-pair flags, in report order.
FLAG_ORDER = (UNTRANSLATED, NUMBERS, LENGTH, REPETITION, TRUNCATED)
FLAGS: dict[str, str] = {flag: ALL_FLAGS[flag] for flag in FLAG_ORDER}
#: The summary flags; the sentence flags a summary carries over follow them in reports.
SUMMARY_FLAGS: dict[str, str] = {f: m for f, m in ALL_FLAGS.items() if f not in FLAGS}
SUMMARY_FLAG_ORDER = tuple(ALL_FLAGS)

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
    """Target equals the source, or is mostly in a script the target language does not use."""
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


# --------------------------------------------------------------------------------------------
# Summary checks (faithfulness of a summary to its article)
# --------------------------------------------------------------------------------------------


#: A word: letters and digits with inner apostrophes and hyphens, so ``Oʻzbekiston``,
#: ``іс-шара`` and ``100-ге`` are one word in every language (summary budgets count these too).
SUMMARY_WORD = re.compile(r"[^\W_]+(?:['`‘’ʻʼ-][^\W_]+)*")
#: Shorter stems are too ambiguous to match inflected forms by prefix.
_MIN_STEM = 4


def _without_thousands(number: str) -> str:
    """``3000`` -> ``3``: "3 мың", "3 thousand" and "3,000" all support each other."""
    while len(number) > 3 and number.endswith("000"):
        number = number[:-3]
    return number


def unsupported_numbers(summary: str, article: str) -> list[str]:
    """Numbers in ``summary`` that ``article`` does not contain, in order of appearance.

    Separators are ignored (``1 000`` = ``1,000``) and whole thousands compare equal to their
    word form, because a translation may write "3 мыңға" as "3,000" or "3 thousand".
    """
    known = numbers_in(article)
    known |= {_without_thousands(n) for n in known}
    found = [re.sub(r"\D", "", match) for match in _NUMBER.findall(summary)]
    missing = [n for n in found if n not in known and _without_thousands(n) not in known]
    return list(dict.fromkeys(missing))


def entity_candidates(text: str) -> list[str]:
    """Capitalised words of ``text`` that are not the first word of a sentence.

    A capital at the start of a sentence says nothing about a name, so those words are left
    out; single letters (``I``, ``A``) are too.
    """
    found: list[str] = []
    for line in text.splitlines():
        for sentence in split_sentences(line):
            words = SUMMARY_WORD.findall(sentence)
            found.extend(w for w in words[1:] if len(w) > 1 and w[0].isupper())
    return list(dict.fromkeys(found))


def _fold(word: str) -> str:
    return fold_uzbek_apostrophes(word).casefold()


def unsupported_entities(summary: str, reference: str) -> list[str]:
    """Capitalised words of ``summary`` with no match in ``reference``, in order.

    Kazakh and Uzbek inflect names with suffixes (``Ташкент``/``Ташкентте``), so a word
    matches when one of the two is a prefix of the other and the shorter has at least
    :data:`_MIN_STEM` letters; case and Uzbek apostrophe variants are ignored.
    """
    known = {_fold(w) for w in SUMMARY_WORD.findall(reference)}
    missing = []
    for word in entity_candidates(summary):
        folded = _fold(word)
        if folded in known:
            continue
        if len(folded) >= _MIN_STEM and any(
            (k.startswith(folded) or folded.startswith(k)) and len(k) >= _MIN_STEM for k in known
        ):
            continue
        missing.append(word)
    return missing


def in_wrong_script(summary: str, lang: Language) -> bool:
    """Most letters of ``summary`` are outside ``lang``'s script (at least 3 letters)."""
    inside, total = _letters_in_script(summary, lang.script)
    return total >= 3 and inside / total < 0.5


def check_summary(
    summary: str, article: str, reference: str | None, lang: Language
) -> dict[str, list[str]]:
    """Faithfulness flags of one summary in ``lang``: ``{flag: [what raised it]}``.

    ``article`` is the Kazakh original (numbers are compared with it in every language);
    ``reference`` is the text names are looked up in: the article itself for a Kazakh summary,
    its translation for an English or Uzbek one (names are transliterated), or ``None`` to
    skip the name check (an extractive summary is made of the translation's own sentences).
    """
    found: dict[str, list[str]] = {}
    if in_wrong_script(summary, lang):
        found[WRONG_SCRIPT] = [lang.script]
    numbers = unsupported_numbers(summary, article)
    if numbers:
        found[UNSUPPORTED_NUMBER] = numbers
    if reference is not None:
        names = unsupported_entities(summary, reference)
        if names:
            found[UNSUPPORTED_ENTITY] = names
    return found
