import pytest

from service.errors import LanguageError
from service.languages import (
    KNOWN_LANGUAGES,
    LANGUAGES,
    SOURCES,
    TARGETS,
    get_language,
    get_source,
    language_name,
    lookup_language,
    parse_languages,
)


@pytest.mark.parametrize(
    ("code", "nllb", "m2m100"),
    [("kk", "kaz_Cyrl", "kk"), ("ru", "rus_Cyrl", "ru"), ("en", "eng_Latn", "en"),
     ("uz", "uzn_Latn", "uz")],
)  # fmt: skip
def test_registry_codes(code, nllb, m2m100):
    lang = get_language(code)
    assert (lang.nllb, lang.m2m100) == (nllb, m2m100)
    assert lang.model_code("nllb") == nllb
    assert lang.model_code("m2m100") == m2m100


def test_sources_and_targets():
    assert list(SOURCES) == ["kk", "ru"]
    assert list(TARGETS) == ["en", "uz", "uz-Cyrl"]
    assert SOURCES["kk"].input_scripts == ("Latn",) and SOURCES["kk"].script == "Cyrl"
    assert {code: lang.script for code, lang in TARGETS.items()} == {
        "en": "Latn",
        "uz": "Latn",
        "uz-Cyrl": "Cyrl",
    }


def test_the_model_languages_of_the_default_direction():
    """What the engines build their language tags and target-script shortlists from."""
    assert list(LANGUAGES) == ["kk", "en", "uz"]
    assert {lang.script for code, lang in LANGUAGES.items() if code != "kk"} == {"Latn"}


def test_uzbek_cyrillic_is_derived_from_uzbek():
    cyrillic = get_language("uz-Cyrl")
    assert cyrillic.derived_from == "uz" and cyrillic.decoded is get_language("uz")
    assert get_language("uz").decoded is get_language("uz")
    with pytest.raises(LanguageError, match="a model decodes uz, not uz-Cyrl"):
        cyrillic.model_code("nllb")


@pytest.mark.parametrize(
    ("alias", "code"),
    [("uz", "uz"), ("UZ", "uz"), ("uzn_Latn", "uz"), ("Uzbek", "uz"), (" uzb ", "uz"),
     ("uz-cyrl", "uz-Cyrl"), ("uzn_Cyrl", "uz-Cyrl"), ("Russian", "ru"), ("rus_Cyrl", "ru")],
)  # fmt: skip
def test_aliases(alias, code):
    assert get_language(alias).code == code


def test_unknown_language_is_a_clear_error():
    with pytest.raises(LanguageError) as info:
        get_language("fr")
    assert str(info.value) == (
        "unknown language 'fr'; supported: kk (Kazakh), ru (Russian), en (English), uz (Uzbek),"
        " uz-Cyrl (Uzbek in Cyrillic)"
    )


@pytest.mark.parametrize(("code", "name"), [("ky", "Kyrgyz"), ("kir", "Kyrgyz"), ("tt", "Tatar")])
def test_recognised_neighbours_are_refused_by_name(code, name):
    lang = lookup_language(code)
    assert lang is not None and lang.name == name and not lang.translatable
    assert language_name(code) == name
    with pytest.raises(LanguageError, match=rf"^{name} \(\w+\) is not a language Audarma"):
        get_language(code)
    with pytest.raises(LanguageError, match="is not a language Audarma translates"):
        lang.model_code("nllb")


def test_language_names():
    assert language_name("kk") == "Kazakh" and language_name("uz-Cyrl") == "Uzbek in Cyrillic"
    assert language_name("xx") == "xx"
    assert lookup_language("xx") is None
    assert all(lang.code == code for code, lang in KNOWN_LANGUAGES.items())


def test_only_sources_are_sources():
    assert get_source("RU").code == "ru"
    with pytest.raises(LanguageError, match=r"written in kk \(Kazakh\), ru \(Russian\); not Eng"):
        get_source("en")


def test_unknown_family():
    with pytest.raises(LanguageError, match="unknown model family"):
        LANGUAGES["en"].model_code("marian")


def test_parse_languages_keeps_order_and_drops_repeats():
    assert [lang.code for lang in parse_languages("uz, en,uz,,uz-Cyrl")] == ["uz", "en", "uz-Cyrl"]
    with pytest.raises(LanguageError, match="no language given"):
        parse_languages(" , ")
    with pytest.raises(LanguageError, match="unknown language 'de'"):
        parse_languages("en,de")
