"""/sparql against the W3C SPARQL 1.1 Protocol test cases, over a real server on loopback.

Each test names the W3C case it follows (https://www.w3.org/2009/sparql/docs/tests/
data-sparql11/protocol/manifest): the three query operations, the dataset
parameters, the content types of each query form, and every request the
protocol says must be refused. Our graphs stand in for the suite's data files.
"""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import rdflib

from tests.support.servers import running_server
from tests.support.stores import clone_settings

BASE = "https://w3id.org/ascf/"
COUNTRIES = f"{BASE}graph/countries"
STATUSES = f"{BASE}graph/project-status"
JSON_RESULTS = "application/sparql-results+json"
COUNT_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
COUNT_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def bindings(answer: httpx.Response) -> list[dict[str, str]]:
    """Rows of a SPARQL JSON answer as {variable: value}."""
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(JSON_RESULTS)
    return [
        {name: term["value"] for name, term in row.items()}
        for row in answer.json()["results"]["bindings"]
    ]


def graph_size(server: str, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    answer = httpx.get(f"{server}/sparql", params={"query": query})
    return int(bindings(answer)[0]["n"])


def assert_error(answer: httpx.Response, status: int, code: str) -> str:
    """The answer is the JSON error ``code`` with ``status``; return its message."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code
    assert body["message"]
    return body["message"]


# --- the three query operations -------------------------------------------------------


def test_query_get(server: str) -> None:
    answer = httpx.get(f"{server}/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert answer.status_code == 200
    assert answer.json() == {"head": {}, "boolean": True}


def test_query_post_form(server: str) -> None:
    answer = httpx.post(f"{server}/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert answer.json()["boolean"] is True


def test_a_byte_order_mark_before_a_posted_query_is_not_part_of_it(server: str) -> None:
    answer = httpx.post(
        f"{server}/sparql",
        content="\ufeffASK { ?s ?p ?o }".encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["boolean"] is True


def test_query_post_direct(server: str) -> None:
    answer = httpx.post(
        f"{server}/sparql",
        content="ASK { ?s ?p ?o }",
        headers={"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert answer.json()["boolean"] is True


def test_the_three_operations_give_the_same_rows(server: str) -> None:
    query = "SELECT ?s ?label WHERE { ?s a <https://w3id.org/ascf/def/FocusArea> ; "
    query += "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?label"
    get = httpx.get(f"{server}/sparql", params={"query": query})
    form = httpx.post(f"{server}/sparql", data={"query": query})
    direct = httpx.post(
        f"{server}/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert bindings(get) == bindings(form) == bindings(direct)
    assert len(bindings(get)) == 6


# --- dataset parameters ---------------------------------------------------------------


def test_query_dataset_default_graph(server: str) -> None:
    answer = httpx.get(
        f"{server}/sparql", params={"query": COUNT_DEFAULT, "default-graph-uri": COUNTRIES}
    )
    assert bindings(answer) == [{"n": str(graph_size(server, COUNTRIES))}]


def test_query_dataset_default_graphs_get(server: str) -> None:
    answer = httpx.get(
        f"{server}/sparql",
        params=[
            ("query", COUNT_DEFAULT),
            ("default-graph-uri", COUNTRIES),
            ("default-graph-uri", STATUSES),
        ],
    )
    expected = graph_size(server, COUNTRIES) + graph_size(server, STATUSES)
    assert bindings(answer) == [{"n": str(expected)}]


def test_query_dataset_default_graphs_post(server: str) -> None:
    answer = httpx.post(
        f"{server}/sparql",
        data={"query": COUNT_DEFAULT, "default-graph-uri": [COUNTRIES, STATUSES]},
    )
    expected = graph_size(server, COUNTRIES) + graph_size(server, STATUSES)
    assert bindings(answer) == [{"n": str(expected)}]


def test_query_dataset_named_graphs_get(server: str) -> None:
    answer = httpx.get(
        f"{server}/sparql",
        params=[
            ("query", COUNT_GRAPHS),
            ("named-graph-uri", COUNTRIES),
            ("named-graph-uri", STATUSES),
        ],
    )
    assert [row["g"] for row in bindings(answer)] == [COUNTRIES, STATUSES]


def test_query_dataset_named_graphs_post(server: str) -> None:
    answer = httpx.post(
        f"{server}/sparql", data={"query": COUNT_GRAPHS, "named-graph-uri": [STATUSES]}
    )
    assert bindings(answer) == [{"g": STATUSES, "n": str(graph_size(server, STATUSES))}]


def test_named_graphs_alone_leave_the_default_graph_empty(server: str) -> None:
    answer = httpx.get(
        f"{server}/sparql", params={"query": COUNT_DEFAULT, "named-graph-uri": COUNTRIES}
    )
    assert bindings(answer) == [{"n": "0"}]


def test_default_graphs_alone_leave_no_named_graphs_not_even_the_querys_own(
    server: str,
) -> None:
    """The protocol's dataset replaces the query's whole dataset (SPARQL 1.1 Protocol 2.1.4)."""
    for query in (
        "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        f"SELECT (COUNT(DISTINCT ?g) AS ?n) FROM NAMED <{STATUSES}> "
        "WHERE { GRAPH ?g { ?s ?p ?o } }",
    ):
        answer = httpx.get(
            f"{server}/sparql", params={"query": query, "default-graph-uri": COUNTRIES}
        )
        assert bindings(answer) == [{"n": "0"}], query


def test_query_dataset_full(server: str) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o BIND('default' AS ?g) } UNION "
    query += "{ GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g ORDER BY ?g"
    answer = httpx.post(
        f"{server}/sparql",
        content=query,
        params={"default-graph-uri": COUNTRIES, "named-graph-uri": STATUSES},
        headers={"Content-Type": "application/sparql-query"},
    )
    assert bindings(answer) == [  # ORDER BY puts IRIs before literals
        {"g": STATUSES, "n": str(graph_size(server, STATUSES))},
        {"g": "default", "n": str(graph_size(server, COUNTRIES))},
    ]


def test_query_multiple_dataset_the_protocol_overrides_the_query(server: str) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{STATUSES}> WHERE {{ ?s ?p ?o }}"
    own = httpx.get(f"{server}/sparql", params={"query": query})
    overridden = httpx.get(
        f"{server}/sparql", params={"query": query, "default-graph-uri": COUNTRIES}
    )
    assert bindings(own) == [{"n": str(graph_size(server, STATUSES))}]
    assert bindings(overridden) == [{"n": str(graph_size(server, COUNTRIES))}]


def test_without_a_dataset_the_default_graph_is_the_union_of_all_graphs(server: str) -> None:
    health = httpx.get(f"{server}/health").json()
    answer = httpx.get(f"{server}/sparql", params={"query": COUNT_DEFAULT})
    assert bindings(answer) == [{"n": str(health["triples"])}]


def test_a_dataset_iri_that_is_not_an_iri_is_refused(server: str) -> None:
    answer = httpx.get(
        f"{server}/sparql", params={"query": COUNT_DEFAULT, "default-graph-uri": "not an iri"}
    )
    assert "default-graph-uri" in assert_error(answer, 400, "unusable-input")


# --- content types of each query form ---------------------------------------------------


@pytest.mark.parametrize(
    ("query", "accept", "media_type"),
    [
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", JSON_RESULTS, JSON_RESULTS),
        ("ASK { ?s ?p ?o }", "application/sparql-results+xml", "application/sparql-results+xml"),
        (
            "DESCRIBE <https://w3id.org/ascf/id/focus-area/civic-and-social>",
            "text/turtle",
            "text/turtle",
        ),
        (
            "CONSTRUCT WHERE { ?s a <https://w3id.org/ascf/def/FocusArea> }",
            "application/rdf+xml",
            "application/rdf+xml",
        ),
    ],
    ids=["select", "ask", "describe", "construct"],
)
def test_query_content_type(server: str, query: str, accept: str, media_type: str) -> None:
    answer = httpx.get(f"{server}/sparql", params={"query": query}, headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in answer.headers["vary"]


# --- requests the protocol refuses ------------------------------------------------------


@pytest.mark.parametrize(
    "method", ["PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "PROPFIND", "MKCOL", "SEARCH"]
)
def test_bad_query_method(server: str, method: str) -> None:
    """Any method but the protocol's: the endpoint's own 405, readable from any origin."""
    answer = httpx.request(
        method, f"{server}/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://e.org"}
    )
    assert_error(answer, 405, "method-not-allowed")
    assert {m.strip() for m in answer.headers["allow"].split(",")} == {
        "GET",
        "HEAD",
        "POST",
        "OPTIONS",
    }
    assert answer.headers["access-control-allow-origin"] == "*"


def test_bad_multiple_queries(server: str) -> None:
    answer = httpx.get(f"{server}/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D")
    assert "2 `query` parameters" in assert_error(answer, 400, "unusable-input")


def test_bad_multiple_queries_url_and_body(server: str) -> None:
    answer = httpx.post(f"{server}/sparql", params={"query": "ASK {}"}, data={"query": "ASK {}"})
    assert_error(answer, 400, "unusable-input")


def test_bad_query_missing(server: str) -> None:
    answer = httpx.post(f"{server}/sparql", data={"default-graph-uri": COUNTRIES})
    assert "no query" in assert_error(answer, 400, "unusable-input")
    empty = httpx.get(f"{server}/sparql", params={"query": "  "})
    assert "empty" in assert_error(empty, 400, "unusable-input")


def test_bad_query_wrong_media_type(server: str) -> None:
    answer = httpx.post(
        f"{server}/sparql", content="ASK {}", headers={"Content-Type": "text/plain"}
    )
    assert "text/plain" in assert_error(answer, 415, "unsupported-media-type")


def test_bad_query_missing_form_type(server: str) -> None:
    answer = httpx.post(f"{server}/sparql", content="query=ASK%20%7B%7D")
    assert_error(answer, 415, "unsupported-media-type")


@pytest.mark.parametrize("charset", ["iso-8859-1", '"windows-1252"', "UTF-16"])
def test_a_body_declared_in_another_charset_is_an_unsupported_media_type(
    server: str, charset: str
) -> None:
    answer = httpx.post(
        f"{server}/sparql",
        content="ASK { ?s ?p 'é' }".encode("latin-1"),
        headers={"Content-Type": f"application/sparql-query; charset={charset}"},
    )
    message = assert_error(answer, 415, "unsupported-media-type")
    assert charset.strip('"').lower() in message
    assert "UTF-8" in message


def test_bad_query_non_utf8(server: str) -> None:
    answer = httpx.post(
        f"{server}/sparql",
        content="ASK { ?s ?p 'é' }".encode("latin-1"),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert "UTF-8" in assert_error(answer, 400, "unusable-input")


def test_bad_query_syntax_names_line_and_column(server: str) -> None:
    answer = httpx.get(f"{server}/sparql", params={"query": "SELECT *\nWHERE { ?s ?p }"})
    assert "2:" in assert_error(answer, 400, "query-syntax")


def test_text_that_is_no_query_at_all_gets_the_parsers_message(server: str) -> None:
    answer = httpx.get(f"{server}/sparql", params={"query": "hello"})
    assert "error at 1:" in assert_error(answer, 400, "query-syntax")


@pytest.mark.parametrize(
    ("method", "request_kwargs"),
    [
        ("POST", {"data": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}),
        ("POST", {"data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}),
        (
            "POST",
            {
                "content": "PREFIX ex: <urn:ex:>\nDELETE WHERE { ?s ?p ?o }",
                "headers": {"Content-Type": "application/sparql-update"},
            },
        ),
        ("GET", {"params": {"update": "DROP ALL"}}),
        ("GET", {"params": {"query": "# a comment\nWITH <urn:g> DELETE { ?s ?p ?o } WHERE {}"}}),
    ],
    ids=["update-as-query", "update-form", "update-direct", "update-get", "with-delete"],
)
def test_an_update_is_refused_and_changes_nothing(
    server: str, method: str, request_kwargs: dict
) -> None:
    before = httpx.get(f"{server}/health").json()["triples"]
    answer = httpx.request(method, f"{server}/sparql", **request_kwargs)
    assert "Update" in assert_error(answer, 403, "update-refused")
    assert httpx.get(f"{server}/health").json()["triples"] == before


def test_a_body_over_the_limit_is_a_413(server: str) -> None:
    padding = "#" + "x" * (10 * 1024 * 1024) + "\n"
    answer = httpx.post(
        f"{server}/sparql",
        content=padding + "ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert "ASCF_MAX_BODY_BYTES" in assert_error(answer, 413, "body-too-large")


def test_a_chunked_body_over_the_limit_is_a_413(server: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"query=ASK%20%7B%7D%23"
        for _ in range(11):
            yield b"x" * 1024 * 1024

    answer = httpx.post(
        f"{server}/sparql",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_error(answer, 413, "body-too-large")


# --- CORS --------------------------------------------------------------------------------


def test_answers_and_errors_can_be_read_from_any_origin(server: str) -> None:
    headers = {"Origin": "https://notebook.example"}
    answer = httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers=headers)
    error = httpx.get(f"{server}/sparql", params={"query": "ASK {"}, headers=headers)
    assert answer.headers["access-control-allow-origin"] == "*"
    assert error.headers["access-control-allow-origin"] == "*"
    assert "ETag" in answer.headers["access-control-expose-headers"]


def preflight(server: str, origin: str, headers: str) -> httpx.Response:
    """A browser's CORS preflight for a POST to /sparql with ``headers``."""
    return httpx.options(
        f"{server}/sparql",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": headers,
        },
    )


