"""`ascf-graph serve` as a supervisor: the server runs in a child process, restarted if it dies.

A server process can die in ways no handler catches: a segfault in a native
library, the kernel's out-of-memory killer, a stray ``kill -9``. The
supervisor is a small process that imports none of that: it binds the
listening socket once, forks a child that serves on it, and waits. The child
is a fork, not a new interpreter, so it starts with the command line, the
settings and the logging already loaded and goes straight to importing the
application (a fifth of a second less before the first answer); the
supervisor starts no thread, so forking it is safe. When the child dies
without being asked to, the supervisor forks another at once; clients that
connect meanwhile wait in the socket's backlog rather than being refused. A
child that dies again soon after its start (within
``ASCF_RESTART_STABLE_AFTER`` seconds) is restarted after a growing pause
(0, 1, 2, 4 ... up to 30 s), and after ``ASCF_RESTART_GIVE_UP_AFTER`` such
crashes in a row the supervisor gives up and exits 1: something is wrong that
restarting will not fix. SIGINT (Ctrl-C) or SIGTERM to the
supervisor stop the child with SIGTERM (uvicorn finishes the requests in
progress), and SIGKILL after :data:`STOP_PATIENCE` seconds.

The child asks the kernel (``PR_SET_PDEATHSIG``) to be killed if the
supervisor dies, so a supervisor killed outright leaves no server behind
holding the store. A committed write survives any of these deaths: the store
commits before the server answers (see ``tests/stewards/test_crash_safety.py``).

What it says goes to the logger ``ascf_graph.cli.supervisor``, in the format
``serve`` configured (JSON lines on stderr by default).
"""

import contextlib
import logging
import os
import signal
import socket
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from functools import partial
from types import FrameType

#: Seconds the child has to stop after SIGTERM before it is killed.
STOP_PATIENCE = 30.0
#: The longest pause before restarting a child that keeps crashing, in seconds.
MAX_BACKOFF = 30.0
_POLL = 0.1
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

log = logging.getLogger(__name__)


def listening_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A TCP socket listening on ``host``:``port``, inheritable by a child process."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(backlog)
    listener.set_inheritable(True)
    return listener


def backoff(quick_crashes: int) -> float:
    """Seconds to wait before restarting after ``quick_crashes`` immediate crashes in a row.

    >>> [backoff(n) for n in (0, 1, 2, 3, 4, 10)]
    [0.0, 0.0, 1.0, 2.0, 4.0, 30.0]
    """
    if quick_crashes <= 1:
        return 0.0
    return min(2.0 ** (quick_crashes - 2), MAX_BACKOFF)


def describe_exit(returncode: int) -> str:
    """How a child ended, for the log.

    >>> describe_exit(-9), describe_exit(3)
    ('was killed by SIGKILL', 'exited with status 3')
    """
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with status {returncode}"


def exit_cause(returncode: int) -> str:
    """How a child ended, as a metric's label: the signal that killed it, or its status.

    >>> exit_cause(-9), exit_cause(1)
    ('sigkill', 'exit_1')
    """
    if returncode < 0:
        return signal.Signals(-returncode).name.lower()
    return f"exit_{returncode}"


class ForkedChild:
    """A fork of this process that runs ``serve()`` and exits with the code it returns.

    The child's SIGINT and SIGTERM go back to their defaults until ``serve`` sets its own
    (uvicorn does), and whatever it raises is logged and exits 1: it never returns into
    the supervisor's code.
    """

    def __init__(self, serve: Callable[[], int]) -> None:
        self.returncode: int | None = None
        # Blocked across the fork, so that neither process runs the other's handler: a
        # signal for the child waits until its defaults are back.
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            self.pid = os.fork()
            if self.pid == 0:  # pragma: no cover - the child; its exit is what the tests see
                _run_forked(serve)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)

    def poll(self) -> int | None:
        """The exit code (negative: the signal that killed it), or None while it runs; 1 if
        it was reaped by someone else (its status is lost)."""
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = 1
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def terminate(self) -> None:
        """Ask it to stop (SIGTERM)."""
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        """Stop it now (SIGKILL)."""
        self._signal(signal.SIGKILL)

    def _signal(self, signum: signal.Signals) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # ended, not yet waited for
                os.kill(self.pid, signum)


