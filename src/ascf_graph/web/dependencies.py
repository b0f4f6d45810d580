"""Annotated dependencies for route handlers; tests swap them with dependency_overrides."""

from typing import Annotated

from fastapi import Depends, Request

from ascf_graph.core.settings import Settings
from ascf_graph.linked_data.site import Site
from ascf_graph.sparql.curated import CuratedQuery
from ascf_graph.sparql.service import QueryService, current_generation
from ascf_graph.store.base import Store
from ascf_graph.web.state import AppState, state_of


def client_address(request: Request) -> str | None:
    """The address of the client that sent ``request`` (None when the server cannot tell),
    which the crash guards and the audit log count and name."""
    return request.client.host if request.client else None


async def get_state(request: Request) -> AppState:
    """The application's state (see :mod:`ascf_graph.web.state`)."""
    return state_of(request.app.state)


async def get_store(request: Request) -> Store:
    """The store the lifespan opened, or the build published since."""
    return await state_of(request.app.state).current_store()


# Dependencies that do no I/O are ``async`` so that FastAPI calls them on the
# event loop: a plain ``def`` would cost a hop to the thread pool per request.


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return state_of(request.app.state).settings


async def get_query_service(request: Request) -> QueryService:
    """The SPARQL answering service the lifespan started."""
    return state_of(request.app.state).services.query_service


StateDep = Annotated[AppState, Depends(get_state)]
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def site_for(request: Request) -> Site:
    """The published site over the current store, with the caches the lifespan made.

    Hot routes (``/id/``, ``/doc/``) call this directly: FastAPI's dependency
    resolution costs more per request than the dereference's index seeks.
    """
    state = state_of(request.app.state)
    return Site(
        await state.current_store(),
        state.settings,
        state.generation_cache,
        state.templates,
        state.document_cache,
        state.services.document_workers,
    )


async def get_curated(request: Request) -> dict[str, CuratedQuery]:
    """The curated queries as of the current store's generation (read once per generation)."""
    state = state_of(request.app.state)
    generation = await current_generation(await state.current_store())
    return state.services.curated.all(generation)


SiteDep = Annotated[Site, Depends(site_for)]
CuratedDep = Annotated[dict[str, CuratedQuery], Depends(get_curated)]
QueryServiceDep = Annotated[QueryService, Depends(get_query_service)]
