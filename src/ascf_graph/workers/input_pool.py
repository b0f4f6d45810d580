"""Input workers: clients' documents are parsed and validated in bounded processes.

A parser in native code that overflows its stack on a crafted document, or a
validation that grows to gigabytes, would otherwise take the whole service
down with it. Here each such job runs in a worker process
(:mod:`ascf_graph.workers.input_process`) that caps its own memory
(``ASCF_VALIDATION_MEMORY``), is killed at the time limit
(``ASCF_VALIDATION_TIMEOUT``), and is replaced when it dies; the client is
told which limit its data hit, and the server goes on answering.

At most ``size`` jobs run at once (``ASCF_INPUT_WORKERS``); a job waits up
to ``queue_wait`` seconds for a free worker, then the client is answered 503
with ``Retry-After``. The pool is used from threads (uploads are admitted on
the event loop and run in threads of their own:
:mod:`ascf_graph.stewards.admission`), so it is synchronous and guarded by a
semaphore and a lock. Workers replaced are counted by cause
(``restart_causes``), which ``/metrics`` reports.
"""

import contextlib
import hashlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, overload

import pyoxigraph as ox
import rdflib

from ascf_graph.core.errors import (
    ReportedError,
    ValidationBusyError,
    WorkerCrashedError,
    WorkTimeoutError,
    WorkTooLargeError,
)
from ascf_graph.rdf.formats import RdfSyntax
from ascf_graph.rdf.uploads import ParseLimits, Upload
from ascf_graph.shacl.engine import Meanwhile, UploadValidator
from ascf_graph.shacl.reports import ValidationReport, ValidationResult
from ascf_graph.shacl.validation import ValidationContext, store_context
from ascf_graph.workers.input_process import KEPT_SHAPES
from ascf_graph.workers.protocol import MESSAGE_HEADER, message_parts

log = logging.getLogger(__name__)

#: How much larger than the document its N-Triples may be (prefixes, @base and JSON-LD
#: contexts shorten IRIs; a document made to expand past this is refused, so a small
#: upload cannot make the server hold gigabytes), plus a floor for small documents.
ANSWER_GROWTH, ANSWER_FLOOR = 16, 1024 * 1024
#: The largest validation report a worker may send back: its results (as JSON), and its
#: ``sh:ValidationReport`` (as N-Triples), each.
MAX_REPORT_BYTES = 64 * 1024 * 1024

_READ_BYTES = 1024 * 1024


@dataclass
class _Process:
    """One worker process, and the shapes graphs it keeps (those last sent or used)."""

    popen: subprocess.Popen[bytes]
    shapes_kept: OrderedDict[str, None] = field(default_factory=OrderedDict)

    def keeps(self, key: str) -> bool:
        """Whether the worker keeps the shapes ``key`` names; either way it will from now
        on (it is sent them if not), and forgets as the worker does."""
        kept = key in self.shapes_kept
        self.shapes_kept[key] = None
        self.shapes_kept.move_to_end(key)
        while len(self.shapes_kept) > KEPT_SHAPES:
            self.shapes_kept.popitem(last=False)
        return kept

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """Stop the process at once, reap it and close its pipes."""
        if self.alive:
            self.popen.kill()
        self.popen.wait()
        self._close_pipes()

    def stop(self) -> None:
        """Let the process end by closing its input; kill it if it lingers."""
        if self.popen.stdin is not None:
            with contextlib.suppress(OSError):
                self.popen.stdin.close()  # the worker's cue to finish
        try:
            self.popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self.popen.stdin, self.popen.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


@dataclass(frozen=True)
class StoreLookups:
    """Where a validating worker looks up what the store says about the data: a read-only
    snapshot of it (:mod:`ascf_graph.store.snapshots`), the graphs' base IRI, and the
    graphs the data will replace, which no longer count."""

    snapshot: str
    base_iri: str
    superseded: list[str]


