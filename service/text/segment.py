"""Sentence segmentation: Kazakh rules of our own, Russian by razdel.

The translation models work sentence by sentence, so the segmenter decides what a model sees.
It is deliberately conservative: when a full stop is ambiguous (an abbreviation, an initial, a
dateline) it does *not* split, because a merged sentence still translates well while a sentence
cut in half does not. Over-long sentences are handled afterwards by
:func:`service.text.clauses.split_clauses`.

Quotations stay with their sentence: a closing quote after the stop belongs to the sentence
before, even with a space before it (``… ашты. » Сосын …``), and a speech tail continues it
(``«… ойлай ма? », – деп білгісі келді.`` is one sentence).

Offsets always refer to the caller's string, and no character is ever dropped or changed
except whitespace between sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import razdel

#: ``(start, end)`` offsets of a sentence or line inside its text.
Span = tuple[int, int]


TERMINATORS = ".!?…"
#: Characters that may close a sentence right after its final stop: quotes in either direction
#: (Kazakh texts use “…” „…“ “…“ and «…» interchangeably) and brackets.
CLOSERS = "\"'«»“”„‘’‚‹›)]}"
#: Characters that may stand before the first letter of a sentence: quotes, brackets, dashes of
#: direct speech (``— Біздің ...``) and list bullets.
_OPENERS = "\"'«»“”„‘’‚‹›([{—–-‒―•*"

#: A stop candidate: a run of terminators, optional closers, then whitespace.
_CANDIDATE = re.compile(
    rf"[{re.escape(TERMINATORS)}]+[{re.escape(CLOSERS)}]*(?=\s)",
)
_OPENERS_OR_SPACE = rf"[\s{re.escape(_OPENERS)}]*"
_NEXT_SIGNIFICANT = re.compile(rf"{_OPENERS_OR_SPACE}([^\s{re.escape(_OPENERS)}])")
_NEXT_WORD = re.compile(rf"{_OPENERS_OR_SPACE}(\w+)")
_ENUMERATOR = re.compile(r"\d{1,3}|[IVXLC]{1,6}")
#: Quotes that always close (Kazakh and Russian open with « and ‹).
_ALWAYS_CLOSING = "»›"
#: Quotes whose direction is known only from how many came before on the line (“…” „…“ "…").
_PAIRED_QUOTES = '“”„"'
#: Whitespace, then a quote that may close the quotation the sentence ends inside.
_SPACED_QUOTE = re.compile(rf"[ \t\xa0]+([{_ALWAYS_CLOSING}{_PAIRED_QUOTES}])")
#: Punctuation that continues a sentence and never starts one.
_CONTINUING = ",;:"
#: Text between line breaks; a line break always ends a sentence (headlines carry no stop).
_LINE = re.compile(r"[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")

#: Abbreviations that precede what they qualify (titles, "years", "street"): a capital after
#: them is a name or a noun of the same sentence, so they never end a sentence. One-letter ones
#: (``ж.``, ``ғ.``, ``б.з.б.``) and initials need no list: see :func:`_is_abbreviation`.
_PREFIX_ABBREVIATIONS = frozenset(
    ("жж.", "ғғ.", "проф.", "акад.", "доц.", "обл.", "ауд.", "тел.", "д-р.", "г-н.", "г-жа.")
    + ("гг.", "им.", "ул.", "мр.", "м-с.")
    + ("mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs.", "cf.", "jr.", "sr.")
)
#: Abbreviations that follow what they qualify (units, "and so on"): they can end a sentence,
#: so a capitalised word after them starts a new one, unless it is an acronym (``5 млн. АҚШ
#: доллары``), which usually continues the phrase.
_SUFFIX_ABBREVIATIONS = frozenset(
    ("т.б.", "т.с.с.", "т.с.", "т.т.", "млн.", "млрд.", "трлн.", "мың.")
    + ("км.", "см.", "мм.", "м.", "кг.", "гр.", "т.", "ц.", "га.", "л.", "сағ.", "мин.", "сек.")
    + ("тг.", "тең.", "руб.", "долл.", "ph.d.", "etc.", "inc.", "ltd.", "co.", "corp.")
)
#: A dateline at the start of a paragraph: a place, an optional date, the agency and a dash (the
#: place or the agency in capitals), e.g. ``ТАШКЕНТ. KAZINFORM —`` or ``АСТАНА. 17 қазан.
#: ҚазАқпарат –``. Its stops end no sentence: it belongs to the news after the dash.
_DATELINE = re.compile(
    r"""
    (?P<place>[^\W\d_][\w-]*(?:\s[\w-]+){0,3})\.\s+    # ТАШКЕНТ.  НҰР-СҰЛТАН.
    (?:\d{1,2}\s+\w+(?:\s+\d{4})?\.\s+)?               # 17 қазан.
    (?P<agency>[^\W\d_][^\s.!?…—–]*(?:\s+[^\s.!?…—–]+)?)\s+   # KAZINFORM
    [—–-]\s
    """,
    re.X,
)


def sentence_spans(paragraph: str, language: str = "kk") -> list[Span]:
    """``(start, end)`` offsets of the sentences of ``paragraph``, in order.

    ``language`` picks the splitter: ``ru`` is razdel's (a rule-based segmenter built for
    Russian: its abbreviations, initials and dialogue dashes); everything else gets the
    rules of this module, written for Kazakh and sound for the Latin-script targets.

    Spans never start or end with whitespace and never overlap; everything outside them is
    whitespace, so no character can be lost. A line break always ends a sentence.
    """
    line_cuts = _LINE_SPLITTERS.get(language, _line_cuts)
    spans: list[Span] = []
    for line in _LINE.finditer(paragraph):
        start = line.start()
        for cut in line_cuts(line.group()):
            _add_span(paragraph, start, line.start() + cut, spans)
            start = line.start() + cut
        _add_span(paragraph, start, line.end(), spans)
    return spans


def split_sentences(paragraph: str, language: str = "kk") -> list[str]:
    """The sentences of ``paragraph`` (see :func:`sentence_spans`)."""
    return [paragraph[start:end] for start, end in sentence_spans(paragraph, language)]


def _razdel_cuts(line: str) -> list[int]:
    """Where razdel ends the sentences of ``line`` (the end of the line excluded)."""
    return [sentence.stop for sentence in razdel.sentenize(line)][:-1]


def _add_span(text: str, start: int, end: int, spans: list[Span]) -> None:
    """Append ``text[start:end]`` without its outer whitespace, unless nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def _line_cuts(line: str) -> list[int]:
    """Offsets in ``line`` where one sentence ends and the next one may start (our rules)."""
    stripped = line.lstrip()
    protected = 0
    dateline = _DATELINE.match(stripped)
    if dateline and (dateline["place"].isupper() or dateline["agency"].isupper()):
        end = len(line) - len(stripped) + dateline.end()
        news = _next_significant_char(line, end)
        if news is not None and not news.islower():
            protected = end
    cuts = []
    for match in _CANDIDATE.finditer(line):
        end = _absorb_closing_quotes(line, match.end())
        if end > protected and _ends_sentence(line, match.start(), end):
            cuts.append(end)
    return cuts


