"""A SELECT or ASK answer as an HTML table, for people who open a query URL in a browser.

The one answer format that is not streamed: the page is built from the whole
SPARQL JSON answer, so it is offered only up to ``ASCF_MAX_TABLE_BYTES``;
larger answers are refused with a pointer to the streamed formats. An IRI is a
link only if :func:`ascf_graph.html.safe_links.is_linkable` says so: an answer's
``javascript:`` IRI is text.
"""

import json
from html import escape

from ascf_graph.html.safe_links import is_linkable

_STYLE = """
body { margin: 0; padding: 1rem 1.2rem; font: 14px/1.45 system-ui, sans-serif; color: #1d2733; }
h1 { font-size: 1.15rem; } pre { background: #f3f5f7; padding: .6rem; overflow: auto; }
table { border-collapse: collapse; } th, td { border: 1px solid #d5dce3; padding: .25rem .5rem;
vertical-align: top; text-align: left; } th { background: #eef1f4; }
small { color: #5b6b7b; } nav a { margin-right: .8rem; }
"""
_DOWNLOADS = (("csv", "CSV"), ("tsv", "TSV"), ("json", "JSON"), ("xml", "XML"))


def render_table(answer: bytes, *, query: str, title: str, download_url: str) -> str:
    """The page for a SPARQL JSON ``answer`` to ``query``.

    ``download_url`` is this answer's URL; ``&format=...`` is appended for the
    links to the same answer in the other formats.

    >>> page = render_table(b'{"head":{},"boolean":true}', query="ASK {}", title="t",
    ...                     download_url="/sparql?query=ASK%20%7B%7D")
    >>> "<p class=\\"boolean\\">true</p>" in page
    True
    """
    body = json.loads(answer)
    links = " ".join(
        f'<a href="{escape(download_url)}&amp;format={key}">{label}</a>'
        for key, label in _DOWNLOADS
    )
    if "boolean" in body:
        content = f'<p class="boolean">{"true" if body["boolean"] else "false"}</p>'
    else:
        names = body["head"]["vars"]
        rows = body["results"]["bindings"]
        head = "".join(f"<th>?{escape(name)}</th>" for name in names)
        lines = "".join(
            "<tr>" + "".join(f"<td>{_cell(row.get(name))}</td>" for name in names) + "</tr>"
            for row in rows
        )
        count = f"{len(rows)} row{'s' if len(rows) != 1 else ''}"
        content = (
            f"<p>{count}</p><table><thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>"
        )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><pre>{escape(query.strip())}</pre>"
        f"<nav>This answer as: {links}</nav>{content}</body></html>"
    )


def _cell(term: dict[str, str] | None) -> str:
    """One RDF term of a SPARQL JSON answer as HTML (empty when unbound)."""
    if term is None:
        return ""
    value = escape(term["value"])
    if term["type"] == "uri":
        if is_linkable(term["value"]):
            return f'<a href="{value}">{value}</a>'
        return f"&lt;{value}&gt;"
    if term["type"] == "bnode":
        return f"_:{value}"
    if "xml:lang" in term:
        return f"{value} <small>@{escape(term['xml:lang'])}</small>"
    if "datatype" in term:
        return f"{value} <small>{escape(term['datatype'].rsplit('#', 1)[-1])}</small>"
    return value
