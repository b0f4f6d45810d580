"""The member cities that have a point, for the maps of the home page and city pages."""

from dataclasses import dataclass

import pyoxigraph as ox

from ascf_graph.core.namespaces import RDFS, WGS
from ascf_graph.linked_data.addresses import local_path
from ascf_graph.store.base import Store

_POINTS = f"""
SELECT ?city (SAMPLE(?name) AS ?label) (SAMPLE(?lat) AS ?latitude) (SAMPLE(?long) AS ?longitude)
WHERE {{
  ?city a ?class ; <{WGS}lat> ?lat ; <{WGS}long> ?long .
  OPTIONAL {{ ?city <{RDFS}label> ?name FILTER (LANG(?name) = "en") }}
}}
GROUP BY ?city
"""


@dataclass(frozen=True)
class MapPoint:
    """A member city where it is: its IRI, name, page and WGS84 position."""

    iri: str
    label: str
    href: str | None
    longitude: float
    latitude: float


def member_points(store: Store, base_iri: str) -> list[MapPoint]:
    """Every member city with a ``wgs:lat`` and ``wgs:long`` that are numbers, by name."""
    rows = store.query(_POINTS, substitutions={"class": ox.NamedNode(f"{base_iri}def/City")})
    assert isinstance(rows, ox.QuerySolutions)
    found = []
    for row in rows:
        try:
            latitude, longitude = float(row["latitude"].value), float(row["longitude"].value)
        except ValueError:
            continue  # a steward's text where a number belongs is the shapes' to report
        iri = row["city"].value
        label = row["label"].value if row["label"] is not None else iri.rsplit("/", 1)[-1]
        found.append(MapPoint(iri, label, local_path(iri, base_iri), longitude, latitude))
    return sorted(found, key=lambda point: point.label)
