"""Bounds on what a client's connections may hold: uvicorn's httptools protocol, limited.

uvicorn (with httptools) keeps a connection open for as long as the client
cares to trickle its headers or its body, accepts any number and size of
headers, any number of connections from anyone, and buffers every body that
the application reads: on the open internet, a few hundred slow clients hold
every socket and gigabytes of memory. uvicorn's own settings cover only part
of it (``timeout_keep_alive`` for idle kept-alive connections;
``limit_concurrency`` answers 503 only once a request's headers are in, which
a slow client never finishes; ``h11_max_incomplete_event_size`` exists for h11
alone). So :func:`limited_http_protocol` makes a subclass of uvicorn's
httptools protocol (the fast parser stays) that adds, per server process:

- a header deadline (``ASCF_HEADER_TIMEOUT``): the request line and headers
  must be complete that many seconds after the connection opens or after the
  first read of a later request that left them incomplete; then 408 (or a
  silent close when nothing was sent) and the connection is closed;
- a body idle timeout (``ASCF_BODY_TIMEOUT``): a body that goes that long
  without a byte is answered 408, the application sees the client leave, and
  the connection is closed;
- a body deadline (``ASCF_BODY_DEADLINE``): a body still arriving that long
  after its headers, however steadily it trickles, is answered 408 the same
  way. Time the application is not reading (its flow control has paused the
  socket) is not the client's, and does not count;
- header limits (``ASCF_MAX_HEADER_BYTES`` for the request line and headers,
  ``ASCF_MAX_HEADERS`` for their number): 431 and closed. Headers that arrive
  in pieces are counted a read at a time, so the bound holds to within one
  read (at most 256 KiB);
- connection caps (``ASCF_MAX_CONNECTIONS`` in all,
  ``ASCF_MAX_CONNECTIONS_PER_CLIENT`` from one address): one past either is
  answered 503 with ``Retry-After`` as it opens and closed, without reading
  anything;
- a body memory budget (``ASCF_BODY_MEMORY``): each request with a body
  reserves its declared ``Content-Length`` (a chunked body: its bytes as they
  arrive) until its handler has finished, whether it answered or its client
  went away; a body that does not fit is answered 503 with ``Retry-After``
  before it is read. One client address may hold only a share of it
  (``ASCF_BODY_MEMORY_PER_CLIENT``): a client that declares large bodies and
  trickles them (never stalling long enough for the body idle timeout) fills its
  own share, not the budget every other client needs. Bodies over
  ``ASCF_MAX_BODY_BYTES`` reserve nothing: the application refuses them (413)
  without reading them.

Memory a body held goes back to the system when its request ends:
:func:`return_large_blocks_at_once` stops glibc from keeping freed megabytes
in its heap (without it, 60 unfinished 9 MB bodies to ``/validate`` left the
server 500 MB larger after their clients left).

Refusals are written by the protocol itself, as the JSON errors of
:mod:`ascf_graph.core.errors` (``{"code": ..., "message": ...}``), since no route
has run. WebSockets are not served (``ws="none"``), so no upgrade escapes
these limits.
"""

import asyncio
import contextvars
import ctypes
import json
import sys
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import ClassVar

import httptools
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import (
    STATUS_LINE,
    HttpToolsProtocol,
    RequestResponseCycle,
)
from uvicorn.protocols.utils import get_remote_addr

from ascf_graph.core.errors import (
    AscfError,
    BodyMemoryExhaustedError,
    HeadersTooLargeError,
    RequestTimeoutError,
    TooManyConnectionsError,
)
from ascf_graph.core.settings import Settings

#: glibc's mallopt parameter for the size from which blocks are mapped on their own.
_M_MMAP_THRESHOLD = -3
#: glibc's initial threshold (128 KiB), kept from growing.
_MMAP_THRESHOLD = 128 * 1024

# Each header line costs its name, its value, ": " and CRLF.
_HEADER_LINE_OVERHEAD = 4


