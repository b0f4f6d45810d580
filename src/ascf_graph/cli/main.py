"""The ``ascf-graph`` command: build, query, validate, serve.

Exit codes are those of :mod:`ascf_graph.cli.common`: 0 success, 1 the data
does not conform (or the build refused the content), 2 unusable input.

Start-up: ``ascf-graph serve`` imports this module before the server it forks
imports the application, and before the server answers its first query. So
this module imports only what every command needs (typer, the settings, the
errors), and each command imports what it works with (the store, rdflib,
pySHACL, the web application) in its own body: the supervisor never imports
those, and the server imports only the application's.
"""

import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pydantic
import typer

from ascf_graph.cli.common import EXIT_NONCONFORMING, EXIT_OK, EXIT_UNUSABLE, fail
from ascf_graph.core.errors import (
    AscfError,
    BuildError,
    StoreBusyError,
    StoreNotBuiltError,
    UnusableInputError,
)
from ascf_graph.core.settings import Settings

if TYPE_CHECKING:
    import pyoxigraph as ox

    from ascf_graph.sources.projects_csv import ProjectSheet
    from ascf_graph.store.base import Store


app = typer.Typer(
    help="The ASEAN Smart Cities Framework as a knowledge graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command("build")
def build_command(
    no_reasoner: Annotated[
        bool,
        typer.Option(
            "--no-reasoner",
            help="Skip the HermiT consistency check (as ASCF_REASONER=none does).",
        ),
    ] = False,
    skip_validation: Annotated[
        bool,
        typer.Option(
            "--skip-validation",
            help="Do not check data/ against the shapes: for generated benchmark data only.",
        ),
    ] = False,
) -> None:
    """Load ontology/, shapes/ and data/ into the store, reason, validate, publish."""
    # Start-up: see the module's docstring.
    from ascf_graph.build.pipeline import build  # noqa: PLC0415

    settings = Settings()
    try:
        report = build(
            settings,
            reasoner=settings.reasoner == "hermit" and not no_reasoner,
            validate_content=not skip_validation,
        )
    except BuildError as error:
        raise fail(error, EXIT_NONCONFORMING) from None
    except AscfError as error:
        raise fail(error) from None
    typer.echo(report.to_text(), nl=False)


@app.command("query")
def query_command(
    query: Annotated[
        str, typer.Argument(help="SPARQL text, a .rq file, or the name of a query in queries/.")
    ],
    output: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="table, json, xml, csv, tsv; for graphs turtle, ntriples, jsonld, rdfxml.",
        ),
    ] = "table",
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="NAME=VALUE for a curated query's parameter."),
    ] = None,
) -> None:
    """Run a SPARQL query against the built store."""
    # Start-up: see the module's docstring.
    from ascf_graph.sparql import run as sparql  # noqa: PLC0415
    from ascf_graph.store.backends import open_store  # noqa: PLC0415

    settings = Settings()
    try:
        text, substitutions = _resolve_query(settings, query, param or [])
        store = open_store(settings)
        try:
            result = sparql.run(store, text, substitutions=substitutions)
            is_graph = sparql.result_form(result) == "CONSTRUCT"
            if output == "table" and not is_graph:
                typer.echo(sparql.as_table(result), nl=False)
            else:
                body, _ = sparql.serialize_result(
                    result, "turtle" if is_graph and output == "table" else output
                )
                sys.stdout.buffer.write(body)
                sys.stdout.flush()
        finally:
            store.close()
    except AscfError as error:
        raise fail(error) from None


def _resolve_query(
    settings: Settings, query: str, params: list[str]
) -> tuple[str, dict[str, object] | None]:
    """The query text and bound parameters for a string, a file, or a curated name."""
    values = dict(_split_param(p) for p in params)
    path = Path(query)
    if query.endswith(".rq") and path.is_file():
        return path.read_text(encoding="utf-8"), None
    if "{" not in query and " " not in query.strip():
        # Start-up: see the module's docstring.
        from ascf_graph.sparql.curated import curated_query  # noqa: PLC0415

        curated = curated_query(settings.queries_dir, query)
        return curated.text, curated.bind(values)
    if values:
        raise UnusableInputError("--param applies to curated queries only")
    return query, None


def _split_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise UnusableInputError(f"--param takes NAME=VALUE, got {text!r}")
    return name.strip(), value


