"""One benchmark run: prepare the data, put every system through the plan, check every answer.

The reference answers come from pyoxigraph in memory over the same dump,
computed in this process after the systems ran (so that its memory and CPU
never compete with theirs), for every request key any of them was sent. Each
system's every answer
(each distinct body per request key) is normalised and compared with the
reference for its key; a difference, an error status or an unreadable
answer fails the run (:class:`RunFailedError`, naming query and system) after
the results file is written, so the numbers of a failed run can still be read.
"""

import contextlib
import json
import os
import pickle
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import psutil
import pyoxigraph as ox

from bench.answers import (
    BadAnswerError,
    NormalAnswer,
    agrees,
    normalise_graph,
    normalise_select,
)
from bench.dataset import REPO, Load, Prepared, Say, prepare
from bench.generator import Manifest, size_label
from bench.inprocess import InProcessResult, answer
from bench.loadgen import Request
from bench.queries import EQUIVALENT, ID_LOOKUP, LINKED_DATA, BenchQuery, query_mix
from bench.systems import HttpSystem, ours, oxigraph_server, rdflib_endpoint
from bench.workload import Plan, WorkloadResult, exercise

ALL_SYSTEMS = ("pyoxigraph-memory", "pyoxigraph-disk", "ascf-graph", "oxigraph", "rdflib-endpoint")
LABELS = {
    "pyoxigraph-memory": "pyoxigraph in-process, in memory",
    "pyoxigraph-disk": "pyoxigraph in-process, on disk",
    "ascf-graph": "ascf-graph serve (ours)",
    "oxigraph": "Oxigraph server",
    "rdflib-endpoint": "rdflib-endpoint",
}


class RunFailedError(Exception):
    """A system gave a different answer, an error, or none."""


class UnknownQueryError(ValueError):
    """The command line named a query the mix does not have."""


@dataclass(frozen=True)
class Options:
    """What to run: data size and seed, which systems, how much load, where to write."""

    triples: int
    seed: int = 42
    systems: tuple[str, ...] = ALL_SYSTEMS
    plan: Plan = field(default_factory=Plan)
    work: Path = REPO / "bench" / "out"
    results: Path = REPO / "bench" / "results"
    keep_work: bool = True


@dataclass
class SystemOutcome:
    """One system's numbers and the problems found in its answers."""

    name: str
    label: str
    cold_start: float
    peak_rss: int
    workload: WorkloadResult
    load: Load | None = None
    problems: list[str] = field(default_factory=list)
    #: CPU seconds that processes outside the harness used during this system's
    #: run (other work on the machine makes every number of the run suspect).
    foreign_cpu: float = 0.0
    #: Seconds from spawning a server until it answered at full speed (ours: its query
    #: workers' copies in memory complete), when the warm runs began.
    warm_after: float | None = None

    def to_json(self) -> dict[str, object]:
        """For the results file."""
        return {
            "label": self.label,
            "cold_start_s": round(self.cold_start, 4),
            "warm_after_s": None if self.warm_after is None else round(self.warm_after, 2),
            "peak_rss_mb": round(self.peak_rss / 2**20, 1),
            "load": self.load.to_json() if self.load else None,
            "queries": {name: run.summary() for name, run in self.workload.queries.items()},
            "mix": self.workload.mix.summary() if self.workload.mix else None,
            "repeat": self.workload.repeat.summary() if self.workload.repeat else None,
            "repeat_share": round(self.workload.repeat_share, 3),
            "skipped": self.workload.skipped,
            "problems": self.problems,
            "foreign_cpu_s": round(self.foreign_cpu, 1),
        }


def reference_answers(
    prepared: Prepared, mix: list[BenchQuery], keys: set[str]
) -> dict[str, NormalAnswer]:
    """Each key's answer from pyoxigraph in memory, normalised; equivalent queries checked."""
    store = ox.Store()
    store.bulk_load(path=str(prepared.dump), format=ox.RdfFormat.N_QUADS)
    queries = {query.name: query for query in mix}
    answers: dict[str, NormalAnswer] = {}
    by_text: dict[str, NormalAnswer] = {}
    for key in sorted(keys | _twins(keys)):
        name, index = key.rsplit("#", 1)
        query = queries[name]
        text = query.text(int(index))
        if text not in by_text:
            by_text[text] = normalise(query, answer(store, query, int(index)))
        answers[key] = by_text[text]
    for first, second in EQUIVALENT:
        for key, value in answers.items():
            name, index = key.rsplit("#", 1)
            twin = f"{second}#{index}"
            if name == first and twin in answers and answers[twin] != value:
                raise RunFailedError(
                    f"reference engine: {first} and {second} differ for parameter {index}: "
                    + value.difference(answers[twin])
                )
    return answers


