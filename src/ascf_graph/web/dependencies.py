"""Annotated dependencies for route handlers; tests swap them with dependency_overrides."""

from typing import Annotated

from fastapi import Depends, Request

from ascf_graph.core.settings import Settings
from ascf_graph.linked_data.site import Site
from ascf_graph.sparql.curated import CuratedQueries, CuratedQuery
from ascf_graph.sparql.service import QueryService, current_generation
from ascf_graph.store.base import Store
from ascf_graph.store.refresh import current_store


def client_address(request: Request) -> str | None:
    """The address of the client that sent ``request`` (None when the server cannot tell),
    which the crash guards and the audit log count and name."""
    return request.client.host if request.client else None


async def get_store(request: Request) -> Store:
    """The store the lifespan opened, or the build published since."""
    return await current_store(request.app.state)


# Dependencies that do no I/O are ``async`` so that FastAPI calls them on the
# event loop: a plain ``def`` would cost a hop to the thread pool per request.


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


async def get_query_service(request: Request) -> QueryService:
    """The SPARQL answering service the lifespan started."""
    return request.app.state.query_service


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def site_for(request: Request) -> Site:
    """The published site over the current store, with the caches the lifespan made.

    Hot routes (``/id/``, ``/doc/``) call this directly: FastAPI's dependency
    resolution costs more per request than the dereference's index seeks.
    """
    state = request.app.state
    return Site(
        await current_store(state),
        state.settings,
        state.generation_cache,
        state.templates,
        state.document_cache,
        state.document_workers,
    )


async def get_curated(request: Request) -> dict[str, CuratedQuery]:
    """The curated queries as of the current store's generation (read once per generation)."""
    state = request.app.state
    curated: CuratedQueries = state.curated
    generation = await current_generation(await current_store(state))
    return curated.all(generation)


SiteDep = Annotated[Site, Depends(site_for)]
CuratedDep = Annotated[dict[str, CuratedQuery], Depends(get_curated)]
QueryServiceDep = Annotated[QueryService, Depends(get_query_service)]
