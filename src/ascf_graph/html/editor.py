"""The query editor: a YASGUI page, prefilled with our prefixes and the curated queries.

YASGUI (``@zazuko/yasgui`` from the npm registry) is installed at install
time by ``make editor-assets`` next to this module and served from
``/sparql/editor/``, so the editor works with no internet access. Its class
and property autocompletion (which calls a public web service) is switched
off; prefix and variable completion work offline.

The page is the template ``editor.html``, on the site's layout and
stylesheet. It has no inline script (its Content-Security-Policy allows
scripts from our origin only): its own code is ``editor_assets/editor.js``,
served beside YASGUI's files, and its configuration a JSON data block. Every
URL in the page is relative, or under ``ASCF_PUBLIC_URL`` when that is set,
never built from the request's ``Host`` header.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ascf_graph.core.errors import ResourceNotFoundError
from ascf_graph.core.namespaces import PREFIXES
from ascf_graph.html.pages import FormatLink, environment, layout_context
from ascf_graph.sparql.curated import CuratedQuery

#: The page's own script, shipped in the package (not with YASGUI's build).
SCRIPT = Path(__file__).resolve().parent / "editor_assets" / "editor.js"
#: The endpoint's service description, which the page offers as an alternate.
SERVICE_DESCRIPTION = FormatLink("Service description (Turtle)", "text/turtle", "?format=turtle")
ASSETS = {
    "yasgui.min.js": "text/javascript",
    "yasgui.min.css": "text/css",
    "yasgui.min.js.map": "application/json",
}


def editor_page(
    endpoint: str,
    queries: Iterable[CuratedQuery],
    *,
    assets_dir: Path,
    assets_url: str,
    queries_url: str | None = None,
) -> str:
    """The editor's HTML, configured for ``endpoint`` with the curated queries as examples.

    ``assets_url`` is where the files :func:`asset` names are served (ending with ``/``);
    ``queries_url``, if given, is linked as the curated-query API. URLs may be
    relative (the page's script makes ``endpoint`` absolute in the browser).
    """
    config = {
        "endpoint": endpoint,
        "prefixes": PREFIXES,
        "assetsInstalled": (assets_dir / "yasgui.min.js").is_file(),
        "examples": [
            {
                "name": query.name,
                "summary": query.summary,
                "description": query.description,
                "query": query.text,
            }
            for query in queries
        ],
    }
    context = layout_context("SPARQL query editor") | {
        "alternates": [SERVICE_DESCRIPTION],
        "endpoint": endpoint,
        "queries_url": queries_url,
        "config": config,
        "yasgui_css": assets_url + "yasgui.min.css",
        "yasgui_js": assets_url + "yasgui.min.js",
        "editor_js": assets_url + SCRIPT.name,
    }
    return environment().get_template("editor.html").render(context)


@dataclass(frozen=True)
class EditorAsset:
    """One of the editor's files, as it is served."""

    path: Path
    media_type: str
    cache_control: str


def asset(assets_dir: Path, name: str) -> EditorAsset:
    """One of YASGUI's files, or the page's own script, by name from a fixed list (no paths
    from the request); :class:`ResourceNotFoundError` for any other name."""
    if name == SCRIPT.name:
        # Revalidated each time: it changes with the package, not with YASGUI's build.
        return EditorAsset(SCRIPT, "text/javascript", "no-cache")
    if name not in ASSETS or not (assets_dir / name).is_file():
        raise ResourceNotFoundError(
            f"the editor has no file {name!r}"
            + ("" if (assets_dir / "yasgui.min.js").is_file() else "; run `make editor-assets`")
        )
    return EditorAsset(assets_dir / name, ASSETS[name], "public, max-age=86400")
