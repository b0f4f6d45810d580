"""A query worker process: ``python -m ascf_graph.query_worker [REPLICA_MAX_QUADS]``.

It opens the store a job names read-only (keeping it open while the jobs
name the same folder, and copying it into memory when it holds at most
``REPLICA_MAX_QUADS`` quads: see :mod:`ascf_graph.worker_store`), evaluates
one job at a time and streams the answer back as frames (see
:mod:`ascf_graph.worker_protocol`). The server kills a
worker whose query runs past the time limit and starts a fresh one; that is
how a runaway query is stopped, since the engine itself cannot be interrupted.

Only the standard library and pyoxigraph are imported, so a worker starts fast.
"""

import os
import signal
import sys
from typing import BinaryIO

from ascf_graph.query_job import QueryJob, evaluate
from ascf_graph.worker_protocol import DONE, LENGTH, FrameWriter, error_frame, frame
from ascf_graph.worker_store import WorkerStore


def serve(jobs: BinaryIO, answers: BinaryIO, *, replica_max_quads: int = 0) -> None:
    """Answer jobs from ``jobs`` until it closes."""
    opened = WorkerStore(replica_max_quads)
    while True:
        header = jobs.read(LENGTH.size)
        if len(header) < LENGTH.size:
            return
        (length,) = LENGTH.unpack(header)
        job = QueryJob.from_json(jobs.read(length))
        answers.write(_answer(opened, job, answers))
        answers.flush()


def _answer(opened: WorkerStore, job: QueryJob, answers: BinaryIO) -> bytes:
    """Stream the answer's data frames; return the closing frame."""
    try:
        store = opened.get(job.store_path)
        if job.after_copy:
            opened.wait_for_copy()
            store = opened.get(job.store_path)
    except OSError as error:
        return error_frame("store-unavailable", f"cannot open the store snapshot: {error}")
    writer = FrameWriter(answers)
    try:
        evaluate(store, job, writer)
        writer.flush()
    except SyntaxError as error:
        return error_frame("query-syntax", f"SPARQL syntax error: {error}")
    except ValueError as error:
        return error_frame("unusable-input", str(error))
    except (OSError, RuntimeError) as error:
        return error_frame("query-failed", f"the engine could not evaluate the query: {error}")
    return frame(DONE)


def main() -> None:
    """Serve jobs on stdin; answer on the original stdout, keep stray prints off it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops us by closing stdin
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    replica_max_quads = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    serve(sys.stdin.buffer, answers, replica_max_quads=replica_max_quads)


if __name__ == "__main__":
    main()
