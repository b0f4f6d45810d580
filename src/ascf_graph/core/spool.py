"""A folder for what is too large to hold in the server's memory: bodies and parsed data.

A 100k-triple upload is 17 MB as sent and as much again as the N-Triples an
input worker makes of it; held in the server while it is checked, the two
raised the server's memory by 53 MB per validation. Instead the body is
written here as it arrives, the worker reads it from here and writes its
N-Triples here, and the server reads them again only a line at a time.

Files are named at random in a folder of the server process's own under
the data directory's (``{data_dir}/spool/{pid}``), so that two servers
sharing a data directory (over a remote store) never touch each other's.
A server starting removes the folders of processes that are gone, so what a
killed server left goes then. Each file is removed as soon as its owner is
done with it (:meth:`Spool.tie`: when an object is collected) or explicitly
(:meth:`Spool.discard`).
"""

import os
import secrets
import shutil
import weakref
from pathlib import Path


class Spool:
    """Files in a folder of this process's under ``root``, each removed when its owner is
    done with it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / str(os.getpid())

    def open(self) -> "Spool":
        """Remove what processes that are gone left in ``root`` (this process's folder is
        made when it is first needed, so that a server that spools nothing writes nothing
        under the data directory); return this spool."""
        if self.root.is_dir():
            for left in self.root.iterdir():
                if left == self.folder or not _running(left.name):
                    if left.is_dir():
                        shutil.rmtree(left, ignore_errors=True)
                    else:
                        left.unlink(missing_ok=True)
        return self

    def new_path(self, suffix: str) -> Path:
        """A fresh file name in this process's folder (the file is not created)."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
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


def _running(name: str) -> bool:
    """Whether ``name`` is the id of a process running now."""
    if not name.isdigit():
        return False
    try:
        os.kill(int(name), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's: running
        return True
    return True
