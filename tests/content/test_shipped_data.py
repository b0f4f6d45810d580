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
from ascf_graph.shacl.coordinates import coordinates_outside_country
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
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "gn": "http://www.geonames.org/ontology#",
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


def test_every_city_with_a_geonames_id_has_its_point_and_link(store: EmbeddedStore) -> None:
    located = [row for row in csv_rows("cities-geonames.csv") if row["geonameid"]]
    assert len(located) == 37  # Seberang Perai has no GeoNames record
    for row in located:
        feature = f"<https://sws.geonames.org/{row['geonameid']}/>"
        where = f"""?x rdfs:label "{row["name"]}"@en ;
            wgs:lat {row["latitude"]} ; wgs:long {row["longitude"]} ;
            geo:hasGeometry/geo:asWKT ?point ;
            owl:sameAs|skos:closeMatch {feature} .
            FILTER (?point = "POINT({row["longitude"]} {row["latitude"]})"^^geo:wktLiteral)"""
        assert count(store, where) == 1, row["name"]
    # The members the extract's notes call larger than their seat (a capital, province,
    # regency, province-level municipality), or maybe (a town that shares a province's name).
    larger = {
        row["c"].value.rsplit("/", 1)[1]
        for row in store.oxigraph.query(
            "SELECT ?c WHERE { ?c a ascf:City ; skos:closeMatch ?feature }",
            prefixes=PREFIXES,
            use_default_graph_as_union=True,
        )
    }
    assert larger == {
        *("phnom-penh", "siem-reap", "banyuwangi", "dki-jakarta", "vientiane", "nay-pyi-taw"),
        *("sumedang", "da-nang", "hanoi", "ho-chi-minh-city", "phuket", "rayong", "chonburi"),
    }
    assert count(store, "?x a ascf:City ; owl:sameAs ?feature") == 37 - len(larger)


def test_each_geonames_feature_keeps_its_own_name_population_and_licence(
    store: EmbeddedStore,
) -> None:
    for row in csv_rows("cities-geonames.csv"):
        if not row["geonameid"]:
            continue
        feature = f"<https://sws.geonames.org/{row['geonameid']}/>"
        population = f"gn:population {row['population']} ;" if row["population"] else ""
        where = f"""BIND({feature} AS ?x) ?x rdfs:label "{row["geonames_name"]}" ; {population}
            dct:source <https://www.geonames.org/> ;
            dct:license <https://creativecommons.org/licenses/by/4.0/> ."""
        assert count(store, where) == 1, row["name"]
    assert count(store, "?x a ascf:City ; gn:population ?n") == 0  # the town's, not the member's


def test_every_members_point_lies_in_its_country(store: EmbeddedStore) -> None:
    shipped = store.graph_triples(f"{BASE}graph/data/ascn-city-places")
    assert coordinates_outside_country(shipped, store, BASE) == []


def test_iso_3166_2_codes_are_given_where_the_member_is_the_subdivision(
    store: EmbeddedStore,
) -> None:
    codes = {
        row["city"]: row["code"]
        for row in (
            {k: v.value for k, v in zip(("city", "code"), solution, strict=True)}
            for solution in store.oxigraph.query(
                "SELECT ?city ?code WHERE { ?c rdfs:label ?city ; ascf:subdivisionCode ?code }",
                prefixes=PREFIXES,
                use_default_graph_as_union=True,
            )
        )
    }
    assert codes["Da Nang"] == "VN-DN"
    assert codes["Phnom Penh"] == "KH-12"
    assert len(codes) == 10
    assert not {"Phuket", "Rayong", "Chonburi", "Bangkok"} & set(codes)


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


def test_the_reasoner_publishes_nothing_under_a_geonames_alias(store: EmbeddedStore) -> None:
    # owl:sameAs makes each GeoNames feature the city, to a reasoner: a project's
    # ascf:city would be the feature as well, and the feature an ascf:City.
    assert count(store, "?x ascf:city ?c FILTER (STRSTARTS(STR(?c), 'https://sws.geonames'))") == 0
    assert count(store, "?x a ascf:City FILTER (!STRSTARTS(STR(?x), 'https://w3id.org/'))") == 0
