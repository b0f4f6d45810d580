"""The query mix: the questions researchers ask, at the size of the data.

Each :class:`BenchQuery` is a SPARQL text with at most one parameter, and a
pool of values for it drawn from the generated data's manifest, so that
successive requests ask about different cities, focus areas or words (a cache
helps only where a real public endpoint's would). Values are written into
the text as RDF terms by pyoxigraph (``str(NamedNode(...))``,
``str(Literal(...))``), which escapes them: peers take no substitutions over
HTTP, and every system must receive the same text.

``ordered`` queries are compared row by row (their ``ORDER BY`` is total);
the others as sets of rows. ``kind`` is ``lookup`` for single-resource
questions and ``analytic`` for the rest. ``id_lookup`` and ``doc_lookup`` are
the linked-data dereferencing of ``/id/`` URIs (and the fetch of the document
a 303 leads to): systems without linked data answer the ``CONSTRUCT`` that
gives the same document (:mod:`bench.document_query`), and the check is that
our document says exactly that, plus statements about the document itself.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox

from bench.answers import Check
from bench.document_query import document_construct
from bench.generator import Manifest

PROLOGUE = """PREFIX ascf: <https://w3id.org/ascf/def/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
"""

Form = Literal["SELECT", "CONSTRUCT"]
Kind = Literal["lookup", "analytic"]
ID_LOOKUP = "id_lookup"
DOC_LOOKUP = "doc_lookup"
#: Queries that our service answers by dereferencing (peers: the equivalent CONSTRUCT).
LINKED_DATA = (ID_LOOKUP, DOC_LOOKUP)
FRAMEWORK = "https://w3id.org/ascf/id/framework"
FOCUS_AREAS = tuple(
    f"https://w3id.org/ascf/id/focus-area/{slug}"
    for slug in (
        "civic-and-social",
        "health-and-well-being",
        "safety-and-security",
        "quality-environment",
        "built-infrastructure",
        "industry-and-innovation",
    )
)
TEXT_WORDS = ("flood", "traffic", "health", "digital", "waste", "tourism", "water", "port")
BOXES = ((0.0, 10.0, 100.0, 110.0), (10.0, 20.0, 95.0, 105.0), (-9.0, 2.0, 105.0, 125.0))


@dataclass(frozen=True)
class BenchQuery:
    """One question of the mix."""

    name: str
    summary: str
    kind: Kind
    form: Form
    template: str
    ordered: bool = False
    check: Check = "equal"
    params: tuple[str, ...] = field(default=())
    render: Callable[[str], dict[str, str]] = field(default=lambda value: {})

    def text(self, index: int, salt: str | None = None) -> str:
        """The query for request ``index``: the template with the index-th parameter value.

        A ``salt`` adds a comment naming it, so that the text is unique but
        the question, and its answer, are the same.
        """
        values = self.render(self.params[index % len(self.params)]) if self.params else {}
        text = PROLOGUE + self.template.format(**values)
        return text if salt is None else f"{text}\n# request {salt}\n"

    def resource(self, index: int) -> str | None:
        """For ``id_lookup`` and ``doc_lookup``: the IRI request ``index`` dereferences."""
        return self.params[index % len(self.params)] if self.name in LINKED_DATA else None

    @property
    def accept(self) -> str:
        """The media type asked for: SPARQL JSON results, or N-Triples for graphs."""
        return (
            "application/n-triples"
            if self.form == "CONSTRUCT"
            else ("application/sparql-results+json")
        )


def _iri(value: str) -> dict[str, str]:
    return {"value": str(ox.NamedNode(value))}


def _word(value: str) -> dict[str, str]:
    return {"value": str(ox.Literal(value))}


def _document(value: str) -> dict[str, str]:
    return {"query": document_construct(value)}


def _box(value: str) -> dict[str, str]:
    south, north, west, east = (
        str(ox.Literal(v, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")))
        for v in value.split()
    )
    return {"south": south, "north": north, "west": west, "east": east}


def query_mix(manifest: Manifest) -> list[BenchQuery]:
    """The mix for a generated dataset; parameters come from its manifest's samples."""
    cities = tuple(manifest.sample_cities)
    projects = tuple(manifest.sample_projects)
    resources = (
        tuple(
            iri
            for group in zip(projects, cities, manifest.sample_partners, strict=False)
            for iri in group
        )
        + FOCUS_AREAS
    )
    indicators = tuple(manifest.indicators)
    boxes = tuple(" ".join(str(v) for v in box) for box in BOXES)
    return [
        BenchQuery(
            "project_lookup",
            "Everything said about one project (single-resource SELECT).",
            "lookup",
            "SELECT",
            "SELECT ?p ?o WHERE {{ VALUES ?s {{ {value} }} ?s ?p ?o }}",
            params=projects,
            render=_iri,
        ),
        BenchQuery(
            ID_LOOKUP,
            "Dereference a random /id/ URI (peers: the CONSTRUCT of the same document).",
            "lookup",
            "CONSTRUCT",
            "{query}",
            check="document",
            params=resources,
            render=_document,
        ),
        BenchQuery(
            DOC_LOOKUP,
            "Fetch the N-Triples document of a random /id/ URI directly, as a client whose "
            "HTTP cache holds the 303 does (peers: the CONSTRUCT of the same document).",
            "lookup",
            "CONSTRUCT",
            "{query}",
            check="document",
            # the other half of the resources first, so that no index asks what
            # id_lookup asked (they share the document cache)
            params=resources[len(resources) // 2 :] + resources[: len(resources) // 2],
            render=_document,
        ),
        BenchQuery(
            "projects_of_city",
            "A city's projects with title and status, by title.",
            "lookup",
            "SELECT",
            """SELECT ?project ?title ?status WHERE {{
  ?project ascf:city {value} ; rdfs:label ?title ; ascf:status ?status .
}} ORDER BY ?title ?project""",
            ordered=True,
            params=cities,
            render=_iri,
        ),
        BenchQuery(
            "count_projects_by_focus_area",
            "Projects per focus area, stated or inferred from the sub-area (aggregation).",
            "analytic",
            "SELECT",
            """SELECT ?focusArea ?label (COUNT(DISTINCT ?project) AS ?projects) WHERE {{
  ?project a ascf:SmartCityProject ; ascf:focusArea ?focusArea .
  ?focusArea skos:prefLabel ?label .
}} GROUP BY ?focusArea ?label ORDER BY DESC(?projects) ?focusArea""",
            ordered=True,
        ),
        BenchQuery(
            "budget_by_country_and_currency",
            "Total and mean project budget per country and currency (join + aggregation).",
            "analytic",
            "SELECT",
            """SELECT ?country ?currency (COUNT(?project) AS ?projects) (SUM(?amount) AS ?total)
       (AVG(?amount) AS ?mean) WHERE {{
  ?project ascf:city ?city ; ascf:budget ?budget .
  ?budget ascf:amount ?amount ; ascf:currency ?currency .
  ?city ascf:country ?country .
}} GROUP BY ?country ?currency ORDER BY ?country ?currency""",
            ordered=True,
        ),
        BenchQuery(
            "cities_without_focus_area_not_exists",
            "Cities with no project in a focus area, written with FILTER NOT EXISTS.",
            "analytic",
            "SELECT",
            """SELECT ?city WHERE {{
  ?city a ascf:City .
  FILTER NOT EXISTS {{ ?project ascf:city ?city ; ascf:focusArea {value} }}
}}""",
            params=FOCUS_AREAS,
            render=_iri,
        ),
        BenchQuery(
            "cities_without_focus_area_minus",
            "The same question written with MINUS (same answers, other plan).",
            "analytic",
            "SELECT",
            """SELECT ?city WHERE {{
  ?city a ascf:City .
  MINUS {{ ?project ascf:city ?city ; ascf:focusArea {value} }}
}}""",
            params=FOCUS_AREAS,
            render=_iri,
        ),
        BenchQuery(
            "projects_under_focus_area_path",
            "Projects whose sub-area lies under a focus area (property path skos:broader+).",
            "analytic",
            "SELECT",
            """SELECT (COUNT(DISTINCT ?project) AS ?projects) WHERE {{
  ?project ascf:subArea ?subArea .
  ?subArea skos:broader+ {value} .
}}""",
            params=FOCUS_AREAS,
            render=_iri,
        ),
        BenchQuery(
            "framework_tree_sizes",
            "Concepts under each top concept of the framework (skos:broader+ over the tree).",
            "analytic",
            "SELECT",
            f"""SELECT ?top (COUNT(DISTINCT ?concept) AS ?concepts) WHERE {{{{
  ?top skos:topConceptOf {ox.NamedNode(FRAMEWORK)} .
  ?concept skos:broader+ ?top .
}}}} GROUP BY ?top ORDER BY ?top""",
            ordered=True,
        ),
        BenchQuery(
            "construct_city_projects",
            "A city's projects as a graph: title, status, sub-areas (CONSTRUCT).",
            "lookup",
            "CONSTRUCT",
            """CONSTRUCT {{
  ?project a ascf:SmartCityProject ; rdfs:label ?title ; ascf:status ?status ;
           ascf:subArea ?subArea .
}} WHERE {{
  ?project ascf:city {value} ; rdfs:label ?title ; ascf:status ?status ; ascf:subArea ?subArea .
}}""",
            params=cities,
            render=_iri,
        ),
        BenchQuery(
            "title_contains_word",
            "Projects whose title contains a word, case-insensitive (text filter).",
            "analytic",
            "SELECT",
            """SELECT ?project ?title WHERE {{
  ?project a ascf:SmartCityProject ; rdfs:label ?title .
  FILTER (CONTAINS(LCASE(STR(?title)), {value}))
}} ORDER BY ?title ?project LIMIT 50""",
            ordered=True,
            params=TEXT_WORDS,
            render=_word,
        ),
        BenchQuery(
            "largest_usd_budgets",
            "The 20 largest budgets in USD with project and city (ORDER BY ... LIMIT).",
            "analytic",
            "SELECT",
            """SELECT ?project ?city ?amount WHERE {{
  ?project ascf:budget ?budget ; ascf:city ?city .
  ?budget ascf:currency "USD" ; ascf:amount ?amount .
}} ORDER BY DESC(?amount) ?project LIMIT 20""",
            ordered=True,
        ),
        BenchQuery(
            "indicator_mean_by_year",
            "Mean value of one indicator across cities, per year (observations).",
            "analytic",
            "SELECT",
            """SELECT ?year (COUNT(?obs) AS ?cities) (AVG(?value) AS ?mean) WHERE {{
  ?obs qb:measureType {value} ; sdmx-dimension:refPeriod ?year ;
       sdmx-measure:obsValue ?value .
}} GROUP BY ?year ORDER BY ?year""",
            ordered=True,
            params=indicators,
            render=_iri,
        ),
        BenchQuery(
            "cities_in_box",
            "Cities inside a latitude/longitude box, with their WKT point (numeric filter).",
            "analytic",
            "SELECT",
            """SELECT ?city ?name ?wkt WHERE {{
  ?city a ascf:City ; rdfs:label ?name ; wgs:lat ?lat ; wgs:long ?long ;
        geo:hasGeometry/geo:asWKT ?wkt .
  FILTER (?lat >= {south} && ?lat <= {north} && ?long >= {west} && ?long <= {east})
}} ORDER BY ?city LIMIT 100""",
            ordered=True,
            params=boxes,
            render=_box,
        ),
    ]


#: Pairs of queries that must give the same answers for the same parameter.
EQUIVALENT = (("cities_without_focus_area_not_exists", "cities_without_focus_area_minus"),)
