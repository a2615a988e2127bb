"""Translation engines behind one interface (:class:`~service.engines.base.Engine`).

:data:`ENGINES` is the one registry of engine names: the CLI's ``--engine`` choices, the
settings check and the benchmark read it. Engine modules import torch and CTranslate2 only
when a model is loaded, so ``import service.engines`` (and ``audarma --help``) stays light.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ConfigError, ModelLoadError
from ..settings import Settings
from .base import DecodeOptions, Engine, Hypothesis
from .ctranslate2_engine import CTranslate2Engine
from .transformers_engine import TransformersEngine

__all__ = ["ENGINES", "ENGINE_NAMES", "DecodeOptions", "Engine", "Hypothesis", "load_engine"]


def _ctranslate2(settings: Settings) -> Engine:
    try:
        return CTranslate2Engine.from_settings(settings)
    except ModuleNotFoundError as exc:  # an install without the ctranslate2 wheel
        if exc.name != "ctranslate2":
            raise
        raise ModelLoadError(
            "the ctranslate2 engine needs the ctranslate2 package (it is missing):"
            " pip install ctranslate2, or use --engine transformers"
        ) from exc


#: Engine name -> loader: the one registry of engine names.
ENGINES: dict[str, Callable[[Settings], Engine]] = {
    "ctranslate2": _ctranslate2,
    "transformers": TransformersEngine.from_settings,
}
ENGINE_NAMES = tuple(ENGINES)


def load_engine(settings: Settings) -> Engine:
    """Load the engine and model ``settings`` name (``settings.engine``, ``settings.model``)."""
    name = (settings.engine or "").strip().lower()
    loader = ENGINES.get(name)
    if loader is None:
        raise ConfigError(
            f"unknown engine {settings.engine!r}; choose one of: {', '.join(sorted(ENGINES))}"
        )
    return loader(settings)
