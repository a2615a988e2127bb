"""service.jobs.store: durable append-only records with a run identity."""

from __future__ import annotations

import json

import pytest

from service.errors import ConfigError, InputError
from service.jobs.store import RecordStore, RunStore

IDENTITY = {"model": {"name": "m", "engine": "e"}, "targets": ["en"], "decoding": {"beam": 4}}


def test_records_survive_reopening_and_success_wins_over_a_failure(tmp_path):
    store = RecordStore.beside(tmp_path / "out.jsonl")
    store.open(IDENTITY)
    store.append({"id": "a", "error": "boom"})
    store.append({"id": "a", "text": "ok"})
    store.append({"id": "b", "error": "boom"})
    store.append({"id": "a", "error": "later failure"})
    again = RecordStore.beside(tmp_path / "out.jsonl")
    again.open(IDENTITY)
    assert again.finished() == {"a"}
    assert again.records() == {"a": {"id": "a", "text": "ok"}, "b": {"id": "b", "error": "boom"}}
    assert (tmp_path / "out.jsonl.run.json").is_file()


def test_a_torn_last_line_is_cut_off_when_opened(tmp_path):
    store = RecordStore.beside(tmp_path / "out.jsonl")
    store.open(IDENTITY)
    store.append({"id": "a"})
    with open(store.outputs, "ab") as handle:
        handle.write(b'{"id": "b", "tex')
    RecordStore.beside(tmp_path / "out.jsonl").open(IDENTITY)
    assert store.outputs.read_bytes() == b'{"id": "a"}\n'
    store.append({"id": "b"})
    assert [json.loads(line)["id"] for line in store.outputs.read_text().splitlines()] == ["a", "b"]


def test_a_file_of_only_a_torn_line_becomes_empty(tmp_path):
    store = RecordStore.beside(tmp_path / "out.jsonl")
    store.open(IDENTITY)
    store.outputs.write_bytes(b'{"id": "a", "te' * 10_000)  # longer than one read block
    RecordStore.beside(tmp_path / "out.jsonl").open(IDENTITY)
    assert store.outputs.read_bytes() == b""


def test_another_identity_is_refused_naming_every_difference(tmp_path):
    store = RecordStore.beside(tmp_path / "out.jsonl")
    store.open(IDENTITY)
    store.append({"id": "a"})
    other = {**IDENTITY, "targets": ["uz"], "decoding": {"beam": 1}}
    with pytest.raises(ConfigError) as err:
        RecordStore.beside(tmp_path / "out.jsonl").open(other, hint="use --restart")
    message = str(err.value)
    assert message.startswith(f"{store.outputs} holds a run with a different targets")
    assert "targets ['en'], now ['uz']" in message and "; decoding.beam 4, now 1" in message
    assert message.endswith("; use --restart") and "\n" not in message
    assert store.finished() == {"a"}  # nothing was touched


def test_restart_forgets_the_old_run(tmp_path):
    store = RecordStore.beside(tmp_path / "out.jsonl")
    store.open(IDENTITY)
    store.append({"id": "a"})
    other = {**IDENTITY, "targets": ["uz"]}
    store.open(other, restart=True)
    assert store.records() == {} and store.info() == other


def test_results_without_an_identity_are_not_adopted(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a"}\n')
    with pytest.raises(ConfigError, match="already holds results of an unknown run"):
        RecordStore.beside(out).open(IDENTITY)


def test_run_store_is_a_folder(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="exists and is not a folder"):
        RunStore(tmp_path / "file").open(IDENTITY)
    with pytest.raises(InputError, match="is not an evaluation run"):
        RunStore(tmp_path / "nothing").info()
    run = RunStore(tmp_path / "run")
    run.open(IDENTITY)
    assert (tmp_path / "run" / "run.json").is_file() and run.info() == IDENTITY
