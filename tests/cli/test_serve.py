"""`ascf-graph serve`: a real uvicorn process on loopback answering /health and /sparql."""

import json

import httpx
import rdflib

FOCUS_AREAS = """
PREFIX ascf: <https://w3id.org/ascf/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?fa ?label WHERE { ?fa a ascf:FocusArea ; skos:prefLabel ?label } ORDER BY ?label
"""


def test_health_reports_the_store(server: str) -> None:
    answer = httpx.get(f"{server}/health")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert body["triples"] > 1000


def test_get_sparql_answers_select_in_json(server: str) -> None:
    answer = httpx.get(
        f"{server}/sparql",
        params={"query": FOCUS_AREAS},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/sparql-results+json")
    labels = [b["label"]["value"] for b in answer.json()["results"]["bindings"]]
    assert labels == sorted(labels)
    assert "Health and Well-being" in labels
    assert len(labels) == 6


def test_post_form_and_post_direct_give_the_same_answer(server: str) -> None:
    form = httpx.post(
        f"{server}/sparql",
        data={"query": FOCUS_AREAS},
        headers={"Accept": "application/sparql-results+json"},
    )
    direct = httpx.post(
        f"{server}/sparql",
        content=FOCUS_AREAS,
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    assert form.status_code == direct.status_code == 200
    assert json.loads(form.content) == json.loads(direct.content)


def test_construct_answers_in_turtle(server: str) -> None:

    answer = httpx.get(
        f"{server}/sparql",
        params={
            "query": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/ascf/graph/countries> "
            "{ ?s ?p ?o } }"
        },
        headers={"Accept": "text/turtle"},
    )
    assert answer.status_code == 200
    graph = rdflib.Graph().parse(data=answer.text, format="turtle")
    assert len(graph) > 20


def test_a_malformed_query_is_a_400_with_the_parsers_position(server: str) -> None:
    answer = httpx.get(f"{server}/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "query-syntax"
    assert "1:" in body["message"]


def test_an_update_is_refused_and_changes_nothing(server: str) -> None:
    before = httpx.get(f"{server}/health").json()["triples"]
    answer = httpx.post(
        f"{server}/sparql", data={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}
    )
    assert answer.status_code == 403
    assert "Update" in answer.json()["message"]
    assert httpx.get(f"{server}/health").json()["triples"] == before


def test_two_query_parameters_are_refused(server: str) -> None:
    answer = httpx.get(f"{server}/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert answer.status_code == 400


def test_an_unacceptable_format_is_a_406(server: str) -> None:
    answer = httpx.get(
        f"{server}/sparql", params={"query": FOCUS_AREAS}, headers={"Accept": "image/png"}
    )
    assert answer.status_code == 406
