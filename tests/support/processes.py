"""Watching a test server's processes through /proc: its query workers, their CPU, its memory."""

import time
from collections.abc import Callable
from pathlib import Path

from tests.support.servers import ServerProcess


def children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (the query workers of a server)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def cpu_ticks(pid: int) -> int:
    """User plus system CPU time of a process, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def resident_memory_kib(pid: int) -> int:
    """A process's resident memory now (VmRSS), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc status")


def wait_for(condition: Callable[[], object], what: str, patience: float = 30.0) -> object:
    """Poll until ``condition()`` is truthy; fail naming ``what`` if it never is."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def busy_worker(server: ServerProcess) -> int | None:
    """A worker of ``server`` that is burning CPU right now, if any."""
    before = {pid: cpu_ticks(pid) for pid in children(server.pid)}
    time.sleep(0.2)
    burning = [pid for pid, ticks in before.items() if cpu_ticks(pid) - ticks >= 3]
    return burning[0] if burning else None
