"""The checks a network needs, on a steward's file against the built store: sub-areas
within the focus areas named, dates within the era and in step with the status, ISO 4217
currencies, and "negative" said only of numbers."""

import re

import pycountry
import pytest
import rdflib

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
