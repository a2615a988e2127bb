"""Splitting over-long sentences at clause boundaries, and rejoining translated pieces.

Models truncate or hallucinate past their length limit, so a sentence longer than the model
accepts is cut where a translator would and its pieces are translated one by one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from .segment import CLOSERS, TERMINATORS

#: Cut points, strongest first: a stop or semicolon (after a word of two letters or more, so not
#: after an initial), then a colon or before a dash, then a comma, then any space. Each pattern's
#: only group is the whitespace gap the cut removes.
_CLOSERS_RUN = f"[{re.escape(CLOSERS)}]*"
_CUT_TIERS: tuple[tuple[re.Pattern[str], ...], ...] = (
    (re.compile(rf"(?<=\w\w)[{re.escape(TERMINATORS)};]+{_CLOSERS_RUN}(\s+)"),),
    (re.compile(rf":{_CLOSERS_RUN}(\s+)"), re.compile(r"(\s+)(?=[—–―]|-\s)")),
    (re.compile(rf",{_CLOSERS_RUN}(\s+)"),),
    (re.compile(r"(\s+)"),),
)
#: A punctuation cut that does not make both pieces fit at once is only taken if it leaves
#: each piece at least this share of the text, so that pieces stay balanced.
_MIN_SHARE = 0.25


def split_clauses(sentence: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    """Split an over-long ``sentence`` into pieces of at most ``max_tokens`` tokens each.

    Models truncate or hallucinate past their length limit, so a long sentence is cut where a
    translator would: at clause punctuation (``; : , — –``) first, into balanced pieces, then at
    spaces, and only as a last resort inside a word. Pieces are substrings in order; joining
    them with single spaces gives back the sentence with the whitespace at each cut collapsed to
    one space (only a cut inside a word adds a space). A sentence that fits, or is blank, is
    returned as the only piece; a single character that is still too long is returned as is.
    """
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be positive, not {max_tokens}")
    if count_tokens(sentence) <= max_tokens:
        return [sentence]
    text = sentence.strip()
    if not text:
        return [sentence]

    def fits(piece: str) -> bool:
        return count_tokens(piece) <= max_tokens

    return _split(text, fits)


def _split(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Recursively cut ``text`` (no outer whitespace) until every piece fits."""
    if len(text) == 1 or fits(text):
        return [text]
    left, right = _best_cut(text, fits)
    return _split(text[:left], fits) + _split(text[right:], fits)


def _best_cut(text: str, fits: Callable[[str], bool]) -> tuple[int, int]:
    """``(left_end, right_start)`` of the cut to make in ``text``.

    In order of preference: a punctuation cut that leaves two pieces that both fit (strongest
    tier first, then the most balanced); a balanced punctuation cut to recurse on; a space that
    leaves two fitting pieces, else the most central space; a cut in the middle of the word.
    """
    *punctuation, spaces = (_cuts(tier, text) for tier in _CUT_TIERS)
    for cuts in punctuation:
        both_fit = _cuts_that_fit(text, cuts, fits)
        if both_fit:
            return _most_balanced(text, both_fit)
    for cuts in punctuation:
        if cuts and _is_balanced(text, _most_balanced(text, cuts)):
            return _most_balanced(text, cuts)
    if spaces:
        return _most_balanced(text, _cuts_that_fit(text, spaces, fits) or spaces)
    return len(text) // 2, len(text) // 2


def _cuts(tier: tuple[re.Pattern[str], ...], text: str) -> list[tuple[int, int]]:
    """The internal whitespace gaps a tier may cut at, in text order."""
    gaps = {match.span(1) for pattern in tier for match in pattern.finditer(text)}
    return sorted((left, right) for left, right in gaps if left > 0 and right < len(text))


def _cuts_that_fit(
    text: str, cuts: list[tuple[int, int]], fits: Callable[[str], bool]
) -> list[tuple[int, int]]:
    """The ``cuts`` (in text order) whose left and right pieces both fit.

    A longer piece never has fewer tokens, so the cuts whose left piece fits are a prefix of
    ``cuts`` and those whose right piece fits a suffix: two binary searches find both ends,
    which keeps the number of tokenizer calls logarithmic in the number of cuts.
    """
    left_fits = _first_true(len(cuts), lambda i: not fits(text[: cuts[i][0]]))
    right_fits = _first_true(len(cuts), lambda i: fits(text[cuts[i][1] :]))
    return cuts[right_fits:left_fits]


def _first_true(count: int, predicate: Callable[[int], bool]) -> int:
    """The least ``i`` in ``0..count`` with ``predicate(i)``, for a predicate false then true."""
    low, high = 0, count
    while low < high:
        middle = (low + high) // 2
        if predicate(middle):
            high = middle
        else:
            low = middle + 1
    return low


def _most_balanced(text: str, cuts: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """The cut whose two pieces are closest in length."""
    return min(cuts, key=lambda cut: (abs(cut[0] - (len(text) - cut[1])), cut))


def _is_balanced(text: str, cut: tuple[int, int]) -> bool:
    """Whether both pieces of ``cut`` keep at least :data:`_MIN_SHARE` of ``text``."""
    left, right = cut
    return min(left, len(text) - right) >= _MIN_SHARE * len(text)


def join_pieces(pieces: Iterable[str]) -> str:
    """Rejoin translated pieces of one sentence: single spaces, no blank or doubled spaces."""
    return " ".join(" ".join(piece.split()) for piece in pieces if piece.strip())
