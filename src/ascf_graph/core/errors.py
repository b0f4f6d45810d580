"""Domain exceptions, one place for every error a user can meet.

Every class that a user can meet is here, with one status per code.

Each carries a stable ``code`` and the HTTP status it maps to, so the web
layer turns them into ``{"code": ..., "message": ...}`` bodies in one handler
and the CLI into exit codes, without either knowing the details.
"""

from typing import Protocol


class SummarisedReport(Protocol):
    """A validation report, as an error that carries one needs it."""

    def summary(self) -> str:
        """One line: how many results of each severity."""
        ...


class AscfError(Exception):
    """Base class: a problem we expected and can explain to the user."""

    code = "error"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer to this error carries (``Allow``, ``Retry-After``...)."""
        return {}


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


class QueryTooDeepError(UnusableInputError):
    """A query whose brackets nest deeper than ``ASCF_QUERY_MAX_DEPTH``: refused unread, since
    the engine recurses once per level and a few thousand levels would crash it."""

    code = "query-too-deep"


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
    """Another process (a running server) holds the embedded store, or a build published a
    new one while a write waited: sending the request again will do."""

    code = "store-busy"
    status = 503

    def headers(self) -> dict[str, str]:
        """Ask the client to come back in a moment (the next request sees the new store)."""
        return {"Retry-After": "1"}


class QueryNotFoundError(AscfError):
    """No curated query of that name."""

    code = "query-not-found"
    status = 404


class StoreUnavailableError(AscfError):
    """The remote SPARQL store cannot be reached or failed to answer."""

    code = "store-unavailable"
    status = 503


class ResourceNotFoundError(AscfError):
    """No resource, document or page at that address."""

    code = "not-found"
    status = 404


class NotAcceptableError(AscfError):
    """None of the formats the client accepts can carry this answer or document."""

    code = "not-acceptable"
    status = 406

    def headers(self) -> dict[str, str]:
        """The answer depended on ``Accept``, as the 200 it could not be does."""
        return {"Vary": "Accept"}


class UpdateRefusedError(AscfError):
    """SPARQL Update sent to the read-only query endpoint."""

    code = "update-refused"
    status = 403


class ServiceRefusedError(AscfError):
    """A ``SERVICE`` call to an endpoint that is not on the allow-list."""

    code = "service-refused"
    status = 403


class UnsupportedMediaTypeError(AscfError):
    """A request body in a media type the protocol does not define."""

    code = "unsupported-media-type"
    status = 415


# ---------------------------------------------------------------------------
# The stewards' write path: limits, credentials, submissions


class BodyTooLargeError(AscfError):
    """A request body over ``ASCF_MAX_BODY_BYTES``."""

    code = "body-too-large"
    status = 413


class MethodNotAllowedError(AscfError):
    """An HTTP method the resource does not answer."""

    code = "method-not-allowed"
    status = 405

    def __init__(self, message: str, *, allow: tuple[str, ...]) -> None:
        super().__init__(message)
        self.allow = allow

    def headers(self) -> dict[str, str]:
        """The methods the resource does answer."""
        return {"Allow": ", ".join(self.allow)}


class QueryTimeoutError(AscfError):
    """A query ran past ``ASCF_QUERY_TIMEOUT`` and was stopped."""

    code = "query-timeout"
    status = 503


class QueryFailedError(AscfError):
    """The engine could not evaluate a query that parsed (or its worker died)."""

    code = "query-failed"
    status = 500


class QueryMemoryError(AscfError):
    """A query's worker ran out of the memory it may use (``ASCF_QUERY_MEMORY``) and died."""

    code = "query-memory"
    status = 503


class QueryWorkerCrashedError(AscfError):
    """A query's worker died while evaluating it (the engine crashed), not of old age."""

    code = "query-crashed"
    status = 503

    def headers(self) -> dict[str, str]:
        """The worker is replaced at once; a query that did not cause the crash may retry."""
        return {"Retry-After": "1"}


class TooManyCrashesError(AscfError):
    """A client whose queries crashed workers too often lately: its queries wait a while."""

    code = "too-many-crashes"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        """When this client's queries are taken again."""
        return {"Retry-After": str(self.retry_after)}


class EndpointBusyError(AscfError):
    """Every query worker stayed busy for longer than the time limit."""

    code = "endpoint-busy"
    status = 503

    def headers(self) -> dict[str, str]:
        """Ask the client to come back shortly."""
        return {"Retry-After": "5"}


class AnswerTooLargeError(AscfError):
    """An answer too large for a format that must be held whole (an HTML table)."""

    code = "answer-too-large"
    status = 422


class TooManyTriplesError(AscfError):
    """A dataset with more triples than ``ASCF_MAX_TRIPLES``."""

    code = "too-many-triples"
    status = 413


class TooDeeplyNestedError(AscfError):
    """A document nested deeper than ``ASCF_MAX_NESTING`` levels (refused before parsing)."""

    code = "too-deeply-nested"
    status = 413


class WorkTimeoutError(AscfError):
    """Parsing or validating an upload ran past ``ASCF_VALIDATION_TIMEOUT`` and was stopped."""

    code = "validation-timeout"
    status = 422


class WorkMemoryError(AscfError):
    """Parsing or validating an upload needed more than ``ASCF_VALIDATION_MEMORY``."""

    code = "validation-memory"
    status = 422


class WorkerFailedError(AscfError):
    """An input worker's job raised what nobody expected: a bug, logged by the worker."""

    code = "worker-failed"
    status = 500


