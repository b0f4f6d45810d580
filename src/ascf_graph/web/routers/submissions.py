"""``/submissions``: stewards' data, written with a token, read by anyone.

| method and path | what |
|---|---|
| ``POST /submissions`` | validate and store a new submission: 201 + ``Location``, or 422 + report |
| ``PUT /submissions/{id}`` | its next version (old one kept): 200 or 422; ``If-Match`` optional |
| ``DELETE /submissions/{id}`` | retract it (history kept): 200 |
| ``GET /submissions`` | every submission (JSON) |
| ``GET /submissions/{id}`` | it, its versions and current report (JSON), or its data (RDF) |
| ``GET /submissions/{id}/report`` | the current version's report, in any report format |
| ``GET /submissions/{id}/versions/{n}`` | version n (JSON with report, or its data as RDF) |
| ``GET /submissions/{id}/versions/{n}/original`` | version n exactly as it was sent (a download) |
| ``GET /submissions/{id}/versions/{n}/report`` | version n's report |

Write routes need ``Authorization: Bearer <token>`` (401 without a valid
one, 403 for another organisation's submission). Every write and every
refused write is recorded in the audit log. A write answers with the
validation report: JSON (submission, generation and report) by default,
plain text, or ``sh:ValidationReport`` RDF by ``Accept``.
"""

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ascf_graph.core.conneg import negotiate
from ascf_graph.core.errors import (
    AscfError,
    InvalidCredentialsError,
    NotAcceptableError,
    SubmissionGoneError,
    TokenRevokedError,
)
from ascf_graph.core.namespaces import PREFIXES
from ascf_graph.rdf.formats import SYNTAXES, RdfSyntax, serialize_graph, syntax_for_media_type
from ascf_graph.rdf.uploads import SheetPlaces, Upload
from ascf_graph.shacl.report_formats import ReportFormat, choose_format, render_report, report_json
from ascf_graph.shacl.reports import ValidationReport
from ascf_graph.stewards.credentials import Steward, bearer_token
from ascf_graph.stewards.provenance import SubmissionRecord
from ascf_graph.stewards.services import StewardServices
from ascf_graph.stewards.submissions import Accepted, NonConformingSubmissionError, version_etag
from ascf_graph.web.dependencies import client_address
from ascf_graph.web.stewards import StewardsDep, sent_in_body

router = APIRouter(prefix="/submissions", tags=["data stewards"])

_JSON = "application/json"
_RDF_TYPES = [s.media_type for s in SYNTAXES if not s.quads]


# ---------------------------------------------------------------------------
# Writes


@router.post("", status_code=201, summary="Submit a dataset (RDF or the projects CSV)")
async def create_submission(request: Request, stewards: StewardsDep) -> Response:
    """Validate the body and, if it has no Violation, store it as a new submission."""

    async def work(steward: Steward, chosen: ReportFormat) -> tuple[Response, dict[str, Any]]:
        accepted = await _store_body(
            request,
            stewards,
            lambda upload, original: stewards.submissions.create(upload, original, steward),
        )
        written = await run_in_threadpool(_written, accepted, chosen, status=201)
        return written, _accepted_details(accepted)

    return await _audited(request, stewards, "create", None, work)


async def _store_body(
    request: Request, stewards: StewardServices, store: Callable[[Upload, bytes], Accepted]
) -> Accepted:
    """Read the request's body as an upload and hand it (with the bytes sent) to ``store``,
    both admitted among the uploads at once and run in the uploads' own threads."""
    sent = await sent_in_body(request)
    async with stewards.admission.admitted():
        upload = await stewards.upload(sent)
        return await stewards.admission.run(store, upload, sent.data)


@router.put("/{submission_id}", summary="Replace a submission with its next version")
async def replace_submission(
    submission_id: str, request: Request, stewards: StewardsDep
) -> Response:
    """Validate the body and make it the submission's next version; the old one is kept."""

    async def work(steward: Steward, chosen: ReportFormat) -> tuple[Response, dict[str, Any]]:
        accepted = await _store_body(
            request,
            stewards,
            lambda upload, original: stewards.submissions.replace(
                submission_id, upload, original, steward, if_match=request.headers.get("if-match")
            ),
        )
        written = await run_in_threadpool(_written, accepted, chosen, status=200)
        return written, _accepted_details(accepted)

    return await _audited(request, stewards, "replace", submission_id, work)


@router.delete("/{submission_id}", summary="Retract a submission (its history is kept)")
async def retract_submission(
    submission_id: str, request: Request, stewards: StewardsDep
) -> Response:
    """Remove the submission's graph from the store; its versions stay readable."""

    async def work(steward: Steward, _chosen: ReportFormat) -> tuple[Response, dict[str, Any]]:
        record, generation = await run_in_threadpool(
            lambda: stewards.submissions.retract(
                submission_id, steward, if_match=request.headers.get("if-match")
            )
        )
        body = {**record_json(record), "generation": generation}
        return _json(body), {"generation": generation, "version": record.current.number}

    return await _audited(request, stewards, "retract", submission_id, work)