def _twins(keys: set[str]) -> set[str]:
    """The keys of the equivalent queries' answers, so that each pair can be compared."""
    return {
        f"{second}#{key.rsplit('#', 1)[1]}"
        for key in keys
        for first, second in EQUIVALENT
        if key.startswith(first + "#")
    }


def normalise(query: BenchQuery, body: bytes) -> NormalAnswer:
    """A body in the query's answer format, normalised."""
    if query.form == "CONSTRUCT":
        return normalise_graph(body)
    return normalise_select(body, ordered=query.ordered)


def check_answers(
    system: str,
    workload: WorkloadResult,
    mix: list[BenchQuery],
    reference: dict[str, NormalAnswer],
) -> list[str]:
    """Every problem with a system's answers: errors, unreadable bodies, differences."""
    queries = {query.name: query for query in mix}
    problems = [f"{system}: {error}" for error in workload.errors()]
    for key, bodies in sorted(workload.bodies().items()):
        name = key.rsplit("#", 1)[0]
        query = queries[name]
        for body in bodies.values():
            try:
                got = normalise(query, body)
            except BadAnswerError as error:
                problems.append(f"{system} answered {key} unreadably: {error}")
                continue
            if not agrees(reference[key], got, query.check):
                problems.append(
                    f"{system} answered query {name} (request {key}) differently from the "
                    f"reference: {reference[key].difference(got)}"
                )
    return problems


async def run_http(
    system: HttpSystem, mix: list[BenchQuery], plan: Plan, say: Say
) -> tuple[WorkloadResult, float, int]:
    """Start a server, put it through the plan, stop it: workload, cold start, peak RSS.

    The warm runs begin once the server is warm (:meth:`HttpSystem.start`), never while
    ours still answers from disk as its copies load."""
    queries = {query.name: query for query in mix}
    await system.start(plan.concurrency)
    say(f"  first answer {system.cold_start:.2f} s after spawning, warm {system.warm_after:.2f} s")
    skipped: dict[str, str] = dict(system.cannot_answer)
    for name, reason in skipped.items():
        say(f"  {name}: skipped, {reason}")
    try:
        if system.name == "ascf-graph":
            lookup = queries[ID_LOOKUP]
            reason = await system.probe_linked_data(lookup.resource(0) or "")
            if reason:
                for name in LINKED_DATA:
                    skipped[name] = reason
                say(f"  {', '.join(LINKED_DATA)}: skipped, {reason}")

        async def call(request: Request) -> bytes:
            return await system.call(request, queries[request.query])

        workload = await exercise(call, mix, plan, skipped=skipped, progress=say)
    finally:
        peak = await system.stop()
    return workload, system.cold_start, peak