def _run_forked(serve: Callable[[], int]) -> None:
    code = 1
    try:
        for signum in _STOP_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        code = serve()
    except SystemExit as exit:
        if isinstance(exit.code, int):
            code = exit.code
        elif exit.code is not None:
            print(exit.code, file=sys.stderr)
    except BaseException:
        log.exception("the server failed")
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code if 0 <= code <= 255 else 1)


class Supervisor:
    """Runs ``serve(restarts)`` in a forked child until asked to stop, forking another if it
    dies; ``restarts`` counts the restarts so far by how the server before ended
    (:func:`exit_cause`).

    A child that exits with ``fatal_exit`` found its configuration unusable (and said
    why): restarting it cannot help, so the supervisor exits with that code at once.
    """

    def __init__(
        self,
        serve: Callable[[Mapping[str, int]], int],
        *,
        give_up_after: int = 5,
        stable_after: float = 30.0,
        fatal_exit: int | None = None,
    ) -> None:
        self.serve = serve
        self.fatal_exit = fatal_exit
        self.give_up_after, self.stable_after = give_up_after, stable_after
        self.child: ForkedChild | None = None
        self.stopping = False

    def run(self) -> int:
        """Supervise until SIGINT or SIGTERM (exit 0), until the child keeps crashing at
        start (exit 1), or until it exits with ``fatal_exit`` (that code)."""
        for signum in _STOP_SIGNALS:
            signal.signal(signum, self._stop)
        # Inherited as ignored, SIGCHLD would have the kernel reap the server unseen.
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        restarts: Counter[str] = Counter()
        quick_crashes = 0
        while not self.stopping:
            started = time.monotonic()
            self.child = ForkedChild(partial(self.serve, dict(restarts)))
            returncode = self._wait()
            if self.stopping:
                break
            if self.fatal_exit is not None and returncode == self.fatal_exit:
                _say(f"the server (pid {self.child.pid}) cannot run as configured; giving up")
                return returncode
            lived = time.monotonic() - started
            quick_crashes = quick_crashes + 1 if lived < self.stable_after else 0
            ended = describe_exit(returncode)
            _say(f"the server (pid {self.child.pid}) {ended} after {lived:.1f} s")
            if quick_crashes >= self.give_up_after:
                _say(
                    f"giving up: the server died {quick_crashes} times in a row within "
                    f"{self.stable_after:g} s of starting (ASCF_RESTART_GIVE_UP_AFTER)"
                )
                return 1
            pause = backoff(quick_crashes)
            _say(f"restarting it in {pause:g} s" if pause else "restarting it now")
            self._sleep(pause)
            restarts[exit_cause(returncode)] += 1
        return 0

    def _wait(self) -> int:
        """Wait for the child; once asked to stop, give it :data:`STOP_PATIENCE` seconds."""
        assert self.child is not None
        stop_deadline: float | None = None
        while (returncode := self.child.poll()) is None:
            if self.stopping and stop_deadline is None:
                self.child.terminate()
                stop_deadline = time.monotonic() + STOP_PATIENCE
            if stop_deadline is not None and time.monotonic() > stop_deadline:
                _say("the server did not stop in time; killing it")
                self.child.kill()
            time.sleep(_POLL)
        return returncode

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(_POLL)

    def _stop(self, signum: int, _: FrameType | None) -> None:
        if not self.stopping:
            _say(f"{signal.Signals(signum).name}: stopping the server")
        self.stopping = True  # the loop in _wait passes it on to the child


def _say(message: str) -> None:
    log.warning("%s", message)
