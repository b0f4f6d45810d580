"""``python -m bench.soak``: a bounded soak of a real server, ordinary and hostile clients mixed.

It builds the project's content into a temporary data directory (or copies a
built store given with ``--store``), creates a steward's token there, starts
``ascf-graph serve`` on a free loopback port, and for ``--duration`` seconds
sends it, from ``--concurrency`` clients whose choices follow ``--seed``:

- SPARQL reads: the curated ``queries/*.rq`` and ad-hoc SELECT, ASK and
  CONSTRUCT queries, by GET, form POST and ``application/sparql-query``,
  in several result formats, some revalidated with ``If-None-Match``;
  curated queries by their stable URL; label search;
- linked data: ``/id/`` with ``Accept`` variants (303) and ``/doc/`` pages
  with and without an extension; downloads the server writes once per
  generation (dumps, named graphs' documents, the ontology's page);
- validations: good, non-conforming and malformed Turtle, and the projects CSV
  of ``data/templates``;
- submissions with the token: create, replace with ``If-Match``, a stale
  ``If-Match`` (412), retract; and a made-up token (401);

and among them hostile clients, from loopback addresses of their own
(127.0.0.2 and 127.0.0.3, so that the per-client connection cap counts them
and not the ordinary clients): headers and bodies trickled or stalled, idle
connections, deeply nested documents and queries, bodies, headers and URLs
over the limits, garbage instead of HTTP, and a burst of connections past the
per-client cap. Each gets the answer docs/limits-and-security.md promises
(408, 413, 431, 400, 503 or a quiet close), or the run fails.

Meanwhile a probe asks ``/health`` every second on a fresh connection, and
the RSS of the server's process tree (the supervisor, the server, its query
and input workers) is sampled with psutil. The report gives requests by kind
and status, latency percentiles by kind, the busy 503s the limits document
(with ``Retry-After``) counted apart, peak and final RSS.

Every loop is bounded in count and in time, and all traffic goes to
127.0.0.1 on the port the soak's own server listens on.

Exit codes: 0 the server passed; 1 it did not: a 5xx other than a documented
busy 503, an answer other than the one expected (a hostile client's
included), a broken connection, a ``/health`` not answered within
``--health-limit`` seconds, a server restart, a traceback in its log, or
its process tree's RSS at the end above ``--memory-bound``; 2 the soak itself
could not run (the build failed, the server did not start).
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psutil

from ascf_graph.core.settings import Settings
from ascf_graph.stewards.credentials import TokenStore
from bench.dataset import REPO
from bench.http_client import LeanClient
from bench.soak_clients import Content, OrdinaryClient
from bench.soak_hostile import (
    Hostile,
    Limits,
    connection_flood,
    hostile_schedule,
    read_answer,
    request_head,
    run_hostile,
)
from bench.soak_record import HOST, Outcome, Record

EXIT_PASSED, EXIT_FAILED, EXIT_BROKEN = 0, 1, 2
KINDS = [name for name, _, _ in OrdinaryClient.KINDS]
BASE = "https://w3id.org/ascf/"
GiB = 1024**3
MiB = 1024**2
#: How long the ordinary clients' last requests may take after the duration.
GRACE = 60.0


# ---------------------------------------------------------------------------
# Probes: /health and memory


async def probe_health(port: int, until: Callable[[], bool], limit: float, record: Record) -> None:
    """GET /health on a fresh connection every second until ``until()``; each must answer
    200 within ``limit`` seconds."""
    request = request_head("GET", "/health", port, "Connection: close")
    for _ in range(100_000):
        if until():
            return
        started = time.monotonic()
        try:
            async with asyncio.timeout(limit):
                reader, writer = await asyncio.open_connection(HOST, port)
                try:
                    writer.write(request)
                    status, _, _ = await read_answer(reader)
                finally:
                    writer.close()
            seconds = time.monotonic() - started
            record.health_seconds.append(seconds)
            record.add(Outcome("health", status, seconds, expected=status == 200))
            if status != 200:
                record.health_failures.append(f"at {time.strftime('%X')}: status {status}")
        except TimeoutError:
            record.health_failures.append(f"at {time.strftime('%X')}: no answer within {limit} s")
            record.add(Outcome("health", -1, limit, expected=False, note="no answer in time"))
        except OSError as error:
            record.health_failures.append(f"at {time.strftime('%X')}: {error}")
            record.add(Outcome("health", -1, 0.0, expected=False, note=str(error)))
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))


def tree_rss(root: psutil.Process) -> tuple[int, int]:
    """The RSS of ``root`` and all its descendants, and how many processes that is."""
    total, count = 0, 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    for process in processes:
        with suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += process.memory_info().rss
            count += 1
    return total, count


@contextmanager
def memory_sampler(pid: int, record: Record, longest: float, every: float = 0.25) -> Iterator[None]:
    """Sample the process tree's RSS in a thread while the block runs (``longest`` seconds
    at most)."""
    root = psutil.Process(pid)
    stop = threading.Event()

    def sample() -> None:
        for _ in range(int(longest / every) + 1):
            if stop.wait(every):
                return
            rss, count = tree_rss(root)
            record.rss_samples.append((time.monotonic(), rss, count))

    thread = threading.Thread(target=sample, name="rss-sampler", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


# ---------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def prepare_store(workdir: Path, store: Path | None) -> Path:
    """A data directory of the soak's own: a copy of ``store``, or the content built afresh
    (never the user's var/store, which holds stewards' submissions)."""
    data_dir = workdir / "store"
    if store is not None:
        shutil.copytree(store, data_dir, symlinks=True)
        return data_dir
    environment = {**os.environ, "ASCF_DATA_DIR": str(data_dir), "ASCF_CONTENT_DIR": str(REPO)}
    built = subprocess.run(
        [sys.executable, "-m", "ascf_graph", "build"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if built.returncode != 0:
        raise SoakBrokenError(f"the build failed:\n{built.stdout}{built.stderr}")
    return data_dir


class SoakBrokenError(Exception):
    """The soak could not run (not a finding about the server)."""


@contextmanager
def serving(data_dir: Path, settings: dict[str, str], log: Path) -> Iterator[tuple[int, int]]:
    """``ascf-graph serve`` over ``data_dir`` on a free loopback port; yields (port, pid)
    and stops it (SIGTERM, then SIGKILL to whatever of its process group is left)."""
    port = free_port()
    environment = {
        **os.environ,
        "ASCF_DATA_DIR": str(data_dir),
        "ASCF_CONTENT_DIR": str(REPO),
        **settings,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ascf_graph", "serve", "--host", HOST, "--port", str(port)],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            process_group=0,  # a group of its own: the server and its workers join it
        )
    try:
        wait_until_up(port, process, log)
        yield port, process.pid
    finally:
        stop_server(process)


def wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SoakBrokenError(
                f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}"
            )
        with suppress(OSError), socket.create_connection((HOST, port), timeout=2) as probe:
            probe.sendall(request_head("GET", "/health", port, "Connection: close"))
            if probe.recv(64).startswith(b"HTTP/1.1 200"):
                return
        time.sleep(0.2)
    raise SoakBrokenError("the server did not answer /health within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=45)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    # The server and its workers share the supervisor's process group.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def server_health(port: int) -> dict[str, Any]:
    with socket.create_connection((HOST, port), timeout=10) as probe:
        probe.settimeout(10)
        probe.sendall(request_head("GET", "/health", port, "Connection: close"))
        data = b""
        while len(data) < MiB and (chunk := probe.recv(65536)):
            data += chunk
    return json.loads(data.partition(b"\r\n\r\n")[2])


# ---------------------------------------------------------------------------
# The run


@dataclass(frozen=True)
class Options:
    duration: float
    concurrency: int
    seed: int
    memory_bound: int
    health_limit: float
    store: Path | None
    settings: dict[str, str]
    report: Path | None
    server_log: Path | None = None
    leave_out: frozenset[str] = frozenset()


def limits_of(settings: dict[str, str]) -> Limits:
    """The limits the server runs with: its settings from our environment and ``settings``."""
    overrides = {name.removeprefix("ASCF_").lower(): value for name, value in settings.items()}
    served = Settings(**overrides)
    return Limits(
        header_timeout=served.header_timeout,
        body_timeout=served.body_timeout,
        keep_alive_timeout=served.keep_alive_timeout,
        max_header_bytes=served.max_header_bytes,
        max_headers=served.max_headers,
        max_body_bytes=served.max_body_bytes,
        max_nesting=served.max_nesting,
        query_max_depth=served.query_max_depth,
        max_connections_per_client=served.max_connections_per_client,
    )


async def discover(port: int) -> Content:
    """The resources, curated queries and CSV the ordinary clients pick from."""
    http = LeanClient(f"http://{HOST}:{port}", 1, timeout=60)
    try:
        query = (
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
            f'FILTER(STRSTARTS(STR(?s), "{BASE}id/") || STRSTARTS(STR(?s), "{BASE}def/")) }}'
        )
        answer = await http.get(
            "/sparql?" + urlencode({"query": query}), {"Accept": "text/tab-separated-values"}
        )
        if answer.status != 200:
            raise SoakBrokenError(f"the resource list failed: {answer.status} {answer.text}")
    finally:
        await http.aclose()
    resources = sorted(
        "/" + line.strip()[1:-1].removeprefix(BASE)
        for line in answer.text.splitlines()[1:]
        if line.startswith(f"<{BASE}")
    )
    files = sorted((REPO / "queries").glob("*.rq"))
    return Content(
        queries=[file.read_text() for file in files],
        curated=[file.stem for file in files],
        resources=resources,
        csv=(REPO / "data" / "templates" / "projects-example.csv").read_bytes(),
    )


async def soak(options: Options, port: int, pid: int, token: str, record: Record) -> None:
    limits = limits_of(options.settings)
    content = await discover(port)
    http = LeanClient(f"http://{HOST}:{port}", options.concurrency, timeout=120)
    started = time.monotonic()
    deadline = started + options.duration
    finished = False
    clients = [
        OrdinaryClient(number, http, content, token, options.seed, record, options.leave_out)
        for number in range(options.concurrency)
    ]

    async def hostile_at(delay: float, hostile: Hostile | None) -> None:
        await asyncio.sleep(delay)
        if hostile is None:
            await connection_flood(port, limits, record)
        else:
            await run_hostile(hostile, port, limits, record)

    with memory_sampler(pid, record, longest=options.duration + GRACE + 300):
        health = asyncio.ensure_future(
            probe_health(port, lambda: finished, options.health_limit, record)
        )
        tasks = [asyncio.ensure_future(client.run(deadline)) for client in clients]
        tasks += [
            asyncio.ensure_future(hostile_at(delay, hostile))
            for delay, hostile in hostile_schedule(options.seed, options.duration)
        ]
        # Every task ends by itself: the ordinary ones at the deadline (plus their last
        # request), the hostile ones at their own time limits.
        _, late = await asyncio.wait(tasks, timeout=options.duration + GRACE + 120)
        for task in late:
            task.cancel()
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        if late:
            record.add(Outcome("soak", -1, 0.0, expected=False, note=f"{len(late)} tasks stalled"))
        finished = True
        await health
        await http.aclose()
        await asyncio.sleep(2)  # what the last requests held is let go
        rss, count = tree_rss(psutil.Process(pid))
        record.rss_samples.append((time.monotonic(), rss, count))


def run(options: Options) -> int:
    """Build, serve, soak, report: the exit code."""
    record = Record()
    with tempfile.TemporaryDirectory(prefix="ascf-soak-") as workdir:
        work = Path(workdir)
        try:
            started = time.monotonic()
            data_dir = prepare_store(work, options.store)
            print(f"store ready in {time.monotonic() - started:.1f} s: {data_dir}", flush=True)

            tokens = TokenStore(Settings(data_dir=data_dir).credentials_file)
            _, token = tokens.create("Soak Test City Office", "Soak Tester", cities=("da-nang",))
            log = work / "server.log"
            with serving(data_dir, options.settings, log) as (port, pid):
                print(
                    f"serving on http://{HOST}:{port} (pid {pid}); soaking for "
                    f"{options.duration:.0f} s with {options.concurrency} clients, "
                    f"seed {options.seed}",
                    flush=True,
                )
                asyncio.run(soak(options, port, pid, token, record))
                health = server_health(port)
            server_log = log.read_text(errors="replace")
            if options.server_log is not None:
                shutil.copyfile(log, options.server_log)
        except SoakBrokenError as error:
            print(f"soak: {error}", file=sys.stderr)
            return EXIT_BROKEN
    verdict = report(options, record, health, server_log)
    return EXIT_PASSED if not verdict else EXIT_FAILED


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def kind_table(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """Print requests by kind: how many, latency percentiles, statuses; the rows."""
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome.kind].append(outcome)
    print(f"\n{'kind':22} {'n':>6}  {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7} (ms)  statuses")
    rows = []
    for kind in sorted(by_kind):
        times = [outcome.seconds * 1000 for outcome in by_kind[kind]]
        statuses = Counter(
            f"{outcome.status}{'*' if outcome.busy else ''}{'!' if not outcome.expected else ''}"
            for outcome in by_kind[kind]
        )
        shown = " ".join(f"{status}:{n}" for status, n in sorted(statuses.items()))
        p50, p90, p99 = (percentile(times, f) for f in (0.5, 0.9, 0.99))
        print(
            f"{kind:22} {len(times):6d}  {p50:7.0f} {p90:7.0f} {p99:7.0f} {max(times):7.0f}"
            f"       {shown}"
        )
        rows.append(
            {"kind": kind, "n": len(times), "p50_ms": p50, "p90_ms": p90, "p99_ms": p99,
             "max_ms": max(times), "statuses": dict(statuses)}
        )  # fmt: skip
    print("(status 0: closed without an answer, as expected of idle connections; -1: broken or")
    print(" no answer in time; *: a documented busy 503 with Retry-After; !: not the expected)")
    return rows


def log_summary(server_log: str) -> dict[str, Any]:
    """Print the tracebacks and ERROR lines of the server's log, and the exceptions raised."""
    tracebacks = server_log.count("Traceback (most recent call last)")
    errors = [line for line in server_log.splitlines() if re.search(r"\bERROR\b|CRITICAL", line)]
    print(f"server log: {tracebacks} tracebacks, {len(errors)} ERROR lines")
    exceptions = Counter(raised(server_log))
    # The same exception on different files is one kind: grouped with quotes and paths elided.
    kinds = Counter(
        re.sub(r"(?<![\w'])/[^\s']+", "...", re.sub(r"'[^']*'", "'...'", exception))
        for exception in exceptions.elements()
    )
    for exception, n in kinds.most_common(10):
        print(f"  {n} x {exception[:300]}")
    if exceptions:
        start = server_log.index("Traceback (most recent call last)")
        ending = server_log.find("\n", server_log.find(next(iter(exceptions)), start))
        lines = server_log[start:ending].splitlines()
        print("the first, from its last frames:\n" + "\n".join(lines[-24:]))
    elif errors:
        print("\n".join(f"  {line[:200]}" for line in errors[:10]))
    return {"tracebacks": tracebacks, "errors": errors[:50], "exceptions": dict(exceptions)}


