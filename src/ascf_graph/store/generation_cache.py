"""What the service derives from the store, kept per store generation while it may be used.

Pages, the search index, the ontology documentation and the dumps are all
functions of the store's contents, and the store's ``generation`` changes
whenever its contents do. :class:`GenerationCache` keeps such derived things
in memory (:meth:`GenerationCache.memo`) or as files on disk under
``{data_dir}/cache/{generation}/`` (:meth:`GenerationCache.file`). It lives
in the application's state; nothing is global.

Under writes, requests on two generations run at once: one read the store's
generation before a write, another after it. A cache of one generation would
switch back and forth between them, each switch deleting the other's folder
while a request writes or serves a file in it (a 500, or a cut download) and
throwing away its memory (the search index, rebuilt at every switch). So the
cache keeps, for each generation:

- its memory and its folder while it is one of the **two newest** generations.
  Generations have no order of their own (a build's is a random id, a remote
  store's too), so "newest" means most recently seen for the first time; a
  generation once dropped never counts as new again, so a late request on an
  old generation cannot push a newer one out;
- its memory and its folder while a :class:`Hold` holds it: a request that hands
  out one of its files holds it until the body is sent
  (:class:`ascf_graph.web.held_files.HeldFileResponse`), and :meth:`~GenerationCache.memo`
  and :meth:`~GenerationCache.file` hold it while they compute or write;
- its folder for ``grace_seconds`` after its last use, for a caller that reads a
  path it got without holding its generation.

Anything else is dropped: its memory at once, its folder renamed out of the way
under the cache's lock and deleted outside it. Files are written to a temporary
name and renamed into place, so a reader never sees half a file.
"""

import math
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TypeVar

T = TypeVar("T")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MARKER = ".first-served"
#: Folders being deleted are renamed to this prefix first (never a generation's name).
_TRASH = ".deleting-"
#: How many generations (the most recently first seen) keep their memory and folder.
NEWEST_KEPT = 2
#: How long a folder outlives its last use when nothing holds it.
GRACE_SECONDS = 10.0
_MISSING = object()
#: How many dropped generations are remembered, so that none of them counts as new again.
_RETIRED_REMEMBERED = 10_000


@dataclass
class _Generation:
    """What the cache keeps of one generation."""

    folder: Path
    values: dict[str, object] = field(default_factory=dict)
    locks: dict[str, threading.Lock] = field(default_factory=dict)
    #: How many :class:`Hold` objects hold it now.
    holders: int = 0
    #: When it was last used (the cache's clock).
    last_used: float = 0.0


class Hold:
    """A generation kept, memory and folder, until :meth:`release` (or the ``with`` ends)."""

    def __init__(self, cache: "GenerationCache", generation: str) -> None:
        self._cache = cache
        self.generation = generation
        self._released = False

    def release(self) -> None:
        """Let the generation go (again is harmless)."""
        self._cache._release(self)

    def __enter__(self) -> "Hold":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


