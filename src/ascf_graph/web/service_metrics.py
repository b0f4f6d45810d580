"""What ascf-graph measures about itself, served at ``GET /metrics`` for Prometheus.

:class:`ServiceMetrics` is made once per application by ``create_app`` and
kept in the application's state; nothing here is process-wide. Requests are
counted by :class:`ascf_graph.web.middleware.request_observer.RequestObserver`; query and
validation times where they are measured (:mod:`ascf_graph.sparql.service`,
:func:`timed_validator`); everything other components count themselves
(cache hits, worker restarts, body bytes held, open connections) is read
from them when ``/metrics`` is scraped, so their hot paths pay nothing new
but an integer addition. ``docs/observability.md`` lists every metric.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

from ascf_graph.core.errors import AscfError
from ascf_graph.core.metrics import Counter, Histogram, Observed, Registry, Sample
from ascf_graph.rdf.uploads import Upload
from ascf_graph.shacl.engine import Meanwhile, UploadValidator
from ascf_graph.shacl.reports import ValidationReport
from ascf_graph.shacl.validation import ValidationContext
from ascf_graph.web.connection_limits import ConnectionAccounts

if TYPE_CHECKING:
    from ascf_graph.store.answer_cache import AnswerCache
    from ascf_graph.workers.input_pool import InputWorkers
    from ascf_graph.workers.query_pool import WorkerPoolRunner


class WatchedState(Protocol):
    """What the metrics read of a running application's state (its ``AppState``, which
    holds these metrics, so it is named by what it offers rather than imported)."""

    input_workers: InputWorkers | None

    @property
    def query_workers(self) -> WorkerPoolRunner | None:
        """The query worker pool, if workers answer queries."""
        ...

    def answer_caches(self) -> dict[str, AnswerCache]:
        """The in-memory answer caches, by name (``sparql``, ``document``)."""
        ...


#: Seconds a validation may take: a small document's check to one at the time limit.
VALIDATION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class ServiceMetrics:
    """The registry of one application and the metrics its code updates directly."""

    def __init__(self, *, server_restarts: Mapping[str, int] | None = None) -> None:
        self.registry = Registry()
        restarts = dict(server_restarts or {})
        add = self.registry.add
        self.requests = add(
            Counter(
                "ascf_http_requests_total",
                "HTTP requests answered, by method, route template and status.",
                ["method", "route", "status"],
            )
        )
        self.request_seconds = add(
            Histogram(
                "ascf_http_request_duration_seconds",
                "Seconds from a request's arrival to the end of its answer, by route template.",
                ["method", "route"],
            )
        )
        self.query_seconds = add(
            Histogram(
                "ascf_sparql_query_duration_seconds",
                "Seconds a SPARQL query took to evaluate (answers from the cache excluded), "
                "by outcome: ok or the error's code.",
                ["outcome"],
            )
        )
        self.validation_seconds = add(
            Histogram(
                "ascf_validation_duration_seconds",
                "Seconds a SHACL validation of a steward's data took, by outcome: "
                "conforms, violations, or the error's code.",
                ["outcome"],
                buckets=VALIDATION_BUCKETS,
            )
        )
        add(
            Observed(
                "ascf_server_restarts_total",
                "Times the serve supervisor restarted the server before this one started, by "
                "how the server before ended: the signal that killed it (sigkill, sigsegv...) "
                "or its exit status (exit_1...).",
                "counter",
                lambda: [((cause,), count) for cause, count in sorted(restarts.items())],
                ["cause"],
            )
        )

    def watch(
        self,
        running: Callable[[], WatchedState | None],
        connections: ConnectionAccounts | None = None,
    ) -> None:
        """Read, at each scrape, what the components of the running app's state count (none
        while ``running`` gives None), and the connections and body bytes ``connections``
        holds, if given."""
        add = self.registry.add
        add(
            Observed(
                "ascf_answer_cache_hits_total",
                "Answers served from an in-memory answer cache, by cache (sparql, document).",
                "counter",
                lambda: _caches(running(), "hits"),
                ["cache"],
            )
        )
        add(
            Observed(
                "ascf_answer_cache_misses_total",
                "Lookups an in-memory answer cache could not answer, by cache.",
                "counter",
                lambda: _caches(running(), "misses"),
                ["cache"],
            )
        )
        add(
            Observed(
                "ascf_answer_cache_bytes",
                "Bytes of answers an in-memory answer cache holds now, by cache.",
                "gauge",
                lambda: _caches(running(), "size_bytes"),
                ["cache"],
            )
        )
        add(
            Observed(
                "ascf_query_worker_restarts_total",
                "Query worker processes replaced, by cause: memory, crash, timeout, "
                "client_gone, died_idle, not_delivered.",
                "counter",
                lambda: _restarts(_query_workers(running())),
                ["cause"],
            )
        )
        add(
            Observed(
                "ascf_query_workers_live",
                "Query worker processes running now.",
                "gauge",
                lambda: _live(_query_workers(running())),
            )
        )
        add(
            Observed(
                "ascf_input_worker_restarts_total",
                "Input (parse and validation) worker processes replaced, by cause: memory, "
                "died, timeout, died_idle, not_delivered.",
                "counter",
                lambda: _restarts(_input_workers(running())),
                ["cause"],
            )
        )
        if connections is None:
            return
        add(
            Observed(
                "ascf_request_body_bytes_held",
                "Bytes of request bodies reserved in memory now (ASCF_BODY_MEMORY is the most).",
                "gauge",
                lambda: [((), connections.body_bytes)],
            )
        )
        add(
            Observed(
                "ascf_open_connections",
                "Client connections open now (ASCF_MAX_CONNECTIONS is the most).",
                "gauge",
                lambda: [((), connections.open)],
            )
        )


def _caches(state: WatchedState | None, attribute: str) -> Iterable[Sample]:
    if state is None:
        return []
    return [((name,), getattr(cache, attribute)) for name, cache in state.answer_caches().items()]


def _query_workers(state: WatchedState | None) -> WorkerPoolRunner | None:
    return state.query_workers if state is not None else None


def _input_workers(state: WatchedState | None) -> InputWorkers | None:
    return state.input_workers if state is not None else None


def _restarts(pool: WorkerPoolRunner | InputWorkers | None) -> Iterable[Sample]:
    if pool is None:
        return []
    return [((cause,), count) for cause, count in pool.restart_causes.items()]


def _live(pool: WorkerPoolRunner | None) -> Iterable[Sample]:
    return [] if pool is None else [((), pool.live_workers)]


def timed_validator(validator: UploadValidator, seconds: Histogram) -> UploadValidator:
    """``validator``, its time observed in ``seconds`` by outcome."""

    def check(
        upload: Upload, context: ValidationContext, *, meanwhile: Meanwhile | None = None
    ) -> ValidationReport:
        started = time.perf_counter()
        outcome = "error"
        try:
            report = validator(upload, context, meanwhile=meanwhile)
            outcome = "conforms" if report.conforms else "violations"
            return report
        except AscfError as error:
            outcome = error.code
            raise
        finally:
            seconds.observe(time.perf_counter() - started, (outcome,))

    return check
