"""Round trips through the script converters: what comes back, and which merged letters do not.

Kazakh Cyrillic -> 2021 Latin -> Cyrillic is the identity except where the Latin alphabet
merges letters Cyrillic keeps apart (ь and ъ vanish, э and е are both ``e``, и and й both
``i``, ц is ``ts`` like т+с, ...). :func:`kazakh_round_trip` counts, on real text, how often
each merge is *not* undone by the converter's context rules and loanword stems;
``eval/transliteration_roundtrip.py`` prints the table for the NTREX Kazakh lines, and the
tests pin its numbers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..text.kazakh_latin import kazakh_cyrillic_to_latin, kazakh_latin_to_cyrillic
from ..text.uzbek import fold_uzbek_apostrophes
from ..text.uzbek_cyrillic import uzbek_cyrillic_to_latin, uzbek_latin_to_cyrillic

#: Cyrillic letters the 2021 Latin alphabet merges, each with the spelling it merges into.
KAZAKH_MERGES = (
    ("э", "е"),
    ("ь", ""),
    ("ъ", ""),
    ("ё", "йо"),
    ("һ", "х"),
    ("щ", "шш"),
    ("ц", "тс"),
    ("й", "и"),
    ("я", "иа"),
    ("ю", "иу"),
)
_LATIN = re.compile("[A-Za-z]")


def merge_normal(word: str) -> str:
    """``word`` lower-cased with each merged letter replaced by what it merges into."""
    word = word.lower()
    for letter, into in KAZAKH_MERGES:
        word = word.replace(letter, into)
    return word


@dataclass
class RoundTrip:
    """Cyrillic -> Latin -> Cyrillic over a set of lines."""

    lines: int = 0
    identical_lines: int = 0
    words: int = 0
    identical_words: int = 0
    #: Words of the source written in Latin (CNN, Sainsbury's) and how many came back changed:
    #: Latin Kazakh cannot mark a word as English, so those become Cyrillic.
    latin_words: int = 0
    latin_words_changed: int = 0
    #: How often each Cyrillic letter occurs in the source (lower-cased).
    letters: Counter[str] = field(default_factory=Counter)
    #: Per letter, occurrences in Cyrillic words that did not come back.
    lost: Counter[str] = field(default_factory=Counter)
    #: Per letter, occurrences the way back wrote where the source had another letter.
    invented: Counter[str] = field(default_factory=Counter)
    #: Changed Cyrillic words whose difference is not one of :data:`KAZAKH_MERGES`.
    unexplained: list[tuple[str, str]] = field(default_factory=list)

    @property
    def cyrillic_words_changed(self) -> int:
        return self.words - self.identical_words - self.latin_words_changed


def kazakh_round_trip(lines: Sequence[str], variant: str = "2021") -> RoundTrip:
    """Convert each line to Latin (``variant``) and back, and account for every difference."""
    stats = RoundTrip(lines=len(lines))
    for line in lines:
        latin = kazakh_cyrillic_to_latin(line, variant)  # type: ignore[arg-type]
        back = kazakh_latin_to_cyrillic(latin, variant)  # type: ignore[arg-type]
        stats.identical_lines += back == line
        stats.letters.update(line.lower())
        for before, after in zip(line.split(" "), back.split(" "), strict=True):
            stats.words += 1
            stats.identical_words += before == after
            if _LATIN.search(before):
                stats.latin_words += 1
                stats.latin_words_changed += before != after
            elif before != after:
                _account(before, after, stats)
    return stats


def _account(before: str, after: str, stats: RoundTrip) -> None:
    """Count per letter what a changed word lost and what it gained."""
    source, back = Counter(before.lower()), Counter(after.lower())
    stats.lost.update(source - back)
    stats.invented.update(back - source)
    if merge_normal(before) != merge_normal(after):
        stats.unexplained.append((before, after))


def kazakh_latin_round_trip_exact(lines: Sequence[str], variant: str = "2021") -> int:
    """How many lines survive Latin -> Cyrillic -> Latin unchanged (should be all)."""
    same = 0
    for line in lines:
        latin = kazakh_cyrillic_to_latin(line, variant)  # type: ignore[arg-type]
        back = kazakh_latin_to_cyrillic(latin, variant)  # type: ignore[arg-type]
        same += kazakh_cyrillic_to_latin(back, variant) == latin  # type: ignore[arg-type]
    return same


def uzbek_round_trip(lines: Sequence[str]) -> tuple[int, int, list[tuple[str, str]]]:
    """Uzbek Latin -> Cyrillic -> Latin: (identical lines, identical ignoring case, the rest).

    Apostrophe look-alikes are folded before comparing (o‘ and oʻ are the same letter).
    """
    exact = caseless = 0
    rest = []
    for line in lines:
        back = uzbek_cyrillic_to_latin(uzbek_latin_to_cyrillic(line))
        a, b = fold_uzbek_apostrophes(line), fold_uzbek_apostrophes(back)
        exact += a == b
        caseless += a.lower() == b.lower()
        if a.lower() != b.lower():
            rest.append((line, back))
    return exact, caseless, rest


#: The letters a merge can turn a merged letter into, for :func:`merge_table`.
_PARTNERS = ("е", "и", "х", "т", "с", "ш", "о", "а", "у")


def merge_table(stats: RoundTrip) -> list[str]:
    """Markdown rows: per letter, occurrences in the source, not restored, wrongly written."""
    rows = [
        "| letter | the 2021 Latin writes it as | in the source | not restored | written"
        " where the source had another letter |",
        "|---|---|---|---|---|",
    ]
    latin = {letter: kazakh_cyrillic_to_latin(letter) for letter, _ in KAZAKH_MERGES}
    for letter in [letter for letter, _ in KAZAKH_MERGES] + list(_PARTNERS):
        total, lost, invented = stats.letters[letter], stats.lost[letter], stats.invented[letter]
        if not (lost or invented) and letter in _PARTNERS:
            continue
        share = f" ({100 * lost / total:.1f}%)" if total and lost else ""
        rows.append(
            f"| {letter} | {latin.get(letter, kazakh_cyrillic_to_latin(letter)) or '(nothing)'}"
            f" | {total} | {lost}{share} | {invented} |"
        )
    return rows
