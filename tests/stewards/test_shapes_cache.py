"""The submission shapes are derived once per store generation, not once per request.

The application is served by uvicorn on a loopback port from a thread of the
test's own process (the real app with its lifespan, over a private copy of
the built store), so that the function deriving the shapes can be counted:
it is wrapped, not replaced. Two
validations in one generation derive the shapes once; a write moves the
generation on and the next validation derives them again; the reports do not
change because of the cache.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from ascf_graph.app import create_app
from ascf_graph.core.settings import Settings
from ascf_graph.stewards import shapes as submission_shapes
from ascf_graph.stewards.credentials import TokenStore
from ascf_graph.stewards.shapes import SubmissionShapes
from ascf_graph.store.base import Store
from ascf_graph.web.state import state_of
from tests.support.servers import serving_in_this_process
from tests.support.stores import TEST_DATA, clone_settings

EXAMPLES = TEST_DATA / "validation"
TURTLE = {"Content-Type": "text/turtle", "Accept": "application/json"}


class CountedDerivation:
    """``derive_submission_shapes`` as it is, counting the store generations it ran for."""

    def __init__(self, derive: Callable[..., SubmissionShapes]) -> None:
        self._derive = derive
        self.generations: list[str] = []

    def __call__(self, store: Store, base_iri: str, **options: bool) -> SubmissionShapes:
        self.generations.append(store.generation)
        return self._derive(store, base_iri, **options)


@pytest.fixture
def derivations(monkeypatch: pytest.MonkeyPatch) -> CountedDerivation:
    counted = CountedDerivation(submission_shapes.derive_submission_shapes)
    monkeypatch.setattr(submission_shapes, "derive_submission_shapes", counted)
    return counted


@dataclass
class Service:
    """A client of the running app, the app, and a steward's token."""

    client: httpx.Client
    app: FastAPI
    token: str


@pytest.fixture
def service(built: Settings, tmp_path: Path) -> Iterator[Service]:
    # Validation in the server's threads: the prepared SPARQL checked below is the server's
    # (an input worker keeps its own, per shapes graph it has been sent).
    settings = clone_settings(built, tmp_path).model_copy(
        update={"query_workers": 0, "input_workers": 0}
    )
    _, token = TokenStore(settings.credentials_file).create(
        "Da Nang City", "Lan", cities=("da-nang",)
    )
    app = create_app(settings)
    with serving_in_this_process(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield Service(client, app, token)


def validate(client: httpx.Client, name: str) -> dict[str, object]:
    answer = client.post("/validate", content=(EXAMPLES / name).read_bytes(), headers=TURTLE)
    assert answer.status_code == 200, answer.text
    return answer.json()


def generation(client: httpx.Client) -> str:
    return client.get("/health").json()["generation"]


def test_shapes_are_derived_once_per_generation_and_again_after_a_write(
    service: Service, derivations: CountedDerivation
) -> None:
    client = service.client
    first = generation(client)

    before = validate(client, "negative-population.ttl")
    assert validate(client, "negative-population.ttl") == before
    validate(client, "missing-title.ttl")
    assert derivations.generations == [first]

    written = client.post(
        "/submissions",
        content=(EXAMPLES / "valid-city-and-project.ttl").read_bytes(),
        headers={**TURTLE, "Authorization": f"Bearer {service.token}"},
    )
    assert written.status_code == 201, written.text
    assert derivations.generations == [first], "the write was checked with the cached shapes"
    second = generation(client)
    assert second != first

    after = validate(client, "negative-population.ttl")
    validate(client, "negative-population.ttl")
    assert derivations.generations == [first, second]
    assert after["counts"] == before["counts"]


def test_the_cached_shapes_are_those_of_the_store(
    service: Service, derivations: CountedDerivation
) -> None:
    validate(service.client, "valid-city-and-project.ttl")
    submissions = state_of(service.app.state).steward_services.submissions
    cached = submissions.shapes()
    derived = submission_shapes.derive_submission_shapes(
        submissions.store,
        submissions.base_iri,
        for_pyshacl_here=not submissions.validates_in_workers,
    )
    assert cached.version == derived.version
    assert len(cached.graph) == len(derived.graph) > 500
    assert len(cached.queries) > 0, "the request prepared the shapes' SPARQL for the generation"
    assert len(derivations.generations) == 2, "one by the request, one by this test"


@pytest.fixture
def service_with_input_workers(built: Settings, tmp_path: Path) -> Iterator[Service]:
    settings = clone_settings(built, tmp_path).model_copy(
        update={"query_workers": 0, "input_workers": 1}
    )
    app = create_app(settings)
    with serving_in_this_process(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield Service(client, app, "")


def test_shapes_sent_to_input_workers_are_not_prepared_for_pyshacl_in_the_server(
    service_with_input_workers: Service,
) -> None:
    """pyshacl adds axioms of its own to a shapes graph it is given; where input workers
    check the data, each builds its own graph, so the server's stays as stored (and the
    server never imports pyshacl for it)."""
    service = service_with_input_workers
    submissions = state_of(service.app.state).steward_services.submissions
    assert submissions.validates_in_workers
    assert validate(service.client, "negative-population.ttl")["conforms"] is False
    stored = submission_shapes.derive_submission_shapes(
        submissions.store, submissions.base_iri, for_pyshacl_here=False
    )
    prepared = submission_shapes.derive_submission_shapes(
        submissions.store, submissions.base_iri, for_pyshacl_here=True
    )
    assert len(submissions.shapes().graph) == len(stored.graph) < len(prepared.graph)