def run_inprocess(mode: str, prepared: Prepared, plan: Plan, say: Say) -> InProcessResult:
    """The bare engine in a child process (see :mod:`bench.inprocess`)."""
    result_file = prepared.folder / f"inprocess-{mode}.pickle"
    store_dir = prepared.folder / "inprocess-disk"
    shutil.rmtree(store_dir, ignore_errors=True)
    argv = [
        sys.executable,
        "-c",
        "from bench.inprocess import main; main()",
        mode,
        str(prepared.dump),
        str(prepared.folder / "manifest.json"),
        json.dumps(asdict(plan)),
        str(result_file),
        str(store_dir),
    ]
    process = subprocess.run(
        argv,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    for line in process.stdout.splitlines():
        say(line)
    if process.returncode != 0:
        raise RunFailedError(f"pyoxigraph-{mode} failed:\n{process.stderr[-3000:]}")
    result: InProcessResult = pickle.loads(result_file.read_bytes())
    result_file.unlink()
    shutil.rmtree(store_dir, ignore_errors=True)
    return result


class ForeignCpu:
    """CPU time the machine spent outside this process and its children, from now on."""

    def __init__(self) -> None:
        self._start = self._machine() - self._ours()

    @staticmethod
    def _machine() -> float:
        times = psutil.cpu_times()
        return sum(times) - times.idle - getattr(times, "iowait", 0.0)

    @staticmethod
    def _ours() -> float:
        me = psutil.Process()
        own = me.cpu_times()
        total = own.user + own.system + own.children_user + own.children_system
        for child in me.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                times = child.cpu_times()
                total += times.user + times.system
        return total

    def seconds(self) -> float:
        """CPU seconds used by other processes since this watch began."""
        return max(0.0, self._machine() - self._ours() - self._start)


def machine() -> dict[str, object]:
    """The machine the run happened on."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        memory = int(meminfo.read_text().split()[1]) * 1024
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def versions() -> dict[str, str]:
    """Versions of the systems under test."""
    found = {}
    for package in ("ascf-graph", "pyoxigraph", "oxigraph", "rdflib-endpoint", "rdflib"):
        try:
            found[package] = version(package)
        except Exception:
            found[package] = "not installed"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    found["ascf-graph commit"] = commit.stdout.strip() or "unknown"
    return found


async def run(options: Options, command: str, say: Say = print) -> dict[str, object]:
    """Run every chosen system over one dataset; write and return the results document."""
    started = time.perf_counter()
    plan = options.plan
    names = {query.name for query in query_mix(Manifest(seed=options.seed, target_triples=0))}
    unknown = sorted(set(plan.left_out) - names)
    if unknown:
        raise UnknownQueryError(f"no such queries to leave out: {', '.join(unknown)}")
    prepared = prepare(options.work, options.triples, options.seed, say=say)
    mix = plan.chosen(query_mix(prepared.manifest))
    say(f"dataset: {prepared.quads} quads ({prepared.manifest.triples} generated triples)")
    loads = {load.system: load for load in prepared.loads}
    outcomes: list[SystemOutcome] = []
    logs = prepared.folder / "logs"
    for name in options.systems:
        say(f"{LABELS[name]}:")
        watch = ForeignCpu()
        if name.startswith("pyoxigraph-"):
            mode = name.removeprefix("pyoxigraph-")
            result = run_inprocess(mode, prepared, plan, say)
            outcome = SystemOutcome(
                name,
                LABELS[name],
                result.cold_start,
                result.peak_rss,
                result.workload,
                Load(
                    name,
                    f"pyoxigraph bulk_load ({mode})",
                    result.load_seconds,
                    result.quads,
                    result.peak_rss,
                ),
            )
        else:
            system = {
                "ascf-graph": lambda: ours(prepared.our_store, prepared.content, logs / "ours.log"),
                "oxigraph": lambda: oxigraph_server(prepared.oxigraph_store, logs / "oxigraph.log"),
                "rdflib-endpoint": lambda: rdflib_endpoint(prepared.dump, logs / "rdflib.log"),
            }[name]()
            workload, cold_start, peak = await run_http(system, mix, plan, say)
            load = loads.get(name) or Load(
                name, "parse at start-up (cold start)", cold_start, prepared.quads, peak
            )
            outcome = SystemOutcome(name, LABELS[name], cold_start, peak, workload, load)
            outcome.warm_after = system.warm_after
        outcome.foreign_cpu = watch.seconds()
        if outcome.foreign_cpu > 5:
            say(f"  WARNING other processes used {outcome.foreign_cpu:.0f} CPU seconds meanwhile")
        outcomes.append(outcome)

    document = {
        "size": size_label(options.triples),
        "triples": prepared.manifest.triples,
        "quads": prepared.quads,
        "seed": options.seed,
        "command": command,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine(),
        "versions": versions(),
        "plan": asdict(plan),
        "manifest": {
            k: v for k, v in asdict(prepared.manifest).items() if not k.startswith("sample_")
        },
        "queries": {query.name: {"summary": query.summary, "kind": query.kind} for query in mix},
        "left_out": list(plan.left_out),
        "loads": {load.system: load.to_json() for load in prepared.loads},
        "answers_checked": False,
        "systems": {outcome.name: outcome.to_json() for outcome in outcomes},
    }
    options.results.mkdir(parents=True, exist_ok=True)
    path = options.results / f"{document['size']}.json"
    # Written before the check as well, so that the numbers survive a failing check.
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")

    say("checking every answer against pyoxigraph in memory")
    sent = {key for outcome in outcomes for key in outcome.workload.bodies()}
    reference = reference_answers(prepared, mix, sent)
    for outcome in outcomes:
        outcome.problems = check_answers(outcome.name, outcome.workload, mix, reference)
        for problem in outcome.problems[:5]:
            say(f"  PROBLEM {problem}")
    document["answers_checked"] = True
    document["systems"] = {outcome.name: outcome.to_json() for outcome in outcomes}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    say(f"results: {path}")
    if not options.keep_work:
        shutil.rmtree(prepared.folder, ignore_errors=True)
    return document


def failures(document: dict[str, object]) -> list[str]:
    """Every problem any system had, from a results document."""
    systems = document["systems"]
    assert isinstance(systems, dict)
    return [problem for outcome in systems.values() for problem in outcome["problems"]]
