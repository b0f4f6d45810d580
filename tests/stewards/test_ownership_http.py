"""Who may say what, over a real server: every way to write about another organisation's
resource is refused (422 ``not-owner``, a Violation naming the subject and its owner, a
line in the audit log with the reason) and changes nothing; a city's own corrections to
its shipped records take precedence in the union, with both values in the provenance.

Da Nang City's token speaks for Da Nang, Bangkok's for Bangkok; the network's own
token (``--role network``) states network-level facts.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from ascf_graph.core.settings import Settings
from ascf_graph.stewards.audit import AuditLog
from ascf_graph.stewards.credentials import TokenStore
from tests.support.servers import serving
from tests.support.stores import clone_settings

BASE = "https://w3id.org/ascf/"
ID = f"{BASE}id/"
PREFIXES = f"""
@prefix ascf: <{BASE}def/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <{ID}> .
"""
#: Shipped records (the network's 2025 project list).
DA_NANG_WATER = f"{ID}project/da-nang-smart-water-management-system"
BANG_SUE = f"{ID}project/bangkok-bang-sue-smart-city"
ONGOING_AND_PLANNING = f"{ID}project-status/ongoing-and-under-planning"
COMPLETED = f"{ID}project-status/completed"


def new_project(slug: str, city: str = "da-nang", extra: str = "") -> str:
    """A complete, conforming record of a made-up project ``slug`` in ``city``."""
    return f"""
<{ID}project/{slug}> a ascf:SmartCityProject ;
    rdfs:label "Example project {slug}" ;
    rdfs:comment "Example data for tests, not a real project" ;
    ascf:city <{ID}city/{city}> ;
    ascf:focusArea <{ID}focus-area/civic-and-social> ;
    ascf:status <{ID}project-status/ongoing> {extra}.
"""


@dataclass
class Service:
    url: str
    settings: Settings
    tokens: dict[str, str]

    def submit(self, turtle: str, who: str, *, replace: str | None = None) -> httpx.Response:
        method, path = ("PUT", f"/submissions/{replace}") if replace else ("POST", "/submissions")
        return httpx.request(
            method,
            f"{self.url}{path}",
            content=(PREFIXES + turtle).encode(),
            headers={
                "Authorization": f"Bearer {self.tokens[who]}",
                "Content-Type": "text/turtle",
            },
            timeout=60,
        )

    def retract(self, submission: str, who: str) -> httpx.Response:
        return httpx.delete(
            f"{self.url}/submissions/{submission}",
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
            timeout=60,
        )

    def select(self, query: str) -> list[dict[str, str]]:
        answer = httpx.get(
            f"{self.url}/sparql",
            params={"query": PREFIXES_SPARQL + query},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert answer.status_code == 200, answer.text
        return [
            {name: cell["value"] for name, cell in row.items()}
            for row in answer.json()["results"]["bindings"]
        ]

    def state(self) -> tuple[dict[str, str], str]:
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        generation = httpx.get(f"{self.url}/health").json()["generation"]
        return {row["g"]: row["n"] for row in rows}, generation


PREFIXES_SPARQL = (
    f"PREFIX ascf: <{BASE}def/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)


@pytest.fixture(scope="module")
def service(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    settings = clone_settings(built, tmp_path_factory.mktemp("ownership"))
    store = TokenStore(settings.credentials_file)
    tokens = {
        "da-nang": store.create("Da Nang City", "Lan", cities=("da-nang",))[1],
        "bangkok": store.create(
            "Bangkok Metropolitan Administration", "Somchai", cities=("bangkok",)
        )[1],
        "no-city": store.create("Example Foundation", "Mai")[1],
        "network": store.create("ASEAN Smart Cities Network", "Secretariat", role="network")[1],
    }
    environment = {
        "ASCF_DATA_DIR": str(settings.data_dir),
        "ASCF_CONTENT_DIR": str(settings.content_dir),
    }
    with serving(environment) as url:
        service = Service(url, settings, tokens)
        # Bangkok's own project and partner, created before any test tries to touch them.
        created = service.submit(
            new_project(
                "bangkok-example-canal-sensors",
                "bangkok",
                f"; ascf:partner <{ID}organisation/example-canal-institute> ",
            )
            + f"<{ID}organisation/example-canal-institute> a ascf:Organisation ; "
            'rdfs:label "Example Canal Institute" .',
            "bangkok",
        )
        assert created.status_code == 201, created.text
        yield service


# ---------------------------------------------------------------------------
# Refused, naming the owner, and nothing changes

MEMBERSHIP = f"""
<{ID}city/da-nang> org:hasMembership [ a ascf:NetworkMembership ;
    org:organization <{ID}organisation/ascn> ; ascf:joinedYear "2017"^^xsd:gYear ] .
