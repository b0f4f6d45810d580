"""CORS for read-only resources, carried by their routes so a router brings its own.

Reads are public (DESIGN), so any origin may read answers and errors alike;
no credentials are involved. A route class adds the headers to every answer
of its routes, errors included (a browser tool must be able to read why a
query failed); :func:`preflight` answers ``OPTIONS``.
"""

from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.routing import APIRoute

from ascf_graph.core.errors import AscfError
from ascf_graph.web.errors import error_response

READ_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Content-Type, Content-Length, Cache-Control",
}


Handler = Callable[[Request], Awaitable[Response]]


async def readable_anywhere(handler: Handler, request: Request) -> Response:
    """``handler``'s answer to ``request``, with :class:`AscfError` answered here and CORS
    headers added."""
    try:
        response = await handler(request)
    except AscfError as error:
        response = error_response(error)
    response.headers.update(CORS_HEADERS)
    return response


class ReadCorsRoute(APIRoute):
    """A route whose answers, errors included, may be read from any origin."""

    def get_route_handler(self) -> Handler:
        """The route's handler, through :func:`readable_anywhere`."""
        handler = super().get_route_handler()

        async def with_cors(request: Request) -> Response:
            return await readable_anywhere(handler, request)

        return with_cors


def preflight(request: Request, methods: tuple[str, ...] = READ_METHODS) -> Response:
    """The answer to a CORS preflight: these methods, the headers the browser asks for."""
    requested = request.headers.get("access-control-request-headers", "")
    return Response(
        status_code=204,
        headers={
            "Allow": ", ".join(methods),
            "Access-Control-Allow-Methods": ", ".join(methods),
            "Access-Control-Allow-Headers": requested or "Accept, Content-Type, If-None-Match",
            "Access-Control-Max-Age": "86400",
        },
    )
