"""Per-key quotas on top of the ``limits`` library (the engine slowapi is built on).

Each API key has a rate such as ``60/minute``. Every request of the key costs one, and a job
costs one per article, so a script cannot get around its quota by packing a day's articles
into one request. The moving-window strategy counts exactly the hits of the last window (no
burst of twice the rate across a fixed window's edge) and takes a per-call ``cost``, which
the jobs endpoint needs.

Why ``limits`` itself and not slowapi: slowapi applies limits through a decorator on each
route, needs a ``request`` parameter in every endpoint, answers in its own error shape, and
would have to look the key up a second time and re-read a job's body to learn its cost. Here
one guard authenticates the key and charges it in the same place, and the jobs route charges
its articles once the body is parsed.
"""

from __future__ import annotations

import math
import re
import threading
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from ..errors import AudarmaError, ConfigError, InputTooLargeError

#: The units a rate may use.
UNITS = ("second", "minute", "hour")
_RATE = re.compile(r"\s*(\d+)\s*/\s*(second|minute|hour)s?\s*", re.IGNORECASE)


class RateLimitedError(AudarmaError):
    """The key used its quota; the answer carries ``Retry-After``."""

    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def parse_rate(text: str) -> str:
    """``"60/minute"`` (also ``60/minutes``, spaces allowed) in its normal form, or a
    :class:`ConfigError` saying what a rate looks like."""
    match = _RATE.fullmatch(text or "")
    if not match or int(match.group(1)) < 1:
        raise ConfigError(
            f"bad rate {text!r}: use N/second, N/minute or N/hour with N at least 1, e.g. 60/minute"
        )
    return f"{int(match.group(1))}/{match.group(2).lower()}"


class RateLimiter:
    """Moving-window quotas per key, in this process's memory.

    Counts live in memory: a restart forgives what was used in the current window, which
    errs on the side of the caller and needs no store of its own.
    """

    def __init__(self) -> None:
        self._strategy = MovingWindowRateLimiter(MemoryStorage())
        self._items: dict[str, RateLimitItem] = {}
        self._lock = threading.Lock()

    def _item(self, rate: str) -> RateLimitItem:
        with self._lock:
            item = self._items.get(rate)
            if item is None:
                item = self._items[rate] = parse(parse_rate(rate))
            return item

    def hit(self, identity: str, rate: str, cost: int = 1, what: str = "requests") -> None:
        """Charge ``cost`` to ``identity`` under ``rate``, or raise without charging anything.

        :class:`RateLimitedError` (429) when the window has too little left now;
        :class:`InputTooLargeError` (413) when ``cost`` is more than the whole window allows,
        since waiting would never help.
        """
        item = self._item(rate)
        if cost > item.amount:
            raise InputTooLargeError(
                f"{cost} {what} are more than this key's rate allows ({describe(item)});"
                " split the work, or give the key a larger rate"
                " (audarma keys add NAME --rate 1000/hour)"
            )
        if self._strategy.hit(item, identity, cost=cost):
            return
        stats = self._strategy.get_window_stats(item, identity)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimitedError(
            f"rate limit of {describe(item)} reached for this key; retry after {retry_after} s",
            retry_after,
        )


def describe(item: RateLimitItem) -> str:
    """``60 per minute``: a rate as a person reads it."""
    unit = item.GRANULARITY.name
    return f"{item.amount} per {unit}" if item.multiples == 1 else f"{item}"
