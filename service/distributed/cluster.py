"""Joining a Ray cluster, or starting one on this machine, quietly and safely.

``--ray local`` starts an in-process cluster sized to this machine; ``auto`` joins the cluster
``ray start`` made on this machine; anything else is the address of a cluster's head
(``HOST:PORT``). A process that is already connected (a notebook, the test session) is reused
and left running. A cluster this process started is shut down when the job ends.

A local cluster is kept to this machine: every component binds to 127.0.0.1, no usage
statistics are sent, no authentication token is written to ``~/.ray``, and the dashboard's
probe of cloud metadata endpoints (which it makes at every start unless
``~/ray_bootstrap_config.yaml`` exists) is kept from happening.
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import secrets
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..engines.tuning import usable_cores
from ..errors import ConfigError

RAY_MISSING = "the --ray option needs the ray extra: pip install 'audarma[ray]'"
#: ``--ray`` values that are not addresses.
LOCAL = "local"
AUTO = "auto"
#: Object store of a local cluster: the corpus waiting for actors and their results (it
#: spills to disk beyond this), so it need not take Ray's default of 30% of memory.
LOCAL_OBJECT_STORE_BYTES = 2**30
#: Seconds to wait for a cluster address to answer before saying it does not.
CONNECT_TIMEOUT_S = 5.0

#: Set before Ray starts: quiet logs, no progress bars, no usage statistics.
_QUIET_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",
    # Ray Data re-applies its own logging config, so only the variable works. CRITICAL: a
    # group given up after its actor died is logged by Ray Data at ERROR with a traceback;
    # the driver reports it itself as missing articles, in one line.
    "RAY_DATA_LOG_LEVEL": "CRITICAL",
    "RAY_DATA_DISABLE_PROGRESS_BARS": "1",
    "RAY_DEDUP_LOGS": "0",
    # Read at import: Ray's C++ core logs at error level about things that are not errors
    # for us (an actor with constructor arguments in the object store may restart); what
    # does go wrong, the driver reports itself. RAY_BACKEND_LOG_LEVEL=info shows them again.
    "RAY_BACKEND_LOG_LEVEL": "fatal",
}


@dataclass(frozen=True)
class Cluster:
    """What a job can use: the cluster's address and each alive node's CPUs and GPUs."""

    address: str
    #: ``(cpus, gpus)`` of each alive node.
    nodes: tuple[tuple[float, float], ...]
    #: Whether this process started the cluster (and stops it at the end).
    started: bool

    @property
    def cpus(self) -> float:
        return sum(cpus for cpus, _ in self.nodes)

    @property
    def gpus(self) -> float:
        return sum(gpus for _, gpus in self.nodes)

    def fitting_actors(self, cpus_per_actor: float, gpus_per_actor: float) -> int:
        """How many actors of this size the nodes hold at once (none may span two nodes)."""
        total = 0
        for cpus, gpus in self.nodes:
            fits = math.floor(cpus / cpus_per_actor + 1e-9) if cpus_per_actor > 0 else None
            if gpus_per_actor > 0:
                on_gpus = math.floor(gpus / gpus_per_actor + 1e-9)
                fits = on_gpus if fits is None else min(fits, on_gpus)
            total += fits if fits is not None else 1
        return total

    def pool_size(self, actors: int, cpus_per_actor: float, gpus_per_actor: float) -> int:
        """``actors``, or every actor that fits when it is 0; refused when none or not all fit.

        A pool that cannot be placed would wait for resources forever, so it is refused here
        with what would fit instead.
        """
        fits = self.fitting_actors(cpus_per_actor, gpus_per_actor)
        size = f"{_number(cpus_per_actor)} CPU(s)" + (
            f" and {_number(gpus_per_actor)} GPU(s)" if gpus_per_actor > 0 else ""
        )
        if fits < 1:
            nodes = ", ".join(f"{_number(c)} CPU/{_number(g)} GPU" for c, g in self.nodes)
            raise ConfigError(
                f"no node of the Ray cluster has {size} for an actor (nodes: {nodes or 'none'});"
                " lower --ray-cpus-per-actor / --ray-gpus-per-actor"
            )
        if actors > fits:
            raise ConfigError(
                f"--ray-actors {actors}: only {fits} actor(s) of {size} fit the Ray cluster"
                f" ({_number(self.cpus)} CPUs, {_number(self.gpus)} GPUs)"
            )
        return actors or fits


def _number(value: float) -> str:
    return f"{value:g}"


def import_ray() -> Any:
    """``ray`` (with Ray Data), or one line saying how to install it."""
    for name, value in _QUIET_ENV.items():
        os.environ.setdefault(name, value)
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise ConfigError(RAY_MISSING) from None
    return ray


@contextlib.contextmanager
def connect(address: str = LOCAL, *, num_cpus: int | None = None) -> Iterator[Cluster]:
    """The cluster to run on for the duration of a job (see the module's docstring)."""
    started = False
    if not _connected():
        if address == LOCAL:
            start_local(num_cpus=num_cpus)
        else:
            _join(import_ray(), address)
        started = True
    ray = import_ray()
    try:
        _configure_data(ray)
        yield Cluster(ray.get_runtime_context().gcs_address, _alive_nodes(ray), started)
    finally:
        if started:
            ray.shutdown()


def start_local(
    *, num_cpus: int | None = None, object_store_memory: int = LOCAL_OBJECT_STORE_BYTES
) -> str:
    """Start an in-process cluster on this machine (loopback only, every usable core unless
    ``num_cpus`` says otherwise, the GPUs Ray finds); returns its address."""
    _prepare_local()
    ray = import_ray()
    with _home_without_cloud_probe() as real_home:
        ray.init(
            num_cpus=num_cpus if num_cpus is not None else usable_cores(),
            num_gpus=None,  # the GPUs Ray detects
            include_dashboard=False,
            log_to_driver=False,
            logging_level="WARNING",
            object_store_memory=object_store_memory,
            # Workers get the real home back (for caches under it).
            runtime_env={"env_vars": {"HOME": real_home}},
        )
    return ray.get_runtime_context().gcs_address


def _connected() -> bool:
    """Whether this process is connected to a cluster already (without importing Ray)."""
    ray = sys.modules.get("ray")
    return ray is not None and ray.is_initialized()


def _prepare_local() -> None:
    """The environment a local cluster starts with; Ray reads some of it when imported."""
    # Bind every component to 127.0.0.1 rather than the primary interface's address (found
    # with a route probe to a public resolver).
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    # Ray 2.60 turns token authentication on for a new cluster and, without a token, writes
    # one to ~/.ray/auth_token; a token of this process's own reaches every cluster process
    # (and drivers started from here) through the environment instead.
    if "RAY_AUTH_MODE" not in os.environ and "RAY_AUTH_TOKEN" not in os.environ:
        os.environ["RAY_AUTH_MODE"] = "token"
        os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
    if "ray" in sys.modules:
        _reread_settings()


def _reread_settings() -> None:
    """Make an already imported Ray (a notebook imported it first) see the two settings
    above, which it reads once at import: the loopback switch is a module constant it looks
    up when a node starts, and its configuration (the authentication mode) can be read from
    the environment again, as Ray's own tests do. Failing that, the cluster starts without
    authentication, as the imported Ray expects; it still listens on 127.0.0.1 only."""
    try:
        from ray._private import ray_constants
        from ray._raylet import AuthenticationTokenLoader, Config

        ray_constants.ENABLE_RAY_CLUSTER = os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] != "0"
        Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()
    except (ImportError, AttributeError):  # pragma: no cover - another Ray version
        os.environ["RAY_AUTH_MODE"] = "disabled"
        os.environ.pop("RAY_AUTH_TOKEN", None)


