"""Paired significance between two runs: a weak and a strong fake system on the same documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main
from service.engines.base import Hypothesis, per_row
from service.errors import InputError
from service.evaluation.compare import compare_runs
from service.evaluation.datasets import load_dataset
from service.evaluation.options import EvalOptions
from service.evaluation.runner import run_evaluation
from service.translate import Translator
from tests.data import NTREX, SEED_SET
from tests.fakes import FakeEngine

LIMIT = 4


class OracleEngine(FakeEngine):
    """Answers each source line with its (US English or Uzbek) reference: a "strong" system."""

    def __init__(self) -> None:
        super().__init__(model_name="oracle")
        self.answers = {}
        for doc in load_dataset(NTREX).documents[:LIMIT]:
            for lang, streams in doc.references.items():
                self.answers.update(
                    {(lang, s): r for s, r in zip(doc.source, streams[0], strict=True)}
                )

    def translate_batch(self, sentences, src, tgt, options):
        fallback = super().translate_batch(sentences, src, tgt, options)
        targets = per_row(tgt, len(sentences))
        return [
            Hypothesis(self.answers.get((lang.code, s), h.text), h.truncated, h.tokens)
            for s, lang, h in zip(sentences, targets, fallback, strict=True)
        ]


def make_run(out: Path, engine, dataset=NTREX) -> dict:
    translator = Translator(engine_instance=engine, cache=False)
    options = EvalOptions(limit=LIMIT, n_bootstrap=50, progress=False, summaries=True)
    return run_evaluation(dataset, out, translator, options)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("compare")
    weak = make_run(base / "weak", FakeEngine())
    strong = make_run(base / "strong", OracleEngine())
    make_run(base / "weak-again", FakeEngine())
    return base, weak, strong


def test_the_stronger_system_wins_significantly(runs):
    base, weak, strong = runs
    result = compare_runs(base / "weak", base / "strong", n_bootstrap=200, n_trials=300)
    assert result["documents"] == LIMIT
    rows = [(c["task"], c["system"], c["language"]) for c in result["comparisons"]]
    assert rows == [
        ("translation", "sentence", "en"),
        ("translation", "document", "en"),
        ("translation", "sentence", "uz"),
        ("translation", "document", "uz"),
        ("summary", "extractive", "kk"),
        ("summary", "extractive", "en"),
        ("summary", "extractive", "uz"),
    ]
    sentence_en = result["comparisons"][0]["metrics"]
    for name in ("bleu", "chrf++", "ter"):
        entry = sentence_en[name]
        assert entry["a"] == weak["results"][0]["metrics"][name]["score"]
        assert entry["b"] == strong["results"][0]["metrics"][name]["score"]
        assert entry["better"] == "B"
        assert entry["paired_bootstrap"]["p_value"] < 0.05
        assert entry["approximate_randomization"]["p_value"] < 0.05
        assert entry["paired_bootstrap"]["samples"] == 200
        assert entry["approximate_randomization"]["trials"] == 300
    assert sentence_en["bleu"]["delta"] > 50 and sentence_en["ter"]["delta"] < -50
    assert sentence_en["bleu"]["signature"].startswith("nrefs:2|bs:200|ar:300|seed:12345|")
    uz = result["comparisons"][2]
    assert uz["normalized"] is True and uz["metrics"]["bleu"]["signature"].endswith("|uzapos:fold")


def test_identical_systems_differ_in_nothing(runs):
    base, _, _ = runs
    result = compare_runs(base / "weak", base / "weak-again", n_bootstrap=50, n_trials=50)
    for comparison in result["comparisons"]:
        for entry in comparison["metrics"].values():
            assert entry["delta"] == 0 and entry["better"] == "neither"


def test_runs_on_different_datasets_are_refused(runs, tmp_path):
    base, _, _ = runs
    make_run(tmp_path / "seed", FakeEngine(), dataset=SEED_SET)
    with pytest.raises(InputError, match="were run on different datasets"):
        compare_runs(base / "weak", tmp_path / "seed")
    with pytest.raises(InputError, match="is not an evaluation run"):
        compare_runs(base / "weak", tmp_path)


def test_compare_from_the_command_line(runs, capsys):
    base, _, _ = runs
    argv = ["eval", "--compare", str(base / "weak"), str(base / "strong"), "--bootstrap", "100"]
    assert main([*argv, "--trials", "100"]) == 0
    out = capsys.readouterr().out
    line = next(
        x for x in out.splitlines() if x.startswith("translation/sentence/en") and "BLEU" in x
    )
    assert line.endswith("  B")
    assert main([*argv, "--trials", "100", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["randomization_trials"] == 100 and data["bootstrap_samples"] == 100
