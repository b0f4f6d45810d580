"""The fast path answers exactly as the whole stack does.

The same requests go to the application with the fast path and without it,
one after the other over one copy of the store (so both have the same
generation and the same moment it was first served); the answers must be
the same, status, headers and body.
"""

import asyncio
import re
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from ascf_graph.app import create_app
from ascf_graph.core.settings import Settings
from ascf_graph.web.middleware.fast_path import _route_for
from tests.support.stores import clone_settings

CITY = "/doc/city/da-nang"
PAGED = "/doc/project-status/ongoing-and-under-planning"
DIFFERS = {"date", "server", "x-request-id"}  # a fresh id per request
BLANK_NODE = re.compile(rb"_:[0-9a-f]{16,}")
ORIGIN = {"Origin": "https://example.org"}
REQUESTS = [
    ("/id/city/da-nang", {"Accept": "text/turtle"}),
    ("/id/city/da-nang", {"Accept": "text/html"}),
    ("/id/city/da-nang", {}),
    ("/id/city/da-nang", ORIGIN),
    ("/id/focus-area/civic-and-social", {"Accept": "application/ld+json"}),
    ("/id/city/atlantis", {"Accept": "text/turtle"}),
    ("/id/city/atlantis", {"Accept": "text/html"}),
    ("/id/", {}),
    (f"{CITY}.ttl", {}),
    (f"{CITY}.ttl", ORIGIN),
    (f"{CITY}.nt", {}),
    (f"{CITY}.jsonld", {}),
    (f"{CITY}.rdf", {}),
    (f"{CITY}.html", {}),
    (CITY, {"Accept": "application/ld+json"}),
    (CITY, {"Accept": "image/png"}),
    (f"{CITY}.png", {}),
    ("/doc/city/atlantis.ttl", {"Accept": "application/json"}),
    (f"{PAGED}.ttl?page=2", {}),
    (f"{PAGED}.ttl?page=99", {}),
    (f"{PAGED}.ttl?page=x", {}),
    ("/doc/def.html", {}),
    ("/doc/def/City.ttl", {}),
    ("/doc/framework.html", {}),
]
SELECT = "SELECT ?city WHERE { ?city a <https://w3id.org/ascf/def/City> } ORDER BY ?city"
JSON = {"Accept": "application/sparql-results+json"}
QUERIES = [
    ("GET", f"/sparql?{urlencode({'query': SELECT})}", JSON, b""),
    ("GET", f"/sparql?{urlencode({'query': SELECT, 'format': 'csv'})}", {}, b""),
    ("GET", f"/sparql?{urlencode({'query': SELECT})}", {"Accept": "text/html"}, b""),
    ("GET", f"/sparql?{urlencode({'query': SELECT})}", JSON | ORIGIN, b""),
    ("GET", f"/sparql?{urlencode({'query': 'SELECT ?x WHERE {'})}", JSON, b""),
    ("GET", "/sparql", {"Accept": "text/turtle"}, b""),
    ("GET", "/sparql", {"Accept": "text/html"}, b""),
    ("POST", "/sparql", JSON | {"Content-Type": "application/sparql-query"}, SELECT.encode()),
    (
        "POST",
        "/sparql",
        JSON | {"Content-Type": "application/x-www-form-urlencoded"},
        urlencode({"query": SELECT}).encode(),
    ),
    (
        "POST",
        "/sparql",
        {"Content-Type": "application/x-www-form-urlencoded"},
        urlencode({"update": "CLEAR ALL"}).encode(),
    ),
    ("POST", "/sparql", JSON | {"Content-Type": "image/png"}, b"..."),
]


async def answers(settings: Settings, *, fast_path: bool) -> list[tuple]:
    """Every request's answer (GET, HEAD, and a GET made conditional on its ETag)."""
    app = create_app(settings, fast_path=fast_path)
    collected = []
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client,
    ):
        asked = [
            (method, path, headers, b"") for path, headers in REQUESTS for method in ("GET", "HEAD")
        ]
        for method, path, headers, body in asked + QUERIES:
            answer = await client.request(method, path, headers=headers, content=body)
            collected.append(comparable(answer))
            if "etag" in answer.headers and method == "GET":
                current = {"If-None-Match": answer.headers["etag"]}
                collected.append(comparable(await client.get(path, headers=headers | current)))
    return collected


def differences(one: tuple, other: tuple) -> str:
    """What differs between two answers, for the failure message."""
    method, url, status, headers, body = one
    differing = {
        name: (headers.get(name), other[3].get(name))
        for name in headers.keys() | other[3].keys()
        if headers.get(name) != other[3].get(name)
    }
    return (
        f"{method} {url}: status {status} / {other[2]}; headers {differing}; "
        f"same body: {body == other[4]}"
    )


def comparable(answer: httpx.Response) -> tuple:
    """The answer, less its date; blank nodes named in order of appearance (the service
    description makes new ones each time), with the length they change left out."""
    kept = {name: value for name, value in answer.headers.items() if name not in DIFFERS}
    labels: dict[bytes, bytes] = {}
    body = BLANK_NODE.sub(
        lambda found: labels.setdefault(found[0], b"_:b%d" % len(labels)), answer.content
    )
    if labels:
        kept.pop("content-length", None)
    return (answer.request.method, str(answer.url), answer.status_code, kept, body)


# pyLODE, which writes the ontology's page, leaves its stylesheet's file open.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in.*pylode:pytest.PytestUnraisableExceptionWarning"
)
def test_the_fast_path_answers_as_the_whole_stack_does(built: Settings, tmp_path: Path) -> None:
    settings = clone_settings(built, tmp_path).model_copy(update={"query_workers": 0})
    fast = asyncio.run(answers(settings, fast_path=True))
    whole = asyncio.run(answers(settings, fast_path=False))
    assert len(fast) > len(REQUESTS) * 2 + len(QUERIES), "some answers were conditional"
    for one, other in zip(fast, whole, strict=True):
        assert one == other, differences(one, other)


@pytest.mark.parametrize(
    ("method", "path", "headers", "taken"),
    [
        ("GET", "/id/city/da-nang", [], True),
        ("GET", "/doc/city/da-nang.ttl", [], True),
        ("HEAD", "/doc/city/da-nang.ttl", [], False),
        ("GET", "/doc/graph/framework.ttl", [], False),
        ("GET", "/sparql", [], True),
        ("POST", "/sparql", [], True),
        ("OPTIONS", "/sparql", [], False),
        ("GET", "/sparql/editor/yasgui.js", [], False),
        ("GET", "/def/City", [], False),
    ],
)
def test_the_fast_path_takes_only_plain_gets_of_resources_and_documents(
    method: str, path: str, headers: list[tuple[bytes, bytes]], taken: bool
) -> None:
    scope = {"type": "http", "method": method, "path": path, "headers": headers, "root_path": ""}
    assert (_route_for(scope) is not None) == taken
