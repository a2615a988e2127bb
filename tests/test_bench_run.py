"""``audarma bench`` on the tiny model: well-formed JSON and a fair workload (no timed asserts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.bench.paths import candidate_paths
from service.bench.report import format_table
from service.bench.run import BenchConfig
from service.bench.workload import make_workload, source_sentences
from service.cli import main
from service.errors import ConfigError, InputError
from service.settings import Settings

PATHS = "naive,transformers-float32,ct2-int8,ct2-float32"


@pytest.fixture(scope="module")
def report(tiny_nllb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("bench")
    argv = ["bench", "--model", str(tiny_nllb_dir), "--sentences", "5", "--repeats", "1"]
    argv += ["--paths", PATHS, "--no-seed", "--threads", "1", "--format", "json"]
    # Module fixtures run before conftest's per-test cache isolation: point it here ourselves.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUDARMA_CACHE_DIR", str(folder / "cache"))
        assert main([*argv, "--out", str(folder / "report.json")]) == 0
    assert (folder / "cache" / "ct2").is_dir()
    return json.loads((folder / "report.json").read_text())


def test_report_shape(report: dict):
    assert {"model", "machine", "workload", "rows", "speedup_vs_naive", "default_path"} <= set(
        report
    )
    assert set(report["speedup_vs_naive"]) == {"greedy", "beam4"}
    assert all(value > 0 for value in report["speedup_vs_naive"].values())
    assert report["workload"]["sentences"] == 5
    assert {(row["path"], row["beam"]) for row in report["rows"]} == {
        (path, beam) for path in PATHS.split(",") for beam in (1, 4)
    }
    for row in report["rows"]:
        assert row["sentences_per_s"] > 0 and row["tokens_per_s"] > 0
        assert row["load_s"] >= 0 and row["peak_rss_mb"] > 0
        assert len(row["seconds"]) == 1
        assert 0.0 <= row["identical_to_naive"] <= 1.0
    assert sum(row["default"] for row in report["rows"]) == 2  # one per beam size


def test_every_path_decodes_the_same_tokens(report: dict):
    for beam in (1, 4):
        counts = {r["generated_tokens"] for r in report["rows"] if r["beam"] == beam}
        assert counts == {report["workload"]["output_tokens"]}


def test_float32_paths_agree_with_the_naive_baseline_at_greedy(report: dict):
    greedy = {r["path"]: r for r in report["rows"] if r["beam"] == 1}
    assert greedy["naive"]["identical_to_naive"] == 1.0
    assert greedy["ct2-float32"]["identical_to_naive"] == 1.0


def test_text_table(report: dict):
    table = format_table(report)
    assert "x naive" in table and "ct2-int8" in table
    assert f"default CPU path: {report['default_path']}" in table


def test_workload_lengths_follow_the_batch_plan(tiny_nllb_dir: Path):
    settings = Settings(max_batch_size=4)
    work = make_workload(str(tiny_nllb_dir), 10, 1.5, settings)
    assert [len(b) for b in work.batches] == [4, 4, 2]
    for batch in work.batches:
        longest = max(len(work.sources[i]) for i in batch)
        assert {work.lengths[i] for i in batch} == {-(-3 * longest // 2)}


def test_path_selection_errors():
    with pytest.raises(ConfigError, match="unknown bench path"):
        candidate_paths(names=["warp-drive"])
    with pytest.raises(InputError):
        source_sentences(0)
    with pytest.raises(ConfigError, match="repeats"):
        BenchConfig(repeats=0)


def test_bad_engine_is_a_one_line_error(capsys: pytest.CaptureFixture):
    assert main(["bench", "--engines", "marian", "--no-seed"]) == 2
    assert "unknown engine" in capsys.readouterr().err


def test_seed_article_job(tiny_nllb_dir: Path, tmp_path: Path):
    from service.bench.child import SeedJob, seed_job

    result = seed_job(SeedJob(str(tiny_nllb_dir), 1, str(tmp_path)))
    assert result["sentences"] > 5
    assert result["seconds"] > 0 and result["load_s"] > 0 and result["peak_rss_mb"] > 0
    assert result["engine"].split()[0] in {"transformers", "ctranslate2"}