@contextlib.contextmanager
def _home_without_cloud_probe() -> Iterator[str]:
    """HOME pointing at a folder holding ``ray_bootstrap_config.yaml`` while the cluster
    starts: Ray's dashboard then knows it is not on a cloud VM and sends no metadata probes.
    The folder is removed when this process exits (the dashboard reads it after start-up)."""
    real_home = os.environ.get("HOME") or os.path.expanduser("~")
    fake = tempfile.mkdtemp(prefix="audarma-ray-home-")
    with open(os.path.join(fake, "ray_bootstrap_config.yaml"), "w", encoding="utf-8") as out:
        out.write("{}\n")
    atexit.register(shutil.rmtree, fake, True)
    os.environ["HOME"] = fake
    try:
        yield real_home
    finally:
        os.environ["HOME"] = real_home


def _join(ray: Any, address: str) -> None:
    """Connect to an existing cluster, or fail with one line (never wait minutes)."""
    if address != AUTO:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ConfigError(
                f"--ray {address!r}: expected local, auto or a head's HOST:PORT"
                " (e.g. 10.0.0.5:6379)"
            )
        try:
            socket.create_connection((host.strip("[]"), int(port)), CONNECT_TIMEOUT_S).close()
        except OSError as exc:
            raise ConfigError(
                f"no Ray cluster answers at {address} ({exc.strerror or exc}); start one with"
                " `ray start --head`, or use --ray local"
            ) from None
    try:
        ray.init(address=address, log_to_driver=False, logging_level="WARNING")
    except ConnectionError as exc:
        raise ConfigError(
            f"could not join the Ray cluster at {address}: {str(exc).splitlines()[0]}"
            " (start one with `ray start --head`, or use --ray local)"
        ) from None


def _alive_nodes(ray: Any) -> tuple[tuple[float, float], ...]:
    return tuple(
        (float(node["Resources"].get("CPU", 0)), float(node["Resources"].get("GPU", 0)))
        for node in ray.nodes()
        if node.get("Alive")
    )


def _configure_data(ray: Any) -> None:
    """Ray Data as the corpus jobs want it: quiet, and a lost batch does not fail the job."""
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    # An actor that dies on the same batch every time (a poison article) would be retried
    # without end by default; with bounded retries (see pool.py) its batch is given up and
    # the job goes on: its articles stay missing, reported, and the next run retries them.
    context.max_errored_blocks = -1
