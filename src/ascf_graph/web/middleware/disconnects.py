"""A client that goes away is logged in one quiet line, not as a server error.

A client that closes its connection while we still read its request body
(a SPARQL query or a submission sent by POST) makes Starlette raise
``ClientDisconnect`` from the handler; nothing catches it, so uvicorn logged
"Exception in ASGI application" with a full traceback for every such client,
burying real errors. A disconnect mid-answer was already quiet: uvicorn drops
what is sent after it, and a streamed answer stops its query on the way out.

This pure ASGI middleware, outside everything that reads a body (only the
request observer is outside it, which counts such a request with status 499
and gives the line its request id), catches ``ClientDisconnect`` only, and
logs it once at INFO (method and path, no traceback): nobody is left to
answer, and nothing was changed, since a write only starts once its whole
body has been read.
"""

import logging

from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from ascf_graph.web.middleware.base import HttpMiddleware

log = logging.getLogger(__name__)


class QuietDisconnects(HttpMiddleware):
    """Log a client's disconnect while its request is read as one INFO line."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """See the class."""
        try:
            await self.app(scope, receive, send)
        except ClientDisconnect:
            log.info(
                "%s %s: the client closed the connection before its request was read",
                scope["method"],
                scope["path"],
            )