@dataclass(frozen=True)
class ConnectionLimits:
    """The limits one server process enforces on its connections (see the module docstring)."""

    header_timeout: float = 10.0
    body_timeout: float = 15.0
    body_deadline: float = 120.0
    max_header_bytes: int = 64 * 1024
    max_headers: int = 100
    max_connections: int = 1000
    max_connections_per_client: int = 50
    body_memory: int = 256 * 1024 * 1024
    body_memory_per_client: int = 64 * 1024 * 1024
    max_body_bytes: int = 10 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> "ConnectionLimits":
        """The limits ``settings`` ask for."""
        return cls(
            header_timeout=settings.header_timeout,
            body_timeout=settings.body_timeout,
            body_deadline=settings.body_deadline,
            max_header_bytes=settings.max_header_bytes,
            max_headers=settings.max_headers,
            max_connections=settings.max_connections,
            max_connections_per_client=settings.max_connections_per_client,
            body_memory=settings.body_memory,
            body_memory_per_client=settings.client_body_memory,
            max_body_bytes=settings.max_body_bytes,
        )


@dataclass
class ConnectionAccounts:
    """What every connection of one server holds: counts per client, and body bytes."""

    limits: ConnectionLimits
    open: int = 0
    per_client: Counter[str] = field(default_factory=Counter)
    body_bytes: int = 0
    client_body_bytes: Counter[str] = field(default_factory=Counter)

    def admit(self, client: str) -> bool:
        """Count a new connection from ``client``, unless it is one too many."""
        if (
            self.open >= self.limits.max_connections
            or self.per_client[client] >= self.limits.max_connections_per_client
        ):
            return False
        self.open += 1
        self.per_client[client] += 1
        return True

    def leave(self, client: str) -> None:
        """Forget a connection that :meth:`admit` counted."""
        self.open -= 1
        self.per_client[client] -= 1
        if self.per_client[client] <= 0:
            del self.per_client[client]

    def reserve(self, size: int, client: str) -> str | None:
        """Hold ``size`` bytes of the body budget for ``client``; if they do not fit, hold
        nothing and return the setting they would pass (the client's share first)."""
        if self.client_body_bytes[client] + size > self.limits.body_memory_per_client:
            return "ASCF_BODY_MEMORY_PER_CLIENT"
        if self.body_bytes + size > self.limits.body_memory:
            return "ASCF_BODY_MEMORY"
        self.body_bytes += size
        self.client_body_bytes[client] += size
        return None

    def release(self, size: int, client: str) -> None:
        """Give back bytes that :meth:`reserve` held for ``client``."""
        self.body_bytes -= size
        self.client_body_bytes[client] -= size
        if self.client_body_bytes[client] <= 0:
            del self.client_body_bytes[client]


class _TimedFlowControl(FlowControl):
    """uvicorn's flow control, keeping count of how long reading has been paused."""

    def __init__(self, transport: asyncio.Transport, clock: Callable[[], float]) -> None:
        super().__init__(transport)
        self._clock = clock
        self._paused_since: float | None = None
        self._paused_before = 0.0

    def paused_seconds(self) -> float:
        """Seconds reading has been paused, in all, so far."""
        ongoing = self._clock() - self._paused_since if self._paused_since is not None else 0.0
        return self._paused_before + ongoing

    def pause_reading(self) -> None:
        """Pause as uvicorn does, and start counting."""
        if not self.read_paused:
            self._paused_since = self._clock()
        super().pause_reading()

    def resume_reading(self) -> None:
        """Resume as uvicorn does, and add the pause to the count."""
        if self.read_paused and self._paused_since is not None:
            self._paused_before += self._clock() - self._paused_since
            self._paused_since = None
        super().resume_reading()


class _RefusedError(Exception):
    """Raised from a parser callback to stop parsing; the protocol answers its ``error``."""


