"""Domain exceptions to HTTP answers, in one place: ``{"code": ..., "message": ...}``."""

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from ascf_graph.core.errors import AscfError, MethodNotAllowedError


def error_response(error: AscfError) -> JSONResponse:
    """The HTTP answer to ``error``: its status, headers and a stable JSON body."""
    return JSONResponse(
        {"code": error.code, "message": error.message},
        status_code=error.status,
        headers=error.headers(),
    )


async def _ascf_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AscfError)
    return error_response(error)


async def _http_error(request: Request, error: Exception) -> Response:
    """Starlette's own errors as FastAPI answers them, but a 405 as ours, naming every
    method some route of this path answers (Starlette names only the first route's)."""
    assert isinstance(error, HTTPException)
    if error.status_code != 405:
        return await http_exception_handler(request, error)
    allow = allowed_methods(request)
    return error_response(
        MethodNotAllowedError(
            f"{request.method} is not answered at {request.url.path}; use {', '.join(allow)}",
            allow=allow,
        )
    )


#: The methods a 405 may name: those some route of ours answers.
_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")


def allowed_methods(request: Request) -> tuple[str, ...]:
    """The methods some route of the app fully matches at the request's path, asked of each
    route as the router asks it (HEAD wherever GET is)."""
    routes = request.app.router.routes
    allowed = {
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    }
    if "GET" in allowed:
        allowed.add("HEAD")
    return tuple(method for method in _METHODS if method in allowed)


def install_error_handlers(app: FastAPI) -> None:
    """Map every :class:`AscfError` to its status and a stable JSON body, and 405s too."""
    app.add_exception_handler(AscfError, _ascf_error)
    app.add_exception_handler(HTTPException, _http_error)