@app.command("validate")
def validate_command(
    files: Annotated[list[Path], typer.Argument(help="RDF files; validated together.")],
    rdf_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Input format when the extension does not say "
            "(turtle, ntriples, jsonld, rdfxml, trig, nquads, or csv for the projects template).",
        ),
    ] = None,
    report_format: Annotated[
        str, typer.Option("--report-format", help="text, json or turtle.")
    ] = "text",
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            help="The SHACL engine: pyshacl or rudof (same report; rudof needs pyrudof). "
            "Default: ASCF_SHACL_ENGINE, else pyshacl.",
        ),
    ] = None,
) -> None:
    """Check city and project data against the shapes: exit 0 conforms, 1 not, 2 unusable."""
    # Start-up: see the module's docstring.
    import pyoxigraph as ox  # noqa: PLC0415
    import rdflib  # noqa: PLC0415

    from ascf_graph.rdf.formats import syntax_named  # noqa: PLC0415
    from ascf_graph.rdf.io import parse_file, to_rdflib_graph  # noqa: PLC0415
    from ascf_graph.rdf.uploads import SheetPlaces  # noqa: PLC0415
    from ascf_graph.shacl.beyond_shapes import checked_beyond_shapes  # noqa: PLC0415
    from ascf_graph.shacl.engine import validation_engine  # noqa: PLC0415
    from ascf_graph.shacl.sheet_reports import sheet_json, sheet_text  # noqa: PLC0415
    from ascf_graph.shacl.validation import ValidationContext  # noqa: PLC0415
    from ascf_graph.sources.projects_csv import template_columns  # noqa: PLC0415

    settings = Settings()
    try:
        validate_with = validation_engine(engine or settings.shacl_engine)
        data = rdflib.Graph()
        triples: list[ox.Triple] = []
        places = None
        for path in files:
            if not path.is_file():
                raise UnusableInputError(f"{path}: no such file")
            if (rdf_format or path.suffix.lstrip(".")).lower() == "csv":
                sheet = _csv_sheet(settings, path)
                triples += sheet.triples
                data += to_rdflib_graph(sheet.triples)
                if len(files) == 1:  # a report in the sheet's own terms
                    places = SheetPlaces(
                        sheet.reading, sheet.rows, template_columns(settings.base_iri)
                    )
                continue
            syntax = syntax_named(rdf_format) if rdf_format else None
            quads = parse_file(path, syntax=syntax)
            triples += (quad.triple for quad in quads)
            data += to_rdflib_graph(quads)
        store = _store_for_validation(settings)
        try:
            report = validate_with(
                data, ValidationContext.for_submissions(store, settings.base_iri)
            )
            report = checked_beyond_shapes(report, triples, store, settings.base_iri)
        finally:
            store.close()  # or a second run in this process finds the store locked
    except AscfError as error:
        raise fail(error) from None
    writers = {"text": report.to_text, "json": report.to_json, "turtle": report.to_rdf}
    if places is not None:
        writers |= {
            "text": lambda: sheet_text(report, places),
            "json": lambda: sheet_json(report, places),
        }
    if report_format not in writers:
        raise fail(UnusableInputError(f"--report-format takes one of {', '.join(writers)}"))
    typer.echo(writers[report_format](), nl=False)
    raise typer.Exit(EXIT_OK if report.conforms else EXIT_NONCONFORMING)


def _store_for_validation(settings: Settings) -> "Store":
    """The built store, or the content assembled in memory when it cannot be opened."""
    # Start-up: see the module's docstring.
    from ascf_graph.build.pipeline import assemble, discover_sources  # noqa: PLC0415
    from ascf_graph.store.backends import open_store  # noqa: PLC0415
    from ascf_graph.store.embedded import EmbeddedStore  # noqa: PLC0415

    try:
        return open_store(settings)
    except (StoreNotBuiltError, StoreBusyError) as error:
        typer.echo(
            f"{error.message}: checking against ontology/, shapes/ and data/ alone, "
            "without stewards' submissions",
            err=True,
        )
        staged = assemble(settings, discover_sources(settings))
        return EmbeddedStore(staged, generation="unbuilt")


@app.command("import-csv")
def import_csv_command(
    dataset: Annotated[
        str, typer.Argument(help="'ascn' (the ASCN extracts) or 'projects' (the template).")
    ],
    file: Annotated[
        Path | None, typer.Argument(help="For 'projects': the filled-in template CSV.")
    ] = None,
    source: Annotated[
        Path, typer.Option(help="Folder of the CSV extracts and their PROVENANCE.md.")
    ] = Path("../shared/data/ascn"),
    out: Annotated[
        Path | None,
        typer.Option(
            help="'ascn': folder for the Turtle files (default data/); "
            "'projects': the Turtle file (default: standard output)."
        ),
    ] = None,
) -> None:
    """Turn CSV into Turtle: the ASCN extracts into data/*.ttl, or a projects template."""
    # Start-up: see the module's docstring.
    from ascf_graph.sources.ascn_import import import_ascn  # noqa: PLC0415

    settings = Settings()
    if dataset == "projects":
        _import_projects(settings, file, out)
        return
    if dataset != "ascn":
        raise fail(UnusableInputError(f"unknown dataset {dataset!r}; use 'ascn' or 'projects'"))
    out = out or Path("data")
    try:
        counts = import_ascn(source, out, base_iri=settings.base_iri)
    except AscfError as error:
        raise fail(error) from None
    for name, count in counts.items():
        typer.echo(f"{out / (name + '.ttl')}: {count} triples")


