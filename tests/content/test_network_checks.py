"""The checks a network needs, on a steward's file against the built store: sub-areas
within the focus areas named, dates within the era and in step with the status, ISO 4217
currencies, "negative" said only of numbers, a city's coordinates in its country, and a
project reported in a year its city was a member."""

import re

import pycountry
import pyoxigraph as ox
import pytest
import rdflib

from ascf_graph.shacl.coordinates import coordinates_outside_country
from ascf_graph.shacl.membership_years import projects_before_their_city_joined
from ascf_graph.shacl.validation import ValidationContext, validate
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import REPO

BASE = "https://w3id.org/ascf/"
PROJECT = f"{BASE}id/project/da-nang-example-checks"


@pytest.fixture(scope="module")
def steward(store: EmbeddedStore) -> ValidationContext:
    return ValidationContext.for_submissions(store, BASE)


def project(statements: str) -> rdflib.Graph:
    text = f"""
    @prefix ascf: <{BASE}def/> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    @prefix id: <{BASE}id/> .
    <{PROJECT}> a ascf:SmartCityProject ; rdfs:label "Example"@en ;
        ascf:city id:city\\/da-nang ; {statements} .
    """
    return rdflib.Graph().parse(data=text, format="turtle")


def results(steward: ValidationContext, statements: str, severity: str) -> list[str]:
    report = validate(project(statements), steward)
    return [r.message for r in report.results if r.severity == severity]


def test_a_sub_area_of_a_focus_area_the_project_does_not_name_is_a_violation(
    steward: ValidationContext,
) -> None:
    wrong = (
        "ascf:focusArea id:focus-area\\/health-and-well-being ; ascf:subArea id:sub-area\\/tourism"
    )
    (message,) = [m for m in results(steward, wrong, "Violation") if "belongs to" in m]
    assert "tourism" in message
    assert "civic-and-social" in message
    right = "ascf:focusArea id:focus-area\\/civic-and-social ; ascf:subArea id:sub-area\\/tourism"
    assert not results(steward, right, "Violation")
    only_sub_areas = "ascf:subArea id:sub-area\\/tourism"
    assert not results(steward, only_sub_areas, "Violation")


FOCUS = "ascf:focusArea id:focus-area\\/civic-and-social"


@pytest.mark.parametrize(
    ("statements", "warned"),
    [
        ('ascf:startDate "1999-12-31"^^xsd:date', "before 2000 or after 2060"),
        ('ascf:endDate "2204-01-01"^^xsd:date', "before 2000 or after 2060"),
        ("ascf:status id:project-status\\/completed", "completed (ascf:status) but gives no end"),
        (
            'ascf:status id:project-status\\/completed ; ascf:endDate "2059-01-01"^^xsd:date',
            "completed (ascf:status) but gives no end date, or one still to come",
        ),
        (
            'ascf:status id:project-status\\/planned ; ascf:endDate "2019-01-01"^^xsd:date',
            "planned (ascf:status) but its end date",
        ),
    ],
)
def test_implausible_dates_and_dates_at_odds_with_the_status_are_warnings(
    steward: ValidationContext, statements: str, warned: str
) -> None:
    warnings = results(steward, f"{FOCUS} ; {statements}", "Warning")
    assert any(warned in message for message in warnings), warnings
    assert not results(steward, f"{FOCUS} ; {statements}", "Violation")


def test_dates_in_step_with_the_status_raise_nothing(steward: ValidationContext) -> None:
    fine = (
        'ascf:status id:project-status\\/completed ; ascf:startDate "2019-01-01"^^xsd:date ; '
        'ascf:endDate "2021-06-30"^^xsd:date'
    )
    warnings = results(steward, f"{FOCUS} ; {fine}", "Warning")
    assert not [w for w in warnings if "end date" in w or "2060" in w], warnings


@pytest.mark.parametrize(
    ("budget", "said", "not_said"),
    [
        ('ascf:amount 5 ; ascf:currency "XYZ"', "not an ISO 4217 currency code", None),
        ('ascf:amount 5 ; ascf:currency "usd"', "three capital letters", "not an ISO 4217"),
        ('ascf:amount "a lot" ; ascf:currency "USD"', "written as a number", "negative"),
        ('ascf:amount -5 ; ascf:currency "USD"', "must not be negative", None),
    ],
)
def test_budgets_iso_4217_and_negative_only_for_numbers(
    steward: ValidationContext, budget: str, said: str, not_said: str | None
) -> None:
    violations = results(steward, f"{FOCUS} ; ascf:budget [ {budget} ]", "Violation")
    assert any(said in message for message in violations), violations
    if not_said is not None:
        assert not any(not_said in message for message in violations), violations


