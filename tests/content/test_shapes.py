"""The shapes themselves: the framework's integrity rules catch what they promise to."""

from dataclasses import astuple
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SKOS

from ascf_graph.rdf.io import to_rdflib_graph
from ascf_graph.shacl import pyshacl_runs, validation
from ascf_graph.shacl.validation import ValidationContext, store_context, validate
from ascf_graph.store.embedded import EmbeddedStore

BASE = "https://w3id.org/ascf/"
ASCF = rdflib.Namespace(f"{BASE}def/")
HEALTH = rdflib.URIRef(f"{BASE}id/focus-area/health-and-well-being")
HOUSING = rdflib.URIRef(f"{BASE}id/sub-area/housing-and-home")


@pytest.fixture(scope="module")
def context(store: EmbeddedStore) -> ValidationContext:
    """What the build checks the framework with."""
    return ValidationContext.for_build(store, BASE)


@pytest.fixture(scope="module")
def steward(store: EmbeddedStore) -> ValidationContext:
    """What a steward's file is checked with."""
    return ValidationContext.for_submissions(store, BASE)


@pytest.fixture(scope="module")
def framework(store: EmbeddedStore) -> rdflib.Graph:
    """The framework graph as shipped, without the inferred graph."""
    quads = store.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
        substitutions={"g": ox.NamedNode(f"{BASE}graph/framework")},
    )
    return to_rdflib_graph(quads)


def test_the_shipped_framework_conforms(
    framework: rdflib.Graph, context: ValidationContext
) -> None:
    report = validate(framework, context)
    assert report.conforms, report.to_text()
    assert report.count("Violation") == 0


@pytest.mark.parametrize(
    ("stated_only", "missing"),
    [
        ((HEALTH, ASCF.hasSubArea, HOUSING), (HOUSING, ASCF.subAreaOf, HEALTH)),
        ((HOUSING, ASCF.subAreaOf, HEALTH), (HEALTH, ASCF.hasSubArea, HOUSING)),
        ((HEALTH, SKOS.narrower, HOUSING), (HOUSING, SKOS.broader, HEALTH)),
    ],
    ids=["down-only", "up-only", "skos-down-only"],
)
def test_a_hierarchy_link_stated_one_way_is_a_violation(
    framework: rdflib.Graph,
    context: ValidationContext,
    stated_only: tuple[rdflib.URIRef, ...],
    missing: tuple[rdflib.URIRef, ...],
) -> None:
    assert stated_only in framework
    broken = rdflib.Graph() + framework
    broken.remove(missing)
    report = validate(broken, context)
    assert not report.conforms
    one_way = [r for r in report.results if "stated one way only" in r.message]
    assert one_way, report.to_text()
    assert {r.focus_node for r in one_way} == {str(HEALTH)}
    assert {r.value for r in one_way} == {str(HOUSING)}


def test_a_concept_without_definition_is_a_violation(
    framework: rdflib.Graph, context: ValidationContext
) -> None:
    broken = rdflib.Graph() + framework
    broken.remove((HOUSING, SKOS.definition, None))
    report = validate(broken, context)
    assert not report.conforms
    assert any(
        r.focus_node == str(HOUSING) and r.path == str(SKOS.definition) for r in report.results
    ), report.to_text()


CITY = """
@prefix ascf: <https://w3id.org/ascf/def/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
<https://w3id.org/ascf/id/city/example-city> a ascf:City ;
    rdfs:label "Example City"@en ;
    ascf:country <https://w3id.org/ascf/id/country/viet-nam> ;
    ascf:population 1000 ;
    org:hasMembership [ a ascf:NetworkMembership ;
        org:organization <https://w3id.org/ascf/id/organisation/ascn> ] ;
    {location} .
"""


@pytest.mark.parametrize(
    ("location", "warned"),
    [
        ('rdfs:comment "no location"', True),
        ("wgs:lat 16.05", True),
        ("wgs:lat 16.05 ; wgs:long 108.2", False),
    ],
    ids=["none", "latitude-only", "latitude-and-longitude"],
)
def test_a_city_without_coordinates_gets_a_warning_not_a_violation(
    steward: ValidationContext, location: str, warned: bool
) -> None:
    data = rdflib.Graph().parse(data=CITY.replace("{location}", location), format="turtle")
    report = validate(data, steward)
    assert report.conforms, report.to_text()
    warnings = [r for r in report.results if "no coordinates" in r.message]
    assert bool(warnings) is warned, report.to_text()
    assert all(r.severity == "Warning" for r in warnings)


