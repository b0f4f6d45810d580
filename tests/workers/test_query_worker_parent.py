"""A query worker dies with the server that started it.

A server killed outright (SIGKILL, the OOM killer, a segfault) cannot stop its workers;
a worker busy with a query would go on burning a core with no one to enforce its time
limit. Each query worker asks the kernel to kill it when its parent dies.
"""

import contextlib
import os
import signal
import threading
from pathlib import Path

import httpx
import psutil

from ascf_graph.core.settings import Settings
from tests.support.processes import busy_worker, wait_for
from tests.support.servers import running_server
from tests.support.stores import clone_settings

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"


def test_a_busy_query_worker_dies_with_its_server(built: Settings, tmp_path: Path) -> None:
    settings = clone_settings(built, tmp_path)
    with running_server(settings, ASCF_QUERY_TIMEOUT="300", ASCF_QUERY_WORKERS="1") as served:
        url, server = served.url, served.pid

        def ask() -> None:
            with contextlib.suppress(httpx.HTTPError):  # the server is killed under it
                httpx.get(f"{url}/sparql", params={"query": ENDLESS}, timeout=60)

        threading.Thread(target=ask, daemon=True).start()
        worker = wait_for(lambda: busy_worker(served), "the endless query starts burning CPU")
        assert psutil.Process(worker).ppid() == server
        os.kill(server, signal.SIGKILL)

        def gone() -> bool:
            try:
                return psutil.Process(worker).status() == psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                return True

        wait_for(gone, "the query worker dies with its server", patience=5)
