"""Length-sorted, token-budget batches.

Sorting by length keeps padding (wasted compute) low; the token budget bounds memory, so a
batch of long sentences gets fewer of them than a batch of short ones.
"""

from __future__ import annotations

from collections.abc import Sequence


def plan_batches(lengths: Sequence[int], batch_tokens: int, max_batch_size: int) -> list[list[int]]:
    """Group item indices into batches, longest first.

    A batch's cost is ``len(batch) * longest item`` (the padded size); it stays within
    ``batch_tokens`` unless a single item alone exceeds it, and has at most ``max_batch_size``
    items.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for index in order:
        size = max(1, lengths[index])
        widest = max(longest, size)
        if current and (
            len(current) >= max_batch_size or widest * (len(current) + 1) > batch_tokens
        ):
            batches.append(current)
            current, widest = [], size
        current.append(index)
        longest = widest
    if current:
        batches.append(current)
    return batches
