"""The curated queries of ``queries/``: one query per file, with a header.

A file starts with grlc-style ``#+`` lines, which keep it valid SPARQL::

    #+ summary: Sub-areas of a focus area
    #+ description: Lists the sub-areas the framework figure places under a focus area.
    #+ tags: framework, hierarchy
    #+ param focusArea iri: the focus area, e.g. https://w3id.org/ascf/id/focus-area/utilities

A parameter names a variable of the query and the kind of term it takes
(``iri``, ``string``, ``integer``, or ``year`` as ``xsd:gYear``). A caller's
value is turned into that RDF term and bound as inline data at the head of
the query's WHERE group (:mod:`ascf_graph.rdf.sparql_binding`), never pasted
into the query text as caller text. Every parameter must be a projected
variable, so the answer shows the value it was bound to, and bound by a
triple pattern of the top-level group; :func:`parse_curated` refuses a
parameter that is not in the SELECT clause. An unbound parameter simply
lists every value.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from ascf_graph.core.errors import QueryNotFoundError, UnusableInputError
from ascf_graph.rdf.terms import XSD_INTEGER
from ascf_graph.store.generation_cache import GenerationCache

ParameterKind = Literal["iri", "string", "integer", "year"]

_HEADER = re.compile(r"^#\+\s*(\w+)\s*(?:(\w+)\s+(\w+)\s*)?:\s*(.*)$")
_NAME = re.compile(r"^[a-z0-9_]+$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_YEAR = re.compile(r"^[0-9]{4}$")
_XSD_GYEAR = ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")
_KINDS: tuple[ParameterKind, ...] = ("iri", "string", "integer", "year")
_EXAMPLE_VALUES: dict[ParameterKind, ox.NamedNode | ox.Literal] = {
    "iri": ox.NamedNode("urn:ascf:example"),
    "string": ox.Literal("example"),
    "integer": ox.Literal("1", datatype=XSD_INTEGER),
    "year": ox.Literal("2018", datatype=_XSD_GYEAR),
}


@dataclass(frozen=True)
class Parameter:
    """A projected variable of a curated query that a caller may fix."""

    name: str
    kind: ParameterKind
    description: str

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The RDF term ``value`` stands for, checked against the parameter's kind.

        >>> Parameter("year", "integer", "").term("2018")
        <Literal value=2018 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>
        """
        if self.kind == "string":
            return ox.Literal(value)
        if self.kind == "integer":
            if not _INTEGER.match(value):
                raise UnusableInputError(f"parameter {self.name} needs an integer, got {value!r}")
            return ox.Literal(value, datatype=XSD_INTEGER)
        if self.kind == "year":
            if not _YEAR.match(value):
                raise UnusableInputError(
                    f"parameter {self.name} needs a year like 2018, got {value!r}"
                )
            return ox.Literal(value, datatype=_XSD_GYEAR)
        if not value.startswith(("http://", "https://", "urn:")):
            raise UnusableInputError(f"parameter {self.name} needs an absolute IRI, got {value!r}")
        try:
            return ox.NamedNode(value)
        except ValueError as error:
            raise UnusableInputError(f"parameter {self.name}: {error}") from None


@dataclass(frozen=True)
class CuratedQuery:
    """One file of ``queries/``."""

    name: str
    summary: str
    description: str
    text: str
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)

    def bind(self, values: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Substitutions for the given parameter values; unknown names are refused."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise UnusableInputError(
                f"query {self.name} has no parameter {', '.join(unknown)}; "
                f"it takes {', '.join(known) or 'none'}"
            )
        return {name: known[name].term(value) for name, value in values.items()}


def parse_curated(name: str, text: str) -> CuratedQuery:
    """Read a curated query's header and check that each parameter can be bound.

    ``summary`` and ``description`` are required; a parameter must name a
    projected variable and one of the kinds ``iri``, ``string``, ``integer``, ``year``.
    """
    header: dict[str, str] = {}
    parameters: list[Parameter] = []
    for line in text.splitlines():
        match = _HEADER.match(line)
        if not match:
            continue
        key, argument, kind, value = match.groups()
        if key == "param" and argument:
            if kind not in _KINDS:
                raise UnusableInputError(
                    f"query {name}: parameter {argument} has kind {kind!r}; "
                    f"use one of {', '.join(_KINDS)}"
                )
            parameters.append(Parameter(argument, kind, value.strip()))  # type: ignore[arg-type]
        else:
            header[key] = value.strip()
    missing = [key for key in ("summary", "description") if key not in header]
    if missing:
        raise UnusableInputError(f"query {name} lacks the header line(s) #+ {', '.join(missing)}")
    _check_bindable(name, text, parameters)
    tags = tuple(t.strip() for t in header.get("tags", "").split(",") if t.strip())
    return CuratedQuery(
        name, header["summary"], header["description"], text, tags, tuple(parameters)
    )


def _check_bindable(name: str, text: str, parameters: list[Parameter]) -> None:
    """Dry-run the query on an empty store with every parameter bound."""
    substitutions = {ox.Variable(p.name): _EXAMPLE_VALUES[p.kind] for p in parameters}
    try:
        ox.Store().query(text, substitutions=substitutions)
    except SyntaxError as error:
        raise UnusableInputError(f"query {name} is not valid SPARQL: {error}") from None
    except RuntimeError as error:
        raise UnusableInputError(
            f"query {name}: a parameter must be a variable of the SELECT clause ({error})"
        ) from None


def load_curated(folder: Path) -> dict[str, CuratedQuery]:
    """Every ``*.rq`` file of ``folder`` by name (the file name without ``.rq``)."""
    return {
        path.stem: parse_curated(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.rq"))
    }


def curated_query(folder: Path, name: str) -> CuratedQuery:
    """The curated query called ``name``; a clear error for any other name."""
    if not _NAME.match(name) or not (folder / f"{name}.rq").is_file():
        raise QueryNotFoundError(f"no curated query named {name!r} in {folder}")
    return parse_curated(name, (folder / f"{name}.rq").read_text(encoding="utf-8"))


class CuratedQueries:
    """The curated queries of ``folder``, read and parsed once per store generation.

    The endpoint's editor page and ``/queries`` list them on every request;
    reading and parsing every file each time would cost more than the page.
    They are kept in the generation cache, so a new build (which may ship new
    queries) reads them afresh.
    """

    def __init__(self, folder: Path, cache: GenerationCache) -> None:
        self.folder, self._cache = folder, cache

    def all(self, generation: str) -> dict[str, CuratedQuery]:
        """Every curated query by name, as of ``generation``."""
        return self._cache.memo(generation, "curated queries", lambda: load_curated(self.folder))

    def named(self, generation: str, name: str) -> CuratedQuery:
        """The curated query called ``name``; a clear error for any other name."""
        found = self.all(generation).get(name)
        if found is None:
            raise QueryNotFoundError(f"no curated query named {name!r} in {self.folder}")
        return found
