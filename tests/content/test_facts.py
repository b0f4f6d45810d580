"""Partners, implementers, funders, years and status details from the 2025 report's
narrative, checked against ../shared's facts file directly: every fact is a statement with
its quote, page and confidence, organisations named alike are one, and the curated
partner queries give the file's answers."""

import csv
from collections import defaultdict

from ascf_graph.core.slugs import slugify
from ascf_graph.sparql import run as sparql
from ascf_graph.sparql.curated import load_curated
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import REPO, SHARED

BASE = "https://w3id.org/ascf/"
ASCN = SHARED / "data" / "ascn"
QUERIES = load_curated(REPO / "queries")
ROLES = ("partner", "implementer", "funder")


def table(name: str) -> list[dict[str, str]]:
    with (ASCN / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def rows(store: EmbeddedStore, name: str, **params: str) -> list[dict[str, str]]:
    query = QUERIES[name]
    result = sparql.run(store, query.text, substitutions=query.bind(params))
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def country_of() -> dict[str, str]:
    """Each 2025 row (appendix + number) -> its country, from the report extract."""
    return {f"{r['appendix']}{r['row_no']}": r["country"] for r in table("projects-2025.csv")}


def test_every_fact_is_a_statement_with_its_quote_page_and_confidence(
    store: EmbeddedStore,
) -> None:
    facts = table("project-facts-2025.csv")
    assert len(facts) == 125
    found = {
        row["fact"].value: (row["quote"].value, int(row["page"].value), row["confidence"].value)
        for row in store.oxigraph.query(
            f"""SELECT ?fact ?quote ?page ?confidence WHERE {{
                ?fact a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> ;
                  <{BASE}def/quote> ?quote ; <{BASE}def/sourcePage> ?page ;
                  <{BASE}def/confidence> ?confidence }}""",
            use_default_graph_as_union=True,
        )
    }
    expected = {
        f"{BASE}id/fact/2025-{number}": (f["quote"], int(f["source_page"]), f["confidence"])
        for number, f in enumerate(facts, start=2)
    }
    assert found == expected
    assert sum(1 for quote, _, confidence in found.values() if confidence == "medium") == 39


def test_a_fact_states_what_it_quotes_of_the_project_of_its_row(store: EmbeddedStore) -> None:
    asserted = {
        (row["s"].value, row["p"].value.rsplit("/", 1)[1], row["o"].value)
        for row in store.oxigraph.query(
            """SELECT ?s ?p ?o WHERE {
                ?fact <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?s ;
                  <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> ?p ;
                  <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?o .
                ?s ?p ?o }""",
            use_default_graph_as_union=True,
        )
    }
    assert len(asserted) == len(
        {
            (f["appendix"], f["row_no"], f["fact"], f["value"])
            for f in table("project-facts-2025.csv")
        }
    )
    years = {(p, o) for _, p, o in asserted if p in ("startYear", "expectedCompletionYear")}
    assert ("expectedCompletionYear", "2026") in years  # Iskandar Malaysia Analytics Centre


def test_an_organisation_named_alike_on_several_projects_is_one(store: EmbeddedStore) -> None:
    adb = f"{BASE}id/organisation/asian-development-bank"
    projects = {
        row["project"].value
        for row in store.oxigraph.query(
            f"SELECT ?project WHERE {{ ?project <{BASE}def/partner> <{adb}> }}",
            use_default_graph_as_union=True,
        )
    }
    printed = [f for f in table("project-facts-2025.csv") if f["value"] == "Asian Development Bank"]
    assert len(projects) == len(printed) == 2


def test_the_partners_of_a_citys_projects_are_the_files(store: EmbeddedStore) -> None:
    found = rows(store, "partners_of_projects", city=f"{BASE}id/city/johor-bahru")
    expected = sorted(
        (f["fact"], f["value"], f["quote"])
        for f in table("project-facts-2025.csv")
        if f["city"] == "Johor Bahru" and f["fact"] in ROLES
    )
    assert sorted((r["role"], r["name"], r["quote"]) for r in found) == expected
    assert {r["role"] for r in found} == {"implementer", "funder"}


def test_organisations_on_projects_in_more_than_one_country(store: EmbeddedStore) -> None:
    countries = country_of()
    where: dict[str, set[str]] = defaultdict(set)
    for f in table("project-facts-2025.csv"):
        if f["fact"] in ROLES:
            where[f["value"]].add(countries[f"{f['appendix']}{f['row_no']}"])
    expected = {name for name, found in where.items() if len(found) > 1}
    assert "Asian Development Bank" in expected
    found = rows(store, "organisations_in_several_countries")
    assert {r["name"] for r in found} == expected
    for name in expected:
        assert len([r for r in found if r["name"] == name]) == len(where[name])
    assert {slugify(name) for name in expected} == {
        r["organisation"].rsplit("/", 1)[1] for r in found
    }
