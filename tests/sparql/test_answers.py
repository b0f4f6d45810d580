"""Every answer format, chosen by Accept or format=, parses with rdflib and SPARQLWrapper
and says exactly what the engine says when asked in-process."""

import io
import warnings

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML
from SPARQLWrapper import SPARQLWrapper as Wrapper

from ascf_graph.rdf.io import to_rdflib_graph, to_rdflib_term
from ascf_graph.sparql import run as sparql
from ascf_graph.store.embedded import EmbeddedStore

SELECT = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX ascf: <https://w3id.org/ascf/def/>
SELECT ?concept ?label ?notation ?broader ?paragraph WHERE {
  ?concept skos:inScheme <https://w3id.org/ascf/id/framework> ; skos:prefLabel ?label .
  OPTIONAL { ?concept skos:notation ?notation }
  OPTIONAL { ?concept skos:broader ?broader }
  OPTIONAL { ?concept ascf:sourceParagraph ?paragraph }
} ORDER BY ?concept ?label ?notation ?broader ?paragraph
"""
CONSTRUCT = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
CONSTRUCT { ?shape ?p ?o . ?o ?q ?r } WHERE {
  GRAPH <https://w3id.org/ascf/graph/shapes/city> { ?shape ?p ?o OPTIONAL { ?o ?q ?r } }
}
"""
ASK = "ASK { ?s a <https://w3id.org/ascf/def/FocusArea> }"

ResultRow = tuple[rdflib.term.Node | None, ...]


def engine_rows(store: EmbeddedStore, query: str) -> list[ResultRow]:
    result = sparql.run(store, query)
    names = [v.value for v in result.variables]
    return [
        tuple(None if row[n] is None else to_rdflib_term(row[n]) for n in names) for row in result
    ]


def engine_graph(store: EmbeddedStore, query: str) -> rdflib.Graph:
    return to_rdflib_graph(sparql.run(store, query))


def rdflib_parse(body: bytes, rdflib_format: str) -> rdflib.Graph:
    """The triples rdflib reads from ``body`` (quad formats included, graph names dropped)."""
    with warnings.catch_warnings():
        # rdflib 7.6 warns about its own internals when a Dataset parses.
        warnings.filterwarnings("ignore", "Dataset.default_context", DeprecationWarning)
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        received = rdflib.Dataset()
        received.parse(data=body, format=rdflib_format)
    graph = rdflib.Graph()
    for subject, predicate, obj, _ in received.quads((None, None, None, None)):
        graph.add((subject, predicate, obj))
    return graph


def parsed_rows(body: bytes, results_format: str) -> list[ResultRow]:
    result = Result.parse(io.BytesIO(body), format=results_format)
    return [tuple(row) for row in result]


def plain(rows: list[ResultRow]) -> list[tuple[str, ...]]:
    """What CSV keeps of a row: each term's lexical form, an empty string when unbound."""
    return [tuple("" if term is None else str(term) for term in row) for row in rows]


@pytest.mark.parametrize(
    ("accept", "results_format"),
    [
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/tab-separated-values", "tsv"),
    ],
)
def test_select_in_each_typed_results_format_equals_the_engine(
    server: str, store: EmbeddedStore, accept: str, results_format: str
) -> None:
    answer = httpx.get(f"{server}/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert answer.headers["content-type"].split(";")[0] == accept
    expected = engine_rows(store, SELECT)
    assert len(expected) > 50
    assert parsed_rows(answer.content, results_format) == expected


def test_select_in_csv_equals_the_engine_as_text(server: str, store: EmbeddedStore) -> None:
    answer = httpx.get(f"{server}/sparql", params={"query": SELECT, "format": "csv"})
    assert answer.headers["content-type"].startswith("text/csv")
    parsed = plain(parsed_rows(answer.content, "csv"))
    assert parsed == plain(engine_rows(store, SELECT))


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
    ],
)
def test_construct_in_each_rdf_format_equals_the_engine(
    server: str, store: EmbeddedStore, accept: str, rdflib_format: str
) -> None:
    answer = httpx.post(f"{server}/sparql", data={"query": CONSTRUCT}, headers={"Accept": accept})
    assert answer.headers["content-type"].split(";")[0] == accept
    graph = rdflib_parse(answer.content, rdflib_format)
    expected = engine_graph(store, CONSTRUCT)
    assert len(expected) > 100
    assert isomorphic(graph, expected)


@pytest.mark.parametrize(
    ("format_value", "media_type"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("text/csv", "text/csv"),
        ("application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
    ],
)
def test_format_parameter_wins_over_accept(server: str, format_value: str, media_type: str) -> None:
    answer = httpx.get(
        f"{server}/sparql",
        params={"query": ASK, "format": format_value},
        headers={"Accept": "application/sparql-results+json;q=0.1, */*;q=0.05"},
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/csv;q=0.4, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("application/json", "application/sparql-results+json"),
        ("text/*;q=0.5, application/*;q=0.1", "text/csv"),
        ("*/*", "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
    ],
)
def test_accept_with_q_values(server: str, accept: str, media_type: str) -> None:
    answer = httpx.get(f"{server}/sparql", params={"query": ASK}, headers={"Accept": accept})
    assert answer.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [("text/plain", "application/n-triples"), ("text/n3", "text/turtle")],
)
def test_a_graph_comes_in_the_older_media_types_clients_still_send(
    server: str, accept: str, media_type: str
) -> None:
    answer = httpx.get(f"{server}/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("query", "request_kwargs", "code"),
    [
        (ASK, {"headers": {"Accept": "image/png"}}, "not-acceptable"),
        (ASK, {"headers": {"Accept": "text/turtle"}}, "not-acceptable"),
        (CONSTRUCT, {"headers": {"Accept": "application/sparql-results+json"}}, "not-acceptable"),
        (ASK, {"params": {"format": "turtle"}}, "not-acceptable"),
        (CONSTRUCT, {"params": {"format": "csv"}}, "not-acceptable"),
    ],
    ids=[
        "image",
        "graph-type-for-ask",
        "results-type-for-construct",
        "format-turtle-for-ask",
        "format-csv-for-construct",
    ],
)
def test_nothing_acceptable_is_a_406(
    server: str, query: str, request_kwargs: dict, code: str
) -> None:
    params = {"query": query, **request_kwargs.pop("params", {})}
    answer = httpx.get(f"{server}/sparql", params=params, **request_kwargs)
    assert answer.status_code == 406
    assert answer.json()["code"] == code
    assert "Accept" in answer.headers["vary"]
    assert "application/" in answer.json()["message"] or "use one of" in answer.json()["message"]


