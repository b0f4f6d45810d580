"""SHACL timing: validating a steward's submission, our way against plain pyshacl.

A submission is generated city/project data (:mod:`bench.generator`) with
mistakes seeded in it (negative populations, lower-case currencies, unknown
focus areas, end dates before start dates). Against a store built from
``--store-size`` generated triples, each engine validates it in a child
process of its own, which reports the seconds spent validating (inputs
already loaded), the setup, the verdict, the violations found and its peak
RSS:

- ``ours``: :class:`~ascf_graph.shacl.validation.ValidationContext.for_submissions`
  (submission shapes; the store's statements about the IRIs the submission
  describes, and the types of every IRI mentioned, looked up in the store);
- ``ours-rudof``: the same context with the fast engine
  (:mod:`ascf_graph.shacl.rudof`), when pyrudof is installed;
- ``pyshacl-ont-graph``: plain pyshacl on the submission with the ontology
  graphs as ``ont_graph`` (it cannot see the framework's concepts, so it
  reports false ``sh:class`` violations: its count differs);
- ``pyshacl-whole-store``: plain pyshacl on the whole store plus the submission (the
  store's shipped statements of the properties the submission sets left out, as the
  service reads a correction: :mod:`ascf_graph.store.corrections`);
- ``ours-service``: the submission POSTed to ``/validate`` of a real server
  (``ascf-graph serve`` over a copy of the store), end to end: the body read,
  parsed and validated in a bounded input worker, the report sent back. Its
  peak RSS is the *server* process's, sampled while it answers (the worker's
  is reported beside it), which the bounded workers are there to keep flat.

The generator names some cities under both seeds (at 100k, ``kota-lura``), so
the submission describes nodes the store describes too, with other values;
since the store's are shipped data, the submission's correct them (they take
their place, and break nothing together). The generated store alone has no
Violation, so whole-store pyshacl counts the submission's Violations only,
and ``ours``, ``ours-rudof`` and it must find the very same set (focus node,
path, source shape, component, value): the run fails, naming the
differences, when they do not (:func:`same_violations`).
"""

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import SH

from ascf_graph.rdf.io import to_rdflib_graph, to_rdflib_term
from ascf_graph.rdf.turtle import to_oxigraph_triples
from ascf_graph.shacl.beyond_shapes import checked_beyond_shapes
from ascf_graph.shacl.reports import report_from_graph
from ascf_graph.shacl.validation import ValidationContext, validate
from ascf_graph.store.corrections import overridden
from ascf_graph.store.embedded import EmbeddedStore
from ascf_graph.workers import input_process
from bench.dataset import REPO, prepare
from bench.generator import generate, size_label
from bench.vocabulary import ASCF, ID, XSD, load_vocabulary

#: Predicate -> (every how many-th statement is broken, the wrong object written instead).
_MISTAKES = {
    f"<{ASCF}population>": (5, f'"-5"^^<{XSD}integer>'),
    f"<{ASCF}currency>": (7, '"usd"'),
    f"<{ASCF}focusArea>": (11, f"<{ID}focus-area/space-exploration>"),
    f"<{ASCF}endDate>": (13, f'"2001-01-01"^^<{XSD}date>'),
}
ENGINES = ("ours", "ours-rudof", "ours-service", "pyshacl-ont-graph", "pyshacl-whole-store")
BASE = "https://w3id.org/ascf/"


def seeded_submission(triples: int, *, seed: int, folder: Path) -> rdflib.Graph:
    """Generated data of about ``triples`` triples with four kinds of mistake seeded in it."""
    path = folder / f"submission-{triples}-{seed}.nt"
    write_seeded_submission(triples, seed=seed, path=path)
    graph = rdflib.Graph()
    graph.parse(path, format="nt")
    return graph