def allowed_headers(answer: httpx.Response) -> set[str]:
    return {h.strip() for h in answer.headers["access-control-allow-headers"].lower().split(",")}


def test_cors_preflight(server: str) -> None:
    answer = preflight(server, "https://yasgui.example", "content-type, accept")
    assert answer.status_code in (200, 204)  # an "ok status" (Fetch, CORS-preflight fetch)
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert {"content-type", "accept"} <= allowed_headers(answer)


def test_cors_preflight_allows_the_headers_browser_libraries_add(server: str) -> None:
    answer = preflight(
        server, "https://notebook.example", "x-requested-with, cache-control, content-type"
    )
    assert answer.status_code in (200, 204), answer.text
    assert {"x-requested-with", "cache-control"} <= allowed_headers(answer)


def test_cors_preflight_does_not_allow_credentials_to_be_sent(server: str) -> None:
    answer = preflight(server, "https://elsewhere.example", "authorization")
    assert answer.status_code == 400
    assert "access-control-allow-credentials" not in answer.headers


def test_head_answers_like_get_without_a_body(server: str) -> None:
    params = {"query": "ASK { ?s ?p ?o }"}
    head = httpx.head(f"{server}/sparql", params=params)
    get = httpx.get(f"{server}/sparql", params=params)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]


