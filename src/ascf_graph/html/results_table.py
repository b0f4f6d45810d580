"""A SELECT or ASK answer as an HTML table, for people who open a query URL in a browser.

The one answer format that is not streamed: the page is built from the whole
SPARQL JSON answer, so it is offered only up to ``ASCF_MAX_TABLE_BYTES``;
larger answers are refused with a pointer to the streamed formats. An IRI is a
link only if it passes the templates' ``linkable`` test
(:func:`ascf_graph.html.safe_links.is_linkable`): an answer's ``javascript:``
IRI is text. Rendered from ``results_table.html``.
"""

import json
from dataclasses import dataclass

from ascf_graph.html.pages import environment, layout_context

#: The formats the page links the same answer in, as ``format=`` key and label.
DOWNLOADS = (("csv", "CSV"), ("tsv", "TSV"), ("json", "JSON"), ("xml", "XML"))


@dataclass(frozen=True)
class Cell:
    """One RDF term of an answer as the table shows it: its text, its IRI if it is one (a
    link if it is linkable, else text in angle brackets), and a note (a language tag or
    datatype)."""

    text: str
    href: str | None = None
    note: str | None = None


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
    context = layout_context(title) | {
        "sparql": query.strip(),
        "download_url": download_url,
        "downloads": DOWNLOADS,
        "boolean": body.get("boolean"),
        "names": [],
        "rows": [],
    }
    if "boolean" not in body:
        names = body["head"]["vars"]
        rows = body["results"]["bindings"]
        context |= {
            "names": names,
            "rows": [[cell(row.get(name)) for name in names] for row in rows],
        }
    return environment().get_template("results_table.html").render(context)


def cell(term: dict[str, str] | None) -> Cell:
    """One RDF term of a SPARQL JSON answer as a cell (empty when unbound).

    >>> cell({"type": "uri", "value": "javascript:alert(1)"})
    Cell(text='javascript:alert(1)', href='javascript:alert(1)', note=None)
    >>> cell({"type": "literal", "value": "3", "datatype": "http://www.w3.org/2001/XMLSchema#int"})
    Cell(text='3', href=None, note='int')
    """
    if term is None:
        return Cell("")
    value = term["value"]
    if term["type"] == "uri":
        return Cell(value, href=value)
    if term["type"] == "bnode":
        return Cell(f"_:{value}")
    if "xml:lang" in term:
        return Cell(value, note=f"@{term['xml:lang']}")
    if "datatype" in term:
        return Cell(value, note=term["datatype"].rsplit("#", 1)[-1])
    return Cell(value)
