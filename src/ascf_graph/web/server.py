"""Running the application under uvicorn, with the connection limits of
:mod:`ascf_graph.web.connection_limits`: what ``ascf-graph serve`` starts in its server
process (the command line imports no web framework itself)."""

import socket

import uvicorn
from fastapi import FastAPI

from ascf_graph.core.settings import Settings
from ascf_graph.web.connection_limits import (
    ConnectionAccounts,
    limited_http_protocol,
    return_large_blocks_at_once,
)


def run_server(
    settings: Settings,
    application: FastAPI,
    connections: ConnectionAccounts,
    host: str,
    port: int,
    *,
    fd: int | None = None,
) -> None:
    """Run uvicorn with the connection limits of ``settings``, counted in ``connections``,
    on ``fd`` if given (a socket the supervisor listens on) or else on ``host``:``port``.

    Logging is configured already (uvicorn's own configuration is skipped); uvicorn's
    access log is off, since the application writes its own (with request ids).
    """
    return_large_blocks_at_once()
    config = uvicorn.Config(
        application,
        host=host,
        port=port,
        log_config=None,
        log_level="info",
        access_log=False,
        http=limited_http_protocol(connections.limits, connections),
        ws="none",
        timeout_keep_alive=settings.keep_alive_timeout,
    )
    server = uvicorn.Server(config)
    server.run(sockets=None if fd is None else [socket.socket(fileno=fd)])
