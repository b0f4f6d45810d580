"""Maps drawn on the server as inline SVG: no tile server, no script, no request leaves the
page, so the pages keep their strict Content-Security-Policy and work offline.

The land is :mod:`ascf_graph.places.outlines` (Natural Earth 1:50m), projected
equirectangularly at the view's middle latitude (true to shape within South-East Asia's
few tens of degrees) and thinned to what a pixel can show. Member cities are dots that
link to their pages; on a city's page the view is the city's country and its dot is
drawn larger, with its name.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from markupsafe import Markup, escape

from ascf_graph.linked_data.member_map import MapPoint
from ascf_graph.places.outlines import CountryOutline, Ring, country_outlines

#: The member states of ASEAN and Timor-Leste, drawn darker than their neighbours.
ASEAN: Final = frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"})
#: The map's width in SVG units; its height follows from the view.
WIDTH: Final = 640
#: How close, in SVG units, two points of an outline may be before one is dropped.
TOLERANCE: Final = 1.2
#: Around a country or the cities, this much more is shown, in degrees (at least).
MARGIN: Final = 1.5


@dataclass(frozen=True)
class View:
    """The longitude-latitude box a map shows."""

    west: float
    south: float
    east: float
    north: float

    @property
    def scale(self) -> float:
        """SVG units per degree of latitude."""
        return WIDTH / ((self.east - self.west) * self._shrink)

    @property
    def height(self) -> float:
        """The map's height in SVG units."""
        return (self.north - self.south) * self.scale

    @property
    def _shrink(self) -> float:
        return math.cos(math.radians((self.north + self.south) / 2))

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """A point's place on the map."""
        return (
            (lon - self.west) * self._shrink * self.scale,
            (self.north - lat) * self.scale,
        )

    def shows(self, lon: float, lat: float) -> bool:
        """Whether the point is in the view."""
        return self.west <= lon <= self.east and self.south <= lat <= self.north

    def meets(self, west: float, south: float, east: float, north: float) -> bool:
        """Whether a box overlaps the view."""
        return not (
            east < self.west or west > self.east or north < self.south or south > self.north
        )

    @classmethod
    def around(cls, lons: Sequence[float], lats: Sequence[float], margin: float) -> "View":
        """The view of the points with ``margin`` degrees around them, at least 4 degrees
        across so that a small country is not drawn as a coastline alone."""
        west, east, south, north = min(lons), max(lons), min(lats), max(lats)
        grow_x = max(margin, (4 - (east - west)) / 2)
        grow_y = max(margin, (4 - (north - south)) / 2)
        return cls(
            round(west - grow_x, 2),
            round(south - grow_y, 2),
            round(east + grow_x, 2),
            round(north + grow_y, 2),
        )


def region_map(points: Sequence[MapPoint], focus: MapPoint | None = None) -> Markup:
    """The map of the member cities, or of ``focus``'s country with ``focus`` named."""
    outlines = country_outlines()
    home = None
    if focus is None:
        view = View.around([p.longitude for p in points], [p.latitude for p in points], MARGIN)
        title = f"Map of the {len(points)} member cities with a known position"
    else:
        country = outlines.at(focus.longitude, focus.latitude) or min(
            outlines.countries, key=lambda c: c.distance_km(focus.longitude, focus.latitude)
        )
        box = country.box
        view = View.around([box.west, box.east], [box.south, box.north], MARGIN)
        title = f"Map of {country.name} with {focus.label}"
        home = country.code
    dots = "".join(
        _dot(view, point, focused=point == focus)
        for point in points
        if view.shows(point.longitude, point.latitude) and point != focus
    )
    if focus is not None:
        dots += _dot(view, focus, focused=True)
    return Markup(
        f'<svg class="map" viewBox="0 0 {WIDTH} {view.height:.0f}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
        f'<rect class="sea" width="{WIDTH}" height="{view.height:.0f}"/>'
        f"{land(view, home)}{dots}</svg>"
    )


@lru_cache(maxsize=64)
def land(view: View, home: str | None = None) -> str:
    """The countries in ``view`` as SVG paths, the country coded ``home`` set apart (the
    same view gives the same text; there are as many views as member countries, and one
    for the region)."""
    return "".join(
        _country(view, country, home=country.code == home)
        for country in country_outlines().countries
        if view.meets(country.box.west, country.box.south, country.box.east, country.box.north)
    )


def _country(view: View, country: CountryOutline, *, home: bool) -> str:
    rings = [
        ring
        for polygon in country.polygons
        if view.meets(polygon.box.west, polygon.box.south, polygon.box.east, polygon.box.north)
        for ring in polygon.rings
    ]
    path = "".join(_ring(view, ring) for ring in rings)
    if not path:
        return ""
    kind = "land home" if home else "land member" if country.code in ASEAN else "land"
    return f'<path class="{kind}" d="{path}"><title>{escape(country.name)}</title></path>'


def _ring(view: View, ring: Ring) -> str:
    """One ring as path data, thinned: a point closer than :data:`TOLERANCE` to the last one
    kept is dropped; a ring that would be smaller than that is left out."""
    kept: list[tuple[float, float]] = []
    for lon, lat in ring:
        x, y = view.project(lon, lat)
        if not kept or abs(x - kept[-1][0]) + abs(y - kept[-1][1]) >= TOLERANCE:
            kept.append((x, y))
    if len(kept) < 3:
        return ""
    first, *rest = kept
    return f"M{first[0]:.1f} {first[1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest) + "Z"


def _dot(view: View, point: MapPoint, *, focused: bool) -> str:
    x, y = view.project(point.longitude, point.latitude)
    name = escape(point.label)
    circle = (
        f'<circle class="city{" focus" if focused else ""}" cx="{x:.1f}" cy="{y:.1f}" '
        f'r="{6 if focused else 3.5}"><title>{name}</title></circle>'
    )
    if focused:
        circle += f'<text class="city-name" x="{x + 9:.1f}" y="{y + 4:.1f}">{name}</text>'
    if point.href is None or focused:
        return circle
    return f'<a href="{escape(point.href)}">{circle}</a>'
