"""A city's coordinates inside its country, checked offline against the country outlines
of :mod:`ascf_graph.places.outlines` (Natural Earth, public domain).

A point (``wgs:lat``/``wgs:long``, or a ``geo:asWKT`` point of its ``geo:hasGeometry``)
that lies on another country's land is a Violation naming that country: numbers typed
wrong, swapped or given the wrong sign. A point on no country's land and more than
:data:`~ascf_graph.places.outlines.NEAR_KM` from its own is a Warning: it is in the sea,
or on an island too small for the 1:50m outlines. The city's country is read from the data,
else from the store (``ascf:country``, and the country's ``ascf:isoCode``). A country
outside the region the outlines cover is not checked. Checked here rather than in a shape
because no SPARQL engine the service runs knows the outlines.
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox

from ascf_graph.core.namespaces import GEO, WGS
from ascf_graph.places.outlines import NEAR_KM, CountryOutline, CountryOutlines, country_outlines
from ascf_graph.shacl.reports import ValidationResult, compact
from ascf_graph.store.base import Store, Term

WGS_LAT = ox.NamedNode(f"{WGS}lat")
WGS_LONG = ox.NamedNode(f"{WGS}long")
HAS_GEOMETRY = ox.NamedNode(f"{GEO}hasGeometry")
AS_WKT = ox.NamedNode(f"{GEO}asWKT")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
#: The source shape and component of this check's results.
COORDINATES_SHAPE = "https://w3id.org/ascf/def/shapes/City-location-in-country"
COORDINATES_COMPONENT = "https://w3id.org/ascf/def/shapes/LocationInCountryConstraintComponent"
_WKT_POINT = re.compile(
    r"^\s*(?:<http://www\.opengis\.net/def/crs/OGC/1\.3/CRS84>\s*)?POINT\s*\(\s*"
    r"([-+]?(?:\d+(?:\.\d*)?|\.\d+))\s+([-+]?(?:\d+(?:\.\d*)?|\.\d+))\s*\)\s*$",
    re.IGNORECASE,
)


@dataclass
class _Places:
    """What the data says of places: coordinates, geometries, countries and their codes."""

    lat: dict[ox.NamedNode, float] = field(default_factory=dict)
    long: dict[ox.NamedNode, float] = field(default_factory=dict)
    geometry_of: dict[ox.NamedNode | ox.BlankNode, ox.NamedNode] = field(default_factory=dict)
    points: dict[ox.NamedNode, tuple[float, float]] = field(default_factory=dict)
    wkt: dict[ox.NamedNode | ox.BlankNode, tuple[float, float]] = field(default_factory=dict)
    country: dict[ox.NamedNode, ox.NamedNode] = field(default_factory=dict)
    code: dict[ox.NamedNode, str] = field(default_factory=dict)
    label: dict[ox.NamedNode, str] = field(default_factory=dict)

    def read(self, triple: ox.Triple, terms: "_Terms") -> None:
        """Note what ``triple`` says of a place."""
        subject, predicate, value = triple.subject, triple.predicate, triple.object
        if predicate in (WGS_LAT, WGS_LONG) and isinstance(subject, ox.NamedNode):
            number = _number(value)
            if number is not None:
                (self.lat if predicate == WGS_LAT else self.long)[subject] = number
        elif predicate == HAS_GEOMETRY and isinstance(subject, ox.NamedNode):
            if isinstance(value, ox.NamedNode | ox.BlankNode):
                self.geometry_of[value] = subject
        elif predicate == AS_WKT and isinstance(value, ox.Literal):
            found = _WKT_POINT.match(value.value)
            if found and isinstance(subject, ox.NamedNode | ox.BlankNode):
                self.wkt[subject] = (float(found[1]), float(found[2]))
        elif predicate == terms.country and isinstance(value, ox.NamedNode):
            if isinstance(subject, ox.NamedNode):
                self.country[subject] = value
        elif predicate == terms.iso_code and isinstance(value, ox.Literal):
            if isinstance(subject, ox.NamedNode):
                self.code[subject] = value.value
        elif (
            predicate == RDFS_LABEL
            and isinstance(value, ox.Literal)
            and isinstance(subject, ox.NamedNode)
            and value.language in (None, "en")
        ):
            self.label.setdefault(subject, value.value)

    def located(self) -> dict[ox.NamedNode, tuple[float, float]]:
        """Each place with a point, as (longitude, latitude)."""
        found = {p: (self.long[p], lat) for p, lat in self.lat.items() if p in self.long}
        for geometry, place in self.geometry_of.items():
            if geometry in self.wkt:
                found.setdefault(place, self.wkt[geometry])
        return found


@dataclass(frozen=True)
class _Terms:
    country: ox.NamedNode
    iso_code: ox.NamedNode

    @classmethod
    def under(cls, base_iri: str) -> "_Terms":
        return cls(ox.NamedNode(f"{base_iri}def/country"), ox.NamedNode(f"{base_iri}def/isoCode"))


def coordinates_outside_country(
    data: Sequence[ox.Triple],
    store: Store | None,
    base_iri: str,
    *,
    outlines: CountryOutlines | None = None,
) -> list[ValidationResult]:
    """A result for each place of ``data`` whose point lies outside its country."""
    terms = _Terms.under(base_iri)
    places = _Places()
    for triple in data:
        places.read(triple, terms)
    located = places.located()
    if not located:
        return []
    if store is not None:
        _read_store(places, terms, store, sorted(located, key=str))
    outlines = outlines or country_outlines()
    found = []
    for place, (lon, lat) in sorted(located.items(), key=lambda item: str(item[0])):
        country = places.country.get(place)
        own = outlines.of(places.code.get(country, "")) if country is not None else None
        if country is None or own is None or not _on_earth(lon, lat) or own.holds(lon, lat):
            continue  # a point off the WGS84 ranges is the range shapes' to report
        there = outlines.at(lon, lat)
        named = places.label.get(country, own.name)
        if there is not None:
            found.append(_in_other_country(place, lon, lat, named, _name_of(there, places)))
            continue
        distance = own.distance_km(lon, lat)
        if distance > NEAR_KM:
            found.append(_far_from_country(place, lon, lat, named, distance))
    return found


def _read_store(places: _Places, terms: _Terms, store: Store, located: list[ox.NamedNode]) -> None:
    """Add the countries of ``located`` places the data does not give, their codes, and the
    names of every country the store has a code for (to name the one a point lies in)."""
    unknown = [p for p in located if p not in places.country]
    if unknown:
        for triple in store.statements(subjects=unknown, predicates=[terms.country]):
            places.read(triple, terms)
    coded = store.statements(predicates=[terms.iso_code])
    for triple in coded:
        if triple.subject not in places.code:
            places.read(triple, terms)
    named = sorted({t.subject for t in coded} - set(places.label), key=str)
    for triple in store.statements(subjects=named, predicates=[RDFS_LABEL]):  # type: ignore[arg-type]
        places.read(triple, terms)


def _name_of(outline: CountryOutline, places: _Places) -> str:
    """A country's name as the graph gives it (by its code), else as Natural Earth does."""
    codes = defaultdict(list)
    for country, code in places.code.items():
        codes[code].append(country)
    for country in sorted(codes.get(outline.code, []), key=str):
        if country in places.label:
            return places.label[country]
    return outline.name


