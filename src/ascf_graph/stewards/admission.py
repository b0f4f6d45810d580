"""How many stewards' uploads are read and validated at once, and where they wait.

Reading and validating an upload blocks a thread for as long as an input
worker takes with it (seconds for a large dataset), and more while it waits
for a free worker. Left to the server's shared thread pool (anyio's, 40
threads, which ``/health`` and most routes use too), uploads sent at once by
one client (up to 50 connections) would take every thread and stall the whole
server. So an upload is admitted on the event loop first, where waiting costs
no thread: at most ``size`` at once (``ASCF_INPUT_WORKERS``, or the CPU count
when uploads are checked in the server's threads), each waiting at most
``wait`` seconds (``ASCF_VALIDATION_QUEUE_WAIT``) before it is answered 503
``validation-busy``. An admitted upload's blocking work runs in threads of a
limiter of its own, never in the shared pool.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar, TypeVarTuple

import anyio
from anyio import to_thread

from ascf_graph.core.errors import ValidationBusyError

Result = TypeVar("Result")
Arguments = TypeVarTuple("Arguments")


class UploadAdmission:
    """At most ``size`` uploads at work at once; the others wait up to ``wait`` seconds.

    Create it with the event loop running (in the application's lifespan).
    """

    def __init__(self, size: int, *, wait: float) -> None:
        if size < 1:
            raise ValueError("at least one upload must be admitted at a time")
        self.size, self.wait = size, wait
        self._admitted = anyio.CapacityLimiter(size)
        # One thread per admitted upload: its steps run one after the other.
        self._threads = anyio.CapacityLimiter(size)

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Wait, on the event loop, until fewer than ``size`` uploads are at work, for at most
        ``wait`` seconds; raise :class:`ValidationBusyError` past it."""
        try:
            self._admitted.acquire_nowait()
        except anyio.WouldBlock:
            admitted = False
            with anyio.move_on_after(self.wait):
                await self._admitted.acquire()
                admitted = True
            if not admitted:
                raise ValidationBusyError(
                    f"the {self.size} uploads that may be read and checked at once stayed "
                    f"busy for {self.wait:g} s (ASCF_VALIDATION_QUEUE_WAIT); retry shortly"
                ) from None
        try:
            yield
        finally:
            self._admitted.release()

    async def run(self, work: Callable[[*Arguments], Result], *arguments: *Arguments) -> Result:
        """``work(*arguments)`` in one of the uploads' own threads (call it admitted)."""
        return await to_thread.run_sync(work, *arguments, limiter=self._threads)
