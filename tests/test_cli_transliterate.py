"""``audarma transliterate``: line for line, nothing but the text; JSON; errors."""

from __future__ import annotations

import json

import pytest


def test_kazakh_to_latin_keeps_every_line(cli):
    text = "Қазақстан Республикасы\n\nЖаңа жыл, 2024!\r\nСоңы"
    code, out, err = cli("transliterate", "--to", "kk-Latn", stdin=text)
    assert (code, err) == (0, "")
    assert out == "Qazaqstan Respublikasy\n\nJaña jyl, 2024!\r\nSoñy"  # nothing added


def test_latin_kazakh_file_to_cyrillic(cli, tmp_path):
    path = tmp_path / "latin.txt"
    path.write_text("Qazaqstan Respýblıkasy\nÚkimet\n", encoding="utf-8")
    code, out, _ = cli("transliterate", path, "--to", "kk-Cyrl")
    assert (code, out) == (0, "Қазақстан Республикасы\nҮкімет\n")  # the 2018 alphabet, found
    code, out, _ = cli("transliterate", path, "--to", "kk-Cyrl", "--from", "kk-Latn-2021")
    assert out != "Қазақстан Республикасы\nҮкімет\n"  # read as 2021 it is something else


@pytest.mark.parametrize(
    ("to", "text", "converted"),
    [
        ("uz-Cyrl", "Oʻzbekiston, 15-sentabr\n", "Ўзбекистон, 15-сентябр\n"),
        ("uz-Latn", "Ўзбекистон, 15 сентябрь\n", "Oʻzbekiston, 15 sentabr\n"),
        ("kk-Latn-2018", "Шығыс\n", "Shyǵys\n"),
    ],
)
def test_other_directions(cli, to, text, converted):
    assert cli("transliterate", "--to", to, stdin=text) == (0, converted, "")


def test_json_names_the_source_script(cli, tmp_path):
    out_file = tmp_path / "out.json"
    code, out, _ = cli(
        "transliterate", "--to", "kk-Cyrl", "--format", "json", "--out", out_file,
        stdin="Qazaqstan Respýblıkasy",
    )  # fmt: skip
    assert (code, out) == (0, "")
    assert json.loads(out_file.read_text(encoding="utf-8")) == {
        "to": "kk-Cyrl",
        "from": "kk-Latn-2018",
        "text": "Қазақстан Республикасы",
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--to", "ru-Latn"], "unknown target script 'ru-Latn'; expected one of kk-Cyrl"),
        (["--to", "kk-Cyrl", "--from", "uz-Latn"], "cannot convert uz-Latn to kk-Cyrl"),
    ],
)
def test_errors(cli, argv, message):
    code, out, err = cli("transliterate", *argv, stdin="Сәлем")
    assert (code, out) == (2, "")
    assert err.startswith(f"audarma: error: {message}") and err.count("\n") == 1
    assert cli("transliterate", "--to", "kk-Latn", stdin="") == (
        2,
        "",
        "audarma: error: the article is empty\n",
    )