class ParsedTriples(Sequence[ox.Triple]):
    """The triples a worker parsed, kept as the N-Triples it wrote, in memory or in a spool
    file, and read again on each pass (pyoxigraph's own parser, blank node labels kept): a
    list of triple objects would take about three times the memory in the server, for data
    a validation only scans."""

    def __init__(self, ntriples: bytes | Path, count: int) -> None:
        self.ntriples, self._count = ntriples, count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[ox.Triple]:
        if isinstance(self.ntriples, Path):
            quads = ox.parse(path=self.ntriples, format=ox.RdfFormat.N_TRIPLES)
        else:
            quads = ox.parse(self.ntriples, format=ox.RdfFormat.N_TRIPLES)
        return (quad.triple for quad in quads)

    @overload
    def __getitem__(self, index: int) -> ox.Triple: ...
    @overload
    def __getitem__(self, index: slice) -> list[ox.Triple]: ...
    def __getitem__(self, index: int | slice) -> ox.Triple | list[ox.Triple]:
        return list(self)[index]


class InputWorkers:
    """Up to ``size`` worker processes parsing and validating clients' data."""

    def __init__(
        self, size: int, *, timeout: float, memory_bytes: int, queue_wait: float = 10.0
    ) -> None:
        if size < 1:
            raise ValueError("input workers need at least one process")
        self.size, self.timeout, self.memory_bytes = size, timeout, memory_bytes
        self.queue_wait = queue_wait
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle: list[_Process] = []
        self._closed = False
        self._shapes: dict[int, tuple[rdflib.Graph, str, bytes]] = {}
        self.restart_causes: Counter[str] = Counter()
        """Workers replaced after they died or were stopped at a limit, by cause: memory
        (the worker ran out and retired), died (a crash, or the memory cap's kill), timeout,
        died_idle, not_delivered (gone before its next job)."""

    def close(self) -> None:
        """Stop every idle worker; busy ones are stopped when their job ends."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for process in idle:
            process.stop()

    def parse(
        self,
        data: bytes | Path,
        syntax: RdfSyntax,
        *,
        source: str,
        limits: ParseLimits,
        output: Path | None = None,
    ) -> tuple[ParsedTriples, bytes | Path]:
        """The triples of ``data`` (or of the file it names), parsed in a worker within the
        limits given, and the same as N-Triples (see
        :func:`ascf_graph.rdf.uploads.parse_document`): sent back, or written by the worker
        into the file ``output``, so that the server never holds them."""
        size = data.stat().st_size if isinstance(data, Path) else len(data)
        header: dict[str, Any] = {
            "job": "parse",
            "max_answer": ANSWER_GROWTH * size + ANSWER_FLOOR,
            "syntax": syntax.name,
            "source": source,
            "limits": asdict(limits),
        }
        if output is not None:
            header["output_path"] = str(output)
        answer, ntriples = self._run(header, (sent_by_name(data, header, "input_path"),))
        written: bytes | Path = output if output is not None else ntriples
        return ParsedTriples(written, int(answer["triples"])), written

    def validate(
        self,
        data: bytes | Path,
        stored: Sequence[ox.Triple],
        shapes: rdflib.Graph,
        *,
        engine: str,
        protected: Sequence[str],
        protected_classes: Sequence[str],
        meanwhile: Meanwhile | None = None,
        lookups: StoreLookups | None = None,
        report_rdf: bool = True,
    ) -> ValidationReport:
        """The report on ``data`` (N-Triples, or the file of them it names) against
        ``shapes``, checked in a worker by ``engine`` together with what the store says
        about it: ``stored``, or, with ``lookups``, what the worker itself looks up in
        the store's snapshot; ``meanwhile`` is done here once a worker has the job.
        Without ``report_rdf``, the worker sends the results only, not the report's RDF."""
        key, shapes_bytes = self._shapes_of(shapes)
        stored_bytes = ox.serialize(stored, format=ox.RdfFormat.N_TRIPLES) if stored else b""
        header: dict[str, Any] = {
            "job": "validate",
            "max_answer": MAX_REPORT_BYTES,
            "engine": engine,
            "shapes_key": key,
            "protected": list(protected),
            "protected_classes": list(protected_classes),
            "report_rdf": report_rdf,
        }
        if lookups is not None:
            header["lookups"] = asdict(lookups)
        data = sent_by_name(data, header, "data_path")
        header["data_bytes"] = len(data)

        def payload(process: _Process) -> tuple[dict[str, Any], tuple[bytes, ...]]:
            sent = b"" if process.keeps(key) else shapes_bytes
            return {**header, "shapes_bytes": len(sent)}, (sent, data, stored_bytes)

        answer, report = self._run_with(payload, meanwhile)
        results = tuple(ValidationResult(**result) for result in answer["results"])
        return ValidationReport(
            conforms=bool(answer["conforms"]), results=results, rdf=report if report_rdf else None
        )

    def _shapes_of(self, shapes: rdflib.Graph) -> tuple[str, bytes]:
        """A key for ``shapes`` and its N-Triples, serialized once per graph (one a
        generation); the graph is held while its key is, so its id names only it."""
        with self._lock:
            kept = self._shapes.get(id(shapes))
        if kept is not None and kept[0] is shapes:
            return kept[1], kept[2]
        data = shapes.serialize(format="nt", encoding="utf-8")
        key = hashlib.sha256(data).hexdigest()
        with self._lock:
            self._shapes = {id(shapes): (shapes, key, data)}
        return key, data

    def _run(
        self, header: dict[str, Any], payload: tuple[bytes, ...]
    ) -> tuple[dict[str, Any], bytes]:
        return self._run_with(lambda _process: (header, payload))

    def _run_with(
        self, job: Any, meanwhile: Meanwhile | None = None
    ) -> tuple[dict[str, Any], bytes]:
        """Run the job ``job(process)`` makes on a free worker, doing ``meanwhile`` here
        while it works (the worker's slot stays taken until both are done); raise what the
        worker reports, else what ``meanwhile`` raised, once the worker has answered and
        is free again."""
        failures: list[BaseException] = []

        def run_meanwhile() -> None:
            if meanwhile is not None:
                try:
                    meanwhile()
                except BaseException as error:  # raised below, once the worker is given back
                    failures.append(error)

        if not self._slots.acquire(timeout=self.queue_wait):
            raise ValidationBusyError(
                f"every one of the {self.size} workers that check data stayed busy for "
                f"{self.queue_wait:g} s; retry shortly"
            )
        try:
            deadline = time.monotonic() + self.timeout
            process = self._checkout()
            try:
                answer, body = self._exchange(process, *job(process), deadline, run_meanwhile)
            except _NotDeliveredError:  # it died waiting for work: the job goes to a fresh one
                process = self._spawn()
                try:
                    answer, body = self._exchange(process, *job(process), deadline, run_meanwhile)
                except _NotDeliveredError:
                    raise self._crashed("died before it could take the job") from None
            retire = bool(answer.get("retire"))
            if retire:
                with self._lock:
                    self.restart_causes["memory"] += 1
            self._give_back(process, reusable=not retire)
        except BaseException:
            for failure in failures:
                log.warning("work done beside a failed input worker job failed too: %r", failure)
            raise
        finally:
            self._slots.release()
        if not answer.get("ok"):
            raise ReportedError(answer["code"], int(answer["status"]), answer["message"])
        if failures:
            raise failures[0]
        return answer, body

    def _checkout(self) -> _Process:
        """An idle worker, or a new one; workers that died while idle are let go."""
        while True:
            with self._lock:
                if not self._idle:
                    return self._spawn()
                process = self._idle.pop()
            if process.alive:
                return process
            self._lost(process, "died while idle", "died_idle")

    def _give_back(self, process: _Process, *, reusable: bool) -> None:
        with self._lock:
            if reusable and process.alive and not self._closed:
                self._idle.append(process)
                return
        process.stop()

    def _spawn(self) -> _Process:
        popen = subprocess.Popen(  # our own interpreter and module: no user input in argv
            [sys.executable, "-m", "ascf_graph.workers.input_process", str(self.memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        return _Process(popen)

    def _exchange(
        self,
        process: _Process,
        header: dict[str, Any],
        payload: tuple[bytes, ...],
        deadline: float,
        meanwhile: Meanwhile | None = None,
    ) -> tuple[dict[str, Any], bytes]:
        """Send one job, do ``meanwhile`` (which must not raise) while the worker works on
        it, and read its answer by ``deadline``; a worker that dies or runs past it is
        killed and not reused. An answer already written when ``meanwhile`` ends past the
        deadline is still read: the time it took is not the worker's."""
        try:
            for part in message_parts(header, payload):
                _send(process, part)
        except OSError:
            self._lost(process, "was gone before its next job", "not_delivered")
            raise _NotDeliveredError from None
        if meanwhile is not None:
            meanwhile()
            deadline = max(deadline, time.monotonic() + _ANSWER_GRACE)
        try:
            lengths = _read_exactly(process, MESSAGE_HEADER.size, deadline)
            header_length, payload_length = MESSAGE_HEADER.unpack(lengths)
            limit = header.get("max_answer")
            if limit is not None and max(header_length, payload_length) > limit:
                self._lost(process, "answered more than it may", "answer_too_large")
                raise WorkTooLargeError(
                    f"the worker's answer ({header_length} + {payload_length} bytes) is larger "
                    f"than the {limit} bytes allowed; nothing was stored"
                )
            answer = _read_exactly(process, header_length, deadline)
            body = _read_exactly(process, payload_length, deadline)
        except TimeoutError:
            self._lost(process, "stopped at the time limit", "timeout")
            raise WorkTimeoutError(
                f"reading and checking the data took longer than the {self.timeout:g} s "
                "allowed (ASCF_VALIDATION_TIMEOUT) and was stopped; split it into smaller "
                "submissions"
            ) from None
        except (OSError, EOFError):
            raise self._crashed(self._lost(process, "died", "died")) from None
        return json.loads(answer), body

    def _crashed(self, why: str) -> WorkerCrashedError:
        """The error for a job whose worker ``why`` (died, could not be started...)."""
        return WorkerCrashedError(
            f"the data could not be read or checked: the worker doing it {why}, which "
            "happens with documents made to break parsers, or with data that needs more "
            f"than the {self.memory_bytes // 2**20} MiB a worker may use "
            "(ASCF_VALIDATION_MEMORY); nothing was stored"
        )

    def _lost(self, process: _Process, what: str, cause: str) -> str:
        """Kill and forget ``process``, counting it under ``cause``; say how it ended."""
        process.kill()
        with self._lock:
            self.restart_causes[cause] += 1
        code = process.popen.returncode
        why = f"ended with signal {signal.Signals(-code).name}" if code < 0 else f"exited ({code})"
        log.warning("an input worker %s (%s); starting another when needed", what, why)
        return why


def sent_by_name(document: bytes | Path, header: dict[str, Any], key: str) -> bytes:
    """What of ``document`` goes in a job's payload: its bytes, or nothing when it is a
    file, which ``header[key]`` then names for the worker to read
    (:func:`ascf_graph.workers.input_process.named_or_sent`)."""
    if isinstance(document, Path):
        header[key] = str(document)
        return b""
    return document


class _NotDeliveredError(Exception):
    """A job could not be sent: the worker had died since its last one."""


def _send(process: _Process, data: bytes) -> None:
    """Write all of ``data`` to the worker's job pipe."""
    if process.popen.stdin is None:
        raise RuntimeError("an input worker without its job pipe")
    view = memoryview(data)
    while view:
        view = view[process.popen.stdin.write(view) or 0 :]


#: Seconds a worker's answer is waited for after work done beside it ended past the deadline.
_ANSWER_GRACE = 0.5


def _read_exactly(process: _Process, size: int, deadline: float) -> bytes:
    """``size`` bytes of the worker's answer, waiting no later than ``deadline``."""
    if process.popen.stdout is None:
        raise RuntimeError("an input worker without its answer pipe")
    descriptor = process.popen.stdout.fileno()
    chunks, wanted = [], size
    while wanted:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([descriptor], [], [], remaining)[0]:
            raise TimeoutError
        chunk = os.read(descriptor, min(wanted, _READ_BYTES))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def validator_in_workers(workers: InputWorkers, engine: str) -> UploadValidator:
    """An :class:`UploadValidator` that has ``engine`` check the upload in one of
    ``workers`` with what the store says about it: looked up by the worker in the context's
    snapshot of the store if it has one, so that the server never holds the data's terms,
    else looked up here."""

    def check(
        upload: Upload, context: ValidationContext, *, meanwhile: Meanwhile | None = None
    ) -> ValidationReport:
        lookups = None
        if context.snapshot is not None:
            lookups = StoreLookups(context.snapshot, context.base_iri, list(context.superseded))
        return workers.validate(
            upload.ntriples(),
            store_context(context, upload.triples) if lookups is None else (),
            context.shapes,
            engine=engine,
            protected=context.protected,
            protected_classes=context.protected_classes,
            meanwhile=meanwhile,
            lookups=lookups,
            report_rdf=context.report_rdf,
        )

    return check
