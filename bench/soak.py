"""``python -m bench.soak``: a bounded soak of a real server, ordinary and hostile clients mixed.

It builds the project's content into a temporary data directory (or copies a
built store given with ``--store``), creates a steward's token there, starts
``ascf-graph serve`` on a free loopback port, and for ``--duration`` seconds
sends it, from ``--concurrency`` clients whose choices follow ``--seed``:

- SPARQL reads: the curated ``queries/*.rq`` and ad-hoc SELECT, ASK and
  CONSTRUCT queries, by GET, form POST and ``application/sparql-query``,
  in several result formats, some revalidated with ``If-None-Match``;
  curated queries by their stable URL; label search;
- linked data: ``/id/`` with ``Accept`` variants (303) and ``/doc/`` pages
  with and without an extension;
- validations: good, non-conforming and malformed Turtle, and the projects CSV
  of ``data/templates``;
- submissions with the token: create, replace with ``If-Match``, a stale
  ``If-Match`` (412), retract; and a made-up token (401);

and among them hostile clients, from loopback addresses of their own
(127.0.0.2 and 127.0.0.3, so that the per-client connection cap counts them
and not the ordinary clients): headers and bodies trickled or stalled, idle
connections, deeply nested documents and queries, bodies, headers and URLs
over the limits, garbage instead of HTTP, and a burst of connections past the
per-client cap. Each gets the answer docs/limits-and-security.md promises
(408, 413, 431, 400, 503 or a quiet close), or the run fails.

Meanwhile a probe asks ``/health`` every second on a fresh connection, and
the RSS of the server's process tree (the supervisor, the server, its query
and input workers) is sampled with psutil. The report gives requests by kind
and status, latency percentiles by kind, the busy 503s the limits document
(with ``Retry-After``) counted apart, peak and final RSS.

Every loop is bounded in count and in time, and all traffic goes to
127.0.0.1 on the port the soak's own server listens on.

Exit codes: 0 the server passed; 1 it did not: a 5xx other than a documented
busy 503, an answer other than the one expected (a hostile client's
included), a broken connection, a ``/health`` not answered within
``--health-limit`` seconds, a server restart, a traceback in its log, or
its process tree's RSS at the end above ``--memory-bound``; 2 the soak itself
could not run (the build failed, the server did not start).
"""

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import psutil

from bench.dataset import REPO
from bench.http_client import HttpError, LeanClient, Response

EXIT_PASSED, EXIT_FAILED, EXIT_BROKEN = 0, 1, 2
HOST = "127.0.0.1"
#: Loopback addresses the hostile clients connect from (the server listens on HOST only,
#: and every 127.0.0.0/8 address reaches it), so that they do not share a per-client
#: connection count with the ordinary clients and the /health probe.
HOSTILE_SOURCE = "127.0.0.2"
FLOOD_SOURCE = "127.0.0.3"
BASE = "https://w3id.org/ascf/"
GiB = 1024**3
MiB = 1024**2
#: The 503s the limits document as "busy, retry": with Retry-After, none of them a failure.
BUSY_CODES = frozenset(
    {"validation-busy", "endpoint-busy", "too-many-connections", "body-memory-exhausted"}
)
#: Most requests one ordinary client sends, whatever the duration.
MAX_REQUESTS_PER_CLIENT = 100_000
#: How long the ordinary clients' last requests may take after the duration.
GRACE = 60.0
#: Slack on top of a server's timeout for its answer to reach a hostile client.
SLACK = 10.0


# ---------------------------------------------------------------------------
# What the clients send


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
SEARCH_WORDS = ["heal", "da nang", "smart", "F1", "water", "mobil", "ha noi", "civic"]

