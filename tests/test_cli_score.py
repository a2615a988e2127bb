"""``audarma score``: the JSON contract, sacrebleu-identical numbers, one-line errors."""

from __future__ import annotations

import json

import pytest
from sacrebleu.metrics import BLEU, CHRF, TER

from service.text.files import read_lines
from tests.data import NTREX


@pytest.fixture
def files(tmp_path):
    """The first 100 NTREX lines: eng-US as hypotheses, eng-GB and eng-src as references."""
    out = {}
    for name in ("eng-US", "eng-GB", "eng-src", "uzb"):
        lines = read_lines(NTREX / f"{name}.txt")[:100]
        out[name] = tmp_path / f"{name}.txt"
        out[name].write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return out


def test_json_contract_and_sacrebleu_identity(cli, files):
    code, out, err = cli(
        "score", "--hyp", files["eng-US"], "--ref", files["eng-GB"], "--ref",
        files["eng-src"], "--lang", "en", "--format", "json", "--bootstrap", "100",
    )  # fmt: skip
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data) == ["segments", "language", "normalized", "metrics"]
    assert (data["segments"], data["language"], data["normalized"]) == (100, "en", False)
    assert list(data["metrics"]) == ["bleu", "chrf++", "ter", "rouge1", "rouge2", "rougeL"]
    hyps = read_lines(files["eng-US"])
    refs = [read_lines(files["eng-GB"]), read_lines(files["eng-src"])]
    for name, metric in {"bleu": BLEU(), "chrf++": CHRF(word_order=2), "ter": TER()}.items():
        entry = data["metrics"][name]
        assert entry["score"] == metric.corpus_score(hyps, refs).score
        assert entry["signature"].startswith("nrefs:2|bs:100|seed:12345|")
        assert entry["signature"].endswith("|version:2.6.0|uzapos:none")
        low, high = entry["ci95"]
        assert low <= entry["score"] <= high


def test_text_format_one_line_per_metric(cli, files):
    code, out, _ = cli(
        "score", "--hyp", files["eng-US"], "--ref", files["eng-GB"], "--lang", "en",
        "--metrics", "bleu,rougeL", "--bootstrap", "0",
    )  # fmt: skip
    hyps, refs = read_lines(files["eng-US"]), [read_lines(files["eng-GB"])]
    bleu = BLEU().corpus_score(hyps, refs)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    signature = "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0|uzapos:none"
    assert lines[0] == f"BLEU    {bleu.score:7.2f}  {signature}"
    assert lines[1].startswith("ROUGE-L ")


def test_uzbek_folding_and_no_normalize(cli, files, tmp_path):
    typed = tmp_path / "typed.txt"
    lines = read_lines(files["uzb"])
    typed.write_text(
        "\n".join(x.replace("ʻ", "'").replace("ʼ", "`") for x in lines), encoding="utf-8"
    )
    argv = ["score", "--hyp", typed, "--ref", files["uzb"], "--lang", "uz", "--format", "json"]
    folded = json.loads(cli(*argv, "--metrics", "bleu")[1])
    raw = json.loads(cli(*argv, "--metrics", "bleu", "--no-normalize")[1])
    assert folded["normalized"] is True and raw["normalized"] is False
    assert round(folded["metrics"]["bleu"]["score"], 6) == 100.0
    assert raw["metrics"]["bleu"]["score"] == BLEU().corpus_score(read_lines(typed), [lines]).score
    assert raw["metrics"]["bleu"]["score"] < 90
    assert folded["metrics"]["bleu"]["signature"].endswith("|uzapos:fold")
    assert raw["metrics"]["bleu"]["signature"].endswith("|uzapos:none")


def test_hypotheses_from_stdin_and_out_file(cli, tmp_path):
    ref = tmp_path / "ref.txt"
    ref.write_text("Бір екі үш.\nТөрт бес.\n", encoding="utf-8")
    out_file = tmp_path / "scores.json"
    code, out, err = cli(
        "score", "--ref", ref, "--lang", "kk", "--metrics", "rouge", "--format", "json",
        "--out", out_file, stdin="Бір екі үш.\nТөрт бес.\n",
    )  # fmt: skip
    assert (code, out, err) == (0, "", "")
    data = json.loads(out_file.read_text(encoding="utf-8"))
    assert {name: m["score"] for name, m in data["metrics"].items()} == {
        "rouge1": 100.0,
        "rouge2": 100.0,
        "rougeL": 100.0,
    }


BAD_REFERENCES = {
    "mismatch": (b"a\nb\nc\n", "ref.txt has 3 lines but the hypotheses have 2"),
    "empty": (b"", "ref.txt is empty"),
    "undecodable": (b"ok\n\xff\n", "ref.txt is not UTF-8 text (undecodable byte at offset 3)"),
    "missing": (None, "no such file: "),
}


@pytest.mark.parametrize("case", list(BAD_REFERENCES))
def test_bad_files_give_one_line_errors(cli, tmp_path, case):
    content, message = BAD_REFERENCES[case]
    (tmp_path / "hyp.txt").write_text("a\nb\n")
    if content is not None:
        (tmp_path / "ref.txt").write_bytes(content)
    code, out, err = cli(
        "score",
        "--hyp",
        tmp_path / "hyp.txt",
        "--ref",
        tmp_path / "ref.txt",
        "--lang",
        "en",
    )
    assert code == 2 and out == ""
    assert err.startswith("audarma: error: ") and message in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lang", "fr"], "unknown language 'fr'"),
        (["--lang", "en", "--metrics", "bleu,meteor"], "unknown metric 'meteor'"),
        (["--lang", "en", "--bootstrap", "-5"], "bootstrap resamples must be >= 0"),
    ],
)
def test_bad_options_give_one_line_errors(cli, tmp_path, extra, message):
    (tmp_path / "f.txt").write_text("a\n")
    code, _, err = cli("score", "--hyp", tmp_path / "f.txt", "--ref", tmp_path / "f.txt", *extra)
    assert code == 2 and message in err and err.count("\n") == 1