def _import_projects(settings: Settings, file: Path | None, out: Path | None) -> None:
    """Write the Turtle of a projects template CSV to ``out`` or standard output."""
    # Start-up: see the module's docstring.
    from ascf_graph.rdf.turtle import turtle  # noqa: PLC0415
    from ascf_graph.sources.projects_csv import template_prefixes  # noqa: PLC0415

    if file is None:
        raise fail(UnusableInputError("name the CSV file: ascf-graph import-csv projects FILE"))
    try:
        if not file.is_file():
            raise UnusableInputError(f"{file}: no such file")
        triples = _csv_triples(settings, file)
    except AscfError as error:
        raise fail(error) from None
    text = turtle(triples, template_prefixes(settings.base_iri), [f"Projects from {file.name}"])
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"{out}: {len(triples)} triples", err=True)


def _csv_triples(settings: Settings, file: Path) -> "list[ox.Triple]":
    """The triples of a projects template CSV, names resolved against the store."""
    return _csv_sheet(settings, file).triples


def _csv_sheet(settings: Settings, file: Path) -> "ProjectSheet":
    """A projects template CSV read, names resolved against the store."""
    # Start-up: see the module's docstring.
    from ascf_graph.sources.projects_csv import (  # noqa: PLC0415
        LABEL_MAPPING,
        Vocabulary,
        read_projects_sheet,
    )

    store = _store_for_validation(settings)
    try:
        vocabulary = Vocabulary.from_store(
            store, settings.base_iri, label_mapping=settings.instance_dir / LABEL_MAPPING
        )
    finally:
        store.close()  # the validation opens it again
    return read_projects_sheet(file.read_bytes(), vocabulary, source=str(file))


@app.command("country-labels")
def country_labels_command(
    countries: Annotated[
        Path, typer.Option(help="The countries file whose ascf:isoCode values are labelled.")
    ] = Path("ontology/countries.ttl"),
    out: Annotated[Path, typer.Option(help="The Turtle file to write.")] = Path(
        "ontology/country-labels.ttl"
    ),
) -> None:
    """Write the countries' names in the languages of ASEAN from Unicode CLDR (via Babel)."""
    try:
        # Start-up: see the module's docstring.
        from ascf_graph.sources.country_labels import write_country_labels  # noqa: PLC0415
    except ImportError:  # pragma: no cover - babel is a dev dependency
        raise fail(UnusableInputError("install the dev extras (babel) first")) from None
    try:
        count = write_country_labels(countries, out)
    except AscfError as error:
        raise fail(error) from None
    typer.echo(f"{out}: {count} triples")


@app.command("country-outlines")
def country_outlines_command(
    topojson: Annotated[
        Path, typer.Argument(help="world-atlas 2.0.2's countries-50m.json (make country-outlines).")
    ],
    out: Annotated[Path, typer.Option(help="The JSON file to write.")] = Path(
        "src/ascf_graph/places/data/country-outlines.json"
    ),
) -> None:
    """Write the region's country outlines (Natural Earth, via world-atlas) for the
    coordinate check and the maps."""
    try:
        # Start-up: see the module's docstring.
        from ascf_graph.sources.country_outlines import write_country_outlines  # noqa: PLC0415

        count = write_country_outlines(topojson, out)
    except ImportError:  # pragma: no cover - pycountry is a dev dependency
        raise fail(UnusableInputError("install the dev extras (pycountry) first")) from None
    except AscfError as error:
        raise fail(error) from None
    typer.echo(f"{out}: {count} countries")


