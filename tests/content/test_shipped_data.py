"""What `ascf-graph build` publishes from data/ and ontology/: counted against the CSVs.

The expected numbers come from the ASCN CSV extracts in ../shared directly,
not from the importer, so a change of importer that drops a row fails here.
"""

import csv
from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib

from ascf_graph.core.graph_names import GraphRole, graph_role
from ascf_graph.rdf.io import to_rdflib_graph
from ascf_graph.shacl.validation import ValidationContext, validate
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import SHARED

BASE = "https://w3id.org/ascf/"
ASCN = SHARED / "data" / "ascn"
REPORT_2025 = "https://asean.org/wp-content/uploads/2025/11/2025-ASCN-ME-Report-Final_30Sep2025-for-public.pdf"
SCAP_2018 = "https://asean.org/wp-content/uploads/2019/02/ASCN-Consolidated-SCAPs.pdf"
PREFIXES = {
    "ascf": BASE + "def/",
    "org": "http://www.w3.org/ns/org#",
    "dct": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
}


def csv_rows(name: str) -> list[dict[str, str]]:
    with (ASCN / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def count(store: EmbeddedStore, where: str) -> int:
    result = store.oxigraph.query(
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}",
        prefixes=PREFIXES,
        use_default_graph_as_union=True,
    )
    return int(next(iter(result))["n"].value)


def test_every_member_of_the_roster_is_loaded(store: EmbeddedStore) -> None:
    assert count(store, "?x a ascf:City") == len(csv_rows("cities.csv")) == 38
    assert count(store, "?x ascf:memberOf <https://w3id.org/ascf/id/organisation/ascn>") == 38


def test_memberships_are_org_memberships_with_the_year_joined(store: EmbeddedStore) -> None:
    assert count(store, "?x a org:Membership ; org:member ?city ; ascf:joinedYear ?year") == 38
    years = Counter(
        row["year"].value
        for row in store.oxigraph.query(
            "SELECT ?year WHERE { ?m a org:Membership ; ascf:joinedYear ?year }",
            prefixes=PREFIXES,
            use_default_graph_as_union=True,
        )
    )
    assert years == Counter(row["joined_year"] for row in csv_rows("cities.csv"))


def test_no_member_is_typed_schema_city(store: EmbeddedStore) -> None:
    assert count(store, "?x a schema:City") == 0


@pytest.mark.parametrize(
    ("source", "csv_name"),
    [(REPORT_2025, "projects-2025.csv"), (SCAP_2018, "projects-2018-scap.csv")],
    ids=["2025-report", "2018-scaps"],
)
def test_every_project_of_each_source_is_loaded_with_its_city(
    store: EmbeddedStore, source: str, csv_name: str
) -> None:
    expected = len(csv_rows(csv_name))
    where = (
        f"?x a ascf:SmartCityProject ; dct:source <{source}> ; ascf:city ?city . ?city a ascf:City"
    )
    assert count(store, where) == expected
    assert expected == {"projects-2025.csv": 134, "projects-2018-scap.csv": 52}[csv_name]


def test_the_figure_facts_are_in_the_graph(store: EmbeddedStore) -> None:
    assert (
        count(
            store,
            """<https://w3id.org/ascf/id/enabler/technological-and-digital-solutions>
             skos:prefLabel "Technological and Digital Solutions"@en ;
             skos:altLabel "Digital Infrastructure and Applications"@en .
           BIND(1 AS ?x)""",
        )
        == 1
    )
    assert (
        count(
            store,
            """?x skos:scopeNote ?note . FILTER(CONTAINS(?note, "Development Focus Areas"))""",
        )
        >= 1
    )
    sub_areas = [
        row["label"].value
        for row in store.oxigraph.query(
            """SELECT ?label WHERE {
                 <https://w3id.org/ascf/id/focus-area/industry-and-innovation> ascf:hasSubArea ?s .
                 ?s skos:prefLabel ?label ; skos:notation ?n } ORDER BY ?n""",
            prefixes=PREFIXES,
            use_default_graph_as_union=True,
        )
    ]
    assert sub_areas == [
        "Business and Entrepreneurship",
        "Trade and Commerce",
        "Upskilling",
        "Technology Incubation",
        "Research",
    ]
    assert count(store, "?x a ascf:SubArea") == 22


def test_all_shipped_data_and_ontology_graphs_conform_to_the_shapes(
    store: EmbeddedStore,
) -> None:
    """The build refuses a Violation; this checks the published graphs once more."""
    data = rdflib.Graph()
    for name in store.graph_sizes():
        if graph_role(name, BASE) in (GraphRole.DATA, GraphRole.ONTOLOGY):
            data += to_rdflib_graph(
                store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(name))
            )
    report = validate(data, ValidationContext.for_build(store, BASE))
    assert report.conforms, report.to_text()
    assert report.count("Violation") == 0
    unclassified = [r for r in report.results if "notClassifiedBecause" in (r.path or "")]
    assert not unclassified
