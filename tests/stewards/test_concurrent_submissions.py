"""Two submissions checked at the same time cannot both be stored when together they break
the shapes: the second write checks its version again against the store the first changed."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from ascf_graph.core.settings import Settings
from ascf_graph.rdf.uploads import Upload
from ascf_graph.shacl.reports import ValidationReport
from ascf_graph.shacl.validation import ValidationContext, validate
from ascf_graph.stewards.archive import Archive
from ascf_graph.stewards.audit import AuditLog
from ascf_graph.stewards.credentials import Steward
from ascf_graph.stewards.submissions import NonConformingSubmissionError, Submissions
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import TEST_DATA, clone_settings

EXAMPLE = TEST_DATA / "validation" / "valid-city-and-project.ttl"
STATUS = "https://w3id.org/ascf/id/project-status/"
STEWARD = Steward("t1", "da-nang", "Da Nang City", "Lan", cities=("da-nang",))


def upload_with_status(status: str) -> tuple[Upload, bytes]:
    """The example project, with ``status`` (the shapes allow one status a project)."""
    text = EXAMPLE.read_text(encoding="utf-8").replace(STATUS + "ongoing", STATUS + status)
    triples = [q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]
    return Upload(triples, "turtle", "text/turtle", f"{status}.ttl"), text.encode()


class ValidationsThatMeet:
    """The validate engine, but the first two validations return only once both are done,
    so that both versions are checked before either is written."""

    def __init__(self) -> None:
        self.calls = 0
        self._meeting = threading.Barrier(2, timeout=60)
        self._lock = threading.Lock()

    def __call__(self, data: rdflib.Graph, context: ValidationContext) -> ValidationReport:
        report = validate(data, context)
        with self._lock:
            self.calls += 1
            meets = self.calls <= 2
        if meets:
            self._meeting.wait()
        return report


@pytest.fixture
def own_store(built: Settings, tmp_path: Path) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore.open(clone_settings(built, tmp_path).data_dir)
    yield opened
    opened.close()


def test_of_two_conflicting_versions_checked_at_once_only_one_is_stored(
    own_store: EmbeddedStore, tmp_path: Path
) -> None:
    engine = ValidationsThatMeet()
    submissions = Submissions(
        own_store,
        base_iri="https://w3id.org/ascf/",
        archive=Archive(tmp_path / "archive"),
        audit=AuditLog(tmp_path / "audit.jsonl"),
        engine=engine,
    )
    versions = [upload_with_status(status) for status in ("ongoing", "completed")]

    def submit(version: tuple[Upload, bytes]) -> str:
        try:
            submissions.create(*version, STEWARD)
        except NonConformingSubmissionError:
            return "refused"
        return "accepted"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(submit, versions))
    assert outcomes == ["accepted", "refused"]
    assert engine.calls == 3  # the later write checked its version again
    statuses = own_store.oxigraph.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { "
        "<https://w3id.org/ascf/id/project/da-nang-example-valid-project> "
        "<https://w3id.org/ascf/def/status> ?s } }"
    )
    assert len(list(statuses)) == 1