@app.command("describe")
def describe_command(
    uri: Annotated[str, typer.Argument(help="A URI under the base (id/..., def or def/...).")],
    output: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="An RDF format: ttl, jsonld, rdf, nt or another of its names."
        ),
    ] = "ttl",
    page: Annotated[int, typer.Option(help="Page of inbound links.", min=1)] = 1,
) -> None:
    """Print the description a URI dereferences to, as the service serves it."""
    # Start-up: see the module's docstring.
    from ascf_graph.linked_data import addresses  # noqa: PLC0415
    from ascf_graph.linked_data import resources as linked_data  # noqa: PLC0415
    from ascf_graph.store.backends import open_store  # noqa: PLC0415

    settings = Settings()
    fmt = addresses.document_format_named(output)
    path = uri[len(settings.base_iri) :] if uri.startswith(settings.base_iri) else None
    target = addresses.target_for_resource(settings.base_iri, path) if path else None
    try:
        if fmt is None or fmt.is_html:
            raise UnusableInputError(
                f"--format takes an RDF format (ttl, jsonld, rdf, nt...), not {output!r}"
            )
        if target is None:
            raise UnusableInputError(f"{uri} is not an id/ or def URI under {settings.base_iri}")
        store = open_store(settings)
        try:
            if not linked_data.exists(store, target):
                raise UnusableInputError(f"nothing is known about <{uri}>")
            description = linked_data.describe(
                store, target, modified=datetime.now(UTC), license_iri=None, page=page
            )
        finally:
            store.close()
    except AscfError as error:
        raise fail(error) from None
    sys.stdout.buffer.write(linked_data.serialize(description.triples, fmt, settings.base_iri))
    sys.stdout.flush()


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every request, one line each with its id (off by default: a formatted "
            "line per request costs measurable throughput on cheap lookups; writes are "
            "audited separately).",
        ),
    ] = False,
    supervise: Annotated[
        bool,
        typer.Option(
            "--supervise/--no-supervise",
            help="Run the server in a child process and restart it if it dies (the default); "
            "--no-supervise serves in this process, for a process manager that restarts it.",
        ),
    ] = True,
) -> None:
    """Serve SPARQL and linked data over HTTP (uvicorn), restarted if it dies.

    The server runs in a fork of this process (see :mod:`ascf_graph.cli.supervisor`).
    Log lines go to stderr as ``ASCF_LOG_FORMAT`` says (see :mod:`ascf_graph.core.logs`).
    """
    # Start-up: see the module's docstring.
    from ascf_graph.cli.supervisor import Supervisor, listening_socket  # noqa: PLC0415
    from ascf_graph.core.logs import configure_logging  # noqa: PLC0415
    from ascf_graph.core.processes import die_with_parent  # noqa: PLC0415

    settings = Settings()  # a bad setting stops the supervisor itself, with exit 2
    configure_logging(settings.log_format, access_log=access_log)
    if not supervise:
        _serve(settings, host, port)
        return
    try:
        listener = listening_socket(host, port)
    except OSError as error:
        typer.echo(f"error: cannot listen on {host}:{port}: {error.strerror}", err=True)
        raise typer.Exit(EXIT_UNUSABLE) from None
    parent = os.getpid()

    def serve_forked(restarts: Mapping[str, int]) -> int:
        die_with_parent(parent)
        try:
            _serve(settings, host, port, restarts=restarts, fd=listener.fileno())
        except typer.Exit as exit:
            return exit.exit_code
        return EXIT_OK

    # The child opens the store and builds the application; if it finds the configuration
    # unusable it says why and exits 2, and the supervisor exits 2 with it.
    code = Supervisor(
        serve_forked,
        fatal_exit=EXIT_UNUSABLE,
        give_up_after=settings.restart_give_up_after,
        stable_after=settings.restart_stable_after,
    ).run()
    raise typer.Exit(code)


def _serve(
    settings: Settings,
    host: str,
    port: int,
    *,
    restarts: Mapping[str, int] | None = None,
    fd: int | None = None,
) -> None:
    """Open the store, build the application and serve it until stopped (on ``fd``, the
    supervisor's listening socket, if given); an unusable configuration exits 2, saying
    why, before anything starts."""
    # Start-up: see the module's docstring.
    from ascf_graph.app import create_app  # noqa: PLC0415
    from ascf_graph.store.backends import open_store  # noqa: PLC0415
    from ascf_graph.web.connection_limits import ConnectionAccounts, ConnectionLimits  # noqa: PLC0415
    from ascf_graph.web.server import run_server  # noqa: PLC0415

    connections = ConnectionAccounts(ConnectionLimits.from_settings(settings))
    try:
        store = open_store(settings)
        application = create_app(settings, restarts=restarts, connections=connections, store=store)
    except AscfError as error:
        raise fail(error) from None
    run_server(settings, application, connections, host, port, fd=fd)


def main() -> None:
    """Console-script entry point; a setting the environment gets wrong exits 2, saying which."""
    try:
        app()
    except pydantic.ValidationError as error:
        for problem in settings_problems(error):
            typer.echo(f"error: {problem}", err=True)
        sys.exit(EXIT_UNUSABLE)


def settings_problems(error: pydantic.ValidationError) -> list[str]:
    """One line per bad setting, named as its environment variable.

    >>> try:
    ...     Settings(shacl_engine="fast")
    ... except pydantic.ValidationError as error:
    ...     print(*settings_problems(error))
    ASCF_SHACL_ENGINE='fast': Input should be 'pyshacl' or 'rudof'
    """
    lines = []
    for problem in error.errors():
        name = "ASCF_" + "_".join(str(part) for part in problem["loc"]).upper()
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{name}={problem['input']!r}: {message}")
    return lines


from ascf_graph.cli.stewards import submit_command, token_app  # noqa: E402

app.add_typer(token_app, name="token")
app.command("submit")(submit_command)
