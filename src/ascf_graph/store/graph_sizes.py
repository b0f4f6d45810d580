"""Each named graph's size, counted once per store generation.

The endpoint's service description, ``/health`` and the linked-data pages all
show graph sizes; counting a large store's graphs is a full scan, so the count
is kept in the generation cache they share.
"""

from anyio import to_thread

from ascf_graph.store.base import Store
from ascf_graph.store.generation_cache import GenerationCache


class GraphSizes:
    """Each named graph's size, counted once per store generation, off the event loop."""

    def __init__(self, cache: GenerationCache) -> None:
        self._cache = cache

    async def of(self, store: Store) -> dict[str, int]:
        """The sizes of ``store``'s named graphs."""
        # The generation too is read in the thread: on a remote store it is a query.
        return await to_thread.run_sync(
            lambda: counted_graph_sizes(self._cache, store.generation, store)
        )


def counted_graph_sizes(cache: GenerationCache, generation: str, store: Store) -> dict[str, int]:
    """``store.graph_sizes()`` for ``generation``, counted once in ``cache`` (which the
    endpoint, ``/health`` and the linked-data pages share)."""
    return cache.memo(generation, "graph sizes", store.graph_sizes)
