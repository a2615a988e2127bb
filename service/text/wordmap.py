"""What the script converters share: word-by-word rewriting, case transfer, loanword stems.

Converters rewrite *words* and copy everything else (digits, punctuation, spaces, symbols)
untouched, so they can run on whole articles; case is carried over per letter, with the
Turkic dotted/dotless i handled explicitly (``str.upper("i")`` is ``I``, a different Kazakh
letter from ``İ``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

#: Combining marks: NFD input keeps its accents inside the word.
MARKS = "\u0300-\u036f"
#: Apostrophe-like characters: Uzbek oʻ gʻ and ʼ, the 2017 Kazakh variant, and look-alikes.
APOSTROPHES = "ʻʼ'‘’`"
#: A run of letters and combining marks.
WORD = re.compile(rf"(?:[^\W\d_]|[{MARKS}])+")


def sub_words(pattern: re.Pattern[str], text: str, convert: Callable[[str], str]) -> str:
    """Apply ``convert`` to each match of ``pattern``; nothing between words is touched."""
    return pattern.sub(lambda match: convert(match.group(0)), text)


@dataclass(frozen=True)
class Rewritten:
    """A text rewritten word by word, and the way back to offsets in what was written.

    Between words the two texts are identical, so a sentence found in :attr:`text` can be cut
    out of :attr:`source` too: the reader sees the sentence as it was written.
    """

    source: str
    text: str
    #: (start, end) in ``source`` and (start, end) in ``text`` of each rewritten word, in order.
    words: tuple[tuple[int, int, int, int], ...]

    def source_offset(self, offset: int) -> int:
        """The offset in :attr:`source` of ``offset`` in :attr:`text` (a word's start or end
        maps to that word's start or end; inside a word, to its start)."""
        shift = 0
        for source_start, source_end, start, end in self.words:
            if offset < end:
                return source_start if offset >= start else offset + shift
            shift = source_end - end
        return offset + shift

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """``text[start:end]`` as a span of :attr:`source`."""
        return self.source_offset(start), self.source_offset(end)


def rewrite_words(pattern: re.Pattern[str], text: str, convert: Callable[[str], str]) -> Rewritten:
    """:func:`sub_words` that also records where each word went (see :class:`Rewritten`)."""
    parts: list[str] = []
    words: list[tuple[int, int, int, int]] = []
    done = length = 0
    for match in pattern.finditer(text):
        gap = text[done : match.start()]
        new = convert(match.group(0))
        parts += [gap, new]
        length += len(gap)
        words.append((match.start(), match.end(), length, length + len(new)))
        length += len(new)
        done = match.end()
    parts.append(text[done:])
    return Rewritten(text, "".join(parts), tuple(words))


def is_all_caps(word: str) -> bool:
    """Two or more letters, all capitals (ъ/ь write no Latin letter, so they do not count)."""
    letters = [ch for ch in word if ch.isalpha() and ch not in "ЪЬъь"]
    return len(letters) > 1 and all(ch.isupper() for ch in letters)


def turkic_upper(text: str) -> str:
    """Upper-case Latin the Turkic way: i -> İ, ı -> I."""
    return "".join("İ" if ch == "i" else "I" if ch == "ı" else ch.upper() for ch in text)


def apply_case(out: str, upper: bool, all_caps: bool, upper_fn: Callable[[str], str]) -> str:
    """Case for the letters ``out`` one source letter became.

    A capital that becomes two letters is ``Sh`` inside a Title-case word and ``SH`` inside an
    ALL-CAPS one (Шаҳар -> Shahar, ШАҲАР -> SHAHAR).
    """
    if not upper or not out:
        return out
    if all_caps:
        return upper_fn(out)
    return upper_fn(out[0]) + out[1:]


def case_stem(stem: str, upper_flags: list[bool]) -> str:
    """``stem`` in the case of the source letters it replaces (ALL CAPS, Title or lower)."""
    if len(upper_flags) > 1 and all(upper_flags):
        return stem.upper()
    if upper_flags and upper_flags[0]:
        return stem[0].upper() + stem[1:]
    return stem


class StemLexicon:
    """Loanword stems whose spelling the other script's rules cannot recover.

    Keys are regular expressions matched at the start of a lower-case word (``niu$`` is a
    whole word, ``sirk(?!a)`` keeps Uzbek *sirka*, vinegar, away from *цирк*); the longest
    alternative wins, and the rest of the word (the suffixes) is left to the rules.
    """

    def __init__(self, stems: Mapping[str, str]) -> None:
        self._values = list(stems.values())
        # One named group per stem, longest first: the group that matched says which stem.
        ordered = sorted(range(len(stems)), key=lambda i: -len(list(stems)[i]))
        keys = list(stems)
        self._pattern = re.compile("|".join(f"(?P<s{i}>{keys[i]})" for i in ordered))

    def match(self, word: str) -> tuple[str, int]:
        """(replacement stem, length of the matched source stem), or ``("", 0)``."""
        found = self._pattern.match(word)
        if not found or not found.lastgroup:
            return "", 0
        return self._values[int(found.lastgroup[1:])], found.end()

    def values(self) -> list[str]:
        """The replacement stems (the tests check each maps back to its key)."""
        return list(self._values)
