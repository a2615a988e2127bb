"""How CTranslate2 runs fast on this machine: device, compute type, threads, batches, memory.

Every number behind these choices is in ``docs/speed.md``; the functions are small and pure
where they can be, so the policy is testable without a model.
"""

from __future__ import annotations

import ctypes
import math
import os
import platform
import re
import sys
from dataclasses import dataclass

from ..errors import ConfigError
from .convert import QUANTIZATIONS, normalize_quantization
from .device import resolve_device

#: Best first. CPU: int8 GEMMs (VNNI where present) at a quarter of the float32 weight
#: traffic; CTranslate2 has no bfloat16 on CPU. CUDA: int8 weights with float16 activations.
COMPUTE_PREFERENCE = {
    "cpu": ("int8", "int8_float32", "int16", "float32"),
    "cuda": ("int8_float16", "float16", "int8_bfloat16", "bfloat16", "float32"),
}


def usable_cores() -> int:
    """CPU cores this process may run on (respects taskset / cpusets)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def cpu_name() -> str:
    """The CPU model string (Linux), else the platform's processor name."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


#: Decoder rows (sentences x beam) per CTranslate2 sub-batch under beam search. Measured on
#: 2 cores at beam 4 (docs/speed.md): 8 and 16 sentences per sub-batch decode equally fast,
#: 32 at once 20% slower and with 2x the memory: every step re-gathers each row's
#: attention cache, and past a few dozen rows that copying outgrows the products it feeds.
#: Another host may prefer another size: :mod:`.autotune` measures it.
BEAM_ROWS = 32

_LAYOUT = re.compile(r"(\d+)x(\d+)(?:/(split|shared))?(?::(\d+))?")


@dataclass(frozen=True)
class ThreadLayout:
    """How CTranslate2 uses the CPU: parallel translators, threads each, greedy splitting,
    and how many decoder rows a beam-search sub-batch holds."""

    translators: int
    threads: int
    #: Greedy batches are split across the translators (else one translator takes a batch).
    split_greedy: bool
    beam_rows: int = BEAM_ROWS

    def __str__(self) -> str:
        split = "/split" if self.split_greedy else ""
        return f"{self.translators}x{self.threads}{split}:{self.beam_rows}"

    @classmethod
    def parse(cls, text: str) -> ThreadLayout:
        """``"2x1/split:16"``: translators x threads, greedy split or shared, beam rows."""
        match = _LAYOUT.fullmatch(text.strip().lower())
        if not match or int(match[1]) < 1 or int(match[2]) < 1:
            raise ConfigError(
                f"thread layout {text!r} is not TRANSLATORSxTHREADS[/split|/shared][:BEAM_ROWS],"
                " e.g. 2x1/split:16, or auto"
            )
        rows = int(match[4]) if match[4] else BEAM_ROWS
        if rows < 1:
            raise ConfigError(f"thread layout {text!r}: beam rows must be positive")
        return cls(int(match[1]), int(match[2]), match[3] == "split", rows)


