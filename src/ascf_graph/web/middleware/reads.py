"""HTTP behaviour every read shares: HEAD wherever GET is, and CORS for reads.

``HEAD`` is answered by running the ``GET`` route and dropping the body, so
its status and headers (``Content-Length`` included) are exactly the GET's
(RFC 9110 9.3.2), for every route, present and future. What the inner
layers note in the GET's scope (the route that took it) is copied back to
the HEAD's, for the layers outside (:mod:`ascf_graph.web.middleware.request_observer`).
"""

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send

from ascf_graph.web.middleware.base import HttpMiddleware

EXPOSED_HEADERS = [
    "ETag",
    "Last-Modified",
    "Link",
    "Location",
    "Content-Location",
    "Vary",
    "Content-Length",
]


class HeadAsGet(HttpMiddleware):
    """Answer HEAD as GET minus the body."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A HEAD request goes on as a GET whose body is not sent; others go on as they are."""
        if scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        inner = {**scope, "method": "GET"}
        try:
            await self.app(inner, receive, without_body)
        finally:
            for key in inner.keys() - scope.keys():
                scope[key] = inner[key]


def install_read_middleware(app: FastAPI) -> None:
    """HEAD as GET, and CORS: any origin may read, nobody sends credentials.

    POST is allowed because SPARQL queries are often POSTed (forms, long
    queries); ``Authorization`` is not an allowed header, so a page on another
    site cannot make a steward's browser write.
    """
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=[
            "Accept",
            "Accept-Language",
            "Content-Type",
            "If-None-Match",
            "If-Modified-Since",
            "Cache-Control",
            "Pragma",
            "X-Requested-With",  # sent by jQuery-based clients and some SPARQL editors
        ],
        allow_credentials=False,
        expose_headers=EXPOSED_HEADERS,
        max_age=86400,
    )
    app.add_middleware(HeadAsGet)
