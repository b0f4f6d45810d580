"""The soak's ordinary clients: SPARQL reads, linked-data lookups, validations and a
steward's submissions, each kind drawn by weight from a seeded generator."""

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.http_client import HttpError, LeanClient, Response
from bench.soak_record import Outcome, Record, is_busy

#: Most requests one ordinary client sends, whatever the duration.
MAX_REQUESTS_PER_CLIENT = 100_000


PREFIXES = """PREFIX ascf: <https://w3id.org/ascf/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
AD_HOC_SELECT = [
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    PREFIXES + "SELECT ?c ?label WHERE { ?c a ascf:City ; rdfs:label ?label } ORDER BY ?label",
    PREFIXES + "SELECT ?area (COUNT(?sub) AS ?n) WHERE { ?sub skos:broader ?area } GROUP BY ?area",
    "SELECT DISTINCT ?type WHERE { ?s a ?type } LIMIT 50",
    PREFIXES + 'SELECT ?s WHERE { ?s rdfs:label ?l FILTER(CONTAINS(LCASE(STR(?l)), "smart")) }',
]
AD_HOC_ASK = [
    PREFIXES + "ASK { ?c a ascf:City }",
    "ASK { <https://w3id.org/ascf/id/city/nowhere> ?p ?o }",
    PREFIXES + "ASK { ?p a ascf:SmartCityProject ; ascf:focusArea ?f }",
]
AD_HOC_CONSTRUCT = [
    PREFIXES + "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a ascf:City ; rdfs:label ?l }",
    PREFIXES + "CONSTRUCT { ?s skos:broader ?o } WHERE { ?s skos:broader ?o }",
    "DESCRIBE <https://w3id.org/ascf/id/focus-area/civic-and-social>",
]
SELECT_FORMATS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
GRAPH_FORMATS = [
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
]
ID_ACCEPTS = [
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
    "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
    "text/turtle;q=0.5, application/ld+json;q=0.9",
]
DOC_EXTENSIONS = ["", ".ttl", ".jsonld", ".rdf", ".nt", ".html"]
#: Files the server writes into its generation's cache on first request, and serves after.
DOWNLOADS = [
    "/dumps/ascf.nq.gz",
    "/dumps/framework.ttl",
    "/dumps/data/ascn-cities.ttl",
    "/doc/graph/framework.ttl",
    "/doc/graph/framework.nt",
    "/doc/def.html",
]
SEARCH_WORDS = ["heal", "da nang", "smart", "F1", "water", "mobil", "ha noi", "civic"]

PROJECT_TURTLE = """@prefix ascf: <https://w3id.org/ascf/def/> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/ascf/id/project/da-nang-{slug}>
    a ascf:SmartCityProject ;
    rdfs:label "Soak test project {slug}" ;
    rdfs:comment "Made up by the soak test, not a real project" ;
    dct:description "A made-up project that bench/soak.py submits, version {version}." ;
    dct:source <https://example.org/ascf-graph/soak> ;
    ascf:city <https://w3id.org/ascf/id/city/da-nang> ;
    ascf:focusArea <https://w3id.org/ascf/id/focus-area/{focus}> ;
    ascf:status <https://w3id.org/ascf/id/project-status/ongoing> ;
    ascf:startDate "2021-01-01"^^xsd:date ;
    ascf:endDate "2023-12-31"^^xsd:date ;
    ascf:targetsOutcome <https://w3id.org/ascf/id/outcome/high-quality-of-life> ;
    ascf:usesEnabler <https://w3id.org/ascf/id/enabler/technological-and-digital-solutions> .
