"""What every pure ASGI middleware here shares: HTTP requests are its business, the rest
(lifespan events) passes through untouched."""

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    """Pure ASGI middleware that handles HTTP requests with :meth:`handle`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand an HTTP request to :meth:`handle`; pass anything else on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one HTTP request, usually by calling ``self.app``."""
        raise NotImplementedError
