"""An input worker process: ``python -m ascf_graph.workers.input_process MEMORY_BYTES``.

What clients send is parsed and validated here, never in the server: a
parser that overflows its stack on a crafted document, a validation that
needs gigabytes or minutes, cost this process and not the service. The
process caps its own address space at ``MEMORY_BYTES`` before it reads
anything (``RLIMIT_AS``: past it an allocation fails instead of the machine
swapping), and the server (:mod:`ascf_graph.workers.input_pool`) kills it at the time
limit and starts another.

It answers one job at a time, each a message of the server's (see
:mod:`ascf_graph.workers.protocol`: a JSON header and a payload):

- ``parse``: the payload is a document (or ``input_path`` names its file), read
  by :func:`ascf_graph.rdf.uploads.parse_document` (nesting and RDF/XML
  entities checked before the parser sees it); the answer is its triples as
  N-Triples, blank nodes renamed apart (or they are written into the new file
  ``output_path`` names: see :mod:`ascf_graph.core.spool`);
- ``validate``: the payload is the submission shapes, the data (or
  ``data_path`` names its file) and what the store says about it, as
  N-Triples, or, when the header has ``lookups``, no store part: the worker
  opens the read-only snapshot of the store they name for the job and looks
  it up itself; the answer is the ``sh:ValidationReport``
  as N-Triples (none when the header's ``report_rdf`` is false), with
  ``conforms`` and the results as the engine worded them (messages and fixes)
  in the header;
- ``warm``: load what validation needs, so the first validation is not slowed.

An expected problem is answered as ``{"ok": false, "code", "status",
"message"}``; after running out of memory, or an unexpected exception (a
bug, answered 500 ``worker-failed``), the process answers with
``"retire": true``, then exits, since its state may be left in pieces. It
asks the kernel to kill it if the server dies, so no job outlives the server.
"""

import gc
import logging
import os
import resource
import signal
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, replace
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO

import pyoxigraph as ox

from ascf_graph.core.errors import (
    AscfError,
    StoreUnavailableError,
    UnusableInputError,
    WorkerFailedError,
    WorkMemoryError,
    WorkTooLargeError,
)
from ascf_graph.core.namespaces import PREFIXES
from ascf_graph.rdf.formats import syntax_named
from ascf_graph.rdf.io import to_rdflib_graph
from ascf_graph.rdf.uploads import ParseLimits, parse_document
from ascf_graph.workers.protocol import read_message, write_message

#: Shapes graphs kept parsed (each with its prepared SPARQL): a generation's, and the last.
#: The server keeps the same count of what it sent each worker, so the two never disagree.
KEPT_SHAPES = 2
#: How many more objects than it found a job may leave for the collector's usual pace;
#: past it, the collector runs as soon as the answer is written.
_COLLECT_AFTER = 100_000

log = logging.getLogger(__name__)


