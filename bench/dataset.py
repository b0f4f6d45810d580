"""Preparing one dataset for every system: generate, build ours, dump, load the peers' stores.

Under ``{out}/{size}-seed{seed}/``:

- ``content/``: ``ontology/`` and ``shapes/`` linked from the checkout, and
  ``data/bench-synthetic.nt`` from :mod:`bench.generator` (never the
  checkout's ``data/``);
- ``ours/``: our store, made by ``ascf-graph build --no-reasoner
  --skip-validation`` (HermiT and pyshacl do not scale to generated data;
  the benchmark times validation on its own, see :mod:`bench.shacl`);
- ``dataset.nq``: a dump of our store, all graphs including ``graph/inferred``,
  so that every peer answers over exactly the same quads;
- ``oxigraph/``: the same quads, loaded by ``oxigraph load``.

Each load is timed in its own process, with that process's peak RSS.
"""

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from bench.generator import SAMPLES, Manifest, generate, size_label
from bench.systems import bin_path
from bench.vocabulary import load_vocabulary

REPO = Path(__file__).resolve().parents[1]
DATA_FILE = "bench-synthetic.nt"
Say = Callable[[str], None]


@dataclass(frozen=True)
class Load:
    """One timed load: seconds, quads in the result, peak RSS of the loading process."""

    system: str
    what: str
    seconds: float
    quads: int
    peak_rss: int

    @property
    def quads_per_second(self) -> float:
        """Loading speed."""
        return self.quads / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, object]:
        """For the results file."""
        return {**asdict(self), "quads_per_second": round(self.quads_per_second, 1)}


@dataclass(frozen=True)
class Prepared:
    """Where one dataset's files are, and what preparing them cost."""

    folder: Path
    manifest: Manifest
    content: Path
    our_store: Path
    dump: Path
    oxigraph_store: Path
    quads: int
    loads: tuple[Load, ...]


def timed_process(
    argv: list[str], *, env: dict[str, str] | None = None, log: Path
) -> tuple[float, int]:
    """Run a command to the end; its wall time and peak RSS (``wait4``), or raise on failure."""
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, env={**os.environ, **(env or {})}, stdout=output, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(argv)} failed with {process.returncode}:\n{tail}")
    return seconds, usage.ru_maxrss * 1024


def prepare(out: Path, triples: int, seed: int, *, say: Say = print) -> Prepared:
    """Generate (or reuse) the dataset of this size and seed, and every system's store."""
    folder = out / f"{size_label(triples)}-seed{seed}"
    content = folder / "content"
    data_file = content / "data" / DATA_FILE
    manifest_file = folder / "manifest.json"
    logs = folder / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for name in ("ontology", "shapes"):
        link = content / name
        if not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(REPO / name, target_is_directory=True)
    manifest = Manifest.read(manifest_file) if manifest_file.exists() else None
    if manifest is not None and manifest.samples == SAMPLES and data_file.exists():
        say(f"reusing {data_file} ({manifest.triples} triples)")
    else:
        say(f"generating {triples} triples (seed {seed}) into {data_file}")
        manifest = generate(load_vocabulary(REPO / "ontology"), triples, seed, data_file)
        manifest.write(manifest_file)

    our_store = folder / "ours"
    shutil.rmtree(our_store, ignore_errors=True)
    say("building our store: ascf-graph build --no-reasoner --skip-validation")
    seconds, rss = timed_process(
        [sys.executable, "-m", "ascf_graph", "build", "--no-reasoner", "--skip-validation"],
        env={"ASCF_DATA_DIR": str(our_store), "ASCF_CONTENT_DIR": str(content)},
        log=logs / "build.log",
    )
    dump = folder / "dataset.nq"
    quads = _dump(our_store, dump)
    loads = [
        Load("ascf-graph", "ascf-graph build (no reasoner, no validation)", seconds, quads, rss)
    ]

    oxigraph_store = folder / "oxigraph"
    shutil.rmtree(oxigraph_store, ignore_errors=True)
    say("loading the dump with oxigraph load")
    seconds, rss = timed_process(
        [bin_path("oxigraph"), "load", "--location", str(oxigraph_store), "--file", str(dump)],
        log=logs / "oxigraph-load.log",
    )
    loads.append(Load("oxigraph", "oxigraph load", seconds, quads, rss))
    return Prepared(folder, manifest, content, our_store, dump, oxigraph_store, quads, tuple(loads))


def _dump(store_dir: Path, target: Path) -> int:
    """Write every quad of our built store to N-Quads; how many."""
    store = ox.Store.read_only(str((store_dir / "current").resolve()))
    store.dump(output=str(target), format=ox.RdfFormat.N_QUADS)
    count = len(store)
    del store
    return count