"""
FOCUS_AREAS = ["civic-and-social", "health-and-well-being", "built-infrastructure"]


def project_turtle(slug: str, version: int = 1, focus: str = "civic-and-social") -> bytes:
    """A conforming project, or (``focus`` not one of the framework's) a non-conforming one."""
    return PROJECT_TURTLE.format(slug=slug, version=version, focus=focus).encode()


def error_code(response: Response) -> str:
    """The ``code`` of a JSON error body, or ''."""
    if response.status < 400 or "json" not in response.headers.get("content-type", ""):
        return ""
    try:
        return str(json.loads(response.content).get("code", ""))
    except (ValueError, AttributeError):
        return ""


def judge(
    kind: str,
    response: Response,
    seconds: float,
    expected: set[int],
    check: Callable[[Response], str] | None = None,
) -> Outcome:
    """The outcome of an ordinary request: expected if its status is, and ``check`` finds
    nothing wrong with it (it returns what is wrong, or ''); a busy 503 is always expected."""
    code = error_code(response)
    busy = is_busy(response.status, response.headers, code)
    note = ""
    if response.status in expected and check is not None:
        note = check(response)
    good = busy or (response.status in expected and not note)
    if not good and not note:
        note = response.text[:200]
    return Outcome(kind, response.status, seconds, code, busy, good, note)


@dataclass
class Content:
    """What the ordinary clients draw their requests from."""

    queries: list[str]
    curated: list[str]
    resources: list[str]  # paths under /id/ and /def
    csv: bytes


class OrdinaryClient:
    """One client of the mix: picks a kind of request by weight, sends it, records the answer.

    Its submissions form a chain of its own (create, replace, retract, create
    again), so the ``If-Match`` it sends is always one it knows to be current
    (or, on purpose, one it knows to be stale).
    """

    #: Each kind of request: its name, the method that sends it, its weight in the mix.
    KINDS = (
        ("sparql-get", "sparql_get", 18),
        ("sparql-post-form", "sparql_post_form", 8),
        ("sparql-post-query", "sparql_post_query", 8),
        ("sparql-construct", "sparql_construct", 8),
        ("sparql-revalidate", "sparql_revalidate", 4),
        ("curated", "curated", 6),
        ("id-lookup", "id_lookup", 14),
        ("doc", "doc", 14),
        ("search", "search", 4),
        ("download", "download", 2),
        ("validate-good", "validate_good", 3),
        ("validate-bad", "validate_bad", 2),
        ("validate-malformed", "validate_malformed", 1),
        ("validate-csv", "validate_csv", 2),
        ("submission", "submission_step", 4),
    )

    def __init__(  # noqa: PLR0917 - what a client of the mix is made of
        self,
        number: int,
        http: LeanClient,
        content: Content,
        token: str,
        seed: int,
        record: Record,
        leave_out: frozenset[str] = frozenset(),
    ) -> None:
        self.number, self.http, self.content, self.token = number, http, content, token
        self.random = random.Random(seed * 1000 + number)
        self.record = record
        self.submission: str | None = None
        self.etag = ""
        self.stale_etag = ""
        self.version = 0
        self.created = 0
        self.etags: dict[str, str] = {}
        self.kinds = [
            (getattr(self, method), weight)
            for name, method, weight in self.KINDS
            if name not in leave_out
        ]

    async def run(self, deadline: float) -> None:
        """Requests until ``deadline`` (or ``MAX_REQUESTS_PER_CLIENT`` of them)."""
        actions = [action for action, _ in self.kinds]
        weights = [weight for _, weight in self.kinds]
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            await self.random.choices(actions, weights)[0]()

    async def send(  # noqa: PLR0917 - one request and what to expect of it
        self,
        kind: str,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        expected: tuple[int, ...] = (200,),
        check: Callable[[Response], str] | None = None,
    ) -> Response | None:
        """One request, recorded; its response, or None if the connection broke."""
        started = time.monotonic()
        try:
            response = await self.http.request(method, path, headers, body)
        except (TimeoutError, HttpError, ConnectionError, asyncio.IncompleteReadError) as error:
            note = f"{type(error).__name__}: {error} ({method} {path[:120]})"
            self.record.add(
                Outcome(kind, -1, time.monotonic() - started, expected=False, note=note)
            )
            return None
        outcome = judge(kind, response, time.monotonic() - started, set(expected), check)
        if not outcome.expected:
            outcome.note = f"{method} {path[:120]}: {outcome.note}"
        self.record.add(outcome)
        return response

    # -- SPARQL

    def _select_or_ask(self) -> str:
        pool = self.random.choice([self.content.queries, AD_HOC_SELECT, AD_HOC_ASK])
        return self.random.choice(pool)

    async def sparql_get(self) -> None:
        query = self._select_or_ask()
        accept = self.random.choice(SELECT_FORMATS)
        await self.send(
            "sparql-get", "GET", "/sparql?" + urlencode({"query": query}), {"Accept": accept}
        )

    async def sparql_post_form(self) -> None:
        body = urlencode({"query": self._select_or_ask()}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        fmt = self.random.choice(["json", "xml", "csv", "tsv"])
        await self.send("sparql-post-form", "POST", f"/sparql?format={fmt}", headers, body)

    async def sparql_post_query(self) -> None:
        headers = {
            "Content-Type": "application/sparql-query",
            "Accept": self.random.choice(SELECT_FORMATS),
        }
        body = self._select_or_ask().encode()
        await self.send("sparql-post-query", "POST", "/sparql", headers, body)

    async def sparql_construct(self) -> None:
        query = self.random.choice(AD_HOC_CONSTRUCT)
        accept = self.random.choice(GRAPH_FORMATS)
        if self.random.random() < 0.5:
            path = "/sparql?" + urlencode({"query": query})
            await self.send("sparql-construct", "GET", path, {"Accept": accept})
        else:
            headers = {"Content-Type": "application/sparql-query", "Accept": accept}
            await self.send("sparql-construct", "POST", "/sparql", headers, query.encode())

    async def sparql_revalidate(self) -> None:
        """A query asked again with the ETag of an earlier answer: 304 unless a write
        changed the store since, 200 then."""
        query = self.random.choice(AD_HOC_SELECT)
        path = "/sparql?" + urlencode({"query": query})
        headers = {"Accept": "application/sparql-results+json"}
        if etag := self.etags.get(query):
            headers["If-None-Match"] = etag
        response = await self.send("sparql-revalidate", "GET", path, headers, expected=(200, 304))
        if response is not None and "etag" in response.headers:
            self.etags[query] = response.headers["etag"]

    async def curated(self) -> None:
        name = self.random.choice(self.content.curated)
        fmt = self.random.choice(["json", "csv", "tsv", "xml"])
        await self.send("curated", "GET", f"/queries/{name}?format={fmt}")

    async def search(self) -> None:
        word = self.random.choice(SEARCH_WORDS)
        accept = self.random.choice(["application/json", "text/html"])
        await self.send("search", "GET", "/search?" + urlencode({"q": word}), {"Accept": accept})

    # -- linked data

    async def id_lookup(self) -> None:
        path = self.random.choice(self.content.resources)
        accept = self.random.choice(ID_ACCEPTS)

        def to_doc(response: Response) -> str:
            location = response.headers.get("location", "")
            return "" if "/doc/" in location else f"303 to {location!r}"

        await self.send("id-lookup", "GET", path, {"Accept": accept}, expected=(303,), check=to_doc)

    async def doc(self) -> None:
        path = self.random.choice(self.content.resources)
        doc = "/doc/" + path.removeprefix("/id/").removeprefix("/")
        extension = self.random.choice(DOC_EXTENSIONS)
        headers = {"Accept": self.random.choice(ID_ACCEPTS)} if not extension else {}
        await self.send("doc", "GET", doc + extension, headers)

    async def download(self) -> None:
        """A dump, a named graph's document or the ontology's documentation: files written
        once per generation into the cache, while writes make new generations."""
        await self.send("download", "GET", self.random.choice(DOWNLOADS))

    # -- validation

    async def validate_good(self) -> None:
        body = project_turtle(f"soak-check-{self.number}")
        await self.send(
            "validate-good",
            "POST",
            "/validate",
            {"Content-Type": "text/turtle"},
            body,
            check=lambda response: "" if _conforms(response) is True else "did not conform",
        )

    async def validate_bad(self) -> None:
        body = project_turtle(f"soak-bad-{self.number}", focus="no-such-focus-area")
        await self.send(
            "validate-bad",
            "POST",
            "/validate",
            {"Content-Type": "text/turtle"},
            body,
            check=lambda response: "" if _conforms(response) is False else "conformed",
        )

    async def validate_malformed(self) -> None:
        body = project_turtle(f"soak-malformed-{self.number}")[:-40] + b" ; ascf:city ."
        headers = {"Content-Type": "text/turtle"}
        await self.send("validate-malformed", "POST", "/validate", headers, body, expected=(400,))

    async def validate_csv(self) -> None:
        headers = {"Content-Type": "text/csv"}
        await self.send("validate-csv", "POST", "/validate", headers, self.content.csv)

    # -- submissions

    def _auth(self, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "text/turtle", **headers}

    async def submission_step(self) -> None:
        """The next step of this client's chain: create, then replace (sometimes first with a
        stale ``If-Match``), then retract; and now and then a made-up token."""
        if self.random.random() < 0.1:
            headers = {"Authorization": "Bearer ascf_000000000000_" + "x" * 43}
            body = project_turtle("soak-intruder")
            await self.send("submit-bad-token", "POST", "/submissions", headers, body, (401,))
            return
        slug = f"soak-{self.number}-{self.created}"
        if self.submission is None:
            self.version = 1
            response = await self.send(
                "submit-create",
                "POST",
                "/submissions",
                self._auth(),
                project_turtle(slug, self.version),
                (201,),
            )
            if response is not None and response.status == 201:
                self.submission = json.loads(response.content)["submission"]["id"]
                self.etag = response.headers.get("etag", "")
                self.created += 1
            return
        path = f"/submissions/{self.submission}"
        if self.version < 3:
            if self.stale_etag and self.random.random() < 0.3:
                await self.send(
                    "submit-stale",
                    "PUT",
                    path,
                    self._auth(**{"If-Match": self.stale_etag}),
                    project_turtle(slug, self.version + 1),
                    (412,),
                )
                return
            response = await self.send(
                "submit-replace",
                "PUT",
                path,
                self._auth(**{"If-Match": self.etag}),
                project_turtle(slug, self.version + 1),
                (200,),
            )
            if response is not None and response.status == 200:
                self.stale_etag, self.etag = self.etag, response.headers.get("etag", "")
                self.version += 1
            return
        response = await self.send(
            "submit-retract", "DELETE", path, {"Authorization": f"Bearer {self.token}"}
        )
        if response is not None and response.status == 200:
            self.submission, self.stale_etag = None, ""


def _conforms(response: Response) -> bool | None:
    try:
        return json.loads(response.content).get("conforms")
    except ValueError:
        return None
