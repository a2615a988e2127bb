"""service.jobs.shards: a corpus run's results folder, written by one driver, resumable."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from service.errors import ConfigError, InputError
from service.jobs.shards import ShardStore

IDENTITY = {"kind": "translate", "model": {"name": "m"}, "targets": ["en"], "decoding": {"beam": 4}}


def ok(item_id: str, text: str = "done") -> dict:
    return {"id": item_id, "translations": {"en": {"text": text}}, "warnings": []}


def failed(item_id: str) -> dict:
    return {"id": item_id, "error": "boom"}


def part_lines(folder) -> list[dict]:
    return [
        json.loads(line)
        for part in sorted(folder.glob("part-*.jsonl"))
        for line in part.read_text(encoding="utf-8").splitlines()
    ]


def test_records_are_kept_once_per_article_across_runs_and_a_success_wins(tmp_path):
    store = ShardStore(tmp_path)
    store.open(IDENTITY)
    store.write_order(["a", "b", "c"])
    assert store.append([ok("a"), failed("b")]) == 2
    assert store.append([ok("a", "again"), failed("b")]) == 0  # delivered twice in one run
    manifest = store.close({"path": "corpus.jsonl", "articles": 3}, {"status": "done"})
    assert (manifest["finished"], manifest["failed"], manifest["missing"]) == (1, 1, 1)
    assert manifest["complete"] is False and manifest["parts"] == ["part-00000.jsonl"]

    again = ShardStore(tmp_path)
    again.open(IDENTITY)
    assert again.finished() == {"a"} and again.failed() == {"b"}
    assert again.append([ok("a", "late copy"), ok("b"), ok("c")]) == 2  # a is done already
    assert again.append([failed("b")]) == 0
    manifest = again.close(None, {"status": "done"})
    assert manifest["complete"] is True and manifest["parts"] == [
        "part-00000.jsonl",
        "part-00001.jsonl",
    ]
    assert len(manifest["runs"]) == 2 and manifest["corpus"] == {
        "path": "corpus.jsonl",
        "articles": 3,
    }
    assert [r["id"] for r in part_lines(tmp_path)] == ["a", "b", "b", "c"]
    merged = tmp_path / "merged.jsonl"
    assert ShardStore(tmp_path).read()["complete"] is True
    reader = ShardStore(tmp_path)
    reader.read()
    assert reader.merge(merged) == 3
    assert [json.loads(line) for line in merged.read_text().splitlines()] == [
        ok("a"),
        ok("b"),
        ok("c"),
    ]


def test_a_torn_last_line_is_cut_off_and_its_article_redone(tmp_path):
    store = ShardStore(tmp_path)
    store.open(IDENTITY)
    store.append([ok("a")])
    store.close()
    part = tmp_path / "part-00000.jsonl"
    with open(part, "ab") as handle:
        handle.write(b'{"id": "b", "translations": {"en"')  # a driver killed mid-write
    again = ShardStore(tmp_path)
    again.open(IDENTITY)
    assert part.read_text(encoding="utf-8") == json.dumps(ok("a")) + "\n"
    assert again.finished() == {"a"}
    assert again.append([ok("b")]) == 1
    again.close()
    assert [r["id"] for r in part_lines(tmp_path)] == ["a", "b"]


def test_another_identity_or_format_is_refused_and_restart_starts_over(tmp_path):
    store = ShardStore(tmp_path)
    store.open(IDENTITY)
    store.append([ok("a")])
    store.close()
    other = {**IDENTITY, "targets": ["uz"]}
    with pytest.raises(ConfigError) as err:
        ShardStore(tmp_path).open(other, hint="rerun with --restart")
    assert str(err.value) == (
        f"{tmp_path} holds a run with a different targets (targets ['en'], now ['uz']);"
        " rerun with --restart"
    )
    with pytest.raises(ConfigError, match="holds jsonl results; rerun with --format jsonl"):
        ShardStore(tmp_path, "parquet").open(IDENTITY)
    fresh = ShardStore(tmp_path, "parquet")
    fresh.open(other, restart=True)
    assert fresh.finished() == set() and not list(tmp_path.glob("part-*"))
    fresh.close()
    assert json.loads((tmp_path / "manifest.json").read_text())["identity"] == other


def test_parts_without_a_manifest_are_not_mixed_into(tmp_path):
    (tmp_path / "part-00000.jsonl").write_text(json.dumps(ok("a")) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="already holds results of an unknown run"):
        ShardStore(tmp_path).open(IDENTITY)
    with pytest.raises(InputError, match="holds no corpus results"):
        ShardStore(tmp_path).read()
    with pytest.raises(InputError, match="exists and is not a folder"):
        ShardStore(tmp_path / "part-00000.jsonl").open(IDENTITY)


def test_one_writer_at_a_time(tmp_path):
    first = ShardStore(tmp_path)
    first.open(IDENTITY)
    with pytest.raises(ConfigError, match="is being written by another run"):
        ShardStore(tmp_path).open(IDENTITY)
    first.close()
    second = ShardStore(tmp_path)
    second.open(IDENTITY)  # the lock went with the first run
    second.close()


def test_parquet_parts_are_written_whole_every_n_records_and_read_back(tmp_path):
    store = ShardStore(tmp_path, "parquet", parquet_rows=3, parquet_seconds=3600)
    store.open(IDENTITY)
    store.write_order(["e", "d", "c", "b", "a"])
    store.append([ok("a"), failed("b")])
    assert not list(tmp_path.glob("*.parquet"))  # buffered
    store.append([ok("c"), ok("d")])
    assert [p.name for p in tmp_path.glob("*.parquet")] == ["part-00000-00000.parquet"]
    store.append([ok("e")])
    manifest = store.close()
    assert manifest["parts"] == ["part-00000-00000.parquet", "part-00000-00001.parquet"]
    assert not list(tmp_path.glob(".part-*"))
    table = pq.read_table(tmp_path / "part-00000-00000.parquet")
    assert table.column_names == ["id", "error", "text_en", "warnings", "record"]
    assert table.column("id").to_pylist() == ["a", "b", "c", "d"]
    assert table.column("error").to_pylist() == [None, "boom", None, None]
    assert table.column("text_en").to_pylist() == ["done", None, "done", "done"]
    again = ShardStore(tmp_path, "parquet")
    again.open(IDENTITY)
    assert again.finished() == {"a", "c", "d", "e"} and again.failed() == {"b"}
    again.append([ok("b")])
    again.close()
    reader = ShardStore(tmp_path)
    assert reader.read()["format"] == "parquet"
    assert [r["id"] for r in reader.records()] == ["e", "d", "c", "b", "a"]
    assert all("error" not in r for r in reader.records())


def test_records_of_ids_no_longer_in_the_corpus_come_last_in_written_order(tmp_path):
    store = ShardStore(tmp_path)
    store.open(IDENTITY)
    store.append([ok("old-2"), ok("b"), ok("old-1"), ok("a")])
    store.write_order(["a", "b", "c"])
    store.close()
    reader = ShardStore(tmp_path)
    reader.read()
    assert [r["id"] for r in reader.records()] == ["a", "b", "old-2", "old-1"]
    assert reader.manifest()["missing"] == 1  # c
