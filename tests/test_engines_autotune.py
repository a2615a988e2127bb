"""Thread layouts measured on this machine, once per model, and the setting that overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.engines.autotune import TUNING_FILE, choose_layout, read_choice, tuning_key
from service.engines.ctranslate2_engine import CTranslate2Engine
from service.engines.tuning import ThreadLayout, candidate_layouts, sub_batch_size
from service.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "layout"),
    [
        ("2x1/split:16", ThreadLayout(2, 1, True, 16)),
        ("2x2", ThreadLayout(2, 2, False, 32)),
        (" 1X4/shared ", ThreadLayout(1, 4, False, 32)),
    ],
)
def test_layout_setting_syntax(text: str, layout: ThreadLayout):
    assert ThreadLayout.parse(text) == layout
    assert ThreadLayout.parse(str(layout)) == layout


@pytest.mark.parametrize("bad", ["2", "0x2", "2x0", "two by one", "2x1:0", "2x1/both"])
def test_bad_layouts_are_one_line_errors(bad: str):
    with pytest.raises(ConfigError, match=r"^thread layout .*(TRANSLATORSxTHREADS|beam rows)"):
        ThreadLayout.parse(bad)


def test_candidates_cover_shared_split_and_one_translator():
    assert candidate_layouts(1) == [ThreadLayout(1, 1, False)]
    two = candidate_layouts(2)
    assert two[0] == ThreadLayout(2, 2, False)  # the built-in policy is always timed
    assert {(c.translators, c.threads, c.split_greedy) for c in two} == {
        (1, 2, False),
        (2, 2, False),
        (2, 1, True),
    }
    assert {c.beam_rows for c in two} == {16, 32}
    assert len(set(two)) == len(two)


def test_beam_rows_bound_the_beam_sub_batches():
    assert sub_batch_size(32, 4, ThreadLayout(2, 2, False, 16)) == 4
    assert sub_batch_size(32, 4, ThreadLayout(2, 2, False, 32)) == 8


def test_first_use_measures_then_reads_what_it_stored(tiny_nllb_dir: Path, tmp_path: Path):
    engine = CTranslate2Engine(
        str(tiny_nllb_dir), device="cpu", compute_type="float32", threads=2,
        cache_dir=tmp_path, thread_layout="auto",
    )  # fmt: skip
    choice = engine.layout_choice
    assert choice.source == "measured now"
    assert set(choice.timings) == {str(c) for c in candidate_layouts(2)}
    assert choice.layout in candidate_layouts(2)
    assert choice.timings[str(choice.layout)] == min(choice.timings.values())
    stored = json.loads((engine.model_dir / TUNING_FILE).read_text())
    key = tuning_key(2, "float32")
    assert stored[key]["layout"] == str(choice.layout)
    assert read_choice(engine.model_dir, key) == choice.layout

    again = CTranslate2Engine(
        str(tiny_nllb_dir), device="cpu", compute_type="float32", threads=2,
        cache_dir=tmp_path, thread_layout="auto",
    )  # fmt: skip
    assert (again.layout_choice.source, again.layout) == ("tuned", choice.layout)
    assert str(again.layout_choice) == f"{choice.layout} (tuned)"


def test_the_setting_overrides_and_skips_measuring(tiny_nllb_dir: Path, tmp_path: Path):
    engine = CTranslate2Engine(
        str(tiny_nllb_dir), device="cpu", compute_type="float32", threads=2,
        cache_dir=tmp_path, thread_layout="1x2:16",
    )  # fmt: skip
    assert (engine.layout, engine.layout_choice.source) == (
        ThreadLayout(1, 2, False, 16),
        "setting",
    )
    assert not (engine.model_dir / TUNING_FILE).exists()


def test_a_choice_stored_for_another_machine_is_not_used(tmp_path: Path):
    """Another CPU's winner says nothing about this one: the layouts are measured again."""

    class Measured(Exception):
        pass

    def workload():
        raise Measured

    (tmp_path / TUNING_FILE).write_text(json.dumps({"another cpu|cores=64": {"layout": "4x4"}}))
    with pytest.raises(Measured):
        choose_layout("auto", 2, tmp_path, "int8", lambda layout: None, workload)
