"""The embedded store's build folders: a new build, publishing it, the write lock.

A build never writes into the store that is being served: it fills a fresh
folder and then swaps the ``current`` link to it in one atomic rename, so
readers see the old store or the new one, never half of one.
"""

import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WRITE_LOCK = ".write-lock"


CURRENT_LINK = "current"


STORES_FOLDER = "stores"


#: Marks of the builds in progress, one locked file per folder being built.
BUILDING_FOLDER = ".building"


@contextmanager
def new_build_folder(data_dir: Path) -> Iterator[Path]:
    """A fresh, empty folder for the next build's store, removed on the way out unless
    it was published (a failed build leaves nothing behind).

    While the context lasts the folder is marked as being built (an exclusive
    ``flock`` on ``.building/<name>``, taken before the folder exists), so that
    :func:`remove_unfinished_builds` never takes a running build's folder for the
    leftover of one that was killed, which a ``finally`` cannot clean up after.
    """
    name = f"build-{uuid.uuid4().hex[:16]}"
    marks = data_dir / BUILDING_FOLDER
    marks.mkdir(parents=True, exist_ok=True)
    with (marks / name).open("a") as mark:
        fcntl.flock(mark, fcntl.LOCK_EX)
        folder = data_dir / STORES_FOLDER / name
        try:
            folder.mkdir(parents=True)
            yield folder
        finally:
            if current_build(data_dir) != folder.resolve():
                shutil.rmtree(folder, ignore_errors=True)
            (marks / name).unlink(missing_ok=True)


def publish_build(data_dir: Path, folder: Path) -> None:
    """Point ``current`` at ``folder`` atomically, then remove older builds (under the
    write lock, as every caller of :func:`remove_unfinished_builds`)."""
    link = data_dir / CURRENT_LINK
    staging = data_dir / f".{CURRENT_LINK}-{uuid.uuid4().hex[:8]}"
    staging.symlink_to(folder.relative_to(data_dir))
    os.replace(staging, link)
    remove_unfinished_builds(data_dir)


def remove_unfinished_builds(data_dir: Path) -> list[str]:
    """Remove every store folder but the published one and those still being built:
    the builds a newer one replaced, and what a killed build left. Call it holding
    :func:`write_lock`, so that no build publishes meanwhile; returns what it removed."""
    removed = []
    current = current_build(data_dir)
    stores = data_dir / STORES_FOLDER
    for folder in sorted(stores.iterdir()) if stores.is_dir() else ():
        if folder.resolve() == current or _being_built(data_dir, folder.name):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        (data_dir / BUILDING_FOLDER / folder.name).unlink(missing_ok=True)
        removed.append(folder.name)
    for staging in data_dir.glob(f".{CURRENT_LINK}-*"):  # a link a killed swap left
        staging.unlink(missing_ok=True)
    return removed


def _being_built(data_dir: Path, name: str) -> bool:
    """Whether a live build holds the mark of the folder ``name``."""
    try:
        mark = (data_dir / BUILDING_FOLDER / name).open("rb")
    except FileNotFoundError:
        return False
    with mark:
        try:
            fcntl.flock(mark, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(mark, fcntl.LOCK_UN)
        return False


@contextmanager
def write_lock(data_dir: Path) -> Iterator[None]:
    """One writer at a time across processes: every write, and a build from the moment
    it reads the submissions it carries over until it has swapped ``current``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / WRITE_LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_build(data_dir: Path) -> Path | None:
    """The folder ``current`` points at, if a build was published."""
    link = data_dir / CURRENT_LINK
    return link.resolve() if link.exists() else None