def report(options: Options, record: Record, health: dict[str, Any], server_log: str) -> list[str]:
    """Print the report; the reasons the server failed (none: it passed)."""
    rows = kind_table(record.outcomes)
    busy = Counter(outcome.code for outcome in record.outcomes if outcome.busy)
    print(
        f"\nrequests: {len(record.outcomes)}; documented busy 503s: "
        f"{sum(busy.values())} {dict(busy)}"
    )
    failures = []
    unexpected = [outcome for outcome in record.outcomes if not outcome.expected]
    server_errors = [o for o in record.outcomes if o.status >= 500 and not o.busy]
    if server_errors:
        failures.append(f"{len(server_errors)} 5xx answers other than documented busy 503s")
    if unexpected:
        failures.append(f"{len(unexpected)} unexpected answers")
        for outcome in unexpected[:15]:
            print(f"  unexpected {outcome.kind}: {outcome.status} {outcome.note}")
    health_max = max(record.health_seconds, default=0.0)
    print(
        f"health: {len(record.health_seconds)} probes answered, "
        f"slowest {health_max * 1000:.0f} ms, "
        f"{len(record.health_failures)} failed; restarts {health.get('restarts')}"
    )
    if record.health_failures:
        failures.append(f"/health failed {len(record.health_failures)} times")
        print("\n".join(f"  health {failure}" for failure in record.health_failures[:10]))
    if health.get("restarts"):
        failures.append(f"the server was restarted {health['restarts']} times")
    samples = record.rss_samples or [(0.0, 0, 0)]
    first, end = samples[0], samples[-1]
    peak = max(samples, key=lambda sample: sample[1])
    print(
        f"memory (RSS of the server's process tree): at the start {first[1] / MiB:.0f} MiB, "
        f"peak {peak[1] / MiB:.0f} MiB ({peak[2]} processes), at the end {end[1] / MiB:.0f} "
        f"MiB ({end[2]} processes); bound {options.memory_bound / MiB:.0f} MiB; "
        f"{len(samples)} samples"
    )
    if end[1] > options.memory_bound:
        failures.append(f"RSS at the end {end[1] / MiB:.0f} MiB above the bound")
    log = log_summary(server_log)
    if log["tracebacks"]:
        failures.append(f"{log['tracebacks']} tracebacks in the server's log")
    print("\n" + ("PASSED" if not failures else "FAILED: " + "; ".join(failures)))
    if options.report is not None:
        summary = {
            "options": {
                **asdict(options),
                "store": str(options.store),
                "report": str(options.report),
                "server_log": str(options.server_log),
                "leave_out": sorted(options.leave_out),
            },
            "kinds": rows,
            "busy": dict(busy),
            "requests": len(record.outcomes),
            "health": {
                "probes": len(record.health_seconds),
                "slowest_s": health_max,
                "failures": record.health_failures,
                "restarts": health.get("restarts"),
            },
            "rss": {
                "start": first[1],
                "peak": peak[1],
                "peak_processes": peak[2],
                "end": end[1],
                "bound": options.memory_bound,
            },
            "server_log": log,
            "unexpected": [asdict(outcome) for outcome in unexpected[:100]],
            "failures": failures,
        }
        options.report.write_text(json.dumps(summary, indent=2))
    return failures


