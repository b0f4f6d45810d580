"""An :class:`~ascf_graph.sparql.service.Answer` as an HTTP response."""

from fastapi import Response
from fastapi.responses import StreamingResponse

from ascf_graph.sparql.service import Answer


def answer_response(answer: Answer) -> Response:
    """A whole response (with Content-Length), a streamed one, or a 304."""
    if answer.status == 304:
        return Response(status_code=304, headers=answer.headers)
    if answer.stream is not None:
        return StreamingResponse(
            answer.stream, media_type=answer.media_type, headers=answer.headers
        )
    return Response(answer.body, media_type=answer.media_type, headers=answer.headers)
