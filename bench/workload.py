"""What every system is put through, in the same order: check pass, each query, mix, repeats.

1. **check pass**: every query with its first few parameters, one request at a time;
2. **per query**: ``requests`` requests of that query at ``concurrency``;
3. **mix**: ``mix_requests`` requests of all queries, shuffled with a fixed seed;
4. **repeats**: ``repeat_requests`` requests drawn from a Zipf distribution
   over a set of distinct questions, so that about ``repeat_share`` of them
   ask again what was asked before, as on a public endpoint.

Runs 1-3 measure evaluation: each request's text is unique (a salt, see
:class:`~bench.loadgen.Request`) and each run asks about parameters the
runs before it did not (disjoint parameter indexes), so no answer or
document cache can serve them. Run 4 measures what caching is worth.

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
    #: Requests per lookup query: lookups take milliseconds, so more of them cost little
    #: and give a p99 that is not simply the slowest of a few.
    lookup_requests: int = 300
    mix_requests: int = 200
    concurrency: int = 4
    check_params: int = 3
    query_budget: float = 20.0
    mix_budget: float = 60.0
    seed: int = 7
    repeat_requests: int = 300
    repeat_share: float = 0.8
    repeat_questions_per_query: int = 20
    #: Queries of the mix this plan leaves out (by name).
    left_out: tuple[str, ...] = ()

    def chosen(self, mix: list[BenchQuery]) -> list[BenchQuery]:
        """The queries of ``mix`` this plan puts to every system."""
        return [query for query in mix if query.name not in self.left_out]

    def check_requests(self, mix: list[BenchQuery]) -> list[Request]:
        """The check pass: each query with its first parameters."""
        return [
            Request(query.name, index, f"check {index}")
            for query in mix
            for index in range(min(self.check_params, max(1, len(query.params))))
        ]

    def requests_of(self, query: BenchQuery) -> int:
        """How many requests the per-query run of ``query`` sends."""
        return self.lookup_requests if query.kind == "lookup" else self.requests

    def query_requests(self, query: BenchQuery) -> list[Request]:
        """The per-query run of ``query`` (parameters after the check pass's)."""
        first = self.check_params
        return [
            Request(query.name, first + i, f"query {i}") for i in range(self.requests_of(query))
        ]

    @property
    def _after_query_runs(self) -> int:
        """The first parameter index no per-query run uses."""
        return self.check_params + max(self.requests, self.lookup_requests)

    def mix_plan(self, mix: list[BenchQuery]) -> list[Request]:
        """The mixed run: queries in turn (parameters after the per-query runs'), shuffled."""
        first = self._after_query_runs
        requests = [
            Request(mix[i % len(mix)].name, first + i // len(mix), f"mix {i}")
            for i in range(self.mix_requests)
        ]
        random.Random(self.seed).shuffle(requests)
        return requests

    def repeat_plan(self, mix: list[BenchQuery]) -> list[Request]:
        """The repeat run: Zipf-distributed draws from distinct questions, repeats kept.

        The questions are each query with ``repeat_questions_per_query``
        parameters after the mix's, each made a distinct text by its own
        salt (``id_lookup`` is a GET of a resource: distinct by parameter).
        They are ranked in a seeded order, and the Zipf exponent is the one
        whose seeded draw repeats closest to ``repeat_share`` of requests.
        """
        first = self._after_query_runs + self.mix_requests
        questions = [
            Request(query.name, first + j, f"repeat {j}")
            for query in mix
            for j in range(self.repeat_questions_per_query)
        ]
        random.Random(self.seed).shuffle(questions)
        low, high = 0.0, 8.0
        for _ in range(40):
            exponent = (low + high) / 2
            if repeated_share(self._zipf_draw(questions, exponent)) < self.repeat_share:
                low = exponent
            else:
                high = exponent
        return self._zipf_draw(questions, high)

    def _zipf_draw(self, questions: list[Request], exponent: float) -> list[Request]:
        weights = [1 / rank**exponent for rank in range(1, len(questions) + 1)]
        return random.Random(self.seed).choices(questions, weights, k=self.repeat_requests)


def repeated_share(requests: list[Request]) -> float:
    """The share of requests that ask a question asked before in the same list.

    >>> repeated_share([Request("q", 1, "a"), Request("q", 1, "a"), Request("q", 2, "b")])
    0.3333333333333333
    """
    if not requests:
        return 0.0
    return (len(requests) - len(set(requests))) / len(requests)


@dataclass
class WorkloadResult:
    """One system's runs: per query, the mix, the repeats, and all answers (bodies per key)."""

    check: RunStats
    queries: dict[str, RunStats] = field(default_factory=dict)
    mix: RunStats | None = None
    repeat: RunStats | None = None
    repeat_share: float = 0.0
    skipped: dict[str, str] = field(default_factory=dict)

    def runs(self) -> list[RunStats]:
        """Every run, in the order they ran."""
        optional = [run for run in (self.mix, self.repeat) if run is not None]
        return [self.check, *self.queries.values(), *optional]

    def bodies(self) -> dict[str, dict[str, bytes]]:
        """Every distinct answer body, per request key, over all runs."""
        merged: dict[str, dict[str, bytes]] = {}
        for run in self.runs():
            for key, bodies in run.bodies.items():
                merged.setdefault(key, {}).update(bodies)
        return merged

    def errors(self) -> list[str]:
        """Every error of every run."""
        return [error for run in self.runs() for error in run.errors]


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
    progress(f"  {'mix':<40} {result.mix.throughput:9.1f} req/s")
    if plan.repeat_requests:
        repeats = plan.repeat_plan(active)
        result.repeat_share = repeated_share(repeats)
        result.repeat = await run_load(
            call, repeats, concurrency=plan.concurrency, time_budget=plan.mix_budget
        )
        progress(
            f"  {'repeats (' + format(result.repeat_share, '.0%') + ' asked before)':<40} "
            f"{result.repeat.throughput:9.1f} req/s"
        )
    return result