PROJECT_TURTLE = """@prefix ascf: <https://w3id.org/ascf/def/> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/ascf/id/project/{slug}>
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


def nested_turtle(depth: int) -> bytes:
    """A Turtle document whose blank nodes nest ``depth`` levels deep."""
    return (
        b"@prefix ex: <https://example.org/> .\nex:a ex:p "
        + b"[ ex:p " * depth
        + b"ex:b"
        + b" ]" * depth
        + b" .\n"
    )


def nested_jsonld(depth: int) -> bytes:
    """A JSON-LD document nested ``depth`` objects deep."""
    return b'{"https://example.org/p": ' * depth + b'"x"' + b"}" * depth


def deep_query(depth: int) -> str:
    """An ASK query whose groups nest ``depth`` levels deep."""
    return "ASK " + "{ " * depth + "?s ?p ?o" + " }" * depth


# ---------------------------------------------------------------------------
# What was answered


@dataclass
class Outcome:
    """One request (or one hostile client), as the soak saw it.

    ``status`` 0: the server closed the connection without an answer; -1: the
    connection broke or the answer did not come in time (``note`` says which).
    """

    kind: str
    status: int
    seconds: float
    code: str = ""
    busy: bool = False
    expected: bool = True
    note: str = ""


@dataclass
class Record:
    """Everything the clients and the probes saw, for the report and the verdict."""

    outcomes: list[Outcome] = field(default_factory=list)
    health_failures: list[str] = field(default_factory=list)
    health_seconds: list[float] = field(default_factory=list)
    rss_samples: list[tuple[float, int, int]] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)


def error_code(response: Response) -> str:
    """The ``code`` of a JSON error body, or ''."""
    if response.status < 400 or "json" not in response.headers.get("content-type", ""):
        return ""
    try:
        return str(json.loads(response.content).get("code", ""))
    except (ValueError, AttributeError):
        return ""


def is_busy(status: int, headers: dict[str, str], code: str) -> bool:
    """A documented busy 503: retry later, and the server says when."""
    return status == 503 and code in BUSY_CODES and "retry-after" in headers


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


# ---------------------------------------------------------------------------
# Ordinary clients


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

    def __init__(  # noqa: PLR0917 - what a client of the mix is made of
        self, number: int, http: LeanClient, content: Content, token: str, seed: int, record: Record
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
        self.kinds: list[tuple[str, Callable[[], Any], int]] = [
            ("sparql-get", self.sparql_get, 18),
            ("sparql-post-form", self.sparql_post_form, 8),
            ("sparql-post-query", self.sparql_post_query, 8),
            ("sparql-construct", self.sparql_construct, 8),
            ("sparql-revalidate", self.sparql_revalidate, 4),
            ("curated", self.curated, 6),
            ("id-lookup", self.id_lookup, 14),
            ("doc", self.doc, 14),
            ("search", self.search, 4),
            ("validate-good", self.validate_good, 3),
            ("validate-bad", self.validate_bad, 2),
            ("validate-malformed", self.validate_malformed, 1),
            ("validate-csv", self.validate_csv, 2),
            ("submission", self.submission_step, 4),
        ]

    async def run(self, deadline: float) -> None:
        """Requests until ``deadline`` (or ``MAX_REQUESTS_PER_CLIENT`` of them)."""
        actions = [action for _, action, _ in self.kinds]
        weights = [weight for _, _, weight in self.kinds]
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


# ---------------------------------------------------------------------------
# Hostile clients: raw sockets, each bounded by a deadline


@dataclass(frozen=True)
class Limits:
    """The server's limits the hostile clients aim at (its settings)."""

    header_timeout: float
    body_timeout: float
    keep_alive_timeout: float
    max_header_bytes: int
    max_headers: int
    max_body_bytes: int
    max_nesting: int
    query_max_depth: int
    max_connections_per_client: int


