"""What a steward sends, turned into triples: RDF in six syntaxes, or the projects CSV.

Parsing is the first line of defence, so every limit is enforced here:

- at most ``max_triples`` triples (:class:`TooManyTriplesError`, 413), counted
  while parsing, so an oversize dataset is never held whole in memory;
- nothing is fetched: pyoxigraph refuses JSON-LD remote contexts
  (``@context``/``@import`` URLs) and RDF/XML external entities, ignores
  external DTDs, and nothing here follows ``owl:imports``;
- RDF/XML internal entities are checked before parsing, because the parser
  expands them: parameter entities, entities defined through other entities
  and expansions larger than the body limit ("billion laughs") are refused;
- documents nested deeper than ``max_nesting`` levels are refused before a
  parser sees them (:mod:`ascf_graph.rdf.nesting`: the native parsers recurse);
- malformed input is a :class:`RdfSyntaxError` with line and column.

In the service, RDF is parsed in an input worker process
(:mod:`ascf_graph.workers.input_pool`), with a memory and a time limit, so that a
document made to crash or stall a parser costs that process only; the same
checks run there.

Graph names in TriG and N-Quads are not kept: a submission is one graph of
its own, so the quads of every graph become its triples. Blank node labels
are renamed, so two uploads that both say ``_:b0`` never share a node.
"""

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath

import pyoxigraph as ox

from ascf_graph.core.errors import (
    RdfSyntaxError,
    TooManyTriplesError,
    UnsupportedFormatError,
    UnsupportedMediaTypeError,
)
from ascf_graph.rdf import formats
from ascf_graph.rdf.formats import SYNTAXES, RdfSyntax
from ascf_graph.rdf.nesting import check_nesting

CSV_MEDIA_TYPE = "text/csv"

_REFERENCE = re.compile(r"&([^;&\s]+);")
_ENTITY = re.compile(
    r"<!ENTITY\s+(?P<parameter>%\s+)?(?P<name>[^\s\"'>]+)\s+"
    r"(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<external>SYSTEM|PUBLIC)\b)",
    re.IGNORECASE,
)


#: Turns a CSV upload into triples; the source name labels its errors.
@dataclass(frozen=True)
class SheetPlaces:
    """Where a spreadsheet upload's nodes and properties came from, so that its report can
    speak of rows and columns rather than IRIs and paths."""

    reading: str
    """How the file was read ("read as semicolon-separated Windows-1258 text")."""
    rows: Mapping[str, int]
    """Node (IRI, or ``_:label``) -> the row it came from (the header row is row 1)."""
    columns: Mapping[str, str]
    """Property IRI -> the template column it came from."""


CsvConverter = Callable[[bytes, str], tuple[list[ox.Triple], SheetPlaces]]
#: Parses an RDF document within the limits (:func:`parse_document` here, or an input
#: worker's): its triples, and the same as N-Triples when the parser made them so.
#: The document is given as bytes, or as the file holding them (a spooled body); the
#: N-Triples likewise.
DocumentParser = Callable[
    [bytes | Path, RdfSyntax, str], tuple[Sequence[ox.Triple], bytes | Path | None]
]


@dataclass(frozen=True)
class Upload:
    """A parsed upload: its triples and what it was written in."""

    triples: Sequence[ox.Triple]
    syntax: str
    media_type: str
    source: str
    serialized: bytes | Path | None = field(default=None, repr=False, compare=False)
    """The triples as N-Triples, or the file holding them, when the parser gave them so
    (blank nodes as in ``triples``)."""
    sheet: SheetPlaces | None = field(default=None, compare=False)
    """For a spreadsheet, where its nodes came from."""

    def ntriples(self) -> bytes | Path:
        """The triples as N-Triples, or the file holding them: what a validation worker is
        sent."""
        if self.serialized is not None:
            return self.serialized
        return ox.serialize(self.triples, format=ox.RdfFormat.N_TRIPLES) if self.triples else b""


def document_bytes(document: bytes | Path) -> bytes:
    """A document's bytes, read from its file if it is named by one (a spooled body)."""
    return document.read_bytes() if isinstance(document, Path) else document


