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
from service.engines.tuning import candidate_layouts
from service.errors import ConfigError, InputError
from service.settings import Settings
from service.text import paragraph_sentences, parse_article
from tests.data import seed_text

PATHS = "naive,transformers-float32,ct2-int8,ct2-float32,default"
ROWS = ["naive", "transformers-float32", "ct2-int8", "ct2-float32", "ct2-int8-shortlist"]


@pytest.fixture(scope="module")
def report(tiny_nllb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("bench")
    argv = ["bench", "--model", str(tiny_nllb_dir), "--sentences", "5", "--repeats", "1"]
    argv += ["--paths", PATHS, "--threads", "1", "--format", "json"]
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
        (path, beam) for path in ROWS for beam in (1, 4)
    }
    assert report["default_path"] == "ct2-int8-shortlist"  # --paths default names it
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


def test_the_article_row_runs_the_pipeline(report: dict):
    article = report["article"]
    sentences = len([s for p in paragraph_sentences(parse_article(seed_text())) for s in p])
    assert article["sentences"] == sentences and article["targets"] == ["en", "uz"]
    assert set(article["seconds"]) == {"1", "4"} and all(v > 0 for v in article["seconds"].values())
    assert article["engine"] == "ctranslate2 int8" and article["shortlist"] is True
    assert article["ratio"] == 1.2 and article["load_s"] > 0 and article["peak_rss_mb"] > 0
    assert "article: the seed article into en + uz through the pipeline" in format_table(report)


def test_targets_follow_the_host(report: dict):
    goals = report["targets"]
    assert goals["host"] == ("amx" if report["machine"]["amx"] else "no_amx")
    wanted = {"amx": ("28", "20"), "no_amx": ("17", "15")}[goals["host"]]
    assert set(goals) == {"host", f"greedy_{wanted[0]}x", f"beam4_{wanted[1]}x", "memory_0.35"}


def test_the_thread_layout_is_reported(report: dict):
    # The tests pin AUDARMA_THREAD_LAYOUT=default (conftest): the built-in policy.
    assert report["thread_layout"] == {"layout": "1x1:32", "source": "default", "timings": None}
    assert "CTranslate2 thread layout: 1x1:32 (default)" in format_table(report)


def test_tune_measures_the_layouts_again(tiny_nllb_dir: Path, tmp_path):
    argv = ["bench", "--model", str(tiny_nllb_dir), "--sentences", "4", "--repeats", "1"]
    argv += ["--paths", "default", "--beams", "1", "--no-article", "--threads", "2", "--tune"]
    assert main([*argv, "--format", "json", "--out", str(tmp_path / "r")]) == 0
    layout = json.loads((tmp_path / "r").read_text())["thread_layout"]
    assert layout["source"] == "measured now"
    assert set(layout["timings"]) == {str(c) for c in candidate_layouts(2)}
    assert layout["layout"] in layout["timings"]


def test_reference_lengths_decode_each_row_to_its_reference(tiny_nllb_dir: Path, tmp_path):
    settings = Settings(max_batch_size=8)
    work = make_workload(str(tiny_nllb_dir), 6, 1.2, settings, lengths="reference")
    assert work.targets == ["en"] * 6 + ["uz"] * 6
    assert work.sources[:6] == work.sources[6:]
    assert len(set(work.lengths)) > 4  # each row its own length
    argv = ["bench", "--model", str(tiny_nllb_dir), "--sentences", "6", "--repeats", "1"]
    argv += ["--paths", "naive,ct2-float32,default", "--lengths", "reference", "--no-article"]
    argv += ["--threads", "1", "--beams", "1,2", "--format", "json", "--out", str(tmp_path / "r")]
    assert main(argv) == 0
    report = json.loads((tmp_path / "r").read_text())
    assert report["workload"]["lengths"] == "reference" and report["workload"]["rows"] == 12
    for row in report["rows"]:
        assert row["generated_tokens"] == report["workload"]["output_tokens"] == sum(work.lengths)
    greedy = {r["path"]: r for r in report["rows"] if r["beam"] == 1}
    assert greedy["ct2-float32"]["identical_to_naive"] == 1.0
