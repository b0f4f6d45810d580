"""The load generator's HTTP client: bodies by length or in chunks, kept-alive connections,
a connection the server closed, redirects followed only when asked and only on the server."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from bench.http_client import HttpError, LeanClient

Answer = Callable[[bytes], bytes]


class Server:
    """A loopback server answering each request with ``answer(request)``; it closes a
    connection after ``close_after`` answers (0: never), and counts connections."""

    def __init__(self, answer: Answer, close_after: int = 0) -> None:
        self.answer, self.close_after = answer, close_after
        self.connections = 0
        self.handlers: list[asyncio.Task[None]] = []

    async def start(self) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.handlers.append(asyncio.current_task())  # type: ignore[arg-type]
        answered = 0
        try:
            while not self.close_after or answered < self.close_after:
                head = await reader.readuntil(b"\r\n\r\n")
                length = [
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ]
                body = await reader.readexactly(length[0]) if length else b""
                writer.write(self.answer(head + body))
                await writer.drain()
                answered += 1
        except (asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            await writer.wait_closed()

    async def stop(self) -> None:
        self.server.close()
        for handler in self.handlers:
            handler.cancel()
        await asyncio.gather(*self.handlers, return_exceptions=True)
        await self.server.wait_closed()


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(test())


@asynccontextmanager
async def connected(
    answer: Answer, *, close_after: int = 0, connections: int = 1, timeout: float = 300.0
) -> AsyncIterator[tuple[Server, LeanClient]]:
    """A loopback :class:`Server` and a client of it, both closed on the way out."""
    server = Server(answer, close_after=close_after)
    client = LeanClient(await server.start(), connections, timeout=timeout)
    try:
        yield server, client
    finally:
        await client.aclose()
        await server.stop()


def test_bodies_by_length_and_by_chunks_over_one_kept_alive_connection() -> None:
    def answer(request: bytes) -> bytes:
        if request.startswith(b"GET /chunked"):
            return (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5\r\nhello\r\n7;x=1\r\n, world\r\n0\r\nTrailer: t\r\n\r\n"
            )
        body = request.split(b"\r\n\r\n", 1)[1] or b"empty"
        return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)

    async def test() -> None:
        async with connected(answer) as (server, client):
            assert (await client.get("/chunked")).content == b"hello, world"
            headers = {"Content-Type": "application/sparql-query"}
            posted = await client.post("/q", "SELECT *", headers)
            assert (posted.status, posted.content) == (200, b"SELECT *")
            assert (await client.get("/plain")).content == b"empty"
            assert server.connections == 1

    run(test)


def test_a_connection_the_server_closed_is_replaced() -> None:
    async def test() -> None:
        async with connected(lambda _: OK, close_after=1) as (server, client):
            for _ in range(3):
                assert (await client.get("/")).content == b"ok"
            assert server.connections == 3

    run(test)


def test_when_every_idle_connection_went_stale_the_retry_takes_a_fresh_one() -> None:
    """As after uvicorn's keep-alive timeout, which closes all of them while a slow query runs."""

    async def test() -> None:
        async with connected(lambda _: OK, close_after=1, connections=3) as (server, client):
            first = await asyncio.gather(*(client.get("/") for _ in range(3)))
            assert [r.content for r in first] == [b"ok"] * 3
            await asyncio.sleep(0.05)  # the server has closed all three
            assert (await client.get("/")).content == b"ok"
            assert server.connections == 4

    run(test)


def test_an_answer_broken_off_midway_is_an_error_and_not_sent_again() -> None:
    """The server may have done the work: a retry would count its latency twice."""

    answers = iter([b"5\r\n\r\nwhole", b"10\r\n\r\nhalf"])

    def answer(request: bytes) -> bytes:
        return b"HTTP/1.1 200 OK\r\nContent-Length: " + next(answers)

    async def test() -> None:
        async with connected(answer, close_after=2) as (server, client):
            assert (await client.get("/")).content == b"whole"
            with pytest.raises(asyncio.IncompleteReadError):
                await client.get("/")  # on the kept-alive connection, broken off midway
            assert server.connections == 1

    run(test)


def test_a_303_is_followed_only_when_asked_and_only_on_the_same_server() -> None:
    def answer(request: bytes) -> bytes:
        if request.startswith(b"GET /id/x"):
            return b"HTTP/1.1 303 See Other\r\nLocation: /doc/x\r\nContent-Length: 0\r\n\r\n"
        if request.startswith(b"GET /away"):
            return (
                b"HTTP/1.1 303 See Other\r\nLocation: http://example.org/x\r\n"
                b"Content-Length: 0\r\n\r\n"
            )
        return b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ndoc"

    async def test() -> None:
        async with connected(answer, connections=2) as (_, client):
            assert (await client.get("/id/x")).status == 303
            followed = await client.get("/id/x", follow_redirects=True)
            assert (followed.status, followed.content) == (200, b"doc")
            with pytest.raises(HttpError, match="off this server"):
                await client.get("/away", follow_redirects=True)

    run(test)


def test_a_server_that_does_not_answer_in_time_raises_timeout() -> None:
    async def test() -> None:
        async with connected(lambda _: b"", timeout=0.2) as (_, client):
            with pytest.raises(TimeoutError):
                await client.get("/")

    run(test)