def _said(lon: float, lat: float) -> str:
    return f"latitude {_deg(lat)}, longitude {_deg(lon)}"


def _deg(number: float) -> str:
    """Degrees as written, to a millionth: 17.96667, 102.6."""
    return f"{number:.6f}".rstrip("0").rstrip(".")


def _on_earth(lon: float, lat: float) -> bool:
    return -180 <= lon <= 180 and -90 <= lat <= 90


def _number(value: Term) -> float | None:
    if not isinstance(value, ox.Literal):
        return None
    try:
        return float(value.value)
    except ValueError:
        return None


def _in_other_country(
    place: ox.NamedNode, lon: float, lat: float, country: str, other: str
) -> ValidationResult:
    return _result(
        "Violation",
        place,
        (lon, lat),
        f"lie in {other}, not in {country}. Check the numbers, their signs, and that "
        "latitude and longitude are not swapped.",
        country,
    )


def _far_from_country(
    place: ox.NamedNode, lon: float, lat: float, country: str, distance: float
) -> ValidationResult:
    return _result(
        "Warning",
        place,
        (lon, lat),
        f"lie {distance:,.0f} km outside {country}, on no country's land: in the sea, or on an "
        "island too small for the outlines this check uses. Check the numbers and their signs.",
        country,
    )


def _result(
    severity: Literal["Violation", "Warning"],
    place: ox.NamedNode,
    point: tuple[float, float],
    where: str,
    country: str,
) -> ValidationResult:
    lon, lat = point
    return ValidationResult(
        severity=severity,
        focus_node=place.value,
        path=WGS_LAT.value,
        value=f"POINT({_deg(lon)} {_deg(lat)})",
        message=f"The coordinates of {compact(place.value)} ({_said(lon, lat)}) {where}",
        shape=COORDINATES_SHAPE,
        constraint=COORDINATES_COMPONENT,
        fix=f"Give a latitude and longitude that lie in {country}, in decimal degrees.",
    )
