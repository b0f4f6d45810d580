"""/submissions over a real server on a private, writable copy of the built store.

A valid submission answers SPARQL at once; an invalid one is a 422 naming
each problem and leaves the store as it was (graphs, triple counts,
generation); replace and retract keep history; tokens are checked; every
refusal is in the audit log; bad input of every kind is a clear 4xx that
stores nothing, and nothing is fetched from the network.
"""

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import rdflib
from typer.testing import CliRunner

from ascf_graph.cli.main import app as cli
from ascf_graph.core.settings import Settings
from ascf_graph.stewards.audit import AuditLog
from ascf_graph.stewards.credentials import TokenStore
from tests.support.servers import serving
from tests.support.stores import REPO, clone_settings

BASE = "https://w3id.org/ascf/"
EXAMPLES = REPO / "tests" / "data" / "validation"
VALID = (EXAMPLES / "valid-city-and-project.ttl").read_bytes()
PROJECT = f"{BASE}id/project/da-nang-example-valid-project"
MAX_BODY = 300_000
TURTLE = {"Content-Type": "text/turtle"}


def own_project(example: str, slug: str) -> bytes:
    """An example file with its project renamed to ``slug``.

    The module's store keeps what earlier tests submitted, and a file is
    checked together with what the store already says about the nodes it
    describes: an example that should be judged on its own describes a
    project no earlier test submitted.
    """
    return (EXAMPLES / example).read_bytes().replace(b"example-valid-project", slug.encode())


