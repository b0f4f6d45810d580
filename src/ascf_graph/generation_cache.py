"""What the service derives from the store, kept until the store's generation changes.

Pages, the search index, the ontology documentation and the dumps are all
functions of the store's contents, and the store's ``generation`` changes
whenever its contents do. :class:`GenerationCache` keeps such derived things
in memory (:meth:`GenerationCache.memo`) or as files on disk under
``{data_dir}/cache/{generation}/`` (:meth:`GenerationCache.file`), and drops
them all, memory and folders, the first time it sees a new generation. It
lives on ``app.state``; nothing is global.
"""

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MARKER = ".first-served"


class GenerationCache:
    """Derived values and files for one store generation at a time."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._generation: str | None = None
        self._values: dict[str, object] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> "GenerationCache":
        """The service's cache, under ``{data_dir}/cache/``."""
        return cls(data_dir / "cache")

    def memo(self, generation: str, key: str, compute: Callable[[], T]) -> T:
        """The value ``compute()`` gave for ``key`` in this generation (computed once)."""
        lock = self._lock_for(generation, key)
        with lock:
            with self._guard:
                if self._generation == generation and key in self._values:
                    return self._values[key]  # type: ignore[return-value]
            value = compute()
            with self._guard:
                if self._generation == generation:
                    self._values[key] = value
            return value

    def file(self, generation: str, name: str, write: Callable[[Path], None]) -> Path:
        """The file ``name`` of this generation, written by ``write(path)`` if missing.

        ``write`` fills a temporary file that is renamed into place, so a reader
        never sees half a file and a failed write leaves nothing behind.
        """
        target = self.folder(generation) / name
        with self._lock_for(generation, f"file:{name}"):
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".writing-")
                os.close(handle)
                try:
                    write(Path(temporary))
                    os.replace(temporary, target)
                except BaseException:
                    Path(temporary).unlink(missing_ok=True)
                    raise
        return target

    def folder(self, generation: str) -> Path:
        """This generation's folder on disk, created (with its first-served mark) if new."""
        with self._guard:
            return self._folder(generation)

    def _folder(self, generation: str) -> Path:
        """:meth:`folder`, under the guard: a request still on an older generation may
        switch the cache meanwhile, and the switch deletes every other generation's
        folder (under the guard too), so creating the folder and its mark must not
        interleave with it."""
        folder = self._root / _UNSAFE.sub("_", generation)
        marker = folder / _MARKER
        if not marker.exists():
            folder.mkdir(parents=True, exist_ok=True)
            try:
                descriptor = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                pass
            else:
                os.close(descriptor)
        return folder

    def modified(self, generation: str) -> datetime:
        """When this service first served the generation (UTC, whole seconds).

        This is the ``Last-Modified`` and ``dct:modified`` of every document
        derived from the generation; it survives restarts because the mark is
        on disk.
        """

        def first_served() -> datetime:
            with self._guard:  # made and read with no switch between (see _folder)
                marker = self._folder(generation) / _MARKER
                return datetime.fromtimestamp(int(marker.stat().st_mtime), tz=UTC)

        return self.memo(generation, "first served", first_served)

    def _lock_for(self, generation: str, key: str) -> threading.Lock:
        with self._guard:
            if generation != self._generation:
                self._switch_to(generation)
            return self._locks.setdefault(key, threading.Lock())

    def _switch_to(self, generation: str) -> None:
        """Forget the previous generation: its values and its folders on disk."""
        self._generation = generation
        self._values = {}
        self._locks = {}
        keep = _UNSAFE.sub("_", generation)
        if self._root.is_dir():
            for old in self._root.iterdir():
                if old.name != keep:
                    shutil.rmtree(old, ignore_errors=True)