def _absorb_closing_quotes(line: str, position: int) -> int:
    """Move a cut at ``position`` past closing quotes set off by a space (``ашты. » Сосын``).

    » and › always close; a paired quote (“ ” „ ") closes when an odd number of them came
    before it on the line. What follows the quote must be whitespace or the line's end.
    """
    while match := _SPACED_QUOTE.match(line, position):
        quote, after = match.group(1), match.end()
        closes = quote in _ALWAYS_CLOSING or _count_paired(line, match.start(1)) % 2 == 1
        if not closes or (after < len(line) and not line[after].isspace()):
            break
        position = after
        while position < len(line) and line[position] in CLOSERS:
            position += 1
    return position


def _count_paired(line: str, position: int) -> int:
    return sum(1 for char in line[:position] if char in _PAIRED_QUOTES)


def _ends_sentence(line: str, stop_start: int, stop_end: int) -> bool:
    """Whether the stop ``line[stop_start:stop_end]`` (terminators + closers) ends a sentence."""
    next_char = _next_significant_char(line, stop_end)
    if next_char is None or next_char.islower() or next_char in _CONTINUING:
        # A sentence never starts in lower case or with a comma: "«Неге?» деп сұрады",
        # "«Неге? », – деп сұрады", "...", — деді ол".
        return False
    word_end = _before_spaced_closing_quote(line, stop_start)
    word = _word_before(line, word_end)
    if not word:
        # A stop standing apart from the words ("ол ... келді") marks a pause, not an end.
        return False
    if _is_enumerator(line, word_end - len(word), word):
        return False
    stop = line[stop_start:stop_end].rstrip(CLOSERS)
    if "?" in stop or "!" in stop or stop.count(".") > 1 or "…" in stop:
        return True
    return not _is_abbreviation(word, line, stop_end, next_char)


