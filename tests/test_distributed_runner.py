"""Corpora and evaluations on the session's local Ray cluster, with the tiny NLLB model.

Ray results must be one process's results record for record, every article exactly once
whatever dies (an actor, the driver), and a rerun must translate nothing it has. Each test
here is one or two real Ray jobs (a few seconds each), so there are few of them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from service.distributed.pool import RayOptions
from service.distributed.runner import translate_corpus
from service.evaluation.datasets import load_dataset
from service.settings import load_settings
from tests.data import NTREX, ROOT

pytestmark = [
    pytest.mark.ray,
    pytest.mark.timeout(300),
    # Ray Data warns about its own deprecated context fields whenever it copies the context.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context"),
]


@pytest.fixture(scope="module")
def documents():
    return load_dataset(NTREX).documents


@pytest.fixture(scope="session")
def ray_cache_dir(tmp_path_factory) -> Path:
    """One cache for every Ray test: the tiny model is converted once (by one actor; the
    others wait on the conversion's lock), as on one node of a real cluster."""
    return tmp_path_factory.mktemp("ray-cache")


@pytest.fixture
def on_ray(ray_cluster, ray_cache_dir, tiny_nllb_dir, monkeypatch) -> str:
    """The settings both sides of a comparison run with: the tiny model, one engine thread
    (Ray would give each actor its CPUs' worth), no translation cache (the engine does the
    work every time), groups of 4 articles. Returns the cluster's address."""
    monkeypatch.setenv("AUDARMA_MODEL", str(tiny_nllb_dir))
    monkeypatch.setenv("AUDARMA_CACHE_DIR", str(ray_cache_dir))
    monkeypatch.setenv("AUDARMA_THREADS", "1")
    monkeypatch.setenv("AUDARMA_CACHE", "0")
    monkeypatch.setenv("AUDARMA_CORPUS_ARTICLES", "4")
    return ray_cluster


def write_jsonl(path: Path, docs) -> Path:
    path.write_text(
        "".join(json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n" for d in docs),
        encoding="utf-8",
    )
    return path


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def part_records(folder: Path) -> list[dict]:
    records = [r for part in sorted(folder.glob("part-*.jsonl")) for r in jsonl(part)]
    for part in sorted(folder.glob("part-*.parquet")):
        records += [json.loads(r) for r in pq.read_table(part).column("record").to_pylist()]
    return records


def test_ray_gives_one_process_results_record_for_record_and_a_rerun_translates_nothing(
    cli, on_ray, documents, tmp_path
):
    corpus = write_jsonl(tmp_path / "corpus.jsonl", documents[:22])
    code, _, err = cli("translate", corpus, "--to", "en,uz", "--out", tmp_path / "one.jsonl")
    assert code == 0, err
    ray_run = ["--to", "en,uz", "--out", tmp_path / "ray", "--ray", "local"]
    code, out, err = cli("translate", corpus, *ray_run, "--ray-cpus-per-actor", "1")
    assert code == 0 and out == "", err
    summary = [line for line in err.splitlines() if line.startswith("audarma:")]
    assert summary[0].startswith("audarma: 22 article(s) in ")
    assert ", 0 failed, 0 missing; 0 done by earlier runs" in summary[0]
    assert all(line.startswith("audarma:   actor ") for line in summary[1:]) and summary[1:]

    merged = tmp_path / "merged.jsonl"
    assert cli("results", tmp_path / "ray", "--merge", merged)[0] == 0
    one = jsonl(tmp_path / "one.jsonl")
    assert [r["id"] for r in one] == [d.id for d in documents[:22]]
    assert jsonl(merged) == one  # same groups, same threads: the same floating-point results
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text(encoding="utf-8"))
    (run,) = manifest["runs"]
    assert run["ray"]["actors"] == 2 and run["status"] == "done"
    assert run["articles"] == 22 and run["engine_sentences"] > 22
    assert sum(actor["articles"] for actor in run["actors"].values()) == 22
    assert manifest["complete"] and manifest["identity"]["kind"] == "translate"

    parts = {p.name: p.read_bytes() for p in (tmp_path / "ray").glob("part-*")}
    code, _, err = cli("translate", corpus, *ray_run)
    assert code == 0, err
    assert "audarma: 0 article(s) in" in err and "22 done by earlier runs" in err
    assert {p.name: p.read_bytes() for p in (tmp_path / "ray").glob("part-*")} == parts
    rerun = json.loads((tmp_path / "ray" / "manifest.json").read_text(encoding="utf-8"))["runs"]
    assert (rerun[1]["articles"], rerun[1]["engine_sentences"], rerun[1]["ray"]["actors"]) == (
        0,
        0,
        0,
    )  # no actor started, no engine asked


def test_an_actor_killed_mid_job_still_gives_every_article_exactly_once(
    cli, on_ray, documents, tmp_path
):
    """An actor exits like a killed process on its 2nd group: Ray restarts it and retries
    the group; the Parquet results hold every article once, as one process writes them."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for doc in documents[:12]:
        (folder / f"{doc.id}.txt").write_text(doc.text, encoding="utf-8")
    out = tmp_path / "ray"
    manifest = translate_corpus(
        folder,
        out,
        ["en"],
        settings=load_settings(),
        ray=RayOptions(cpus_per_actor=1.0, test_exit_on_batch=2),
        output_format="parquet",
        progress=False,
    )
    assert (out / ".test-actor-exited").is_file()  # the hook fired (once)
    assert (manifest["finished"], manifest["failed"], manifest["missing"]) == (12, 0, 0)
    records = part_records(out)
    assert Counter(r["id"] for r in records) == Counter(doc.id for doc in documents[:12])
    assert cli("translate", folder, "--to", "en", "--out", tmp_path / "one.jsonl")[0] == 0
    by_id = {r["id"]: r for r in records}
    assert [by_id[r["id"]] for r in jsonl(tmp_path / "one.jsonl")] == jsonl(tmp_path / "one.jsonl")


def test_a_killed_driver_is_resumed_and_every_article_is_there_exactly_once(
    cli, on_ray, documents, tmp_path
):
    """The driver (a process joined to the cluster, like ``--ray auto``) is SIGKILLed after
    a few groups; the same command run again translates only the rest."""
    corpus = write_jsonl(tmp_path / "corpus.jsonl", documents[:40])
    out = tmp_path / "ray"
    command = ["translate", str(corpus), "--to", "en", "--out", str(out), "--ray", on_ray]
    command += ["--ray-actors", "1", "--ray-cpus-per-actor", "1"]
    env = {**os.environ, "AUDARMA_CORPUS_ARTICLES": "1", "PYTHONPATH": str(ROOT)}
    driver = subprocess.Popen(
        [sys.executable, "-m", "service.cli", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its process group goes with it
    )
    part = out / "part-00000.jsonl"
    try:
        deadline = time.monotonic() + 180
        while not part.exists() or part.read_bytes().count(b"\n") < 3:
            assert driver.poll() is None, "the driver ended before it could be killed"
            assert time.monotonic() < deadline, "no results within 180 s"
            time.sleep(0.05)
    finally:
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):  # the agents it left, if any
            os.killpg(driver.pid, signal.SIGKILL)
    before = len(part_records(out))
    assert 3 <= before < 40

    code, _, err = cli(*command)
    assert code == 0, err
    assert f"{before} done by earlier runs" in err
    counts = Counter(r["id"] for r in part_records(out))
    assert counts == Counter(doc.id for doc in documents[:40])  # each once, none missing
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] and manifest["parts"] == ["part-00000.jsonl", "part-00001.jsonl"]


def test_eval_on_ray_writes_the_outputs_and_report_of_one_process(cli, on_ray, tmp_path):
    common = ["eval", "--dataset", NTREX, "--to", "en,uz", "--limit", "4", "--summaries"]
    code, single_md, err = cli(*common, "--out", tmp_path / "one", "--quiet")
    assert code == 0, err
    code, ray_md, err = cli(
        *common, "--out", tmp_path / "ray", "--ray", "local", "--ray-cpus-per-actor", "1"
    )
    assert code == 0, err
    assert "audarma: 4 document(s) in " in err

    def outputs(run: str) -> dict:
        records = jsonl(tmp_path / run / "outputs.jsonl")
        return {r["id"]: {k: v for k, v in r.items() if k != "seconds"} for r in records}

    assert outputs("ray") == outputs("one") and len(outputs("one")) == 4

    def report(run: str) -> dict:
        data = json.loads((tmp_path / run / "report.json").read_text(encoding="utf-8"))
        for key in ("created", "run_seconds", "translation_seconds"):
            data.pop(key)
        data["settings"].pop("ray_cpus_per_actor")  # how it ran, not what it translated
        for doc in data["documents"]:
            doc.pop("seconds")
        return data

    assert report("ray") == report("one")

    def untimed(markdown: str) -> list[str]:
        return [
            line
            for line in markdown.splitlines()
            if " s this run " not in line and not line.startswith("| created |")
        ]

    assert untimed(ray_md) == untimed(single_md)


def test_a_model_that_cannot_load_stops_the_job_with_one_line(cli, on_ray, documents, tmp_path):
    corpus = write_jsonl(tmp_path / "corpus.jsonl", documents[:2])
    missing = tmp_path / "no-model"
    code, out, err = cli(
        "translate", corpus, "--out", tmp_path / "ray", "--ray", "local", "--model", missing
    )
    assert (code, out) == (2, "")
    last = err.strip().splitlines()[-1]
    assert last.startswith("audarma: error: ") and str(missing) in last
    assert "Traceback" not in err and "Ray job failed" not in last
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["runs"][0]["status"].startswith("failed: ") and manifest["finished"] == 0


def test_ray_detects_each_articles_language_as_one_process_does(cli, on_ray, tmp_path):
    """Kazakh, Russian and Kyrgyz articles in one corpus: Ray gives the records of one
    process (Russian translated as Russian, Kyrgyz refused naming the CLI's --source), the
    Cyrillic Uzbek target included, and a rerun with another --source is refused."""
    from tests.test_text_document import ntrex_document

    docs = [("kk-1", "kaz", 1), ("ru-2", "rus", 2), ("ky-3", "kir", 3), ("kk-4", "kaz", 4)]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"id": i, "text": ntrex_document(lang, n)}, ensure_ascii=False) + "\n"
            for i, lang, n in docs
        ),
        encoding="utf-8",
    )
    code, _, err = cli("translate", corpus, "--to", "en,uz-Cyrl", "--out", tmp_path / "one.jsonl")
    assert code == 2 and "1 of 4 articles failed" in err
    run = ["--to", "en,uz-Cyrl", "--out", tmp_path / "ray", "--ray", "local"]
    code, _, err = cli("translate", corpus, *run, "--ray-cpus-per-actor", "1")
    assert code == 2 and "of 4 articles, 1 failed" in err.strip().splitlines()[-1]
    assert cli("results", tmp_path / "ray", "--merge", tmp_path / "merged.jsonl")[0] == 0
    one = jsonl(tmp_path / "one.jsonl")
    assert jsonl(tmp_path / "merged.jsonl") == one
    by_id = {r["id"]: r for r in one}
    assert [by_id[i].get("source_language") for i, _, _ in docs] == ["kk", "ru", None, "kk"]
    assert by_id["ky-3"]["error"].startswith("the text looks like Kyrgyz")
    assert by_id["ky-3"]["error"].endswith("--source kk (or --source ru)")
    assert list(by_id["ru-2"]["translations"]) == ["en", "uz-Cyrl"]

    code, _, err = cli("translate", corpus, *run, "--source", "kk")
    assert code == 2 and "source" in err.strip().splitlines()[-1]