Work = Callable[[Steward, ReportFormat], Awaitable[tuple[Response, dict[str, Any]]]]


async def _audited(
    request: Request,
    stewards: StewardServices,
    action: str,
    submission_id: str | None,
    work: Work,
) -> Response:
    """Authenticate, do ``work``, and log the outcome; a 422 answers with the report."""
    steward: Steward | None = None
    chosen: ReportFormat | None = None
    try:
        chosen = choose_format(
            request.headers.get("accept"), request.query_params.get("format"), html=False
        )
        token = bearer_token(request.headers.get("authorization"))
        steward = await run_in_threadpool(stewards.tokens.authenticate, token)
        with stewards.guarding(client_address(request)):
            response, details = await work(steward, chosen)
    except AscfError as error:
        stewards.audit.record(
            "refused",
            action=action,
            status=error.status,
            code=error.code,
            reason="token revoked" if isinstance(error, TokenRevokedError) else error.message,
            submission=submission_id,
            **_who(steward, request, refused=error),
        )
        if isinstance(error, NonConformingSubmissionError) and chosen is not None:
            return await run_in_threadpool(_refused_report, error, chosen)  # may be large
        raise
    stewards.audit.record(
        "accepted",
        action=action,
        status=response.status_code,
        submission=details.pop("submission", submission_id),
        **details,
        **_who(steward, request),
    )
    return response


def _who(
    steward: Steward | None, request: Request, refused: AscfError | None = None
) -> dict[str, Any]:
    """Who made the request: the steward, or for a refused token the id it names."""
    client = client_address(request)
    if steward is None:
        token = refused.token_id if isinstance(refused, InvalidCredentialsError) else None
        return {"token": token, "client": client}
    return {
        "token": steward.token_id,
        "organisation": steward.organisation,
        "steward": steward.steward,
        "client": client,
    }


def _accepted_details(accepted: Accepted) -> dict[str, Any]:
    return {
        "submission": accepted.record.submission_id,
        "version": accepted.record.current.number,
        "generation": accepted.generation,
        "triples": accepted.record.current.triples,
        "content_hash": accepted.record.current.content_hash,
    }


def _written(accepted: Accepted, chosen: ReportFormat, *, status: int) -> Response:
    """The answer to an accepted write: its report, written in a thread by the caller."""
    record = accepted.record
    body, media_type = render_report(
        accepted.report,
        chosen,
        extra={"submission": record_json(record), "generation": accepted.generation},
        sheet=accepted.sheet,
    )
    return Response(
        body,
        status_code=status,
        media_type=media_type,
        headers={
            "Location": submission_url(record.submission_id),
            "ETag": version_etag(record),
            "Vary": "Accept",
        },
    )


def _refused_report(error: NonConformingSubmissionError, chosen: ReportFormat) -> Response:
    places = error.places if isinstance(error.places, SheetPlaces) else None
    body, media_type = render_report(
        error.report, chosen, extra={"code": error.code, "message": error.message}, sheet=places
    )
    return Response(body, status_code=error.status, media_type=media_type)


# ---------------------------------------------------------------------------
# Reads


@router.get("", summary="Every submission, active or retracted")
async def list_submissions(stewards: StewardsDep) -> Response:
    """The submissions with their versions, oldest first (JSON)."""
    records = await run_in_threadpool(stewards.submissions.records)
    return _json({"submissions": [record_json(r) for r in records]})


@router.get("/{submission_id}", summary="A submission with its report, or its data as RDF")
async def get_submission(submission_id: str, request: Request, stewards: StewardsDep) -> Response:
    """JSON: the submission, its versions and its current report; RDF: its current data."""
    chosen = _negotiate_json_or_rdf(request)
    record = await run_in_threadpool(stewards.submissions.get, submission_id)
    headers = {"ETag": version_etag(record), "Vary": "Accept"}
    if chosen != _JSON:
        headers["ETag"] = version_etag(record, _syntax_of(chosen).name)
        if not record.active:
            raise SubmissionGoneError(
                f"submission {submission_id} was retracted on {record.retracted}; its versions "
                f"stay readable at {submission_url(submission_id)}/versions/N"
            )
        triples = await run_in_threadpool(stewards.submissions.triples, submission_id, None)
        return _rdf(triples, chosen, headers)
    report = await run_in_threadpool(stewards.submissions.report, submission_id, None)
    return _json({**record_json(record), "report": report_json(report)}, headers=headers)


@router.get("/{submission_id}/report", summary="The current version's validation report")
async def get_report(submission_id: str, request: Request, stewards: StewardsDep) -> Response:
    """The report of the latest version, in any report format."""
    return await _report(submission_id, None, request, stewards)


