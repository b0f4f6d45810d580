"""Log lines as JSON (or text), each carrying the id of the request it was written for.

A server on the open internet is read through its logs by machines first
(a collector, ``jq``), so ``ascf-graph serve`` writes one JSON object per
line on stderr (``ASCF_LOG_FORMAT=json``, the default; ``text`` for a
person at a terminal). Every line written while a request is handled, by
our loggers (``ascf_graph.*``) or uvicorn's, carries that request's id: the
:class:`ascf_graph.web.middleware.request_observer.RequestObserver` sets
:data:`REQUEST_ID`, a context variable, which follows the request into the
threads it hands work to (anyio copies the context), and a filter on the
handler copies it onto each record as it is written.

The access log (one line per request, logger ``ascf_graph.access``) replaces
uvicorn's; ``--access-log/--no-access-log`` turns it on and off.
"""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal

#: The id of the request being handled in this context, if any.
REQUEST_ID: ContextVar[str | None] = ContextVar("ascf_request_id", default=None)

#: The logger of the access log, one line per request.
ACCESS_LOGGER = "ascf_graph.access"

LogFormat = Literal["json", "text"]

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}


class RequestIdFilter(logging.Filter):
    """Copy the current request's id onto each record (``record.request_id``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keep the record; only annotate it."""
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, the fields
    passed with ``extra=``, and the traceback if any.

    >>> record = logging.LogRecord("ascf_graph.x", logging.INFO, "", 0, "hi %s", ("you",), None)
    >>> record.request_id, record.status = "abc", 200
    >>> line = json.loads(JsonFormatter().format(record))
    >>> line["message"], line["request_id"], line["status"], line["level"]
    ('hi you', 'abc', 200, 'INFO')
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            line["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message``, for a person reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(request)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of text (plus its traceback, if any)."""
        request_id = getattr(record, "request_id", None)
        record.request = f" [{request_id}]" if request_id else ""
        return super().format(record)


def configure_logging(log_format: LogFormat, *, access_log: bool) -> None:
    """Send our loggers' and uvicorn's lines to stderr in ``log_format``, at INFO; the
    access log only if ``access_log``; uvicorn's own access log never (ours replaces it)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)  # libraries: warnings and errors only
    for name in ("ascf_graph", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.handlers.clear()
        logger.propagate = True
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    uvicorn_access.disabled = True
    logging.getLogger(ACCESS_LOGGER).setLevel(logging.INFO if access_log else logging.WARNING)