def limited_http_protocol(
    limits: ConnectionLimits, accounts: ConnectionAccounts | None = None
) -> type[HttpToolsProtocol]:
    """A protocol class for ``uvicorn.Config(http=...)`` that enforces ``limits``; its
    connections share one :class:`ConnectionAccounts` (one per server process): ``accounts``
    if given (to be read elsewhere too, by ``/metrics``), else new ones."""
    return type(
        "LimitedHttpToolsProtocol",
        (LimitedHttpToolsProtocol,),
        {"accounts": accounts if accounts is not None else ConnectionAccounts(limits)},
    )


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with deadlines, header limits, connection caps and a
    body budget; use :func:`limited_http_protocol` for a class with its accounts."""

    accounts: ClassVar[ConnectionAccounts]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.limits = self.accounts.limits
        self._client_key = ""
        self._admitted = False
        self._refusal: AscfError | None = None
        self._refused = False
        self._timer: object | None = None
        self._reading_headers = True  # between messages, or inside a message's headers
        self._message_started = False  # a byte of the current message's headers arrived
        self._header_bytes = 0  # of the current message, counted a read at a time
        self._exact_header_bytes = 0  # of the current message, counted as parsed
        self._header_count = 0
        self._messages_completed = 0
        self._body_declared: int | None = None  # Content-Length of the body being read
        self._body_due: float | None = None  # the body deadline, before pauses are added
        self._paused_at_body = 0.0  # the flow's paused seconds when the body began
        self._reservations: dict[RequestResponseCycle, int] = {}
        self._running: set[RequestResponseCycle] = set()

    # Connections

    def connection_made(self, transport: object) -> None:  # type: ignore[override]
        """Admit the connection, or answer 503 and close it if it is one too many."""
        client = get_remote_addr(transport)  # type: ignore[arg-type]
        self._client_key = client[0] if client else ""
        if not self.accounts.admit(self._client_key):
            self.transport = transport  # type: ignore[assignment]
            self._refused = True
            held = self.accounts.per_client[self._client_key]
            transport.write(  # type: ignore[attr-defined]
                _answer(
                    TooManyConnectionsError(
                        f"too many open connections ({held} from your address, "
                        f"{self.accounts.open} in all); close some and retry"
                    ),
                    self.server_state.default_headers,
                )
            )
            transport.close()  # type: ignore[attr-defined]
            return
        self._admitted = True
        super().connection_made(transport)  # type: ignore[arg-type]
        self.flow = _TimedFlowControl(transport, self.loop.time)  # type: ignore[arg-type]
        self._arm(self.limits.header_timeout, self._headers_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection; bodies of requests that never started are released."""
        if not self._admitted:
            return
        self._admitted = False
        self._disarm()
        self.accounts.leave(self._client_key)
        for cycle in [c for c in self._reservations if c not in self._running]:
            self._release(cycle)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Parse ``data`` as uvicorn does, answering a limit's refusal when one is hit."""
        if self._refused:
            return
        self._unset_keepalive_if_required()
        headers_before = self._reading_headers
        completed_before = self._messages_completed
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._unsupported_upgrade_warning()
        except httptools.HttpParserError:
            if self._refusal is not None:
                self._refuse(self._refusal)
            else:
                msg = "Invalid HTTP request received."
                self.logger.warning(msg)
                self.send_400_response(msg)
            return
        # A read that started and ended inside headers (with no whole message in between)
        # was all header bytes: httptools buffers a header until its end, so count it here.
        same_message = completed_before == self._messages_completed
        if headers_before and self._reading_headers and same_message:
            self._header_bytes += len(data)
            if self._header_bytes > self.limits.max_header_bytes:
                self._refuse(self._headers_too_large())
                return
        # Headers left incomplete by this read have until the deadline; a request whose
        # headers came in one read (nearly all) never pays for a timer.
        if self._message_started and self._timer is None:
            self._arm(self.limits.header_timeout, self._headers_timed_out)

    # Parser callbacks

    def on_message_begin(self) -> None:
        """A request starts: its headers must be in within the header deadline."""
        super().on_message_begin()
        self._message_started = True
        self._header_bytes = self._exact_header_bytes = self._header_count = 0

    def on_url(self, url: bytes) -> None:
        """Count the request target against the header bytes."""
        self._exact_header_bytes += len(url)
        if self._exact_header_bytes > self.limits.max_header_bytes:
            self._stop(self._headers_too_large())
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        """Count a header against the number and bytes allowed."""
        self._header_count += 1
        self._exact_header_bytes += len(name) + len(value) + _HEADER_LINE_OVERHEAD
        if (
            self._header_count > self.limits.max_headers
            or self._exact_header_bytes > self.limits.max_header_bytes
        ):
            self._stop(self._headers_too_large())
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        """Reserve the body's declared bytes, then start the request as uvicorn does."""
        self._disarm()
        self._reading_headers = self._message_started = False
        declared, chunked = _body_framing(self.headers)
        reserve = declared if declared is not None and declared <= self.limits.max_body_bytes else 0
        if reserve and (refused_by := self.accounts.reserve(reserve, self._client_key)):
            self._stop(self._no_body_memory(reserve, refused_by))
        self._body_declared = declared
        super().on_headers_complete()
        self._reservations[self.cycle] = reserve
        if declared or chunked:
            self._arm(self.limits.body_timeout, self._body_timed_out)
            self._body_due = self.loop.time() + self.limits.body_deadline
            self._paused_at_body = self.flow.paused_seconds()  # type: ignore[attr-defined]

    def on_body(self, body: bytes) -> None:
        """Hand on a piece of the body; a chunked body reserves its bytes as they come."""
        if self._body_overdue():
            self._stop(self._body_too_slow())
        self._arm(self.limits.body_timeout, self._body_timed_out)
        cycle = self.cycle
        if self._body_declared is None and not cycle.response_complete:
            if refused_by := self.accounts.reserve(len(body), self._client_key):
                self._stop(self._no_body_memory(len(body), refused_by))
            self._reservations[cycle] = self._reservations.get(cycle, 0) + len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        """The body is in: no more body deadline; the next bytes are a new request's."""
        self._disarm()
        self._body_due = None
        self._reading_headers = True
        self._messages_completed += 1
        super().on_message_complete()

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: object) -> None:
        """Run the request as uvicorn does, releasing its body's bytes once it is done."""
        fresh = getattr(self.config, "reset_contextvars", False)
        context = contextvars.Context() if fresh else None
        task = self.loop.create_task(cycle.run_asgi(app), context=context)  # type: ignore[arg-type]
        task.add_done_callback(self.tasks.discard)
        task.add_done_callback(lambda _: self._release(cycle))
        self.tasks.add(task)
        self._running.add(cycle)

    # Limits

    def _arm(self, seconds: float, callback: object) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, callback)  # type: ignore[arg-type]

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()  # type: ignore[attr-defined]
            self._timer = None

    def _headers_timed_out(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if not self._message_started:  # nothing sent: an idle connection, closed quietly
            self._refused = True
            self.transport.close()
            return
        self._refuse(
            RequestTimeoutError(
                f"the request's headers took longer than {self.limits.header_timeout:g} s "
                "(ASCF_HEADER_TIMEOUT)"
            )
        )

    def _body_timed_out(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self.flow.read_paused:  # the application has not read yet: not the client's stall
            self._arm(self.limits.body_timeout, self._body_timed_out)
            return
        if self._body_overdue():
            self._refuse(self._body_too_slow())
            return
        self._refuse(
            RequestTimeoutError(
                f"the request body stalled for {self.limits.body_timeout:g} s (ASCF_BODY_TIMEOUT)"
            )
        )

    def _body_overdue(self) -> bool:
        """Whether the body is past its deadline, the time reading was paused added to it."""
        if self._body_due is None:
            return False
        paused = self.flow.paused_seconds() - self._paused_at_body  # type: ignore[attr-defined]
        return self.loop.time() > self._body_due + paused

    def _body_too_slow(self) -> RequestTimeoutError:
        return RequestTimeoutError(
            f"the request body took longer than {self.limits.body_deadline:g} s to arrive "
            "(ASCF_BODY_DEADLINE); send it at once, or in smaller requests"
        )

    def _headers_too_large(self) -> HeadersTooLargeError:
        return HeadersTooLargeError(
            f"the request's headers pass the limits of {self.limits.max_headers} headers "
            f"(ASCF_MAX_HEADERS) and {self.limits.max_header_bytes} bytes "
            "(ASCF_MAX_HEADER_BYTES); send long queries in a POST body"
        )

    def _no_body_memory(self, size: int, setting: str) -> BodyMemoryExhaustedError:
        if setting == "ASCF_BODY_MEMORY_PER_CLIENT":
            return BodyMemoryExhaustedError(
                "your address is sending as many request bodies as the server holds at once "
                f"for one client ({self.limits.body_memory_per_client} bytes, {setting}); "
                f"this one ({size} bytes or more) must wait until yours are in: retry shortly"
            )
        return BodyMemoryExhaustedError(
            f"the server is receiving as many request bodies as it holds at once "
            f"({self.limits.body_memory} bytes, {setting}); this one ({size} bytes "
            "or more) must wait: retry shortly"
        )

    def _stop(self, error: AscfError) -> None:
        """Stop parsing (from a parser callback); :meth:`data_received` answers ``error``."""
        self._refusal = error
        raise _RefusedError(str(error))

    def _refuse(self, error: AscfError) -> None:
        """Answer ``error`` (unless a response to this request has begun) and close.

        The request being read, if its handler runs, sees its client leave, so the
        bytes it holds are released as soon as it returns.
        """
        self._refused = True
        self._disarm()
        cycle = self.cycle
        answer = True
        if cycle is not None and not cycle.response_complete:
            answer = not cycle.response_started and not self._reading_headers
            cycle.disconnected = True
            cycle.message_event.set()
        if answer and not self.transport.is_closing():
            self.transport.write(_answer(error, self.server_state.default_headers))
        self.transport.close()

    def _release(self, cycle: RequestResponseCycle) -> None:
        self._running.discard(cycle)
        self.accounts.release(self._reservations.pop(cycle, 0), self._client_key)


def return_large_blocks_at_once() -> None:
    """Have glibc map every block of 128 KiB or more on its own, so that freeing it returns
    the memory to the system at once.

    glibc starts that way, but after freeing such a block it raises the threshold to
    the block's size, so that later bodies of that size come from its heap, which it
    seldom gives back. Fixing the threshold costs a map and an unmap per large block,
    nothing for small ones. Elsewhere than glibc this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    with suppress(OSError, AttributeError):  # not glibc: its allocator has its own ways
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)


def _body_framing(headers: list[tuple[bytes, bytes]]) -> tuple[int | None, bool]:
    """A request's declared Content-Length (None if absent or unreadable), and whether its
    body is chunked.

    >>> _body_framing([(b"content-length", b"12")]), _body_framing([])
    ((12, False), (None, False))
    >>> _body_framing([(b"transfer-encoding", b"chunked")])
    (None, True)
    """
    declared, chunked = None, False
    for name, value in headers:
        if name == b"content-length" and value.strip().isdigit():
            declared = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    return declared, chunked


def _answer(error: AscfError, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """A whole HTTP/1.1 answer for ``error`` that closes the connection.

    >>> _answer(TooManyConnectionsError("too many"), []).split(b"\\r\\n")[:2]
    [b'HTTP/1.1 503 Service Unavailable', b'content-type: application/json']
    """
    body = json.dumps({"code": error.code, "message": str(error)}).encode()
    lines = [STATUS_LINE[error.status].rstrip(b"\r\n")]
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *((name.lower().encode(), value.encode()) for name, value in error.headers().items()),
        *default_headers,
    ]
    lines += [name + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