def write_seeded_submission(triples: int, *, seed: int, path: Path) -> int:
    """Write the submission as N-Triples; how many mistakes were seeded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = path.with_suffix(".raw.nt")
    generate(load_vocabulary(REPO / "ontology"), triples, seed, raw)
    seen: dict[str, int] = {}
    mistakes = 0
    with raw.open(encoding="utf-8") as source, path.open("w", encoding="utf-8") as target:
        for statement in source:
            subject, predicate, _ = statement.split(" ", 2)
            every = _MISTAKES.get(predicate)
            written = statement
            if every is not None:
                seen[predicate] = seen.get(predicate, 0) + 1
                if seen[predicate] % every[0] == 1:
                    written = f"{subject} {predicate} {every[1]} .\n"
                    mistakes += 1
            target.write(written)
    raw.unlink()
    return mistakes


def measure(engine: str, submission: Path, store_dir: Path) -> dict[str, object]:
    """Validate ``submission`` with ``engine`` in this process; timings and counts."""
    if engine == "ours-service":
        return measure_service(submission, store_dir)

    started = time.perf_counter()
    data = rdflib.Graph()
    data.parse(submission, format="nt")
    store = EmbeddedStore.open(store_dir)
    context = ValidationContext.for_submissions(store, BASE)
    if engine in ("ours", "ours-rudof"):
        setup = time.perf_counter() - started
        began = time.perf_counter()
        if engine == "ours-rudof":
            # Imported here: pyrudof is optional, and only this engine needs it.
            from ascf_graph.shacl.rudof import validate_fast  # noqa: PLC0415

            report = validate_fast(data, context)
        else:
            report = validate(data, context)
        # As `ascf-graph validate` and the service do: the checks SHACL cannot state too.
        report = checked_beyond_shapes(report, to_oxigraph_triples(data), store, BASE)
        seconds = time.perf_counter() - began
        conforms, violations = report.conforms, report.count("Violation")
        found = [
            [r.focus_node, r.path, r.shape, r.constraint, r.value]
            for r in report.results
            if r.severity == "Violation"
        ]
    else:
        if engine == "pyshacl-ont-graph":
            ontology = _graphs(store, lambda name: name.count("/") == 4)
            target, extra = data, {"ont_graph": ontology}
        else:
            target = _graphs(store, lambda name: "/shapes/" not in name)
            # As the service reads the store once the submission is in: its statements
            # take the place of the shipped ones of the properties it sets.
            for quad in overridden(store, BASE, to_oxigraph_triples(data)):
                target.remove(tuple(to_rdflib_term(term) for term in quad.triple))  # type: ignore[arg-type]
            target += data
            extra = {}
        setup = time.perf_counter() - started
        began = time.perf_counter()
        conforms, report_graph, _ = pyshacl.validate(
            target,
            shacl_graph=context.shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            do_owl_imports=False,
            **extra,
        )
        seconds = time.perf_counter() - began
        sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
        violations = sum(1 for _ in report_graph.subjects(sh.resultSeverity, sh.Violation))
        found = [
            [r.focus_node, r.path, r.shape, r.constraint, r.value]
            for r in report_from_graph(report_graph).results
            if r.severity == "Violation"
        ]
    store.close()
    return {
        "engine": engine,
        "seconds": round(seconds, 4),
        "setup_seconds": round(setup, 4),
        "conforms": bool(conforms),
        "violations": violations,
        "violation_keys": sorted(found, key=str),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def measure_service(submission: Path, store_dir: Path) -> dict[str, object]:
    """POST ``submission`` to ``/validate`` of a server started over a copy of ``store_dir``,
    twice: the seconds end to end, the server process's peak RSS while it answered the
    first, and how much the same upload grew it again (``again_growth_mb``): the first also
    fills the store's block cache and the allocator's arenas, which stay."""
    body = submission.read_bytes()
    with tempfile.TemporaryDirectory() as scratch, socket.socket() as probe:
        data_dir = Path(scratch) / "store"
        shutil.copytree(store_dir, data_dir, symlinks=True)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        limits = str(max(len(body) * 2, 64 * 1024 * 1024))
        environment = {
            **os.environ,
            "ASCF_DATA_DIR": str(data_dir),
            "ASCF_CONTENT_DIR": str(REPO),
            "ASCF_MAX_BODY_BYTES": limits,
            "ASCF_BODY_MEMORY": limits,
            "ASCF_MAX_TRIPLES": "10000000",
            "ASCF_QUERY_WORKERS": "1",
            "ASCF_VALIDATION_TIMEOUT": "3600",
        }
        started = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, "-m", "ascf_graph", "serve", "--no-supervise", "--port", str(port)],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=url, timeout=3600) as client:
                _wait_for(client, server)
                warm = client.post(  # starts an input worker, which loads pyshacl
                    "/validate",
                    content=b"<https://example.org/a> <https://example.org/p> 1 .",
                    headers={"Content-Type": "text/turtle"},
                )
                warm.raise_for_status()
                setup = time.perf_counter() - started
                process = psutil.Process(server.pid)
                before = process.memory_info().rss
                first = _post_sampled(client, body, process)
                again = _post_sampled(client, body, process)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report = first["report"]
    found = [
        [r["focus_node"], r["path"], r["shape"], r["constraint"], r["value"]]
        for node in report["focusNodes"]
        for r in node["results"]
        if r["severity"] == "Violation"
    ]
    return {
        "engine": "ours-service",
        "seconds": round(first["seconds"], 4),
        "setup_seconds": round(setup, 4),
        "conforms": bool(report["conforms"]),
        "violations": report["counts"]["Violation"],
        "violation_keys": sorted(found, key=str),
        "peak_rss_mb": round(first["server"] / 2**20, 1),
        "server_rss_before_mb": round(before / 2**20, 1),
        "worker_peak_rss_mb": round(first["workers"] / 2**20, 1),
        "again_seconds": round(again["seconds"], 4),
        "again_growth_mb": round((again["server"] - again["rss_before"]) / 2**20, 1),
    }


def _post_sampled(client: httpx.Client, body: bytes, server: psutil.Process) -> dict[str, Any]:
    """POST ``body`` to ``/validate``; the seconds, the report, the server's RSS before and
    its peak while it answered, and its input workers' peak, sampled every 20 ms."""
    before = server.memory_info().rss
    peaks = {"server": before, "workers": 0}
    answered = threading.Event()

    def sample() -> None:
        while not answered.wait(0.02):
            peaks["server"] = max(peaks["server"], server.memory_info().rss)
            peaks["workers"] = max(peaks["workers"], _input_workers_rss(server))

    sampler = threading.Thread(target=sample)
    sampler.start()
    began = time.perf_counter()
    try:
        response = client.post(
            "/validate", content=body, headers={"Content-Type": "application/n-triples"}
        )
    finally:
        seconds = time.perf_counter() - began
        answered.set()
        sampler.join()
    response.raise_for_status()
    return {"seconds": seconds, "report": response.json(), "rss_before": before, **peaks}


