"""A Ray Data job over blocks of work: an actor pool of workers, results streamed back.

The driver hands Ray one block per group (``ray.data.from_arrow_refs``: nothing before the
pool needs a CPU, so a pool that fills the cluster cannot starve a reader and hang), the pool
of :mod:`.workers` maps each block with one loaded engine per actor, and the driver consumes
the output blocks as they finish, in whatever order. An actor that dies (killed, out of
memory) is restarted by Ray and its block retried, at most :data:`MAX_TASK_RETRIES` times: an
article that kills its actor every time would otherwise be retried forever. A block given up
that way is dropped (the job goes on) and its articles are reported missing; the next run
retries them.
"""

from __future__ import annotations

import dataclasses
import os
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import AudarmaError, ConfigError
from ..settings import ENV_PREFIX, Settings
from .cluster import LOCAL, Cluster, import_ray

#: Retries of a block whose actor died, after the first attempt.
MAX_TASK_RETRIES = 2
#: Settings whose default is a path on the machine that computes it: an actor on another node
#: computes its own (its home, its cache) unless the driver was given one explicitly.
NODE_PATHS = ("cache_dir", "data_dir")


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide a job runs (``--ray``, ``--ray-actors`` ... flags)."""

    address: str = LOCAL
    #: Actors in the pool; 0: as many as fit the cluster.
    actors: int = 0
    cpus_per_actor: float = 2.0
    gpus_per_actor: float = 0.0
    #: Test-only: an actor exits as if killed on its Nth call (once per output folder).
    test_exit_on_batch: int = 0

    @classmethod
    def from_settings(cls, address: str, settings: Settings, **changes: Any) -> RayOptions:
        """The options the settings table gives (``ray_actors`` ...), with ``changes``."""
        return cls(
            address=address,
            actors=settings.ray_actors,
            cpus_per_actor=settings.ray_cpus_per_actor,
            gpus_per_actor=settings.ray_gpus_per_actor,
            **changes,
        )


def worker_settings(settings: Settings, options: RayOptions) -> dict[str, Any]:
    """The settings an actor builds its translator from.

    Everything the driver resolved travels (so an actor translates exactly as the driver
    would), except paths that were only defaults of this machine. Engine threads are pinned
    to the CPUs an actor reserves when the setting leaves them to the engine: Ray gives every
    actor ``OMP_NUM_THREADS`` = its CPUs, and an engine sizing itself to the whole node would
    make the actors of a node fight over its cores.
    """
    values = dataclasses.asdict(settings)
    for field in dataclasses.fields(Settings):
        if field.name in NODE_PATHS and ENV_PREFIX + field.name.upper() not in os.environ:
            default = field.default_factory()  # type: ignore[misc]
            if values[field.name] == default:
                del values[field.name]
    if not values["threads"]:
        values["threads"] = max(1, int(options.cpus_per_actor))
    return values


def run_pool(
    blocks: Iterable[Any],
    worker: type,
    kwargs: dict[str, Any],
    options: RayOptions,
    cluster: Cluster,
    consume: Callable[[Any], None],
    *,
    blocks_total: int,
) -> int:
    """Map ``blocks`` (pyarrow tables) with a pool of ``worker`` actors and hand each output
    block to ``consume`` as it arrives. Returns the pool's size."""
    ray = import_ray()
    from ray.exceptions import RayError

    if options.cpus_per_actor <= 0 and options.gpus_per_actor <= 0:
        raise ConfigError(
            "an actor needs CPUs or GPUs: --ray-cpus-per-actor and"
            " --ray-gpus-per-actor cannot both be 0"
        )
    size = cluster.pool_size(options.actors, options.cpus_per_actor, options.gpus_per_actor)
    size = max(1, min(size, blocks_total))  # an actor without a block would load for nothing
    refs = [ray.put(block) for block in blocks]
    dataset = ray.data.from_arrow_refs(refs)
    with warnings.catch_warnings():
        # Bounding the retries of a block needs the actor's remote arguments, which Ray
        # deprecates for removal in 2.64 (hence the extra's bound); without the bound a
        # poison article would be retried for ever.
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = dataset.map_batches(
            worker,
            fn_constructor_kwargs=kwargs,
            # One group per actor at a time: an idle actor takes the next group (no queue
            # behind a slow one at the end of a job), and an actor that dies takes only its
            # own group's retries with it, not those of groups queued behind it.
            compute=ray.data.ActorPoolStrategy(size=size, max_tasks_in_flight_per_actor=1),
            num_cpus=options.cpus_per_actor,
            num_gpus=options.gpus_per_actor or None,
            batch_size=None,  # one block, one group: the groups one process translates
            batch_format="pyarrow",
            zero_copy_batch=True,
            max_task_retries=MAX_TASK_RETRIES,
        )
    # No prefetching: with it, Ray hands over each block only once the next one is ready,
    # so results would reach the store (and progress) a whole group late.
    batches = dataset.iter_batches(batch_size=None, batch_format="pyarrow", prefetch_batches=0)
    try:
        for output in batches:
            if "fatal" in output.column_names:
                raise AudarmaError(output.column("fatal")[0].as_py())
            consume(output)
    except RayError as exc:
        raise AudarmaError(_job_failure(exc)) from None
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()
    return size


def _job_failure(exc: BaseException) -> str:
    """One line for a job Ray gave up: the root cause Ray's message ends with, if it names
    one (the last ``SomethingError: ...`` line of the traceback it carries)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    causes = [line for line in lines if _CAUSE.match(line)]
    cause = causes[-1] if causes else (lines[0] if lines else type(exc).__name__)
    if cause.startswith("ModuleNotFoundError"):
        return (
            f"Ray's workers cannot import Audarma ({cause}); install the same audarma[ray]"
            " on every node of the cluster"
        )
    return f"the Ray job failed: {cause}"


_CAUSE = re.compile(r"^[A-Za-z_.]*(Error|Exception): ")
