"""`ascf-graph serve` as a supervisor: the server runs in a child process, restarted if it dies.

A server process can die in ways no handler catches: a segfault in a native
library, the kernel's out-of-memory killer, a stray ``kill -9``. The
supervisor is a small process that imports none of that: it binds the
listening socket once, hands it to a child ``ascf-graph serve --no-supervise``
and waits. When the child dies without being asked to, the supervisor starts
another at once; clients that connect meanwhile wait in the socket's backlog
rather than being refused. A child that dies again soon after its start
(within ``ASCF_RESTART_STABLE_AFTER`` seconds) is restarted after a growing
pause (0, 1, 2, 4 ... up to 30 s), and after ``ASCF_RESTART_GIVE_UP_AFTER``
such crashes in a row the supervisor gives up and exits 1: something is
wrong that restarting will not fix. SIGINT (Ctrl-C) or SIGTERM to the
supervisor stop the child with SIGTERM (uvicorn finishes the requests in
progress), and SIGKILL after :data:`STOP_PATIENCE` seconds.

The child asks the kernel (``PR_SET_PDEATHSIG``) to be killed if the
supervisor dies, so a supervisor killed outright leaves no server behind
holding the store. A committed write survives any of these deaths: the store
commits before the server answers (see ``tests/stewards/test_crash_safety.py``).

What it says goes to the logger ``ascf_graph.cli.supervisor``, in the format
``serve`` configured (JSON lines on stderr by default).
"""

import logging
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Mapping
from types import FrameType

#: Seconds the child has to stop after SIGTERM before it is killed.
STOP_PATIENCE = 30.0
#: The longest pause before restarting a child that keeps crashing, in seconds.
MAX_BACKOFF = 30.0
_POLL = 0.1

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


def restarts_argument(restarts: Mapping[str, int]) -> str:
    """Restarts by cause as one command-line argument, for the next server.

    >>> restarts_argument({"sigkill": 2, "exit_1": 1})
    'exit_1=1,sigkill=2'
    >>> parse_restarts(restarts_argument({"sigsegv": 3}))
    {'sigsegv': 3}
    """
    return ",".join(f"{cause}={count}" for cause, count in sorted(restarts.items()))


def parse_restarts(argument: str) -> dict[str, int]:
    """The restarts by cause :func:`restarts_argument` wrote (empty: none yet)."""
    pairs = (item.partition("=") for item in argument.split(",") if item)
    return {cause: int(count) for cause, _, count in pairs}


class Supervisor:
    """Runs ``command(restarts)`` as a child until asked to stop, restarting it if it dies;
    ``restarts`` counts the restarts so far by how the server before ended
    (:func:`exit_cause`).

    A child that exits with ``fatal_exit`` found its configuration unusable (and said
    why): restarting it cannot help, so the supervisor exits with that code at once.
    """

    def __init__(
        self,
        command: Callable[[Mapping[str, int]], list[str]],
        *,
        pass_fds: tuple[int, ...] = (),
        give_up_after: int = 5,
        stable_after: float = 30.0,
        fatal_exit: int | None = None,
    ) -> None:
        self.command, self.pass_fds = command, pass_fds
        self.fatal_exit = fatal_exit
        self.give_up_after, self.stable_after = give_up_after, stable_after
        self.child: subprocess.Popen[bytes] | None = None
        self.stopping = False

    def run(self) -> int:
        """Supervise until SIGINT or SIGTERM (exit 0), until the child keeps crashing at
        start (exit 1), or until it exits with ``fatal_exit`` (that code)."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._stop)
        restarts: Counter[str] = Counter()
        quick_crashes = 0
        while not self.stopping:
            started = time.monotonic()
            self.child = subprocess.Popen(self.command(restarts), pass_fds=self.pass_fds)
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
