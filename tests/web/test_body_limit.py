"""The body-size limit: a declared or streamed body past the limit is a 413 when it is read."""

import asyncio
import json

from fastapi import FastAPI, Request
from starlette.types import Message

from ascf_graph.web.errors import install_error_handlers
from ascf_graph.web.middleware.body_limit import BodySizeLimit

LIMIT = 1000


def echo_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=LIMIT)

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return app


def post(chunks: list[bytes], *, declared: int | None) -> tuple[int, dict[str, object]]:
    """Drive the ASGI app with a body in ``chunks``; return status and JSON answer."""
    incoming: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    sent: list[Message] = []
    headers = [(b"content-type", b"application/octet-stream")]
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/echo",
        "raw_path": b"/echo",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(echo_app()(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body)


def test_a_body_within_the_limit_is_read() -> None:
    assert post([b"x" * LIMIT], declared=LIMIT) == (200, {"bytes": LIMIT})


def test_a_declared_oversize_body_is_413_before_it_is_read() -> None:
    status, body = post([b"x"], declared=LIMIT + 1)
    assert status == 413
    assert body["code"] == "body-too-large"


def test_a_streamed_body_is_cut_at_the_limit() -> None:
    status, _ = post([b"x" * 300] * 5, declared=None)
    assert status == 413