# --- SERVICE: the server never fetches a URL because a request asked it to -------------


class _Recorder(BaseHTTPRequestHandler):
    """A SPARQL endpoint stand-in that records every request it gets."""

    requests: list[str] = []  # noqa: RUF012 (a recorder shared by its handler instances)

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = json.dumps(
            {
                "head": {"vars": ["x"]},
                "results": {
                    "bindings": [{"x": {"type": "literal", "value": "from the remote endpoint"}}]
                },
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", JSON_RESULTS)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def remote_endpoint() -> Iterator[str]:
    """An HTTP server on loopback that records whether anyone called it."""
    _Recorder.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/sparql"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "select * where {{ ?a ?b ?c . service silent <{url}> {{ ?s ?p ?o }} }}",
        "PREFIX r: <{url}#>\nSELECT * WHERE {{ SERVICE r: {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s ?p ?o .SERVICE<{url}>{{ ?x ?y ?z }} }}",
    ],
    ids=["plain", "silent-lowercase", "prefixed", "variable", "no-spaces"],
)
def test_service_off_the_allow_list_is_refused_and_never_called(
    server: str, remote_endpoint: str, template: str
) -> None:
    query = template.format(url=remote_endpoint)
    answer = httpx.get(f"{server}/sparql", params={"query": query})
    assert "allow-list" in assert_error(answer, 403, "service-refused")
    assert _Recorder.requests == []


def test_service_on_the_allow_list_is_called(
    built: object, tmp_path: object, remote_endpoint: str
) -> None:

    settings = clone_settings(built, tmp_path)  # type: ignore[arg-type]
    allow = json.dumps([remote_endpoint])
    with running_server(settings, ASCF_SERVICE_ALLOW_LIST=allow, ASCF_QUERY_WORKERS="1") as process:
        url = process.url
        answer = httpx.get(
            f"{url}/sparql",
            params={"query": f"SELECT ?x WHERE {{ SERVICE <{remote_endpoint}> {{ ?x ?y ?z }} }}"},
        )
        assert bindings(answer) == [{"x": "from the remote endpoint"}]
        assert answer.headers["cache-control"] == "no-store"
        assert "etag" not in answer.headers
        description = rdflib.Graph().parse(
            data=httpx.get(f"{url}/sparql", headers={"Accept": "text/turtle"}).text,
            format="turtle",
        )
    assert len(_Recorder.requests) == 1
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.feature, sd.BasicFederatedQuery) in description
