"""`ascf-graph serve` supervises its server: a server killed outright comes back at once,
one that keeps dying at start is given up on, and SIGTERM stops both cleanly.
/health says since when the server is up; /ready says whether it can serve.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ascf_graph.app import create_app
from ascf_graph.core.settings import Settings
from tests.support.servers import ServerProcess, free_port, processes_where, running_server
from tests.support.stores import clone_settings

pytestmark = pytest.mark.slow

PATIENCE = 60.0


def health_after(server: ServerProcess, up_since: str) -> dict[str, object]:
    """/health once it answers from a server that came up after ``up_since``."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        assert server.process.poll() is None, "the supervisor exited"
        try:
            body = httpx.get(f"{server.url}/health", timeout=5).json()
        except httpx.TransportError:
            body = {}
        if str(body.get("up_since", "")) > up_since:
            return body
        time.sleep(0.1)
    raise AssertionError(f"no server came up after {up_since}")


def group_members(server: ServerProcess) -> set[int]:
    """The supervisor and everything it started (its process group)."""
    return processes_where(lambda fields: fields[2] == str(server.process.pid))


def test_a_server_killed_outright_comes_back_with_a_later_up_since(
    built: Settings, tmp_path: Path
) -> None:
    with running_server(clone_settings(built, tmp_path)) as server:
        first = httpx.get(f"{server.url}/health", timeout=5).json()
        assert first["restarts"] == 0
        killed = server.pid
        os.kill(killed, signal.SIGKILL)
        again = health_after(server, str(first["up_since"]))
        assert again["restarts"] == 1
        assert again["triples"] == first["triples"]
        assert server.pid != killed
        assert httpx.get(f"{server.url}/ready", timeout=5).status_code == 200


def test_sigterm_stops_the_supervisor_and_its_server(built: Settings, tmp_path: Path) -> None:
    with running_server(clone_settings(built, tmp_path)) as server:
        assert len(group_members(server)) >= 2, "a supervisor and its server"
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=PATIENCE) == 0
        deadline = time.monotonic() + 10
        while group_members(server) and time.monotonic() < deadline:
            time.sleep(0.05)  # the query workers go once the server closes their pipes
        assert group_members(server) == set(), "nothing outlives the supervisor"


def test_a_server_that_keeps_dying_soon_after_start_is_given_up(
    built: Settings, tmp_path: Path
) -> None:
    giving_up = {"ASCF_RESTART_GIVE_UP_AFTER": "2", "ASCF_RESTART_STABLE_AFTER": "600"}
    with running_server(clone_settings(built, tmp_path), **giving_up) as server:
        first = httpx.get(f"{server.url}/health", timeout=5).json()
        os.kill(server.pid, signal.SIGKILL)  # one crash within 600 s of the start: restarted
        health_after(server, str(first["up_since"]))
        os.kill(server.pid, signal.SIGKILL)  # the second in a row: given up
        assert server.process.wait(timeout=PATIENCE) == 1


def test_the_supervisor_takes_its_server_with_it_when_killed(
    built: Settings, tmp_path: Path
) -> None:
    with running_server(clone_settings(built, tmp_path)) as server:
        child = server.pid
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=PATIENCE)
        deadline = time.monotonic() + 10
        while processes_where(lambda fields: fields[2] == str(server.process.pid)):
            assert time.monotonic() < deadline, f"the server {child} outlived its supervisor"
            time.sleep(0.05)


def test_ready_is_503_while_the_store_is_not_open(built: Settings) -> None:
    app = create_app(built)

    async def ask() -> httpx.Response:  # ASGITransport runs no lifespan: no store opens
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/ready")

    answer = asyncio.run(ask())
    assert answer.status_code == 503
    assert answer.json()["code"] == "not-ready"
    assert answer.headers["Retry-After"] == "1"


def test_ready_is_200_on_a_running_server(server: str) -> None:
    answer = httpx.get(f"{server}/ready", timeout=5)
    assert answer.status_code == 200
    assert answer.json()["up_since"] == httpx.get(f"{server}/health").json()["up_since"]


def test_the_supervisor_builds_no_application(built: Settings, tmp_path: Path) -> None:
    """Only the server opens the store and builds the app: the supervisor, which must
    outlive every server, holds no file of the store and runs no thread of the app."""
    settings = clone_settings(built, tmp_path)
    with running_server(settings) as server:
        supervisor = server.process.pid
        store = str(settings.data_dir.resolve())
        held = [
            target
            for link in Path(f"/proc/{supervisor}/fd").iterdir()
            if (target := os.path.realpath(link)).startswith(store)
        ]
        assert held == [], "the supervisor holds the store's files"
        threads = len(list(Path(f"/proc/{supervisor}/task").iterdir()))
        assert threads == 1, f"the supervisor runs {threads} threads"


