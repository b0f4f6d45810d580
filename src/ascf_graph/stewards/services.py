"""What the stewards' routes share: the services on ``app.state``, and reading a request's data.

``install_steward_api(app, settings)`` adds the body-size limit and the
``/validate`` and ``/submissions`` routers; the lifespan puts a
:class:`StewardServices` on ``app.state.stewards`` with
:func:`open_steward_services`. A route reads what was sent on the event loop
(:func:`sent_in_body`, :func:`sent_in_form`), then parses and validates it
admitted by ``stewards.admission`` (:mod:`ascf_graph.stewards.admission`),
never in the server's shared thread pool.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, NamedTuple

import pyoxigraph as ox
from fastapi import Depends, FastAPI, Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from ascf_graph.core.crash_guard import CrashGuard
from ascf_graph.core.errors import AscfError, UnusableInputError
from ascf_graph.core.metrics import Histogram
from ascf_graph.core.settings import Settings
from ascf_graph.rdf.io import RdfSyntax, syntax_named
from ascf_graph.rdf.uploads import (
    Upload,
    parse_document,
    read_upload,
    syntax_for_filename,
    syntax_for_media_type,
)
from ascf_graph.shacl.engine import (
    ValidationEngine,
    validation_engine,
    validator_in_process,
)
from ascf_graph.sources.projects_csv import LABEL_MAPPING, Vocabulary, projects_from_csv
from ascf_graph.stewards.admission import UploadAdmission
from ascf_graph.stewards.archive import Archive
from ascf_graph.stewards.audit import AuditLog
from ascf_graph.stewards.credentials import TokenStore
from ascf_graph.stewards.submissions import Submissions
from ascf_graph.store.embedded import Store
from ascf_graph.store.generation_cache import GenerationCache
from ascf_graph.store.refresh import current_store
from ascf_graph.web.middleware.body_limit import BodySizeLimit
from ascf_graph.web.service_metrics import timed_validator
from ascf_graph.workers.input_pool import WORKER_LOSSES, InputWorkers, validator_in_workers


class Sent(NamedTuple):
    """A steward's data as received, not yet read."""

    data: bytes
    syntax: RdfSyntax | None
    """Its syntax; None for the projects CSV."""
    source: str
    """What to call it in messages: a file name, "the request body"."""


@dataclass(frozen=True)
class StewardServices:
    """The write path's parts, opened once per application."""

    settings: Settings
    submissions: Submissions
    tokens: TokenStore
    audit: AuditLog
    admission: UploadAdmission
    """How many uploads are read and validated at once, and in which threads."""
    workers: InputWorkers | None = None
    """Where uploads are parsed and validated (None: in this process)."""
    crashes: CrashGuard = field(default_factory=lambda: CrashGuard(0, 1))
    """Uploads that brought input workers down, per client address."""

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

    def csv_converter(self, data: bytes, source: str) -> list[ox.Triple]:
        """The projects CSV template as triples, names resolved against the store."""
        vocabulary = Vocabulary.from_store(
            self.submissions.store,
            self.settings.base_iri,
            label_mapping=self.settings.instance_dir / LABEL_MAPPING,
        )
        return projects_from_csv(data, vocabulary, source=source)

    async def upload(self, sent: Sent) -> Upload:
        """What was ``sent``, read by :meth:`read` in an upload's thread (call it admitted)."""
        return await self.admission.run(self.read, sent.data, sent.syntax, sent.source)

    def read(self, data: bytes, syntax: RdfSyntax | None, source: str) -> Upload:
        """Parse ``data`` within the settings' limits (``syntax`` None means CSV), in an input
        worker when there are some. Blocking: call it from a thread."""
        return read_upload(
            data,
            syntax,
            source=source,
            max_triples=self.settings.max_triples,
            csv=self.csv_converter,
            parse=self.parse_document,
        )

    def parse_document(
        self, data: bytes, syntax: RdfSyntax, source: str
    ) -> tuple[Sequence[ox.Triple], bytes | None]:
        """An RDF document's triples (and N-Triples, from a worker) within the limits."""
        limits = {
            "source": source,
            "max_triples": self.settings.max_triples,
            "max_nesting": self.settings.max_nesting,
            "max_expansion": self.settings.max_body_bytes,
        }
        if self.workers is not None:
            return self.workers.parse(data, syntax, **limits)
        return parse_document(data, syntax, **limits), None


