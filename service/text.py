"""Kazakh article text: parsing, sentence segmentation, clause splitting, Uzbek apostrophes.

The translation models work sentence by sentence, so the segmenter decides what a model sees.
It is deliberately conservative: when a full stop is ambiguous (an abbreviation, an initial, a
dateline) it does *not* split, because a merged sentence still translates well while a sentence
cut in half does not. Over-long sentences are handled afterwards by :func:`split_clauses`.

Everything here is pure: offsets always refer to the caller's string, and no character is ever
dropped or changed except whitespace between sentences and pieces.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .errors import InputError

#: ``(start, end)`` offsets of a sentence or line inside its text.
Span = tuple[int, int]

# --------------------------------------------------------------------------------------------
# Articles
# --------------------------------------------------------------------------------------------

#: The seed format's optional first line: ``date YYYY-MM-DD <headline>``.
_DATE_LINE = re.compile(r"date\s+(?P<date>\d{4}-\d{2}-\d{2})(?:\s+(?P<headline>.*))?", re.I)


@dataclass(frozen=True)
class Article:
    """A parsed article: an optional date and its paragraphs (the headline first, if any)."""

    date: str | None
    paragraphs: list[str]
    has_headline: bool


def parse_article(text: str) -> Article:
    """Parse an article: an optional ``date YYYY-MM-DD <headline>`` line, then paragraphs.

    Paragraphs are the non-blank lines (any line-break convention, CRLF included), stripped.
    A byte-order mark and leading blanks are tolerated because articles are pasted and saved by
    many different editors.
    """
    lines = (line.strip().lstrip("\ufeff").strip() for line in text.splitlines())
    paragraphs = [line for line in lines if line]
    if not paragraphs:
        raise InputError("the article is empty")
    match = _DATE_LINE.fullmatch(paragraphs[0])
    if match is None:
        return Article(date=None, paragraphs=paragraphs, has_headline=False)
    date = match["date"]
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        raise InputError(f"the date line has an impossible date: {date}") from None
    headline = (match["headline"] or "").strip()
    body = paragraphs[1:]
    if headline:
        return Article(date=date, paragraphs=[headline, *body], has_headline=True)
    if not body:
        raise InputError("the article has a date line but no text")
    return Article(date=date, paragraphs=body, has_headline=False)


def paragraph_sentences(article: Article) -> list[list[str]]:
    """The sentences of each paragraph, in order (the headline is a paragraph too)."""
    return [split_sentences(paragraph) for paragraph in article.paragraphs]


# --------------------------------------------------------------------------------------------
# Sentence segmentation
# --------------------------------------------------------------------------------------------

_TERMINATORS = ".!?…"
#: Characters that may close a sentence right after its final stop: quotes in either direction
#: (Kazakh texts use “…” „…“ “…“ and «…» interchangeably) and brackets.
_CLOSERS = "\"'«»“”„‘’‚‹›)]}"
#: Characters that may stand before the first letter of a sentence: quotes, brackets, dashes of
#: direct speech (``— Біздің ...``) and list bullets.
_OPENERS = "\"'«»“”„‘’‚‹›([{—–-‒―•*"

#: A stop candidate: a run of terminators, optional closers, then whitespace.
_CANDIDATE = re.compile(
    rf"[{re.escape(_TERMINATORS)}]+[{re.escape(_CLOSERS)}]*(?=\s)",
)
_OPENERS_OR_SPACE = rf"[\s{re.escape(_OPENERS)}]*"
_NEXT_SIGNIFICANT = re.compile(rf"{_OPENERS_OR_SPACE}([^\s{re.escape(_OPENERS)}])")
_NEXT_WORD = re.compile(rf"{_OPENERS_OR_SPACE}(\w+)")
_ENUMERATOR = re.compile(r"\d{1,3}|[IVXLC]{1,6}")
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


def sentence_spans(paragraph: str) -> list[Span]:
    """``(start, end)`` offsets of the sentences of ``paragraph``, in order.

    Spans never start or end with whitespace and never overlap; everything outside them is
    whitespace, so no character can be lost. A line break always ends a sentence.
    """
    spans: list[Span] = []
    for line in _LINE.finditer(paragraph):
        start = line.start()
        for cut in _line_cuts(line.group()):
            _add_span(paragraph, start, line.start() + cut, spans)
            start = line.start() + cut
        _add_span(paragraph, start, line.end(), spans)
    return spans


def split_sentences(paragraph: str) -> list[str]:
    """The sentences of ``paragraph`` (see :func:`sentence_spans`)."""
    return [paragraph[start:end] for start, end in sentence_spans(paragraph)]


def _add_span(text: str, start: int, end: int, spans: list[Span]) -> None:
    """Append ``text[start:end]`` without its outer whitespace, unless nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def _line_cuts(line: str) -> list[int]:
    """Offsets in ``line`` where one sentence ends and the next one may start."""
    stripped = line.lstrip()
    protected = 0
    dateline = _DATELINE.match(stripped)
    if dateline and (dateline["place"].isupper() or dateline["agency"].isupper()):
        end = len(line) - len(stripped) + dateline.end()
        news = _next_significant_char(line, end)
        if news is not None and not news.islower():
            protected = end
    return [
        match.end()
        for match in _CANDIDATE.finditer(line)
        if match.end() > protected and _ends_sentence(line, match.start(), match.end())
    ]


