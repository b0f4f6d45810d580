"""The application's state, typed: what the lifespan opens and the routes read.

One :class:`AppState` lives on ``app.state.ascf`` for as long as the
lifespan runs, and :func:`state_of` is the one way to reach it. Starlette's
``app.state`` takes any attribute, so a misspelt one would only fail at the
first request that reads it; here a field is declared once, with its type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.datastructures import State

from ascf_graph.core.settings import Settings
from ascf_graph.html.pages import environment as template_environment
from ascf_graph.store.answer_cache import AnswerCache
from ascf_graph.store.generation_cache import GenerationCache

# Types only: the mountable SPARQL router imports this module, and must not load the
# stewards' services, pyshacl or the worker pools with it.
if TYPE_CHECKING:
    from jinja2 import Environment

    from ascf_graph.sparql.curated import CuratedQueries
    from ascf_graph.sparql.service import QueryService
    from ascf_graph.stewards.services import StewardServices
    from ascf_graph.store.base import Store
    from ascf_graph.store.graph_sizes import GraphSizes
    from ascf_graph.store.refresh import StoreRefresher
    from ascf_graph.web.service_metrics import ServiceMetrics
    from ascf_graph.workers.input_pool import InputWorkers
    from ascf_graph.workers.query_pool import WorkerPoolRunner


@dataclass(frozen=True)
class SparqlServices:
    """What the SPARQL endpoint answers with (:func:`ascf_graph.web.lifespan.sparql_services`)."""

    query_service: QueryService
    graph_sizes: GraphSizes
    """VoID counts per generation, for the service description and ``/health``."""
    curated: CuratedQueries
    document_workers: WorkerPoolRunner | None
    """The query workers, which render linked-data documents too (None: threads answer)."""


@dataclass
class AppState:
    """What one running application holds between its start and its stop."""

    settings: Settings
    store: Store
    """The store answering now (a new build replaces it: see :meth:`current_store`)."""
    generation_cache: GenerationCache
    templates: Environment
    document_cache: AnswerCache
    store_refresher: StoreRefresher | None = None
    metrics: ServiceMetrics | None = None
    input_workers: InputWorkers | None = None
    stewards: StewardServices | None = None
    sparql: SparqlServices | None = None
    up_since: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="milliseconds")
    )
    serving: bool = False
    """True from the end of start-up to the beginning of shutdown (``/ready``)."""

    @classmethod
    def over(
        cls,
        settings: Settings,
        store: Store,
        *,
        store_refresher: StoreRefresher | None = None,
        metrics: ServiceMetrics | None = None,
    ) -> AppState:
        """The state of an app serving ``store``, with the caches ``settings`` size."""
        return cls(
            settings,
            store,
            GenerationCache.in_data_dir(settings.data_dir),
            template_environment(),
            AnswerCache(settings.answer_cache_bytes),
            store_refresher=store_refresher,
            metrics=metrics,
        )

    async def current_store(self) -> Store:
        """The store to answer from: the build published since start-up, if there is one."""
        if self.store_refresher is None:
            return self.store
        return await self.store_refresher.current(self)

    @property
    def query_workers(self) -> WorkerPoolRunner | None:
        """The query workers, once the SPARQL services run with them."""
        return self.sparql.document_workers if self.sparql is not None else None

    def answer_caches(self) -> dict[str, AnswerCache]:
        """The in-memory answer caches, by name, for the metrics."""
        caches = {"sparql": self.sparql.query_service.cache} if self.sparql is not None else {}
        return caches | {"document": self.document_cache}

    @property
    def services(self) -> SparqlServices:
        """The SPARQL services; an app that mounts the SPARQL routers must start them."""
        if self.sparql is None:
            raise RuntimeError("the SPARQL services are not started: see sparql_services()")
        return self.sparql

    @property
    def steward_services(self) -> StewardServices:
        """The stewards' services; only the full application starts them."""
        if self.stewards is None:
            raise RuntimeError("this app was started without the stewards' services")
        return self.stewards


def state_of(app_state: State) -> AppState:
    """The :class:`AppState` of a running app, from its Starlette ``app.state``."""
    state = getattr(app_state, "ascf", None)
    if not isinstance(state, AppState):
        raise RuntimeError("the app's lifespan has not set app.state.ascf (an AppState)")
    return state
