"""HTTP done right on the linked-data paths: status codes, validators, HEAD, CORS, paging."""

from collections.abc import Iterator

import httpx
import pytest

CONCEPT = "/id/focus-area/civic-and-social"
DOCUMENT = "/doc/focus-area/civic-and-social"
PAGED = "/doc/project-status/ongoing-and-under-planning"
VOLATILE = {"date", "server", "x-request-id"}  # a fresh id per request


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as shared:
        yield shared


def test_a_uri_answers_303_then_its_document_200(client: httpx.Client) -> None:
    see_other = client.get(CONCEPT, headers={"Accept": "text/turtle"})
    assert see_other.status_code == 303
    assert see_other.headers["location"] == f"{DOCUMENT}.ttl"
    assert "Accept" in see_other.headers["vary"]
    followed = client.get(CONCEPT, headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert followed.status_code == 200
    assert "Civic and Social" in followed.text


@pytest.mark.parametrize(
    "path", [CONCEPT, f"{DOCUMENT}.ttl", "/search?q=heal", "/context.jsonld", "/.well-known/void"]
)
def test_linked_data_may_be_cached_for_five_minutes(client: httpx.Client, path: str) -> None:
    """As the README says: a shared cache may serve it for 300 s, then revalidates."""
    answer = client.get(path)
    assert answer.status_code in (200, 303), answer.text
    assert answer.headers["cache-control"] == "public, max-age=300"


def test_an_unknown_slug_is_404_with_suggestions_for_people(client: httpx.Client) -> None:
    answer = client.get("/id/focus-area/civic", headers={"Accept": "text/html"})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert 'href="/doc/focus-area/civic-and-social"' in answer.text


def test_an_unknown_slug_is_404_in_plain_text_for_machines(client: httpx.Client) -> None:
    answer = client.get("/id/city/atlantis", headers={"Accept": "text/turtle"})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/plain")
    assert "atlantis" in answer.text
    assert "@prefix" not in answer.text


def test_an_unknown_slug_is_404_in_json_when_json_is_asked_for(client: httpx.Client) -> None:
    answer = client.get("/doc/city/da-nan.ttl", headers={"Accept": "application/json"})
    assert answer.status_code == 404
    body = answer.json()
    assert body["code"] == "not-found"
    assert body["suggestions"][0]["iri"].endswith("/id/city/da-nang")


@pytest.mark.parametrize(
    "path",
    [
        "/id/city/da-nang/extra",
        "/id/city/da%20nang",
        "/doc/city/da-nang.png",
        "/id/",
        "/doc/",
        "/def/No.Such",
    ],
)
def test_malformed_addresses_are_404(client: httpx.Client, path: str) -> None:
    assert client.get(path, headers={"Accept": "text/plain"}).status_code == 404


def test_no_acceptable_format_is_406(client: httpx.Client) -> None:
    answer = client.get(DOCUMENT, headers={"Accept": "image/png"})
    assert answer.status_code == 406
    assert answer.json()["code"] == "not-acceptable"
    see_other = client.get(CONCEPT, headers={"Accept": "image/png"})
    assert see_other.status_code == 303
    assert see_other.headers["location"] == DOCUMENT


@pytest.mark.parametrize("extension", ["ttl", "jsonld", "html"])
def test_a_matching_etag_is_304(client: httpx.Client, extension: str) -> None:
    first = client.get(f"{DOCUMENT}.{extension}")
    etag = first.headers["etag"]
    again = client.get(f"{DOCUMENT}.{extension}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = client.get(f"{DOCUMENT}.{extension}", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200


def test_if_modified_since_is_304_until_the_store_changes(client: httpx.Client) -> None:
    first = client.get(f"{DOCUMENT}.nt")
    since = first.headers["last-modified"]
    assert client.get(f"{DOCUMENT}.nt", headers={"If-Modified-Since": since}).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(f"{DOCUMENT}.nt", headers={"If-Modified-Since": old}).status_code == 200


def test_representations_have_different_etags(client: httpx.Client) -> None:
    tags = {client.get(f"{DOCUMENT}.{ext}").headers["etag"] for ext in ("ttl", "nt", "html")}
    assert len(tags) == 3


def test_documents_link_their_alternates_and_their_topic(client: httpx.Client) -> None:
    links = client.get(f"{DOCUMENT}.ttl").headers["link"]
    for extension, media_type in [
        ("html", "text/html"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
        ("nt", "application/n-triples"),
    ]:
        assert f'<{DOCUMENT}.{extension}>; rel="alternate"; type="{media_type}"' in links
    assert '<https://w3id.org/ascf/id/focus-area/civic-and-social>; rel="describes"' in links


@pytest.mark.parametrize(
    "path",
    [
        CONCEPT,
        f"{DOCUMENT}.ttl",
        f"{DOCUMENT}.html",
        "/",
        "/def",
        "/doc/def.html",
        "/search?q=tour",
        "/context.jsonld",
        "/.well-known/void",
        "/dumps/ascf.nq.gz",
        "/static/style.css",
        "/health",
        "/id/city/atlantis",
    ],
)
def test_head_is_get_without_the_body(client: httpx.Client, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code
    assert head.content == b""
    strip = lambda headers: {k: v for k, v in headers.items() if k not in VOLATILE}  # noqa: E731
    assert strip(head.headers) == strip(get.headers)


def test_reads_are_open_to_other_origins(client: httpx.Client) -> None:
    answer = client.get(f"{DOCUMENT}.jsonld", headers={"Origin": "https://example.org"})
    assert answer.headers["access-control-allow-origin"] == "*"
    exposed = answer.headers["access-control-expose-headers"].lower()
    assert "etag" in exposed
    assert "link" in exposed
    preflight = client.options(
        f"{DOCUMENT}.jsonld",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200


def test_inbound_links_come_in_pages(client: httpx.Client) -> None:
    first = client.get(f"{PAGED}.nt")
    assert f'<{PAGED}.nt?page=2>; rel="next"' in first.headers["link"]
    second = client.get(f"{PAGED}.nt?page=2")
    assert second.status_code == 200
    assert f'<{PAGED}.nt>; rel="prev"' in second.headers["link"]
    projects_first = pointing_projects(first.text)
    projects_second = pointing_projects(second.text)
    assert projects_first
    assert projects_second
    assert not projects_first & projects_second
    assert "hydra/core#next" in first.text


def pointing_projects(ntriples: str) -> set[str]:
    """The projects, and the reports' records of projects, whose status statement
    (``ascf:status``, ``ascf:printedStatus``) an N-Triples page carries."""
    return {
        line.split()[0]
        for line in ntriples.splitlines()
        if line.startswith(
            ("<https://w3id.org/ascf/id/project/", "<https://w3id.org/ascf/id/project-record/")
        )
        and ("/def/status>" in line or "/def/printedStatus>" in line)
    }


@pytest.mark.parametrize(("page", "status"), [("0", 400), ("x", 400), ("-1", 400), ("9", 404)])
def test_a_bad_page_is_refused(client: httpx.Client, page: str, status: int) -> None:
    answer = client.get(f"{PAGED}.ttl", params={"page": page})
    assert answer.status_code == status
    assert answer.json()["code"] in ("unusable-input", "not-found")
