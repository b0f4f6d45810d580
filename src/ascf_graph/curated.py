"""The curated queries of ``queries/``: one query per file, with a header.

A file starts with grlc-style ``#+`` lines, which keep it valid SPARQL::

    #+ summary: Sub-areas of a focus area
    #+ description: Lists the sub-areas the framework figure places under a focus area.
    #+ tags: framework, hierarchy
    #+ param _focus_area_iri: the focus area, e.g. https://w3id.org/ascf/id/focus-area/quality-environment

Parameters are variables named ``?_name_iri`` (an IRI) or ``?_name`` (a
plain literal). They are bound as RDF terms through substitutions, never
pasted into the query text.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ascf_graph.errors import QueryNotFoundError, UnusableInputError

_HEADER = re.compile(r"^#\+\s*(\w+)\s*(?:([\w]+)\s*)?:\s*(.*)$")
_NAME = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class Parameter:
    """A variable of a curated query that a caller may bind."""

    name: str
    description: str

    @property
    def is_iri(self) -> bool:
        """Whether the value must be an IRI (the variable name ends in ``_iri``)."""
        return self.name.endswith("_iri")

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The RDF term ``value`` stands for, checked."""
        if not self.is_iri:
            return ox.Literal(value)
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
    """Read a curated query's header; ``summary`` and ``description`` are required."""
    header: dict[str, str] = {}
    parameters: list[Parameter] = []
    for line in text.splitlines():
        match = _HEADER.match(line)
        if not match:
            continue
        key, argument, value = match.groups()
        if key == "param" and argument:
            parameters.append(Parameter(argument, value.strip()))
        else:
            header[key] = value.strip()
    missing = [key for key in ("summary", "description") if key not in header]
    if missing:
        raise UnusableInputError(f"query {name} lacks the header line(s) #+ {', '.join(missing)}")
    tags = tuple(t.strip() for t in header.get("tags", "").split(",") if t.strip())
    return CuratedQuery(
        name, header["summary"], header["description"], text, tags, tuple(parameters)
    )


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
