"""Which SHACL engine checks stewards' data: pyshacl, or pyrudof for the core shapes.

``ASCF_SHACL_ENGINE`` (:attr:`ascf_graph.core.settings.Settings.shacl_engine`)
names it, and ``ascf-graph validate --engine`` overrides it for one run. Both
engines give the same report (:mod:`ascf_graph.shacl.rudof` says how);
``rudof`` needs the optional ``pyrudof`` package, and asking for it where
that cannot be imported is refused at start-up rather than at the first
submission.
"""

from collections.abc import Callable
from typing import Protocol

import rdflib

from ascf_graph.core.errors import EngineUnavailableError, UnusableInputError
from ascf_graph.core.settings import ShaclEngine
from ascf_graph.rdf.io import to_rdflib_graph
from ascf_graph.rdf.uploads import Upload
from ascf_graph.shacl.reports import ValidationReport
from ascf_graph.shacl.rudof import rudof_available, validate_fast
from ascf_graph.shacl.validation import ValidationContext, validate

#: Validates a data graph in a context, as :func:`ascf_graph.shacl.validation.validate` does.
ValidationEngine = Callable[[rdflib.Graph, ValidationContext], ValidationReport]
#: Work to do while the shapes are checked (the checks beyond them), in the caller's thread.
Meanwhile = Callable[[], None]


class UploadValidator(Protocol):
    """Validates a steward's upload in a context: in this process (:func:`validator_in_process`)
    or in a bounded worker process (:func:`ascf_graph.workers.input_pool.validator_in_workers`).

    ``meanwhile`` is called at most once, in the caller's thread: while a worker checks the
    shapes, or after the shapes here; not at all when the upload is refused before any
    check (every worker busy)."""

    def __call__(
        self, upload: Upload, context: ValidationContext, *, meanwhile: Meanwhile | None = None
    ) -> ValidationReport:
        """The report on ``upload``; ``meanwhile`` done."""
        ...


ENGINES: tuple[ShaclEngine, ...] = ("pyshacl", "rudof")


def validation_engine(name: ShaclEngine | str) -> ValidationEngine:
    """The function that validates with the engine ``name`` (``pyshacl`` or ``rudof``).

    >>> validation_engine("pyshacl").__name__
    'validate'
    """
    if name == "pyshacl":
        return validate
    if name == "rudof":
        if not rudof_available():
            raise EngineUnavailableError(
                "the SHACL engine 'rudof' needs the pyrudof package, which cannot be imported "
                "here: install it (pip install 'ascf-graph[bench]') or choose 'pyshacl'"
            )
        return validate_fast
    raise UnusableInputError(
        f"unknown SHACL engine {name!r}; choose one of {', '.join(map(repr, ENGINES))}"
    )


def validator_in_process(engine: ValidationEngine) -> UploadValidator:
    """An :class:`UploadValidator` that has ``engine`` check the upload in this process."""

    def check(
        upload: Upload, context: ValidationContext, *, meanwhile: Meanwhile | None = None
    ) -> ValidationReport:
        report = engine(to_rdflib_graph(upload.triples), context)
        if meanwhile is not None:
            meanwhile()
        return report

    return check
