"""Device and dtype choice, in one place for every engine.

``auto`` must give a laptop user a working CPU setup and a GPU user a fast one without flags;
an explicit ``cuda`` on a machine without a GPU is a configuration error the user can fix, so
it gets a clear message instead of a CUDA stack trace at the first matrix multiply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import torch

DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("auto", "float32", "bfloat16", "float16")


def resolve_device(device: str, gpus: Callable[[], int], backend: str) -> str:
    """``auto`` -> ``cuda`` when ``backend`` sees a GPU, else ``cpu``; ``cuda:N`` kept as given.

    ``gpus`` counts the GPUs the backend (PyTorch or CTranslate2) can use; it is only called
    when the answer matters, so choosing ``cpu`` never initialises CUDA.
    """
    choice = (device or "auto").strip().lower()
    kind = choice.split(":", 1)[0]
    if kind not in DEVICES:
        raise ConfigError(f"unknown device {device!r}; choose one of: {', '.join(DEVICES)}")
    if kind == "auto":
        return "cuda" if gpus() > 0 else "cpu"
    if kind == "cuda" and gpus() == 0:
        raise ConfigError(
            f"device {device!r} was asked for but {backend} sees no CUDA GPU;"
            " use --device cpu or --device auto"
        )
    return choice


def resolve_torch_device(device: str = "auto") -> str:
    """:func:`resolve_device` for PyTorch."""
    import torch

    return resolve_device(
        device,
        lambda: torch.cuda.device_count() if torch.cuda.is_available() else 0,
        f"PyTorch {torch.__version__}",
    )


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


def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags (Linux ``/proc/cpuinfo``; empty elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def cpu_has_native_bf16() -> bool:
    """Whether the CPU computes bfloat16 natively (AVX512-BF16 or AMX-BF16; Linux flags).

    PyTorch also "supports" bfloat16 on plain AVX-512 by emulation, which is slower than
    float32, so only the native instructions count.
    """
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


def cpu_has_amx() -> bool:
    """Whether the CPU has AMX tile instructions (int8 or bf16): the speed targets differ."""
    return bool(cpu_flags() & {"amx_int8", "amx_bf16", "amx_tile"})


#: Below this many parameters bfloat16 does not pay on a CPU: the matrices are too small for
#: the bf16 kernels to beat float32, and tiny models are where rounding shows most.
BF16_MIN_PARAMETERS = 100_000_000


def cpu_prefers_bf16(parameters: int) -> bool:
    """Whether ``auto`` should run a model of ``parameters`` in bfloat16 on this CPU.

    Measured on NLLB-600M (docs/speed.md): bfloat16 generated 2.2x faster than float32 in
    batches of 16 on a CPU with AMX/AVX512-BF16. Without native bf16, float32.
    """
    return parameters >= BF16_MIN_PARAMETERS and cpu_has_native_bf16()
