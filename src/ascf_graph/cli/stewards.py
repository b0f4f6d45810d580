"""The stewards' commands: ``ascf-graph token ...`` and ``ascf-graph submit``.

``submit`` sends a file to a running service and prints the report the
service answers, byte for byte, in the format asked for: the same report
``POST /submissions`` gives, and (for text and JSON) the same findings
``ascf-graph validate`` prints. Exit codes as for ``validate``: 0 accepted,
1 refused for Violations (422), 2 anything else (unreadable data, a refused
token, an unreachable server).
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ascf_graph.cli.common import EXIT_NONCONFORMING, EXIT_OK, EXIT_UNUSABLE, fail
from ascf_graph.core.errors import AscfError, UnusableInputError
from ascf_graph.core.settings import Settings

if TYPE_CHECKING:
    from ascf_graph.stewards.credentials import TokenStore

#: --report-format -> what ``submit`` asks the service for.
REPORT_MEDIA_TYPES = {
    "text": "text/plain",
    "json": "application/json",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
}

token_app = typer.Typer(
    help="API tokens for data stewards (stored hashed under ASCF_DATA_DIR).",
    no_args_is_help=True,
)


def _tokens() -> "TokenStore":
    # Start-up: see ascf_graph.cli.main.
    from ascf_graph.stewards.credentials import TokenStore  # noqa: PLC0415

    return TokenStore(Settings().credentials_file)


@token_app.command("create")
def token_create(
    org: Annotated[str, typer.Option("--org", help="The organisation (name or slug).")],
    steward: Annotated[str, typer.Option("--steward", help="The person or office using it.")],
    city: Annotated[
        list[str] | None,
        typer.Option(
            "--city",
            help="A member city the token speaks for (its slug, e.g. da-nang); repeat for more.",
        ),
    ] = None,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="'city' (a city's organisation) or 'network' (the network's own: "
            "membership, countries, new member cities).",
        ),
    ] = "city",
) -> None:
    """Create a token; it is printed once and never again (only its hash is kept)."""
    cities = tuple(city or ())
    try:
        _check_cities(cities)
        record, token = _tokens().create(org, steward, cities=cities, role=role)  # type: ignore[arg-type]
    except AscfError as error:
        raise fail(error) from None
    speaks_for = f", cities {', '.join(record.cities)}" if record.cities else ""
    typer.echo(
        f"token {record.token_id} for {record.steward} of {record.organisation_name} "
        f"(organisation {record.organisation}, role {record.role}{speaks_for}); keep it secret, "
        "it is not shown again:",
        err=True,
    )
    typer.echo(token)


def _check_cities(cities: tuple[str, ...]) -> None:
    """Refuse city slugs that name no member city of the store (when one can be read)."""
    if not cities:
        return
    # Start-up: see ascf_graph.cli.main.
    from ascf_graph.core.slugs import slugify  # noqa: PLC0415
    from ascf_graph.stewards.ownership import member_cities  # noqa: PLC0415
    from ascf_graph.store.backends import open_reader  # noqa: PLC0415

    settings = Settings()
    store = open_reader(settings)
    try:
        known = member_cities(store, settings.base_iri)
    finally:
        store.close()
    try:
        unknown = [city for city in cities if slugify(city) not in known]
    except ValueError as error:
        raise UnusableInputError(str(error)) from None
    if unknown:
        raise UnusableInputError(
            f"no member city {', '.join(repr(c) for c in unknown)} in the store; the member "
            f"cities are: {', '.join(sorted(known))}"
        )


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (or the whole token).")],
) -> None:
    """Revoke a token: every request with it is refused from now on."""
    try:
        record = _tokens().revoke(token_id)
    except AscfError as error:
        raise fail(error) from None
    typer.echo(f"revoked token {record.token_id} of {record.steward} ({record.organisation})")


@token_app.command("list")
def token_list() -> None:
    """Every token: id, organisation, steward, created, revoked (never the secret)."""
    for record in _tokens().records():
        state = f"revoked {record.revoked}" if record.revoked else "active"
        cities = ",".join(record.cities) or "-"
        typer.echo(
            f"{record.token_id}  {record.organisation}  {record.role}  {cities}  "
            f"{record.steward}  created {record.created}  {state}"
        )


def submit_command(  # noqa: PLR0917 - a typer command: its options are its parameters
    file: Annotated[Path, typer.Argument(help="RDF file, or a projects template .csv.")],
    server: Annotated[str, typer.Option("--server", help="The service, e.g. http://host:8000.")],
    token: Annotated[str, typer.Option("--token", envvar="ASCF_TOKEN", help="Your API token.")],
    replace: Annotated[
        str | None, typer.Option("--replace", help="Replace this submission id (PUT).")
    ] = None,
    rdf_format: Annotated[
        str | None,
        typer.Option("--format", help="Input format when the extension does not say."),
    ] = None,
    report_format: Annotated[
        str, typer.Option("--report-format", help="text, json, turtle or jsonld.")
    ] = "text",
) -> None:
    """Submit a file to a running service: exit 0 accepted, 1 violations, 2 unusable."""
    try:
        status, body, location = submit_file(
            file,
            server,
            token,
            replace=replace,
            rdf_format=rdf_format,
            report_format=report_format,
        )
    except AscfError as error:
        raise fail(error) from None
    if status in (200, 201):
        typer.echo(body, nl=False)
        typer.echo(f"accepted: {server.rstrip('/')}{location}", err=True)
        raise typer.Exit(EXIT_OK)
    if status == 422:
        typer.echo(body, nl=False)
        typer.echo("refused: the data has violations; nothing was stored", err=True)
        raise typer.Exit(EXIT_NONCONFORMING)
    typer.echo(f"error ({status}): {_message(body)}", err=True)
    raise typer.Exit(EXIT_UNUSABLE)


def submit_file(
    file: Path,
    server: str,
    token: str,
    *,
    replace: str | None = None,
    rdf_format: str | None = None,
    report_format: str = "text",
    timeout: float = 300.0,
) -> tuple[int, str, str]:
    """POST (or PUT, to ``replace``) ``file`` to ``server``: status, body and Location."""
    # Start-up: see ascf_graph.cli.main.
    import httpx  # noqa: PLC0415

    if report_format not in REPORT_MEDIA_TYPES:
        raise UnusableInputError(f"--report-format takes one of {', '.join(REPORT_MEDIA_TYPES)}")
    if not file.is_file():
        raise UnusableInputError(f"{file}: no such file")
    media_type = _media_type(file, rdf_format)
    url = f"{server.rstrip('/')}/submissions" + (f"/{replace}" if replace else "")
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": media_type,
        "Accept": REPORT_MEDIA_TYPES[report_format],
    }
    try:
        response = httpx.request(
            "PUT" if replace else "POST",
            url,
            content=file.read_bytes(),
            headers=headers,
            timeout=timeout,
        )
    except httpx.TransportError as error:
        raise UnusableInputError(f"cannot reach {server}: {error}") from None
    return response.status_code, response.text, response.headers.get("location", "")


def _media_type(file: Path, rdf_format: str | None) -> str:
    # Start-up: see ascf_graph.cli.main.
    from ascf_graph.rdf.formats import syntax_named  # noqa: PLC0415
    from ascf_graph.rdf.uploads import CSV_MEDIA_TYPE, syntax_for_filename  # noqa: PLC0415

    if rdf_format:
        return CSV_MEDIA_TYPE if rdf_format == "csv" else syntax_named(rdf_format).media_type
    syntax = syntax_for_filename(file.name)
    return CSV_MEDIA_TYPE if syntax is None else syntax.media_type


def _message(body: str) -> str:
    try:
        return str(json.loads(body).get("message", body))
    except (ValueError, AttributeError):
        return body.strip()[:500]
