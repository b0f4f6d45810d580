"""A server started with ``ASCF_SHACL_ENGINE=rudof`` answers what the default one answers.

Two real servers, each over its own copy of the built store, one with the
default engine (pyshacl) and one with pyrudof for the core shapes, are sent
the same steward files: every example, data about the framework's own terms,
the projects CSV example and a malformed file through ``POST /validate``, and
the same submissions through ``POST /submissions``. The answers are the same
byte for byte, but for an accepted submission's id and generation.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from ascf_graph.core.settings import Settings
from ascf_graph.shacl.rudof import rudof_available
from ascf_graph.stewards.credentials import TokenStore
from tests.support.servers import running_server
from tests.support.stores import REPO, TEST_DATA, clone_settings

pytestmark = pytest.mark.skipif(not rudof_available(), reason="pyrudof is not installed")

EXAMPLES = TEST_DATA / "validation"
ENGINES = ("pyshacl", "rudof")
BASE = "https://w3id.org/ascf/"
JSON = "application/json"
TURTLE = "text/turtle"
FRAMEWORK_TERM = b"""
<https://w3id.org/ascf/id/focus-area/civic-and-social>
    <http://www.w3.org/2000/01/rdf-schema#label> "Civic and social, renamed" .
"""


@dataclass(frozen=True)
class Steward:
    """A server and a steward's token for it."""

    url: str
    token: str

    def validate(self, body: bytes, content_type: str) -> httpx.Response:
        return httpx.post(
            f"{self.url}/validate",
            content=body,
            headers={"Content-Type": content_type, "Accept": JSON},
            timeout=60,
        )

    def submit(self, body: bytes) -> httpx.Response:
        return httpx.post(
            f"{self.url}/submissions",
            content=body,
            headers={
                "Content-Type": TURTLE,
                "Accept": JSON,
                "Authorization": f"Bearer {self.token}",
            },
            timeout=60,
        )


@pytest.fixture(scope="module")
def stewards(
    built: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Steward]]:
    """One server per engine, each over its own copy of the built store."""
    copies = {
        engine: clone_settings(built, tmp_path_factory.mktemp(f"engine-{engine}"))
        for engine in ENGINES
    }
    tokens = {
        engine: TokenStore(settings.credentials_file).create(
            "ASEAN Smart Cities Network", "Secretariat", role="network"
        )[1]
        for engine, settings in copies.items()
    }
    with (
        running_server(copies["pyshacl"], ASCF_QUERY_WORKERS="0") as default,
        running_server(copies["rudof"], ASCF_QUERY_WORKERS="0", ASCF_SHACL_ENGINE="rudof") as fast,
    ):
        yield {
            "pyshacl": Steward(default.url, tokens["pyshacl"]),
            "rudof": Steward(fast.url, tokens["rudof"]),
        }


def both(stewards: dict[str, Steward], send: str, *args: bytes | str) -> dict[str, httpx.Response]:
    return {engine: getattr(stewards[engine], send)(*args) for engine in ENGINES}


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.ttl")))
def test_every_example_gets_the_same_validation_answer(
    stewards: dict[str, Steward], name: str
) -> None:
    answers = both(stewards, "validate", (EXAMPLES / name).read_bytes(), TURTLE)
    default, fast = answers["pyshacl"], answers["rudof"]
    assert fast.status_code == default.status_code
    assert fast.text == default.text
    if name == "malformed.ttl":
        assert default.status_code == 400
    else:
        assert default.status_code == 200
        assert default.json()["focusNodes"], "every example gets a result: the check is not vacuous"


def test_data_about_the_framework_gets_the_same_refusal(stewards: dict[str, Steward]) -> None:
    answers = both(stewards, "validate", FRAMEWORK_TERM, TURTLE)
    assert answers["rudof"].text == answers["pyshacl"].text
    assert answers["pyshacl"].json()["counts"]["Violation"] == 1


def test_the_projects_csv_example_gets_the_same_answer(stewards: dict[str, Steward]) -> None:
    csv = (REPO / "data" / "templates" / "projects-example.csv").read_bytes()
    answers = both(stewards, "validate", csv, "text/csv")
    assert answers["pyshacl"].status_code == 200, answers["pyshacl"].text
    assert answers["rudof"].text == answers["pyshacl"].text


