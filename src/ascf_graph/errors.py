"""Domain exceptions, one place for every error a user can meet.

Each carries a stable ``code`` and the HTTP status it maps to, so the web
layer turns them into ``{"code": ..., "message": ...}`` bodies in one handler
and the CLI into exit codes, without either knowing the details.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar


class AscfError(Exception):
    """Base class: a problem we expected and can explain to the user."""

    code = "error"
    status = 500
    #: Extra HTTP headers for the answer (e.g. ``WWW-Authenticate`` on a 401).
    headers: ClassVar[Mapping[str, str] | None] = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnusableInputError(AscfError):
    """Input that cannot be read at all: malformed RDF or SPARQL, unknown format."""

    code = "unusable-input"
    status = 400


class RdfSyntaxError(UnusableInputError):
    """RDF that does not parse; the message names the source, line and column."""

    code = "rdf-syntax"

    def __init__(
        self, message: str, *, source: str, line: int | None = None, column: int | None = None
    ) -> None:
        where = source if line is None else f"{source}, line {line}, column {column}"
        super().__init__(f"{where}: {message}")
        self.source, self.line, self.column = source, line, column


class QuerySyntaxError(UnusableInputError):
    """SPARQL that does not parse; the message carries the parser's position."""

    code = "query-syntax"


class UnsupportedFormatError(UnusableInputError):
    """An RDF or results format we cannot read or write."""

    code = "unsupported-format"


class BuildError(AscfError):
    """The build cannot complete; the store is left as it was."""

    code = "build-failed"


class InconsistentOntologyError(BuildError):
    """HermiT found the ontology and data inconsistent."""

    code = "inconsistent-ontology"


class ReasonerUnavailableError(BuildError):
    """The OWL reasoner cannot run (no Java runtime)."""

    code = "reasoner-unavailable"


class ReasonerFailedError(BuildError):
    """HermiT ran but failed (it prints why)."""

    code = "reasoner-failed"


class NonConformingDataError(BuildError):
    """Shipped data violates the shapes; the build refuses to publish it."""

    code = "non-conforming-data"


class StoreNotBuiltError(AscfError):
    """The data directory holds no built store yet."""

    code = "store-not-built"
    status = 503


class StoreBusyError(AscfError):
    """Another process (a running server) holds the embedded store."""

    code = "store-busy"
    status = 503


class QueryNotFoundError(AscfError):
    """No curated query of that name."""

    code = "query-not-found"
    status = 404


class StoreUnavailableError(AscfError):
    """The remote SPARQL store cannot be reached or failed to answer."""

    code = "store-unavailable"
    status = 503


# ---------------------------------------------------------------------------
# The stewards' write path: limits, credentials, submissions


class BodyTooLargeError(AscfError):
    """A request body over ``ASCF_MAX_BODY_BYTES``."""

    code = "body-too-large"
    status = 413


class TooManyTriplesError(AscfError):
    """A dataset with more triples than ``ASCF_MAX_TRIPLES``."""

    code = "too-many-triples"
    status = 413


class UnsupportedBodyTypeError(AscfError):
    """A request body in a media type this route does not read."""

    code = "unsupported-media-type"
    status = 415


class NotAcceptableFormatError(AscfError):
    """No format the client accepts can carry the answer."""

    code = "not-acceptable"
    status = 406


class MissingCredentialsError(AscfError):
    """A write without an ``Authorization: Bearer`` token."""

    code = "missing-credentials"
    status = 401
    headers: ClassVar[Mapping[str, str]] = MappingProxyType(
        {"WWW-Authenticate": 'Bearer realm="ascf-graph"'}
    )


class InvalidCredentialsError(AscfError):
    """A token that is malformed, unknown or revoked."""

    code = "invalid-credentials"
    status = 401
    headers: ClassVar[Mapping[str, str]] = MappingProxyType(
        {"WWW-Authenticate": 'Bearer realm="ascf-graph", error="invalid_token"'}
    )


class ForbiddenError(AscfError):
    """A valid token of an organisation that may not touch this submission."""

    code = "forbidden"
    status = 403


class SubmissionNotFoundError(AscfError):
    """No submission with that id (or no such version of it)."""

    code = "submission-not-found"
    status = 404


class SubmissionRetractedError(AscfError):
    """The submission was retracted; it can be read as history, not changed."""

    code = "submission-retracted"
    status = 409


class PreconditionFailedError(AscfError):
    """``If-Match`` named a version that is no longer the current one."""

    code = "precondition-failed"
    status = 412
