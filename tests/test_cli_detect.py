"""``audarma detect``: one article or a batch, text and JSON, errors."""

from __future__ import annotations

import json

from tests.data import NTREX, SEED_PATH

KYRGYZ = "Кыргыз Республикасынын Президенти бүгүн Бишкекте өкмөттүн жыйынында сүйлөдү."
RUSSIAN = "Президент России Владимир Путин провёл переговоры с коллегой из Казахстана."


def test_detect_json_is_one_line(cli):
    code, out, err = cli("detect", SEED_PATH, "--format", "json")
    assert (code, err) == (0, "")
    assert out.count("\n") == 1
    found = json.loads(out)
    assert list(found) == ["language", "script", "confidence"]
    assert (found["language"], found["script"]) == ("kk", "Cyrl") and found["confidence"] > 0.99


def test_detect_text_names_the_language(cli):
    code, out, _ = cli("detect", stdin=KYRGYZ)
    assert code == 0
    assert out.startswith("ky (Kyrgyz), script Cyrl, confidence 0.99")


def test_detect_latin_kazakh(cli):
    code, out, _ = cli(
        "detect", "--format", "json", stdin="Qazaqstan Respublikasynyñ Prezidentı büngın söiledı."
    )
    assert code == 0
    assert json.loads(out)["language"] == "kk" and json.loads(out)["script"] == "Latn"


def test_detect_a_jsonl_batch_gives_one_line_per_record(cli, tmp_path):
    kazakh = (NTREX / "kaz.txt").read_text(encoding="utf-8").splitlines()[1]
    batch = tmp_path / "batch.jsonl"
    records = [
        {"id": "a1", "text": kazakh},
        {"id": 7, "text": RUSSIAN},
        {"text": KYRGYZ},
        {"id": "blank", "text": "  "},
    ]
    batch.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\nnot json\n",
        encoding="utf-8",
    )
    code, out, err = cli("detect", batch, "--format", "json")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(line["id"], line.get("language")) for line in lines] == [
        ("a1", "kk"),
        ("7", "ru"),
        ("line-3", "ky"),
        ("blank", None),
        ("line-5", None),
    ]
    assert lines[3]["error"] == "the article is empty"
    assert lines[4]["error"].endswith(':5: expected a JSON object with a "text" string')
    assert err == "audarma: warning: 2 record(s) could not be read\n"


def test_detect_a_folder_as_text(cli, tmp_path):
    (tmp_path / "b.txt").write_text(RUSSIAN, encoding="utf-8")
    (tmp_path / "a.txt").write_text(KYRGYZ, encoding="utf-8")
    code, out, _ = cli("detect", tmp_path)
    assert code == 0
    assert [line.split(",")[0] for line in out.splitlines()] == [
        "a: ky (Kyrgyz)",
        "b: ru (Russian)",
    ]


def test_detect_errors(cli, monkeypatch):
    assert cli("detect", stdin="") == (2, "", "audarma: error: the article is empty\n")
    monkeypatch.setenv("AUDARMA_MAX_CHARS", "10")
    code, _, err = cli("detect", stdin=RUSSIAN)
    assert code == 2 and err.startswith("audarma: error: the text has 75 characters; the limit")