def raised(log: str) -> Iterator[str]:
    """The exception that ends each traceback in ``log`` (its first line not indented)."""
    for block in log.split("Traceback (most recent call last):")[1:]:
        for line in block.splitlines()[1:]:
            if line and not line.startswith(" "):
                yield line
                break


def size(text: str) -> int:
    """``1.5GiB``, ``800MiB`` or bytes."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*(GiB|MiB|KiB|)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 1.5GiB, 800MiB)")
    unit = {"GiB": GiB, "MiB": MiB, "KiB": 1024, "": 1}[match[2]]
    return int(float(match[1]) * unit)


def setting(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.startswith("ASCF_"):
        raise argparse.ArgumentTypeError(f"need ASCF_NAME=VALUE, not {text!r}")
    return name, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--duration", type=float, default=100.0, help="seconds of load (100)")
    parser.add_argument("--concurrency", type=int, default=8, help="ordinary clients (8)")
    parser.add_argument("--seed", type=int, default=42, help="seeds every client's choices (42)")
    parser.add_argument(
        "--memory-bound",
        type=size,
        default=size("1.5GiB"),
        help="most RSS the server's process tree may hold at the end (1.5GiB)",
    )
    parser.add_argument(
        "--health-limit", type=float, default=5.0, help="seconds /health may take (5)"
    )
    parser.add_argument(
        "--store",
        type=Path,
        help="a built data directory to copy (default: build the content afresh)",
    )
    parser.add_argument(
        "--set",
        type=setting,
        action="append",
        default=[],
        metavar="ASCF_NAME=VALUE",
        help="a setting for the server (repeatable), e.g. ASCF_HEADER_TIMEOUT=2",
    )
    parser.add_argument("--report", type=Path, help="also write the report as JSON here")
    parser.add_argument("--server-log", type=Path, help="keep a copy of the server's log here")
    parser.add_argument(
        "--leave-out",
        default="",
        help=f"ordinary kinds to leave out of the mix, comma-separated, of {', '.join(KINDS)}",
    )
    arguments = parser.parse_args(argv)
    if arguments.duration <= 0 or not 1 <= arguments.concurrency <= 40:
        parser.error("need a positive --duration and 1 to 40 --concurrency")
    leave_out = frozenset(filter(None, arguments.leave_out.split(",")))
    if unknown := leave_out - set(KINDS):
        parser.error(f"no such kind: {', '.join(sorted(unknown))}")
    options = Options(
        duration=arguments.duration,
        concurrency=arguments.concurrency,
        seed=arguments.seed,
        memory_bound=arguments.memory_bound,
        health_limit=arguments.health_limit,
        store=arguments.store,
        settings=dict(arguments.set),
        report=arguments.report,
        server_log=arguments.server_log,
        leave_out=leave_out,
    )
    try:
        return run(options)
    except Exception:  # the harness broke: exit 2, never 1, which would blame the server
        traceback.print_exc()
        return EXIT_BROKEN


if __name__ == "__main__":
    sys.exit(main())
