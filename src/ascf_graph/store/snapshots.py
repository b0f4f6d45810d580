"""Read-only copies of the served store, one per generation, for the query workers.

The server holds the store open for writing (RocksDB allows one such
opener), and a read-only opener beside a writer is undefined behaviour. So
the workers never open the served store: for each generation the server
writes a snapshot (RocksDB hard-links its files, so this takes milliseconds)
and the workers open that. A snapshot no running query uses, and that is no
longer the newest, is deleted. Each snapshot is known by the generation it
holds, read from the snapshot itself: that is what an answer computed from it
is named by (its ETag), even if a write landed while it was being taken.
"""

import asyncio
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from anyio import to_thread

from ascf_graph.core.errors import StoreUnavailableError
from ascf_graph.store.embedded import EmbeddedStore


@dataclass(frozen=True)
class HeldSnapshot:
    """A snapshot held for a while: its folder, and the generation of the store it holds."""

    path: str
    generation: str


class Snapshots:
    """Snapshots of one store under a folder the server owns."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        #: The newest snapshot: the generation it holds and its folder.
        self._current: tuple[str, Path] | None = None
        self._users: Counter[Path] = Counter()
        self._count = 0
        self._lock = asyncio.Lock()

    def clear(self) -> None:
        """Remove every snapshot (at start-up, what a stopped server left; at shutdown, ours)."""
        shutil.rmtree(self._folder, ignore_errors=True)
        self._current = None
        self._users.clear()

    async def acquire(self, store: EmbeddedStore) -> tuple[Path, str]:
        """The snapshot of ``store``'s current generation, made if needed, and the generation
        it holds; release the path after."""
        async with self._lock:
            generation = store.generation
            if self._current is None or self._current[0] != generation:
                self._count += 1
                safe = re.sub(r"[^\w.-]", "_", generation)[:80]
                path = self._folder / f"{self._count:06d}-{safe}"
                self._folder.mkdir(parents=True, exist_ok=True)
                try:
                    held = await to_thread.run_sync(store.snapshot, path)
                except OSError as error:  # e.g. a build removed this store's folder just now
                    shutil.rmtree(path, ignore_errors=True)
                    raise StoreUnavailableError(
                        f"the store changed while this query started ({error}); please retry"
                    ) from None
                previous, self._current = self._current, (held, path)
                if previous is not None:
                    self._discard_if_unused(previous[1])
            held, path = self._current
            self._users[path] += 1
            return path, held

    def release(self, path: Path) -> None:
        """A query is done with ``path``; delete it if it is stale and nobody else uses it."""
        self._users[path] -= 1
        self._discard_if_unused(path)

    def _discard_if_unused(self, path: Path) -> None:
        if self._users[path] <= 0 and (self._current is None or self._current[1] != path):
            del self._users[path]
            shutil.rmtree(path, ignore_errors=True)
