"""The soak (`make soak`, bench/soak.py) itself: a short run against a real server passes,
every kind of client took part, and a run whose server breaks a bound fails."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ascf_graph.core.settings import Settings
from bench.soak_hostile import HOSTILES, hostile_schedule
from tests.support.stores import REPO

#: Short timeouts, so that the slow and idle clients get their answers within a short run.
IMPATIENT = ["--set", "ASCF_HEADER_TIMEOUT=2", "--set", "ASCF_BODY_TIMEOUT=2"]
ORDINARY = {
    "sparql-get", "sparql-post-form", "sparql-post-query", "sparql-construct", "curated",
    "id-lookup", "doc", "download", "validate-good", "validate-bad", "validate-csv",
    "submit-create",
}  # fmt: skip


def soak(built: Settings, report: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench.soak", "--store", str(built.data_dir), *IMPATIENT,
         "--report", str(report), *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip


def test_every_hostile_kind_is_scheduled_within_the_duration_and_the_seed_fixes_when() -> None:
    schedule = hostile_schedule(7, 15)
    assert {each.kind for _, each in schedule if each} == {each.kind for each in HOSTILES}
    assert None in {each for _, each in schedule}  # the connection flood
    assert all(0.5 <= delay <= 14 for delay, _ in schedule)
    assert schedule == hostile_schedule(7, 15)
    assert schedule != hostile_schedule(8, 15)


@pytest.mark.slow
def test_a_short_soak_of_a_real_server_passes(built: Settings, tmp_path: Path) -> None:
    report = tmp_path / "soak.json"
    result = soak(built, report, "--duration", "10", "--concurrency", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASSED" in result.stdout
    summary = json.loads(report.read_text())
    kinds = {row["kind"] for row in summary["kinds"]}
    assert kinds >= ORDINARY
    assert {each.kind for each in HOSTILES} | {"connection-flood"} <= kinds
    assert summary["busy"].get("too-many-connections") == 5
    assert summary["health"]["probes"] >= 5
    assert summary["health"]["failures"] == []
    assert 0 < summary["rss"]["end"] <= summary["rss"]["peak"]
    assert summary["failures"] == []


@pytest.mark.slow
def test_a_soak_fails_when_the_server_ends_above_the_memory_bound(
    built: Settings, tmp_path: Path
) -> None:
    report = tmp_path / "soak.json"
    result = soak(built, report, "--duration", "2", "--concurrency", "1", "--memory-bound", "1MiB")
    assert result.returncode == 1, result.stdout + result.stderr
    (failure,) = json.loads(report.read_text())["failures"]
    assert "above the bound" in failure