@dataclass(frozen=True)
class RawAnswer:
    """What a raw connection got: a status (0 for none before the close), headers, body."""

    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def code(self) -> str:
        if "json" not in self.headers.get("content-type", ""):
            return ""
        try:
            return str(json.loads(self.body).get("code", ""))
        except (ValueError, AttributeError):
            return ""


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """The first answer on a raw connection, or status 0 if it closes first (or is reset)."""
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = await reader.read(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionError:
        pass
    if b"\r\n\r\n" not in data:
        return 0, {}, b""
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    with suppress(ConnectionError, asyncio.IncompleteReadError):
        if len(body) < length:
            body += await reader.readexactly(length - len(body))
    try:
        return int(status_line.split(" ", 2)[1]), headers, body
    except (IndexError, ValueError):
        return -1, headers, body


async def exchange(
    port: int,
    source: str,
    pieces: AsyncIterator[bytes],
    within: float,
    *,
    then_idle: bool = False,
) -> RawAnswer:
    """Send ``pieces`` (an async iterator that paces itself) on a fresh connection from
    ``source`` while reading the first answer; give up after ``within`` seconds.

    Sending stops as soon as the answer (or the close) arrives. With ``then_idle``,
    after that answer the connection is left idle and the status becomes 0 once the
    server closes it (or stays that answer's, with a note, if it never does).
    """
    started = time.monotonic()
    try:
        async with asyncio.timeout(within):
            reader, writer = await asyncio.open_connection(HOST, port, local_addr=(source, 0))
            try:
                answer = asyncio.ensure_future(_read_answer(reader))

                async def feed() -> None:
                    with suppress(ConnectionError):
                        async for piece in pieces:
                            if answer.done():
                                return
                            writer.write(piece)
                            await writer.drain()

                sender = asyncio.ensure_future(feed())
                status, headers, body = await answer
                sender.cancel()
                with suppress(asyncio.CancelledError):
                    await sender
                if then_idle and status:
                    with suppress(ConnectionError):
                        while await reader.read(65536):
                            pass
                    status = 0
            finally:
                writer.close()
                with suppress(ConnectionError):
                    await writer.wait_closed()
    except TimeoutError:
        return RawAnswer(-1, {}, b"no answer and no close in time", time.monotonic() - started)
    return RawAnswer(status, headers, body, time.monotonic() - started)


async def at_once(*pieces: bytes) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


async def trickle(first: bytes, piece: bytes, every: float, count: int) -> AsyncIterator[bytes]:
    """``first``, then ``piece`` every ``every`` seconds, ``count`` times."""
    yield first
    for _ in range(count):
        await asyncio.sleep(every)
        yield piece


async def spread(data: bytes, pieces: int, every: float) -> AsyncIterator[bytes]:
    """``data`` in ``pieces`` parts, one every ``every`` seconds."""
    size = -(-len(data) // pieces)
    for start in range(0, len(data), size):
        yield data[start : start + size]
        await asyncio.sleep(every)


async def stall_after(first: bytes, seconds: float) -> AsyncIterator[bytes]:
    """``first``, then nothing for ``seconds``."""
    yield first
    await asyncio.sleep(seconds)


def request_head(method: str, path: str, port: int, *headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@dataclass(frozen=True)
class Hostile:
    """A kind of hostile client: what it does, and the statuses (and codes) it must get."""

    kind: str
    act: Callable[[int, Limits], Any]  # (port, limits) -> RawAnswer
    statuses: frozenset[int]
    codes: frozenset[str] = frozenset()
    #: Whether a busy 503 (the input workers all taken) is an acceptable answer too.
    may_be_busy: bool = False


async def slow_headers(port: int, limits: Limits) -> RawAnswer:
    """A header line a second, forever: 408 at the header timeout."""
    first = f"GET /health HTTP/1.1\r\nHost: {HOST}:{port}\r\n".encode()
    count = int(limits.header_timeout + SLACK)
    pieces = trickle(first, b"X-Slow: still coming\r\n", 1.0, count)
    return await exchange(port, HOSTILE_SOURCE, pieces, limits.header_timeout + SLACK)


async def stalled_body(port: int, limits: Limits) -> RawAnswer:
    """A tenth of a declared Turtle body, then silence: 408 at the body timeout."""
    head = request_head(
        "POST", "/validate", port, "Content-Type: text/turtle", "Content-Length: 1000"
    )
    pieces = stall_after(head + b"@prefix ex: <https://example.org/> .\n", limits.body_timeout * 3)
    return await exchange(port, HOSTILE_SOURCE, pieces, limits.body_timeout + SLACK)


async def trickled_body(port: int, limits: Limits) -> RawAnswer:
    """A good project trickled in 8 parts, never idle for long: validated as usual (200)."""
    body = project_turtle("soak-trickled")
    head = request_head(
        "POST",
        "/validate",
        port,
        "Content-Type: text/turtle",
        f"Content-Length: {len(body)}",
        "Connection: close",
    )
    every = min(1.0, limits.body_timeout / 4)
    pieces = spread(head + body, 8, every)
    return await exchange(port, HOSTILE_SOURCE, pieces, 8 * every + 60)


async def idle(port: int, limits: Limits) -> RawAnswer:
    """A connection that sends nothing: closed without an answer at the header timeout."""
    pieces = stall_after(b"", limits.header_timeout * 3)
    return await exchange(port, HOSTILE_SOURCE, pieces, limits.header_timeout + SLACK)


async def idle_after_request(port: int, limits: Limits) -> RawAnswer:
    """One request, then idle: closed quietly at the keep-alive timeout."""
    pieces = stall_after(request_head("GET", "/health", port), limits.keep_alive_timeout * 3)
    within = limits.keep_alive_timeout + SLACK
    return await exchange(port, HOSTILE_SOURCE, pieces, within, then_idle=True)


def _deep_upload(media_type: str, body: bytes) -> Callable[[int, Limits], Any]:
    async def act(port: int, limits: Limits) -> RawAnswer:
        head = request_head(
            "POST",
            "/validate",
            port,
            f"Content-Type: {media_type}",
            f"Content-Length: {len(body)}",
            "Connection: close",
        )
        return await exchange(port, HOSTILE_SOURCE, at_once(head + body), 60)

    return act


async def deep_query_get(port: int, limits: Limits) -> RawAnswer:
    """A query nested twice as deep as allowed, by GET: 400 before the engine sees it."""
    path = "/sparql?" + urlencode({"query": deep_query(limits.query_max_depth * 2)})
    head = request_head("GET", path, port, "Connection: close")
    return await exchange(port, HOSTILE_SOURCE, at_once(head), 30)


async def deep_query_post(port: int, limits: Limits) -> RawAnswer:
    """A query 5,000 levels deep (past the engine's stack), by POST: 400 as well."""
    body = deep_query(5000).encode()
    head = request_head(
        "POST",
        "/sparql",
        port,
        "Content-Type: application/sparql-query",
        f"Content-Length: {len(body)}",
        "Connection: close",
    )
    return await exchange(port, HOSTILE_SOURCE, at_once(head + body), 30)


async def oversize_declared(port: int, limits: Limits) -> RawAnswer:
    """A body declared one byte over the limit, of which a little is sent: 413."""
    head = request_head(
        "POST",
        "/validate",
        port,
        "Content-Type: text/turtle",
        f"Content-Length: {limits.max_body_bytes + 1}",
    )
    pieces = stall_after(head + b"#" * 65536, limits.body_timeout * 3)
    return await exchange(port, HOSTILE_SOURCE, pieces, limits.body_timeout + SLACK)


async def oversize_chunked(port: int, limits: Limits) -> RawAnswer:
    """A chunked body that keeps coming past the limit: 413 once it has."""
    head = request_head(
        "POST", "/validate", port, "Content-Type: text/turtle", "Transfer-Encoding: chunked"
    )
    chunk = b"%x\r\n" % (256 * 1024) + b"#" * (256 * 1024) + b"\r\n"
    count = limits.max_body_bytes // (256 * 1024) + 8

    async def pieces() -> AsyncIterator[bytes]:
        yield head
        for _ in range(count):
            yield chunk
            await asyncio.sleep(0)

    return await exchange(port, HOSTILE_SOURCE, pieces(), 60)


async def big_header(port: int, limits: Limits) -> RawAnswer:
    """One header larger than all headers may be: 431."""
    value = "a" * (limits.max_header_bytes + 1024)
    head = request_head("GET", "/health", port, f"X-Big: {value}")
    return await exchange(port, HOSTILE_SOURCE, at_once(head), 30)


async def many_headers(port: int, limits: Limits) -> RawAnswer:
    """More headers than allowed: 431."""
    headers = [f"X-Many-{n}: {n}" for n in range(limits.max_headers + 20)]
    head = request_head("GET", "/health", port, *headers)
    return await exchange(port, HOSTILE_SOURCE, at_once(head), 30)


async def long_url(port: int, limits: Limits) -> RawAnswer:
    """A GET query longer than the header limit: 431."""
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (limits.max_header_bytes + 1024)
    head = request_head("GET", "/sparql?query=" + quote(query), port)
    return await exchange(port, HOSTILE_SOURCE, at_once(head), 30)


async def garbage(port: int, limits: Limits) -> RawAnswer:
    """Bytes that are not HTTP (a TLS hello on the wrong port, say): 400."""
    junk = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n"
    return await exchange(port, HOSTILE_SOURCE, at_once(junk), 30)


HOSTILES = [
    Hostile("slow-headers", slow_headers, frozenset({408}), frozenset({"request-timeout"})),
    Hostile("stalled-body", stalled_body, frozenset({408}), frozenset({"request-timeout"})),
    Hostile("trickled-body", trickled_body, frozenset({200}), may_be_busy=True),
    Hostile("idle", idle, frozenset({0})),
    Hostile("idle-after-request", idle_after_request, frozenset({0})),
    Hostile(
        "deep-turtle",
        _deep_upload("text/turtle", nested_turtle(2000)),
        frozenset({413}),
        frozenset({"too-deeply-nested"}),
        may_be_busy=True,
    ),
    Hostile(
        "deep-jsonld",
        _deep_upload("application/ld+json", nested_jsonld(2000)),
        frozenset({413}),
        frozenset({"too-deeply-nested"}),
        may_be_busy=True,
    ),
    Hostile("deep-query-get", deep_query_get, frozenset({400}), frozenset({"query-too-deep"})),
    Hostile("deep-query-post", deep_query_post, frozenset({400}), frozenset({"query-too-deep"})),
    Hostile(
        "oversize-declared", oversize_declared, frozenset({413}), frozenset({"body-too-large"})
    ),
    Hostile("oversize-chunked", oversize_chunked, frozenset({413}), frozenset({"body-too-large"})),
    Hostile("big-header", big_header, frozenset({431}), frozenset({"headers-too-large"})),
    Hostile("many-headers", many_headers, frozenset({431}), frozenset({"headers-too-large"})),
    Hostile("long-url", long_url, frozenset({431}), frozenset({"headers-too-large"})),
    Hostile("garbage", garbage, frozenset({400})),
]


async def run_hostile(hostile: Hostile, port: int, limits: Limits, record: Record) -> None:
    answer: RawAnswer = await hostile.act(port, limits)
    code = answer.code
    busy = hostile.may_be_busy and is_busy(answer.status, answer.headers, code)
    good = busy or (
        answer.status in hostile.statuses and (not hostile.codes or code in hostile.codes)
    )
    note = "" if good else f"got {answer.status} {code!r}: {answer.body[:200]!r}"
    record.add(Outcome(hostile.kind, answer.status, answer.seconds, code, busy, good, note))


async def connection_flood(port: int, limits: Limits, record: Record) -> None:
    """Connections from one address, five past the per-client cap: those five get 503
    ``too-many-connections`` with ``Retry-After`` at once; then all close."""
    opened: list[asyncio.StreamWriter] = []
    readers: list[asyncio.StreamReader] = []
    try:
        async with asyncio.timeout(30):
            for _ in range(limits.max_connections_per_client):
                reader, writer = await asyncio.open_connection(
                    HOST, port, local_addr=(FLOOD_SOURCE, 0)
                )
                opened.append(writer)
                readers.append(reader)
            # The server counts a connection when it accepts it: let it catch up.
            await asyncio.sleep(0.5)
            for _ in range(5):
                started = time.monotonic()
                reader, writer = await asyncio.open_connection(
                    HOST, port, local_addr=(FLOOD_SOURCE, 0)
                )
                opened.append(writer)
                status, headers, body = await _read_answer(reader)
                answer = RawAnswer(status, headers, body, time.monotonic() - started)
                good = status == 503 and answer.code == "too-many-connections"
                good = good and "retry-after" in headers
                note = "" if good else f"got {status} {answer.code!r}: {body[:200]!r}"
                record.add(
                    Outcome(
                        "connection-flood", status, answer.seconds, answer.code, good, good, note
                    )
                )
    except TimeoutError:
        record.add(Outcome("connection-flood", -1, 30.0, expected=False, note="flood stalled"))
    finally:
        for writer in opened:
            writer.close()


def hostile_schedule(seed: int, duration: float) -> list[tuple[float, Hostile | None]]:
    """When each hostile client starts (None: the connection flood): every kind at least once,
    then more of them drawn by ``seed``, about one every two seconds, all within the duration."""
    rng = random.Random(seed)
    count = max(len(HOSTILES) + 1, int(duration / 2))
    chosen: list[Hostile | None] = [*HOSTILES, None]
    chosen += [rng.choice(HOSTILES) for _ in range(count - len(chosen))]
    latest = max(0.5, duration - 1)
    return sorted(((rng.uniform(0.5, latest), each) for each in chosen), key=lambda pair: pair[0])


# ---------------------------------------------------------------------------
# Probes: /health and memory


async def probe_health(port: int, until: Callable[[], bool], limit: float, record: Record) -> None:
    """GET /health on a fresh connection every second until ``until()``; each must answer
    200 within ``limit`` seconds."""
    request = request_head("GET", "/health", port, "Connection: close")
    for _ in range(100_000):
        if until():
            return
        started = time.monotonic()
        try:
            async with asyncio.timeout(limit):
                reader, writer = await asyncio.open_connection(HOST, port)
                try:
                    writer.write(request)
                    status, _, _ = await _read_answer(reader)
                finally:
                    writer.close()
            seconds = time.monotonic() - started
            record.health_seconds.append(seconds)
            record.add(Outcome("health", status, seconds, expected=status == 200))
            if status != 200:
                record.health_failures.append(f"at {time.strftime('%X')}: status {status}")
        except TimeoutError:
            record.health_failures.append(f"at {time.strftime('%X')}: no answer within {limit} s")
            record.add(Outcome("health", -1, limit, expected=False, note="no answer in time"))
        except OSError as error:
            record.health_failures.append(f"at {time.strftime('%X')}: {error}")
            record.add(Outcome("health", -1, 0.0, expected=False, note=str(error)))
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


def tree_rss(root: psutil.Process) -> tuple[int, int]:
    """The RSS of ``root`` and all its descendants, and how many processes that is."""
    total, count = 0, 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    for process in processes:
        with suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += process.memory_info().rss
            count += 1
    return total, count


@contextmanager
def memory_sampler(pid: int, record: Record, every: float = 0.25) -> Iterator[None]:
    """Sample the process tree's RSS in a thread while the block runs."""
    root = psutil.Process(pid)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(every):
            rss, count = tree_rss(root)
            record.rss_samples.append((time.monotonic(), rss, count))

    thread = threading.Thread(target=sample, name="rss-sampler", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


# ---------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def prepare_store(workdir: Path, store: Path | None) -> Path:
    """A data directory of the soak's own: a copy of ``store``, or the content built afresh
    (never the user's var/store, which holds stewards' submissions)."""
    data_dir = workdir / "store"
    if store is not None:
        shutil.copytree(store, data_dir, symlinks=True)
        return data_dir
    environment = {**os.environ, "ASCF_DATA_DIR": str(data_dir), "ASCF_CONTENT_DIR": str(REPO)}
    built = subprocess.run(
        [sys.executable, "-m", "ascf_graph", "build"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if built.returncode != 0:
        raise SoakBrokenError(f"the build failed:\n{built.stdout}{built.stderr}")
    return data_dir


class SoakBrokenError(Exception):
    """The soak could not run (not a finding about the server)."""


@contextmanager
def serving(data_dir: Path, settings: dict[str, str], log: Path) -> Iterator[tuple[int, int]]:
    """``ascf-graph serve`` over ``data_dir`` on a free loopback port; yields (port, pid)
    and stops it (SIGTERM, then SIGKILL to whatever of its process group is left)."""
    port = free_port()
    environment = {
        **os.environ,
        "ASCF_DATA_DIR": str(data_dir),
        "ASCF_CONTENT_DIR": str(REPO),
        **settings,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ascf_graph", "serve", "--host", HOST, "--port", str(port)],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_up(port, process, log)
        yield port, process.pid
    finally:
        stop_server(process)


def wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SoakBrokenError(
                f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}"
            )
        with suppress(OSError), socket.create_connection((HOST, port), timeout=2) as probe:
            probe.sendall(request_head("GET", "/health", port, "Connection: close"))
            if probe.recv(64).startswith(b"HTTP/1.1 200"):
                return
        time.sleep(0.2)
    raise SoakBrokenError("the server did not answer /health within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=45)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    # The server and its workers share the supervisor's process group.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def server_health(port: int) -> dict[str, Any]:
    with socket.create_connection((HOST, port), timeout=10) as probe:
        probe.settimeout(10)
        probe.sendall(request_head("GET", "/health", port, "Connection: close"))
        data = b""
        while chunk := probe.recv(65536):
            data += chunk
    return json.loads(data.partition(b"\r\n\r\n")[2])


# ---------------------------------------------------------------------------
# The run


@dataclass(frozen=True)
class Options:
    duration: float
    concurrency: int
    seed: int
    memory_bound: int
    health_limit: float
    store: Path | None
    settings: dict[str, str]
    report: Path | None


def limits_of(settings: dict[str, str]) -> Limits:
    """The limits the server runs with: its settings from our environment and ``settings``."""
    from ascf_graph.settings import Settings

    overrides = {name.removeprefix("ASCF_").lower(): value for name, value in settings.items()}
    served = Settings(**overrides)
    return Limits(
        header_timeout=served.header_timeout,
        body_timeout=served.body_timeout,
        keep_alive_timeout=served.keep_alive_timeout,
        max_header_bytes=served.max_header_bytes,
        max_headers=served.max_headers,
        max_body_bytes=served.max_body_bytes,
        max_nesting=served.max_nesting,
        query_max_depth=served.query_max_depth,
        max_connections_per_client=served.max_connections_per_client,
    )


async def discover(port: int) -> Content:
    """The resources, curated queries and CSV the ordinary clients pick from."""
    http = LeanClient(f"http://{HOST}:{port}", 1, timeout=60)
    try:
        query = (
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
            f'FILTER(STRSTARTS(STR(?s), "{BASE}id/") || STRSTARTS(STR(?s), "{BASE}def/")) }}'
        )
        answer = await http.get(
            "/sparql?" + urlencode({"query": query}), {"Accept": "text/tab-separated-values"}
        )
        if answer.status != 200:
            raise SoakBrokenError(f"the resource list failed: {answer.status} {answer.text}")
    finally:
        await http.aclose()
    resources = sorted(
        "/" + line.strip()[1:-1].removeprefix(BASE)
        for line in answer.text.splitlines()[1:]
        if line.startswith(f"<{BASE}")
    )
    files = sorted((REPO / "queries").glob("*.rq"))
    return Content(
        queries=[file.read_text() for file in files],
        curated=[file.stem for file in files],
        resources=resources,
        csv=(REPO / "data" / "templates" / "projects-example.csv").read_bytes(),
    )


async def soak(options: Options, port: int, pid: int, token: str, record: Record) -> None:
    limits = limits_of(options.settings)
    content = await discover(port)
    http = LeanClient(f"http://{HOST}:{port}", options.concurrency, timeout=120)
    started = time.monotonic()
    deadline = started + options.duration
    finished = False
    clients = [
        OrdinaryClient(number, http, content, token, options.seed, record)
        for number in range(options.concurrency)
    ]

    async def hostile_at(delay: float, hostile: Hostile | None) -> None:
        await asyncio.sleep(delay)
        if hostile is None:
            await connection_flood(port, limits, record)
        else:
            await run_hostile(hostile, port, limits, record)

    with memory_sampler(pid, record):
        health = asyncio.ensure_future(
            probe_health(port, lambda: finished, options.health_limit, record)
        )
        tasks = [asyncio.ensure_future(client.run(deadline)) for client in clients]
        tasks += [
            asyncio.ensure_future(hostile_at(delay, hostile))
            for delay, hostile in hostile_schedule(options.seed, options.duration)
        ]
        # Every task ends by itself: the ordinary ones at the deadline (plus their last
        # request), the hostile ones at their own time limits.
        _, late = await asyncio.wait(tasks, timeout=options.duration + GRACE + 120)
        for task in late:
            task.cancel()
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        if late:
            record.add(Outcome("soak", -1, 0.0, expected=False, note=f"{len(late)} tasks stalled"))
        finished = True
        await health
        await http.aclose()
        await asyncio.sleep(2)  # what the last requests held is let go
        rss, count = tree_rss(psutil.Process(pid))
        record.rss_samples.append((time.monotonic(), rss, count))


def run(options: Options) -> int:
    """Build, serve, soak, report: the exit code."""
    record = Record()
    with tempfile.TemporaryDirectory(prefix="ascf-soak-") as workdir:
        work = Path(workdir)
        try:
            started = time.monotonic()
            data_dir = prepare_store(work, options.store)
            print(f"store ready in {time.monotonic() - started:.1f} s: {data_dir}", flush=True)
            from ascf_graph.credentials import TokenStore
            from ascf_graph.settings import Settings

            tokens = TokenStore(Settings(data_dir=data_dir).credentials_file)
            _, token = tokens.create("Soak Test City Office", "Soak Tester")
            log = work / "server.log"
            with serving(data_dir, options.settings, log) as (port, pid):
                print(
                    f"serving on http://{HOST}:{port} (pid {pid}); soaking for "
                    f"{options.duration:.0f} s with {options.concurrency} clients, "
                    f"seed {options.seed}",
                    flush=True,
                )
                asyncio.run(soak(options, port, pid, token, record))
                health = server_health(port)
            server_log = log.read_text(errors="replace")
        except SoakBrokenError as error:
            print(f"soak: {error}", file=sys.stderr)
            return EXIT_BROKEN
    verdict = report(options, record, health, server_log)
    return EXIT_PASSED if not verdict else EXIT_FAILED


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(options: Options, record: Record, health: dict[str, Any], server_log: str) -> list[str]:
    """Print the report; the reasons the server failed (none: it passed)."""
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in record.outcomes:
        by_kind[outcome.kind].append(outcome)
    print()
    print(f"{'kind':22} {'n':>6}  {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7} (ms)  statuses")
    rows = []
    for kind in sorted(by_kind):
        outcomes = by_kind[kind]
        times = [outcome.seconds * 1000 for outcome in outcomes]
        statuses = Counter(
            f"{outcome.status}{'*' if outcome.busy else ''}{'!' if not outcome.expected else ''}"
            for outcome in outcomes
        )
        shown = " ".join(f"{status}:{n}" for status, n in sorted(statuses.items()))
        p50, p90, p99 = (percentile(times, f) for f in (0.5, 0.9, 0.99))
        print(
            f"{kind:22} {len(outcomes):6d}  {p50:7.0f} {p90:7.0f} {p99:7.0f} {max(times):7.0f}"
            f"       {shown}"
        )
        rows.append(
            {
                "kind": kind,
                "n": len(outcomes),
                "p50_ms": p50,
                "p90_ms": p90,
                "p99_ms": p99,
                "max_ms": max(times),
                "statuses": dict(statuses),
            }
        )
    print("(status 0: closed without an answer, as expected of idle connections; -1: broken or")
    print(" no answer in time; *: a documented busy 503 with Retry-After; !: not the expected)")
    busy = Counter(outcome.code for outcome in record.outcomes if outcome.busy)
    total = len(record.outcomes)
    print(f"\nrequests: {total}; documented busy 503s: {sum(busy.values())} {dict(busy)}")

    failures = []
    unexpected = [outcome for outcome in record.outcomes if not outcome.expected]
    server_errors = [o for o in record.outcomes if o.status >= 500 and not o.busy]
    if server_errors:
        failures.append(f"{len(server_errors)} 5xx answers other than documented busy 503s")
    if unexpected:
        failures.append(f"{len(unexpected)} unexpected answers")
        for outcome in unexpected[:15]:
            print(f"  unexpected {outcome.kind}: {outcome.status} {outcome.note}")
    health_max = max(record.health_seconds, default=0.0)
    print(
        f"health: {len(record.health_seconds)} probes answered, "
        f"slowest {health_max * 1000:.0f} ms, "
        f"{len(record.health_failures)} failed; restarts {health.get('restarts')}"
    )
    if record.health_failures:
        failures.append(f"/health failed {len(record.health_failures)} times")
        for failure in record.health_failures[:10]:
            print(f"  health {failure}")
    if health.get("restarts"):
        failures.append(f"the server was restarted {health['restarts']} times")
    peak = max(record.rss_samples, key=lambda sample: sample[1], default=(0.0, 0, 0))
    end = record.rss_samples[-1] if record.rss_samples else (0.0, 0, 0)
    print(
        f"memory (RSS of the server's process tree): peak {peak[1] / MiB:.0f} MiB "
        f"({peak[2]} processes), at the end {end[1] / MiB:.0f} MiB ({end[2]} processes); "
        f"bound {options.memory_bound / MiB:.0f} MiB; {len(record.rss_samples)} samples"
    )
    if end[1] > options.memory_bound:
        failures.append(f"RSS at the end {end[1] / MiB:.0f} MiB above the bound")
    tracebacks = server_log.count("Traceback (most recent call last)")
    errors = [line for line in server_log.splitlines() if re.search(r"\bERROR\b|CRITICAL", line)]
    print(f"server log: {tracebacks} tracebacks, {len(errors)} ERROR lines")
    for line in errors[:10]:
        print(f"  {line[:200]}")
    if tracebacks:
        failures.append(f"{tracebacks} tracebacks in the server's log")
        start = server_log.index("Traceback (most recent call last)")
        print(server_log[start : start + 3000])
    print("\n" + ("PASSED" if not failures else "FAILED: " + "; ".join(failures)))
    if options.report is not None:
        options.report.write_text(
            json.dumps(
                {
                    "options": {
                        **asdict(options),
                        "store": str(options.store),
                        "report": str(options.report),
                    },
                    "kinds": rows,
                    "busy": dict(busy),
                    "requests": total,
                    "health": {
                        "probes": len(record.health_seconds),
                        "slowest_s": health_max,
                        "failures": record.health_failures,
                        "restarts": health.get("restarts"),
                    },
                    "rss": {
                        "peak": peak[1],
                        "peak_processes": peak[2],
                        "end": end[1],
                        "bound": options.memory_bound,
                    },
                    "server_log": {"tracebacks": tracebacks, "errors": errors[:50]},
                    "unexpected": [asdict(outcome) for outcome in unexpected[:100]],
                    "failures": failures,
                },
                indent=2,
            )
        )
    return failures


def size(text: str) -> int:
    """``1.5GiB``, ``800MiB`` or bytes."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*(GiB|MiB|KiB|)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 1.5GiB, 800MiB)")
    unit = {"GiB": GiB, "MiB": MiB, "KiB": 1024, "": 1}[match[2]]
    return int(float(match[1]) * unit)


def setting(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.startswith("ASCF_"):
        raise argparse.ArgumentTypeError(f"need ASCF_NAME=VALUE, not {text!r}")
    return name, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--duration", type=float, default=100.0, help="seconds of load (100)")
    parser.add_argument("--concurrency", type=int, default=8, help="ordinary clients (8)")
    parser.add_argument("--seed", type=int, default=42, help="seeds every client's choices (42)")
    parser.add_argument(
        "--memory-bound",
        type=size,
        default=size("1.5GiB"),
        help="most RSS the server's process tree may hold at the end (1.5GiB)",
    )
    parser.add_argument(
        "--health-limit", type=float, default=5.0, help="seconds /health may take (5)"
    )
    parser.add_argument(
        "--store",
        type=Path,
        help="a built data directory to copy (default: build the content afresh)",
    )
    parser.add_argument(
        "--set",
        type=setting,
        action="append",
        default=[],
        metavar="ASCF_NAME=VALUE",
        help="a setting for the server (repeatable), e.g. ASCF_HEADER_TIMEOUT=2",
    )
    parser.add_argument("--report", type=Path, help="also write the report as JSON here")
    arguments = parser.parse_args(argv)
    if arguments.duration <= 0 or not 1 <= arguments.concurrency <= 40:
        parser.error("need a positive --duration and 1 to 40 --concurrency")
    options = Options(
        duration=arguments.duration,
        concurrency=arguments.concurrency,
        seed=arguments.seed,
        memory_bound=arguments.memory_bound,
        health_limit=arguments.health_limit,
        store=arguments.store,
        settings=dict(arguments.set),
        report=arguments.report,
    )
    return run(options)


if __name__ == "__main__":
    sys.exit(main())
