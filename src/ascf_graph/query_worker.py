"""A query worker process: ``python -m ascf_graph.query_worker``.

It opens the store a job names read-only (keeping it open while the jobs
name the same folder), evaluates one job at a time and streams the answer
back as frames (see :mod:`ascf_graph.worker_protocol`). The server kills a
worker whose query runs past the time limit and starts a fresh one; that is
how a runaway query is stopped, since the engine itself cannot be interrupted.

Only the standard library and pyoxigraph are imported, so a worker starts fast.
"""

import os
import signal
import sys
from typing import BinaryIO

import pyoxigraph as ox

from ascf_graph.query_job import QueryJob, evaluate
from ascf_graph.worker_protocol import DONE, LENGTH, FrameWriter, error_frame, frame


class _OpenStore:
    """The read-only store of the last job, reopened when a job names another folder."""

    def __init__(self) -> None:
        self.path: str | None = None
        self.store: ox.Store | None = None

    def get(self, path: str) -> ox.Store:
        if self.store is None or path != self.path:
            self.store = None
            self.store = ox.Store.read_only(path)
            self.path = path
        return self.store


def serve(jobs: BinaryIO, answers: BinaryIO) -> None:
    """Answer jobs from ``jobs`` until it closes."""
    opened = _OpenStore()
    while True:
        header = jobs.read(LENGTH.size)
        if len(header) < LENGTH.size:
            return
        (length,) = LENGTH.unpack(header)
        job = QueryJob.from_json(jobs.read(length))
        answers.write(_answer(opened, job, answers))
        answers.flush()


def _answer(opened: _OpenStore, job: QueryJob, answers: BinaryIO) -> bytes:
    """Stream the answer's data frames; return the closing frame."""
    try:
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
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
