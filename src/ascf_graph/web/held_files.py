"""A response with a file of the generation cache, which holds its generation until sent.

Dumps, named graphs' documents and the ontology's page are files in the
generation cache's folder of one store generation (see
:mod:`ascf_graph.store.generation_cache`), which the cache deletes once newer
generations replaced it and nothing holds it. Starlette's ``FileResponse``
opens its file only when it is sent, after the route has returned, and reads
it while the client takes it, however long that is. So the route hands the
response a :class:`~ascf_graph.store.generation_cache.Hold` on the generation, taken
before the file was written or looked up, and the response releases it once
the body is sent or the client went away; a response never sent releases it
when it is garbage collected.
"""

import weakref
from pathlib import Path
from typing import Any

from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

from ascf_graph.store.generation_cache import Hold


class HeldFileResponse(FileResponse):
    """A ``FileResponse`` that releases ``hold`` when it is done."""

    def __init__(self, path: Path, hold: Hold, **options: Any) -> None:
        super().__init__(path, **options)
        self._hold = hold
        finalizer = weakref.finalize(self, hold.release)
        finalizer.atexit = False  # at exit, nothing is sent any more nor deleted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the file, then let its generation go."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._hold.release()
