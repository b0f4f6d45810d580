"""A folder for what is too large to hold in the server's memory: bodies and parsed data.

A 100k-triple upload is 17 MB as sent and as much again as the N-Triples an
input worker makes of it; held in the server while it is checked, the two
raised the server's memory by 53 MB per validation. Instead the body is
written here as it arrives, the worker reads it from here and writes its
N-Triples here, and the server reads them again only a line at a time.

Files are named at random in one folder per data directory
(``{data_dir}/spool``); the server empties it when it starts, so that what a
killed server left goes then. Each file is removed as soon as its owner is
done with it (:meth:`Spool.tie`: when an object is collected) or explicitly
(:meth:`Spool.discard`).
"""

import secrets
import shutil
import weakref
from pathlib import Path


class Spool:
    """Files in ``folder``, each removed when its owner is done with it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def open(self) -> "Spool":
        """Create the folder, emptied of what an earlier server left; return this spool."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, mode=0o700)
        return self

    def new_path(self, suffix: str) -> Path:
        """A fresh file name in the folder (the file is not created)."""
        return self.folder / f"{secrets.token_hex(12)}{suffix}"

    def tie(self, owner: object, path: Path) -> None:
        """Remove ``path`` when ``owner`` is garbage-collected (or the process exits)."""
        weakref.finalize(owner, _remove, path)

    @staticmethod
    def discard(path: Path) -> None:
        """Remove ``path`` now, if it is there."""
        _remove(path)


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
