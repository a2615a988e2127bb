"""Model-loading rules shared by every engine and summarizer model.

Where a model comes from (a folder or a hub id), whether the hub may be contacted, and how a
load failure becomes one line of advice are the same questions for the transformers engine,
the CTranslate2 converter and the summary models; answering them once keeps their error
messages and offline behaviour identical.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ModelLoadError
from ..settings import is_true


def hub_offline() -> bool:
    """Whether the Hugging Face Hub must not be contacted (read now, not at import)."""
    return any(is_true(os.environ.get(name)) for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def looks_like_path(model: str) -> bool:
    """A hub id is ``name`` or ``org/name``; anything else the user typed is a folder."""
    return model.startswith(("/", ".", "~")) or model.count("/") > 1 or "\\" in model


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, shortened: errors stay one line."""
    text = str(exc).strip().splitlines()
    line = text[0].strip() if text else type(exc).__name__
    return line if len(line) <= 200 else line[:197] + "..."


def load_errors() -> tuple[type[BaseException], ...]:
    """The exception types a model load raises for a bad or unreachable model (not bugs)."""
    errors: list[type[BaseException]] = [OSError, ValueError, ImportError]
    try:  # network failures that transformers does not wrap
        import httpx

        errors.append(httpx.HTTPError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


def missing_model(model: str, exc: BaseException) -> ModelLoadError:
    """One line: which model, why, and how to get it."""
    how = f"download it once with `hf download {model}` or pass --model /path/to/folder"
    if hub_offline():
        return ModelLoadError(f"model {model!r} is not available offline: {how}")
    return ModelLoadError(f"model {model!r} could not be downloaded ({first_line(exc)}): {how}")


def check_folder(model: str) -> Path | None:
    """The model folder, or ``None`` for a hub id; a clear error for a bad folder."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelLoadError(
                f"model folder {model!r} has no config.json; pass a transformers model folder "
                "(config.json, weights and tokenizer files) or a hub id"
            )
        return path
    if path.exists() or looks_like_path(model):
        raise ModelLoadError(
            f"model folder {model!r} does not exist; pass an existing model folder or a hub id "
            "such as facebook/nllb-200-distilled-600M"
        )
    return None