def open_steward_services(
    settings: Settings,
    store: Store,
    *,
    engine: ValidationEngine | None = None,
    shapes_cache: GenerationCache | None = None,
    workers: InputWorkers | None = None,
    validation_seconds: Histogram | None = None,
) -> StewardServices:
    """The services over ``store``, with credentials, audit log and archive under the data dir.

    Data is parsed and validated in ``workers`` when given (by the engine the
    settings name), else in this process by ``engine`` (default: the settings'
    one); the submission shapes are kept in ``shapes_cache`` per store generation.
    Each validation's time is observed in ``validation_seconds`` when given.
    """
    audit = AuditLog(settings.audit_log)
    engine = engine or validation_engine(settings.shacl_engine)
    validator = (
        validator_in_workers(workers, settings.shacl_engine)
        if workers is not None
        else validator_in_process(engine)
    )
    if validation_seconds is not None:
        validator = timed_validator(validator, validation_seconds)
    return StewardServices(
        settings=settings,
        submissions=Submissions(
            store,
            base_iri=settings.base_iri,
            archive=Archive(settings.archive_dir),
            audit=audit,
            engine=engine,
            validator=validator,
            shapes_cache=shapes_cache,
        ),
        tokens=TokenStore(settings.credentials_file),
        audit=audit,
        admission=UploadAdmission(settings.uploads_at_once, wait=settings.validation_queue_wait),
        workers=workers,
        crashes=CrashGuard(
            settings.upload_crash_limit,
            settings.upload_crash_window,
            requests="uploads",
            workers="input workers",
            setting="ASCF_UPLOAD_CRASH_LIMIT",
        ),
    )


def open_input_workers(settings: Settings) -> InputWorkers | None:
    """The input workers the settings ask for (None for ``ASCF_INPUT_WORKERS=0``)."""
    if settings.input_workers == 0:
        return None
    return InputWorkers(
        settings.input_workers,
        timeout=settings.validation_timeout,
        memory_bytes=settings.validation_memory,
        queue_wait=settings.validation_queue_wait,
    )


async def get_stewards(request: Request) -> StewardServices:
    """The services the lifespan opened, writing to the store being served.

    After ``ascf-graph build`` publishes a new store, the first request moves
    the write path onto it too, so no submission lands in a retired build.
    """
    stewards: StewardServices = request.app.state.stewards
    stewards.submissions.store = await current_store(request.app.state)
    return stewards


StewardsDep = Annotated[StewardServices, Depends(get_stewards)]


def install_steward_api(app: FastAPI, settings: Settings) -> None:
    """Mount ``/validate`` and ``/submissions`` and limit every request body's size."""
    from ascf_graph.web.routers.submissions import router as submissions_router
    from ascf_graph.web.routers.validate import router as validate_router

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.include_router(validate_router)
    app.include_router(submissions_router)


async def sent_in_body(request: Request) -> Sent:
    """The request body, its syntax told by its ``Content-Type``."""
    body = await request.body()
    syntax = syntax_for_media_type(request.headers.get("content-type", ""))
    return Sent(body, syntax, "the request body")


async def sent_in_form(request: Request, stewards: StewardServices) -> Sent:
    """A multipart form's ``file`` (format from its name or ``format``) or pasted ``text``."""
    limit = stewards.settings.max_body_bytes
    try:
        async with request.form(max_files=1, max_fields=8, max_part_size=limit) as form:
            chosen = str(form.get("format") or "").strip()
            upload = form.get("file")
            if isinstance(upload, UploadFile) and upload.filename:
                data, source = await upload.read(), Path(upload.filename).name
            else:
                data, source = str(form.get("text") or "").encode("utf-8"), "the pasted text"
    except HTTPException as error:  # Starlette's answer to a malformed multipart body
        raise UnusableInputError(f"the form could not be read: {error.detail}") from None
    if not data.strip():
        raise UnusableInputError("nothing to check: choose a file or paste the data")
    if chosen == "csv":
        syntax = None
    elif chosen:
        syntax = syntax_named(chosen)
    elif source == "the pasted text":
        syntax = syntax_named("turtle")
    else:
        syntax = syntax_for_filename(source)
    return Sent(data, syntax, source)