def upload_syntax_for_content_type(media_type: str) -> RdfSyntax | None:
    """The RDF syntax of a ``Content-Type`` (parameters ignored), None for CSV, and for a
    type no upload may have, an :class:`UnsupportedMediaTypeError` (415).

    Any media type :mod:`ascf_graph.rdf.formats` knows for a syntax is understood,
    its alternates too (``application/json`` is JSON-LD, ``text/plain`` N-Triples).

    >>> upload_syntax_for_content_type("text/turtle; charset=utf-8").name
    'turtle'
    >>> upload_syntax_for_content_type("text/n3").name
    'turtle'
    >>> upload_syntax_for_content_type("text/csv") is None
    True
    """
    bare = media_type.split(";", maxsplit=1)[0].strip().lower()
    if bare == CSV_MEDIA_TYPE:
        return None
    syntax = formats.syntax_for_media_type(bare)
    if syntax is not None:
        return syntax
    known = ", ".join([s.media_type for s in SYNTAXES] + [CSV_MEDIA_TYPE])
    raise UnsupportedMediaTypeError(
        f"cannot read a body of type {bare or '(none given)'}; send one of {known}"
    )


def syntax_for_filename(filename: str) -> RdfSyntax | None:
    """The RDF syntax a file name's extension names, or None for ``.csv``.

    Extensions are the names of :mod:`ascf_graph.rdf.formats` (``.owl`` is RDF/XML).

    >>> syntax_for_filename("projects.CSV") is None
    True
    >>> syntax_for_filename("city.jsonld").name
    'jsonld'
    """
    extension = PurePath(filename).suffix.lstrip(".").lower()
    if extension == "csv":
        return None
    try:
        return formats.syntax_named(extension) if extension else _unnamed(filename)
    except UnsupportedFormatError:
        raise UnsupportedFormatError(
            f"{filename}: cannot tell the format from the extension; use .ttl, .jsonld, .rdf, "
            ".nt, .nq, .trig or .csv, or choose the format"
        ) from None


def _unnamed(filename: str) -> RdfSyntax:
    raise UnsupportedFormatError(f"{filename or 'the upload'} has no extension")


def read_upload(
    data: bytes | Path,
    syntax: RdfSyntax | None,
    *,
    source: str,
    max_triples: int,
    csv: CsvConverter,
    parse: DocumentParser,
) -> Upload:
    """Parse ``data``, or the file it names (RDF in ``syntax`` with ``parse``, or CSV when
    ``syntax`` is None)."""
    if syntax is None:
        triples, sheet = csv(document_bytes(data), source)
        _check_count(len(triples), max_triples)
        return Upload(triples, "csv", CSV_MEDIA_TYPE, source, sheet=sheet)
    triples, serialized = parse(data, syntax, source)
    return Upload(triples, syntax.name, syntax.media_type, source, serialized)


@dataclass(frozen=True)
class ParseLimits:
    """What a client's document may hold, checked before and while it is parsed."""

    max_triples: int
    """Triples, counted while parsing (``ASCF_MAX_TRIPLES``)."""
    max_nesting: int
    """Levels of brackets, objects or elements (``ASCF_MAX_NESTING``)."""
    max_expansion: int
    """Bytes RDF/XML's internal entities may expand to (the body limit)."""


def parse_document(
    data: bytes, syntax: RdfSyntax, *, source: str, limits: ParseLimits
) -> list[ox.Triple]:
    """The triples of a client's document, every check of this module made first."""
    if syntax.oxigraph is ox.RdfFormat.RDF_XML:
        check_xml_entities(data, max_expansion=limits.max_expansion, source=source)
    check_nesting(data, syntax.name, limit=limits.max_nesting, source=source)
    if syntax.oxigraph is ox.RdfFormat.JSON_LD:
        check_jsonld_languages(data, source=source)
    return parse_limited(data, syntax, source=source, max_triples=limits.max_triples)


_JSONLD_LANGUAGE = re.compile(rb'"@language"\s*:\s*"([^"]*)"')
_BCP47 = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")


def check_jsonld_languages(data: bytes, *, source: str) -> None:
    """Refuse a JSON-LD ``@language`` that is not a BCP 47 tag: the parser would drop the
    values it tags without a word.

    >>> check_jsonld_languages(b'{"@language": "vi-VN"}', source="x")
    """
    for found in _JSONLD_LANGUAGE.finditer(data):
        tag = found[1].decode("utf-8", errors="replace")
        if not _BCP47.fullmatch(tag):
            before = data[: found.start()]
            hint = language_tag_hint(found[0], None) or (
                f"; the language tag {tag!r} is not BCP 47 (e.g. en, vi, vi-VN)"
            )
            raise RdfSyntaxError(
                f'"@language": {tag!r} would drop the values it tags' + hint,
                source=source,
                line=before.count(b"\n") + 1,
                column=found.start() - before.rfind(b"\n"),
            )


