"""SIGKILL the real server while it writes a large submission: the store then holds the whole
submission or none of it, and the service starts again on it and accepts writes."""

import signal
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from ascf_graph.core.graph_names import GraphRole, graph_role
from ascf_graph.core.settings import Settings
from ascf_graph.stewards.audit import AuditLog
from ascf_graph.stewards.credentials import TokenStore
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.servers import running_server
from tests.support.stores import REPO, clone_settings

BASE = "https://w3id.org/ascf/"
RECORDS = 20_000  # three triples each, plus the valid city and project
VALID = (REPO / "tests" / "data" / "validation" / "valid-city-and-project.ttl").read_bytes()


def large_submission() -> bytes:
    """A conforming dataset of about 60,000 triples (a catalogue of made-up records)."""
    lines = [VALID.decode(), "@prefix dct: <http://purl.org/dc/terms/> ."]
    lines += [
        f"<{BASE}id/record/da-nang-{i}> <http://www.w3.org/2000/01/rdf-schema#label> "
        f'"Made-up record {i}" ; dct:description "Line {i} of a large test submission." ; '
        f"dct:isPartOf <https://example.org/records> ."
        for i in range(RECORDS)
    ]
    return "\n".join(lines).encode()


#: Room for the large submission.
LIMITS = {"ASCF_MAX_BODY_BYTES": str(64 * 1024 * 1024), "ASCF_MAX_TRIPLES": "500000"}


def submission_graphs(data_dir: Path) -> dict[str, int]:
    store = EmbeddedStore.open(data_dir)
    try:
        return {
            name: size
            for name, size in store.graph_sizes().items()
            if graph_role(name, BASE) in (GraphRole.SUBMISSION, GraphRole.PROVENANCE)
        }
    finally:
        store.close()


def stored_generation(data_dir: Path) -> str:
    store = EmbeddedStore.open(data_dir)
    try:
        return store.generation
    finally:
        store.close()


@pytest.mark.slow
def test_sigkill_during_a_large_write_leaves_all_or_nothing(
    built: Settings, tmp_path: Path
) -> None:
    settings = clone_settings(built, tmp_path)
    _, token = TokenStore(settings.credentials_file).create(
        "Da Nang City", "Lan", cities=("da-nang",)
    )
    generation_before = stored_generation(settings.data_dir)
    body = large_submission()
    expected_triples = len(list(ox.parse(body, format=ox.RdfFormat.TURTLE)))
    audit = AuditLog(settings.audit_log)

    answers: list[httpx.Response | Exception] = []
    with running_server(settings, **LIMITS) as server:

        def send() -> None:
            try:
                answers.append(
                    httpx.post(
                        f"{server.url}/submissions",
                        content=body,
                        headers={
                            "Authorization": f"Bearer {token}",
                            "Content-Type": "text/turtle",
                        },
                        timeout=300,
                    )
                )
            except httpx.TransportError as error:
                answers.append(error)

        sender = threading.Thread(target=send)
        sender.start()
        deadline = time.monotonic() + 240
        while not any(e["event"] == "write-started" for e in audit.entries()):
            assert server.process.poll() is None, "the server died before writing"
            assert not answers, f"the server answered before writing: {answers}"
            assert time.monotonic() < deadline, "the write never started"
            time.sleep(0.002)
        # The transaction of ~60,000 triples takes seconds; a moment in, it is half-way.
        time.sleep(0.3)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=30)
        sender.join(timeout=60)

    assert len(answers) == 1
    assert isinstance(answers[0], httpx.TransportError), "the kill came after the answer"
    assert not any(e["event"] == "accepted" for e in audit.entries())
    graphs = submission_graphs(settings.data_dir)
    generation_after = stored_generation(settings.data_dir)
    written = [name for name in graphs if graph_role(name, BASE) is GraphRole.SUBMISSION]
    committed = [e for e in audit.entries() if e["event"] == "committed"]
    if written:  # the transaction committed just before the kill: all of it is there
        assert [graphs[name] for name in written] == [expected_triples]
        assert f"{BASE}graph/provenance" in graphs
        assert generation_after == f"{generation_before}+1"
    else:  # or none of it: no graph, no provenance, no report, same generation
        assert graphs == {}
        assert generation_after == generation_before
        assert committed == [], "the log says committed of a write the store does not hold"

    with running_server(settings, **LIMITS) as server:
        again = httpx.post(
            f"{server.url}/submissions",
            content=VALID,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"},
            timeout=60,
        )
    assert again.status_code == 201, again.text
