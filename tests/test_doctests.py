"""The examples in docstrings are tests too."""

import doctest
import importlib
import pkgutil

import pytest

import ascf_graph

#: Every module of the package, and the benchmark's that have examples.
MODULES = [
    *sorted(
        name
        for _, name, _ in pkgutil.walk_packages(ascf_graph.__path__, "ascf_graph.")
        if not name.endswith("__main__")
    ),
    *(f"bench.{name}" for name in ("document_query", "generator", "loadgen", "shacl", "workload")),
]


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name: str) -> None:
    module = importlib.import_module(module_name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0