def python_runs(script: str) -> subprocess.CompletedProcess[str]:
    """``script`` run by a fresh interpreter (forking the test process itself is not safe),
    with what it printed."""
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )


FORKED_CHILDREN = """
import signal, time
from ascf_graph.cli.supervisor import ForkedChild

def ended(child):
    while (code := child.poll()) is None:
        time.sleep(0.01)
    return code

def fails():
    raise RuntimeError("boom")

signal.signal(signal.SIGTERM, lambda *_: None)  # the supervisor's own: it lives on
sleeper = ForkedChild(lambda: time.sleep(60) or 0)
time.sleep(0.2)
sleeper.terminate()
print(ended(ForkedChild(lambda: 3)), ended(ForkedChild(fails)), ended(sleeper))
"""


def test_a_forked_server_exits_with_its_code_1_if_it_raises_and_dies_of_sigterm() -> None:
    """The server runs in a fork of the supervisor: it never returns into the supervisor's
    code, and SIGTERM is its own again (not the supervisor's handler, which would only
    set a flag in the copy)."""
    finished = python_runs(FORKED_CHILDREN)
    assert finished.stdout.split() == ["3", "1", str(-signal.SIGTERM)], finished.stderr
    assert "boom" in finished.stderr  # logged with its traceback


IGNORING_SIGCHLD = """
import signal
from ascf_graph.cli.supervisor import Supervisor

signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # as a careless parent may leave it
print(Supervisor(lambda restarts: 2, fatal_exit=2).run())
"""


def test_a_supervisor_started_with_sigchld_ignored_still_sees_how_its_server_ended() -> None:
    """Ignored, SIGCHLD has the kernel reap children unseen: the supervisor puts it back,
    so it still reads its server's exit status (here the one that stops it for good)."""
    finished = python_runs(IGNORING_SIGCHLD)
    assert finished.stdout.split() == ["2"], finished.stderr


def test_a_store_that_cannot_open_stops_serve_at_once_with_exit_2(tmp_path: Path) -> None:
    """The server finds the configuration unusable and exits 2; the supervisor does not
    restart it over and over but exits 2 with it, the server's message on stderr."""
    port = str(free_port())
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, "-m", "ascf_graph", "serve", "--port", port],
        env={**os.environ, "ASCF_DATA_DIR": str(tmp_path / "nowhere" / "store")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2, finished.stderr
    assert "error: " in finished.stderr
    assert "Traceback" not in finished.stderr
    assert time.monotonic() - started < 20, "serve restarted an unusable server"


def loaded_by(modules: str, candidates: tuple[str, ...]) -> list[str]:
    """Which of ``candidates`` a fresh interpreter has loaded once it imported ``modules``
    (a comma-separated list, as an import statement writes it)."""
    probe = f"import sys, {modules}; print(' '.join(m for m in {candidates!r} if m in sys.modules))"
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()


def test_the_supervisor_imports_no_engine_nor_web_stack() -> None:
    """What `serve` imports before it starts the server: the CLI module, which leaves the
    store, rdflib, pySHACL, the web application and httpx to the commands that use them."""
    heavy = ("pyoxigraph", "rdflib", "pyshacl", "fastapi", "httpx", "uvicorn")
    supervisor = "ascf_graph.cli.main, ascf_graph.cli.supervisor, ascf_graph.core.logs"
    assert loaded_by(supervisor, heavy) == []


def test_the_server_leaves_the_validation_engines_to_the_input_workers() -> None:
    """The server process hands every validation to an input worker, so it starts without
    pySHACL or rdflib's SPARQL engine (together a third of its import time)."""
    heavy = ("pyshacl", "rdflib.plugins.sparql", "pyrudof")
    assert loaded_by("ascf_graph.cli.main, ascf_graph.app", heavy) == []


def test_the_server_loads_the_language_registry_only_when_it_checks_a_tag() -> None:
    """The IANA registry (``langcodes``) takes a fortieth of a second to load: the first
    language tag checked pays it, not every start."""
    assert loaded_by("ascf_graph.cli.main, ascf_graph.app", ("langcodes",)) == []
