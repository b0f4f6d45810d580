"""The stewards' write path: validate, then write a submission with its provenance, atomically.

A submission that has no Violation (Warnings are reported and allowed)
becomes the named graph ``{base}graph/submission/{id}``; its provenance
(:mod:`ascf_graph.stewards.provenance`) and its validation report are written in the
same transaction (:meth:`ascf_graph.store.base.Store.apply`), which also moves the
store's generation on. Every accepted version is archived first
(:mod:`ascf_graph.stewards.archive`), so replacing or retracting loses nothing.

Data is checked by the chosen SHACL engine (:mod:`ascf_graph.shacl.engine`)
against the submission shapes, which are derived once per store generation
when a cache is given (:mod:`ascf_graph.stewards.shapes`).

A version's statements take precedence over the shipped statements of the
properties it sets (:mod:`ascf_graph.store.corrections`), which it withholds
while it is current. Only the organisation that made a submission may replace or
retract it, and a
submission may describe only what its organisation owns
(:mod:`ascf_graph.stewards.ownership`): anything else is refused before it is validated.
Writes are serialised by one lock per service (one process holds an embedded
store), and ``If-Match`` with a version's ETag (``"v3"``) guards against
replacing a version one has not seen.
"""

import re
import secrets
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from ascf_graph.core.errors import (
    AscfError,
    ForbiddenError,
    NonConformingSubmissionError,
    OwnershipRefusedError,
    PreconditionFailedError,
    SubmissionNotFoundError,
    SubmissionRetractedError,
    UnusableInputError,
)
from ascf_graph.core.graph_names import GraphRole, graph_role
from ascf_graph.core.http_caching import entity_tags
from ascf_graph.rdf.io import to_rdflib_graph
from ascf_graph.rdf.uploads import SheetPlaces, Upload
from ascf_graph.shacl.beyond_shapes import results_beyond_shapes
from ascf_graph.shacl.engine import UploadValidator, ValidationEngine, validator_in_process
from ascf_graph.shacl.reports import (
    ValidationReport,
    ValidationResult,
    report_from_graph,
    with_results,
)
from ascf_graph.shacl.validation import ValidationContext, validate
from ascf_graph.stewards.archive import Archive
from ascf_graph.stewards.audit import AuditLog
from ascf_graph.stewards.credentials import Steward
from ascf_graph.stewards.ownership import ownership_report, refusals, summary
from ascf_graph.stewards.provenance import (
    NewVersion,
    ShapesVersion,
    SubmissionIris,
    SubmissionRecord,
    VersionRecord,
    provenance_graph,
    read_records,
    report_triples,
    retraction_triples,
    version_triples,
)
from ascf_graph.stewards.shapes import SubmissionShapes, shapes_for_submissions
from ascf_graph.store.base import Store
from ascf_graph.store.changes import GraphChange
from ascf_graph.store.corrections import by_graph, overridden, withheld, withholding_record
from ascf_graph.store.entailment import entailed_by
from ascf_graph.store.generation_cache import GenerationCache
from ascf_graph.store.snapshots import HeldSnapshot


@dataclass(frozen=True)
class Accepted:
    """A version written to the store."""

    record: SubmissionRecord
    report: ValidationReport
    generation: str
    sheet: SheetPlaces | None = None
    """For a spreadsheet, where its rows went (its report speaks of rows and columns)."""


@dataclass(frozen=True)
class _Checked:
    """A version that passed validation, with everything its provenance records."""

    upload: Upload
    body: bytes
    steward: Steward
    report: ValidationReport
    shapes: ShapesVersion
    started: datetime
    generation: str
    """The store's generation the version was checked against."""


#: The form of the ids :meth:`Submissions._new_id` makes (``secrets.token_hex(6)``).
_SUBMISSION_ID = re.compile(r"[0-9a-f]{12}")