@dataclass
class Service:
    """A running server with its settings and two organisations' tokens."""

    url: str
    settings: Settings
    tokens: TokenStore
    da_nang: str
    bangkok: str

    def auth(self, token: str, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", **headers}

    def state(self) -> tuple[dict[str, int], str]:
        """Every graph's triple count, and the generation."""
        answer = httpx.get(
            f"{self.url}/sparql",
            params={
                "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            },
            headers={"Accept": "application/sparql-results+json"},
        )
        rows = answer.json()["results"]["bindings"]
        sizes = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
        return sizes, httpx.get(f"{self.url}/health").json()["generation"]

    def audit(self) -> list[dict[str, object]]:
        return AuditLog(self.settings.audit_log).entries()

    def submit(self, body: bytes = VALID, token: str | None = None) -> httpx.Response:
        return httpx.post(
            f"{self.url}/submissions",
            content=body,
            headers=self.auth(token or self.da_nang, **TURTLE),
            timeout=60,
        )


@pytest.fixture(scope="module")
def service(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    settings = clone_settings(built, tmp_path_factory.mktemp("submissions"))
    tokens = TokenStore(settings.credentials_file)
    _, da_nang = tokens.create("Da Nang City", "Lan", cities=("da-nang",))
    _, bangkok = tokens.create(
        "Bangkok Metropolitan Administration", "Somchai", cities=("bangkok",)
    )
    environment = {
        "ASCF_DATA_DIR": str(settings.data_dir),
        "ASCF_CONTENT_DIR": str(settings.content_dir),
        "ASCF_MAX_BODY_BYTES": str(MAX_BODY),
        "ASCF_MAX_TRIPLES": "2000",
    }
    with serving(environment) as url:
        yield Service(url, settings, tokens, da_nang, bangkok)


def ask(service: Service, query: str) -> bool:
    answer = httpx.get(
        f"{service.url}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    return answer.json()["boolean"]


# ---------------------------------------------------------------------------
# Accepted, replaced, retracted


def test_a_valid_submission_is_queryable_at_once(service: Service) -> None:
    _, generation = service.state()
    answer = service.submit()
    assert answer.status_code == 201, answer.text
    body = answer.json()
    submission = body["submission"]
    assert answer.headers["location"] == f"/submissions/{submission['id']}"
    assert body["conforms"] is True
    assert body["counts"]["Warning"] == 1  # Da Nang's population; its point is shipped
    assert body["generation"] != generation
    assert service.state()[1] == body["generation"]
    assert ask(
        service,
        f"""ASK {{ GRAPH <{submission["graph"]}> {{
            <{PROJECT}> <https://w3id.org/ascf/def/city> <{BASE}id/city/da-nang> }} }}""",
    )


def test_a_write_changes_the_sparql_etag_and_the_cached_answer_is_not_served(
    service: Service,
) -> None:
    query = {"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?p <{BASE}def/city> ?c }} }}"}
    accept = {"Accept": "application/sparql-results+json"}
    before = httpx.get(f"{service.url}/sparql", params=query, headers=accept)
    again = httpx.get(
        f"{service.url}/sparql",
        params=query,
        headers={**accept, "If-None-Match": before.headers["etag"]},
    )
    assert again.status_code == 304
    assert service.submit().status_code == 201
    after = httpx.get(
        f"{service.url}/sparql",
        params=query,
        headers={**accept, "If-None-Match": before.headers["etag"]},
    )
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    count = lambda answer: int(answer.json()["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert count(after) == count(before) + 1


def test_a_write_is_seen_at_once_by_the_linked_data_documents(service: Service) -> None:
    city = f"{service.url}/doc/city/da-nang.nt"
    marker = f"<{BASE}id/project/da-nang-example-linked-data-project>"
    before = httpx.get(city)
    assert before.status_code == 200
    assert httpx.get(city).content == before.content  # a repeat gives the same document
    assert marker not in before.text
    body = VALID.replace(b"example-valid-project", b"example-linked-data-project")
    assert service.submit(body).status_code == 201
    after = httpx.get(city)
    assert after.headers["etag"] != before.headers["etag"]
    assert marker in after.text


def test_provenance_names_who_when_hash_and_shapes(service: Service) -> None:
    submission = service.submit().json()["submission"]
    version = submission["versions"][0]
    query = f"""
    PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX spdx: <http://spdx.org/rdf/terms#>
    PREFIX void: <http://rdfs.org/ns/void#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX sh: <http://www.w3.org/ns/shacl#>
    ASK {{ GRAPH <{BASE}graph/provenance> {{
        ?v prov:specializationOf <{submission["graph"]}> ;
           prov:generatedAtTime ?when ; void:triples {version["triples"]} ;
           prov:wasAttributedTo <{BASE}id/organisation/da-nang-city> , ?steward ;
           spdx:checksum/spdx:checksumValue "{version["contentHash"].removeprefix("sha256:")}" ;
           prov:wasGeneratedBy ?validation .
        ?steward rdfs:label "Lan" .
        ?validation prov:used/spdx:checksum ?shapes ; prov:generated ?report . }}
      GRAPH ?report {{ ?report a sh:ValidationReport ; sh:conforms false ;
          sh:result/sh:resultSeverity sh:Warning }} }}"""
    # Accepted with Warnings; the stored sh:ValidationReport says what SHACL says: a report
    # with results does not conform.
    assert ask(service, query)


def test_replace_keeps_the_old_version_as_history(service: Service) -> None:
    original = own_project("valid-city-and-project.ttl", "example-replaced-project")
    submission = service.submit(original).json()["submission"]
    url = f"{service.url}{submission['url']}"
    renamed = original.replace(b'"Example Valid Project"', b'"Example Valid Project, renamed"')
    answer = httpx.put(
        url,
        content=renamed,
        headers=service.auth(service.da_nang, **TURTLE, **{"If-Match": '"v1"'}),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["submission"]["version"] == 2
    graph = submission["graph"]
    assert ask(service, f'ASK {{ GRAPH <{graph}> {{ ?p ?l "Example Valid Project, renamed" }} }}')
    assert not ask(service, f'ASK {{ GRAPH <{graph}> {{ ?p ?l "Example Valid Project" }} }}')
    old = httpx.get(f"{url}/versions/1", headers={"Accept": "text/turtle"})
    assert (None, None, rdflib.Literal("Example Valid Project")) in rdflib.Graph().parse(
        data=old.text, format="turtle"
    )
    assert httpx.get(f"{url}/versions/1/original").content == original
    versions = httpx.get(url).json()["versions"]
    assert [v["invalidated"] is not None for v in versions] == [True, False]
    stale = httpx.put(
        url, content=VALID, headers=service.auth(service.da_nang, **TURTLE, **{"If-Match": '"v1"'})
    )
    assert stale.status_code == 412


def test_if_match_takes_a_list_of_strong_tags_of_any_representation(service: Service) -> None:
    """RFC 9110 13.1.1: a list of entity tags, compared strongly; each representation of
    a version has its own tag (RFC 9110 8.8.3), and any of them names the version."""
    original = own_project("valid-city-and-project.ttl", "example-if-match-project")
    submission = service.submit(original).json()["submission"]
    url = f"{service.url}{submission['url']}"
    as_json = httpx.get(url)
    as_turtle = httpx.get(url, headers={"Accept": "text/turtle"})
    as_ntriples = httpx.get(url, headers={"Accept": "application/n-triples"})
    tags = {as_json.headers["etag"], as_turtle.headers["etag"], as_ntriples.headers["etag"]}
    assert len(tags) == 3, "each representation its own strong tag"
    assert as_json.headers["etag"] == as_json.json()["etag"] == '"v1"'

    def put(if_match: str) -> httpx.Response:
        headers = service.auth(service.da_nang, **TURTLE, **{"If-Match": if_match})
        return httpx.put(url, content=original, headers=headers)

    assert put('W/"v1"').status_code == 412, "a weak tag never matches If-Match"
    assert put('"v0", "v9"').status_code == 412
    listed = put(f'"v0", {as_turtle.headers["etag"]}')
    assert listed.status_code == 200, listed.text
    assert put(as_ntriples.headers["etag"]).status_code == 412, "that was version 1's"
    assert put('"v2+ntriples"').status_code == 200

    retracted = httpx.delete(url, headers=service.auth(service.da_nang))
    assert retracted.status_code == 200
    after = httpx.get(url)
    assert after.headers["etag"] != as_json.headers["etag"]
    assert after.headers["etag"] == '"v3-retracted"'


def test_retract_removes_it_from_the_default_graph_and_keeps_history(service: Service) -> None:
    submission = service.submit().json()["submission"]
    url = f"{service.url}{submission['url']}"
    answer = httpx.delete(url, headers=service.auth(service.da_nang))
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "retracted"
    assert submission["graph"] not in service.state()[0]
    gone = httpx.get(url, headers={"Accept": "text/turtle"})
    assert gone.status_code == 410
    assert gone.json()["code"] == "submission-gone"
    assert httpx.get(f"{url}/versions/1/original").content == VALID
    assert httpx.get(f"{url}/versions/1/report", headers={"Accept": "text/plain"}).text.startswith(
        "conforms"
    )
    again = httpx.delete(url, headers=service.auth(service.da_nang))
    assert again.status_code == 409
    listed = {
        s["id"]: s["status"] for s in httpx.get(f"{service.url}/submissions").json()["submissions"]
    }
    assert listed[submission["id"]] == "retracted"


def test_focus_areas_are_inferred_from_sub_areas_and_go_with_the_submission(
    service: Service,
) -> None:
    project = f"{BASE}id/project/da-nang-example-sub-areas-only"
    body = f"""
    @prefix ascf: <{BASE}def/> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <{project}> a ascf:SmartCityProject ; rdfs:label "Example: sub-areas only"@en ;
        rdfs:comment "Example data for tests, not a real project" ;
        ascf:city <{BASE}id/city/da-nang> ; ascf:subArea <{BASE}id/sub-area/tourism> .
    """.encode()
    focus = f"<{project}> ascf:focusArea <{BASE}id/focus-area/civic-and-social>"
    asked = f"PREFIX ascf: <{BASE}def/> ASK {{ GRAPH ?g {{ {focus} }} }}"
    submission = service.submit(body).json()["submission"]
    inferred = submission["graph"].replace("/graph/submission/", "/graph/inferred/")
    assert ask(service, asked.replace("?g", f"<{inferred}>"))
    assert ask(service, asked.replace("?g", f"<{BASE}graph/inferred>")) is False
    # The city's inverse link comes with it, as the build's reasoning gives shipped projects.
    has_project = f"<{BASE}id/city/da-nang> <{BASE}def/hasProject> <{project}>"
    assert ask(service, f"ASK {{ GRAPH <{inferred}> {{ {has_project} }} }}")
    # Stated in the next version, the focus area is no longer inferred: said once.
    civic = f"ascf:focusArea <{BASE}id/focus-area/civic-and-social> ; ascf:subArea"
    stated = body.replace(b"ascf:subArea", civic.encode())
    url = f"{service.url}{submission['url']}"
    replaced = httpx.put(url, content=stated, headers=service.auth(service.da_nang, **TURTLE))
    assert replaced.status_code == 200, replaced.text
    assert not ask(service, asked.replace("?g", f"<{inferred}>"))
    assert ask(service, asked.replace("?g", f"<{submission['graph']}>"))
    # Retracted, its conclusions go with it.
    assert httpx.delete(url, headers=service.auth(service.da_nang)).status_code == 200
    assert inferred not in service.state()[0]
    assert not ask(service, asked)


def test_a_projects_csv_is_accepted(service: Service) -> None:
    example = (REPO / "data" / "templates" / "projects-example.csv").read_bytes()
    _, agency = service.tokens.create(
        "Example Agency", "Ana", cities=("da-nang", "bangkok", "singapore")
    )  # the example's rows are in three cities
    answer = httpx.post(
        f"{service.url}/submissions",
        content=example,
        headers=service.auth(agency, **{"Content-Type": "text/csv"}),
        timeout=60,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["submission"]["versions"][0]["mediaType"] == "text/csv"
    assert ask(
        service,
        f"ASK {{ <{BASE}id/project/bangkok-example-flood-sensors> "
        f"<{BASE}def/city> <{BASE}id/city/bangkok> }}",
    )


# ---------------------------------------------------------------------------
# Refused, and nothing changes


def test_an_invalid_submission_is_422_naming_each_problem_and_changes_nothing(
    service: Service,
) -> None:
    before = service.state()
    broken = own_project("end-before-start.ttl", "example-broken-project").replace(
        b"ascf:status <https://w3id.org/ascf/id/project-status/ongoing>",
        b'ascf:status "ongoing"',
    )
    answer = service.submit(broken)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "non-conforming"
    assert body["counts"]["Violation"] == 2
    problems = {
        (r["path"], r["constraint"]) for node in body["focusNodes"] for r in node["results"]
    }
    assert (f"{BASE}def/startDate", "LessThanOrEqualsConstraintComponent") in problems
    assert (f"{BASE}def/status", "InConstraintComponent") in problems
    assert all(r["fix"] for node in body["focusNodes"] for r in node["results"])
    assert service.state() == before


def test_another_organisations_token_cannot_touch_it(service: Service) -> None:
    submission = service.submit().json()["submission"]
    url = f"{service.url}{submission['url']}"
    before = service.state()
    put = httpx.put(url, content=VALID, headers=service.auth(service.bangkok, **TURTLE))
    delete = httpx.delete(url, headers=service.auth(service.bangkok))
    assert (put.status_code, delete.status_code) == (403, 403)
    assert put.json()["code"] == "forbidden"
    assert service.state() == before
    refused = [e for e in service.audit() if e["event"] == "refused" and e["status"] == 403]
    assert {e["action"] for e in refused} >= {"replace", "retract"}
    assert all(e["organisation"] == "bangkok-metropolitan-administration" for e in refused)


def test_missing_unknown_and_revoked_tokens_are_refused(service: Service) -> None:
    before = service.state()
    record, revoked = service.tokens.create("Da Nang City", "Former steward", cities=("da-nang",))
    service.tokens.revoke(record.token_id)
    missing = httpx.post(f"{service.url}/submissions", content=VALID, headers=TURTLE)
    unknown = service.submit(token="ascf_000000000000_" + "A" * 43)
    gone = service.submit(token=revoked)
    assert [r.status_code for r in (missing, unknown, gone)] == [401, 401, 401]
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert service.state() == before
    reasons = [e.get("reason") for e in service.audit() if e["event"] == "refused"]
    assert "token revoked" in reasons


def test_a_write_is_logged_started_committed_and_accepted(service: Service) -> None:
    before = len(service.audit())
    created = service.submit(own_project("valid-city-and-project.ttl", "example-logged-project"))
    assert created.status_code == 201, created.text
    submission = created.json()["submission"]["id"]
    new = [(e["event"], e.get("submission")) for e in service.audit()[before:]]
    assert new == [
        ("write-started", submission),
        ("committed", submission),
        ("accepted", submission),
    ]


def test_every_refusal_is_in_the_audit_log(service: Service) -> None:
    before = len(service.audit())
    httpx.post(f"{service.url}/submissions", content=VALID, headers=TURTLE)
    service.submit(b"<urn:a> <urn:b> .")
    service.submit(own_project("missing-title.ttl", "example-untitled-project"))
    httpx.delete(f"{service.url}/submissions/nosuchthing", headers=service.auth(service.da_nang))
    new = service.audit()[before:]
    assert [(e["event"], e["status"]) for e in new] == [
        ("refused", 401),
        ("refused", 400),
        ("refused", 422),
        ("refused", 404),
    ]


@pytest.mark.parametrize("submission_id", ["a%20b", "a%3Eb", "x%22y", "ABCDEF012345"])
def test_an_ill_formed_submission_id_is_404_and_audited(
    service: Service, submission_id: str
) -> None:
    before, logged = service.state(), len(service.audit())
    url = f"{service.url}/submissions/{submission_id}"
    answers = [
        httpx.get(url, headers={"Accept": "application/json"}),
        httpx.put(url, content=VALID, headers=service.auth(service.da_nang, **TURTLE)),
        httpx.delete(url, headers=service.auth(service.da_nang)),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert {a.json()["code"] for a in answers} == {"submission-not-found"}
    assert service.state() == before
    refused = [e for e in service.audit()[logged:] if e["event"] == "refused"]
    assert [e["status"] for e in refused] == [404, 404]


JSONLD_REMOTE = '{{"@context": "http://127.0.0.1:{port}/context.jsonld", "@id": "urn:x:a"}}'
RDFXML_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY e SYSTEM "http://127.0.0.1:{port}/e"> ]>'
    '\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">'
    '<rdf:Description rdf:about="http://e/a"><ex:p>&e;</ex:p></rdf:Description></rdf:RDF>'
)
OWL_IMPORTS = (
    "<https://w3id.org/ascf/id/project/da-nang-example-valid-project> "
    "<http://www.w3.org/2002/07/owl#imports> "
    "<http://127.0.0.1:{port}/more.ttl> ."
)
CSV_BAD_DATE = "city,title,focus_areas,start_date\nDa Nang,Example,Civic & Social,2024-02-30\n"


@pytest.fixture
def listener() -> Iterator[tuple[int, list[object]]]:
    """A loopback TCP port that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    connections: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, address = server.accept()
            except TimeoutError:
                continue
            connections.append(address)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join()
    server.close()


@dataclass(frozen=True)
class BadInput:
    """A body that must be refused, and how."""

    content_type: str
    body: str
    status: int
    code: str
    words: str


BAD_INPUTS = {
    "malformed turtle": BadInput(
        "text/turtle", "<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> ;\n", 400, "rdf-syntax", "line 2"
    ),
    "json-ld remote context": BadInput(
        "application/ld+json", JSONLD_REMOTE, 400, "rdf-syntax", "remote contexts"
    ),
    "rdf/xml external entity": BadInput(
        "application/rdf+xml", RDFXML_ENTITY, 400, "rdf-syntax", "external"
    ),
    "csv with a bad date": BadInput(
        "text/csv", CSV_BAD_DATE, 400, "csv-import", "row 2, column 'start_date'"
    ),
    "unknown media type": BadInput("image/png", "x", 415, "unsupported-media-type", "image/png"),
    "rdf 1.2 triple term": BadInput(
        "application/n-triples",
        "<urn:a> <urn:b> <<( <urn:a> <urn:b> <urn:c> )>> .\n",
        400,
        "rdf-syntax",
        "triple term",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_a_clear_4xx_stores_nothing_and_fetches_nothing(
    service: Service, listener: tuple[int, list[object]], name: str
) -> None:
    bad = BAD_INPUTS[name]
    port, connections = listener
    before = service.state()
    answer = httpx.post(
        f"{service.url}/submissions",
        content=bad.body.format(port=port).encode(),
        headers=service.auth(service.da_nang, **{"Content-Type": bad.content_type}),
    )
    assert answer.status_code == bad.status, answer.text
    assert answer.json()["code"] == bad.code
    assert bad.words in answer.json()["message"]
    assert service.state() == before
    assert connections == []


def test_owl_imports_are_never_followed(
    service: Service, listener: tuple[int, list[object]]
) -> None:
    port, connections = listener
    data = VALID + b"\n" + OWL_IMPORTS.format(port=port).encode() + b"\n"
    answer = service.submit(data)
    assert answer.status_code == 201, answer.text
    assert connections == []


def test_an_external_dtd_is_never_fetched(
    service: Service, listener: tuple[int, list[object]]
) -> None:
    port, connections = listener
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:{port}/x.dtd">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">'
        '<rdf:Description rdf:about="http://e/a"><ex:p>v</ex:p></rdf:Description></rdf:RDF>'
    )
    answer = httpx.post(
        f"{service.url}/validate",
        content=data.encode(),
        headers={"Content-Type": "application/rdf+xml"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["triples"] == 1
    assert connections == []


def test_an_oversize_body_is_413_and_stores_nothing(service: Service) -> None:
    before = service.state()
    padding = b"# " + b"x" * 1000 + b"\n"
    answer = service.submit(VALID + padding * (MAX_BODY // len(padding) + 5))
    assert answer.status_code == 413
    assert answer.json()["code"] == "body-too-large"
    assert service.state() == before
    last = service.audit()[-1]
    assert (last["event"], last["status"], last["code"]) == ("refused", 413, "body-too-large")


def test_too_many_triples_is_413(service: Service) -> None:
    lines = b"".join(b"<urn:x:s%d> <urn:x:p> %d .\n" % (i, i) for i in range(2001))
    answer = service.submit(lines)
    assert answer.status_code == 413
    assert answer.json()["code"] == "too-many-triples"


def test_a_submission_may_not_describe_the_framework(service: Service) -> None:
    data = (
        b"<https://w3id.org/ascf/id/focus-area/civic-and-social> "
        b'<http://www.w3.org/2000/01/rdf-schema#label> "Hacked" .'
    )
    answer = service.submit(data)
    assert answer.status_code == 422
    assert "part of the framework" in answer.text


@pytest.mark.parametrize(
    ("node", "framework_s"),
    [
        ("https://w3id.org/ascf/id/framework", True),
        ("https://w3id.org/ascf/def", True),
        ("https://w3id.org/ascf/def#City", True),
        ("https://w3id.org/ascf/id/frameworks-of-hue", False),
        ("https://w3id.org/ascf/definitions-of-hue", False),
    ],
)
def test_the_framework_is_its_iris_not_every_iri_that_begins_alike(
    service: Service, node: str, framework_s: bool
) -> None:
    """The ontology and the framework are IRIs with what lies under them after ``/`` or
    ``#``; an IRI that merely starts with the same letters is the steward's to describe."""
    data = f'<{node}> <http://www.w3.org/2000/01/rdf-schema#comment> "ours" .'.encode()
    answer = httpx.post(
        f"{service.url}/validate",
        content=data,
        headers={"Content-Type": "application/n-triples"},
    )
    assert answer.status_code == 200, answer.text
    assert ("part of the framework" in answer.text) == framework_s


def test_a_method_not_answered_is_405_naming_every_method_the_path_answers(
    service: Service,
) -> None:
    submission = service.submit().json()["submission"]
    one = f"{service.url}{submission['url']}"
    cases = {
        (one, "PATCH"): {"GET", "HEAD", "PUT", "DELETE"},
        (f"{service.url}/submissions", "PUT"): {"GET", "HEAD", "POST"},
    }
    for (url, method), expected in cases.items():
        answer = httpx.request(method, url, headers=service.auth(service.da_nang))
        assert answer.status_code == 405, answer.text
        assert expected <= {m.strip() for m in answer.headers["allow"].split(",")}
        assert answer.json()["code"] == "method-not-allowed"


FAKE_FOCUS_AREA = """
@prefix ascf: <https://w3id.org/ascf/def/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
{node} a ascf:FocusArea ; skos:prefLabel "Fake focus area"@en ;
    skos:inScheme <https://w3id.org/ascf/id/framework> ;
    skos:topConceptOf <https://w3id.org/ascf/id/framework> .
<https://w3id.org/ascf/id/project/da-nang-{slug}> ascf:focusArea {node} .
"""


@pytest.mark.parametrize("node", ["<https://example.org/fake-fa>", "_:fake"])
def test_a_submission_may_not_add_a_concept_to_the_framework(service: Service, node: str) -> None:
    """Its own rdf:type would satisfy sh:class, and the framework would list the concept."""
    before = service.state()
    slug = "example-project-with-a-fake-focus-area"
    data = (
        own_project("valid-city-and-project.ttl", slug)
        + FAKE_FOCUS_AREA.format(node=node, slug=slug).encode()
    )
    answer = service.submit(data)
    assert answer.status_code == 422, answer.text
    scoped = [
        focus["focusNode"]
        for focus in answer.json()["focusNodes"]
        for result in focus["results"]
        if "part of the framework" in result["message"]
    ]
    assert len(scoped) == 1, answer.text
    assert scoped[0] == "https://example.org/fake-fa" or node == "_:fake"
    assert service.state() == before


# ---------------------------------------------------------------------------
# The command line gives the same report as the API


def test_submit_and_validate_on_the_command_line_give_the_api_report(
    service: Service, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ASCF_DATA_DIR", str(service.settings.data_dir))
    monkeypatch.setenv("ASCF_CONTENT_DIR", str(service.settings.content_dir))
    invalid = tmp_path / "missing-title.ttl"
    invalid.write_bytes(own_project("missing-title.ttl", "example-untitled-project"))
    api_text = httpx.post(
        f"{service.url}/validate",
        content=invalid.read_bytes(),
        headers={**TURTLE, "Accept": "text/plain"},
    ).text
    validated = CliRunner().invoke(cli, ["validate", str(invalid)])
    assert validated.exit_code == 1
    assert validated.stdout == api_text
    submitted = CliRunner().invoke(
        cli, ["submit", str(invalid), "--server", service.url, "--token", service.da_nang]
    )
    assert submitted.exit_code == 1
    assert submitted.stdout == api_text
    copy = tmp_path / "valid.ttl"
    copy.write_bytes(VALID)
    command = ["submit", str(copy), "--server", service.url, "--token", service.da_nang]
    accepted = CliRunner().invoke(cli, [*command, "--report-format", "json"])
    assert accepted.exit_code == 0, accepted.output
    assert '"conforms": true' in accepted.stdout
    refused = CliRunner().invoke(
        cli, ["submit", str(copy), "--server", service.url, "--token", "ascf_bad"]
    )
    assert refused.exit_code == 2
    assert "401" in refused.stderr


def test_a_retracted_submission_is_gone_to_readers_and_a_conflict_to_writers(
    service: Service,
) -> None:
    """One status per code: reading its data is 410 submission-gone; replacing it, 409
    submission-retracted."""
    submission = service.submit().json()["submission"]
    url = f"{service.url}{submission['url']}"
    assert httpx.delete(url, headers=service.auth(service.da_nang)).status_code == 200
    read = httpx.get(url, headers={"Accept": "text/turtle"})
    written = httpx.put(url, content=VALID, headers=service.auth(service.da_nang, **TURTLE))
    assert (read.status_code, read.json()["code"]) == (410, "submission-gone")
    assert (written.status_code, written.json()["code"]) == (409, "submission-retracted")
