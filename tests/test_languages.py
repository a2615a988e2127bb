import pytest

from service.errors import LanguageError
from service.languages import LANGUAGES, get_language, parse_languages


@pytest.mark.parametrize(
    ("code", "nllb", "m2m100"),
    [("kk", "kaz_Cyrl", "kk"), ("en", "eng_Latn", "en"), ("uz", "uzn_Latn", "uz")],
)
def test_registry_codes(code, nllb, m2m100):
    lang = LANGUAGES[code]
    assert (lang.nllb, lang.m2m100) == (nllb, m2m100)
    assert lang.model_code("nllb") == nllb
    assert lang.model_code("m2m100") == m2m100


@pytest.mark.parametrize("alias", ["uz", "UZ", "uzn_Latn", "Uzbek", " uzb "])
def test_aliases(alias):
    assert get_language(alias).code == "uz"


def test_unknown_language_is_a_clear_error():
    with pytest.raises(LanguageError) as info:
        get_language("fr")
    assert (
        str(info.value) == "unknown language 'fr'; supported: kk (Kazakh), en (English), uz (Uzbek)"
    )


def test_unknown_family():
    with pytest.raises(LanguageError, match="unknown model family"):
        LANGUAGES["en"].model_code("marian")


def test_parse_languages_keeps_order_and_drops_repeats():
    assert [lang.code for lang in parse_languages("uz, en,uz,,")] == ["uz", "en"]
    with pytest.raises(LanguageError, match="no language given"):
        parse_languages(" , ")
    with pytest.raises(LanguageError, match="unknown language 'de'"):
        parse_languages("en,de")