def thread_layout(threads: int = 0, cores: int | None = None) -> ThreadLayout:
    """The layout for a budget of ``threads`` (0: every usable core).

    Measured on 2 cores at batch 32 (docs/speed.md). Greedy: one translator with both
    threads (2.9 ms/token) beats two single-threaded ones on half-batches (3.2): MKL's int8
    matrix products re-lay out their operands on every call, and two translators pay that
    twice. Beam search: two translators on separate sub-batches win (10.1 vs 11.1 ms/token),
    because each step's serial cache copying and top-k of one overlaps the other's matrix
    products. Two translators of *all* threads each get both: a greedy batch runs on one of
    them with every thread, beam sub-batches run two at a time. With 4 or more threads,
    translators own disjoint threads instead (2 translators, or translators of 4 threads
    past 8), so busy translators never oversubscribe the machine.
    """
    total = threads if threads > 0 else (cores or usable_cores())
    if total <= 1:
        return ThreadLayout(1, 1, split_greedy=False)
    if total < 4:
        return ThreadLayout(2, total, split_greedy=False)
    translators = 2 if total < 8 else total // 4
    return ThreadLayout(translators, total // translators, split_greedy=True)


def candidate_layouts(threads: int) -> list[ThreadLayout]:
    """The layouts worth timing for a budget of ``threads`` (:func:`thread_layout` first).

    One translator with every thread; two translators sharing every thread (greedy on one,
    beam sub-batches two at a time); translators owning disjoint threads. Each with beam
    sub-batches of 16 and 32 rows.
    """
    if threads <= 1:
        return [ThreadLayout(1, 1, split_greedy=False)]
    shapes = [(1, threads, False), (2, threads, False), (2, max(1, threads // 2), True)]
    if threads >= 8:
        shapes.append((threads // 4, 4, True))
    layouts = [thread_layout(threads)]
    for translators, each, split in shapes:
        for rows in (16, BEAM_ROWS):
            layout = ThreadLayout(translators, each, split, rows)
            if layout not in layouts:
                layouts.append(layout)
    return layouts


def sub_batch_size(sentences: int, beam: int, layout: ThreadLayout) -> int:
    """Sentences per CTranslate2 sub-batch (0: the whole batch at once)."""
    size = sentences
    if beam > 1:
        size = min(size, max(1, layout.beam_rows // beam))
    elif layout.split_greedy and layout.translators > 1:
        size = math.ceil(sentences / layout.translators)
    return 0 if size >= sentences else size


def keep_buffers_in_heap() -> bool:
    """Let glibc reuse freed decoding buffers instead of returning them to the OS (Linux).

    Each decoding step allocates fresh activation, logits and beam-reordering buffers of
    megabytes. Above glibc's default threshold those come from ``mmap`` and go back with
    ``munmap``, so every step pays page faults on memory it just released: 20% of a beam-4
    batch (docs/speed.md). Serving them from the heap (up to 32 MiB each, glibc's maximum),
    not trimming it below 1 GiB, and keeping one arena (with one arena per thread, each
    kept its own copy of the buffers: +50% peak memory) made beam 4 1.3x faster and greedy
    1.1x at the same peak memory. Process-wide; freed memory lingers for reuse.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    m_trim_threshold, m_mmap_threshold, m_arena_max = -1, -3, -8
    return all(
        mallopt(option, value)
        for option, value in (
            (m_arena_max, 1),
            (m_mmap_threshold, 32 << 20),
            (m_trim_threshold, 1 << 30),
        )
    )


def resolve_ct2_device(device: str = "auto") -> str:
    """:func:`~.device.resolve_device` for CTranslate2 (which takes no ``:N`` index here)."""
    import ctranslate2

    return resolve_device(
        device, ctranslate2.get_cuda_device_count, f"CTranslate2 {ctranslate2.__version__}"
    ).split(":", 1)[0]


def choose_compute_type(device: str, requested: str = "auto") -> str:
    """The compute type for ``device``: the requested one if supported, else the best one."""
    import ctranslate2

    supported = set(ctranslate2.get_supported_compute_types(device))
    value = (requested or "auto").strip().lower()
    if value in ("auto", "default"):
        for candidate in COMPUTE_PREFERENCE[device]:
            if candidate in supported:
                return candidate
        return "float32"
    if value not in QUANTIZATIONS:
        raise ConfigError(
            f"unknown compute type {requested!r}; choose auto or one of: {', '.join(QUANTIZATIONS)}"
        )
    if value not in supported:
        raise ConfigError(
            f"compute type {value!r} is not supported on {device} here; supported: "
            + ", ".join(sorted(supported))
        )
    return value


def storage_quantization(compute_type: str) -> str:
    """How to store weights for ``compute_type`` (loading could convert; storing it is smaller)."""
    return normalize_quantization(compute_type)
