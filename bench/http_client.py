"""A lean HTTP/1.1 client for the load generator: keep-alive connections, nothing else.

The load generator shares the machine's cores with the system it measures,
so every millisecond of CPU it spends per request is taken from the server
and added to the latency it records. httpx spent about as much CPU per
request as the Oxigraph server does; this client reads and writes bytes on
a pool of kept-alive connections (``Content-Length`` or chunked bodies), and
follows a redirect only when asked (the ``/id/`` -> ``/doc/`` 303 of the URI
contract). It is made for loopback servers the harness started itself, not
for the open web: no TLS, no proxies, no compression, no cookies.
"""

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit


class HttpError(Exception):
    """The server broke the protocol, or the connection, mid-answer."""


class _NoAnswerError(Exception):
    """The connection closed before a byte of the answer came: a kept-alive one gone stale."""


@dataclass(frozen=True)
class Response:
    """A status, the headers (names in lower case) and the whole body."""

    status: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        """The body as text (for error messages)."""
        return self.content.decode("utf-8", errors="replace")


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def close(self) -> None:
        self.writer.close()


class LeanClient:
    """Requests to one ``http://host:port``, over at most ``connections`` kept-alive sockets;
    a request not answered within ``timeout`` seconds raises :class:`TimeoutError`."""

    def __init__(self, base_url: str, connections: int, timeout: float = 300.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"need http://host:port, not {base_url!r}")
        self._host, self._port = parts.hostname, parts.port
        self._authority = f"{self._host}:{self._port}".encode()
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(connections)
        self._timeout = timeout

    async def get(
        self, path: str, headers: dict[str, str] | None = None, *, follow_redirects: bool = False
    ) -> Response:
        """GET ``path``; with ``follow_redirects``, follow 30x to paths on this server."""
        answer = await self.request("GET", path, headers)
        for _ in range(5):
            location = answer.headers.get("location")
            if not (follow_redirects and answer.status in (301, 302, 303, 307, 308) and location):
                break
            answer = await self.request("GET", self._local(location), headers)
        return answer

    async def post(self, path: str, content: bytes | str, headers: dict[str, str]) -> Response:
        """POST ``content`` to ``path``."""
        body = content.encode() if isinstance(content, str) else content
        return await self.request("POST", path, headers, body)

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Response:
        """Send one request on an idle connection (or a new one); its whole response.

        A kept-alive connection the server closed meanwhile (no byte of an
        answer came) is retried once on a fresh one, as browsers and httpx
        do. A server's keep-alive timeout closes every idle connection at
        once, so the other idle ones are let go too. A connection that breaks
        mid-answer is an error: the server may have done the work.
        """
        head = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self._authority]
        head += [f"{name}: {value}".encode() for name, value in (headers or {}).items()]
        if body or method == "POST":
            head.append(b"Content-Length: %d" % len(body))
        message = b"\r\n".join(head) + b"\r\n\r\n" + body
        async with self._slots:
            for attempt in range(2):
                reused = attempt == 0 and bool(self._idle)
                connection = self._idle.pop() if reused else await self._connect()
                try:
                    connection.writer.write(message)
                    async with asyncio.timeout(self._timeout):
                        response, keep = await _read_response(connection.reader, method)
                except TimeoutError:
                    connection.close()
                    raise
                except _NoAnswerError:
                    connection.close()
                    if reused:
                        self._drop_idle()
                        continue
                    raise HttpError("the server closed the connection without answering") from None
                except (ConnectionError, asyncio.IncompleteReadError, HttpError):
                    connection.close()
                    raise
                if keep:
                    self._idle.append(connection)
                else:
                    connection.close()
                return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _drop_idle(self) -> None:
        while self._idle:
            self._idle.pop().close()

    async def aclose(self) -> None:
        """Close every idle connection."""
        while self._idle:
            connection = self._idle.pop()
            connection.close()
            await connection.writer.wait_closed()

    async def _connect(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self._host, self._port)
        return _Connection(reader, writer)

    def _local(self, location: str) -> str:
        parts = urlsplit(location)
        if parts.netloc and (parts.hostname, parts.port) != (self._host, self._port):
            raise HttpError(f"redirect off this server: {location}")
        return parts.path + (f"?{parts.query}" if parts.query else "")


async def _read_response(reader: asyncio.StreamReader, method: str) -> tuple[Response, bool]:
    """One response from ``reader``, and whether the connection may be used again."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError) as error:
        if isinstance(error, asyncio.IncompleteReadError) and error.partial:
            raise
        raise _NoAnswerError from None
    status_line, *lines = head[:-4].decode("latin-1").split("\r\n")
    try:
        version, code = status_line.split(" ", 2)[:2]
        status = int(code)
    except ValueError:
        raise HttpError(f"not an HTTP status line: {status_line!r}") from None
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        body = b""
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        return Response(status, headers, await reader.read()), False
    connection = headers.get("connection", "").lower()
    keep = connection != "close" and (version == "HTTP/1.1" or connection == "keep-alive")
    return Response(status, headers, body), keep


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    """A chunked body, trailers skipped."""
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0], 16)
        except ValueError:
            raise HttpError(f"bad chunk size {size_line!r}") from None
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
