"""The soak's hostile clients, on raw sockets, each bounded by a deadline: headers and bodies
trickled or stalled, idle connections, deep documents and queries, oversize bodies, headers
and URLs, garbage, and a burst of connections past the per-client cap; each with the answer
docs/limits-and-security.md promises it."""

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from bench.soak_clients import project_turtle
from bench.soak_record import HOST, Outcome, Record, is_busy

#: Loopback addresses the hostile clients connect from (the server listens on HOST only,
#: and every 127.0.0.0/8 address reaches it), so that they do not share a per-client
#: connection count with the ordinary clients and the /health probe.
HOSTILE_SOURCE = "127.0.0.2"
FLOOD_SOURCE = "127.0.0.3"
#: Slack on top of a server's timeout for its answer to reach a hostile client.
SLACK = 10.0


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


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """The first answer on a raw connection, or status 0 if it closes first (or is reset)."""
    data = b""
    try:
        while b"\r\n\r\n" not in data and len(data) < 1024 * 1024:
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
                answer = asyncio.ensure_future(read_answer(reader))

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
                status, headers, body = await read_answer(reader)
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
