"""The audit log: every write to the store and every refused write, one JSON line each.

The file lives under the data directory (``audit.jsonl``), is only ever
appended to, and each line is written with a single ``write`` on a file
opened in append mode, then flushed to disk, so lines from concurrent
requests never interleave and a crash loses at most the line being written.

Events:

- ``write-started``: a submission passed validation and its transaction begins;
- ``committed``: that transaction committed (the store's new generation is
  named), logged under the write lock the moment it did;
- ``write-failed``: that transaction did not happen (``status`` and ``code``);
- ``accepted``: the request was answered as a success;
- ``refused``: the request changed nothing; ``status`` and ``code`` say why.

A ``write-started`` followed by neither ``committed`` nor ``write-failed`` is
a write a crash interrupted: the store holds all of it if its generation
moved on (one transaction), none otherwise. A ``committed`` without its
``accepted`` is a write that succeeded though the answer was not sent.
"""

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass
class AuditLog:
    """Appends events to one JSON-lines file."""

    path: Path
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, event: str, **details: Any) -> None:
        """Append one event with the time and ``details`` (None values left out)."""
        entry = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event}
        entry.update({key: value for key, value in details.items() if value is not None})
        line = (json.dumps(entry, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(descriptor, line)
                os.fsync(descriptor)
            finally:
                os.close(descriptor)

    def entries(self) -> list[dict[str, Any]]:
        """Every event so far, oldest first."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]
