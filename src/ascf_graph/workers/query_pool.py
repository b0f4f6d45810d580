"""Queries in worker processes: the time limit stops the work and frees its CPU.

pyoxigraph cannot interrupt a query, so each query runs in a worker process
(:mod:`ascf_graph.workers.query_process`) that answers one job at a time; a worker
whose query passes the time limit, or whose client goes away, is killed and
replaced while the other workers go on answering. A worker that dies while it
answers (its memory limit, or a crash of the engine) is replaced the same way,
and its query answered 503 with a code saying which. Every worker answers
from the snapshot on disk at once and copies it into memory in the
background (:mod:`ascf_graph.workers.worker_store`): the server answers its first
query as soon as the workers have opened the snapshot, and at full speed once
the copies are complete (:attr:`WorkerPoolRunner.memory_copies`, which
``/health`` reports). A replacement copies only in turn with the other
replacements, so crashes in a burst do not set every core copying. Workers
read a snapshot of the served store (:mod:`ascf_graph.store.snapshots`) and reopen
it when the store's generation changes, so builds and writes are seen by the
next query. The pool counts the workers it replaced by cause
(``restart_causes``), which ``/metrics`` reports.

The event loop never waits on a worker except through its pipes.
"""

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ascf_graph.core.errors import (
    AscfError,
    EndpointBusyError,
    QueryMemoryError,
    QueryTimeoutError,
    QueryWorkerCrashedError,
)
from ascf_graph.linked_data.documents import DocumentJob, RenderedDocument
from ascf_graph.sparql.jobs import QueryJob
from ascf_graph.sparql.runners import QueryRunner, RunningQuery, error_from_worker, timeout_error
from ascf_graph.store.base import Store
from ascf_graph.store.embedded import EmbeddedStore
from ascf_graph.store.snapshots import Snapshots
from ascf_graph.workers.protocol import DATA, DONE, ERROR, FRAME_HEADER, job_message
from ascf_graph.workers.worker_store import COPYING, DISK, MEMORY

log = logging.getLogger(__name__)


#: The job :meth:`WorkerPoolRunner.prepare` sends: any query opens the snapshot.
_READY_JOB = QueryJob(query="ASK {}", media_type="application/sparql-results+json", kind="results")

#: What :attr:`WorkerPoolRunner.memory_copies` says.
LOADING, COMPLETE, OFF = "loading", "complete", "off"


