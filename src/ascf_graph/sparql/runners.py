"""Where queries are evaluated, off the event loop, and how their answers come back.

A :class:`QueryRunner` starts a :class:`~ascf_graph.sparql.jobs.QueryJob` and
hands back a :class:`RunningQuery`, from which the serialized answer is read
chunk by chunk as the engine produces it. Two runners:

- :class:`~ascf_graph.workers.query_pool.WorkerPoolRunner` (the default): worker
  processes, one query each at a time; a query past the time limit is stopped
  by killing its worker, which frees its CPU.
- :class:`ThreadRunner`: the server's own threads (pyoxigraph releases the
  GIL while it evaluates), through the :class:`~ascf_graph.store.base.Store`
  interface, so it serves a remote store too (whose HTTP client has the time
  limit). Cheaper per query, but a runaway query on the embedded engine
  cannot be stopped: its client gets the time-limit error while it finishes.
"""

import asyncio
import json
import threading
from abc import ABC, abstractmethod

from ascf_graph.core.errors import (
    AscfError,
    QueryFailedError,
    QueryMemoryError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResourceNotFoundError,
    StoreNotBuiltError,
    UnusableInputError,
)
from ascf_graph.sparql.jobs import CHUNK_BYTES, QueryJob, decode_term, write_answer
from ascf_graph.store.base import Store


class RunningQuery(ABC):
    """A query being evaluated; read its answer, then close it."""

    generation: str | None = None
    """The store generation the answer is computed from, once known (at the latest when
    the first :meth:`read` returns); None when the runner cannot tell. An answer is
    named (ETag, cache) by this, never by a generation read before the query began."""

    @abstractmethod
    async def read(self) -> bytes | None:
        """The next piece of the answer, or None once it is complete.

        Raises an :class:`AscfError` when the query fails or runs out of time.
        """

    @abstractmethod
    async def close(self) -> None:
        """Stop the work if the answer is not complete (the client left); idempotent."""


class QueryRunner(ABC):
    """Evaluates queries off the event loop."""

    @abstractmethod
    async def start(
        self, store: Store, job: QueryJob, *, generation: str | None = None
    ) -> RunningQuery:
        """Begin evaluating ``job`` against ``store``.

        ``generation`` is the one the caller read just before, if any: a runner that
        cannot pin a snapshot confirms it (or reports None) instead of guessing.
        """

    @abstractmethod
    async def close(self) -> None:
        """Stop everything this runner started."""


def timeout_error(timeout: float) -> QueryTimeoutError:
    """The error a client gets for a query stopped at the time limit."""
    return QueryTimeoutError(
        f"the query ran longer than the {timeout:g} s limit (ASCF_QUERY_TIMEOUT) and was "
        "stopped; narrow it, add a LIMIT, or query a copy of the data on your own machine"
    )


def error_from_worker(payload: bytes) -> AscfError:
    """The exception for an error a worker (or the engine in a thread) reported."""
    body = json.loads(payload)
    kinds: dict[str, type[AscfError]] = {
        "query-syntax": QuerySyntaxError,
        "unusable-input": UnusableInputError,
        "store-unavailable": StoreNotBuiltError,
        "not-found": ResourceNotFoundError,
        "query-memory": QueryMemoryError,
    }
    return kinds.get(body["code"], QueryFailedError)(body["message"])


def engine_error(error: Exception) -> AscfError:
    """The :class:`AscfError` for an exception the engine raised while evaluating."""
    if isinstance(error, SyntaxError):
        return QuerySyntaxError(f"SPARQL syntax error: {error}")
    if isinstance(error, ValueError):
        return UnusableInputError(str(error))
    return QueryFailedError(f"the engine could not evaluate the query: {error}")


class _AbandonedError(Exception):
    """Raised inside the engine's writer when nobody reads the answer any more."""


class _QueueWriter:
    """A file-like object that hands chunks to the event loop, waiting when it lags."""

    def __init__(self, loop: asyncio.AbstractEventLoop, queue: "asyncio.Queue[object]") -> None:
        self._loop, self._queue = loop, queue
        self._buffer = bytearray()
        self.abandoned = threading.Event()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self.put(bytes(self._buffer))
            self._buffer.clear()

    def put(self, item: object) -> None:
        if self.abandoned.is_set():
            raise _AbandonedError
        asyncio.run_coroutine_threadsafe(self._queue.put(item), self._loop).result()


class _ThreadQuery(RunningQuery):
    def __init__(
        self, writer: _QueueWriter, queue: "asyncio.Queue[object]", deadline: float, timeout: float
    ) -> None:
        self._writer, self._queue = writer, queue
        self._deadline, self._timeout = deadline, timeout
        self._done = False

    async def read(self) -> bytes | None:
        if self._done:
            return None
        try:
            async with asyncio.timeout_at(self._deadline):
                item = await self._queue.get()
        except TimeoutError:
            await self.close()
            raise timeout_error(self._timeout) from None
        if item is None:
            self._done = True
            return None
        if isinstance(item, AscfError):
            self._done = True
            raise item
        assert isinstance(item, bytes)
        return item

    async def close(self) -> None:
        if self._done:
            return
        self._done = True
        self._writer.abandoned.set()
        while not self._queue.empty():  # unblock a writer waiting for room
            self._queue.get_nowait()


class ThreadRunner(QueryRunner):
    """Evaluates in the server's threads; see the module's note on runaway queries."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout

    async def start(
        self, store: Store, job: QueryJob, *, generation: str | None = None
    ) -> RunningQuery:
        """Evaluate ``job`` in a thread, handing the answer over in chunks.

        The engine's view of the data cannot be pinned from here, so the answer's
        generation is ``generation`` only if the store still reports it once the engine
        has taken its view (generations never repeat, so nothing was written between),
        else None.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue(maxsize=4)
        writer = _QueueWriter(loop, queue)
        substitutions = {name: decode_term(term) for name, term in job.substitutions.items()}
        running = _ThreadQuery(writer, queue, loop.time() + self._timeout, self._timeout)

        def work() -> None:
            try:
                result = store.query(
                    job.query,
                    substitutions=substitutions,
                    default_graphs=job.default_graphs,
                    named_graphs=job.named_graphs,
                )
                if generation is not None and store.generation == generation:
                    running.generation = generation
                write_answer(result, job, writer)  # type: ignore[arg-type]
                writer.flush()
                writer.put(None)
            except _AbandonedError:
                return
            except (AscfError, SyntaxError, ValueError, OSError, RuntimeError) as error:
                try:
                    writer.put(error if isinstance(error, AscfError) else engine_error(error))
                except _AbandonedError:
                    return
            except BaseException:
                writer.put(QueryFailedError("the query failed unexpectedly; see the server log"))
                raise

        loop.run_in_executor(None, work)
        return running

    async def close(self) -> None:
        """Nothing to stop: threads end with their queries."""
