"""The outlines of the countries of South-East Asia and their neighbours, read offline.

The outlines are Natural Earth's 1:50m admin-0 countries (public domain), as the npm
package ``world-atlas`` 2.0.2 (ISC licence) ships them, cut to the region and written
by ``ascf-graph country-outlines`` into ``places/data/country-outlines.json``. At that
scale a coast is drawn to within a few hundred metres and islands smaller than a few
kilometres are left out, so a point is said to be *near* a country when it lies within
:data:`NEAR_KM` of its outline.
"""

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import pairwise
from typing import Final

#: How far outside its outline a point may lie and still be taken as in a country:
#: the 1:50m coast is generalised, and a city hall may stand on a pier.
NEAR_KM: Final = 25.0
#: Kilometres per degree of latitude (and of longitude at the equator), WGS84 mean.
_KM_PER_DEGREE: Final = 111.2

Point = tuple[float, float]  # longitude, latitude
Ring = tuple[Point, ...]


@dataclass(frozen=True)
class Box:
    """A longitude-latitude box."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def around(cls, points: Iterable[Point]) -> "Box":
        """The smallest box holding ``points``."""
        lons, lats = zip(*points, strict=True)
        return cls(min(lons), min(lats), max(lons), max(lats))

    def holds(self, lon: float, lat: float, margin: float = 0.0) -> bool:
        """Whether the point lies in the box widened by ``margin`` degrees."""
        return (
            self.west - margin <= lon <= self.east + margin
            and self.south - margin <= lat <= self.north + margin
        )


@dataclass(frozen=True)
class Polygon:
    """An outer ring and its holes, each closed (the first point repeated last)."""

    rings: tuple[Ring, ...]
    box: Box

    def holds(self, lon: float, lat: float) -> bool:
        """Whether the point lies inside (even-odd over the outer ring and its holes)."""
        if not self.box.holds(lon, lat):
            return False
        inside = False
        for ring in self.rings:
            for (x1, y1), (x2, y2) in pairwise(ring):
                if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
        return inside


@dataclass(frozen=True)
class CountryOutline:
    """One country: its ISO 3166-1 alpha-2 code, Natural Earth's name and its polygons."""

    code: str
    name: str
    polygons: tuple[Polygon, ...]
    box: Box

    def holds(self, lon: float, lat: float) -> bool:
        """Whether the point lies on the country's land as outlined."""
        return self.box.holds(lon, lat) and any(p.holds(lon, lat) for p in self.polygons)

    def distance_km(self, lon: float, lat: float) -> float:
        """How far the point lies from the country's land: 0 inside, else the distance to
        the nearest point of its outline (on a plane tangent at the point; good to a few
        per cent within a few hundred kilometres)."""
        if self.holds(lon, lat):
            return 0.0
        across = math.cos(math.radians(lat)) * _KM_PER_DEGREE
        nearest = math.inf
        for polygon in self.polygons:
            for ring in polygon.rings:
                for (x1, y1), (x2, y2) in pairwise(ring):
                    nearest = min(
                        nearest,
                        _to_segment(
                            (lon - x1) * across,
                            (lat - y1) * _KM_PER_DEGREE,
                            (x2 - x1) * across,
                            (y2 - y1) * _KM_PER_DEGREE,
                        ),
                    )
        return nearest


def _to_segment(px: float, py: float, dx: float, dy: float) -> float:
    """The distance from (px, py) to the segment from the origin to (dx, dy)."""
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, (px * dx + py * dy) / length))
    return math.hypot(px - t * dx, py - t * dy)


@dataclass(frozen=True)
class CountryOutlines:
    """The region's countries, with where their outlines come from."""

    countries: tuple[CountryOutline, ...]
    source: str
    licence: str

    def of(self, code: str) -> CountryOutline | None:
        """The outline of the country with ISO 3166-1 alpha-2 ``code``, if the region has it."""
        return next((c for c in self.countries if c.code == code.upper()), None)

    def at(self, lon: float, lat: float) -> CountryOutline | None:
        """The country whose land holds the point, if any."""
        return next((c for c in self.countries if c.holds(lon, lat)), None)


def outlines_from_json(document: dict) -> CountryOutlines:
    """Outlines from the JSON that ``ascf-graph country-outlines`` writes."""
    countries = []
    for country in document["countries"]:
        polygons = tuple(
            _polygon([tuple(map(tuple, ring)) for ring in rings]) for rings in country["polygons"]
        )
        box = Box(
            min(p.box.west for p in polygons),
            min(p.box.south for p in polygons),
            max(p.box.east for p in polygons),
            max(p.box.north for p in polygons),
        )
        countries.append(CountryOutline(country["code"], country["name"], polygons, box))
    return CountryOutlines(tuple(countries), document["source"], document["licence"])


def _polygon(rings: Sequence[Sequence[Point]]) -> Polygon:
    closed = tuple(tuple(r) if r[0] == r[-1] else (*r, r[0]) for r in rings)
    return Polygon(closed, Box.around(closed[0]))


@cache
def country_outlines() -> CountryOutlines:
    """The outlines shipped with the package (read once; they never change while running)."""
    text = files("ascf_graph.places").joinpath("data/country-outlines.json").read_text("utf-8")
    return outlines_from_json(json.loads(text))
