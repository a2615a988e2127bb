"""Translation engines behind one interface (:class:`~service.engines.base.Engine`).

Engines are imported only when loaded, so ``import service.engines`` (and the CLI's
``--help``) stays free of torch and CTranslate2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import ConfigError, ModelLoadError
from .base import DecodeOptions, Engine, Hypothesis

if TYPE_CHECKING:  # pragma: no cover
    from ..settings import Settings

__all__ = ["ENGINES", "DecodeOptions", "Engine", "Hypothesis", "load_engine"]


def _transformers(settings: Settings) -> Engine:
    from .transformers_engine import TransformersEngine

    return TransformersEngine.from_settings(settings)


def _ctranslate2(settings: Settings) -> Engine:
    try:
        from .ctranslate2_engine import CTranslate2Engine
    except ImportError as exc:  # an optional install without the wheel
        raise ModelLoadError(
            f"the ctranslate2 engine needs the ctranslate2 package ({exc.name} is missing):"
            " pip install ctranslate2, or use --engine transformers"
        ) from exc

    return CTranslate2Engine.from_settings(settings)


#: Engine name -> loader. Loaders import their engine module lazily.
ENGINES: dict[str, Callable[[Settings], Engine]] = {
    "transformers": _transformers,
    "ctranslate2": _ctranslate2,
}


def load_engine(settings: Settings) -> Engine:
    """Load the engine and model ``settings`` name (``settings.engine``, ``settings.model``)."""
    name = (settings.engine or "").strip().lower()
    loader = ENGINES.get(name)
    if loader is None:
        raise ConfigError(
            f"unknown engine {settings.engine!r}; choose one of: {', '.join(sorted(ENGINES))}"
        )
    return loader(settings)
