"""The ways of running a model that ``audarma bench`` compares, and which one is the default.

A *path* is an engine with its settings (dtype, compute type, batching, shortlist). The naive
path (transformers, float32, one sentence per ``generate`` call) is the baseline every ratio is
measured against; the default path is whatever ``Translator()`` runs on this CPU with the
current settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..engines import ENGINE_NAMES
from ..engines.device import cpu_has_native_bf16, resolve_dtype
from ..engines.tuning import choose_compute_type
from ..errors import ConfigError
from ..settings import Settings

#: The baseline row's name.
NAIVE = "naive"
#: What ``--paths`` calls the default CPU path, whatever its row is named on this machine.
DEFAULT_ALIAS = "default"


@dataclass(frozen=True)
class PathSpec:
    """One way of running the model."""

    name: str
    engine: str  # one of ENGINE_NAMES
    description: str
    dtype: str = "float32"  # transformers
    compute_type: str = ""  # ctranslate2
    one_by_one: bool = False
    shortlist: bool = False


def default_path_name(settings: Settings) -> str:
    """The row that is what ``Translator()`` runs on this CPU with these settings."""
    if settings.engine == "ctranslate2":
        name = f"ct2-{choose_compute_type('cpu', settings.compute_type)}"
        return name + ("-shortlist" if settings.shortlist else "")
    if settings.dtype == "auto":  # the full-size models the bench is for: bf16 where native
        return "transformers-" + ("bfloat16" if cpu_has_native_bf16() else "float32")
    return "transformers-" + str(resolve_dtype("cpu", settings.dtype)).removeprefix("torch.")


def candidate_paths(
    engines: Sequence[str] = ENGINE_NAMES,
    names: Sequence[str] | None = None,
    shortlist: bool = True,
    default: str | None = None,
) -> list[PathSpec]:
    """Every applicable path for ``engines`` on this CPU (only ``names``, when given, where
    ``default`` stands for the ``default`` row's name)."""
    import ctranslate2

    paths: list[PathSpec] = []
    if "transformers" in engines:
        paths.append(
            PathSpec(
                NAIVE, "transformers", "transformers fp32, one sentence per call", one_by_one=True
            )
        )
        paths.append(PathSpec("transformers-float32", "transformers", "transformers fp32, batched"))
        if cpu_has_native_bf16():
            paths.append(
                PathSpec(
                    "transformers-bfloat16",
                    "transformers",
                    "transformers bf16, batched",
                    dtype="bfloat16",
                )
            )
    if "ctranslate2" in engines:
        supported = set(ctranslate2.get_supported_compute_types("cpu"))
        for compute in ("int8", "int16", "float32"):
            if compute in supported:
                paths.append(
                    PathSpec(
                        f"ct2-{compute}",
                        "ctranslate2",
                        f"CTranslate2 {compute}, batched",
                        compute_type=compute,
                    )
                )
        if shortlist and "int8" in supported:
            paths.append(
                PathSpec(
                    "ct2-int8-shortlist",
                    "ctranslate2",
                    "CTranslate2 int8, batched, target-script shortlist",
                    compute_type="int8",
                    shortlist=True,
                )
            )
    if names:
        names = [default if name == DEFAULT_ALIAS and default else name for name in names]
        known = {p.name for p in paths}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ConfigError(
                f"unknown bench path(s) {', '.join(unknown)}; choose from: {', '.join(known)}"
            )
        paths = [p for p in paths if p.name in names]
    if not paths:
        raise ConfigError("no bench path selected")
    return paths
