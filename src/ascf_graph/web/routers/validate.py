"""``/validate``: check a steward's data against the shapes and answer the report; store nothing.

``GET /validate`` is the HTML form (paste or upload). ``POST /validate``
takes the data as the body (its ``Content-Type`` one of the RDF media types
or ``text/csv``) or as the form's multipart upload, and answers the report in
the format ``Accept`` or ``?format=`` asks for (see
:mod:`ascf_graph.shacl.report_formats`). A report is 200 whether or not the data
conforms; unreadable data is a 4xx with the parser's line and column.
"""

from functools import partial

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from starlette.concurrency import run_in_threadpool

from ascf_graph.core.errors import AscfError, TemplateNotFoundError
from ascf_graph.html.stewards import error_page, report_page, validate_form
from ascf_graph.shacl.report_formats import choose_format, render_report
from ascf_graph.web.dependencies import client_address
from ascf_graph.web.stewards import StewardsDep, sent_in_body, sent_in_form, store_snapshot

router = APIRouter(tags=["data stewards"])


TEMPLATE_FILES = {
    "projects-template.csv": "the empty projects template",
    "projects-example.csv": "the template filled with made-up example rows",
}


@router.get("/validate", response_class=HTMLResponse, summary="The validation form")
def validate_page(stewards: StewardsDep) -> HTMLResponse:
    """The page where stewards paste or upload data to check it."""
    return HTMLResponse(validate_form(stewards.settings.max_body_bytes))


@router.post("/validate", summary="Validate RDF or a projects CSV; nothing is stored")
async def validate_data(request: Request, stewards: StewardsDep) -> Response:
    """Answer the SHACL report for the data in the body or the form."""
    wants = request.headers.get("accept")
    try:
        chosen = choose_format(wants, request.query_params.get("format"))
        content_type = request.headers.get("content-type", "")
        with stewards.guarding(client_address(request)):
            if content_type.lower().startswith("multipart/form-data"):
                sent = await sent_in_form(request, stewards)
            else:
                sent = await sent_in_body(request, stewards.spool)
            try:
                async with stewards.admission.admitted():
                    upload = await stewards.upload(sent)
                    async with store_snapshot(request, stewards) as snapshot:
                        report = await stewards.admission.run(
                            partial(
                                stewards.submissions.validate,
                                report_rdf=chosen.rdflib_name is not None,
                            ),
                            upload,
                            snapshot,
                        )
            finally:
                stewards.discard(sent)
    except AscfError as error:
        if "text/html" in (wants or "") and error.status < 500:
            return HTMLResponse(error_page(error.status, error.message), status_code=error.status)
        raise
    # Written in a thread: a report of thousands of results takes a good part of a second
    # to write, which the event loop must not spend while other clients wait on it.
    body, media_type = await run_in_threadpool(
        lambda: render_report(
            report,
            chosen,
            extra={
                "source": upload.source,
                "format": upload.syntax,
                "triples": len(upload.triples),
            },
            html=lambda r: report_page(r, source=upload.source, sheet=upload.sheet),
            sheet=upload.sheet,
        )
    )
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


@router.get("/templates/{name}", summary="The projects spreadsheet template and its example")
def template(name: str, stewards: StewardsDep) -> FileResponse:
    """A CSV of ``data/templates/``."""
    if name not in TEMPLATE_FILES:
        raise TemplateNotFoundError(f"no template {name!r}; there are {', '.join(TEMPLATE_FILES)}")
    path = stewards.settings.instance_dir / "templates" / name
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=name)