class Submissions:
    """Validation and the submission life cycle over one store."""

    def __init__(
        self,
        store: Store,
        *,
        base_iri: str,
        archive: Archive,
        audit: AuditLog,
        engine: ValidationEngine = validate,
        validator: UploadValidator | None = None,
        shapes_cache: GenerationCache | None = None,
        token_holders: Callable[[], Collection[str]] = tuple,
        validates_in_workers: bool = False,
    ) -> None:
        """``validator`` checks uploads (default: ``engine``, in this process);
        ``token_holders`` gives the organisations tokens were issued to, each its own;
        ``validates_in_workers``: the validator sends the shapes to input workers, so they
        are not prepared for pyshacl here (:mod:`ascf_graph.stewards.shapes`)."""
        self.store = store
        self.base_iri = base_iri
        self.archive = archive
        self.audit = audit
        self.validator = validator or validator_in_process(engine)
        self.shapes_cache = shapes_cache
        self.token_holders = token_holders
        self.validates_in_workers = validates_in_workers
        self._lock = threading.Lock()

    def shapes(self) -> SubmissionShapes:
        """The submission shapes of the store's current generation."""
        return shapes_for_submissions(
            self.store,
            self.base_iri,
            self.shapes_cache,
            for_pyshacl_here=not self.validates_in_workers,
        )

    def context(
        self,
        shapes: SubmissionShapes | None = None,
        *,
        replacing: str | None = None,
        snapshot: str | None = None,
        report_rdf: bool = True,
    ) -> ValidationContext:
        """The shapes and lookups a steward's data is checked with (on the current store);
        ``replacing`` names a submission whose current version the data would replace;
        ``snapshot``, a read-only copy of the store an input worker may look up itself;
        ``report_rdf``: whether the report's RDF is wanted, not only its results."""
        shapes = shapes or self.shapes()
        superseded = (SubmissionIris(self.base_iri, replacing).graph,) if replacing else ()
        return ValidationContext.for_submissions(
            self.store,
            self.base_iri,
            shapes=shapes.graph,
            superseded=superseded,
            queries=shapes.queries,
            snapshot=snapshot,
            report_rdf=report_rdf,
        )

    def validate(
        self, upload: Upload, snapshot: HeldSnapshot | None = None, *, report_rdf: bool = True
    ) -> ValidationReport:
        """Validate ``upload`` as a submission would be; nothing is stored. With a
        ``snapshot`` of the store's current generation, an input worker looks up what the
        store says about the data there, so that this process never holds the data's terms
        (a snapshot of another generation, a write having landed since, is not used).
        Without ``report_rdf``, the report holds the results only (no RDF to write out)."""
        if snapshot is not None and snapshot.generation != self.store.generation:
            snapshot = None
        context = self.context(snapshot=snapshot and snapshot.path, report_rdf=report_rdf)
        return self._checked(upload, context)

    def _checked(self, upload: Upload, context: ValidationContext) -> ValidationReport:
        """The validator's report on ``upload``, with what is checked outside the shapes
        (:mod:`ascf_graph.shacl.beyond_shapes`): the same project twice, coordinates
        outside their country, language tags the registry does not know."""
        found: list[list[ValidationResult]] = []

        def beyond_shapes() -> None:  # while a worker checks the shapes, where one does
            found.append(
                results_beyond_shapes(
                    upload.triples, self.store, self.base_iri, superseded=context.superseded
                )
            )

        report = self.validator(upload, context, meanwhile=beyond_shapes)
        if not found:  # a validator that had no use for it: never accept data unchecked
            beyond_shapes()
        return with_results(report, found[0])

    def create(self, upload: Upload, body: bytes, steward: Steward) -> Accepted:
        """Validate and store a new submission; :class:`NonConformingSubmissionError` if not."""
        checked = self._check(upload, body, steward)
        with self._lock:
            checked = self._still_conforming(checked)
            return self._write_version(self._new_id(), 1, checked)

    def replace(
        self,
        submission_id: str,
        upload: Upload,
        body: bytes,
        steward: Steward,
        *,
        if_match: str | None = None,
    ) -> Accepted:
        """Validate ``upload`` and make it the submission's next version (the old one kept)."""
        self._check_writable(self.get(submission_id), steward, if_match)
        checked = self._check(upload, body, steward, replacing=submission_id)
        with self._lock:
            record = self._check_writable(self.get(submission_id), steward, if_match)
            checked = self._still_conforming(checked, replacing=submission_id)
            return self._write_version(submission_id, record.current.number + 1, checked)

    def retract(
        self, submission_id: str, steward: Steward, *, if_match: str | None = None
    ) -> tuple[SubmissionRecord, str]:
        """Remove the submission's graph from the store; its history stays. Returns the
        record and the new generation."""
        with self._lock:
            record = self._check_writable(self.get(submission_id), steward, if_match)
            iris = SubmissionIris(self.base_iri, submission_id)
            change = GraphChange(
                drop=[iris.graph, iris.inferred],
                append={
                    provenance_graph(self.base_iri): retraction_triples(
                        iris, record.current.number, steward, _now()
                    ),
                    **by_graph(withheld(self.store, self.base_iri, iris.graph)),  # back in
                },
            )
            self.audit.record(
                "write-started", action="retract", submission=submission_id, token=steward.token_id
            )
            generation = self._apply_audited(change, submission_id)
            return self.get(submission_id), generation

    def records(self) -> list[SubmissionRecord]:
        """Every submission, active or retracted, oldest first."""
        return read_records(self.store, self.base_iri)

    def get(self, submission_id: str) -> SubmissionRecord:
        """The submission with ``submission_id`` and its versions."""
        if not _SUBMISSION_ID.fullmatch(submission_id):
            raise SubmissionNotFoundError(
                f"no submission {submission_id!r}: ids are 12 lower-case hexadecimal digits"
            )
        found = read_records(self.store, self.base_iri, submission_id)
        if not found:
            raise SubmissionNotFoundError(f"no submission {submission_id!r}")
        return found[0]

    def report(self, submission_id: str, number: int | None = None) -> ValidationReport:
        """The validation report of version ``number`` (default: the latest)."""
        record = self.get(submission_id)
        version = _version(record, number)
        triples = self.store.graph_triples(version.report)
        return report_from_graph(to_rdflib_graph(triples), self.shapes().graph)

    def triples(self, submission_id: str, number: int | None = None) -> list[ox.Triple]:
        """The accepted triples of version ``number`` (default: the latest), from the archive."""
        version = _version(self.get(submission_id), number)
        return self.archive.triples(version.content_hash)

    def original(self, submission_id: str, number: int) -> tuple[bytes, str]:
        """The body of version ``number`` as it was sent, and its media type."""
        version = _version(self.get(submission_id), number)
        return self.archive.original(version.content_hash), version.media_type

    def _check(
        self, upload: Upload, body: bytes, steward: Steward, *, replacing: str | None = None
    ) -> _Checked:
        """Validate a version (of the submission ``replacing``, if given: its current
        version does not count against it); :class:`NonConformingSubmissionError` if it has
        a Violation."""
        started = _now()
        if not upload.triples:
            raise UnusableInputError(f"{upload.source}: the dataset holds no triples")
        generation = self.store.generation
        refused = refusals(
            upload.triples,
            steward,
            self.store,
            self.base_iri,
            token_holders=self.token_holders(),
        )
        if refused:
            raise OwnershipRefusedError(ownership_report(refused), summary(refused), upload.sheet)
        shapes = self.shapes()
        context = self.context(shapes, replacing=replacing)
        report = self._checked(upload, context)
        if not report.conforms:
            raise NonConformingSubmissionError(report, upload.sheet)
        return _Checked(upload, body, steward, report, shapes.version, started, generation)

    def _still_conforming(self, checked: _Checked, *, replacing: str | None = None) -> _Checked:
        """``checked``, or, if another write moved the store on since, the version checked
        again (under the write lock): two versions valid alone may conflict together, as two
        statuses for one project do."""
        if self.store.generation == checked.generation:
            return checked
        return self._check(checked.upload, checked.body, checked.steward, replacing=replacing)

    def _write_version(self, submission_id: str, number: int, checked: _Checked) -> Accepted:
        """Archive the version, then write graph, report and provenance in one transaction."""
        iris = SubmissionIris(self.base_iri, submission_id)
        upload = checked.upload
        digest = self.archive.keep(checked.body, upload.triples)
        new = NewVersion(
            number=number,
            steward=checked.steward,
            started=checked.started,
            ended=_now(),
            content_hash=digest,
            triples=len(upload.triples),
            media_type=upload.media_type,
            shapes=checked.shapes,
        )
        previous = withheld(self.store, self.base_iri, iris.graph) if number > 1 else []
        withholding = overridden(self.store, self.base_iri, upload.triples, also=previous)
        kept, before = set(withholding), set(previous)
        restored = [quad for quad in previous if quad not in kept]
        inferred = self._inferred(upload.triples, iris)
        change = GraphChange(
            replace={
                iris.graph: upload.triples,
                iris.report(number): report_triples(iris, number, checked.report.graph),
                **({iris.inferred: inferred} if inferred else {}),
            },
            drop=[] if inferred else [iris.inferred],
            append={
                provenance_graph(self.base_iri): version_triples(iris, new)
                + withholding_record(withholding, iris.validation(number)),
                **by_graph(restored),
            },
            remove=by_graph(quad for quad in withholding if quad not in before),
        )
        self.audit.record(
            "write-started",
            action="create" if number == 1 else "replace",
            submission=submission_id,
            version=number,
            token=checked.steward.token_id,
            triples=len(upload.triples),
            content_hash=digest,
        )
        generation = self._apply_audited(change, submission_id)
        return Accepted(self.get(submission_id), checked.report, generation, upload.sheet)

    def _inferred(self, triples: Sequence[ox.Triple], iris: SubmissionIris) -> list[ox.Triple]:
        """What the build's rules conclude from ``triples`` under the store's ontology and
        framework (a project's focus areas from its sub-areas, a city's ``ascf:hasProject``
        from a project's ``ascf:city``, classes from subclasses) that no other graph states.
        Conclusions about blank nodes are left out: a remote store names them afresh."""
        axioms = [
            triple
            for name in self.store.graph_sizes()
            if graph_role(name, self.base_iri) is GraphRole.ONTOLOGY
            for triple in self.store.iter_graph_triples(name)
        ]
        concluded = [
            t
            for t in entailed_by(triples, axioms)
            if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)
        ]
        if not concluded:
            return []
        stated = self.store.stated(concluded, outside=(iris.graph, iris.inferred))
        return [t for t in concluded if t not in stated]

    def _apply_audited(self, change: GraphChange, submission_id: str) -> str:
        """Apply ``change`` after a ``write-started`` line; log ``committed`` (with the new
        generation) or ``write-failed`` (with why) before anything else can happen."""
        try:
            generation = self.store.apply(change)
        except AscfError as error:
            self.audit.record(
                "write-failed", submission=submission_id, status=error.status, code=error.code
            )
            raise
        self.audit.record("committed", submission=submission_id, generation=generation)
        return generation

    def _check_writable(
        self, record: SubmissionRecord, steward: Steward, if_match: str | None
    ) -> SubmissionRecord:
        if record.organisation != steward.organisation:
            raise ForbiddenError(
                f"submission {record.submission_id} belongs to the organisation "
                f"{record.organisation!r}; a token of {steward.organisation!r} cannot change it"
            )
        if not record.active:
            raise SubmissionRetractedError(
                f"submission {record.submission_id} was retracted on {record.retracted}; "
                "its history can be read, and new data goes in a new submission"
            )
        if if_match is not None and not names_current_version(if_match, record):
            raise PreconditionFailedError(
                f"If-Match {if_match.strip()} is not the current version "
                f"{version_etag(record)} of submission {record.submission_id}"
            )
        return record

    def _new_id(self) -> str:
        while True:
            candidate = secrets.token_hex(6)
            if not read_records(self.store, self.base_iri, candidate):
                return candidate


