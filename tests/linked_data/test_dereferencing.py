"""Every published URI dereferences, in every format, over a real server.

For each framework concept, country and status, ontology term, city and
project: ``/id/...`` (or ``/def/...``) answers 303 to the document of the
format asked for; each document parses, all formats (and the JSON-LD the
HTML page embeds) hold the same graph, and the graph names the resource as
its primary topic and labels everything it links to.
"""

import json
import re
from collections.abc import Iterator

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, RDF, RDFS, SKOS

from tests.support.published import BASE, labels_of, published_uris
from tests.support.rdf_documents import RDF_FORMATS, parse

EMBEDDED = re.compile(
    r'<script type="application/ld\+json"(?: id="ontology")?>(.*?)</script>', re.S
)
LABELS = (RDFS.label, SKOS.prefLabel)


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    """One connection pool for the thousands of requests below."""
    with httpx.Client(base_url=server, timeout=30) as shared:
        yield shared


def resource_path(uri: str) -> str:
    """The request path of one of our URIs."""
    assert uri.startswith(BASE)
    return "/" + uri[len(BASE) :]


def document_path(uri: str) -> str:
    """Where the URI's document lives (the contract: id/x -> doc/x, def/x -> doc/def/x)."""
    rest = uri[len(BASE) :]
    return "/doc/" + (rest[len("id/") :] if rest.startswith("id/") else rest)


def embedded_graph(html: str, base: str) -> rdflib.Graph:
    """The description the HTML page embeds as JSON-LD (ours, not pyLODE's schema.org one)."""
    scripts = EMBEDDED.findall(html)
    assert scripts, "the page embeds no JSON-LD"
    body = scripts[-1]
    json.loads(body)  # valid JSON, escaped for <script>
    return parse(body, "json-ld", base)


def dereference(client: httpx.Client, uri: str) -> list[str]:
    """Check one URI in every format; return what is wrong (empty when all is well)."""
    problems: list[str] = []
    doc = document_path(uri)
    graphs: dict[str, rdflib.Graph] = {}
    for extension, (media_type, rdflib_format) in RDF_FORMATS.items():
        see_other = client.get(resource_path(uri), headers={"Accept": media_type})
        if see_other.status_code != 303 or see_other.headers["location"] != f"{doc}.{extension}":
            problems.append(f"{uri} {media_type}: {see_other.status_code} {see_other.headers}")
            continue
        if "Accept" not in see_other.headers.get("vary", ""):
            problems.append(f"{uri}: 303 without Vary: Accept")
        answer = client.get(see_other.headers["location"])
        if answer.status_code != 200 or not answer.headers["content-type"].startswith(media_type):
            problems.append(f"{uri} {extension}: {answer.status_code} {answer.headers}")
            continue
        graphs[extension] = parse(answer.content, rdflib_format)
    html = client.get(f"{doc}.html")
    if html.status_code != 200:
        return [*problems, f"{uri} html: {html.status_code}"]
    graphs["html"] = embedded_graph(html.text, uri)
    if not graphs.get("ttl"):
        return [*problems, f"{uri}: no Turtle to compare with"]
    reference = graphs["ttl"]
    problems += [
        f"{uri}: {name} is not isomorphic to Turtle ({len(g)} vs {len(reference)} triples)"
        for name, g in graphs.items()
        if not isomorphic(g, reference)
    ]
    problems += check_content(uri, reference)
    return problems


def check_content(uri: str, graph: rdflib.Graph) -> list[str]:
    """The primary topic, and the labels of everything linked, in and out."""
    node = rdflib.URIRef(uri)
    problems = []
    if (None, FOAF.primaryTopic, node) not in graph:
        problems.append(f"{uri}: no foaf:primaryTopic")
    if not any(graph.triples((node, None, None))):
        problems.append(f"{uri}: the document says nothing about it")
    linked = {o for o in graph.objects(node) if isinstance(o, rdflib.URIRef)}
    linked |= {s for s, p in graph.subject_predicates(node) if p != FOAF.primaryTopic}
    for other in linked:
        expected = labels_of(str(other))
        found = {str(label) for p in LABELS for label in graph.objects(other, p)}
        if expected - found:
            problems.append(f"{uri}: lacks the labels {expected - found} of {other}")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("group", sorted(published_uris()))
def test_every_published_uri_dereferences_in_every_format(client: httpx.Client, group: str) -> None:
    uris = published_uris()[group]
    assert uris, f"no {group} found in the shipped files"
    problems = [problem for uri in uris for problem in dereference(client, uri)]
    assert not problems, "\n".join(problems[:20])


def test_browsers_are_sent_to_the_page(client: httpx.Client) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    answer = client.get("/id/focus-area/civic-and-social", headers={"Accept": accept})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/doc/focus-area/civic-and-social.html"
    assert 'rel="describedby"' in answer.headers["link"]


def test_q_values_choose_the_format(client: httpx.Client) -> None:
    accept = "text/html;q=0.5, text/turtle;q=0.6, application/ld+json;q=0.9"
    answer = client.get("/id/city/da-nang", headers={"Accept": accept})
    assert answer.headers["location"] == "/doc/city/da-nang.jsonld"


def test_the_generic_document_negotiates(client: httpx.Client) -> None:
    answer = client.get("/doc/city/da-nang", headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/n-triples")
    assert answer.headers["content-location"] == "/doc/city/da-nang.nt"
    assert "Accept" in answer.headers["vary"]


def test_the_ontology_dereferences_to_its_documentation_and_its_graph(
    client: httpx.Client,
) -> None:
    page = client.get("/def", headers={"Accept": "text/html"}, follow_redirects=True)
    assert page.status_code == 200
    assert str(page.url).endswith("/doc/def.html")
    turtle = client.get("/doc/def.ttl")
    graph = parse(turtle.content, "turtle")
    assert (rdflib.URIRef(BASE + "def"), RDF.type, rdflib.OWL.Ontology) in graph
    assert isomorphic(graph, embedded_graph(page.text, BASE + "def"))