"""

REFUSED = {
    "a second city on another city's shipped project": (
        f"<{BANG_SUE}> ascf:city <{ID}city/da-nang> .",
        BANG_SUE,
        "the network",
    ),
    "a new name for another member city": (
        f'<{ID}city/bangkok> rdfs:label "Krung Thep"@th .',
        f"{ID}city/bangkok",
        "the network",
    ),
    "another city's project said to be cancelled": (
        f'<{BANG_SUE}> dct:description "Cancelled in 2024." .',
        BANG_SUE,
        "the network",
    ),
    "a project another organisation created": (
        f'<{ID}project/bangkok-example-canal-sensors> rdfs:label "Renamed" .',
        f"{ID}project/bangkok-example-canal-sensors",
        "bangkok-metropolitan-administration",
    ),
    "a partner another organisation declared": (
        f'<{ID}organisation/example-canal-institute> rdfs:label "Renamed" .',
        f"{ID}organisation/example-canal-institute",
        "bangkok-metropolitan-administration",
    ),
    "another token holder's organisation": (
        f'<{ID}organisation/bangkok-metropolitan-administration> rdfs:label "BMA" .',
        f"{ID}organisation/bangkok-metropolitan-administration",
        "bangkok-metropolitan-administration",
    ),
    "the network's own organisation": (
        f'<{ID}organisation/ascn> rdfs:label "Renamed network" .',
        f"{ID}organisation/ascn",
        "the network",
    ),
    "a new member city": (
        f'<{ID}city/da-nang-new-district> a ascf:City ; rdfs:label "New district" .',
        f"{ID}city/da-nang-new-district",
        "the network",
    ),
    "its own city declared a member": (MEMBERSHIP, f"{ID}city/da-nang", "the network"),
    "its own city moved to another country": (
        f"<{ID}city/da-nang> ascf:country <{ID}country/thailand> .",
        f"{ID}city/da-nang",
        "the network",
    ),
    "a new project outside its namespace": (
        new_project("example-unprefixed-project"),
        f"{ID}project/example-unprefixed-project",
        "nobody yet",
    ),
    "a new project of its own placed in another city": (
        new_project("da-nang-example-misplaced", "bangkok"),
        f"{ID}project/da-nang-example-misplaced",
        "the organisations of bangkok",
    ),
    "another city's shipped project claimed through the inverse link": (
        f"<{ID}city/da-nang> ascf:hasProject <{BANG_SUE}> .",
        f"{ID}city/da-nang",
        "the network",
    ),
    "a partner of its own said to take part in another's project": (
        f"<{ID}organisation/example-da-nang-partner> a ascf:Organisation ; "
        'rdfs:label "Example partner" ; '
        f"ascf:partnerIn <{ID}project/bangkok-example-canal-sensors> .",
        f"{ID}organisation/example-da-nang-partner",
        "bangkok-metropolitan-administration",
    ),
    "its project said to be the same as another's": (
        new_project("da-nang-example-twin", extra=f"; owl:sameAs <{BANG_SUE}> "),
        f"{ID}project/da-nang-example-twin",
        "the network",
    ),
    "another city's project claimed from a blank node under its own city": (
        f"<{ID}city/da-nang> rdfs:seeAlso [ ascf:hasProject <{BANG_SUE}> ] .",
        "_:",
        "the network",
    ),
    "a description with no name that hangs from nothing": (
        f"[] a ascf:SmartCityProject ; ascf:city <{ID}city/da-nang> .",
        "_:",
        "nobody",
    ),
    "a resource outside the graph's namespace": (
        '<https://example.org/our-project> rdfs:label "Ours" .',
        "https://example.org/our-project",
        "outside this graph",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_writing_about_what_is_not_yours_is_refused_and_changes_nothing(
    service: Service, case: str
) -> None:
    turtle, subject, owner = REFUSED[case]
    before = service.state()
    answer = service.submit(turtle, "da-nang")
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "not-owner"
    named = [
        (node["focusNode"], result["message"])
        for node in body["focusNodes"]
        for result in node["results"]
        if result["constraint"].endswith("OwnershipConstraintComponent")
    ]
    assert any(focus.startswith(subject) for focus, _ in named), named
    assert owner in answer.text, answer.text
    assert service.state() == before
    refusal = AuditLog(service.settings.audit_log).entries()[-1]
    assert refusal["event"] == "refused"
    assert refusal["code"] == "not-owner"
    assert refusal["token"]
    assert "not yours to write" in refusal["reason"]


def test_a_token_bound_to_no_city_creates_nothing_but_its_own_description(
    service: Service,
) -> None:
    refused = service.submit(new_project("example-foundation-project"), "no-city")
    assert refused.status_code == 422
    assert "speaks for no city" in refused.text or "has none" in refused.text
    own = service.submit(
        f'<{ID}organisation/example-foundation> rdfs:label "Example Foundation" .', "no-city"
    )
    assert own.status_code == 201, own.text


# ---------------------------------------------------------------------------
# Allowed


def test_a_city_describes_its_own_projects_partners_and_links_to_others(
    service: Service,
) -> None:
    data = (
        new_project(
            "da-nang-example-shared-sensors",
            extra=f"; ascf:partner <{ID}organisation/example-canal-institute>, "
            f"<{ID}organisation/example-da-nang-lab> ",
        )
        + f'<{ID}organisation/example-da-nang-lab> a ascf:Organisation ; rdfs:label "Example lab" .'
    )
    answer = service.submit(data, "da-nang")
    assert answer.status_code == 201, answer.text


def test_network_level_facts_are_the_networks_to_state(service: Service) -> None:
    answer = service.submit(
        f"<{ID}city/da-nang> org:hasMembership <{ID}city/da-nang#example-membership> . "
        f"<{ID}city/da-nang#example-membership> a ascf:NetworkMembership ; "
        f"org:organization <{ID}organisation/ascn> .",
        "network",
    )
    assert answer.status_code == 201, answer.text


# ---------------------------------------------------------------------------
# Corrections to shipped records


def statuses(service: Service, project: str) -> set[str]:
    rows = service.select(f"SELECT ?status WHERE {{ <{project}> ascf:status ?status }}")
    return {row["status"] for row in rows}


def test_a_citys_correction_takes_precedence_and_retracting_it_restores_the_shipped_value(
    service: Service,
) -> None:
    assert statuses(service, DA_NANG_WATER) == {ONGOING_AND_PLANNING}
    refused = service.submit(f"<{DA_NANG_WATER}> ascf:status <{COMPLETED}> .", "bangkok")
    assert refused.status_code == 422
    assert refused.json()["code"] == "not-owner"

    answer = service.submit(f"<{DA_NANG_WATER}> ascf:status <{COMPLETED}> .", "da-nang")
    assert answer.status_code == 201, answer.text
    submission = answer.json()["submission"]
    assert statuses(service, DA_NANG_WATER) == {COMPLETED}
    # the shipped value is kept in the provenance, withheld by this version
    shipped = service.select(
        f"""PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?value ?graph ?version WHERE {{
            ?withheld rdf:subject <{DA_NANG_WATER}> ; rdf:predicate ascf:status ;
                rdf:object ?value ; dct:isPartOf ?graph ; prov:wasInvalidatedBy ?acceptance .
            ?version prov:wasGeneratedBy ?acceptance }}"""
    )
    assert shipped == [
        {
            "value": ONGOING_AND_PLANNING,
            "graph": f"{BASE}graph/data/ascn-projects-2025",
            "version": f"{submission['graph']}/version/1",
        }
    ]
    # a second version that no longer sets the status puts the shipped one back
    replaced = service.submit(
        f'<{DA_NANG_WATER}> rdfs:comment "Corrected by the city." .',
        "da-nang",
        replace=submission["id"],
    )
    assert replaced.status_code == 200, replaced.text
    assert statuses(service, DA_NANG_WATER) == {ONGOING_AND_PLANNING}
    again = service.submit(
        f"<{DA_NANG_WATER}> ascf:status <{COMPLETED}> .", "da-nang", replace=submission["id"]
    )
    assert again.status_code == 200, again.text
    assert statuses(service, DA_NANG_WATER) == {COMPLETED}
    assert service.retract(submission["id"], "da-nang").status_code == 200
    assert statuses(service, DA_NANG_WATER) == {ONGOING_AND_PLANNING}