def test_an_unknown_format_name_is_a_400(server: str) -> None:
    answer = httpx.get(f"{server}/sparql", params={"query": ASK, "format": "yaml"})
    assert answer.status_code == 400
    assert answer.json()["code"] == "unsupported-format"


# --- SPARQLWrapper, the client most notebooks use ---------------------------------------


def wrapper(server: str, query: str, return_format: str) -> Wrapper:
    client = Wrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client


def test_sparqlwrapper_json_select_equals_the_engine(server: str, store: EmbeddedStore) -> None:
    converted = wrapper(server, SELECT, JSON).query().convert()
    rows = [
        tuple(row[v]["value"] if v in row else "" for v in converted["head"]["vars"])
        for row in converted["results"]["bindings"]
    ]
    assert rows == plain(engine_rows(store, SELECT))


@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_sparqlwrapper_every_method(server: str, store: EmbeddedStore, method: str) -> None:
    client = wrapper(server, SELECT, XML)
    if method != "GET":
        client.setMethod(POST)
    if method == "POST-direct":
        client.setRequestMethod(POSTDIRECTLY)
    document = client.query().convert()
    values = [
        binding.getElementsByTagName("literal") + binding.getElementsByTagName("uri")
        for binding in document.getElementsByTagName("result")
    ]
    assert len(values) == len(engine_rows(store, SELECT))


@pytest.mark.parametrize("return_format", [CSV, TSV])
def test_sparqlwrapper_csv_and_tsv(server: str, store: EmbeddedStore, return_format: str) -> None:
    body = wrapper(server, SELECT, return_format).query().convert()
    rows = parsed_rows(body, return_format.lower())
    assert plain(rows) == plain(engine_rows(store, SELECT))


def test_sparqlwrapper_ask(server: str) -> None:
    assert wrapper(server, ASK, JSON).query().convert()["boolean"] is True


@pytest.mark.parametrize("return_format", [XML, RDFXML, JSONLD, TURTLE, N3])
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_construct_equals_the_engine(
    server: str, store: EmbeddedStore, return_format: str
) -> None:
    converted = wrapper(server, CONSTRUCT, return_format).query().convert()
    if isinstance(converted, bytes):
        converted = rdflib.Graph().parse(data=converted, format="turtle")
    assert isomorphic(converted, engine_graph(store, CONSTRUCT))


# --- the HTML table: for browsers, the one format held whole, so size-limited -----------

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_gets_an_html_table_of_the_rows(server: str, store: EmbeddedStore) -> None:
    answer = httpx.get(f"{server}/sparql", params={"query": SELECT}, headers={"Accept": BROWSER})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.text.count("<tr>") == len(engine_rows(store, SELECT)) + 1
    assert "&amp;format=csv" in answer.text
    assert "<script" not in answer.text
    assert (
        answer.headers["etag"]
        != httpx.get(f"{server}/sparql", params={"query": SELECT}).headers["etag"]
    )


def test_the_html_table_escapes_what_the_data_says(server: str) -> None:
    query = "SELECT ?x WHERE { BIND('<script>alert(1)</script>' AS ?x) }"
    answer = httpx.get(f"{server}/sparql", params={"query": query, "format": "html"})
    assert "<script>alert" not in answer.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text


def test_a_curated_query_opened_in_a_browser_is_a_titled_table(server: str) -> None:
    answer = httpx.get(
        f"{server}/queries/projects_of_city",
        params={"city": "https://w3id.org/ascf/id/city/da-nang"},
        headers={"Accept": BROWSER},
    )
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>Projects of a city</h1>" in answer.text
    assert "city=https%3A%2F%2Fw3id.org%2Fascf%2Fid%2Fcity%2Fda-nang&amp;format=csv" in answer.text


def test_an_answer_too_large_for_a_table_is_refused_and_streams_in_csv(server: str) -> None:
    values = " ".join(f'"{i:04d}-{"x" * 60}"' for i in range(400))
    query = f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} }}"
    table = httpx.post(f"{server}/sparql", data={"query": query, "format": "html"}, timeout=60)
    assert table.status_code == 422
    assert table.json()["code"] == "answer-too-large"
    assert "ASCF_MAX_TABLE_BYTES" in table.json()["message"]
    csv = httpx.post(f"{server}/sparql", data={"query": query, "format": "csv"}, timeout=60)
    assert csv.status_code == 200
    assert csv.text.count("\n") == 400 * 400 + 1
