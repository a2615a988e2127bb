"""service.distributed without a running job: pool sizing, what actors get, refusals.

Everything here is decided before Ray starts anything, so none of it needs the cluster.
"""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from service.distributed.cluster import Cluster
from service.distributed.pool import RayOptions, worker_settings
from service.errors import ConfigError
from service.settings import load_settings
from tests.data import ROOT, SEED_PATH


def test_the_default_pool_fills_each_node_and_never_spans_two():
    cluster = Cluster("127.0.0.1:1", nodes=((16.0, 0.0), (6.0, 2.0), (1.0, 0.0)), started=False)
    assert cluster.pool_size(0, 2.0, 0.0) == 8 + 3 + 0
    assert cluster.pool_size(0, 1.0, 0.0) == 23
    assert cluster.pool_size(0, 1.0, 1.0) == 2  # only the GPU node
    assert cluster.pool_size(0, 0.0, 0.5) == 4
    assert cluster.pool_size(5, 2.0, 0.0) == 5


def test_a_pool_that_cannot_be_placed_is_refused_not_waited_for():
    cluster = Cluster("127.0.0.1:1", nodes=((2.0, 0.0),), started=False)
    with pytest.raises(ConfigError) as err:
        cluster.pool_size(0, 4.0, 0.0)
    assert str(err.value) == (
        "no node of the Ray cluster has 4 CPU(s) for an actor (nodes: 2 CPU/0 GPU);"
        " lower --ray-cpus-per-actor / --ray-gpus-per-actor"
    )
    with pytest.raises(ConfigError, match=r"no node of the Ray cluster has 1 CPU\(s\) and 1 GPU"):
        cluster.pool_size(0, 1.0, 1.0)
    with pytest.raises(ConfigError) as err:
        cluster.pool_size(3, 1.0, 0.0)
    assert str(err.value) == (
        "--ray-actors 3: only 2 actor(s) of 1 CPU(s) fit the Ray cluster (2 CPUs, 0 GPUs)"
    )


def test_actors_get_the_drivers_settings_with_threads_pinned_and_node_paths_their_own(
    monkeypatch,
):
    monkeypatch.delenv("AUDARMA_CACHE_DIR")
    monkeypatch.delenv("AUDARMA_DATA_DIR")
    settings = load_settings({"beam": 2, "model": "some/model"})
    values = worker_settings(settings, RayOptions(cpus_per_actor=2.0))
    assert values["beam"] == 2 and values["model"] == "some/model" and values["threads"] == 2
    assert "cache_dir" not in values and "data_dir" not in values  # each node's own default
    assert worker_settings(settings, RayOptions(cpus_per_actor=0.5))["threads"] == 1
    pinned = load_settings({"threads": 3, "cache_dir": "/shared/cache"})
    monkeypatch.setenv("AUDARMA_CACHE_DIR", "/shared/cache")
    values = worker_settings(pinned, RayOptions(cpus_per_actor=1.0))
    assert values["threads"] == 3 and values["cache_dir"] == "/shared/cache"
    assert load_settings(values).cache_dir == "/shared/cache"


def test_ray_options_come_from_the_settings_table(monkeypatch):
    monkeypatch.setenv("AUDARMA_RAY_CPUS_PER_ACTOR", "1")
    settings = load_settings({"ray_actors": 3})
    assert RayOptions.from_settings("auto", settings) == RayOptions("auto", 3, 1.0, 0.0)
    monkeypatch.delenv("AUDARMA_RAY_CPUS_PER_ACTOR")
    assert RayOptions.from_settings("local", load_settings()) == RayOptions("local", 0, 2.0, 0.0)
    with pytest.raises(ConfigError, match="ray_gpus_per_actor must be at least 0"):
        load_settings({"ray_gpus_per_actor": -1})


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--ray", "local"], "--ray writes its results into a folder: give --out DIR"),
        (
            ["--format", "parquet", "--out", "x"],
            "--format parquet writes the results of a --ray run",
        ),
    ],
)
def test_ray_flags_that_cannot_work_are_one_line(cli, tmp_path, argv, message):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "Бір."}\n', encoding="utf-8")
    code, out, err = cli("translate", corpus, *argv)
    assert (code, out) == (2, "")
    assert err.startswith(f"audarma: error: {message}") and len(err.splitlines()) == 1


def test_ray_on_one_article_is_refused(cli, tmp_path):
    code, _, err = cli("translate", SEED_PATH, "--ray", "local", "--out", tmp_path / "r")
    assert code == 2 and "--ray translates a corpus" in err


def test_without_the_ray_extra_the_error_says_how_to_install_it(cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails as if not installed
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "Бір."}\n', encoding="utf-8")
    code, _, err = cli("translate", corpus, "--ray", "local", "--out", tmp_path / "r")
    assert code == 2
    assert (
        err == "audarma: error: the --ray option needs the ray extra: pip install 'audarma[ray]'\n"
    )


def test_an_address_where_no_cluster_answers_is_one_line_at_once(tmp_path):
    """A fresh process (this one may be connected to the test session's cluster)."""
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "Бір."}\n', encoding="utf-8")
    port = free_port()
    command = ["translate", str(corpus), "--out", str(tmp_path / "r"), "--ray", f"127.0.0.1:{port}"]
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"audarma: error: no Ray cluster answers at 127.0.0.1:{port}")
    assert len(done.stderr.splitlines()) == 1


def free_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
