import pytest

from service.checks import (
    FLAG_ORDER,
    check_pair,
    is_repetitive,
    max_repeat,
    missing_numbers,
    numbers_in,
)
from service.languages import LANGUAGES

KK, EN, UZ = LANGUAGES["kk"], LANGUAGES["en"], LANGUAGES["uz"]
SOURCE = "5 күнге жалғасқан іс-шара барысында дәрігерлер 3 мыңға жуық адамға кеңес берді."
GOOD = "During the 5-day event, doctors consulted nearly 3 thousand people."


def test_good_translation_has_no_flags():
    assert check_pair(SOURCE, GOOD, KK, EN) == []


def test_untranslated_copy_and_cyrillic_output():
    assert check_pair(SOURCE, SOURCE, KK, EN) == ["untranslated"]
    assert "untranslated" in check_pair(SOURCE, "Дәрігерлер 5 күн 3 мың кеңес берді.", KK, UZ)
    assert check_pair(SOURCE, "", KK, EN)[0] == "untranslated"


def test_numbers_flag_and_separator_normalisation():
    assert check_pair(
        SOURCE, "During the event, doctors consulted nearly 3 thousand people.", KK, EN
    ) == ["numbers"]
    assert numbers_in("1 000 адам, 2,5 млн") == {"1000", "25"}
    assert missing_numbers("1 000 адам", "1,000 people") == set()


def test_length_band():
    assert check_pair(SOURCE, "Doctors 5 3.", KK, EN) == ["length"]
    long = GOOD + " " + "They also helped in hospitals across the region every single day." * 2
    assert check_pair(SOURCE, long, KK, EN) == ["length"]
    assert check_pair("Иә 5.", "Yes 5.", KK, EN) == []  # short sources are never judged


def test_repetition_against_source():
    salad = "Doctors 5 doctors 3 the the the the consulted people in the days of the event."
    assert max_repeat(salad) == 4
    assert check_pair(SOURCE, salad, KK, EN) == ["repetition"]
    assert max_repeat("a b a b a b c") == 3
    assert not is_repetitive("иә иә иә", "yes yes yes")


def test_truncated_and_flag_order():
    flags = check_pair(SOURCE, SOURCE, KK, EN, truncated=True)
    assert flags == ["untranslated", "truncated"]
    assert list(FLAG_ORDER) == ["untranslated", "numbers", "length", "repetition", "truncated"]


@pytest.mark.parametrize("target", ["Uels parlamenti 2019-yilda.", "Welsh parliament in 2019."])
def test_latin_targets_are_not_untranslated(target):
    assert "untranslated" not in check_pair("Уэльс парламенті 2019 жылы.", target, KK, UZ)


def test_numbers_separated_by_spaces_stay_apart():
    assert numbers_in("5 3 and 12 345 and 7 1234") == {"5", "3", "12345", "7", "1234"}
