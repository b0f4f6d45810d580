"""The floor of a Python SPARQL endpoint: uvicorn, a raw ASGI function, pyoxigraph inline.

Nothing but what every answer needs: read a POSTed ``application/sparql-query``
body, run it on the event loop against a read-only store, serialize, send.
No protocol checks, content negotiation, cache, ETag, time limit or worker
process. It is not a system under test: :mod:`bench.cpu_per_request` serves
it beside ours and the Oxigraph server to show how much CPU a request costs
on the fastest path Python can take with uvicorn, against the Rust server.

    python -m bench.bare_endpoint STORE_DIR --port 8000
"""

import argparse
import os

import pyoxigraph as ox
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

_STORE_VARIABLE = "BARE_ENDPOINT_STORE"


def endpoint(store: ox.Store) -> ASGIApp:
    """An ASGI app answering POSTed queries over ``store`` (union of graphs as default)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            answer = store.query(body.decode(), use_default_graph_as_union=True)
            if isinstance(answer, ox.QueryTriples):
                media_type = b"application/n-triples"
                content = ox.serialize(answer, format=ox.RdfFormat.N_TRIPLES)
            else:
                media_type = b"application/sparql-results+json"
                content = answer.serialize(format=ox.QueryResultsFormat.JSON)
            status = 200
        except (SyntaxError, UnicodeDecodeError, OSError) as error:
            status, media_type, content = 400, b"text/plain", str(error).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", media_type),
                    (b"content-length", str(len(content)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})

    return app


async def _lifespan(receive: Receive, send: Send) -> None:
    """Say started and stopped when uvicorn asks."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def app_from_environment() -> ASGIApp:
    """The app over the store named by ``BARE_ENDPOINT_STORE`` (uvicorn's factory)."""
    return endpoint(ox.Store.read_only(os.environ[_STORE_VARIABLE]))


def main() -> None:
    """Serve a store on loopback with uvloop and httptools, uvicorn's fastest settings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", help="an Oxigraph store folder, opened read-only")
    parser.add_argument("--port", type=int, default=8000)
    arguments = parser.parse_args()
    os.environ[_STORE_VARIABLE] = arguments.store
    uvicorn.run(
        "bench.bare_endpoint:app_from_environment",
        factory=True,
        host="127.0.0.1",
        port=arguments.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
