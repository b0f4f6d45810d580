"""The load generator: a bounded list of requests at a fixed concurrency, timed one by one.

Works the same for any system: it takes an async ``call`` that sends one
request and returns the answer's bytes. ``concurrency`` workers take requests
from a shared queue until the requests or the time budget run out; every
answer's bytes are kept once per distinct body, keyed by request, so that all
of them are checked after the clock stops (hashing is all that happens while
it runs).
"""

import asyncio
import gc
import hashlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bench.answers import BadAnswerError


@dataclass(frozen=True)
class Request:
    """One request: which query, which parameter index (its key is ``query#index``).

    ``salt``, when set, makes the query text unique (a trailing comment) so
    that no answer cache can serve it: the engine must evaluate every request.
    It does not change the answer, so it is not part of the key.
    """

    query: str
    index: int
    salt: str | None = None

    @property
    def key(self) -> str:
        """``query#index``: the same request gets the same key on every system."""
        return f"{self.query}#{self.index}"


Call = Callable[[Request], Awaitable[bytes]]


@dataclass
class RunStats:
    """Latencies and answers of one run."""

    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bodies: dict[str, dict[str, bytes]] = field(default_factory=dict)
    stopped_early: bool = False

    @property
    def throughput(self) -> float:
        """Answered requests per second of wall time."""
        return len(self.latencies) / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, fraction: float) -> float:
        """The latency below which ``fraction`` of answers came (nearest rank), in seconds.

        >>> RunStats(latencies=[0.1, 0.2, 0.3, 0.4]).percentile(0.5)
        0.2
        """
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.4999)))
        return ordered[rank - 1]

    def summary(self) -> dict[str, float | int | bool]:
        """The numbers a report needs (milliseconds for latencies)."""
        return {
            "requests": self.requests,
            "answered": len(self.latencies),
            "errors": len(self.errors),
            "seconds": round(self.seconds, 4),
            "throughput": round(self.throughput, 3),
            "p50_ms": round(self.percentile(0.50) * 1000, 3),
            "p95_ms": round(self.percentile(0.95) * 1000, 3),
            "p99_ms": round(self.percentile(0.99) * 1000, 3),
            "stopped_early": self.stopped_early,
        }


async def run_load(
    call: Call, requests: Sequence[Request], *, concurrency: int, time_budget: float
) -> RunStats:
    """Send ``requests`` with ``concurrency`` in flight; stop taking new ones after the budget.

    The load generator's own garbage collector is off while the clock runs: a
    full collection in this process stalls every request in flight for
    10-15 ms (the kept bodies make it slow), and with a few hundred requests
    that stall alone would be the p99 of whichever system it fell on.
    """
    gc.collect()
    gc.disable()
    try:
        return await _run_load(call, requests, concurrency=concurrency, time_budget=time_budget)
    finally:
        gc.enable()


async def _run_load(
    call: Call, requests: Sequence[Request], *, concurrency: int, time_budget: float
) -> RunStats:
    stats = RunStats(requests=len(requests))
    queue: asyncio.Queue[Request] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    started = time.perf_counter()
    deadline = started + time_budget

    async def worker() -> None:
        while not queue.empty():
            if time.perf_counter() > deadline:
                stats.stopped_early = True
                return
            request = queue.get_nowait()
            sent = time.perf_counter()
            try:
                body = await call(request)
            except BadAnswerError as error:
                stats.errors.append(f"{request.key}: {error}")
                continue
            stats.latencies.append(time.perf_counter() - sent)
            digest = hashlib.blake2b(body, digest_size=16).hexdigest()
            stats.bodies.setdefault(request.key, {}).setdefault(digest, body)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    stats.seconds = time.perf_counter() - started
    return stats
