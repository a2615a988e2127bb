"""Choosing CTranslate2's thread layout by measuring it on this machine, once.

The best split of a CPU between parallel translators, and the best beam sub-batch size,
depend on the host: on one 2-core Xeon with AMX two translators sharing both threads won at
beam 4, on a 2-core AVX-512 host without AMX the ratios moved by 40%. So instead of
constants, the first use of a converted model on a machine times the few candidate layouts
(:func:`~.tuning.candidate_layouts`) on a short pass of real NTREX sentences decoded to fixed
lengths, greedy and at beam 4, within a time budget, and keeps the fastest in
``tuning.json`` next to the model, keyed by CPU model, core count, thread budget and compute
type. Later loads read it. The ``thread_layout`` setting (``AUDARMA_THREAD_LAYOUT``)
overrides the choice.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .tuning import ThreadLayout, candidate_layouts, cpu_name, sub_batch_size, usable_cores

TUNING_FILE = "tuning.json"
#: Seconds the measurement may take at most (the candidates not reached are not timed).
DEFAULT_BUDGET_S = 20.0
#: Output tokens per sentence in the timed passes, and the beam width timed besides greedy.
PASS_TOKENS = 16
PASS_BEAM = 4


@dataclass(frozen=True)
class LayoutChoice:
    """The layout in use and where it came from: ``setting``, ``tuned`` or ``measured now``."""

    layout: ThreadLayout
    source: str
    #: Seconds per candidate (greedy + beam pass), when measured.
    timings: dict[str, float] | None = None

    def __str__(self) -> str:
        return f"{self.layout} ({self.source})"


def tuning_key(threads: int, compute_type: str) -> str:
    """What a stored choice is valid for: this CPU model, its cores, the budget, the type."""
    return f"{cpu_name()}|cores={usable_cores()}|threads={threads}|{compute_type}"


def read_choice(model_dir: Path, key: str) -> ThreadLayout | None:
    """The stored layout for ``key``, if this folder has one."""
    path = Path(model_dir) / TUNING_FILE
    try:
        stored = json.loads(path.read_text(encoding="utf-8")).get(key)
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(stored, dict) or not isinstance(stored.get("layout"), str):
        return None
    try:
        return ThreadLayout.parse(stored["layout"])
    except ConfigError:
        return None


def store_choice(model_dir: Path, key: str, choice: LayoutChoice) -> bool:
    """Remember ``choice`` for ``key`` (atomically); ``False`` when the folder is read-only."""
    path = Path(model_dir) / TUNING_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        data = {}
    data[key] = {"layout": str(choice.layout), "timings": choice.timings}
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{TUNING_FILE}.", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            Path(temporary).unlink()
        return False
    return True


def measure(
    make_translator: Callable[[ThreadLayout], Any],
    sources: Sequence[Sequence[str]],
    target_prefix: Sequence[Sequence[str]],
    layouts: Sequence[ThreadLayout],
    budget_s: float = DEFAULT_BUDGET_S,
) -> dict[ThreadLayout, float]:
    """Seconds of one greedy and one beam pass per layout, until the budget is spent.

    Every pass decodes the same sources to exactly :data:`PASS_TOKENS` tokens, so layouts
    differ only in speed. A warm-up call first pays each translator's one-off costs.
    """
    started = time.monotonic()
    timings: dict[ThreadLayout, float] = {}
    for layout in layouts:
        if timings and time.monotonic() - started > budget_s:
            break
        translator = make_translator(layout)
        _pass(translator, sources[:1], target_prefix[:1], 1, layout)  # warm-up
        begin = time.perf_counter()
        for beam in (1, PASS_BEAM):
            _pass(translator, sources, target_prefix, beam, layout)
        timings[layout] = time.perf_counter() - begin
        del translator
    return timings


def _pass(
    translator: Any,
    sources: Sequence[Sequence[str]],
    target_prefix: Sequence[Sequence[str]],
    beam: int,
    layout: ThreadLayout,
) -> None:
    translator.translate_batch(
        [list(s) for s in sources],
        target_prefix=[list(p) for p in target_prefix],
        beam_size=beam,
        max_batch_size=sub_batch_size(len(sources), beam, layout),
        max_input_length=0,
        max_decoding_length=PASS_TOKENS + 1,
        min_decoding_length=PASS_TOKENS + 1,
    )


def choose_layout(
    setting: str,
    threads: int,
    model_dir: Path,
    compute_type: str,
    make_translator: Callable[[ThreadLayout], Any],
    workload: Callable[[], tuple[list[list[str]], list[list[str]]]],
    budget_s: float = DEFAULT_BUDGET_S,
) -> LayoutChoice:
    """The layout to use: the setting's, the stored one, or the fastest measured now.

    ``workload()`` gives the source tokens and target prefixes to time (only called when a
    measurement is needed); ``make_translator(layout)`` loads the model with that layout.
    """
    if setting.strip().lower() not in ("", "auto"):
        return LayoutChoice(ThreadLayout.parse(setting), "setting")
    candidates = candidate_layouts(threads)
    if len(candidates) == 1:
        return LayoutChoice(candidates[0], "only choice")
    key = tuning_key(threads, compute_type)
    stored = read_choice(model_dir, key)
    if stored is not None:
        return LayoutChoice(stored, "tuned")
    sources, prefixes = workload()
    timings = measure(make_translator, sources, prefixes, candidates, budget_s)
    best = min(timings, key=timings.__getitem__)
    choice = LayoutChoice(best, "measured now", {str(k): round(v, 4) for k, v in timings.items()})
    store_choice(model_dir, key, choice)
    return choice


def stored_choices(model_dir: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every stored choice of a model folder (for ``audarma bench`` to report)."""
    path = Path(model_dir) / TUNING_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict):
        yield from ((k, v) for k, v in data.items() if isinstance(v, dict))
