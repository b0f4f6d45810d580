"""Domain exceptions to HTTP answers, in one place: ``{"code": ..., "message": ...}``."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ascf_graph.errors import AscfError


async def _ascf_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AscfError)
    return JSONResponse(
        {"code": error.code, "message": error.message},
        status_code=error.status,
        headers=dict(error.headers) if error.headers else None,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every :class:`AscfError` to its status and a stable JSON body."""
    app.add_exception_handler(AscfError, _ascf_error)
