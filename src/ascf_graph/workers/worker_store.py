"""The store a query worker answers from: a snapshot on disk, then its copy in memory.

pyoxigraph answers scans and aggregates about twice as fast from memory as
from its on-disk store (the benchmark's analytic mix at a million triples).
So a worker that opens a snapshot of at most ``replica_max_quads`` quads
copies it into an in-memory store in a background thread, answering from the
disk meanwhile, and from the copy once it is complete. A snapshot never
changes, so the copy holds exactly what the disk holds; a new generation is a
new snapshot, and the copy of the old one is dropped with it.

A worker whose address space is capped (``RLIMIT_AS``, see
:mod:`ascf_graph.workers.query_process`) copies only while the copy leaves
:data:`QUERY_ROOM` under the cap for queries: it starts only if the estimate
(:data:`COPY_BYTES_PER_QUAD` per quad) fits, and is given up between batches
as soon as the address space grows past that. The engine aborts the process
when an allocation fails, so a copy that could not fit would otherwise crash
every worker that tried it.

A worker started to replace one that crashed (or ran out of time) copies
only when no other replacement is copying (``one_copy_at_a_time``: a lock
file beside the snapshots), answering from disk meanwhile: a burst of crashes
costs at most one core's worth of copying at a time, not one per crash at
once. The workers started with the server copy in parallel, in the
background like every copy: the server answers from disk from its start.

A worker says what it answers a snapshot from through ``on_state(state,
path)``: :data:`COPYING` when it opens a snapshot it will try to copy, then
:data:`MEMORY` once the copy is complete, or :data:`DISK` when it answers
from disk for good (too many quads, no room under the cap, an error). The
pool reports these on ``/health`` (``memory_copies``).

:data:`COPY_GATE` is for tests only: when that environment variable names a
file, every copy waits until the file exists, so that a test can see the
server answer from disk before the copies are complete without racing them.

Only the standard library and pyoxigraph are imported: the worker starts fast.
"""

import contextlib
import fcntl
import logging
import os
import resource
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox

log = logging.getLogger(__name__)

#: Quads copied per call of ``extend``.
_COPY_BATCH = 10_000
#: Counts the quads of every graph; pyoxigraph evaluates a query without the GIL, where
#: ``len(store)`` holds it throughout (0.17 s at a million quads, every answer waiting).
_COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
#: Memory an in-memory copy takes per quad, for the estimate before copying (the project's
#: data measures about 350 MB per million quads; long literals take more).
COPY_BYTES_PER_QUAD = 400
#: Address space a copy leaves free under the worker's cap, for the queries it answers.
QUERY_ROOM = 512 * 1024 * 1024
#: The lock file, beside the snapshots, that replacement workers copy under in turn.
COPY_LOCK = ".copying.lock"
#: Tests only: a file whose existence every copy waits for (see the module's description).
COPY_GATE = "ASCF_TEST_COPY_GATE"
#: What a worker answers a snapshot from, as it reports it (see the module's description).
COPYING, MEMORY, DISK = "copying", "memory", "disk"
#: ``on_state(state, path)``: a worker's report of what it answers ``path`` from.
StateReport = Callable[[str, str], None]


def copy_fits(quads: int = 0) -> bool:
    """Whether this process's address space, grown by a copy of ``quads`` quads, still
    leaves :data:`QUERY_ROOM` under its cap (always, without a cap).

    >>> copy_fits(1_000)
    True
    """
    limit, _ = resource.getrlimit(resource.RLIMIT_AS)
    if limit == resource.RLIM_INFINITY:
        return True
    return _address_space_bytes() + quads * COPY_BYTES_PER_QUAD + QUERY_ROOM <= limit