def test_a_steward_file_may_point_at_framework_concepts_and_known_cities(
    steward: ValidationContext,
) -> None:
    project = """
    @prefix ascf: <https://w3id.org/ascf/def/> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <https://w3id.org/ascf/id/project/da-nang-example> a ascf:SmartCityProject ;
        rdfs:label "Example" ;
        ascf:city <https://w3id.org/ascf/id/city/da-nang> ;
        ascf:subArea <https://w3id.org/ascf/id/sub-area/tourism> .
    """
    data = rdflib.Graph().parse(data=project, format="turtle")
    assert validate(data, steward).conforms
    wrong = project.replace("sub-area/tourism", "focus-area/tourism").replace(
        "city/da-nang", "city/atlantis"
    )
    report = validate(rdflib.Graph().parse(data=wrong, format="turtle"), steward)
    assert not report.conforms
    assert {r.value for r in report.results if r.severity == "Violation"} == {
        f"{BASE}id/focus-area/tourism",
        f"{BASE}id/city/atlantis",
    }, report.to_text()


def test_a_fix_never_suggests_what_another_rule_forbids(steward: ValidationContext) -> None:
    """A typo in a framework slug or a city is not to be fixed by declaring the concept or
    the city in the file: the framework guard and the ownership rules refuse both."""
    project = """
    @prefix ascf: <https://w3id.org/ascf/def/> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <https://w3id.org/ascf/id/project/da-nang-example> a ascf:SmartCityProject ;
        rdfs:label "Example" ;
        ascf:city <https://w3id.org/ascf/id/city/da-nnag> ;
        ascf:focusArea <https://w3id.org/ascf/id/focus-area/civic-and-socail> ;
        ascf:partner <https://w3id.org/ascf/id/organisation/example-unknown-partner> .
    """
    report = validate(rdflib.Graph().parse(data=project, format="turtle"), steward)
    fixes = {r.path.rsplit("/", 1)[-1]: r.fix for r in report.results if r.path}
    assert "same file" not in fixes["focusArea"]
    assert "cannot add to the framework" in fixes["focusArea"]
    assert "same file" not in fixes["city"]
    assert "only the network adds member cities" in fixes["city"]
    assert "same file" in fixes["partner"]  # a partner is the steward's to declare


VALIDATION_DATA = Path(__file__).parents[1] / "data" / "validation"


@pytest.mark.parametrize("split_at", [1, 10**9])
def test_the_workers_path_reports_what_validate_reports(
    steward: ValidationContext, split_at: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An input worker's validation (one graph of the data and the store's context, SPARQL
    targets resolved by pyoxigraph, and with many focus nodes half of them checked in a
    forked process) gives the report :func:`validate` gives, result for result."""
    data = rdflib.Graph()
    for path in sorted(VALIDATION_DATA.glob("*.ttl")):
        if path.name != "malformed.ttl":
            data.parse(path, format="turtle")
    expected = validate(data, steward)
    triples = [
        ox.Triple(*(ox.NamedNode(str(t)) if isinstance(t, rdflib.URIRef) else _ox(t) for t in s))
        for s in data
    ]
    monkeypatch.setattr(pyshacl_runs, "SPLIT_AT", split_at)
    report = validation.validate_ntriples(
        ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
        ox.serialize(store_context(steward, triples), format=ox.RdfFormat.N_TRIPLES),
        steward,
    )
    assert not expected.conforms
    assert report.conforms == expected.conforms
    # Results alike but for their value come in the report graph's order.
    assert sorted(map(astuple, report.results), key=str) == sorted(
        map(astuple, expected.results), key=str
    )
    assert len(report.graph) == len(expected.graph)


def _ox(term: rdflib.term.Node) -> ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, rdflib.Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    datatype = term.datatype or rdflib.XSD.string
    return ox.Literal(str(term), datatype=ox.NamedNode(str(datatype)))
