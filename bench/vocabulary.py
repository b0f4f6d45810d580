"""The real vocabulary the synthetic data is written in, read from ``ontology/``.

The generator never invents framework concepts: it links projects to the
sub-areas, focus areas, outcomes, enablers and example solutions that
``ontology/framework.ttl`` defines, to the countries of
``ontology/countries.ttl`` and the statuses of ``ontology/project-status.ttl``.
"""

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

ASCF = "https://w3id.org/ascf/def/"
ID = "https://w3id.org/ascf/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
GEO = "http://www.opengis.net/ont/geosparql#"
WGS = "http://www.w3.org/2003/01/geo/wgs84_pos#"
QB = "http://purl.org/linked-data/cube#"
SDMX_DIMENSION = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_MEASURE = "http://purl.org/linked-data/sdmx/2009/measure#"

ASCN = ID + "organisation/ascn"


@dataclass(frozen=True)
class SubArea:
    """A framework sub-area with the focus area it belongs to."""

    iri: str
    focus_area: str


@dataclass(frozen=True)
class Vocabulary:
    """IRIs of the framework's concepts and closed lists, as the ontology files state them."""

    focus_areas: tuple[str, ...]
    sub_areas: tuple[SubArea, ...]
    outcomes: tuple[str, ...]
    enablers: tuple[str, ...]
    solutions: tuple[str, ...]
    countries: tuple[str, ...]
    statuses: tuple[str, ...]


def load_vocabulary(ontology_dir: Path) -> Vocabulary:
    """Read concept IRIs from ``framework.ttl``, ``countries.ttl`` and ``project-status.ttl``."""
    store = ox.Store()
    for name in ("framework.ttl", "countries.ttl", "project-status.ttl"):
        store.load(path=str(ontology_dir / name), format=ox.RdfFormat.TURTLE)

    def instances(cls: str) -> tuple[str, ...]:
        rows = store.query(
            "SELECT ?x ?class WHERE { ?x a ?class } ORDER BY ?x",
            substitutions={ox.Variable("class"): ox.NamedNode(ASCF + cls)},
        )
        return tuple(row["x"].value for row in rows)

    sub_areas = tuple(
        SubArea(row["s"].value, row["f"].value)
        for row in store.query(
            f"SELECT ?s ?f WHERE {{ ?s a <{ASCF}SubArea> ; <{ASCF}subAreaOf> ?f }} ORDER BY ?s"
        )
    )
    vocabulary = Vocabulary(
        focus_areas=instances("FocusArea"),
        sub_areas=sub_areas,
        outcomes=instances("StrategicOutcome"),
        enablers=instances("Enabler"),
        solutions=instances("ExampleSolution"),
        countries=instances("Country"),
        statuses=instances("ProjectStatus"),
    )
    for name, values in vars(vocabulary).items():
        if not values:
            raise ValueError(f"{ontology_dir}: found no {name}; is it the project's ontology/?")
    return vocabulary
