"""Real remote SPARQL stores for the tests: the Oxigraph server (PyPI) and Virtuoso (Debian).

Each runs on a free loopback port with a private on-disk database and its own
query time limit, as a deployment runs it.
"""

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import free_port, wait_until_up

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
#: Seconds a remote server itself lets a query run, as deployed: ASCF_QUERY_TIMEOUT's default.
STORE_TIME_LIMIT = 30


@dataclass(frozen=True)
class Endpoints:
    """Where a running SPARQL server takes queries and updates."""

    server: str
    query: str
    update: str


def start_oxigraph(
    folder: Path, time_limit: int = STORE_TIME_LIMIT
) -> tuple[subprocess.Popen[bytes], Endpoints]:
    """An Oxigraph server on ``folder`` that stops queries after ``time_limit`` seconds."""
    port = free_port()
    command = [str(OXIGRAPH), "serve", "--location", str(folder)]
    command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    command += ["--timeout-s", str(time_limit)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/query?query=ASK%7B%7D", process)
    return process, Endpoints("oxigraph", f"{url}/query", f"{url}/update")


def start_virtuoso(
    folder: Path, time_limit: int = STORE_TIME_LIMIT, *, estimate_limit: int | None = None
) -> tuple[subprocess.Popen[bytes], Endpoints]:
    """A private Virtuoso database in ``folder``; SPARQL Update granted to the endpoint.

    Queries stop after ``time_limit`` seconds (``MaxQueryExecutionTime``); with
    ``estimate_limit``, queries estimated to take longer are refused up front (0: never).
    """
    sql_port, http_port = free_port(), free_port()
    ini = VIRTUOSO_INI.read_text(encoding="utf-8")
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db/", f"{folder}/")
    ini = re.sub(r"(\[Parameters\][^\[]*?ServerPort\s*=\s*)\d+", rf"\g<1>{sql_port}", ini)
    ini = re.sub(r"(\[HTTPServer\][^\[]*?ServerPort\s*=\s*)\d+", rf"\g<1>{http_port}", ini)
    ini = re.sub(r"ResultSetMaxRows\s*=\s*\d+", "ResultSetMaxRows = 1000000", ini)
    ini = re.sub(r"MaxQueryExecutionTime\s*=\s*\d+", f"MaxQueryExecutionTime = {time_limit}", ini)
    if estimate_limit is not None:
        ini = re.sub(
            r"MaxQueryCostEstimationTime\s*=\s*\d+",
            f"MaxQueryCostEstimationTime = {estimate_limit}",
            ini,
        )
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    process = subprocess.Popen(
        ["virtuoso-t", "+foreground", "+configfile", str(folder / "virtuoso.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http_port}/sparql"
    wait_until_up(f"{url}?query=ASK%7B%7D", process)
    subprocess.run(
        ["isql-vt", str(sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
        check=True,
        capture_output=True,
    )
    return process, Endpoints("virtuoso", url, url)
