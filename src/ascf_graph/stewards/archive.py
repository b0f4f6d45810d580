"""Every accepted version of every submission, kept on disk by content hash.

The store holds only the current version of a submission (queries see the
union of its graphs, so history there would be queried as if current). Each
version is kept here twice: the body exactly as the steward sent it
(``{sha256}.orig``) and the triples that were accepted from it, as N-Triples
(``{sha256}.nt``). The provenance graph names the hash of each version.

Files are written before the store's transaction, atomically (a temporary
file, ``fsync``, ``rename``, ``fsync`` of the folder). A crash between the two
leaves files that no provenance names, which are harmless; the store never
names a file that is not complete on disk.
"""

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ascf_graph.core.errors import SubmissionNotFoundError

_HASH = re.compile(r"[0-9a-f]{64}")


def content_hash(body: bytes) -> str:
    """The SHA-256 of ``body`` in hex, the name a version is archived under.

    >>> content_hash(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class Archive:
    """The folder of archived versions."""

    root: Path

    def keep(self, body: bytes, triples: Iterable[ox.Triple]) -> str:
        """Archive a version (its body and accepted triples); return its content hash."""
        digest = content_hash(body)
        self._write(self.root / f"{digest}.orig", body)
        self._write(
            self.root / f"{digest}.nt", ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        )
        return digest

    def original(self, digest: str) -> bytes:
        """The body of the version with ``digest``, as it was sent."""
        return self._path(digest, "orig").read_bytes()

    def triples(self, digest: str) -> list[ox.Triple]:
        """The triples accepted from the version with ``digest``."""
        path = self._path(digest, "nt")
        return [quad.triple for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)]

    def _path(self, digest: str, suffix: str) -> Path:
        path = self.root / f"{digest}.{suffix}"
        if not _HASH.fullmatch(digest) or not path.is_file():
            raise SubmissionNotFoundError(f"no archived version with content hash {digest}")
        return path

    def _write(self, path: Path, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        folder = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
