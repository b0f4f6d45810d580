"""The report: Markdown tables of ratios and a plot of latency against dataset size.

Reads every ``{size}.json`` results file in the results folder (the latest
run of each size) and writes ``report.md`` and ``latency.png`` beside them.
Ratios are ours over the peer's: throughput above 1x means we answer more
requests per second, p99 below 1x means our slowest answers are faster.
"""

import json
import math
from pathlib import Path

from bench.shacl import shacl_section

OURS = "ascf-graph"
PEERS = ("oxigraph", "rdflib-endpoint", "pyoxigraph-memory", "pyoxigraph-disk")


def load_results(folder: Path) -> list[dict[str, object]]:
    """Every results document in ``folder``, smallest dataset first."""
    documents = []
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(document, dict) and "systems" in document:
            documents.append(document)
    return sorted(documents, key=lambda d: int(d["quads"]))  # type: ignore[arg-type]


def _ratio(ours: float | None, theirs: float | None) -> str:
    if not ours or not theirs or math.isnan(ours) or math.isnan(theirs):
        return "–"
    return f"{ours / theirs:.2f}x"


def _geomean(values: list[float]) -> float | None:
    values = [v for v in values if v > 0 and not math.isnan(v)]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def size_section(document: dict) -> str:  # type: ignore[type-arg]
    """The Markdown for one dataset size."""
    systems: dict = document["systems"]  # type: ignore[type-arg]
    machine = document["machine"]
    peers = [p for p in PEERS if p in systems]
    salted = "repeat_requests" in document["plan"]  # runs since requests carry a salt
    lines = [
        f"### {document['size']} generated triples ({document['quads']} quads served)",
        "",
        f"`{document['command']}` on {machine['cores']} cores ({machine['cpu']}, "
        f"{machine['memory_gib']} GiB), {document['when']}, ascf-graph "
        f"{document['versions'].get('ascf-graph commit', '?')}; plan: "
        f"{document['plan']['requests']} requests per analytic query, "
        f"{document['plan'].get('lookup_requests', document['plan']['requests'])} per lookup "
        f"and {document['plan']['mix_requests']}"
        f" in the mix, concurrency {document['plan']['concurrency']}"
        + ("; every request's text unique, so no answer cache serves it" if salted else "")
        + (
            f"; then {document['plan']['repeat_requests']} Zipf-distributed requests of which"
            f" {document['plan']['repeat_share']:.0%} ask again (the **repeats** row)."
            if document["plan"].get("repeat_requests")
            else "."
        ),
        "",
    ]
    if document.get("left_out"):
        lines += [f"Left out of this run: {', '.join(document['left_out'])}.", ""]
    if OURS in systems:
        lines += ratio_table(document, peers)
    lines += systems_table(systems)
    return "\n".join(lines) + "\n"