def _next_significant_char(line: str, position: int) -> str | None:
    """The first character after ``position`` that is not whitespace, a quote or a dash."""
    match = _NEXT_SIGNIFICANT.match(line, position)
    return match.group(1) if match else None


def _before_spaced_closing_quote(line: str, position: int) -> int:
    """Where the word before a stop ends when a spaced closing quote sits between them.

    ``… келеді ». Сосын`` ends a sentence at the stop after the quote, like ``келеді».``.
    """
    start = position
    while start > 0 and line[start - 1] in _ALWAYS_CLOSING + _PAIRED_QUOTES:
        start -= 1
    if start == position or start == 0 or line[start - 1] not in " \t\xa0":
        return position
    closes = line[start] in _ALWAYS_CLOSING or _count_paired(line, start) % 2 == 1
    return start - 1 if closes else position


def _word_before(line: str, position: int) -> str:
    """The whitespace-delimited word that ends at ``position``, without leading quotes."""
    start = position
    while start > 0 and not line[start - 1].isspace():
        start -= 1
    return line[start:position].lstrip(_OPENERS)


def _is_enumerator(line: str, word_start: int, word: str) -> bool:
    """Whether ``word`` is a list number (``1.``, ``IV.``) opening a sentence or following ``:``.

    ``Жоспар: 1. Жол салу. 2. Көпір салу.`` — the numbers begin the items; a number after a
    word (``Саны – 500. Бұл ...``) still ends its sentence.
    """
    if not _ENUMERATOR.fullmatch(word):
        return False
    start = word_start
    while start > 0 and (line[start - 1].isspace() or line[start - 1] in CLOSERS):
        start -= 1
    return start == 0 or line[start - 1] in TERMINATORS + ":;"


def _is_abbreviation(word: str, line: str, stop_end: int, next_char: str) -> bool:
    """Whether ``word`` + ``.`` is an abbreviation or an initial that does not end a sentence.

    ``next_char`` is the first letter (or digit, or symbol) of what follows.
    """
    key = word.lower() + "."
    if key in _PREFIX_ABBREVIATIONS:
        return True
    letters = re.split(r"[.-]+", word)
    one_letter = all(len(letter) == 1 and letter.isalpha() for letter in letters)
    if one_letter and (word.isupper() or key not in _SUFFIX_ABBREVIATIONS):
        # Initials (``Қ.``, ``Н.Ә.``, ``Қ.-Ж.``, ``U.S.``) and one-letter abbreviations (``ж.``,
        # ``б.з.б.``); one-letter units and ``т.б.`` are suffix abbreviations, below.
        return True
    parts = word.split(".")
    dotted = len(parts) > 1 and all(0 < len(part) <= 3 and part.isalpha() for part in parts)
    if key in _SUFFIX_ABBREVIATIONS or dotted:
        return not next_char.isupper() or _next_word_is_acronym(line, stop_end)
    return False


def _next_word_is_acronym(line: str, position: int) -> bool:
    """Whether the next word is written in capitals (``АҚШ``, ``ҚР``, ``NASA``)."""
    match = _NEXT_WORD.match(line, position)
    letters = [char for char in match.group(1) if char.isalpha()] if match else []
    return len(letters) >= 2 and all(char.isupper() for char in letters)


#: Splitters by language (a line in, cut offsets out); the rest use :func:`_line_cuts`.
_LINE_SPLITTERS: dict[str, Callable[[str], list[int]]] = {"ru": _razdel_cuts}
