"""``audarma eval`` and ``eval/run_eval.py``: the bundled dev set with a fake and a tiny model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types

import pytest

import service.translate
from service.evaluation.datasets import load_dataset
from tests.data import NTREX, ROOT
from tests.fakes import FakeEngine


def evaluate(cli, out_dir, *extra):
    return cli(
        "eval", "--dataset", NTREX, "--to", "en,uz", "--limit", "2", "--out", out_dir,
        "--bootstrap", "50", *extra,
    )  # fmt: skip


def test_eval_writes_outputs_and_reports(cli, fake_engine, tmp_path):
    out_dir = tmp_path / "run"
    code, out, err = evaluate(cli, out_dir)
    assert code == 0
    assert out == (out_dir / "report.md").read_text(encoding="utf-8")
    assert out.startswith("# Audarma evaluation report")
    assert "documents:" in err and "2/2" in err  # the progress bar
    assert f"audarma: report in {out_dir / 'report.html'}" in err
    assert {p.name for p in out_dir.iterdir()} == {
        "run.json",
        "outputs.jsonl",
        "report.json",
        "report.md",
        "report.html",
    }
    code, out, _ = evaluate(cli, out_dir, "--format", "json", "--quiet")
    assert code == 0
    report = json.loads(out)
    assert report == json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    assert report["resumed_documents"] == 2


def test_ctrl_c_exits_130_and_the_rerun_resumes(cli, monkeypatch, tmp_path):
    second = set(load_dataset(NTREX).documents[1].source)

    class Interrupted(FakeEngine):
        def translate_batch(self, sentences, src, tgt, options):
            if second & set(sentences):
                raise KeyboardInterrupt
            return super().translate_batch(sentences, src, tgt, options)

    monkeypatch.setattr(service.translate, "load_engine", lambda settings: Interrupted())
    code, _, err = evaluate(cli, tmp_path / "run", "--quiet")
    assert code == 130
    assert "1 document(s) are saved" in err and "rerun the same command to resume" in err
    engine = FakeEngine()
    monkeypatch.setattr(service.translate, "load_engine", lambda settings: engine)
    code, _, _ = evaluate(cli, tmp_path / "run", "--quiet")
    assert code == 0
    assert set(engine.sentences_seen) >= second
    assert not set(engine.sentences_seen) & set(load_dataset(NTREX).documents[0].source)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "--dataset", str(NTREX)], "give --dataset and --out"),
        (["eval", "--dataset", "missing.jsonl", "--out", "RUN"], "no such dataset: missing.jsonl"),
        (
            ["eval", "--dataset", str(NTREX), "--out", "RUN", "--to", "kk"],
            "source language is Kazakh",
        ),
        (["eval", "--dataset", str(NTREX), "--out", "RUN", "--limit", "0"], "at least 1"),
        (["eval", "--compare", "A", "B"], "A is not an evaluation run"),
    ],
)
def test_bad_input_gives_one_line_errors(cli, fake_engine, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(*argv)
    assert code == 2 and message in err and err.count("\n") == 1


class FakeComet:
    """Stands in for ``unbabel-comet``: scores a segment by its length, records its calls."""

    def __init__(self) -> None:
        self.loaded: list[tuple[str, dict]] = []

    def load_from_checkpoint(self, path, local_files_only=False):
        self.loaded.append((path, {"local_files_only": local_files_only}))
        return self

    def predict(self, data, batch_size, gpus, progress_bar):
        return types.SimpleNamespace(scores=[len(item["mt"]) / 1000 for item in data])


def test_comet_from_a_local_checkpoint(cli, fake_engine, monkeypatch, tmp_path):
    comet = FakeComet()
    monkeypatch.setitem(sys.modules, "comet", comet)
    checkpoint = tmp_path / "wmt22-comet-da" / "checkpoints" / "model.ckpt"
    checkpoint.parent.mkdir(parents=True)
    checkpoint.write_bytes(b"weights")
    code, out, _ = evaluate(cli, tmp_path / "run", "--comet", checkpoint.parents[1], "--quiet")
    assert code == 0
    assert comet.loaded == [(str(checkpoint), {"local_files_only": True})]
    report = json.loads((tmp_path / "run" / "report.json").read_text(encoding="utf-8"))
    records = [json.loads(x) for x in (tmp_path / "run" / "outputs.jsonl").read_text().splitlines()]
    sentence_en = report["results"][0]
    hyps = [h for r in records for h in r["sentence"]["en"]]
    assert sentence_en["metrics"]["comet"]["score"] == pytest.approx(
        sum(len(h) / 1000 for h in hyps) / len(hyps)
    )
    assert sentence_en["metrics"]["comet"]["signature"] == (
        "model:wmt22-comet-da|nrefs:1|bs:50|seed:12345|uzapos:none"
    )
    assert "comet" not in report["results"][1]["metrics"]  # not in document mode
    assert "COMET" in out


class BrokenComet(FakeComet):
    def load_from_checkpoint(self, path, local_files_only=False):
        raise RuntimeError("incompatible checkpoint\nlong traceback text")


@pytest.mark.parametrize(
    ("installed", "exists", "note"),
    [
        (FakeComet, False, "is not a local COMET checkpoint (Audarma never downloads models)"),
        (None, True, "COMET skipped: unbabel-comet is not installed"),
        (BrokenComet, True, "model.ckpt: incompatible checkpoint."),
    ],
)
def test_comet_is_skipped_with_a_note(
    cli, fake_engine, monkeypatch, tmp_path, installed, exists, note
):
    monkeypatch.setitem(sys.modules, "comet", installed() if installed else None)
    checkpoint = tmp_path / "model.ckpt"
    if exists:
        checkpoint.write_bytes(b"weights")
    code, _, _ = evaluate(cli, tmp_path / "run", "--comet", checkpoint, "--quiet")
    assert code == 0
    report = json.loads((tmp_path / "run" / "report.json").read_text(encoding="utf-8"))
    assert any(note in n for n in report["notes"])
    assert all("comet" not in row["metrics"] for row in report["results"])


@pytest.mark.slow
def test_run_eval_script_with_a_tiny_model(tiny_nllb_dir, tmp_path):
    """The real pipeline end to end: default engine, bundled data, all three reports."""
    out_dir = tmp_path / "run"
    argv = [
        sys.executable, str(ROOT / "eval" / "run_eval.py"), "--dataset", str(NTREX),
        "--to", "en,uz", "--model", str(tiny_nllb_dir), "--limit", "1", "--beam", "1",
        "--out", str(out_dir), "--bootstrap", "100", "--quiet", "--summaries",
    ]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, env=os.environ, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    assert done.stdout == (out_dir / "report.md").read_text(encoding="utf-8")
    assert report["model"] == {
        "name": str(tiny_nllb_dir),
        "engine": "ctranslate2",
        "shortlist": True,
    }
    assert report["settings"]["beam"] == 1
    rows = [(r["task"], r["system"], r["language"]) for r in report["results"]]
    assert rows[:4] == [
        ("translation", "sentence", "en"),
        ("translation", "document", "en"),
        ("translation", "sentence", "uz"),
        ("translation", "document", "uz"),
    ]
    assert len(rows) == 4 + 6
    for row in report["results"]:
        for score in row["metrics"].values():
            assert score["ci95"][0] <= score["score"] <= score["ci95"][1]
    assert (out_dir / "report.html").read_text(encoding="utf-8").count("data:image/png") == 4


@pytest.mark.slow
def test_eval_finishes_on_a_model_with_few_positions(cli, tiny_256_dirs, tmp_path):
    """Issue #12, item 3: NTREX's long sentences on a 256-position model, CTranslate2 engine."""
    out_dir = tmp_path / "run"
    code, _, err = cli(
        "eval", "--dataset", NTREX, "--to", "en", "--model", tiny_256_dirs["m2m100"],
        "--engine", "ctranslate2", "--limit", "6", "--beam", "1", "--bootstrap", "10",
        "--out", out_dir, "--quiet",
    )  # fmt: skip
    assert code == 0, err
    records = (out_dir / "outputs.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(records) == 6