def _ends_sentence(line: str, stop_start: int, stop_end: int) -> bool:
    """Whether the stop ``line[stop_start:stop_end]`` (terminators + closers) ends a sentence."""
    next_char = _next_significant_char(line, stop_end)
    if next_char is None or next_char.islower():
        # A sentence never starts in lower case: "«Неге?» деп сұрады", "...", — деді ол".
        return False
    word = _word_before(line, stop_start)
    if not word:
        # A stop standing apart from the words ("ол ... келді") marks a pause, not an end.
        return False
    if _is_enumerator(line, stop_start - len(word), word):
        return False
    stop = line[stop_start:stop_end].rstrip(_CLOSERS)
    if "?" in stop or "!" in stop or stop.count(".") > 1 or "…" in stop:
        return True
    return not _is_abbreviation(word, line, stop_end, next_char)


def _next_significant_char(line: str, position: int) -> str | None:
    """The first character after ``position`` that is not whitespace, a quote or a dash."""
    match = _NEXT_SIGNIFICANT.match(line, position)
    return match.group(1) if match else None


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
    while start > 0 and (line[start - 1].isspace() or line[start - 1] in _CLOSERS):
        start -= 1
    return start == 0 or line[start - 1] in _TERMINATORS + ":;"


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


# --------------------------------------------------------------------------------------------
# Scoring a segmenter
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoundaryScore:
    """Precision, recall and F1 of predicted sentence boundaries against gold ones."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def internal_boundaries(spans: Sequence[Span]) -> set[int]:
    """Where sentences end inside a text: the end of every span but the last."""
    return {end for _, end in spans[:-1]}


def boundary_f1(
    predicted: Sequence[Sequence[Span]], gold: Sequence[Sequence[Span]]
) -> BoundaryScore:
    """Score predicted sentence spans against gold spans, one span list per document.

    Only internal boundaries count: the end of a text is a boundary for every segmenter.
    """
    tp = fp = fn = 0
    for predicted_spans, gold_spans in zip(predicted, gold, strict=True):
        found, expected = internal_boundaries(predicted_spans), internal_boundaries(gold_spans)
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
    return BoundaryScore(true_positives=tp, false_positives=fp, false_negatives=fn)


def join_lines(lines: Iterable[str]) -> tuple[str, list[Span]]:
    """Strip ``lines``, drop blank ones and join them with single spaces.

    Returns the text and the span of each line in it: with one sentence per line (as in
    NTREX), these are the gold sentence spans of the joined text.
    """
    text, spans = "", []
    for line in (line.strip() for line in lines):
        if line:
            if text:
                text += " "
            spans.append((len(text), len(text) + len(line)))
            text += line
    return text, spans


def line_documents(lines: Sequence[str], doc_ids: Sequence[str]) -> list[tuple[str, list[Span]]]:
    """Group line-aligned sentences into documents, drop each headline, join the bodies.

    ``doc_ids[i]`` names the document of ``lines[i]``; a document's first line is its headline.
    Returns ``(body, gold_spans)`` per document, in order (see :func:`join_lines`).
    """
    documents: dict[str, list[str]] = {}
    for line, doc_id in zip(lines, doc_ids, strict=True):
        documents.setdefault(doc_id, []).append(line)
    return [join_lines(doc_lines[1:]) for doc_lines in documents.values()]


def score_segmenter(
    documents: Sequence[tuple[str, Sequence[Span]]],
    segment: Callable[[str], Sequence[Span]] = sentence_spans,
) -> BoundaryScore:
    """Boundary precision/recall/F1 of ``segment`` on ``(text, gold_spans)`` documents."""
    return boundary_f1([segment(text) for text, _ in documents], [gold for _, gold in documents])


# --------------------------------------------------------------------------------------------
# Clause splitting
# --------------------------------------------------------------------------------------------

#: Cut points, strongest first: a stop or semicolon (after a word of two letters or more, so not
#: after an initial), then a colon or before a dash, then a comma, then any space. Each pattern's
#: only group is the whitespace gap the cut removes.
_CLOSERS_RUN = f"[{re.escape(_CLOSERS)}]*"
_CUT_TIERS: tuple[tuple[re.Pattern[str], ...], ...] = (
    (re.compile(rf"(?<=\w\w)[{re.escape(_TERMINATORS)};]+{_CLOSERS_RUN}(\s+)"),),
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


# --------------------------------------------------------------------------------------------
# Uzbek apostrophes
# --------------------------------------------------------------------------------------------

#: Everything typed in place of the Uzbek apostrophes ʻ (U+02BB) and ʼ (U+02BC).
UZBEK_APOSTROPHES = "'`‘’ʻʼ"
_OKINA = "\u02bb"  # ʻ in oʻ and gʻ
_TUTUQ = "\u02bc"  # ʼ, the glottal stop sign (tutuq belgisi) in maʼno, saʼnat
_APOSTROPHE = re.compile(f"[{UZBEK_APOSTROPHES}]")
_FOLD = str.maketrans({char: _TUTUQ for char in UZBEK_APOSTROPHES})


def normalize_uzbek(text: str) -> str:
    """Write Uzbek Latin apostrophes the official way: ``oʻ gʻ`` (U+02BB) and ``ʼ`` (U+02BC).

    Models and keyboards emit o', o‘, g` and the like; readers (and scorers) expect one
    spelling. An apostrophe after ``o``/``g`` becomes ʻ, one between other letters becomes ʼ.
    Quotes are left alone: an apostrophe that opens a word (``'muppets'``) opens a quotation, and
    one that ends a word closes it when a quotation is open, so ``'bog'`` stays quoted while a
    bare ``tog'`` becomes ``togʻ``.
    """
    chars = list(text)
    quote_open = False
    for match in _APOSTROPHE.finditer(text):
        i = match.start()
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