class GenerationCache:
    """Derived values and files per store generation, dropped when no longer in use."""

    def __init__(
        self,
        root: Path,
        *,
        grace_seconds: float = GRACE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._root = root
        self._grace = grace_seconds
        self._clock = clock
        self._generations: dict[str, _Generation] = {}
        #: The newest generations, the most recently first seen last.
        self._newest: list[str] = []
        #: Generations dropped, oldest first (an ordered set).
        self._retired: OrderedDict[str, None] = OrderedDict()
        #: When the grace of the first unused old generation ends (then :meth:`_prune`).
        self._next_prune = math.inf
        #: Whether the folders an earlier process left were cleared.
        self._cleared = False
        self._guard = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> "GenerationCache":
        """The service's cache, under ``{data_dir}/cache/``."""
        return cls(data_dir / "cache")

    def hold(self, generation: str) -> Hold:
        """Keep ``generation`` (memory and folder) until the returned hold is released."""
        with self._guard:
            self._enter(generation).holders += 1
            trash = self._prune()
        _delete(trash)
        return Hold(self, generation)

    def holders(self, generation: str) -> int:
        """How many holds ``generation`` has now."""
        with self._guard:
            entry = self._generations.get(generation)
            return 0 if entry is None else entry.holders

    def memo(self, generation: str, key: str, compute: Callable[[], T]) -> T:
        """The value ``compute()`` gave for ``key`` in this generation (computed once
        while the generation is kept)."""
        found: object = _MISSING
        trash: list[Path] = []
        with self._guard:
            entry = self._generations.get(generation)
            if entry is not None and key in entry.values:
                entry.last_used = now = self._clock()
                found = entry.values[key]
                if now >= self._next_prune:  # an unused old generation's grace is over
                    trash = self._prune()
        _delete(trash)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        with self.hold(generation):
            with self._guard:
                entry = self._generations[generation]
                lock = entry.locks.setdefault(key, threading.Lock())
            with lock:
                with self._guard:
                    if key in entry.values:
                        return entry.values[key]  # type: ignore[return-value]
                value = compute()
                with self._guard:
                    entry.values[key] = value
                return value

    def file(self, generation: str, name: str, write: Callable[[Path], None]) -> Path:
        """The file ``name`` of this generation, written by ``write(path)`` if missing.

        ``write`` fills a temporary file that is renamed into place, so a reader
        never sees half a file and a failed write leaves nothing behind. The path
        stays valid while the generation is held (:meth:`hold`), and for
        ``grace_seconds`` after this call otherwise.
        """
        with self.hold(generation):
            with self._guard:
                entry = self._generations[generation]
                target = self._folder(entry) / name
                lock = entry.locks.setdefault(f"file:{name}", threading.Lock())
            with lock:
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
            with self._guard:
                entry.last_used = self._clock()
            return target

    def folder(self, generation: str) -> Path:
        """This generation's folder on disk, created (with its first-served mark) if new."""
        with self._guard:
            folder = self._folder(self._enter(generation))
            trash = self._prune()
        _delete(trash)
        return folder

    def modified(self, generation: str) -> datetime:
        """When this service first served the generation (UTC, whole seconds).

        This is the ``Last-Modified`` and ``dct:modified`` of every document
        derived from the generation; it survives restarts because the mark is
        on disk.
        """

        def first_served() -> datetime:
            with self._guard:  # the generation is held (see memo): its folder stays
                marker = self._folder(self._generations[generation]) / _MARKER
                return datetime.fromtimestamp(int(marker.stat().st_mtime), tz=UTC)

        return self.memo(generation, "first served", first_served)

    # -- under the guard ---------------------------------------------------------

    def _enter(self, generation: str) -> _Generation:
        """The generation's entry, made if new (and then one of the newest, unless it was
        dropped before), marked as used now."""
        entry = self._generations.get(generation)
        if entry is None:
            entry = _Generation(self._root / _UNSAFE.sub("_", generation))
            self._generations[generation] = entry
            if generation not in self._retired:
                self._newest = [*self._newest, generation][-NEWEST_KEPT:]
        entry.last_used = self._clock()
        return entry

    def _folder(self, entry: _Generation) -> Path:
        """The entry's folder, created with its first-served mark if missing."""
        marker = entry.folder / _MARKER
        if not marker.exists():
            entry.folder.mkdir(parents=True, exist_ok=True)
            try:
                descriptor = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                pass
            else:
                os.close(descriptor)
        return entry.folder

    def _release(self, hold: Hold) -> None:
        with self._guard:
            if hold._released:
                return
            hold._released = True
            entry = self._generations[hold.generation]
            entry.holders -= 1
            entry.last_used = self._clock()
            trash = self._prune()
        _delete(trash)

    def _prune(self) -> list[Path]:
        """Drop what no one may use any more (see the module's docstring); return the
        folders to delete, already renamed out of the way."""
        trash: list[Path] = []
        if not self._cleared:  # what an earlier process left, at the first use
            self._cleared = True
            ours = {entry.folder.name for entry in self._generations.values()}
            if self._root.is_dir():
                for left in self._root.iterdir():
                    if left.name not in ours:
                        trash.append(self._moved_away(left))
        now = self._clock()
        self._next_prune = math.inf
        for generation, entry in list(self._generations.items()):
            if entry.holders or generation in self._newest:
                continue
            if entry.values or entry.locks:
                entry.values, entry.locks = {}, {}
            if now - entry.last_used < self._grace:
                self._next_prune = min(self._next_prune, entry.last_used + self._grace)
            else:
                del self._generations[generation]
                self._retired[generation] = None
                if len(self._retired) > _RETIRED_REMEMBERED:
                    self._retired.popitem(last=False)
                if entry.folder.exists():
                    trash.append(self._moved_away(entry.folder))
        return trash

    def _moved_away(self, folder: Path) -> Path:
        """``folder`` renamed to a name no generation has, to be deleted without the guard."""
        if folder.name.startswith(_TRASH):
            return folder
        away = self._root / f"{_TRASH}{uuid.uuid4().hex}"
        try:
            folder.rename(away)
        except OSError:
            return folder
        return away


def _delete(folders: list[Path]) -> None:
    """Delete folders the cache dropped (outside its lock: a dump's folder takes a while)."""
    for folder in folders:
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
        else:
            folder.unlink(missing_ok=True)