def systems_table(systems: dict) -> list[str]:  # type: ignore[type-arg]
    """Loads, cold starts, memory and mix latency of every system."""
    lines = [
        "| system | load | load s | quads/s | load peak RSS MB | cold start s "
        "| serving peak RSS MB | mix req/s | mix p50 ms | mix p95 ms | mix p99 ms "
        "| wrong answers | CPU s used by other processes meanwhile |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for outcome in systems.values():
        load = outcome.get("load") or {}
        mix = outcome.get("mix") or {}
        lines.append(
            f"| {outcome['label']} | {load.get('what', '–')} | {load.get('seconds', 0):.2f} | "
            f"{load.get('quads_per_second', 0):,.0f} | {load.get('peak_rss', 0) / 2**20:.0f} | "
            f"{outcome['cold_start_s']:.2f} | {outcome['peak_rss_mb']:.0f} | "
            f"{mix.get('throughput', 0):.1f} | {mix.get('p50_ms', 0):.1f} | "
            f"{mix.get('p95_ms', 0):.1f} | {mix.get('p99_ms', 0):.1f} | "
            f"{len(outcome['problems'])} | {outcome.get('foreign_cpu_s', '–')} |"
        )
    return lines


def ratio_table(document: dict, peers: list[str]) -> list[str]:  # type: ignore[type-arg]
    """Ours against each peer, per query, for the mix and the repeats, and their means."""
    systems: dict = document["systems"]  # type: ignore[type-arg]
    lines: list[str] = []
    ours = systems[OURS]
    header = ["query", "kind", "ours req/s", "ours p99 ms"]
    for peer in peers:
        header += [f"req/s vs {peer}", f"p99 vs {peer}"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    per_peer: dict[tuple[str, str], list[float]] = {}
    for name, info in document["queries"].items():
        mine = ours["queries"].get(name)
        row = [f"`{name}`", info["kind"]]
        if mine is None:
            row += ["skipped", "–"] + ["–"] * (2 * len(peers))
            lines.append("| " + " | ".join(row) + " |")
            continue
        row += [f"{mine['throughput']:.1f}", f"{mine['p99_ms']:.1f}"]
        for peer in peers:
            theirs = systems[peer]["queries"].get(name)
            if theirs is None:
                row += ["–", "–"]
                continue
            row += [
                _ratio(mine["throughput"], theirs["throughput"]),
                _ratio(mine["p99_ms"], theirs["p99_ms"]),
            ]
            if theirs["throughput"]:
                ratio = mine["throughput"] / theirs["throughput"]
                per_peer.setdefault((peer, info["kind"]), []).append(ratio)
                per_peer.setdefault((peer, "all"), []).append(ratio)
        lines.append("| " + " | ".join(row) + " |")
    for run, label in (("mix", "**mix**"), ("repeat", "**repeats**")):
        mine = ours.get(run) or {}
        if not mine:
            continue
        kind = "all" if run == "mix" else f"{ours.get('repeat_share', 0):.0%} asked before"
        row = [label, kind, f"{mine.get('throughput', 0):.1f}", f"{mine.get('p99_ms', 0):.1f}"]
        for peer in peers:
            theirs = systems[peer].get(run) or {}
            row += [
                _ratio(mine.get("throughput"), theirs.get("throughput")),
                _ratio(mine.get("p99_ms"), theirs.get("p99_ms")),
            ]
        lines.append("| " + " | ".join(row) + " |")
    for kind in ("analytic", "lookup", "all"):
        row = ["**geometric mean**", f"{kind} queries", "", ""]
        for peer in peers:
            mean = _geomean(per_peer.get((peer, kind), []))
            row += [f"{mean:.2f}x" if mean else "–", ""]
        lines.append("| " + " | ".join(row) + " |")
    lines += skipped_notes(systems, peers)
    lines.append("")
    return lines


def skipped_notes(systems: dict, peers: list[str]) -> list[str]:  # type: ignore[type-arg]
    """One line per query a system was not put through, with the reason."""
    ours = systems[OURS]["skipped"]
    lines = [f"\n`{name}` skipped for ours: {reason}." for name, reason in ours.items()]
    for peer in peers:
        lines += [
            f"\n`{name}` not given to {peer} (nor in its mix and repeats): {reason}."
            for name, reason in systems[peer].get("skipped", {}).items()
        ]
    return lines


def plot(documents: list[dict], target: Path) -> None:  # type: ignore[type-arg]
    """Mix latency (p50 solid, p99 dashed) against quads served, per system, log-log."""
    # Imported here: only the figure needs matplotlib (slow to import), and pyplot must be
    # imported after the backend is chosen.
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure, axes = plt.subplots(figsize=(8, 5))
    names = sorted({name for d in documents for name in d["systems"]})
    for index, name in enumerate(names):
        points = [
            (d["quads"], d["systems"][name]["mix"])
            for d in documents
            if name in d["systems"] and (d["systems"][name]["mix"] or {}).get("answered")
        ]
        if not points:
            continue
        color = f"C{index}"
        sizes = [p[0] for p in points]
        axes.plot(sizes, [p[1]["p50_ms"] for p in points], "o-", color=color, label=f"{name} p50")
        axes.plot(sizes, [p[1]["p99_ms"] for p in points], "s--", color=color, label=f"{name} p99")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("quads served")
    axes.set_ylabel("latency of the query mix (ms)")
    axes.set_title("Query-mix latency against dataset size (same run, same machine)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    figure.savefig(target, dpi=120)
    plt.close(figure)


def write_report(folder: Path) -> str:
    """Write ``report.md`` (and ``latency.png``, and ``shacl.md`` if timed) and return the text."""
    documents = load_results(folder)
    sections = ["## Benchmark results", ""]
    sections += [size_section(d) for d in reversed(documents)]
    shacl = folder / "shacl.json"
    if shacl.exists():
        sections.append(shacl_section(json.loads(shacl.read_text(encoding="utf-8"))))
    text = "\n".join(sections)
    (folder / "report.md").write_text(text, encoding="utf-8")
    if documents:
        plot(documents, folder / "latency.png")
    return text