def _address_space_bytes() -> int:
    """This process's address space now (what ``RLIMIT_AS`` counts)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


class WorkerStore:
    """The snapshot the last job named, and its in-memory replica once one is copied."""

    def __init__(
        self,
        replica_max_quads: int,
        *,
        one_copy_at_a_time: bool = False,
        on_state: StateReport | None = None,
    ) -> None:
        self._replica_max_quads = replica_max_quads
        self._one_copy_at_a_time = one_copy_at_a_time
        self._on_state = on_state or (lambda state, path: None)
        self._lock = threading.Lock()
        self._path: str | None = None
        self._disk: ox.Store | None = None
        self._replica: ox.Store | None = None
        self._copying: threading.Thread | None = None

    def get(self, path: str) -> ox.Store:
        """The store to answer a job on ``path`` from; a new path is opened (``OSError``)."""
        with self._lock:
            if self._disk is None or path != self._path:
                self._disk, self._replica = None, None
                try:
                    self._disk = ox.Store.read_only(path)
                except OSError:
                    self._on_state(DISK, path)  # no copy of this path is coming
                    raise
                self._path = path
                self._on_state(COPYING if self._replica_max_quads > 0 else DISK, path)
                if self._replica_max_quads > 0:
                    self._copying = threading.Thread(
                        target=self._copy, args=(path, self._disk), daemon=True
                    )
                    self._copying.start()
            return self._replica if self._replica is not None else self._disk

    @property
    def replicated(self) -> bool:
        """Whether jobs on the current path are answered from memory."""
        with self._lock:
            return self._replica is not None

    def wait_for_copy(self) -> None:
        """Block until the copy under way, if any, has finished (or been given up)."""
        copying = self._copying
        if copying is not None:
            copying.join()

    def _copy(self, path: str, disk: ox.Store) -> None:
        try:
            _wait_for_gate()
            with self._turn_to_copy(path):
                if self._path == path:
                    self._copy_now(path, disk)
        except OSError as error:
            log.warning("answering from disk: cannot take a turn to copy the snapshot (%s)", error)
        finally:
            with self._lock:
                copied = self._path == path and self._replica is not None
            self._on_state(MEMORY if copied else DISK, path)

    @contextlib.contextmanager
    def _turn_to_copy(self, path: str) -> Iterator[None]:
        """Wait for this worker's turn to copy, if it takes turns with the others."""
        if not self._one_copy_at_a_time:
            yield
            return
        with open(Path(path).parent / COPY_LOCK, "ab") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            yield

    def _copy_now(self, path: str, disk: ox.Store) -> None:
        try:
            count = _quad_count(disk)
            if count > self._replica_max_quads:
                return
            if not copy_fits(count):
                log.warning(
                    "answering from disk: %d quads do not fit this worker's memory limit "
                    "(ASCF_QUERY_MEMORY) with room for queries",
                    count,
                )
                return
            replica = ox.Store()
            # Quad by quad, not through a serialization: a parser would rename blank nodes.
            for batch in _batches(disk.quads_for_pattern(None, None, None, None)):
                if self._path != path:
                    return  # a newer snapshot came meanwhile: this copy would be dropped
                if not copy_fits():
                    log.warning(
                        "answering from disk: the copy outgrew this worker's memory limit "
                        "(ASCF_QUERY_MEMORY) less the room kept for queries"
                    )
                    return
                replica.extend(batch)
        except (OSError, MemoryError) as error:
            log.warning("answering from disk: cannot copy the snapshot into memory (%s)", error)
            return
        with self._lock:
            if self._path == path:
                self._replica = replica


def _quad_count(store: ox.Store) -> int:
    """How many quads ``store`` holds, counted without holding the GIL."""
    answer = store.query(_COUNT_QUADS)
    assert isinstance(answer, ox.QuerySolutions)
    count = next(answer)["n"]
    assert isinstance(count, ox.Literal)
    return int(count.value)


def _batches(quads: Iterator[ox.Quad]) -> Iterator[list[ox.Quad]]:
    """``quads`` in lists of :data:`_COPY_BATCH`, read one by one in Python's loop.

    Reading a slice in one call (``list(islice(...))``) would hold the GIL for the
    whole batch, about 0.2 s, while the worker's main thread waits with the answer to
    a query; between the loop's steps the GIL changes hands every few milliseconds.
    """
    batch: list[ox.Quad] = []
    for quad in quads:
        batch.append(quad)
        if len(batch) == _COPY_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _wait_for_gate() -> None:
    """Tests only: wait until the file :data:`COPY_GATE` names exists (if it names one)."""
    gate = os.environ.get(COPY_GATE)
    while gate and not os.path.exists(gate):
        time.sleep(0.05)
