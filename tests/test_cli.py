"""``audarma segment`` and ``audarma translate``: output formats and errors."""

import json
import subprocess
import sys

import pytest

from service.text import paragraph_sentences, parse_article
from tests.data import ROOT, SEED_PATH, seed_text


def test_segment_text(cli):
    code, out, err = cli("segment", SEED_PATH)
    expected = paragraph_sentences(parse_article(seed_text()))
    assert code == 0 and err == ""
    assert out == "\n\n".join("\n".join(p) for p in expected) + "\n"


def test_segment_json_from_stdin(cli):
    code, out, _ = cli("segment", "--format", "json", stdin="А. Бір. Екі!\n\nҮш?")
    assert code == 0
    assert json.loads(out) == {"date": None, "paragraphs": [["А. Бір.", "Екі!"], ["Үш?"]]}


def test_segment_russian_with_razdel(cli):
    text = "См. рис. 1. Т. е. всё. Это конец."
    assert cli("segment", "--lang", "ru", stdin=text) == (
        0,
        "См. рис. 1.\nТ. е. всё.\nЭто конец.\n",
        "",
    )
    code, out, _ = cli("segment", stdin=text)
    assert code == 0 and out.splitlines()[0] == "См. рис."  # the Kazakh rules know no Russian


def test_translate_json(cli, fake_engine, tmp_path):
    out_file = tmp_path / "out.json"
    code, out, err = cli(
        "translate", SEED_PATH, "--to", "en,uz", "--format", "json", "--out", out_file
    )
    assert (code, out, err) == (0, "", "")
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert data["date"] == "2025-10-17"
    assert data["model"] == {"name": "fake-model", "engine": "fake", "shortlist": False}
    assert list(data["translations"]) == ["en", "uz"]
    paragraphs = data["translations"]["uz"]["paragraphs"]
    assert len(paragraphs) == 9 and set(paragraphs[0][0]) == {"source", "target", "flags"}


def test_translate_text_single_language(cli, fake_engine):
    code, out, _ = cli("translate", SEED_PATH, "--to", "en", "--no-cache")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 9 and lines[0].startswith("en: Qazaqstan men")


def test_translate_batch_jsonl_resumes(cli, fake_engine, tmp_path):
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "Бірінші мақала."}),
                json.dumps({"id": "b", "text": "   "}),
                "not json",
                json.dumps({"id": "c", "text": "Үшінші мақала."}),
            ]
        ),
        encoding="utf-8",
    )
    out_file = tmp_path / "out.jsonl"
    code, _, err = cli("translate", batch, "--to", "en", "--out", out_file)
    assert code == 2
    assert err.strip().endswith(
        "audarma: error: 2 of 4 articles failed (see their 'error' records)"
    )
    records = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["a", "b", "line-3", "c"]
    assert records[0]["translations"]["en"]["text"] == "en: Birinshi maqala."
    assert records[1] == {"id": "b", "error": "the article is empty"}
    assert "expected a JSON object" in records[2]["error"]

    # a rerun skips what finished and retries what failed
    fake_engine.calls.clear()
    code, _, _ = cli("translate", batch, "--to", "en", "--out", out_file)
    assert code == 2
    assert fake_engine.sentences_seen == []
    assert len(out_file.read_text(encoding="utf-8").splitlines()) == 6


def test_a_batch_resumes_only_with_the_same_identity(cli, fake_engine, tmp_path):
    """Another model, engine, target or decoding option into the same --out is refused with
    one line naming what differs; --restart starts over."""
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "\n".join(json.dumps({"id": str(i), "text": f"Мақала {i}."}) for i in range(3)),
        encoding="utf-8",
    )
    out_file = tmp_path / "out.jsonl"
    assert cli("translate", batch, "--to", "en", "--out", out_file)[0] == 0
    identity = json.loads((tmp_path / "out.jsonl.run.json").read_text(encoding="utf-8"))
    assert identity["targets"] == ["en"] and identity["decoding"]["beam"] == 4
    for flags, what in (
        (["--to", "uz"], "targets ['en'], now ['uz']"),
        (["--to", "en", "--beam", "2"], "decoding.beam 4, now 2"),
        (["--to", "en", "--model", "another/model"], "model.name"),
    ):
        code, _, err = cli("translate", batch, *flags, "--out", out_file)
        assert code == 2 and len(err.splitlines()) == 1
        assert f"holds a run with a different {what.split()[0]}" in err and what in err
        assert "rerun with --restart to start over" in err
    assert len(out_file.read_text(encoding="utf-8").splitlines()) == 3  # untouched
    fake_engine.calls.clear()
    assert cli("translate", batch, "--to", "uz", "--out", out_file, "--restart")[0] == 0
    records = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert [list(r["translations"]) for r in records] == [["uz"]] * 3
    assert len(fake_engine.sentences_seen) == 3


