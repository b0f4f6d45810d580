"""The country outlines, offline: the member cities' seats lie in their countries, a point
across a border lies in the neighbour, and the distance to a coast is measured in km."""

import json

import pytest

from ascf_graph.places.outlines import NEAR_KM, country_outlines
from ascf_graph.sources.country_outlines import decode_arcs, region_countries, ring_of

# Seats of member cities, (latitude, longitude) as GeoNames gives them
# (../shared/data/ascn/cities-geonames.csv).
SEATS = {
    "VN": [(16.06778, 108.22083), (21.0245, 105.84117), (10.82302, 106.62965)],
    "TH": [(13.75398, 100.50144), (7.89059, 98.3981), (18.79038, 98.98468)],
    "SG": [(1.28967, 103.85007)],
    "BN": [(4.89035, 114.94006)],
    "LA": [(17.96667, 102.6)],
    "KH": [(11.56245, 104.91601), (13.36179, 103.86056)],
    "MM": [(16.80528, 96.15611), (19.745, 96.12972)],
    "PH": [(14.6042, 120.9822), (10.31672, 123.89071)],
    "ID": [(-6.21462, 106.84513), (-8.65, 115.21667)],
    "MY": [(3.1412, 101.68653), (1.4655, 103.7578), (5.4112, 100.33543)],
}


@pytest.mark.parametrize("code", sorted(SEATS))
def test_the_seats_of_member_cities_lie_in_or_at_the_coast_of_their_country(code: str) -> None:
    outline = country_outlines().of(code)
    assert outline is not None
    for lat, lon in SEATS[code]:
        assert outline.distance_km(lon, lat) < NEAR_KM, (code, lat, lon)


def test_a_point_across_a_border_lies_in_the_neighbour() -> None:
    outlines = country_outlines()
    vientiane, nong_khai = (102.6, 17.96667), (102.74, 17.87)  # two banks of the Mekong
    assert outlines.at(*vientiane).code == "LA"
    assert outlines.at(*nong_khai).code == "TH"
    assert outlines.at(108.2, -16.05) is None  # Da Nang's latitude with the wrong sign


def test_distances_to_an_outline_are_in_kilometres() -> None:
    viet_nam = country_outlines().of("VN")
    assert viet_nam.distance_km(108.2, 16.05) == 0
    # Da Nang's latitude with the wrong sign lies in the sea 24.6 degrees of latitude south
    # of Viet Nam's southern cape (8.6 N): about 2,740 km.
    assert viet_nam.distance_km(108.2, -16.05) == pytest.approx(2740, rel=0.02)
    # 2.29 N is 0.84 degrees north of Singapore's northern shore (1.447 N): about 94 km.
    assert country_outlines().of("SG").distance_km(103.85, 2.29) == pytest.approx(94, abs=3)


def test_the_outlines_say_where_they_come_from_and_under_what_terms() -> None:
    outlines = country_outlines()
    assert "Natural Earth" in outlines.source
    assert "public domain" in outlines.licence
    codes = {c.code for c in outlines.countries}
    assert {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"} <= codes
    assert {"CN", "IN", "AU", "PG"} <= codes  # neighbours, to name a point across a border


def test_a_topojson_ring_is_its_arcs_joined_and_a_country_outside_the_region_left_out() -> None:
    topology = {
        "transform": {"scale": [1, 1], "translate": [100, 0]},
        "arcs": [[[0, 0], [2, 0], [0, 2]], [[2, 2], [-2, 0], [0, -2]]],
        "objects": {"countries": {"geometries": []}},
    }
    arcs = decode_arcs(topology)
    assert arcs[0] == [(100, 0), (102, 0), (102, 2)]
    assert ring_of([0, 1], arcs) == [[100, 0], [102, 0], [102, 2], [100, 2], [100, 0]]
    assert ring_of([~1], arcs)[0] == [100, 0]
    topology["arcs"].append([[-98, 40], [2, 0], [0, 2], [-2, 0], [0, -2]])  # lon 2, lat 40
    topology["objects"]["countries"]["geometries"] = [
        {"type": "Polygon", "id": "704", "properties": {"name": "Vietnam"}, "arcs": [[0, 1]]},
        {"type": "Polygon", "id": "250", "properties": {"name": "France"}, "arcs": [[2]]},
    ]
    topology["transform"]["translate"] = [100, 10]
    (kept,) = region_countries(json.loads(json.dumps(topology)))
    assert kept["code"] == "VN"
    assert kept["polygons"] == [[[[100, 10], [102, 10], [102, 12], [100, 12], [100, 10]]]]
