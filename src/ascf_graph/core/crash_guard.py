"""Slowing down a client whose requests keep crashing workers.

A query that runs a worker out of memory, or crashes the engine, costs more
than its own answer: the worker is replaced, and its successor copies the
store into memory again. An upload that crashes, exhausts or outlasts an
input worker costs a new worker too. One client sending such requests in a
loop would keep a pool restarting. So each crash is counted against the
client's address; after ``limit`` crashes within ``window`` seconds its
requests of that kind are refused with 429 and ``Retry-After`` until the
oldest of them leaves the window.

Memory stays bounded: at most ``max_clients`` addresses are remembered, the
least recently crashing forgotten first.
"""

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from ascf_graph.core.errors import TooManyCrashesError


class CrashGuard:
    """Crashes per client address within a sliding window."""

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        requests: str = "queries",
        workers: str = "query workers",
        setting: str = "ASCF_QUERY_CRASH_LIMIT",
    ) -> None:
        """``requests``, ``workers`` and ``setting`` name, in the refusal's message, what the
        client sent, what it crashed and the setting of ``limit``."""
        self.limit, self.window = limit, window
        self._words = requests, workers, setting
        self._max_clients = max_clients
        self._clock = clock
        self._crashes: OrderedDict[str, deque[float]] = OrderedDict()

    def check(self, client: str | None) -> None:
        """Raise :class:`TooManyCrashesError` if ``client`` is to wait; None is never held up.

        >>> guard = CrashGuard(2, 60, clock=lambda: 100.0)
        >>> guard.record("192.0.2.1"); guard.check("192.0.2.1")
        >>> guard.record("192.0.2.1"); guard.check("192.0.2.1")
        Traceback (most recent call last):
        ascf_graph.core.errors.TooManyCrashesError: ...
        """
        if client is None or self.limit <= 0:
            return
        recent = self._recent(client)
        if len(recent) < self.limit:
            return
        wait = math.ceil(recent[0] + self.window - self._clock())
        requests, workers, setting = self._words
        raise TooManyCrashesError(
            f"{requests} from your address crashed {workers} {len(recent)} times in the last "
            f"{self.window:g} s (at most {self.limit}: {setting}); wait {wait} s "
            f"and send {requests} that stay within the service's limits",
            retry_after=max(1, wait),
        )

    def record(self, client: str | None) -> None:
        """Count one crash against ``client``."""
        if client is None or self.limit <= 0:
            return
        recent = self._recent(client)
        recent.append(self._clock())
        while len(recent) > self.limit:
            recent.popleft()
        self._crashes[client] = recent
        self._crashes.move_to_end(client)
        while len(self._crashes) > self._max_clients:
            self._crashes.popitem(last=False)

    @property
    def remembered(self) -> int:
        """How many client addresses are remembered (not ``__len__``: an empty guard must
        not be falsy)."""
        return len(self._crashes)

    def _recent(self, client: str) -> deque[float]:
        recent = self._crashes.get(client, deque())
        horizon = self._clock() - self.window
        while recent and recent[0] <= horizon:
            recent.popleft()
        if not recent:
            self._crashes.pop(client, None)
        return recent
