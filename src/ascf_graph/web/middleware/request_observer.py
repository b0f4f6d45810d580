"""Every request gets an id, is counted and timed by its route, and is logged in one line.

Pure ASGI middleware, outermost, so that it sees every answer (the fast
path's, a 413 from the body limit, an error handler's). For each HTTP
request it:

- takes the client's ``X-Request-ID`` if it is sane (1 to 64 ASCII letters,
  digits or ``-_.:/+=@``: a UUID, a trace id, nothing a shell or a log query
  would trip on), else makes one (16 hex digits), returns it in the
  ``X-Request-ID`` answer header and sets :data:`ascf_graph.core.logs.REQUEST_ID`,
  so that every log line written while the request is handled carries it;
- counts the request in ``ascf_http_requests_total`` and times it in
  ``ascf_http_request_duration_seconds`` under its route *template*
  (``/id/{path:path}``, never the raw path, so that the number of series stays
  bounded whatever paths clients make up; a path no route matches is counted
  as ``unmatched``). The router leaves the route it chose in the scope
  (``scope["route"]``); :class:`ascf_graph.web.middleware.fast_path.HotRoutesFastPath`, which
  skips the router, names the route it stands for in ``scope["ascf.route"]``;
- writes one access-log line (logger ``ascf_graph.access``) when that logger
  is enabled: method, route, path, status, duration, bytes, client, id.

A request whose client left before any answer began is counted with status
499 (the code nginx uses for it). The work per request is a few clock reads,
one dict update per metric and, with the access log off, no formatting.
"""

import logging
import os
import re
import time
from typing import Any

from fastapi import FastAPI, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ascf_graph.core.logs import ACCESS_LOGGER, REQUEST_ID
from ascf_graph.core.metrics import CONTENT_TYPE
from ascf_graph.web.connection_limits import ConnectionAccounts
from ascf_graph.web.middleware.base import HttpMiddleware
from ascf_graph.web.service_metrics import ServiceMetrics

#: The scope key where the fast path names the route template it stands for.
ROUTE_KEY = "ascf.route"
UNMATCHED = "unmatched"
#: The status counted when the client left before an answer began.
CLIENT_GONE = 499
_SANE_ID = re.compile(rb"[A-Za-z0-9._:/+=@-]{1,64}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
_HEADER = b"x-request-id"

access_log = logging.getLogger(ACCESS_LOGGER)


def sane_request_id(value: bytes) -> str | None:
    """``value`` as a request id if it is 1 to 64 ASCII letters, digits or ``-_.:/+=@``.

    >>> sane_request_id(b"4bf92f35-77b3"), sane_request_id(b"a b"), sane_request_id(b"")
    ('4bf92f35-77b3', None, None)
    >>> sane_request_id(b"x" * 65), sane_request_id("é".encode()), sane_request_id(b'a"b')
    (None, None, None)
    """
    if _SANE_ID.fullmatch(value) is None:
        return None
    return value.decode("ascii")


def route_template(scope: Scope) -> str:
    """The template of the route that took the request, or ``unmatched``."""
    named = scope.get(ROUTE_KEY)
    if named is not None:
        return named
    route = scope.get("route")
    return getattr(route, "path", None) or UNMATCHED


class RequestObserver(HttpMiddleware):
    """Give each request an id, count and time it by route, and log it (see the module)."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        super().__init__(app)
        self.requests = metrics.requests
        self.seconds = metrics.request_seconds

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle the request with its id set; count, time and log it once it is done."""
        started = time.perf_counter()
        request_id = None
        for name, value in scope["headers"]:
            if name == _HEADER:
                request_id = sane_request_id(value)
                break
        if request_id is None:
            request_id = os.urandom(8).hex()
        token = REQUEST_ID.set(request_id)
        header = (_HEADER, request_id.encode("ascii"))
        answer: dict[str, int] = {"status": CLIENT_GONE, "bytes": 0}

        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), header]}
            elif message["type"] == "http.response.body":
                answer["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        except BaseException:
            if answer["status"] == CLIENT_GONE:
                answer["status"] = 500  # what uvicorn answers for an exception
            # The id stays set, so that uvicorn's line about the exception carries it
            # (the request's task, and so its context, ends with it).
            self._record(scope, answer, time.perf_counter() - started)
            raise
        self._record(scope, answer, time.perf_counter() - started)
        REQUEST_ID.reset(token)

    def _record(self, scope: Scope, answer: dict[str, int], seconds: float) -> None:
        method = scope["method"] if scope["method"] in _METHODS else "other"
        route = route_template(scope)
        status = answer["status"]
        self.requests.inc((method, route, str(status)))
        self.seconds.observe(seconds, (method, route))
        if access_log.isEnabledFor(logging.INFO):
            client = scope.get("client")
            fields: dict[str, Any] = {
                "method": method,
                "route": route,
                "path": scope["path"],
                "status": status,
                "duration_ms": round(seconds * 1000, 3),
                "bytes": answer["bytes"],
                "client": client[0] if client else None,
            }
            access_log.info("%(method)s %(path)s %(status)s", fields, extra=fields)


def install_observability(
    app: FastAPI, metrics: ServiceMetrics, connections: ConnectionAccounts | None
) -> None:
    """Observe every request of ``app`` (add this last: outermost), and serve ``metrics``,
    with what ``connections`` hold, at ``GET /metrics``."""
    app.add_middleware(RequestObserver, metrics=metrics)
    metrics.watch(lambda: getattr(app.state, "ascf", None), connections)

    @app.get("/metrics", summary="Metrics for Prometheus (text exposition format 0.0.4)")
    async def metrics_exposition() -> Response:
        return Response(metrics.registry.exposition(), media_type=CONTENT_TYPE)