class WorkTooLargeError(AscfError):
    """An upload whose triples, or whose validation report, would be far larger than the
    upload itself (see :data:`ascf_graph.workers.input_pool.ANSWER_GROWTH`)."""

    code = "expands-too-much"
    status = 413


class WorkerCrashedError(AscfError):
    """The worker process reading or checking an upload died on it; the server did not."""

    code = "input-crashed-worker"
    status = 422


class ValidationBusyError(AscfError):
    """Every validation worker stayed busy for longer than a request may wait."""

    code = "validation-busy"
    status = 503

    def headers(self) -> dict[str, str]:
        """Ask the client to come back shortly."""
        return {"Retry-After": "5"}


class ReportedError(AscfError):
    """An error a worker process reported, raised again in the server with its own code,
    status and message (the worker's exception cannot cross the process boundary)."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code, self.status = code, status


class MissingCredentialsError(AscfError):
    """A write without an ``Authorization: Bearer`` token."""

    code = "missing-credentials"
    status = 401

    def headers(self) -> dict[str, str]:
        """How to authenticate (RFC 6750)."""
        return {"WWW-Authenticate": 'Bearer realm="ascf-graph"'}


class InvalidCredentialsError(AscfError):
    """A token that is malformed, unknown or revoked.

    ``token_id`` is the id the refused token names, when it is well formed: the audit
    log records it, so that a revoked or stolen token's attempts can be traced.
    """

    code = "invalid-credentials"
    status = 401

    def __init__(self, message: str, *, token_id: str | None = None) -> None:
        super().__init__(message)
        self.token_id = token_id

    def headers(self) -> dict[str, str]:
        """Why the token was refused (RFC 6750)."""
        return {"WWW-Authenticate": 'Bearer realm="ascf-graph", error="invalid_token"'}


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


# ---------------------------------------------------------------------------
# Connections: answered by the HTTP protocol itself, before any route runs


class RequestTimeoutError(AscfError):
    """Headers not complete within ``ASCF_HEADER_TIMEOUT``, or a body idle past
    ``ASCF_BODY_TIMEOUT``; the connection is closed."""

    code = "request-timeout"
    status = 408


class HeadersTooLargeError(AscfError):
    """More header bytes than ``ASCF_MAX_HEADER_BYTES`` or more headers than
    ``ASCF_MAX_HEADERS``; the connection is closed."""

    code = "headers-too-large"
    status = 431


class TooManyConnectionsError(AscfError):
    """Past ``ASCF_MAX_CONNECTIONS`` in all or ``ASCF_MAX_CONNECTIONS_PER_CLIENT`` from one
    address; refused as it opens."""

    code = "too-many-connections"
    status = 503

    def headers(self) -> dict[str, str]:
        """Ask the client to come back once its other connections are done."""
        return {"Retry-After": "5"}


class BodyMemoryExhaustedError(AscfError):
    """The request bodies being received already hold ``ASCF_BODY_MEMORY`` bytes."""

    code = "body-memory-exhausted"
    status = 503

    def headers(self) -> dict[str, str]:
        """Ask the client to come back once other bodies are done."""
        return {"Retry-After": "5"}


class NotReadyError(AscfError):
    """``/ready`` while the store is not open or no query worker runs."""

    code = "not-ready"
    status = 503

    def headers(self) -> dict[str, str]:
        """Ask the probe to come back shortly."""
        return {"Retry-After": "1"}


#: The codes of the errors that cost a worker: it crashed, ran out of memory or out of time.
WORKER_LOSSES = frozenset((WorkerCrashedError.code, WorkMemoryError.code, WorkTimeoutError.code))


class EngineUnavailableError(AscfError):
    """The chosen SHACL engine cannot run here."""

    code = "engine-unavailable"
    status = 500


class TemplateNotFoundError(AscfError):
    """No template of that name."""

    code = "template-not-found"
    status = 404


class SubmissionGoneError(AscfError):
    """The data of a retracted submission is no longer served as current (its versions
    stay readable); changing a retracted submission is :class:`SubmissionRetractedError`."""

    code = "submission-gone"
    status = 410


class TokenRevokedError(InvalidCredentialsError):
    """A token that was valid once and has been revoked."""


class CsvImportError(UnusableInputError, ValueError):
    """A CSV cell the importer cannot use; the message names file, row and column."""

    code = "csv-import"

    def __init__(self, path: str, row: int, column: str, problem: str) -> None:
        super().__init__(f"{path}, row {row}, column {column!r}: {problem}")
        self.path, self.row, self.column = path, row, column


class NonConformingSubmissionError(AscfError):
    """The data has Violations; nothing was written. Carries the report."""

    code = "non-conforming"
    status = 422

    def __init__(self, report: SummarisedReport, places: object | None = None) -> None:
        super().__init__(f"the data does not conform, so nothing was stored: {report.summary()}")
        self.report = report
        #: Where a spreadsheet's rows went (``SheetPlaces``), for a report in its terms.
        self.places = places


class OwnershipRefusedError(NonConformingSubmissionError):
    """The data describes what its organisation does not own, or states network-level
    facts with a city's token; nothing was written. Carries a report of those Violations."""

    code = "not-owner"

    def __init__(
        self, report: SummarisedReport, summary: str, places: object | None = None
    ) -> None:
        super().__init__(report, places)
        self.message = f"nothing was stored: {summary}"
        self.args = (self.message,)