def version_etag(record: SubmissionRecord, representation: str = "") -> str:
    """The strong ETag of a submission's current version in one representation: ``"v3"``
    for its JSON, ``"v3+turtle"`` for its data in an RDF format (named as
    :mod:`ascf_graph.rdf.formats` names it), with ``-retracted`` once it is retracted.
    Each representation has its own, as strong validators must (RFC 9110 8.8.3).

    >>> from types import SimpleNamespace as Record
    >>> version_etag(Record(current=Record(number=3), active=True), "turtle")
    '"v3+turtle"'
    """
    tag = f"v{record.current.number}"
    if representation:
        tag += f"+{representation}"
    if not record.active:
        tag += "-retracted"
    return f'"{tag}"'


def names_current_version(if_match: str, record: SubmissionRecord) -> bool:
    """Whether an ``If-Match`` header names ``record``'s current version, in any of its
    representations (``*`` names any version). The comparison is strong: a weak tag
    (``W/"v3"``) never matches, nor does a header that is not a list of tags.

    >>> from types import SimpleNamespace as Record
    >>> v3 = Record(current=Record(number=3), active=True)
    >>> [names_current_version(h, v3) for h in ('"v2", "v3+turtle"', 'W/"v3"', "v3", "*")]
    [True, False, False, True]
    """
    current = version_etag(record)[1:-1]
    for tag in entity_tags(if_match) or []:
        if tag == "*" or tag[1:-1].partition("+")[0] == current:
            return True
    return False


def _version(record: SubmissionRecord, number: int | None) -> VersionRecord:
    if number is None:
        return record.current
    for version in record.versions:
        if version.number == number:
            return version
    raise SubmissionNotFoundError(
        f"submission {record.submission_id} has versions 1 to {record.current.number}, not {number}"
    )


def _now() -> datetime:
    return datetime.now(UTC)
