"""Annotated dependencies for route handlers; tests swap them with dependency_overrides."""

from typing import Annotated

from fastapi import Depends, Request

from ascf_graph.settings import Settings
from ascf_graph.site import Site
from ascf_graph.store import Store


def get_store(request: Request) -> Store:
    """The store the lifespan opened."""
    return request.app.state.store


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_site(request: Request, store: StoreDep, settings: SettingsDep) -> Site:
    """The published site over the store, with the caches the lifespan made."""
    state = request.app.state
    return Site(store, settings, state.generation_cache, state.templates)


SiteDep = Annotated[Site, Depends(get_site)]
