"""HTML for people browsing the curated queries (no JavaScript needed)."""

from html import escape

_STYLE = """
body { margin: 0 auto; max-width: 60rem; padding: 1rem 1.2rem; font: 15px/1.5 system-ui, sans-serif;
       color: #1d2733; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.05rem; margin: 1.4rem 0 .2rem; }
code { background: #eef1f4; padding: 0 .2rem; } .tags { color: #5b6b7b; font-size: .85rem; }
form { margin: .4rem 0; } label { margin-right: .6rem; } input[type=text] { width: 26rem; }
"""

_FORMATS = (("json", "JSON"), ("csv", "CSV"), ("tsv", "TSV"), ("xml", "XML"))


def listing_page(listing: list[dict[str, object]]) -> str:
    """The list of curated queries: each with its description, parameters and links to run it."""
    sections = [_section(entry) for entry in listing]
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Curated SPARQL queries · ASEAN Smart Cities Framework graph</title>"
        f"<style>{_STYLE}</style></head><body>"
        "<h1>Curated SPARQL queries</h1>"
        "<p>Each query below is a stable URL: add its parameters to the URL "
        "(<code>?city=https://w3id.org/ascf/id/city/da-nang</code>) and choose the format "
        "with <code>format=</code> or the <code>Accept</code> header. "
        "This list as JSON: <code>Accept: application/json</code>.</p>"
        + "".join(sections)
        + "</body></html>"
    )


def _section(entry: dict[str, object]) -> str:
    url = escape(str(entry["url"]))
    links = " · ".join(f'<a href="{url}?format={key}">{label}</a>' for key, label in _FORMATS)
    parameters = entry["parameters"]
    assert isinstance(parameters, list)
    form = ""
    if parameters:
        fields = "".join(
            f"<label>{escape(p['name'])} ({escape(p['kind'])}) "
            f'<input type="text" name="{escape(p["name"])}" '
            f'placeholder="{escape(p["description"])}"></label><br>'
            for p in parameters
        )
        form = (
            f'<form action="{url}" method="get">{fields}'
            '<input type="hidden" name="format" value="csv">'
            '<button type="submit">Run (CSV)</button></form>'
        )
    tags = ", ".join(escape(str(t)) for t in entry["tags"])  # type: ignore[attr-defined]
    return (
        f'<section id="{escape(str(entry["name"]))}"><h2>{escape(str(entry["title"]))}</h2>'
        f"<p>{escape(str(entry['description']))}</p>"
        f'<p class="tags"><code>{escape(str(entry["name"]))}</code> · {tags}</p>'
        f"<p>Run: {links}</p>{form}</section>"
    )
