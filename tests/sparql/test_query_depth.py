"""A query nested very deep is refused before the engine sees it.

pyoxigraph's parser and evaluator recurse once per level of ``( { [``: a few thousand
levels overflow the stack and kill the process that parses (a query worker, or the
server itself for a text without a query form). The endpoint counts the levels first,
outside strings and comments (over every way the engine may lex the text: ``<`` is an
IRI's start or "less than"), and answers 400 ``query-too-deep``.
"""

import httpx
import pytest

from ascf_graph.rdf.sparql_text import QueryText, nesting_depth
from tests.support.processes import children
from tests.support.servers import ServerProcess

DEEP = 20_000


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("SELECT * { ?s ?p ?o }", 1),
        ("SELECT * { { ?s ?p [ ?q ?o ] } FILTER((?o > 1)) }", 3),
        ('SELECT * { ?s ?p \'(((\' . ?s ?p """{{{\n[[[""" }', 1),
        ("SELECT * { ?s ?p ?o } # ((((((", 1),
        # The engine may read ``<`` as "less than": brackets in an IRI count (a real
        # IRI is never a hundred brackets deep).
        ("SELECT * { ?s <urn:x(((> ?o }", 4),
        ("ASK { FILTER(1<2&&((((1))))>0) }", 6),
        # A quote inside what looks like an IRI opens a string for the other reading,
        # which then ends where the first reading thinks one starts.
        ("ASK { FILTER(1<2&&'>'=((((1))))='x') }", 6),
        # A ``#`` in a real IRI is no comment: the brackets after it are counted.
        ("SELECT * { ?s <urn:x#> ?o FILTER(((1))) }", 4),
        ("SELECT * { ?s ?p ?o } ) ) ) (", 1),
    ],
)
def test_depth_counts_brackets_only_where_the_grammar_has_them(text: str, depth: int) -> None:
    assert nesting_depth(QueryText.of(text)) == depth


DEEP_QUERIES = {
    "expression": "SELECT (" + "(" * DEEP + "1" + ")" * DEEP + " AS ?x) {}",
    "groups": "SELECT * " + "{" * DEEP + "}" * DEEP,
    # ``<2&&(((…1)))>`` looks like an IRI, but the engine reads ``<`` and ``>`` as operators.
    "operators around the brackets": "ASK { FILTER(1<2&&" + "(" * DEEP + "1" + ")" * DEEP + ">0) }",
    # Taken for an IRI, ``<2&&'>`` would make the brackets look like a string.
    "quote in an IRI": "ASK { FILTER(1<2&&'>'=" + "(" * DEEP + "1" + ")" * DEEP + "='x') }",
    # No query form: the server would parse it itself for the syntax error's message.
    "no query form": "{" * DEEP,
}


@pytest.mark.parametrize("name", DEEP_QUERIES)
def test_a_query_nested_very_deep_is_refused_and_nothing_crashes(
    served: ServerProcess, name: str
) -> None:
    workers = children(served.pid)
    answer = httpx.post(
        f"{served.url}/sparql",
        content=DEEP_QUERIES[name],
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "query-too-deep"
    assert "ASCF_QUERY_MAX_DEPTH" in answer.json()["message"]
    assert httpx.get(f"{served.url}/health").status_code == 200
    assert children(served.pid) == workers, "no query worker died"


def test_a_query_nested_as_deep_as_people_write_is_answered(served: ServerProcess) -> None:
    query = "SELECT (" + "(" * 40 + "1" + ")" * 40 + " AS ?x) { { { ?s ?p ?o } } } LIMIT 1"
    answer = httpx.get(f"{served.url}/sparql", params={"query": query, "format": "json"})
    assert answer.status_code == 200
    assert answer.json()["results"]["bindings"][0]["x"]["value"] == "1"
