"""What every system is put through, in the same order: check pass, each query, the mix.

1. **check pass**: every query with its first few parameters, one request at a time;
2. **per query**: ``requests`` requests of that query at ``concurrency``;
3. **mix**: ``mix_requests`` requests of all queries, shuffled with a fixed seed.

The plan is the same on every system (same keys, same texts), so that each
answer can be compared with the reference answer for its key.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.loadgen import Call, Request, RunStats, run_load
from bench.queries import BenchQuery


@dataclass(frozen=True)
class Plan:
    """How much load: requests per query, the mix's size, concurrency and time budgets."""

    requests: int = 30
    mix_requests: int = 200
    concurrency: int = 4
    check_params: int = 3
    query_budget: float = 20.0
    mix_budget: float = 60.0
    seed: int = 7

    def check_requests(self, mix: list[BenchQuery]) -> list[Request]:
        """The check pass: each query with its first parameters."""
        return [
            Request(query.name, index)
            for query in mix
            for index in range(min(self.check_params, max(1, len(query.params))))
        ]

    def query_requests(self, query: BenchQuery) -> list[Request]:
        """The per-query run of ``query``."""
        return [Request(query.name, index) for index in range(self.requests)]

    def mix_plan(self, mix: list[BenchQuery]) -> list[Request]:
        """The mixed run: queries in turn, shuffled with the plan's seed."""
        requests = [
            Request(mix[i % len(mix)].name, i // len(mix)) for i in range(self.mix_requests)
        ]
        random.Random(self.seed).shuffle(requests)
        return requests

    def keys(self, mix: list[BenchQuery]) -> set[str]:
        """Every request key the plan may send."""
        requests = self.check_requests(mix) + self.mix_plan(mix)
        for query in mix:
            requests += self.query_requests(query)
        return {request.key for request in requests}


@dataclass
class WorkloadResult:
    """One system's runs: per query, the mix, and all answers (bodies per key)."""

    check: RunStats
    queries: dict[str, RunStats] = field(default_factory=dict)
    mix: RunStats | None = None
    skipped: dict[str, str] = field(default_factory=dict)

    def bodies(self) -> dict[str, dict[str, bytes]]:
        """Every distinct answer body, per request key, over all runs."""
        merged: dict[str, dict[str, bytes]] = {}
        runs = [self.check, *self.queries.values(), *([self.mix] if self.mix else [])]
        for run in runs:
            for key, bodies in run.bodies.items():
                merged.setdefault(key, {}).update(bodies)
        return merged

    def errors(self) -> list[str]:
        """Every error of every run."""
        runs = [self.check, *self.queries.values(), *([self.mix] if self.mix else [])]
        return [error for run in runs for error in run.errors]


async def exercise(
    call: Call,
    mix: list[BenchQuery],
    plan: Plan,
    *,
    skipped: dict[str, str] | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> WorkloadResult:
    """Put one system through the plan; ``skipped`` names queries it cannot answer, and why."""
    skipped = dict(skipped or {})
    active = [query for query in mix if query.name not in skipped]
    result = WorkloadResult(
        check=await run_load(
            call, plan.check_requests(active), concurrency=1, time_budget=float("inf")
        ),
        skipped=skipped,
    )
    for query in active:
        stats = await run_load(
            call,
            plan.query_requests(query),
            concurrency=plan.concurrency,
            time_budget=plan.query_budget,
        )
        result.queries[query.name] = stats
        progress(
            f"  {query.name:<40} {stats.throughput:9.1f} req/s  "
            f"p99 {stats.percentile(0.99) * 1000:9.1f} ms"
            + ("  (time budget hit)" if stats.stopped_early else "")
        )
    result.mix = await run_load(
        call, plan.mix_plan(active), concurrency=plan.concurrency, time_budget=plan.mix_budget
    )
    return result