def _input_workers_rss(server: psutil.Process) -> int:
    """Bytes resident in the server's input workers now (one that just ended counts 0)."""
    total = 0
    for child in server.children():
        try:
            if input_process.__name__ in child.cmdline():
                total += child.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def _wait_for(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    """Until the server answers ``/health`` (or has exited: an error)."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            if client.get("/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /health within 600 s")


def _graphs(store: object, keep: object) -> rdflib.Graph:
    """The union of the store's named graphs whose IRI ``keep`` accepts, as one rdflib graph."""
    oxigraph: ox.Store = store.oxigraph  # type: ignore[attr-defined]
    graph = rdflib.Graph()
    for name in oxigraph.named_graphs():
        if keep(name.value):  # type: ignore[operator]
            graph += to_rdflib_graph(oxigraph.quads_for_pattern(None, None, None, name))
    return graph


def measure_main() -> None:
    """Child-process entry: ``ENGINE SUBMISSION STORE_DIR``; prints one JSON line."""
    engine, submission, store_dir = sys.argv[1:4]
    print(json.dumps(measure(engine, Path(submission), Path(store_dir))))


def run_shacl(
    *,
    sizes: list[int],
    store_triples: int,
    seed: int,
    work: Path,
    results: Path,
    command: str,
    engines: tuple[str, ...] = ENGINES,
) -> dict[str, object]:
    """Time every engine on every submission size; write ``shacl.json`` and return it."""
    prepared = prepare(work, store_triples, seed)
    store_dir = prepared.our_store
    rows = []
    disagreements = []
    for size in sizes:
        submission = prepared.folder / f"submission-{size_label(size)}.nt"
        mistakes = write_seeded_submission(size, seed=seed + 1000, path=submission)
        found: dict[str, set[tuple[str | None, ...]]] = {}
        for engine in engines:
            completed = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "from bench.shacl import measure_main; measure_main()",
                    engine,
                    str(submission),
                    str(store_dir),
                ],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=False,
                env={
                    **os.environ,
                    "PYTHONPATH": os.pathsep.join(
                        filter(None, (str(REPO), os.environ.get("PYTHONPATH")))
                    ),
                },
            )
            if completed.returncode != 0:
                row = {"engine": engine, "error": completed.stderr.strip()[-500:]}
            else:
                row = json.loads(completed.stdout.strip().splitlines()[-1])
            row.update({"submission": size_label(size), "mistakes": mistakes})
            if "violation_keys" in row:
                found[engine] = {tuple(key) for key in row.pop("violation_keys")}
            print(json.dumps(row), flush=True)
            rows.append(row)
        disagreements += same_violations(size_label(size), found)
    document = {
        "command": command,
        "store_quads": prepared.quads,
        "store_size": size_label(store_triples),
        "rows": rows,
    }
    results.mkdir(parents=True, exist_ok=True)
    (results / "shacl.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if disagreements:
        raise RuntimeError("the engines disagree:\n" + "\n".join(disagreements))
    return document


#: Plain pyshacl over the whole store, which makes none of the checks beyond the shapes.
PLAIN_PYSHACL = "pyshacl-whole-store"
#: The engines that must find the very same Violations (``pyshacl-ont-graph`` cannot).
AGREEING = ("ours", "ours-rudof", "ours-service", PLAIN_PYSHACL)


def same_violations(submission: str, found: dict[str, set[tuple[str | None, ...]]]) -> list[str]:
    """What the engines of :data:`AGREEING` that ran found differently, one line each.

    Each Violation is (focus node, path, source shape, constraint component,
    value). Plain pyshacl over the whole store checks the stored data too, but
    the generated store conforms (its own Violations: none), so every one it
    finds is the submission's, and ours must find the same set.

    >>> count = "http://www.w3.org/ns/shacl#MinCountConstraintComponent"
    >>> a, b = ("a", "p", "s", count, None), ("b", "p", "s", count, None)
    >>> same_violations("1k", {"ours": {a}, "pyshacl-whole-store": {a, b}})  # doctest: +ELLIPSIS
    ["1k: pyshacl-whole-store found 1 Violation ours did not, e.g. ('b', 'p', 's', ...)"]
    """
    present = [engine for engine in AGREEING if engine in found]
    lines = []
    for engine in present[1:]:
        reference = present[0]
        for one, other in ((engine, reference), (reference, engine)):
            extra = sorted(
                _as_plain_shacl_finds(found[one], engine=one, other=other) - found[other],
                key=str,
            )
            if extra:
                lines.append(
                    f"{submission}: {one} found {len(extra)} Violation"
                    f"{'s' if len(extra) != 1 else ''} {other} did not, e.g. {extra[0]}"
                )
    return lines


def _as_plain_shacl_finds(
    found: set[tuple[str | None, ...]], *, engine: str, other: str
) -> set[tuple[str | None, ...]]:
    """``found``, less the results of the checks beyond the shapes (their constraint
    components are not SHACL's) when compared with plain pyshacl, which cannot make them.

    >>> _as_plain_shacl_finds(
    ...     {("a", None, None, "https://w3id.org/ascf/def/shapes/X", None)},
    ...     engine="ours",
    ...     other="pyshacl-whole-store",
    ... )
    set()
    """
    if PLAIN_PYSHACL not in (engine, other):
        return found
    return {key for key in found if str(key[3]).startswith(str(SH))}


def shacl_section(document: dict) -> str:  # type: ignore[type-arg]
    """The Markdown table of the SHACL timing, with ratios to ours."""
    lines = [
        f"### SHACL: validating a steward submission (store of {document['store_size']} "
        f"generated triples, {document['store_quads']} quads)",
        "",
        f"`{document['command']}`",
        "",
        "| submission | engine | validate s | setup s | peak RSS MB | violations "
        "| time relative to ours |",
        "|---|---|---|---|---|---|---|",
    ]
    ours = {
        row["submission"]: row["seconds"]
        for row in document["rows"]
        if row["engine"] == "ours" and "seconds" in row
    }
    for row in document["rows"]:
        if "error" in row:
            lines.append(f"| {row['submission']} | {row['engine']} | error | | | | |")
            continue
        base = ours.get(row["submission"])
        ratio = f"{row['seconds'] / base:.1f}x" if base and row["engine"] != "ours" else ""
        lines.append(
            f"| {row['submission']} | {row['engine']} | {row['seconds']:.2f} | "
            f"{row['setup_seconds']:.2f} | {row['peak_rss_mb']:.0f} | {row['violations']} | "
            f"{ratio} |"
        )
    service = [
        row for row in document["rows"] if row["engine"] == "ours-service" and "seconds" in row
    ]
    if service:
        lines.append("")
        lines.append(
            "`ours-service` is end to end over HTTP; its peak RSS is the server process's "
            "(the input worker's: "
            + ", ".join(
                f"{row['worker_peak_rss_mb']:.0f} MB at {row['submission']}" for row in service
            )
            + "). The same upload sent again to the same server grew it by "
            + ", ".join(
                f"{row.get('again_growth_mb', 0):.1f} MB at {row['submission']}" for row in service
            )
            + " (the first one also fills the store's block cache, which stays)."
        )
    return "\n".join(lines) + "\n"
