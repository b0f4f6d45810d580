"""HTML for people browsing the curated queries (no JavaScript needed): ``queries.html``."""

from ascf_graph.html.pages import environment, layout_context

#: The answer formats each query links, as ``format=`` key and label.
FORMATS = (("json", "JSON"), ("csv", "CSV"), ("tsv", "TSV"), ("xml", "XML"))


def listing_page(listing: list[dict[str, object]]) -> str:
    """The list of curated queries: each with its description, parameters and links to run it.

    Each entry has the keys the JSON listing has (``name``, ``title``,
    ``description``, ``tags``, ``parameters``, ``url``); ``url`` is where the
    query runs, a path or under ``ASCF_PUBLIC_URL``.
    """
    context = layout_context("Curated SPARQL queries") | {
        "listing": listing,
        "run_formats": FORMATS,
    }
    return environment().get_template("queries.html").render(context)
