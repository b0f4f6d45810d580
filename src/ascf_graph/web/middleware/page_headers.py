"""Headers that keep browsers from turning our answers against their readers.

Stewards' data ends up on our pages, so every HTML answer says what the
browser may run: a Content-Security-Policy with scripts only from our own
origin (no inline script, no ``eval``, no plugins, no framing, no foreign
form targets), so that markup slipped past escaping still cannot run script.
Every answer carries ``X-Content-Type-Options: nosniff`` (a browser renders
nothing as HTML that we did not label HTML) and a ``Referrer-Policy`` (our
query URLs, which carry whole queries, are not sent to other sites).

Done once here, as pure ASGI middleware around the whole application, rather
than in each page's handler: a page added later gets the headers too. A
header a handler set itself is kept.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from ascf_graph.web.middleware.base import HttpMiddleware

#: The policy of every HTML answer. Styles may be inline: our templates use only the
#: one stylesheet, but YASGUI inserts ``<style>`` elements and pyLODE's ontology page
#: carries ``style=""``; scripts may not. ``data:`` images and fonts are YASGUI's icons.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
REFERRER_POLICY = "strict-origin-when-cross-origin"

_EVERY_ANSWER = {"x-content-type-options": "nosniff", "referrer-policy": REFERRER_POLICY}
_HTML_ANSWER = {"content-security-policy": CONTENT_SECURITY_POLICY}


class PageHeaders(HttpMiddleware):
    """Add the protective headers to every HTTP answer, and the CSP to HTML ones."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """See the class."""

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                added = dict(_EVERY_ANSWER)
                if headers.get("content-type", "").lower().startswith("text/html"):
                    added |= _HTML_ANSWER
                for name, value in added.items():
                    if name not in headers:
                        headers[name] = value
                message = {**message, "headers": headers.raw}
            await send(message)

        await self.app(scope, receive, with_headers)