class Worker:
    """One worker process, its pipes, and what it answers from (as it last reported)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        #: The snapshot the last job named, and the worker's state for it (``copying``,
        #: ``memory``, ``disk`` of :mod:`ascf_graph.workers.worker_store`; None before any job).
        self.snapshot: str | None = None
        self.copy_state: str | None = None
        self._states: asyncio.Task[None] | None = None

    @classmethod
    async def spawn(
        cls,
        replica_max_quads: int = 0,
        memory_bytes: int = 0,
        *,
        in_turn: bool = False,
        on_change: Callable[[], None] = lambda: None,
    ) -> "Worker":
        """Start ``python -m ascf_graph.workers.query_process``, copying snapshots up to that size
        into memory (``in_turn``: one such worker at a time), its address space capped at
        ``memory_bytes`` (0: no cap); ``on_change`` is called when its copy state changes."""
        read_end, write_end = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "ascf_graph.workers.query_process",
                str(replica_max_quads),
                str(memory_bytes),
                "1" if in_turn else "0",
                str(write_end),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                pass_fds=(write_end,),
            )
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)  # the worker holds the only writer: its end is our EOF
        worker = cls(process)
        worker._states = asyncio.create_task(worker._read_states(read_end, on_change))
        return worker

    def opening(self, snapshot: str, *, copies: bool) -> None:
        """The next job names ``snapshot``: a new one is copied (``copies``) or not."""
        if snapshot != self.snapshot:
            self.snapshot = snapshot
            self.copy_state = COPYING if copies else DISK

    async def _read_states(self, descriptor: int, on_change: Callable[[], None]) -> None:
        """Follow the worker's reports (lines ``STATE PATH``) until it exits."""
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(descriptor, "rb", buffering=0)
        )
        try:
            while line := await reader.readline():
                state, _, path = line.decode("utf-8", "replace").rstrip("\n").partition(" ")
                if path == self.snapshot and state in (COPYING, MEMORY, DISK):
                    self.copy_state = state  # a report on an older snapshot no longer counts
                    on_change()
        finally:
            transport.close()

    async def reaped(self) -> None:
        """Wait until the process has ended and its reports are read."""
        await self.process.wait()
        if self._states is not None:
            await self._states

    @property
    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.returncode is None

    async def send(self, job: QueryJob | DocumentJob) -> None:
        """Hand the worker a job."""
        assert self.process.stdin is not None
        self.process.stdin.write(job_message(job.to_json()))
        await self.process.stdin.drain()

    async def frame(self) -> tuple[bytes, bytes]:
        """The next frame the worker sends: its kind and payload."""
        assert self.process.stdout is not None
        kind, length = FRAME_HEADER.unpack(await self.process.stdout.readexactly(FRAME_HEADER.size))
        return kind, await self.process.stdout.readexactly(length)

    async def kill(self) -> None:
        """Stop the process at once and reap it."""
        if self.alive:
            self.process.kill()
        await self.reaped()

    async def stop(self) -> None:
        """Let the process end by closing its input; kill it if it lingers."""
        if self.process.stdin is not None and not self.process.stdin.is_closing():
            self.process.stdin.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.process.wait(), timeout=2)
        await self.kill()  # if it lingers


def death_error(returncode: int | None, memory_bytes: int) -> AscfError:
    """The error a query gets whose worker died with ``returncode``.

    The engine aborts the process (SIGABRT) when an allocation fails, which under the
    worker's address-space cap means the query needed more memory than allowed; the
    kernel's out-of-memory killer sends SIGKILL (the pool's own kills never get here).
    Anything else, a stack overflow's SIGSEGV for one, is a crash of the engine.

    >>> death_error(-6, 2**30).code, death_error(-11, 2**30).code, death_error(1, 0).code
    ('query-memory', 'query-crashed', 'query-crashed')
    """
    if returncode in (-signal.SIGABRT, -signal.SIGKILL):
        limit = f"{memory_bytes / 2**20:.0f} MiB" if memory_bytes else "the machine's memory"
        return QueryMemoryError(
            f"the query needed more memory than a query worker may use ({limit}, "
            "ASCF_QUERY_MEMORY) and was stopped; narrow it or add a LIMIT"
        )
    return QueryWorkerCrashedError(
        f"the query engine crashed while evaluating this query (worker exit status "
        f"{returncode}); the worker was replaced. If the query is valid, please report it"
    )


class _WorkerQuery(RunningQuery):
    """A job a worker is answering."""

    def __init__(
        self,
        pool: "WorkerPoolRunner",
        worker: Worker,
        deadline: float,
        snapshot: Path,
        generation: str,
    ) -> None:
        self._pool, self._worker = pool, worker
        self._deadline, self._snapshot = deadline, snapshot
        self.generation = generation
        self._finished = False

    async def read(self) -> bytes | None:
        if self._finished:
            return None
        try:
            async with asyncio.timeout_at(self._deadline):
                kind, payload = await self._worker.frame()
        except TimeoutError:
            self._end(reusable=False, cause="timeout")
            await self._worker.process.wait()  # answer only once its CPU is free
            raise timeout_error(self._pool.timeout) from None
        except (asyncio.IncompleteReadError, ConnectionError):
            error = await self._death()  # before _end, whose kill would hide how it died
            cause = "memory" if isinstance(error, QueryMemoryError) else "crash"
            self._end(reusable=False, cause=cause)
            raise error from None
        if kind == DATA:
            return payload
        self._end(reusable=True)
        if kind == ERROR:
            raise error_from_worker(payload)
        assert kind == DONE, kind
        return None

    async def close(self) -> None:
        self.abandon("client_gone")  # an answer left unread: mostly, its client went away

    async def _death(self) -> AscfError:
        """The error for a worker that died while answering, told by how it ended."""
        try:
            code = await asyncio.wait_for(self._worker.process.wait(), timeout=5)
        except TimeoutError:
            code = None
        return death_error(code, self._pool.memory_bytes)

    def abandon(self, cause: str) -> None:
        """Give the worker up, for ``cause``, if the job has not ended."""
        if not self._finished:
            self._end(reusable=False, cause=cause)

    def _end(self, *, reusable: bool, cause: str = "") -> None:
        # Synchronous on purpose: this runs when a client's request is cancelled, where
        # any await would be cancelled too and leave the pool a worker short.
        self._finished = True
        self._pool.snapshots.release(self._snapshot)
        self._pool.give_back(self._worker, reusable=reusable, cause=cause)


