"""Start-up: the server answers from the snapshot on disk at once while its query workers
copy the store into memory in the background, and says on /health when the copies are done.

A real `ascf-graph serve` on loopback. The copies are held back deterministically by
``ASCF_TEST_COPY_GATE`` (tests only: every copy waits until the file it names exists),
so that "answered before the copies were complete" is a fact the test arranges, not a race
it hopes to win.
"""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from ascf_graph.core.settings import Settings
from ascf_graph.workers.worker_store import COPY_GATE
from tests.support.processes import wait_for
from tests.support.servers import ServerProcess, memory_copies, running_server
from tests.support.stores import clone_settings

#: Questions whose answers are compared from disk and from memory: results, a graph and
#: an aggregate over every graph.
QUESTIONS = {
    "focus areas": (
        "SELECT ?fa ?label WHERE { ?fa a <https://w3id.org/ascf/def/FocusArea> ; "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?fa",
        "text/csv",
    ),
    "a city's graph": (
        "CONSTRUCT { <https://w3id.org/ascf/id/city/da-nang> ?p ?o } "
        "WHERE { <https://w3id.org/ascf/id/city/da-nang> ?p ?o }",
        "application/n-triples",
    ),
    "quads per graph": (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
        "text/csv",
    ),
}
#: A linked-data document, which the workers render too (answered from disk at first).
DOCUMENT = "/doc/focus-area/civic-and-social.nt"


@pytest.fixture
def held_back(built: Settings, tmp_path: Path) -> Iterator[tuple[ServerProcess, Path]]:
    """A server with two workers whose copies wait for a gate file; the server and the gate."""
    gate = tmp_path / "copies-may-start"
    settings = clone_settings(built, tmp_path)
    with running_server(
        settings, copies_loaded=False, ASCF_QUERY_WORKERS="2", **{COPY_GATE: str(gate)}
    ) as server:
        yield server, gate


def ask(server: ServerProcess, question: str, when: str) -> tuple[int, bytes]:
    """The status and body of a question; ``when`` goes into a comment, so that the answer
    cache (keyed on the text) cannot hand the second asking the first one's answer."""
    query, accept = QUESTIONS[question]
    answer = httpx.post(
        f"{server.url}/sparql",
        content=f"{query}\n# asked {when}",
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
        timeout=30,
    )
    return answer.status_code, answer.content


def as_set(body: bytes, accept: str) -> set[object]:
    """An N-Triples answer as a set of triples (its order is the engine's, not a promise)."""
    if accept != "application/n-triples":
        return {body}
    return set(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))


def test_the_server_answers_from_disk_before_its_copies_are_complete_and_the_same_after(
    held_back: tuple[ServerProcess, Path],
) -> None:
    server, gate = held_back
    health = httpx.get(f"{server.url}/health").json()
    assert (health["memory_copies"], health["workers_in_memory"]) == ("loading", 0)
    assert httpx.get(f"{server.url}/ready").status_code == 200, "answering from disk is ready"

    from_disk = {question: ask(server, question, "from disk") for question in QUESTIONS}
    document_from_disk = httpx.get(server.url + DOCUMENT, timeout=30)
    assert memory_copies(server.url) == "loading", "every answer above came from disk"
    assert all(status == 200 for status, _ in from_disk.values()), from_disk
    assert document_from_disk.status_code == 200

    gate.touch()
    wait_for(lambda: memory_copies(server.url) == "complete", "/health says the copies are done")
    assert httpx.get(f"{server.url}/health").json()["workers_in_memory"] == 2

    for question, (status, body) in from_disk.items():
        again_status, again = ask(server, question, "from memory")
        assert again_status == status == 200
        accept = QUESTIONS[question][1]
        assert as_set(again, accept) == as_set(body, accept), f"{question} differs from memory"


def test_health_says_off_when_the_workers_copy_nothing(built: Settings, tmp_path: Path) -> None:
    settings = clone_settings(built, tmp_path)
    with running_server(settings, ASCF_QUERY_WORKERS="1", ASCF_MEMORY_COPY_QUADS="0") as server:
        health = httpx.get(f"{server.url}/health").json()
        assert (health["memory_copies"], health["workers_in_memory"]) == ("off", 0)
        status, _ = ask(server, "focus areas", "with copies off")
        assert status == 200
