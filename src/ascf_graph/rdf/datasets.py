"""The dataset a query runs over, as pyoxigraph's query options.

SPARQL 1.1 Protocol (2.1.4) lets a request name its dataset with
``default-graph-uri`` and ``named-graph-uri``; without them, the service's
default graph is the union of its named graphs, unless the query names its own
dataset with ``FROM`` / ``FROM NAMED``. The store and the query workers both
build the options from that, here, so that the two cannot read a different
dataset for the same request.
"""

from collections.abc import Sequence

import pyoxigraph as ox


def query_options(
    default_graphs: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
    *,
    union_default_graph: bool,
) -> dict[str, object]:
    """The keyword arguments of ``pyoxigraph.Store.query`` for the dataset asked for.

    ``union_default_graph`` says whether, with no default graphs given, the
    default graph is the union of the named graphs (false when the query has
    ``FROM``).

    >>> query_options(None, None, union_default_graph=True)
    {'use_default_graph_as_union': True}
    >>> query_options(["urn:g"], ["urn:n"], union_default_graph=True)
    {'default_graph': [<NamedNode value=urn:g>], 'named_graphs': [<NamedNode value=urn:n>]}
    """
    options: dict[str, object] = {}
    if default_graphs is not None:
        options["default_graph"] = [ox.NamedNode(iri) for iri in default_graphs]
    elif union_default_graph:
        options["use_default_graph_as_union"] = True
    if named_graphs is not None:
        options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
    return options