class InputWorker:
    """The jobs of one worker process, and the shapes it has been sent."""

    def __init__(self) -> None:
        self._shapes: OrderedDict[str, Any] = OrderedDict()

    def answer(self, header: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
        """The answer to one job: its header and payload."""
        job = header["job"]
        if job == "parse":
            return self.parse(header, payload)
        if job == "validate":
            return self.validate(header, payload)
        if job == "warm":
            _ = self.validation
            return {"ok": True}, b""
        raise ValueError(f"unknown job {job!r}")

    def parse(self, header: dict[str, Any], data: bytes) -> tuple[dict[str, Any], bytes]:
        """The document's triples as N-Triples, within the header's limits: the document is
        the payload or the file ``input_path`` names; the answer is the payload, or is
        written into the new file ``output_path`` names."""
        data = named_or_sent(header, "input_path", data)
        triples = parse_document(
            data,
            syntax_named(header["syntax"]),
            source=header["source"],
            limits=ParseLimits(**header["limits"]),
        )
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b""
        if len(body) > header["max_answer"]:
            raise WorkTooLargeError(
                f"{header['source']} expands to {len(body)} bytes of N-Triples, more than "
                f"{header['max_answer']} for a document of {len(data)} bytes; IRIs that long "
                "(a long @base or prefix repeated on every triple) are not data about cities"
            )
        if "output_path" in header:
            with Path(header["output_path"]).open("xb") as output:
                output.write(body)
            body = b""
        return {"ok": True, "triples": len(triples)}, body

    def validate(self, header: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
        """The report of the data in ``payload`` against the shapes it names."""
        validation = self.validation
        shapes_end = header["shapes_bytes"]
        data_end = shapes_end + header["data_bytes"]
        shapes, queries = self._shapes_named(header["shapes_key"], payload[:shapes_end])
        context = validation.ValidationContext(
            shapes=shapes,
            protected=tuple(header["protected"]),
            protected_classes=tuple(header["protected_classes"]),
            queries=queries,
        )
        data = named_or_sent(header, "data_path", payload[shapes_end:data_end])
        stored = payload[data_end:]
        if "lookups" in header:  # what the store says about the data, looked up here
            stored = self._looked_up(context, header["lookups"], data)
        if header["engine"] == "pyshacl":  # one graph of both, its targets by pyoxigraph
            report = validation.validate_ntriples(data, stored, context)
        else:
            engine = validation.validation_engine(header["engine"])
            report = engine(_graph(data), replace(context, stored=_graph(stored)))
        results = [asdict(result) for result in report.results]
        body = b""
        if header.get("report_rdf", True):
            body = report.graph.serialize(format="nt", encoding="utf-8")
        if max(len(body), _written_length(results)) > header["max_answer"]:
            raise WorkTooLargeError(
                f"the validation report ({report.summary()}) would be larger than "
                f"{header['max_answer']} bytes; fix the most frequent problems and check again"
            )
        return {"ok": True, "conforms": report.conforms, "results": results}, body

    def _looked_up(self, context: Any, lookups: dict[str, Any], data: bytes) -> bytes:
        """What the store of the snapshot ``lookups`` names says about ``data`` (N-Triples):
        :func:`ascf_graph.shacl.validation.store_context`, as N-Triples. The snapshot is
        opened for this job only (an idle worker holds no store, however old), and a store
        that fails is the store's problem (503), not the data's."""
        triples = [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        try:
            store = self.validation.EmbeddedStore(
                ox.Store.read_only(lookups["snapshot"]),
                "snapshot",
                read_only=True,
                base_iri=lookups["base_iri"],
            )
            context = replace(
                context,
                store=store,
                superseded=tuple(lookups["superseded"]),
                base_iri=lookups["base_iri"],
            )
            stored = self.validation.store_context(context, triples)  # reads them twice
        except OSError as error:
            raise StoreUnavailableError(
                f"the store could not be read while checking the data ({error}); retry shortly"
            ) from None
        return ox.serialize(stored, format=ox.RdfFormat.N_TRIPLES)

    @cached_property
    def validation(self) -> SimpleNamespace:
        """What validation needs, imported on first use: pyshacl and rdflib's SPARQL engine
        take about a second to load, which a worker that only parses never pays."""
        # Imported here, not at the top of the module, for that second.
        from ascf_graph.shacl.engine import validation_engine  # noqa: PLC0415
        from ascf_graph.shacl.prepared_queries import PreparedQueries  # noqa: PLC0415
        from ascf_graph.shacl.validation import (  # noqa: PLC0415
            ValidationContext,
            store_context,
            validate_ntriples,
        )
        from ascf_graph.store.embedded import EmbeddedStore  # noqa: PLC0415

        return SimpleNamespace(
            EmbeddedStore=EmbeddedStore,
            PreparedQueries=PreparedQueries,
            ValidationContext=ValidationContext,
            store_context=store_context,
            validate_ntriples=validate_ntriples,
            validation_engine=validation_engine,
        )

    def _shapes_named(self, key: str, data: bytes) -> tuple[Any, Any]:
        """The shapes graph ``key`` names, parsed from ``data`` unless kept from before."""
        if key in self._shapes:
            self._shapes.move_to_end(key)
            return self._shapes[key]
        if not data:
            raise ValueError(f"shapes {key} were neither sent nor kept")
        validation = self.validation
        shapes = _graph(data)
        for prefix, namespace in PREFIXES.items():
            shapes.bind(prefix, namespace)
        self._shapes[key] = (shapes, validation.PreparedQueries())
        while len(self._shapes) > KEPT_SHAPES:
            self._shapes.popitem(last=False)
        return self._shapes[key]


def _written_length(results: list[dict[str, Any]]) -> int:
    """About how many bytes ``results`` take as JSON (their texts, at least): what the answer's
    header will hold, without writing it twice."""
    return sum(len(value) + 8 for result in results for value in result.values() if value)


def named_or_sent(header: dict[str, Any], key: str, sent: bytes) -> bytes:
    """A job's document: the file ``header[key]`` names, if it names one, else what was sent
    in the payload (:func:`ascf_graph.workers.input_pool.sent_by_name`)."""
    return Path(header[key]).read_bytes() if key in header else sent


def _graph(ntriples: bytes) -> Any:
    """An rdflib graph of N-Triples (blank node labels kept, so reports name the data's)."""
    return to_rdflib_graph(q.triple for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))


def serve(jobs: BinaryIO, answers: BinaryIO) -> None:
    """Answer jobs from ``jobs`` until it closes, or until memory ran out.

    Python's cycle collector is paused while a job runs and until its answer is
    written. Building the graph of a 100k-triple validation and checking it allocate
    millions of objects that live until the answer; the collector, running as they are
    made, went over them again and again: the job took 3.5 s with it and 2.2-2.8 s
    without, for 9 MB more at the peak (268 against 260 MB): a job near the worker's
    memory limit reaches it that much sooner. The job's objects are all young when the
    collector is on again, so its first pass goes over them (0.4-0.6 s after that
    validation): after a large job it is made at once, before the worker waits for the
    next job, which would otherwise start with it; after a small one, which leaves few
    objects behind, the collector keeps its usual pace."""
    worker = InputWorker()
    while (message := read_message(jobs)) is not None:
        gc.disable()
        try:
            answer, exhausted = _answer(worker, *message)
            write_message(answers, *answer)
        finally:
            gc.enable()
        if exhausted:
            return
        if gc.get_count()[0] > _COLLECT_AFTER:
            gc.collect()


def _answer(
    worker: InputWorker, header: dict[str, Any], payload: bytes
) -> tuple[tuple[dict[str, Any], bytes], bool]:
    """The worker's answer to one job, or the error it is; and whether the process must
    retire after it (out of memory, or a failure that may leave its state in pieces)."""
    try:
        return worker.answer(header, payload), False
    except AscfError as error:
        return (_error(error), b""), False
    except MemoryError:
        return ({**_error(WorkMemoryError(_memory_message())), "retire": True}, b""), True
    except (ValueError, SyntaxError) as error:
        return (_error(UnusableInputError(str(error))), b""), False
    except Exception as error:  # a bug of ours or of an engine: the server must not die of it
        log.exception("an input worker's job failed")
        failed = WorkerFailedError(f"checking the data failed unexpectedly: {error!r}")
        return ({**_error(failed), "retire": True}, b""), True


def _error(error: AscfError) -> dict[str, Any]:
    return {"ok": False, "code": error.code, "status": error.status, "message": error.message}


def _memory_message() -> str:
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    return (
        f"reading or checking the data needed more than the {limit // 2**20} MiB a worker may "
        "use (ASCF_VALIDATION_MEMORY); split it into smaller submissions"
    )


def _exit_when_orphaned(parent: int) -> None:
    """End this process within a second of its server's end, even in the middle of a job."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def main() -> None:
    """Cap this process's memory, then serve jobs on stdin with answers on the real stdout;
    die with the server, so no job outlives it."""
    # Not the kernel's parent-death signal: it fires when the spawning *thread* ends, and
    # the server spawns workers from its thread pool, whose idle threads come and go.
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops us by closing stdin
    memory = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt frames
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
