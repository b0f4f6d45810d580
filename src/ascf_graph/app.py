"""The FastAPI application: ``create_app(settings)`` assembles routers and the store."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ascf_graph import __version__
from ascf_graph.backends import open_store
from ascf_graph.dependencies import StoreDep
from ascf_graph.http_errors import install_error_handlers
from ascf_graph.settings import Settings
from ascf_graph.sparql_router import router as sparql_router
from ascf_graph.steward_api import install_steward_api, open_steward_services


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; the store opens with the lifespan and closes with it."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.store = open_store(settings)
        app.state.stewards = open_steward_services(settings, app.state.store)
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(
        title="ASEAN Smart Cities Framework graph",
        version=__version__,
        description="SPARQL, linked data and validation for the ASEAN Smart Cities Framework.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(sparql_router)
    install_steward_api(app, settings)

    @app.get("/health", summary="Liveness and what the store holds")
    def health(store: StoreDep) -> dict[str, object]:
        sizes = store.graph_sizes()
        return {
            "status": "ok",
            "version": __version__,
            "generation": store.generation,
            "graphs": len(sizes),
            "triples": sum(sizes.values()),
        }

    return app
