"""The stewards' write path as one object: submissions, credentials, audit and admission.

:class:`StewardServices` is opened once per application (by the web adapter's
lifespan, which also chooses where uploads are parsed and validated); a route
reads what a steward sent (a :class:`Sent`), then has it read here, admitted
by ``admission`` (:mod:`ascf_graph.stewards.admission`), never in the
server's shared thread pool.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

import pyoxigraph as ox

from ascf_graph.core.crash_guard import CrashGuard
from ascf_graph.core.errors import WORKER_LOSSES, AscfError
from ascf_graph.core.settings import Settings
from ascf_graph.core.spool import Spool
from ascf_graph.rdf.formats import RdfSyntax
from ascf_graph.rdf.uploads import (
    ParseLimits,
    SheetPlaces,
    Upload,
    document_bytes,
    parse_document,
    read_upload,
)
from ascf_graph.sources.projects_csv import (
    LABEL_MAPPING,
    Vocabulary,
    read_projects_sheet,
    template_columns,
)
from ascf_graph.stewards.admission import UploadAdmission
from ascf_graph.stewards.audit import AuditLog
from ascf_graph.stewards.credentials import TokenStore
from ascf_graph.stewards.submissions import Submissions


class DocumentParser(Protocol):
    """Parses RDF documents within limits somewhere else (the input workers)."""

    def parse(
        self,
        data: bytes | Path,
        syntax: RdfSyntax,
        *,
        source: str,
        limits: ParseLimits,
        output: Path | None = None,
    ) -> tuple[Sequence[ox.Triple], bytes | Path]:
        """The triples of ``data`` (or of the file it names) and the same as N-Triples,
        written into the file ``output`` if given."""
        ...


class Sent(NamedTuple):
    """A steward's data as received, not yet read."""

    data: bytes | Path
    """The bytes, or the spool file they were written to as they arrived."""
    syntax: RdfSyntax | None
    """Its syntax; None for the projects CSV."""
    source: str
    """What to call it in messages: a file name, "the request body"."""
    charset: str | None = None
    """The character encoding its ``Content-Type`` declared, if any."""


@dataclass(frozen=True)
class StewardServices:
    """The write path's parts, opened once per application."""

    settings: Settings
    submissions: Submissions
    tokens: TokenStore
    audit: AuditLog
    admission: UploadAdmission
    """How many uploads are read and validated at once, and in which threads."""
    workers: DocumentParser | None = None
    """Where uploads are parsed (the input workers; None: in this process)."""
    crashes: CrashGuard = field(default_factory=lambda: CrashGuard(0, 1))
    """Uploads that brought input workers down, per client address."""
    spool: Spool | None = None
    """Where large bodies and what the input workers parse of them are written, so that the
    server does not hold them (None: in memory)."""

    @contextmanager
    def guarding(self, client: str | None) -> Iterator[None]:
        """Refuse ``client`` (429) while its uploads crashed input workers too often lately,
        and count it when the work inside brings one down."""
        self.crashes.check(client)
        try:
            yield
        except AscfError as error:
            if error.code in WORKER_LOSSES:
                self.crashes.record(client)
            raise

    def csv_converter(
        self, data: bytes, source: str, charset: str | None = None
    ) -> tuple[list[ox.Triple], SheetPlaces]:
        """The projects CSV template as triples, names resolved against the store, and
        where each project came from; ``charset`` is the one the sender declared."""
        base = self.settings.base_iri
        vocabulary = Vocabulary.from_store(
            self.submissions.store, base, label_mapping=self.settings.instance_dir / LABEL_MAPPING
        )
        sheet = read_projects_sheet(data, vocabulary, source=source, charset=charset)
        return sheet.triples, SheetPlaces(sheet.reading, sheet.rows, template_columns(base))

    def discard(self, sent: Sent) -> None:
        """Remove the spool file ``sent`` was written to, if it was."""
        if isinstance(sent.data, Path) and self.spool is not None:
            self.spool.discard(sent.data)

    async def upload(self, sent: Sent) -> Upload:
        """What was ``sent``, read by :meth:`read` in an upload's thread (call it admitted)."""
        return await self.admission.run(
            self.read, sent.data, sent.syntax, sent.source, sent.charset
        )

    def read(
        self,
        data: bytes | Path,
        syntax: RdfSyntax | None,
        source: str,
        charset: str | None = None,
    ) -> Upload:
        """Parse ``data`` within the settings' limits (``syntax`` None means CSV, in the
        declared ``charset`` if any), in an input worker when there are some. Blocking:
        call it from a thread."""
        return read_upload(
            data,
            syntax,
            source=source,
            max_triples=self.settings.max_triples,
            csv=lambda text, name: self.csv_converter(text, name, charset),
            parse=self.parse_document,
        )

    def parse_document(
        self, data: bytes | Path, syntax: RdfSyntax, source: str
    ) -> tuple[Sequence[ox.Triple], bytes | Path | None]:
        """An RDF document's triples (and N-Triples, from a worker) within the limits; a
        worker given a spooled document writes its N-Triples into the spool too, in a file
        that goes when the triples do."""
        limits = ParseLimits(
            max_triples=self.settings.max_triples,
            max_nesting=self.settings.max_nesting,
            max_expansion=self.settings.max_body_bytes,
        )
        if self.workers is None:
            return parse_document(document_bytes(data), syntax, source=source, limits=limits), None
        if isinstance(data, Path) and self.spool is not None:
            output = self.spool.new_path(".nt")
            try:
                triples, written = self.workers.parse(
                    data, syntax, source=source, limits=limits, output=output
                )
            except BaseException:
                self.spool.discard(output)
                raise
            self.spool.tie(triples, output)
            return triples, written
        return self.workers.parse(data, syntax, source=source, limits=limits)
