"""Tests for service.text: article parsing, Kazakh sentence segmentation, clause splitting,
Uzbek apostrophes and the NTREX boundary score."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.errors import InputError
from service.text import (
    Article,
    BoundaryScore,
    boundary_f1,
    fold_uzbek_apostrophes,
    join_lines,
    join_pieces,
    line_documents,
    normalize_uzbek,
    paragraph_sentences,
    parse_article,
    score_segmenter,
    sentence_spans,
    split_clauses,
    split_sentences,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "kazinform-2025-10-17-kz-uz-healthcare.txt"
EVAL_SCRIPT = ROOT / "eval" / "segmentation_f1.py"
#: razdel's boundary F1 on the NTREX Kazakh bodies (with quote normalisation): the bar to meet.
RAZDEL_F1 = 0.977


def words(text: str) -> int:
    return len(text.split())


# --------------------------------------------------------------------------------------------
# parse_article
# --------------------------------------------------------------------------------------------


def test_parse_seed_article() -> None:
    article = parse_article(SEED.read_text(encoding="utf-8"))
    assert article.date == "2025-10-17"
    assert article.has_headline
    assert article.paragraphs[0] == (
        "Қазақстан мен Өзбекстан денсаулық сақтау саласындағы ынтымақтастықты тереңдете түседі"
    )
    assert len(article.paragraphs) == 9
    assert article.paragraphs[1].startswith("ТАШКЕНТ. KAZINFORM — Бүгін")
    assert article.paragraphs[-1].endswith("меморандумға қол қойылды.")


def test_parse_date_line_with_leading_space_and_bom() -> None:
    text = "\ufeff  date 2025-10-17   Тақырып  \nБірінші абзац.\n"
    assert parse_article(text) == Article("2025-10-17", ["Тақырып", "Бірінші абзац."], True)


def test_parse_without_date_line() -> None:
    text = "Бірінші абзац.\nЕкінші абзац."
    assert parse_article(text) == Article(None, ["Бірінші абзац.", "Екінші абзац."], False)


def test_parse_crlf_and_blank_lines_between_paragraphs() -> None:
    text = "date 2025-01-02 Тақырып\r\n\r\n  Бір.  \r\n\r\n\r\nЕкі.\r\n   \r\nҮш.\r\n"
    article = parse_article(text)
    assert article == Article("2025-01-02", ["Тақырып", "Бір.", "Екі.", "Үш."], True)


def test_parse_date_line_without_headline() -> None:
    assert parse_article("date 2025-10-17\nМәтін.") == Article("2025-10-17", ["Мәтін."], False)


def test_parse_line_that_only_looks_like_a_date_line_is_a_paragraph() -> None:
    text = "dates 2025-10-17 are here\nМәтін."
    assert parse_article(text).paragraphs == ["dates 2025-10-17 are here", "Мәтін."]
    assert parse_article(text).date is None


@pytest.mark.parametrize("text", ["", "   ", "\n\n", " \r\n\t\r\n", "\ufeff"])
def test_parse_empty_article(text: str) -> None:
    with pytest.raises(InputError, match="^the article is empty$"):
        parse_article(text)


def test_parse_date_line_alone_is_an_error() -> None:
    with pytest.raises(InputError, match="date line but no text"):
        parse_article("date 2025-10-17\n\n")


def test_parse_impossible_date_is_an_error() -> None:
    with pytest.raises(InputError, match="impossible date: 2025-13-40"):
        parse_article("date 2025-13-40 Тақырып\nМәтін.")


def test_paragraph_sentences() -> None:
    article = parse_article("date 2025-10-17 Тақырып\nБір. Екі!\nҮш?")
    assert paragraph_sentences(article) == [["Тақырып"], ["Бір.", "Екі!"], ["Үш?"]]


# --------------------------------------------------------------------------------------------
# Sentence segmentation: the seed article
# --------------------------------------------------------------------------------------------

SEED_SENTENCES = [
    ["Қазақстан мен Өзбекстан денсаулық сақтау саласындағы ынтымақтастықты тереңдете түседі"],
    [
        "ТАШКЕНТ. KAZINFORM — Бүгін Ташкентте «Қазақстан — Өзбекстан: Денсаулық сақтау, технология"
        " және кадр саласындағы ынтымақтастық» халықаралық форумы өтті, деп хабарлайды Kazinform"
        " агенттігінің меншікті тілшісі."
    ],
    [
        "Аталған іс-шара Өзбекстанда өткен Қазақстанның медицина күндерін қорытындылауға арналды.",
        "Оған екі елдің денсаулық сақтау министрлері, дипломаттар, Дүниежүзілік денсаулық сақтау"
        " ұйымының Өзбекстандағы өкілдері қатысты.",
    ],
    [
        "— Біздің елдеріміз денсаулық сақтау саласын дамыту үшін тың технологияларды енгізіп"
        " жатыр.",
        "Қазақстан мен Өзбекстан цифрлық трансформация және инновациялық шешімдер арқылы маңызды"
        " мәселелерді шешіп келеді.",
        "Біз қос мемлекет арасындағы ынтымақтастық өңірдегі денсаулық сақтау саласының жаңа жүйесін"
        " құруға серпін беретініне сенімдіміз, — деді форумда сөз сөйлеген ҚР Денсаулық сақтау"
        " министрі Ақмарал Әлназарова.",
    ],
    [
        "Өзбекстандағы Қазақстанның медицина күндері аясында 100-ге жуық отандық білікті маман"
        " Ташкент, Ферғана, Самарқанд, Бұхарада және Қарақалпақстанның Нүкіс қаласында болып,"
        " тәжірибе алмасты, оталар жасады."
    ],
    [
        "5 күнге жалғасқан іс-шара барысында дәрігерлер 3 мыңға жуық өзбекстандыққа медициналық"
        " кеңес берді.",
        "Сонымен қатар, көрші елдің белді орталықтарында жасалған 60-тан астам күрделі отаға"
        " қатысып, көмек көрсетті.",
    ],
    [
        "— Өзбекстанда осындай ауқымды іс-шараны өткізу өте маңызды бастама болды.",
        "Оның аясында біз өзара іс-қимылды пысықтап, озық жобаларды бірлесіп ілгерілету мүмкіндігін"
        " қарастырдық, — деп мәлім етті Өзбекстанның Денсаулық сақтау министрі Асилбек Худаяров.",
    ],
    [
        "Форум барысында белгілі болғандай, бүгінде Қазақстанның медициналық жоғары оқу орындарында"
        " Өзбекстанның 700-ге жуық азаматы білім алып жатыр.",
        "Ал Ташкентте 100-ден астам қазақстандық оқиды.",
    ],
    [
        "Іс-шараның қорытындысы бойынша Қазақстан мен Өзбекстанның ғылыми орталықтары, жетекші"
        " клиникалары, медициналық университеттері арасында ынтымақтастық туралы 30-ға жуық"
        " меморандумға қол қойылды."
    ],
]


def test_seed_article_segmentation() -> None:
    article = parse_article(SEED.read_text(encoding="utf-8"))
    assert paragraph_sentences(article) == SEED_SENTENCES


# --------------------------------------------------------------------------------------------
# Sentence segmentation: one rule at a time
# --------------------------------------------------------------------------------------------

SEGMENTATION_CASES = {
    "dateline": (
        "ТАШКЕНТ. KAZINFORM — Бүгін форум өтті. Оған министрлер қатысты.",
        ["ТАШКЕНТ. KAZINFORM — Бүгін форум өтті.", "Оған министрлер қатысты."],
    ),
    "dateline with a date and a hyphenated place": (
        "НҰР-СҰЛТАН. 17 қазан. ҚазАқпарат – Бүгін форум өтті. Ол аяқталды.",
        ["НҰР-СҰЛТАН. 17 қазан. ҚазАқпарат – Бүгін форум өтті.", "Ол аяқталды."],
    ),
    "dateline only at the start": (
        "Біз келдік. ҚР — біздің отанымыз.",
        ["Біз келдік.", "ҚР — біздің отанымыз."],
    ),
    "initials without a space": (
        "ҚР Президенті Қ.Тоқаев сөз сөйледі. Ол риза.",
        ["ҚР Президенті Қ.Тоқаев сөз сөйледі.", "Ол риза."],
    ),
    "initials with a space": (
        "Министр А. Әлназарова келді. Н.Ә. Назарбаев та келді.",
        ["Министр А. Әлназарова келді.", "Н.Ә. Назарбаев та келді."],
    ),
    "hyphenated initials": (
        "Президент Қ.-Ж. Тоқаев келді. Ол сөйледі.",
        ["Президент Қ.-Ж. Тоқаев келді.", "Ол сөйледі."],
    ),
    "list numbers open their item": (
        "Жоспар: 1. Жол салу. 2. Көпір салу. II. Қорытынды.",
        ["Жоспар: 1. Жол салу.", "2. Көпір салу.", "II. Қорытынды."],
    ),
    "year abbreviations": (
        "1991 ж. Қазақстан тәуелсіздік алды. 1990-1991 жж. Кеңес Одағы ыдырады.",
        ["1991 ж. Қазақстан тәуелсіздік алды.", "1990-1991 жж. Кеңес Одағы ыдырады."],
    ),
    "year abbreviation before a lower-case word": (
        "Ол 2020 ж. желтоқсанда келді.",
        ["Ол 2020 ж. желтоқсанда келді."],
    ),
    "etc. inside and at the end of a sentence": (
        "Алма, алмұрт т.б. жемістер пісті. Ит, мысық т.с.с. Бұлар үй жануарлары. Т.с. келді.",
        [
            "Алма, алмұрт т.б. жемістер пісті.",
            "Ит, мысық т.с.с.",
            "Бұлар үй жануарлары.",
            "Т.с. келді.",
        ],
    ),
    "million and billion": (
        "Бюджет 5 млн. теңге. Шығын 3 млрд. Бұл көп. Құны 5 млн. АҚШ доллары. Ол 2 мың. адам.",
        [
            "Бюджет 5 млн. теңге.",
            "Шығын 3 млрд.",
            "Бұл көп.",
            "Құны 5 млн. АҚШ доллары.",
            "Ол 2 мың. адам.",
        ],
    ),
    "units and BC": (
        "Б.з.б. 5 ғасырда салынған. Бойы 180 см. Ұзындығы 100 км. Салмағы 3 т. Ол ауыр.",
        [
            "Б.з.б. 5 ғасырда салынған.",
            "Бойы 180 см.",
            "Ұзындығы 100 км.",
            "Салмағы 3 т.",
            "Ол ауыр.",
        ],
    ),
    "titles": (
        "Проф. Иванов, акад. Петров және доц. Сидоров келді. Ол Ph.D. дәрежесін алды.",
        ["Проф. Иванов, акад. Петров және доц. Сидоров келді.", "Ол Ph.D. дәрежесін алды."],
    ),
    "Latin abbreviations": (
        "U.S. Army келді. Ол Ph.D. Бұл жақсы.",
        ["U.S. Army келді.", "Ол Ph.D.", "Бұл жақсы."],
    ),
    "guillemets with a question inside": (
        "«Неге?» деп сұрады ол. «Бәрі жақсы!» Ол кетті.",
        ["«Неге?» деп сұрады ол.", "«Бәрі жақсы!»", "Ол кетті."],
    ),
    "curly quotes closing after the stop": (
        "“Бүгін оның екеуі де жоқ.” Оның айтуынша, жақсы.",
        ["“Бүгін оның екеуі де жоқ.”", "Оның айтуынша, жақсы."],
    ),
    "the same curly quote opens and closes": (
        "“Бүгін оның екеуі де жоқ.“ Оның айтуынша, “ашық“ болды.",
        ["“Бүгін оның екеуі де жоқ.“", "Оның айтуынша, “ашық“ болды."],
    ),
    "low and single quotes": (
        "Ол „жақсы“ деді. „Біз келдік.“ ‘Иә.’ Енді.",
        ["Ол „жақсы“ деді.", "„Біз келдік.“", "‘Иә.’", "Енді."],
    ),
    "dash speech: a comma before the attribution is no boundary": (
        "— Біз дайынбыз. Бәрі жақсы, — деді министр. Ол кетті.",
        ["— Біз дайынбыз.", "Бәрі жақсы, — деді министр.", "Ол кетті."],
    ),
    "dash speech: a stop before the attribution is no boundary either": (
        "Біз дайынбыз! — деді министр. — Жарайды, — деді ол.",
        ["Біз дайынбыз! — деді министр.", "— Жарайды, — деді ол."],
    ),
    "quoted speech with an en dash attribution": (
        "“Қайда барасың?” – деп сұрады ол. “Үйге.” Ол кетті.",
        ["“Қайда барасың?” – деп сұрады ол.", "“Үйге.”", "Ол кетті."],
    ),
    "a sentence starting with a digit": (
        "Іс-шара аяқталды. 5 күнге жалғасқан жиын өтті.",
        ["Іс-шара аяқталды.", "5 күнге жалғасқан жиын өтті."],
    ),
    "decimals and thousands": (
        "Баға 3.5 пайызға өсті. Халық саны 1.000 адамға жетті. Үлесі 2,5 пайыз.",
        ["Баға 3.5 пайызға өсті.", "Халық саны 1.000 адамға жетті.", "Үлесі 2,5 пайыз."],
    ),
    "a sentence ending with a number": (
        "Жеңімпаздар саны – 500. Бұл рекорд.",
        ["Жеңімпаздар саны – 500.", "Бұл рекорд."],
    ),
    "ellipsis": (
        "Ол келді... Біз күттік… Бірақ ол кетті... және қайтты. Сосын ... Біз.",
        ["Ол келді...", "Біз күттік…", "Бірақ ол кетті... және қайтты.", "Сосын ... Біз."],
    ),
    "urls and e-mails": (
        "Толығырақ: https://kazinform.kz/news/a.html?id=5. Хат: info@kazinform.kz. Рахмет!",
        ["Толығырақ: https://kazinform.kz/news/a.html?id=5.", "Хат: info@kazinform.kz.", "Рахмет!"],
    ),
    "question and exclamation marks": (
        "Сіз келесіз бе? Иә! Әрине?! Жақсы.",
        ["Сіз келесіз бе?", "Иә!", "Әрине?!", "Жақсы."],
    ),
    "a stop followed by a lower-case word is no boundary": (
        "Ол т.б. сияқты. келді де кетті.",
        ["Ол т.б. сияқты. келді де кетті."],
    ),
    "brackets after the stop": (
        "Ол келді (кеше.) Біз де (бүгін).",
        ["Ол келді (кеше.)", "Біз де (бүгін)."],
    ),
    "a line break ends a sentence": (
        "Тақырып\nБір. Екі.\r\nҮш",
        ["Тақырып", "Бір.", "Екі.", "Үш"],
    ),
    "no stop without a space after it": (
        "Ол келді.Біз кеттік. «Иә.»Жоқ.",
        ["Ол келді.Біз кеттік.", "«Иә.»Жоқ."],
    ),
    "outer whitespace is not part of a sentence": (
        "   Бір.    Екі.   ",
        ["Бір.", "Екі."],
    ),
}


@pytest.mark.parametrize(
    ("text", "expected"), SEGMENTATION_CASES.values(), ids=list(SEGMENTATION_CASES)
)
def test_segmentation_rules(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize("text", ["", " ", "\n\t \r\n", "\u3000\xa0"])
def test_empty_text_has_no_sentences(text: str) -> None:
    assert sentence_spans(text) == []


def test_sentence_spans_are_offsets() -> None:
    assert sentence_spans("  Бір. Екі!  ") == [(2, 6), (7, 11)]


SEGMENTER_ALPHABET = st.sampled_from(
    list("аАқҚ zZ5.!?…,;:-—–«»“”„‘’'\"()[] \t\n\r\xa0\u2028\u3000") + ["т.б.", "ж.", "Қ.", "..."]
)


def _check_spans(text: str) -> None:
    spans = sentence_spans(text)
    position = 0
    for start, end in spans:
        assert position <= start < end <= len(text)
        assert text[position:start].strip() == ""
        assert not text[start].isspace() and not text[end - 1].isspace()
        position = end
    assert text[position:].strip() == ""
    assert split_sentences(text) == [text[start:end] for start, end in spans]


@settings(max_examples=300, deadline=None)
@given(st.lists(SEGMENTER_ALPHABET, max_size=60).map("".join))
def test_spans_lose_no_character_on_punctuation_soup(text: str) -> None:
    _check_spans(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_spans_lose_no_character_on_any_text(text: str) -> None:
    _check_spans(text)


# --------------------------------------------------------------------------------------------
# split_clauses and join_pieces
# --------------------------------------------------------------------------------------------

LONG_SENTENCE = SEED_SENTENCES[3][2]


def _rebuild(sentence: str, pieces: list[str]) -> None:
    """Assert that ``pieces`` are consecutive substrings of ``sentence`` with only whitespace
    between them."""
    rest = sentence.strip()
    for piece in pieces:
        assert piece and piece == piece.strip()
        assert rest.startswith(piece)
        rest = rest[len(piece) :].lstrip()
    assert rest == ""


def test_split_clauses_sentence_that_fits_is_not_split() -> None:
    assert split_clauses(LONG_SENTENCE, 40, words) == [LONG_SENTENCE]
    assert split_clauses(" Бір екі. ", 2, words) == [" Бір екі. "]


def test_split_clauses_prefers_the_clause_boundary() -> None:
    pieces = split_clauses(LONG_SENTENCE, 20, words)
    assert pieces == [
        "Біз қос мемлекет арасындағы ынтымақтастық өңірдегі денсаулық сақтау саласының жаңа жүйесін"
        " құруға серпін беретініне сенімдіміз,",
        "— деді форумда сөз сөйлеген ҚР Денсаулық сақтау министрі Ақмарал Әлназарова.",
    ]
    assert " ".join(pieces) == LONG_SENTENCE


def test_split_clauses_balances_pieces_within_budget() -> None:
    pieces = split_clauses(LONG_SENTENCE, 12, words)
    assert pieces == [
        "Біз қос мемлекет арасындағы ынтымақтастық өңірдегі денсаулық",
        "сақтау саласының жаңа жүйесін құруға серпін беретініне сенімдіміз,",
        "— деді форумда сөз сөйлеген ҚР Денсаулық сақтау министрі Ақмарал Әлназарова.",
    ]
    assert all(words(piece) <= 12 for piece in pieces)
    assert " ".join(pieces) == LONG_SENTENCE


@pytest.mark.parametrize(
    ("sentence", "budget", "pieces"),
    [
        # A semicolon beats a comma even when the comma would be as good a cut.
        ("Бір екі үш; төрт бес алты, жеті сегіз", 5, ["Бір екі үш;", "төрт бес алты, жеті сегіз"]),
        # Colon and dash are one tier: the more balanced cut wins; the dash opens its piece.
        (
            "Бір екі үш: төрт бес алты — жеті сегіз",
            6,
            ["Бір екі үш: төрт бес алты", "— жеті сегіз"],
        ),
        # A dash cut would need a third piece; a comma cut that fits in two wins.
        (
            "Бір екі үш – төрт, бес алты жеті сегіз",
            5,
            ["Бір екі үш – төрт,", "бес алты жеті сегіз"],
        ),
        # No cut fits in two pieces: recurse on the balanced clause cuts.
        (
            "Бір екі үш: төрт бес алты — жеті сегіз",
            5,
            ["Бір екі үш:", "төрт бес алты", "— жеті сегіз"],
        ),
    ],
)
def test_split_clauses_punctuation_tiers(sentence: str, budget: int, pieces: list[str]) -> None:
    assert split_clauses(sentence, budget, words) == pieces
    assert " ".join(pieces) == sentence


def test_split_clauses_collapses_whitespace_at_cuts_only() -> None:
    sentence = "Бір  екі,\t\tүш   төрт"
    assert split_clauses(sentence, 2, words) == ["Бір  екі,", "үш   төрт"]


def test_split_clauses_without_punctuation_falls_back_to_spaces() -> None:
    sentence = "бір екі үш төрт бес алты жеті сегіз тоғыз он"
    pieces = split_clauses(sentence, 3, words)
    assert pieces == ["бір екі үш", "төрт бес", "алты жеті", "сегіз тоғыз он"]
    assert " ".join(pieces) == sentence


def test_split_clauses_without_spaces_cuts_characters() -> None:
    assert split_clauses("абвгдежзик", 3, len) == ["аб", "вгд", "еж", "зик"]


def test_split_clauses_returns_a_single_character_that_cannot_fit() -> None:
    assert split_clauses("аб", 1, lambda text: 5) == ["а", "б"]


def test_split_clauses_rejects_a_non_positive_budget() -> None:
    with pytest.raises(ValueError, match="max_tokens"):
        split_clauses("бір", 0, words)


def test_split_clauses_calls_the_tokenizer_sparingly() -> None:
    calls = 0

    def counting(text: str) -> int:
        nonlocal calls
        calls += 1
        return words(text)

    pieces = split_clauses(" ".join(["сөз"] * 2000), 50, counting)
    assert all(words(piece) <= 50 for piece in pieces)
    assert calls < 2000


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("аб қ,;:—–.- \t\n")), max_size=80),
    st.integers(min_value=1, max_value=6),
    st.sampled_from([words, len]),
)
def test_split_clauses_properties(sentence: str, budget: int, count) -> None:
    pieces = split_clauses(sentence, budget, count)
    if count(sentence) <= budget or not sentence.strip():
        assert pieces == [sentence]
        return
    _rebuild(sentence, pieces)
    assert all(count(piece) <= budget or len(piece) == 1 for piece in pieces)
    if count is words:
        # Cuts are only made at whitespace, so joining with spaces restores the sentence.
        assert " ".join(pieces).split() == sentence.split()


@pytest.mark.parametrize(
    ("pieces", "joined"),
    [
        (["We believe,", "said the minister."], "We believe, said the minister."),
        ([" Biz ", "", "  ", "ishonamiz. "], "Biz ishonamiz."),
        (["one  two", "three\nfour"], "one two three four"),
        ([], ""),
    ],
)
def test_join_pieces(pieces: list[str], joined: str) -> None:
    assert join_pieces(pieces) == joined


# --------------------------------------------------------------------------------------------
# Uzbek apostrophes
# --------------------------------------------------------------------------------------------

OKINA, TUTUQ = "\u02bb", "\u02bc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("O'zbekiston", f"O{OKINA}zbekiston"),
        ("o‘zbek g‘alaba", f"o{OKINA}zbek g{OKINA}alaba"),
        ("G`ulom o’qidi", f"G{OKINA}ulom o{OKINA}qidi"),
        (f"bo{TUTUQ}lgan", f"bo{OKINA}lgan"),
        (f"O{OKINA}zbekiston", f"O{OKINA}zbekiston"),
        ("a'lo ma'no san'at", f"a{TUTUQ}lo ma{TUTUQ}no san{TUTUQ}at"),
        ("e‘lon", f"e{TUTUQ}lon"),
        ("Tog' va bog'.", f"Tog{OKINA} va bog{OKINA}."),
        ("'muppets' deb", "'muppets' deb"),
        ("‘Muppet’ so'zi", f"‘Muppet’ so{OKINA}zi"),
        ("“O'zbekiston” gazetasi", f"“O{OKINA}zbekiston” gazetasi"),
        ("'bog' deb", "'bog' deb"),
        ("Salom, dunyo!", "Salom, dunyo!"),
        ("", ""),
    ],
)
def test_normalize_uzbek(text: str, expected: str) -> None:
    assert normalize_uzbek(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("oOgGab '`‘’ʻʼ.“”")), max_size=40))
def test_normalize_uzbek_only_touches_apostrophes(text: str) -> None:
    normalized = normalize_uzbek(text)
    assert len(normalized) == len(text)
    for before, after in zip(text, normalized, strict=True):
        assert before == after or (before in "'`‘’ʻʼ" and after in (OKINA, TUTUQ))
    assert fold_uzbek_apostrophes(normalized) == fold_uzbek_apostrophes(text)
    assert normalize_uzbek(normalized) == normalized


def test_fold_uzbek_apostrophes() -> None:
    variants = ["O'zbekiston", "O`zbekiston", "O‘zbekiston", "O’zbekiston", "Oʻzbekiston"]
    assert {fold_uzbek_apostrophes(v) for v in variants} == {f"O{TUTUQ}zbekiston"}
    assert fold_uzbek_apostrophes("ma'no, 'gap'") == f"ma{TUTUQ}no, {TUTUQ}gap{TUTUQ}"
    assert fold_uzbek_apostrophes("Salom “dunyo”") == "Salom “dunyo”"


# --------------------------------------------------------------------------------------------
# Boundary scoring and NTREX
# --------------------------------------------------------------------------------------------


def test_join_lines() -> None:
    assert join_lines([" Бір. ", "", "Екі?\r"]) == ("Бір. Екі?", [(0, 4), (5, 9)])
    assert join_lines([]) == ("", [])


def test_line_documents_drop_headlines() -> None:
    lines = ["H1", "a.", "b.", "H2", "c."]
    ids = ["d1", "d1", "d1", "d2", "d2"]
    assert line_documents(lines, ids) == [("a. b.", [(0, 2), (3, 5)]), ("c.", [(0, 2)])]


def test_boundary_f1_counts_internal_boundaries_only() -> None:
    gold = [[(0, 2), (3, 5), (6, 8)], [(0, 4)]]
    predicted = [[(0, 5), (6, 8)], [(0, 1), (2, 4)]]
    score = boundary_f1(predicted, gold)
    assert score == BoundaryScore(true_positives=1, false_positives=1, false_negatives=1)
    assert (score.precision, score.recall, score.f1) == (0.5, 0.5, 0.5)


def test_boundary_f1_of_nothing_to_find() -> None:
    assert boundary_f1([[(0, 3)]], [[(0, 3)]]).f1 == 1.0


def _load_eval_script():
    """The eval script as a module, so the test scores exactly what it reports."""
    spec = importlib.util.spec_from_file_location("segmentation_f1", EVAL_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def evaluation():
    return _load_eval_script()


@pytest.fixture(scope="module")
def ntrex_documents(evaluation) -> list:
    return evaluation.load_documents()


def test_ntrex_boundary_f1_beats_razdel(ntrex_documents: list) -> None:
    assert len(ntrex_documents) == 62
    assert sum(len(gold) - 1 for _, gold in ntrex_documents) == 864
    score = score_segmenter(ntrex_documents)
    assert score.f1 >= RAZDEL_F1, score


def test_ntrex_boundary_f1_against_razdel_itself(evaluation, ntrex_documents: list) -> None:
    pytest.importorskip("razdel")
    ours = score_segmenter(ntrex_documents)
    theirs = score_segmenter(ntrex_documents, evaluation.razdel_spans)
    assert theirs.f1 == pytest.approx(RAZDEL_F1, abs=0.001)
    assert ours.f1 >= theirs.f1


def test_eval_script_prints_scores(evaluation, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluation.main([]) == 0
    out = capsys.readouterr().out
    assert "62 documents, 864 gold boundaries" in out
    assert out.splitlines()[1].startswith("audarma  P=")
