"""/queries: the curated queries as stable URLs, with parameters bound as typed terms."""

import re

import httpx
import pytest

from ascf_graph.sparql import run as sparql
from ascf_graph.sparql.curated import load_curated
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import REPO

QUERIES = load_curated(REPO / "queries")
DA_NANG = "https://w3id.org/ascf/id/city/da-nang"


def test_the_listing_names_every_query_with_its_parameters(server: str) -> None:
    answer = httpx.get(f"{server}/queries")
    assert answer.status_code == 200
    listing = {entry["name"]: entry for entry in answer.json()["queries"]}
    assert set(listing) == set(QUERIES)
    entry = listing["projects_of_city"]
    assert entry["title"] == QUERIES["projects_of_city"].summary
    assert entry["description"] == QUERIES["projects_of_city"].description
    assert entry["parameters"] == [
        {
            "name": "city",
            "kind": "iri",
            "description": QUERIES["projects_of_city"].parameters[0].description,
        }
    ]
    assert entry["url"] == f"{server}/queries/projects_of_city"


def test_the_listing_for_browsers_is_html_with_links(server: str) -> None:
    answer = httpx.get(f"{server}/queries", headers={"Accept": "text/html,*/*;q=0.8"})
    assert answer.headers["content-type"].startswith("text/html")
    for query in QUERIES.values():
        # by path: a page never builds a URL from the request's Host header
        assert f'href="/queries/{query.name}?format=csv"' in answer.text
    assert "<script" not in answer.text


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_curated_query_answers_what_the_engine_answers(
    server: str, store: EmbeddedStore, name: str
) -> None:
    answer = httpx.get(
        f"{server}/queries/{name}", headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200
    text = QUERIES[name].text
    result = sparql.run(store, text)
    expected = [
        {v.value: row[v.value].value for v in result.variables if row[v.value] is not None}
        for row in result
    ]
    received = [
        {k: t["value"] for k, t in row.items()} for row in answer.json()["results"]["bindings"]
    ]
    assert unordered_concatenations(received, text) == unordered_concatenations(expected, text)


def unordered_concatenations(rows: list[dict[str, str]], query: str) -> list[dict[str, object]]:
    """The rows with each GROUP_CONCAT value as the sorted list of its parts: SPARQL leaves
    their order to the engine, and a worker's in-memory copy may order them differently."""
    concatenated = {
        name: separator
        for separator, name in re.findall(
            r'GROUP_CONCAT\(.*?separator\s*=\s*"([^"]*)"\s*\)\s+AS\s+\?(\w+)', query, re.I
        )
    }
    return [
        {
            key: sorted(value.split(concatenated[key])) if key in concatenated else value
            for key, value in row.items()
        }
        for row in rows
    ]


def test_a_parameter_narrows_the_answer(server: str) -> None:
    everyone = httpx.get(f"{server}/queries/projects_of_city", params={"format": "json"}).json()
    da_nang = httpx.get(
        f"{server}/queries/projects_of_city", params={"city": DA_NANG, "format": "json"}
    ).json()
    cities = {row["city"]["value"] for row in da_nang["results"]["bindings"]}
    assert cities == {DA_NANG}
    assert 0 < len(da_nang["results"]["bindings"]) < len(everyone["results"]["bindings"])


def test_a_parameter_value_is_a_term_never_query_text(server: str) -> None:
    injection = f"{DA_NANG}> }} UNION {{ ?s ?p ?o }} #"
    answer = httpx.get(f"{server}/queries/projects_of_city", params={"city": injection})
    assert answer.status_code == 400
    assert answer.json()["code"] == "unusable-input"


def test_a_string_parameter_is_a_literal(server: str) -> None:
    url = f"{server}/queries/concept_by_notation"
    found = httpx.get(url, params={"notation": "F2.1", "format": "json"}).json()
    assert {row["notation"]["value"] for row in found["results"]["bindings"]} == {"F2.1"}
    injection = 'F2.1" } UNION { ?concept ?p ?o } #'
    nothing = httpx.get(url, params={"notation": injection, "format": "json"}).json()
    assert nothing["results"]["bindings"] == []


def test_an_ill_typed_iri_parameter_is_400(server: str) -> None:
    answer = httpx.get(f"{server}/queries/projects_of_city", params={"city": "da-nang"})
    assert answer.status_code == 400
    assert "absolute IRI" in answer.json()["message"]


def test_an_unknown_query_is_404(server: str) -> None:
    for name in ("no_such_query", "Projects_Of_City", "conftest"):
        answer = httpx.get(f"{server}/queries/{name}")
        assert answer.status_code == 404
        assert answer.json()["code"] == "query-not-found"
    assert httpx.get(f"{server}/queries/..%2Fpyproject").status_code == 404


def test_an_unknown_or_repeated_parameter_is_400(server: str) -> None:
    unknown = httpx.get(f"{server}/queries/projects_of_city", params={"town": DA_NANG})
    assert unknown.status_code == 400
    assert "town" in unknown.json()["message"]
    repeated = httpx.get(f"{server}/queries/projects_of_city?city={DA_NANG}&city={DA_NANG}")
    assert repeated.status_code == 400


def test_curated_answers_have_etags_and_304(server: str) -> None:
    url = f"{server}/queries/count_projects_by_status"
    first = httpx.get(url)
    assert first.status_code == 200
    again = httpx.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    other = httpx.get(url, params={"format": "csv"})
    assert other.headers["etag"] != first.headers["etag"]


def test_curated_answers_negotiate_and_refuse_the_impossible(server: str) -> None:
    url = f"{server}/queries/framework_tree"
    xml = httpx.get(url, headers={"Accept": "application/sparql-results+xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    turtle = httpx.get(url, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 406
    assert httpx.get(url).headers["access-control-allow-origin"] == "*"
