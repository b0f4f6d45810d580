"""A request-body size limit as pure ASGI middleware: 413 past ``ASCF_MAX_BODY_BYTES``.

The limit is checked when the body is read, not before, so the handler that
reads it sees a :class:`~ascf_graph.core.errors.BodyTooLargeError` (and can log a
refusal) whether the client declared a large ``Content-Length`` or streamed
more than it declared. Bytes past the limit are never buffered.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ascf_graph.core.errors import BodyTooLargeError
from ascf_graph.web.middleware.base import HttpMiddleware


class BodySizeLimit(HttpMiddleware):
    """Wrap ``app`` so no request body larger than ``max_bytes`` is read."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a ``receive`` that counts the body's bytes."""
        declared = _content_length(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > self.max_bytes:
                raise self._too_large(declared)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large(received)
            return message

        await self.app(scope, limited_receive, send)

    def _too_large(self, size: int) -> BodyTooLargeError:
        return BodyTooLargeError(
            f"the request body ({size} bytes or more) is larger than the {self.max_bytes} "
            "bytes allowed (ASCF_MAX_BODY_BYTES); split the data into several submissions"
        )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