class WorkerPoolRunner(QueryRunner):
    """A fixed number of worker processes, each answering one query at a time."""

    def __init__(
        self,
        size: int,
        timeout: float,
        snapshots: Snapshots,
        *,
        replica_max_quads: int = 0,
        memory_bytes: int = 0,
    ) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size, self.timeout, self.snapshots = size, timeout, snapshots
        self.replica_max_quads = replica_max_quads
        self.memory_bytes = memory_bytes
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._workers: set[Worker] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self.restart_causes: Counter[str] = Counter()
        """Workers replaced, by cause: memory, crash, timeout, client_gone, died_idle,
        not_delivered."""
        self._copies_changed = asyncio.Event()

    async def open(self) -> None:
        """Start the workers (in parallel)."""
        self.snapshots.clear()
        spawning = (
            Worker.spawn(
                self.replica_max_quads, self.memory_bytes, on_change=self._copies_changed.set
            )
            for _ in range(self.size)
        )
        for worker in await asyncio.gather(*spawning):
            self._workers.add(worker)
            self._idle.put_nowait(worker)

    async def prepare(self, store: Store) -> None:
        """Have every worker open ``store``'s current snapshot before the first query, and
        start copying it into memory (when small enough) in the background: a server
        answers from disk from its start, and from memory once :attr:`memory_copies` is
        complete.

        This waits up to the time limit; a worker that takes longer is killed and replaced.
        """
        queries = [await self.start(store, _READY_JOB) for _ in range(self.size)]
        for query in queries:
            try:
                while await query.read() is not None:
                    pass
            except QueryTimeoutError:
                log.warning("a query worker did not open the store within the time limit")
            except (QueryMemoryError, QueryWorkerCrashedError) as error:
                log.warning("a query worker died while opening the store: %s", error.message)

    @property
    def memory_copies(self) -> str:
        """``off`` when no worker answers from memory and none is copying (copies are off,
        or the store is too large for them), ``loading`` while a worker copies the
        snapshot it holds (answering from disk meanwhile), ``complete`` once none does and
        some answer from memory. A worker that has yet to answer its first job (a
        replacement) does not count; one that has gone back to disk does not count as
        loading."""
        states = [worker.copy_state for worker in self._workers if worker.alive]
        if self._closed or self.replica_max_quads <= 0:
            return OFF
        if COPYING in states:
            return LOADING
        return COMPLETE if MEMORY in states else OFF

    @property
    def workers_in_memory(self) -> int:
        """Live workers that answer the snapshot they hold from memory."""
        return sum(w.alive and w.copy_state == MEMORY for w in self._workers)

    async def wait_for_copies(self) -> str:
        """Wait until no worker is copying; :attr:`memory_copies` then."""
        while (state := self.memory_copies) == LOADING:
            self._copies_changed.clear()
            await self._copies_changed.wait()
        return state

    async def start(
        self,
        store: Store,
        job: QueryJob | DocumentJob,
        *,
        wait: float | None = None,
        generation: str | None = None,
    ) -> RunningQuery:
        """Send ``job`` to the next free worker; 503 if none frees up within ``wait`` seconds
        (default: the time limit). The answer's generation is the snapshot's, whatever
        ``generation`` the caller read before."""
        if not isinstance(store, EmbeddedStore):
            raise TypeError("worker processes answer from an embedded store's snapshots")
        worker = await self._checkout(self.timeout if wait is None else wait)
        try:
            snapshot, held = await self.snapshots.acquire(store)
        except BaseException:
            self.give_back(worker, reusable=True)
            raise
        loop = asyncio.get_running_loop()
        query = _WorkerQuery(self, worker, loop.time() + self.timeout, snapshot, held)
        worker.opening(str(snapshot), copies=self.replica_max_quads > 0)
        try:
            await worker.send(replace(job, store_path=str(snapshot)))
        except (ConnectionError, RuntimeError):
            query.abandon("not_delivered")
            raise EndpointBusyError(
                "the query worker stopped before it took the query; retry shortly"
            ) from None
        return query

    async def render_document(
        self, store: Store, job: DocumentJob, *, wait: float
    ) -> RenderedDocument:
        """The document a worker renders for ``job`` (see :mod:`document_job`);
        :class:`EndpointBusyError` if no worker frees up within ``wait`` seconds.

        A document is bounded work, so a client that leaves does not stop it: the
        worker finishes and goes back to the pool with its in-memory copy, where
        killing it would cost a fresh copy of the store.
        """
        running = await self.start(store, job, wait=wait)

        async def collect() -> RenderedDocument:
            chunks = []
            while (chunk := await running.read()) is not None:
                chunks.append(chunk)
            return RenderedDocument.from_bytes(b"".join(chunks))

        task = asyncio.ensure_future(collect())
        task.add_done_callback(lambda done: done.cancelled() or done.exception())
        return await asyncio.shield(task)

    async def _checkout(self, wait: float) -> Worker:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    worker = await self._idle.get()
            except TimeoutError:
                raise EndpointBusyError(
                    f"every query worker stayed busy for {wait:g} s; retry shortly"
                ) from None
            if worker.alive:
                return worker
            self._replace(worker, "died_idle")

    def give_back(self, worker: Worker, *, reusable: bool, cause: str = "") -> None:
        """Return a worker after a job; one that may still be working is killed and replaced
        (``cause`` says why, for the count of restarts)."""
        if reusable and worker.alive and not self._closed:
            self._idle.put_nowait(worker)
        else:
            self._replace(worker, cause or "died_idle")

    def _replace(self, worker: Worker, cause: str) -> None:
        """Kill ``worker`` now; reap it and start its successor in the background."""
        if not self._closed:
            self.restart_causes[cause] += 1
        if worker.alive:
            worker.process.kill()
        self._workers.discard(worker)
        task = asyncio.create_task(self._spawn_replacement(worker))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _spawn_replacement(self, dead: Worker) -> None:
        await dead.reaped()
        self._copies_changed.set()  # it may have been the last one copying
        if self._closed:
            return
        try:
            # A replacement copies in turn: crashes in a burst must not copy all at once.
            worker = await Worker.spawn(
                self.replica_max_quads,
                self.memory_bytes,
                in_turn=True,
                on_change=self._copies_changed.set,
            )
        except OSError:
            log.exception("cannot start a query worker; the pool is one worker short")
            return
        if self._closed:
            await worker.stop()
            return
        self._workers.add(worker)
        self._idle.put_nowait(worker)

    @property
    def live_workers(self) -> int:
        """Workers running now (0 once closed, or while every one is being replaced)."""
        return 0 if self._closed else sum(worker.alive for worker in self._workers)

    async def close(self) -> None:
        """Stop every worker and remove the snapshots."""
        self._closed = True
        for task in list(self._tasks):
            await task
        await asyncio.gather(*(worker.stop() for worker in self._workers))
        self._workers.clear()
        self.snapshots.clear()
