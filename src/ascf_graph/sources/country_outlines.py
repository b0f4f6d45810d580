"""The region's country outlines, cut from ``world-atlas`` into the package's data.

``world-atlas`` 2.0.2 (npm, ISC licence) ships Natural Earth's admin-0 countries
(public domain) as TopoJSON: arcs stored once, quantised and delta-encoded, and
countries as lists of arc indexes (a negative index ``~i`` is arc ``i`` reversed).
This module decodes the 1:50m file, keeps the countries whose outlines reach into
:data:`REGION` (the ASEAN member states, Timor-Leste and their neighbours, so that a
point across a border can be named), and writes them as plain rings of longitude and
latitude with the ISO 3166-1 alpha-2 code of each (``pycountry`` maps the numeric ids
TopoJSON carries). ``make country-outlines`` fetches the pinned package and runs it;
the written file is committed, so the service needs no download at run time.
"""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from ascf_graph.core.errors import UnusableInputError
from ascf_graph.places.outlines import Box

#: Countries whose outlines reach into this box are kept.
REGION: Final = Box(west=85.0, south=-15.0, east=150.0, north=30.0)
SOURCE: Final = (
    "Natural Earth 1:50m Admin 0 - Countries, from the npm package world-atlas 2.0.2 "
    "(countries-50m.json)"
)
LICENCE: Final = (
    "Natural Earth data: public domain (https://www.naturalearthdata.com/about/terms-of-use/); "
    "world-atlas: ISC licence, Copyright 2013-2019 Michael Bostock"
)
#: Decimal places kept: 0.001 degree is about 110 m, finer than the 1:50m quantisation.
PLACES: Final = 3


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc of a quantised TopoJSON topology as longitude-latitude points."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_of(indexes: Sequence[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    """One ring from its arc indexes; consecutive arcs share their joining point."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return [[round(lon, PLACES), round(lat, PLACES)] for lon, lat in points]


def region_countries(topology: dict) -> list[dict]:
    """The countries of the topology that reach into :data:`REGION`, sorted by code, each
    with its polygons there (an overseas territory filed under its country's code, as
    Ashmore and Cartier Islands under Australia, is merged into that country)."""
    import pycountry  # noqa: PLC0415  (a development dependency, needed only to regenerate)

    arcs = decode_arcs(topology)
    by_code: dict[str, dict] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id")
        country = pycountry.countries.get(numeric=numeric) if numeric else None
        if country is None or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        shapes = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        polygons = [[ring_of(ring, arcs) for ring in shape] for shape in shapes]
        near = [p for p in polygons if _reaches_region(Box.around(map(tuple, p[0])))]
        if not near:
            continue
        kept = by_code.setdefault(
            country.alpha_2, {"code": country.alpha_2, "name": "", "polygons": [], "size": 0}
        )
        size = sum(len(p[0]) for p in polygons)
        if size > kept["size"]:  # the main territory names the country
            kept["name"], kept["size"] = geometry["properties"]["name"], size
        kept["polygons"].extend(near)
    return [
        {key: value for key, value in country.items() if key != "size"}
        for _, country in sorted(by_code.items())
    ]


def _reaches_region(box: Box) -> bool:
    return not (
        box.east < REGION.west
        or box.west > REGION.east
        or box.north < REGION.south
        or box.south > REGION.north
    )


def write_country_outlines(topojson: Path, out: Path) -> int:
    """Write the region's outlines from world-atlas's ``countries-50m.json``; returns the
    number of countries written."""
    try:
        topology = json.loads(topojson.read_text("utf-8"))
        countries = region_countries(topology)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UnusableInputError(f"{topojson} is not world-atlas's TopoJSON: {error}") from error
    document = {"source": SOURCE, "licence": LICENCE, "countries": countries}
    out.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    return len(countries)
