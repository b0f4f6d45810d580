"""Input workers: real worker processes parse and validate as the server would, within limits."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psutil
import pytest
import rdflib

from ascf_graph.core.errors import (
    RdfSyntaxError,
    ReportedError,
    ValidationBusyError,
    WorkerCrashedError,
    WorkTooLargeError,
)
from ascf_graph.rdf.formats import syntax_named
from ascf_graph.rdf.uploads import ParseLimits, Upload, parse_document
from ascf_graph.shacl.engine import validation_engine, validator_in_process
from ascf_graph.shacl.reports import ValidationReport
from ascf_graph.shacl.rudof import rudof_available
from ascf_graph.shacl.validation import ValidationContext, validate
from ascf_graph.stewards.archive import Archive
from ascf_graph.stewards.audit import AuditLog
from ascf_graph.stewards.submissions import Submissions
from ascf_graph.store.embedded import EmbeddedStore
from ascf_graph.store.snapshots import HeldSnapshot
from ascf_graph.workers import input_process
from ascf_graph.workers.input_pool import InputWorkers, validator_in_workers
from tests.support.stores import REPO

BASE = "https://w3id.org/ascf/"
EXAMPLES = sorted((REPO / "tests" / "data" / "validation").glob("*.ttl"))
CITY_SHAPES = rdflib.Graph().parse(REPO / "shapes" / "city.ttl")
ONE_TRIPLE = b'<urn:a> <urn:p> "1" .'
LIMITS = ParseLimits(max_triples=200_000, max_nesting=64, max_expansion=10_000_000)


@pytest.fixture
def workers() -> Iterator[InputWorkers]:
    pool = InputWorkers(1, timeout=120, memory_bytes=0)
    yield pool
    pool.close()


def upload_of(path: Path) -> Upload:
    triples = parse_document(
        path.read_bytes(), syntax_named("turtle"), source=path.name, limits=LIMITS
    )
    return Upload(triples, "turtle", "text/turtle", path.name)


def findings(report: ValidationReport) -> tuple[bool, tuple[object, ...]]:
    return report.conforms, report.results


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["pyshacl", "rudof"])
@pytest.mark.parametrize(
    "example", [p for p in EXAMPLES if p.name != "malformed.ttl"], ids=lambda p: p.stem
)
def test_a_report_checked_in_a_worker_is_the_one_checked_in_process(
    store: EmbeddedStore, workers: InputWorkers, engine: str, example: Path
) -> None:
    if engine == "rudof" and not rudof_available():
        pytest.skip("pyrudof is not installed")
    upload = upload_of(example)
    context = ValidationContext.for_submissions(store, BASE)
    here = validator_in_process(validation_engine(engine))(upload, context)
    there = validator_in_workers(workers, engine)(upload, context)
    assert findings(there) == findings(here)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["pyshacl", "rudof"])
@pytest.mark.parametrize(
    "example", [p for p in EXAMPLES if p.name != "malformed.ttl"], ids=lambda p: p.stem
)
def test_a_worker_given_a_snapshot_looks_up_the_store_itself_and_reports_the_same(
    store: EmbeddedStore, workers: InputWorkers, engine: str, example: Path, tmp_path: Path
) -> None:
    """With a read-only snapshot of the store, the worker looks up what the store says about
    the data itself (so that the server never holds the data's terms): the report is the
    one made in process, and the work beside it is still done once."""
    if engine == "rudof" and not rudof_available():
        pytest.skip("pyrudof is not installed")
    upload = upload_of(example)
    context = ValidationContext.for_submissions(store, BASE)
    store.snapshot(tmp_path / "snapshot")
    here = validator_in_process(validation_engine(engine))(upload, context)
    beside: list[str] = []
    there = validator_in_workers(workers, engine)(
        upload,
        replace(context, snapshot=str(tmp_path / "snapshot")),
        meanwhile=lambda: beside.append("done"),
    )
    assert findings(there) == findings(here)
    assert beside == ["done"]


def test_a_validation_asked_for_its_results_only_gets_the_same_results_and_no_rdf(
    store: EmbeddedStore, workers: InputWorkers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A JSON, text or HTML answer reads the results only: the worker then neither writes
    out the ``sh:ValidationReport`` nor sends it."""
    upload = upload_of(REPO / "tests" / "data" / "validation" / "unknown-focus-area.ttl")
    context = ValidationContext.for_submissions(store, BASE)
    sent: list[bytes] = []
    run_with = workers._run_with

    def noting_what_is_sent(*arguments: Any) -> tuple[dict[str, Any], bytes]:
        answer, body = run_with(*arguments)
        sent.append(body)
        return answer, body

    monkeypatch.setattr(workers, "_run_with", noting_what_is_sent)
    whole = validator_in_workers(workers, "pyshacl")(upload, context)
    results_only = validator_in_workers(workers, "pyshacl")(
        upload, replace(context, report_rdf=False)
    )
    assert sent[0].startswith(b"_:") or sent[0].startswith(b"<"), "the RDF, when asked"
    assert sent[1] == b"", "no RDF sent when not asked"
    assert findings(results_only) == findings(whole)
    assert not whole.conforms
    assert whole.rdf
    assert results_only.rdf is None
    assert (
        None,
        rdflib.RDF.type,
        rdflib.URIRef("http://www.w3.org/ns/shacl#ValidationReport"),
    ) in whole.graph
    with pytest.raises(ValueError, match="results, not its RDF"):
        _ = results_only.graph


def test_a_report_of_more_results_than_a_worker_may_send_is_refused_without_its_rdf_too() -> None:
    """The worker's limit on what it sends back counts the results, which are all it sends
    when the report's RDF is not asked for."""
    worker = input_process.InputWorker()
    shapes = CITY_SHAPES.serialize(format="nt", encoding="utf-8")
    city = "<https://w3id.org/ascf/id/city/c{}>"
    population = "<https://w3id.org/ascf/def/population>"
    cities = "".join(
        f"{city.format(i)} <{rdflib.RDF.type}> <https://w3id.org/ascf/def/City> .\n"
        f'{city.format(i)} {population} "many" .\n'
        for i in range(50)
    ).encode()
    header = {
        "job": "validate",
        "engine": "pyshacl",
        "shapes_key": "city",
        "shapes_bytes": len(shapes),
        "data_bytes": len(cities),
        "protected": [],
        "protected_classes": [],
        "report_rdf": False,
    }
    answer, body = worker.validate({**header, "max_answer": 10_000_000}, shapes + cities)
    assert body == b""
    assert len(answer["results"]) >= 50
    with pytest.raises(WorkTooLargeError, match="larger than 2000 bytes"):
        worker.validate({**header, "max_answer": 2_000}, shapes + cities)


def test_a_snapshot_the_worker_cannot_open_is_the_stores_503_and_the_worker_stays(
    store: EmbeddedStore, workers: InputWorkers, tmp_path: Path
) -> None:
    upload = upload_of(EXAMPLES[0])
    context = ValidationContext.for_submissions(store, BASE)
    gone = replace(context, snapshot=str(tmp_path / "removed-meanwhile"))
    with pytest.raises(ReportedError) as refused:
        validator_in_workers(workers, "pyshacl")(upload, gone)
    assert (refused.value.code, refused.value.status) == ("store-unavailable", 503)
    assert workers.restart_causes == {}, "the data did not break the worker"
    store.snapshot(tmp_path / "snapshot")
    lent = replace(context, snapshot=str(tmp_path / "snapshot"))
    assert findings(validator_in_workers(workers, "pyshacl")(upload, lent)) == findings(
        validator_in_process(validate)(upload, context)
    )


def test_a_snapshot_of_another_generation_is_not_lent_to_the_worker(
    store: EmbeddedStore, workers: InputWorkers, tmp_path: Path
) -> None:
    """A write landed between taking the snapshot and checking: the data is checked against
    the store as it is now, looked up here (were the snapshot lent, this one would fail)."""
    submissions = Submissions(
        store,
        base_iri=BASE,
        archive=Archive(tmp_path / "archive"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
        validator=validator_in_workers(workers, "pyshacl"),
        validates_in_workers=True,
    )
    upload = upload_of(REPO / "tests" / "data" / "validation" / "unknown-focus-area.ttl")
    stale = HeldSnapshot(str(tmp_path / "no-such-snapshot"), "an-earlier-generation")
    assert findings(submissions.validate(upload, stale)) == findings(submissions.validate(upload))


def test_the_examples_include_problems_the_store_must_be_asked_about(
    store: EmbeddedStore,
) -> None:
    """So that the comparison above would catch a worker checking without the store's
    context: an unknown focus area is only a Violation given the framework's concepts."""
    upload = upload_of(REPO / "tests" / "data" / "validation" / "unknown-focus-area.ttl")
    with_store = validate_upload(upload, ValidationContext.for_submissions(store, BASE))
    shapes_only = ValidationContext(shapes=ValidationContext.for_submissions(store, BASE).shapes)
    assert findings(with_store) != findings(validate_upload(upload, shapes_only))


def validate_upload(upload: Upload, context: ValidationContext) -> ValidationReport:
    return validator_in_process(validate)(upload, context)


def test_a_document_is_parsed_in_a_worker_with_its_errors_as_the_parser_says_them(
    workers: InputWorkers,
) -> None:
    triples, ntriples = workers.parse(
        b"<urn:a> <urn:p> [ <urn:q> 1 ] .", syntax_named("turtle"), source="up", limits=LIMITS
    )
    assert len(triples) == 2
    assert ntriples.count(b"\n") == 2
    with pytest.raises(ReportedError) as refused:
        workers.parse(b"<urn:a> <urn:p> .", syntax_named("turtle"), source="up", limits=LIMITS)
    in_process = pytest.raises(RdfSyntaxError)
    with in_process as expected:
        parse_document(b"<urn:a> <urn:p> .", syntax_named("turtle"), source="up", limits=LIMITS)
    assert (refused.value.code, refused.value.status, refused.value.message) == (
        expected.value.code,
        expected.value.status,
        expected.value.message,
    )


@pytest.mark.slow
def test_a_worker_past_its_memory_limit_is_refused_and_replaced() -> None:
    """rdflib and pyshacl need well over 300 MiB for 100,000 triples."""
    pool = InputWorkers(1, timeout=120, memory_bytes=300 * 1024 * 1024)
    data = "".join(f"<urn:s{i}> <urn:p> <urn:o{i}> .\n" for i in range(100_000)).encode()
    try:
        with pytest.raises((ReportedError, WorkerCrashedError)) as refused:
            pool.validate(
                data, [], CITY_SHAPES, engine="pyshacl", protected=(), protected_classes=()
            )
        assert refused.value.code in ("validation-memory", "input-crashed-worker")
        assert "ASCF_VALIDATION_MEMORY" in refused.value.message
        triples, _ = pool.parse(ONE_TRIPLE, syntax_named("nt"), source="up", limits=LIMITS)
        assert len(triples) == 1
    finally:
        pool.close()


def test_a_worker_killed_between_jobs_is_replaced(workers: InputWorkers) -> None:
    workers.parse(ONE_TRIPLE, syntax_named("nt"), source="up", limits=LIMITS)
    (idle,) = workers._idle  # the one worker, waiting for its next job
    os.kill(idle.popen.pid, signal.SIGKILL)
    idle.popen.wait()
    triples, _ = workers.parse(ONE_TRIPLE, syntax_named("nt"), source="up", limits=LIMITS)
    assert len(triples) == 1


ORPHANING = """
import sys, threading, time
import rdflib
from ascf_graph.workers.input_pool import InputWorkers
shapes = rdflib.Graph().parse(sys.argv[1])
workers = InputWorkers(1, timeout=600, memory_bytes=0)
data = "".join(f"<urn:s{i}> <urn:p> <urn:o{i}> .\\n" for i in range(300_000)).encode()
def check() -> None:  # tens of seconds of pyshacl
    workers.validate(data, [], shapes, engine="pyshacl", protected=(), protected_classes=())
threading.Thread(target=check, daemon=True).start()
time.sleep(600)
"""


@pytest.mark.slow
def test_a_worker_ends_with_its_server_even_in_the_middle_of_a_job(tmp_path: Path) -> None:
    """The server dies (the supervisor exists for that): its workers must not go on
    working for nobody, each up to its memory limit."""
    server = subprocess.Popen([sys.executable, "-c", ORPHANING, str(REPO / "shapes" / "city.ttl")])
    try:
        deadline = time.monotonic() + 30
        while not (children := psutil.Process(server.pid).children()):
            assert time.monotonic() < deadline, "no worker was started"
            time.sleep(0.1)
        (worker,) = children
        time.sleep(3)  # the worker is validating
        server.kill()
        server.wait()
        _, alive = psutil.wait_procs([worker], timeout=10)
        assert not alive, "the worker outlived its server"
    finally:
        server.kill()
        server.wait()


def input_workers() -> list[psutil.Process]:
    """This process's input workers (not the servers or browsers other fixtures started)."""
    found = []
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.Error):
            if "ascf_graph.workers.input_process" in child.cmdline():
                found.append(child)
    return found


def projects_upload(count: int) -> Upload:
    """The valid example with ``count`` more projects like its own: each a focus node."""
    example = (REPO / "tests" / "data" / "validation" / "valid-city-and-project.ttl").read_text()
    start = example.index("<https://w3id.org/ascf/id/project/da-nang-example-valid-project>")
    project = example[start : example.index(" .\n", start) + 3]
    copies = [project.replace("valid-project", f"valid-project-{i}") for i in range(count)]
    text = "\n".join([example, *copies]).encode()
    triples = parse_document(text, syntax_named("turtle"), source="projects", limits=LIMITS)
    return Upload(triples, "turtle", "text/turtle", "projects.ttl")


@pytest.mark.slow
def test_what_is_done_meanwhile_is_done_while_the_worker_checks_the_shapes(
    store: EmbeddedStore, workers: InputWorkers
) -> None:
    """The checks beyond the shapes run in the server's thread while a worker checks the
    shapes: the worker spends CPU time while they run, and the report is the one made
    without them."""
    context = ValidationContext.for_submissions(store, BASE)
    upload = projects_upload(1_500)
    validator = validator_in_workers(workers, "pyshacl")
    alone = validator(upload, context)
    (worker,) = input_workers()
    spent: list[float] = []

    def meanwhile() -> None:
        before = worker.cpu_times().user
        time.sleep(0.5)
        spent.append(worker.cpu_times().user - before)

    assert findings(validator(upload, context, meanwhile=meanwhile)) == findings(alone)
    assert len(spent) == 1
    assert spent[0] > 0, "the worker did nothing while this thread waited"


def test_a_failure_meanwhile_is_raised_once_the_worker_has_answered_and_it_stays_in_use(
    store: EmbeddedStore, workers: InputWorkers
) -> None:
    context = ValidationContext.for_submissions(store, BASE)
    upload = upload_of(REPO / "tests" / "data" / "validation" / "valid-city-and-project.ttl")
    validator = validator_in_workers(workers, "pyshacl")
    validator(upload, context)
    (worker,) = input_workers()

    def meanwhile() -> None:
        raise LookupError("the store could not be read")

    with pytest.raises(LookupError, match="could not be read"):
        validator(upload, context, meanwhile=meanwhile)
    assert validator(upload, context).conforms
    assert input_workers() == [worker]
    assert sum(workers.restart_causes.values()) == 0


@pytest.mark.slow
def test_nothing_is_done_meanwhile_when_no_worker_takes_the_job(
    store: EmbeddedStore,
) -> None:
    """A validation refused because every worker stayed busy costs the server nothing more:
    the checks beyond the shapes start only once a worker has the job."""
    pool = InputWorkers(1, timeout=120, memory_bytes=0, queue_wait=0.1)
    try:
        context = ValidationContext.for_submissions(store, BASE)
        validator = validator_in_workers(pool, "pyshacl")
        busy = threading.Thread(target=validator, args=(projects_upload(1_500), context))
        busy.start()
        while not input_workers():
            time.sleep(0.01)
        called: list[bool] = []
        small = upload_of(REPO / "tests" / "data" / "validation" / "valid-city-and-project.ttl")
        with pytest.raises(ValidationBusyError):
            validator(small, context, meanwhile=lambda: called.append(True))
        busy.join()
        assert called == []
    finally:
        pool.close()
