"""``audarma results DIR``: a --ray run's folder summarised, or merged into one ordered file."""

from __future__ import annotations

import json

from service.jobs.shards import ShardStore

IDENTITY = {
    "kind": "translate",
    "model": {"name": "m", "engine": "ctranslate2"},
    "targets": ["en", "uz"],
    "decoding": {"beam": 4},
}


def make_run(folder, order, records, fmt="jsonl") -> None:
    store = ShardStore(folder, fmt)
    store.open(IDENTITY)
    store.write_order(order)
    store.append(records)
    run = {
        "started": "2026-01-01T00:00:00+00:00",
        "status": "done",
        "seconds": 12.5,
        "articles": len(records),
        "sentences": 7,
        "failed": 0,
        "ray": {"address": "local", "actors": 2, "cpus_per_actor": 1.0},
    }
    store.close({"path": "corpus.jsonl", "articles": len(order)}, run)


def test_merge_writes_every_record_once_in_corpus_order(cli, tmp_path):
    folder = tmp_path / "results"
    make_run(folder, ["c", "a", "b"], [{"id": "a", "n": 1}, {"id": "b", "n": 2}])
    make_run(folder, ["c", "a", "b"], [{"id": "c", "n": 3}, {"id": "a", "n": 9}])
    out = tmp_path / "merged" / "all.jsonl"
    code, stdout, err = cli("results", folder, "--merge", out)
    assert (code, stdout) == (0, "")
    assert err == f"audarma: 3 record(s) written to {out}\n"
    assert out.read_text(encoding="utf-8").splitlines() == [
        '{"id": "c", "n": 3}',
        '{"id": "a", "n": 1}',
        '{"id": "b", "n": 2}',
    ]


def test_merge_of_an_unfinished_run_warns(cli, tmp_path):
    folder = tmp_path / "results"
    make_run(folder, ["a", "b", "c"], [{"id": "a"}, {"id": "b", "error": "boom"}], fmt="parquet")
    out = tmp_path / "all.jsonl"
    code, _, err = cli("results", folder, "--merge", out)
    assert code == 0
    assert err.splitlines()[1] == (
        "audarma: warning: 1 finished, 1 failed, 1 missing of 3 articles; rerun the translate"
        " command to finish before relying on the merged file"
    )
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a", "b"]


def test_the_summary_in_text_and_json(cli, tmp_path):
    folder = tmp_path / "results"
    make_run(folder, ["a"], [{"id": "a"}])
    code, out, _ = cli("results", folder)
    assert code == 0
    assert out.splitlines() == [
        f"{folder}: 1 finished, 0 failed, 0 missing of 1 articles (complete)",
        "model m (ctranslate2), targets en, uz, beam 4",
        "jsonl parts: part-00000.jsonl",
        "run 1 (2026-01-01T00:00:00+00:00, done): 1 articles in 12.5 s, 7 sentences, 0 failed;"
        " 2 actor(s) of 1.0 CPU(s) on local",
    ]
    code, out, _ = cli("results", folder, "--format", "json")
    manifest = json.loads(out)
    assert manifest["identity"] == IDENTITY and manifest["complete"] is True


def test_a_folder_that_is_not_a_run_is_one_line(cli, tmp_path):
    code, out, err = cli("results", tmp_path)
    assert (code, out) == (2, "")
    assert err == f"audarma: error: {tmp_path} holds no corpus results (no manifest.json)\n"
