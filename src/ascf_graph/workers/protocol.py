"""The frames a query worker process and the server exchange over pipes.

The server writes one job at a time to the worker's stdin: a 4-byte
big-endian length, then the job as JSON. The worker answers on its own
pipe with frames of one kind byte, a 4-byte length and a payload:

- ``D``: a piece of the serialized answer, in order;
- ``E``: the query failed: JSON ``{"code": ..., "message": ...}``;
- ``F``: the answer is complete.

Input workers (:mod:`ascf_graph.workers.input_process`) exchange messages both ways
instead: two 4-byte big-endian lengths, a JSON header of that length and a
payload of bytes (:func:`write_message`, :func:`read_message`).

Standard library only, but for the size of an answer's pieces, which the
threads' runner shares (:data:`ascf_graph.sparql.jobs.CHUNK_BYTES`).
"""

import json
import struct
from typing import Any, BinaryIO

from ascf_graph.sparql.jobs import CHUNK_BYTES

LENGTH = struct.Struct(">I")
FRAME_HEADER = struct.Struct(">cI")
DATA, ERROR, DONE = b"D", b"E", b"F"
MESSAGE_HEADER = struct.Struct(">II")


def job_message(payload: bytes) -> bytes:
    """A job as written to a worker's stdin."""
    return LENGTH.pack(len(payload)) + payload


def frame(kind: bytes, payload: bytes = b"") -> bytes:
    """One frame of a worker's answer."""
    return FRAME_HEADER.pack(kind, len(payload)) + payload


def error_frame(code: str, message: str) -> bytes:
    """The frame that reports a failed query."""
    return frame(ERROR, json.dumps({"code": code, "message": message}).encode("utf-8"))


class FrameWriter:
    """A binary file-like object that sends what is written as ``D`` frames of ~64 KiB."""

    def __init__(self, output: BinaryIO, chunk_bytes: int = CHUNK_BYTES) -> None:
        self._output = output
        self._chunk_bytes = chunk_bytes
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        """Buffer ``data``; send a frame once a chunk's worth is waiting."""
        self._buffer += data
        if len(self._buffer) >= self._chunk_bytes:
            self.flush()
        return len(data)

    def flush(self) -> None:
        """Send what is buffered."""
        if self._buffer:
            self._output.write(frame(DATA, bytes(self._buffer)))
            self._buffer.clear()
        self._output.flush()


def message_parts(header: dict[str, Any], payload: tuple[bytes, ...]) -> list[bytes]:
    """A header and a payload made of ``payload``'s pieces, as the pieces to write in turn
    (large pieces are written as they are, not copied into one message)."""
    encoded = json.dumps(header).encode("utf-8")
    size = sum(len(piece) for piece in payload)
    return [MESSAGE_HEADER.pack(len(encoded), size) + encoded, *payload]


def write_message(output: BinaryIO, header: dict[str, Any], payload: bytes = b"") -> None:
    """Send one message and flush it (the payload written as it is, not copied)."""
    for part in message_parts(header, (payload,)):
        output.write(part)
    output.flush()


def read_message(source: BinaryIO) -> tuple[dict[str, Any], bytes] | None:
    """The next message, or None once ``source`` has closed.

    >>> import io
    >>> read_message(io.BytesIO(b"".join(message_parts({"job": "warm"}, (b"data",)))))
    ({'job': 'warm'}, b'data')
    """
    lengths = source.read(MESSAGE_HEADER.size)
    if len(lengths) < MESSAGE_HEADER.size:
        return None
    header_length, payload_length = MESSAGE_HEADER.unpack(lengths)
    header = json.loads(source.read(header_length))
    return header, source.read(payload_length)
