"""Noticing a new build: when ``current`` points at another folder, serve that store.

``ascf-graph build`` publishes a new store by swapping the ``current`` link
(see :func:`ascf_graph.store.builds.publish_build`) while the server keeps running.
Each request reads the link (one ``readlink``, no I/O on the store) and, when
it moved, the store is reopened once, off the event loop; requests already
answering from the previous store finish on it. If the build still holds
the new store's lock, the previous store serves until a later request.
"""

import asyncio
import logging
import os
from pathlib import Path
from typing import Protocol

from anyio import to_thread

from ascf_graph.core.errors import StoreBusyError, StoreNotBuiltError
from ascf_graph.store.base import Store
from ascf_graph.store.builds import CURRENT_LINK
from ascf_graph.store.embedded import EmbeddedStore

log = logging.getLogger(__name__)


def link_target(data_dir: Path) -> str | None:
    """Where ``data_dir/current`` points, or None when there is no link."""
    try:
        return os.readlink(data_dir / CURRENT_LINK)
    except OSError:
        return None


class HoldsStore(Protocol):
    """Whatever holds the store being served (the application's state)."""

    store: Store


class StoreRefresher:
    """Reopens the embedded store under ``data_dir`` when a build swaps ``current``."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._target = link_target(data_dir)
        self._lock = asyncio.Lock()

    async def current(self, state: HoldsStore) -> Store:
        """``state.store``, replaced first by the newly published build if there is one."""
        target = link_target(self._data_dir)
        if target is None or target == self._target:
            return state.store
        async with self._lock:
            if target != self._target:
                try:
                    store = await to_thread.run_sync(EmbeddedStore.open, self._data_dir)
                except (StoreBusyError, StoreNotBuiltError) as error:
                    log.info("new build not opened yet (%s); serving the previous one", error)
                    return state.store
                log.info("serving the new build %s", store.generation)
                state.store, self._target = store, target
        return state.store