def test_a_batch_pools_its_articles_into_shared_batches(cli, fake_engine, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(20):
        (folder / f"{i:02}.txt").write_text(f"Мақала нөмірі {i}. Екінші сөйлем {i}.", "utf-8")
    code, out, _ = cli("translate", folder, "--to", "en,uz")
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == [f"{i:02}" for i in range(20)]
    # 16 articles (setting corpus_articles) x 2 sentences x 2 languages = 64 rows: 2 batches of
    # 32, then the last 4 articles' 16 rows: not one batch per article and language.
    assert [len(call) for call in fake_engine.calls] == [32, 32, 16]


def test_translate_folder(cli, fake_engine, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "one.txt").write_text("Бір.", encoding="utf-8")
    (folder / "two.txt").write_text("Екі.", encoding="utf-8")
    code, out, err = cli("translate", folder, "--to", "uz")
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["one", "two"]
    assert "articles" in err  # the progress bar


@pytest.mark.parametrize(
    ("argv", "content", "message"),
    [
        (["translate", "--to", "en"], b"", "audarma: error: the article is empty"),
        (["translate", "--to", "en"], b"\xff\xfe\x00bad", "is not UTF-8 text"),
        (["translate", "--to", "fr"], "Сәлем.".encode(), "unknown language 'fr'"),
        (["segment"], b"\xc3", "is not UTF-8 text"),
    ],
)
def test_bad_input_one_line_and_exit_2(cli, fake_engine, tmp_path, argv, content, message):
    path = tmp_path / "in.txt"
    path.write_bytes(content)
    code, out, err = cli(*argv, path)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


def test_missing_file(cli):
    code, _, err = cli("segment", "/no/such/file.txt")
    assert code == 2 and err == "audarma: error: no such file: /no/such/file.txt\n"


def test_installed_command_never_prints_a_traceback(tmp_path):
    """The real entry point, in a subprocess, with a model folder that does not exist."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.cli",
            "translate",
            str(SEED_PATH),
            "--model",
            str(tmp_path / "none"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"HF_HUB_OFFLINE": "1", "AUDARMA_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "audarma: error:" in result.stderr and "none" in result.stderr


def test_translate_seed_with_a_real_tiny_model(cli, tiny_nllb_dir):
    """The whole path on a real NLLB-architecture model: load, tokenise, generate, flags."""
    code, out, err = cli(
        "translate", SEED_PATH, "--model", tiny_nllb_dir, "--beam", "2", "--format", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["model"] == {"name": str(tiny_nllb_dir), "engine": "ctranslate2", "shortlist": True}
    expected = paragraph_sentences(parse_article(seed_text()))
    for code_ in ("en", "uz"):
        paragraphs = data["translations"][code_]["paragraphs"]
        assert [[p["source"] for p in para] for para in paragraphs] == expected
        flags = {f for para in paragraphs for p in para for f in p["flags"]}
        assert flags <= {"untranslated", "numbers", "length", "repetition", "truncated"}


# --------------------------------------------------------------------------------------------
# hostile input (issue #12)
# --------------------------------------------------------------------------------------------
def test_batch_line_with_unpaired_surrogate_does_not_abort_the_batch(cli, tiny_nllb_dir, tmp_path):
    """Item 1: a JSONL ``\\ud800`` is replaced with U+FFFD (and warned); later lines are written."""
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "\n".join(
            [
                '{"id": "a", "text": "Бүгін форум өтті."}',
                '{"id": "b\\udfff", "text": "\\ud800 Бүгін."}',
                '{"id": "c", "text": "Ертең жиын болады."}',
            ]
        ),
        encoding="utf-8",
    )
    out_file = tmp_path / "out.jsonl"
    code, _, err = cli(
        "translate", batch, "--to", "en", "--model", tiny_nllb_dir, "--beam", "1",
        "--out", out_file, "--no-cache",
    )  # fmt: skip
    assert code == 0, err
    records = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["a", "b\ufffd", "c"]
    assert records[1]["translations"]["en"]["paragraphs"][0][0]["source"] == "\ufffd Бүгін."
    assert any("U+FFFD" in w for w in records[1]["warnings"])
    assert not any("U+FFFD" in w for w in records[0]["warnings"])


def test_file_with_encoded_surrogates_is_translated_with_a_warning(cli, fake_engine, tmp_path):
    """Item 1: surrogate code points encoded in a file (CESU-8/WTF-8) follow the same rule."""
    path = tmp_path / "in.txt"
    path.write_bytes("\ud800 Бүгін.".encode("utf-8", "surrogatepass"))
    code, out, err = cli("translate", path, "--to", "en", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["translations"]["en"]["paragraphs"][0][0]["source"] == "\ufffd Бүгін."
    assert any("U+FFFD" in w for w in data["warnings"])
    code, out, _ = cli("segment", path)
    assert code == 0 and out == "\ufffd Бүгін.\n"


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--beam", "1000", "audarma: error: beam must be between 1 and 16, got 1000"),
        ("--beam", "0", "audarma: error: beam must be between 1 and 16, got 0"),
    ],
)
def test_out_of_range_flags_are_refused_before_loading(cli, tmp_path, flag, value, message):
    """Item 7: a model that does not exist is never reached; the flag's error comes first."""
    code, out, err = cli(
        "translate", SEED_PATH, "--to", "en", "--model", tmp_path / "missing", flag, value
    )
    assert code == 2 and out == ""
    assert err.startswith(message) and len(err.splitlines()) == 1


def test_transformers_folder_with_only_a_config_is_a_load_error(cli, tiny_m2m100_dir, tmp_path):
    """Item 7: config.json alone (its tokenizer class needs files) is one line, not TypeError."""
    folder = tmp_path / "only-config"
    folder.mkdir()
    (folder / "config.json").write_bytes((tiny_m2m100_dir / "config.json").read_bytes())
    code, out, err = cli(
        "translate", SEED_PATH, "--to", "en", "--model", folder, "--engine", "transformers"
    )
    assert code == 2 and out == "", err
    assert err.startswith(f"audarma: error: model '{folder}' ") and len(err.splitlines()) == 1
    assert "tokenizer" in err


def test_translate_source_languages_and_uzbek_in_cyrillic(cli, fake_engine, tmp_path):
    from tests.test_text_document import ntrex_document

    kyrgyz = tmp_path / "ky.txt"
    kyrgyz.write_text(ntrex_document("kir", 1), encoding="utf-8")
    code, out, err = cli("translate", kyrgyz, "--to", "en")
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert err.startswith("audarma: error: the text looks like Kyrgyz (ky, confidence")
    assert err.rstrip().endswith("say so with --source kk (or --source ru)")
    code, out, _ = cli("translate", kyrgyz, "--to", "en", "--source", "kk", "--format", "json")
    assert code == 0 and json.loads(out)["source_language"] == "kk"
    russian = tmp_path / "ru.txt"
    russian.write_text(ntrex_document("rus", 2), encoding="utf-8")
    code, out, _ = cli("translate", russian, "--to", "en,uz-Cyrl", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["source_language"] == "ru" and data["source_script"] == "Cyrl"
    assert list(data["translations"]) == ["en", "uz-Cyrl"]
    code, _, err = cli("translate", russian, "--to", "ru")
    assert code == 2 and "Russian (ru) is not a target language" in err