def test_submissions_are_refused_and_accepted_alike(stewards: dict[str, Steward]) -> None:
    refused = both(stewards, "submit", (EXAMPLES / "negative-population.ttl").read_bytes())
    assert refused["pyshacl"].status_code == refused["rudof"].status_code == 422
    assert refused["rudof"].text == refused["pyshacl"].text

    accepted = both(stewards, "submit", (EXAMPLES / "valid-city-and-project.ttl").read_bytes())
    assert accepted["pyshacl"].status_code == accepted["rudof"].status_code == 201
    reports = {
        engine: {k: v for k, v in answer.json().items() if k not in ("submission", "generation")}
        for engine, answer in accepted.items()
    }
    assert reports["rudof"] == reports["pyshacl"]
    assert reports["pyshacl"]["conforms"] is True


# A city the shipped data describes (data/ascn-cities.ttl: ascf:country viet-nam).
DA_NANG_IN_THAILAND = b"""
@prefix ascf: <https://w3id.org/ascf/def/> .
@prefix org:  <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/ascf/id/city/da-nang> a ascf:City ;
    rdfs:label "Da Nang"@en ;
    ascf:country <https://w3id.org/ascf/id/country/thailand> ;
    org:hasMembership <https://w3id.org/ascf/id/city/da-nang#membership> .
<https://w3id.org/ascf/id/city/da-nang#membership> a ascf:NetworkMembership ;
    org:organization <https://w3id.org/ascf/id/organisation/ascn> .
"""
NEW_CITY = b"""
@prefix ascf: <https://w3id.org/ascf/def/> .
@prefix org:  <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/ascf/id/city/example-stored-city> a ascf:City ;
    rdfs:label "Example Stored City"@en ;
    ascf:country <https://w3id.org/ascf/id/country/viet-nam> ;
    ascf:population POPULATION ;
    org:hasMembership <https://w3id.org/ascf/id/city/example-stored-city#membership> .
<https://w3id.org/ascf/id/city/example-stored-city#membership> a ascf:NetworkMembership ;
    org:organization <https://w3id.org/ascf/id/organisation/ascn> .
"""


def problems(answer: httpx.Response) -> set[tuple[str, str | None, str]]:
    """(focus node, path, constraint component) of every Violation in a JSON report."""
    return {
        (node["focusNode"], result["path"], result["constraint"])
        for node in answer.json()["focusNodes"]
        for result in node["results"]
        if result["severity"] == "Violation"
    }


def test_a_second_country_for_a_city_a_submission_describes_is_refused(
    stewards: dict[str, Steward],
) -> None:
    # A submission's country for Da Nang takes the place of the shipped one (a correction,
    # ascf_graph.store.corrections); a second submission's other country would put Da Nang
    # in two countries once the file is in.
    first = both(stewards, "submit", DA_NANG_IN_THAILAND.replace(b"thailand", b"viet-nam"))
    assert first["pyshacl"].status_code == first["rudof"].status_code == 201
    refused = both(stewards, "submit", DA_NANG_IN_THAILAND)
    assert refused["pyshacl"].status_code == refused["rudof"].status_code == 422
    assert refused["rudof"].text == refused["pyshacl"].text
    assert problems(refused["pyshacl"]) == {
        (f"{BASE}id/city/da-nang", f"{BASE}def/country", "MaxCountConstraintComponent")
    }


def test_a_second_population_for_a_city_another_submission_describes_is_refused(
    stewards: dict[str, Steward],
) -> None:
    first = both(stewards, "submit", NEW_CITY.replace(b"POPULATION", b"120000"))
    assert first["pyshacl"].status_code == first["rudof"].status_code == 201
    again = both(stewards, "submit", NEW_CITY.replace(b"POPULATION", b"120000"))
    assert again["pyshacl"].status_code == again["rudof"].status_code == 201, "same statements"
    second = both(stewards, "submit", NEW_CITY.replace(b"POPULATION", b"-5"))
    assert second["pyshacl"].status_code == second["rudof"].status_code == 422
    assert second["rudof"].text == second["pyshacl"].text
    city = f"{BASE}id/city/example-stored-city"
    assert problems(second["pyshacl"]) == {
        (city, f"{BASE}def/population", "MaxCountConstraintComponent"),
        (city, f"{BASE}def/population", "MinInclusiveConstraintComponent"),
    }