def test_the_currency_codes_are_iso_4217s_as_pycountry_lists_them() -> None:
    shapes = (REPO / "shapes" / "project.ttl").read_text(encoding="utf-8")
    listed = shapes.split("ascfsh:Budget-currency-iso4217\n    a sh:PropertyShape")[1]
    listed = listed.split("sh:message")[0]
    assert set(re.findall(r'"([A-Z]{3})"', listed)) == {c.alpha_3 for c in pycountry.currencies}


@pytest.fixture(scope="module")
def located(store: EmbeddedStore):
    def check(place: str, statements: str) -> list:
        text = f"""
        @prefix wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
        @prefix geo: <http://www.opengis.net/ont/geosparql#> .
        @prefix ascf: <{BASE}def/> .
        <{BASE}id/city/{place}> {statements} .
        """
        triples = [q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]
        return coordinates_outside_country(triples, store, BASE)

    return check


def test_coordinates_in_the_citys_country_or_at_its_coast_raise_nothing(located) -> None:
    assert not located("da-nang", "wgs:lat 16.06778 ; wgs:long 108.22083")
    assert not located("kota-kinabalu", "wgs:lat 5.9749 ; wgs:long 116.0724")  # 2.6 km at sea
    assert not located("da-nang", 'geo:hasGeometry [ geo:asWKT "POINT(108.22 16.07)" ]')


def test_coordinates_in_another_country_are_a_violation_naming_both(located) -> None:
    (result,) = located("da-nang", "wgs:lat 17.96667 ; wgs:long 102.6")  # Vientiane
    assert result.severity == "Violation"
    assert "lie in Lao PDR, not in Viet Nam" in result.message
    (result,) = located("da-nang", 'geo:hasGeometry [ geo:asWKT "POINT(102.6 17.96667)" ]')
    assert "lie in Lao PDR, not in Viet Nam" in result.message
    # Swapped in WKT, the latitude is 108: the range shapes say so, this check does not.
    assert not located("da-nang", 'geo:hasGeometry [ geo:asWKT "POINT(16.06 108.22)" ]')


def test_coordinates_at_sea_far_from_the_country_are_a_warning_with_the_distance(located) -> None:
    (result,) = located("da-nang", "wgs:lat -16.06778 ; wgs:long 108.22083")  # sign lost
    assert result.severity == "Warning"
    assert "km outside Viet Nam, on no country's land" in result.message


def test_a_country_given_in_the_data_is_the_one_checked(located) -> None:
    statements = "wgs:lat 16.06778 ; wgs:long 108.22083 ; ascf:country <{0}id/country/{1}>"
    assert not located("da-nang", statements.format(BASE, "viet-nam"))
    (result,) = located("da-nang", statements.format(BASE, "thailand"))
    assert "not in Thailand" in result.message


SCAPS_2018 = "https://asean.org/wp-content/uploads/2019/02/ASCN-Consolidated-SCAPs.pdf"
REPORT_2025 = "https://asean.org/wp-content/uploads/2025/11/2025-ASCN-ME-Report-Final_30Sep2025-for-public.pdf"


def reported(store: EmbeddedStore, city: str, source: str | None, year: int = 2026) -> list:
    """The membership-year check on a made-up project of ``city`` citing ``source``."""
    cited = f"; <http://purl.org/dc/terms/source> <{source}>" if source else ""
    text = f"""<{BASE}id/project/{city}-example-reported> a <{BASE}def/SmartCityProject> ;
        <{BASE}def/city> <{BASE}id/city/{city}> {cited} ."""
    triples = [q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]
    return projects_before_their_city_joined(triples, store, BASE, this_year=year)


def test_a_project_reported_before_its_city_joined_is_a_warning_naming_both_years(
    store: EmbeddedStore,
) -> None:
    # Chiang Mai joined in 2023 (the roster); the 2018 action plans are dated 2018-07-08.
    (warning,) = reported(store, "chiang-mai", SCAPS_2018)
    assert warning.severity == "Warning"
    assert "reported in 2018" in warning.message
    assert "joined the network in 2023" in warning.message
    assert not reported(store, "chiang-mai", REPORT_2025)
    assert not reported(store, "da-nang", SCAPS_2018)  # a member since 2018


def test_a_project_with_no_dated_source_is_taken_as_reported_in_the_year_it_is_sent(
    store: EmbeddedStore,
) -> None:
    assert not reported(store, "chiang-mai", None, year=2026)
    (warning,) = reported(store, "chiang-mai", None, year=2022)
    assert "submitted in 2022" in warning.message


def test_every_shipped_project_is_reported_in_a_year_its_city_was_a_member(
    store: EmbeddedStore,
) -> None:
    shipped = [
        triple
        for name in ("ascn-projects-2018-scap", "ascn-projects-2025")
        for triple in store.graph_triples(f"{BASE}graph/data/{name}")
    ]
    assert len(shipped) > 1000
    assert projects_before_their_city_joined(shipped, store, BASE) == []
