"""A query worker, run as ``python -m ascf_graph.workers.query_process``.

Arguments: ``[REPLICA_MAX_QUADS [MEMORY [TURNS [FD]]]]``.

It opens the store a job names read-only (keeping it open while the jobs
name the same folder, and copying it into memory when it holds at most
``REPLICA_MAX_QUADS`` quads: see :mod:`ascf_graph.workers.worker_store`), evaluates
one job at a time and streams the answer back as frames (see
:mod:`ascf_graph.workers.protocol`). The server kills a
worker whose query runs past the time limit and starts a fresh one; that is
how a runaway query is stopped, since the engine itself cannot be interrupted.

``MEMORY`` (bytes; 0: no limit) caps the worker's address space
(``RLIMIT_AS``) from its start, so a query that grows without bound (a string
doubled in a loop of ``BIND``) fails in this process instead of taking the
machine's memory. The engine aborts the process when an allocation fails (the
server answers 503 ``query-memory`` and starts a fresh worker); what Python
itself cannot allocate is answered as the same error without dying.

``TURNS`` (``1``) makes the worker copy a snapshot into memory only in turn
with the other workers started so (the replacements of workers that died).

``FD`` is a file descriptor the server passes (a pipe): the worker writes
a line ``STATE PATH`` to it whenever it opens a snapshot and when its copy
into memory is complete or given up (``copying``, ``memory``, ``disk``: see
:mod:`ascf_graph.workers.worker_store`), so that the server knows, without sending a
job, when its workers answer from memory.

Only the standard library and pyoxigraph are imported, so a worker starts fast.
"""

import contextlib
import json
import os
import resource
import signal
import sys
from typing import BinaryIO

from ascf_graph.core.processes import die_with_parent
from ascf_graph.linked_data.documents import DOCUMENT, DocumentJob, DocumentRenderer
from ascf_graph.sparql.jobs import QueryJob, evaluate
from ascf_graph.workers.protocol import DONE, LENGTH, FrameWriter, error_frame, frame
from ascf_graph.workers.worker_store import StateReport, WorkerStore


def serve(
    jobs: BinaryIO,
    answers: BinaryIO,
    *,
    replica_max_quads: int = 0,
    one_copy_at_a_time: bool = False,
    on_state: StateReport | None = None,
) -> None:
    """Answer jobs from ``jobs`` until it closes."""
    opened = WorkerStore(
        replica_max_quads, one_copy_at_a_time=one_copy_at_a_time, on_state=on_state
    )
    documents = DocumentRenderer()
    while True:
        header = jobs.read(LENGTH.size)
        if len(header) < LENGTH.size:
            return
        (length,) = LENGTH.unpack(header)
        job = decode_job(jobs.read(length))
        answers.write(_answer(opened, documents, job, answers))
        answers.flush()


def decode_job(data: bytes) -> QueryJob | DocumentJob:
    """The job the server wrote: a document job if marked so, else a query."""
    fields = json.loads(data)
    if fields.get("job") == DOCUMENT:
        return DocumentJob.from_fields(fields)
    return QueryJob(**fields)


def _answer(
    opened: WorkerStore,
    documents: DocumentRenderer,
    job: QueryJob | DocumentJob,
    answers: BinaryIO,
) -> bytes:
    """Stream the answer's data frames; return the closing frame."""
    try:
        store = opened.get(job.store_path)
    except OSError as error:
        return error_frame("store-unavailable", f"cannot open the store snapshot: {error}")
    writer = FrameWriter(answers)
    try:
        if isinstance(job, DocumentJob):
            documents.render(store, job, writer)
        else:
            evaluate(store, job, writer)
        writer.flush()
    except LookupError as error:
        return error_frame("not-found", str(error))
    except SyntaxError as error:
        return error_frame("query-syntax", f"SPARQL syntax error: {error}")
    except ValueError as error:
        return error_frame("unusable-input", str(error))
    except (OSError, RuntimeError) as error:
        return error_frame("query-failed", f"the engine could not evaluate the query: {error}")
    except MemoryError:
        return error_frame("query-memory", "the query needed more memory than a worker may use")
    return frame(DONE)


def limit_memory(limit_bytes: int) -> None:
    """Cap this process's address space at ``limit_bytes`` (0: leave it unlimited)."""
    if limit_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def state_reporter(descriptor: int) -> StateReport:
    """Reports written as lines ``STATE PATH`` to ``descriptor`` (a pipe to the server)."""

    def report(state: str, path: str) -> None:
        # One write below PIPE_BUF: lines from two threads never interleave. An error
        # means the server is gone or stopped listening: there is nobody to tell.
        with contextlib.suppress(OSError):
            os.write(descriptor, f"{state} {path}\n".encode())

    return report


def main() -> None:
    """Serve jobs on stdin; answer on the original stdout, keep stray prints off it.

    First of all, the kernel is asked to kill this worker when the server dies: a server
    killed outright cannot stop a worker busy with a query, which would run on with no
    one to enforce its time limit.
    """
    die_with_parent(os.getppid())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops us by closing stdin
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    replica_max_quads = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    limit_memory(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    serve(
        sys.stdin.buffer,
        answers,
        replica_max_quads=replica_max_quads,
        one_copy_at_a_time=len(sys.argv) > 3 and sys.argv[3] == "1",
        on_state=state_reporter(int(sys.argv[4])) if len(sys.argv) > 4 else None,
    )


if __name__ == "__main__":
    main()