@router.get("/{submission_id}/versions", summary="Every version of a submission")
async def list_versions(submission_id: str, stewards: StewardsDep) -> Response:
    """The versions, oldest first (JSON)."""
    record = await run_in_threadpool(stewards.submissions.get, submission_id)
    return _json({"versions": record_json(record)["versions"]})


@router.get("/{submission_id}/versions/{number}", summary="One version, with its report")
async def get_version(
    submission_id: str, number: int, request: Request, stewards: StewardsDep
) -> Response:
    """JSON: the version and its report; RDF: the triples it held."""
    chosen = _negotiate_json_or_rdf(request)
    if chosen != _JSON:
        triples = await run_in_threadpool(stewards.submissions.triples, submission_id, number)
        return _rdf(triples, chosen, {"Vary": "Accept"})
    record = await run_in_threadpool(stewards.submissions.get, submission_id)
    report = await run_in_threadpool(stewards.submissions.report, submission_id, number)
    version = next(v for v in record_json(record)["versions"] if v["number"] == number)
    return _json({**version, "report": report_json(report)})


@router.get("/{submission_id}/versions/{number}/original", summary="A version as it was sent")
async def get_original(submission_id: str, number: int, stewards: StewardsDep) -> Response:
    """The body of version ``number`` byte for byte, in its media type, as a download.

    It is what a steward sent, so a browser must never render it on our origin (an
    RDF/XML body is XML a browser would run script from): it comes as an attachment,
    with ``nosniff`` (see :mod:`ascf_graph.web.middleware.page_headers`).
    """
    body, media_type = await run_in_threadpool(stewards.submissions.original, submission_id, number)
    filename = original_filename(submission_id, number, media_type)
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


def original_filename(submission_id: str, number: int, media_type: str) -> str:
    """The file name an original is saved under: submission, version, and the syntax's
    extension, with nothing but ``[A-Za-z0-9._-]`` (it goes into a header).

    >>> original_filename("da-nang-2025", 2, "application/rdf+xml")
    'da-nang-2025-v2.rdf'
    >>> original_filename('x"; evil', 1, "text/html")
    'x-evil-v1.bin'
    """
    syntax = syntax_for_media_type(media_type)
    extension = syntax.extension if syntax is not None else "bin"
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", submission_id).strip("-.") or "submission"
    return f"{stem}-v{number}.{extension}"


@router.get("/{submission_id}/versions/{number}/report", summary="A version's report")
async def get_version_report(
    submission_id: str, number: int, request: Request, stewards: StewardsDep
) -> Response:
    """The report of version ``number``, in any report format."""
    return await _report(submission_id, number, request, stewards)


async def _report(
    submission_id: str, number: int | None, request: Request, stewards: StewardsDep
) -> Response:
    chosen = choose_format(
        request.headers.get("accept"), request.query_params.get("format"), html=False
    )
    report: ValidationReport = await run_in_threadpool(
        stewards.submissions.report, submission_id, number
    )
    body, media_type = render_report(report, chosen)
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


def _negotiate_json_or_rdf(request: Request) -> str:
    chosen = negotiate(request.headers.get("accept"), [_JSON, *_RDF_TYPES])
    if chosen is None:
        raise NotAcceptableError(
            f"a submission comes as {_JSON} or as RDF: {', '.join(_RDF_TYPES)}"
        )
    return chosen


def _syntax_of(media_type: str) -> RdfSyntax:
    """The RDF syntax of one of :data:`_RDF_TYPES`."""
    return next(s for s in SYNTAXES if s.media_type == media_type)


def _rdf(triples: list[ox.Triple], media_type: str, headers: dict[str, str]) -> Response:
    body = serialize_graph(triples, _syntax_of(media_type), prefixes=PREFIXES)
    return Response(body, media_type=media_type, headers=headers)


def _json(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    return Response(text, media_type=_JSON, headers=headers)


def submission_url(submission_id: str) -> str:
    """The path of a submission on this service."""
    return f"/submissions/{submission_id}"


def record_json(record: SubmissionRecord) -> dict[str, Any]:
    """A submission and its versions as JSON."""
    url = submission_url(record.submission_id)
    return {
        "id": record.submission_id,
        "url": url,
        "graph": record.graph,
        "organisation": record.organisation,
        "status": "active" if record.active else "retracted",
        "created": record.created,
        "retracted": record.retracted,
        "version": record.current.number,
        "etag": version_etag(record),
        "versions": [
            {
                "number": v.number,
                "url": f"{url}/versions/{v.number}",
                "generated": v.generated,
                "steward": v.steward,
                "token": v.token_id,
                "contentHash": f"sha256:{v.content_hash}",
                "triples": v.triples,
                "mediaType": v.media_type,
                "report": f"{url}/versions/{v.number}/report",
                "reportGraph": v.report,
                "original": f"{url}/versions/{v.number}/original",
                "invalidated": v.invalidated,
            }
            for v in record.versions
        ],
    }
