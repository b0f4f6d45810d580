"""The hot paths: ``/id/...``, ``/doc/...`` and ``/sparql`` straight to their route.

(And any method at ``/sparql`` that no route lists, ``CONNECT`` or ``PROPFIND``
say, to the endpoint's own 405: the router would answer Starlette's, without
CORS headers and naming the wrong methods.)

A dereference does a few index seeks, a lookup query a few more, and a
worker does the rest; at a thousand requests a second, what every request
crosses on its way to a route (route matching over every route, FastAPI's
parameter and dependency resolution, the exception layers) costs the
server's event loop as much as the answer itself. So this middleware hands
a GET of a resource or a document, and a GET or POST of ``/sparql``,
straight to the function the route itself calls
(:func:`ascf_graph.web.dereferencing.dereference_resource` and
``serve_document``, :func:`ascf_graph.web.sparql_answers.answer_sparql`): the
same code, so the same answer; and the middleware imports no router.

It sits inside the CORS and HEAD-as-GET middleware, so those apply as to any
answer. It passes on ``/doc/graph/...`` (its own router) and a mounted
``root_path``. A dereference that raises goes the long way, where the error
handlers format the answer (the route runs again, which only errors pay
for); ``/sparql`` answers its errors itself, as its route class does
(:func:`ascf_graph.web.cors.readable_anywhere`), since a POSTed body is read
only once. A test compares the answers with the whole stack's.

Since the router never sees these requests, the fast path names the route
template each stands for in the scope (``ascf.route``), so that they are
counted and logged under it (:mod:`ascf_graph.web.middleware.request_observer`).
"""

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ascf_graph.core.errors import AscfError
from ascf_graph.web.cors import READ_METHODS, readable_anywhere
from ascf_graph.web.dereferencing import dereference_resource, serve_document
from ascf_graph.web.sparql_answers import answer_sparql, refuse_other_method

Route = Callable[[str, Request], Awaitable[Response]]
#: Where the route template goes in the scope (read by the request observer).
ROUTE_KEY = "ascf.route"


async def _sparql(_: str, request: Request) -> Response:
    return await readable_anywhere(answer_sparql, request)


async def _sparql_other_method(_: str, request: Request) -> Response:
    return await readable_anywhere(refuse_other_method, request)


#: Path prefixes taken here for GET, the route function each goes to, and its template.
_ROUTES: tuple[tuple[str, Route, str], ...] = (
    ("/id/", dereference_resource, "/id/{path:path}"),
    ("/doc/", serve_document, "/doc/{path:path}"),
)
_ELSEWHERE = "/doc/graph/"
_SPARQL = "/sparql"


class HotRoutesFastPath:
    """Answer GETs of ``/id/...`` and ``/doc/...``, and GETs and POSTs of ``/sparql``, with
    their route's function."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Take the request if it is one of the hot routes'; pass it on otherwise."""
        route = _route_for(scope)
        if route is not None:
            handle, path, scope[ROUTE_KEY] = route
            try:
                response = await handle(path, Request(scope, receive))
            except AscfError:
                pass  # the long way formats the error
            else:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _route_for(scope: Scope) -> tuple[Route, str, str] | None:
    """The route function, its ``path`` parameter and its template, if the fast path may
    take ``scope``."""
    if scope["type"] != "http" or scope.get("root_path"):
        return None
    path: str = scope["path"]
    if path == _SPARQL and scope["method"] in ("GET", "POST"):
        return _sparql, "", _SPARQL
    if path == _SPARQL and scope["method"] not in READ_METHODS:  # CONNECT, PROPFIND, BREW...
        return _sparql_other_method, "", _SPARQL
    if scope["method"] != "GET" or path.startswith(_ELSEWHERE):
        return None
    for prefix, handle, template in _ROUTES:
        if path.startswith(prefix):
            return handle, path[len(prefix) :], template
    return None
