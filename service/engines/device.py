"""Device and dtype choice, in one place for every engine.

``auto`` must give a laptop user a working CPU setup and a GPU user a fast one without flags;
an explicit ``cuda`` on a machine without a GPU is a configuration error the user can fix, so
it gets a clear message instead of a CUDA stack trace at the first matrix multiply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import torch

DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("auto", "float32", "bfloat16", "float16")


def resolve_device(device: str = "auto") -> str:
    """``auto`` -> ``cuda`` when a GPU is usable, else ``cpu``; ``cuda:N`` is accepted as given."""
    import torch

    choice = (device or "auto").strip().lower()
    kind = choice.split(":", 1)[0]
    if kind not in DEVICES:
        raise ConfigError(f"unknown device {device!r}; choose one of: {', '.join(DEVICES)}")
    if kind == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if kind == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            f"device {device!r} was asked for but no CUDA GPU is available to PyTorch "
            f"(torch {torch.__version__}); use --device cpu or --device auto"
        )
    return choice


def resolve_dtype(device: str, dtype: str = "auto") -> torch.dtype:
    """The weights' dtype for ``device``.

    ``auto``: float32 on CPU (half precision there is slow on most CPUs and not yet measured
    for quality); on a GPU, bfloat16 where supported (no fp16 overflow in long generations),
    else float16. Explicit half precision on CPU is allowed: it is the user's call.
    """
    import torch

    choice = (dtype or "auto").strip().lower()
    if choice not in DTYPES:
        raise ConfigError(f"unknown dtype {dtype!r}; choose one of: {', '.join(DTYPES)}")
    if choice != "auto":
        return getattr(torch, choice)
    if not device.startswith("cuda"):
        return torch.float32
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
