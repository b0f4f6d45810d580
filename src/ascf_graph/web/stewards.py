"""The stewards' routes' shared parts: their services, and reading what a request sent.

The lifespan opens the services (:func:`open_steward_services`) with the input
workers the settings ask for (:func:`open_input_workers`); a route takes them
as :data:`StewardsDep` and reads the data sent on the event loop
(:func:`sent_in_body`, :func:`sent_in_form`).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from ascf_graph.core.crash_guard import CrashGuard
from ascf_graph.core.errors import UnusableInputError
from ascf_graph.core.metrics import Histogram
from ascf_graph.core.settings import Settings
from ascf_graph.core.spool import Spool
from ascf_graph.rdf.formats import syntax_named
from ascf_graph.rdf.uploads import syntax_for_filename, upload_syntax_for_content_type
from ascf_graph.shacl.engine import ValidationEngine, validation_engine, validator_in_process
from ascf_graph.stewards.admission import UploadAdmission
from ascf_graph.stewards.archive import Archive
from ascf_graph.stewards.audit import AuditLog
from ascf_graph.stewards.credentials import TokenStore
from ascf_graph.stewards.services import Sent, StewardServices
from ascf_graph.stewards.submissions import Submissions
from ascf_graph.store.base import Store
from ascf_graph.store.embedded import EmbeddedStore
from ascf_graph.store.generation_cache import GenerationCache
from ascf_graph.store.snapshots import HeldSnapshot
from ascf_graph.web.service_metrics import timed_validator
from ascf_graph.web.state import state_of
from ascf_graph.workers.input_pool import InputWorkers, validator_in_workers


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
    tokens = TokenStore(settings.credentials_file)
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
            token_holders=lambda: {record.organisation for record in tokens.records()},
            validates_in_workers=workers is not None,
        ),
        tokens=tokens,
        audit=audit,
        admission=UploadAdmission(settings.uploads_at_once, wait=settings.validation_queue_wait),
        workers=workers,
        spool=Spool(settings.spool_dir).open(),
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
    state = state_of(request.app.state)
    stewards = state.steward_services
    stewards.submissions.store = await state.current_store()
    return stewards


StewardsDep = Annotated[StewardServices, Depends(get_stewards)]


@asynccontextmanager
async def store_snapshot(
    request: Request, stewards: StewardServices
) -> AsyncIterator[HeldSnapshot | None]:
    """A read-only copy of the served store (the query workers' snapshot of its
    generation, held while the block runs), for an input worker to look up what the store
    says about a steward's data itself; None where there is none to give: data checked
    in this process, a remote store, or no query workers, whose snapshots these are."""
    state = state_of(request.app.state)
    pool = state.query_workers
    store = stewards.submissions.store
    if stewards.workers is None or pool is None or not isinstance(store, EmbeddedStore):
        yield None
        return
    path, generation = await pool.snapshots.acquire(store)
    try:
        yield HeldSnapshot(str(path), generation)
    finally:
        pool.snapshots.release(path)


#: A body larger than this, or of unknown length, goes to the spool as it arrives.
SPOOL_ABOVE_BYTES = 1024 * 1024


async def sent_in_body(request: Request, spool: Spool | None = None) -> Sent:
    """The request body, its syntax told by its ``Content-Type``. With a ``spool``, a
    large body is written into it as it arrives and never held whole; the caller
    discards the file (:meth:`StewardServices.discard`)."""
    content_type = request.headers.get("content-type", "")
    syntax = upload_syntax_for_content_type(content_type)
    charset = declared_charset(content_type) if syntax is None else None
    declared = request.headers.get("content-length", "")
    if spool is None or (declared.isdigit() and int(declared) <= SPOOL_ABOVE_BYTES):
        return Sent(await request.body(), syntax, "the request body", charset)
    path = spool.new_path(".body")
    try:
        with path.open("xb") as file:
            async for chunk in request.stream():
                file.write(chunk)
    except BaseException:
        spool.discard(path)
        raise
    return Sent(path, syntax, "the request body", charset)


def declared_charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a ``Content-Type``, if it has one.

    >>> declared_charset('text/csv; charset="windows-1258"')
    'windows-1258'
    """
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"'):
            return value.strip().strip('"')
    return None


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