def parse_limited(
    data: bytes, syntax: RdfSyntax, *, source: str, max_triples: int
) -> list[ox.Triple]:
    """The triples of ``data`` (graph names dropped), stopping at ``max_triples`` + 1."""
    triples: list[ox.Triple] = []
    try:
        for quad in ox.parse(data, format=syntax.oxigraph, rename_blank_nodes=True):
            if isinstance(quad.object, ox.Triple):
                raise RdfSyntaxError(
                    f"{quad.triple} has a triple term as its object (RDF 1.2), which the "
                    "framework's shapes and stewards' data do not use",
                    source=source,
                )
            triples.append(quad.triple)
            if len(triples) > max_triples:
                _check_count(len(triples), max_triples)
    except SyntaxError as error:
        line, column = (error.lineno, error.offset) if error.lineno is not None else (None, None)
        message = str(error.msg if hasattr(error, "msg") else error)
        message += language_tag_hint(data, line)
        raise RdfSyntaxError(message, source=source, line=line, column=column) from None
    except ValueError as error:  # e.g. invalid UTF-8
        raise RdfSyntaxError(str(error) + language_tag_hint(data, None), source=source) from None
    return triples


#: A language tag written as locales often are, with underscores (``vi_VN``).
_UNDERSCORED_TAG = re.compile(
    rb'(?:@|"@language"\s*:\s*"|xml:lang\s*=\s*["\'])([A-Za-z]{2,3}(?:_[A-Za-z0-9]{1,8})+)'
)


def language_tag_hint(data: bytes, line: int | None) -> str:
    """What to say about a language tag written like a locale (``vi_VN``) on ``line`` (or
    anywhere, when no line is known): BCP 47 joins subtags with hyphens.

    >>> language_tag_hint(b'<a> <b> "Den"@vi_VN .', 1)
    "; the language tag 'vi_VN' is not BCP 47: write 'vi-VN' (subtags joined by '-')"
    """
    lines = data.splitlines()
    where = lines[line - 1] if line and line <= len(lines) else data
    found = _UNDERSCORED_TAG.search(where)
    if found is None:
        return ""
    tag = found[1].decode("ascii")
    language, *rest = tag.split("_")
    suggested = "-".join([language.lower(), *(p.upper() if len(p) == 2 else p for p in rest)])
    return f"; the language tag {tag!r} is not BCP 47: write {suggested!r} (subtags joined by '-')"


def _check_count(count: int, max_triples: int) -> None:
    if count > max_triples:
        raise TooManyTriplesError(
            f"the dataset has more than {max_triples} triples (ASCF_MAX_TRIPLES); "
            "split it into several submissions"
        )


def check_xml_entities(data: bytes, *, max_expansion: int, source: str) -> None:
    """Refuse RDF/XML whose entity declarations could fetch or explode.

    >>> check_xml_entities(b'<!DOCTYPE r [<!ENTITY ex "http://e/">]><r a="&ex;"/>',
    ...                    max_expansion=100, source="up")
    >>> check_xml_entities(b'<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><r/>',
    ...                    max_expansion=100, source="up")
    Traceback (most recent call last):
    ...
    ascf_graph.core.errors.RdfSyntaxError: up: the entity b is defined through other entities; ...
    """
    text = data.decode("utf-8", errors="replace")
    if "<!ENTITY" not in text.upper():
        return
    references = Counter(_REFERENCE.findall(text))  # one pass, however many entities
    expansion = 0
    for found in _ENTITY.finditer(text):
        name = found["name"]
        if found["parameter"]:
            raise RdfSyntaxError(f"parameter entity %{name} is not accepted", source=source)
        if found["external"]:
            raise RdfSyntaxError(
                f"the entity {name} refers to an external resource; external entities are "
                "never fetched: write the value itself",
                source=source,
            )
        value = found["dq"] if found["dq"] is not None else found["sq"]
        if "&" in value or "%" in value:
            raise RdfSyntaxError(
                f"the entity {name} is defined through other entities; "
                "nested entities are not accepted",
                source=source,
            )
        expansion += len(value) * references[name]
    if expansion > max_expansion:
        raise RdfSyntaxError(
            f"the entities would expand to {expansion} characters, more than the "
            f"{max_expansion} a request may hold",
            source=source,
        )
