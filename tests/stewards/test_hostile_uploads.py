"""Documents made to crash, stall or exhaust the server, sent to a real server process.

Each attack gets its documented status (docs/limits-and-security.md), nothing
is stored, and the server goes on answering ``/health`` promptly, during the
attack and after it, in the same process.
"""

import concurrent.futures
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from ascf_graph.core.settings import Settings
from tests.support.servers import ServerProcess, running_server
from tests.support.stores import REPO, clone_settings

# Every test times /health against a second: run with no other test beside it (make test
# runs the files marked so after the others, alone), whose load would eat into that second.
pytestmark = pytest.mark.alone

VALID = (REPO / "tests" / "data" / "validation" / "valid-city-and-project.ttl").read_bytes()
#: What the issue asks of /health under attack (it answers in milliseconds when idle).
PROMPT = 1.0
#: How long an upload waits for the one input worker of ``served_by_one_worker``.
QUEUE_WAIT = 1.0

Answer = TypeVar("Answer")


def deep_jsonld(depth: int) -> bytes:
    """Objects inside objects: pyoxigraph's JSON-LD parser overflows its stack near 5,000."""
    return ('{"urn:p": ' * depth + '"x"' + "}" * depth).encode()


def deep_triple_terms(depth: int) -> bytes:
    """RDF 1.2 triple terms inside triple terms, in Turtle."""
    term = "<<( <urn:a> <urn:p> " * depth + "<urn:o>" + " )>>" * depth
    return f"<urn:a> <urn:p> {term} .".encode()


def deep_rdfxml(depth: int) -> bytes:
    """Property elements inside node elements, ``depth`` times."""
    opening = '<rdf:Description><e:p rdf:parseType="Resource">' * depth
    closing = "</e:p></rdf:Description>" * depth
    return (
        '<?xml version="1.0"?><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:e#">'
        f"{opening}{closing}</rdf:RDF>"
    ).encode()


def many_projects(count: int) -> bytes:
    """``count`` conforming projects, each a focus node of the shapes (so validation
    works through every one of them)."""
    example = VALID.decode()
    start = example.index("<https://w3id.org/ascf/id/project/da-nang-example-valid-project>")
    project = example[start : example.index(" .\n", start) + 3]
    copies = [
        project.replace("example-valid-project", f"example-valid-project-{i}") for i in range(count)
    ]
    return "\n".join([example, *copies]).encode()


def large_dataset(records: int) -> bytes:
    """A conforming dataset of about three triples a record (slow to validate in bulk)."""
    lines = [VALID.decode()]
    lines += [
        f'<https://example.org/r/{i}> <http://www.w3.org/2000/01/rdf-schema#label> "Record {i}" ;'
        f' <http://purl.org/dc/terms/description> "Line {i}." ;'
        " <http://purl.org/dc/terms/isPartOf> <https://example.org/r> ."
        for i in range(records)
    ]
    return "\n".join(lines).encode()


@pytest.fixture(scope="module")
def served_plainly(
    built: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """The service with its default limits."""
    settings = clone_settings(built, tmp_path_factory.mktemp("hostile"))
    with running_server(settings, ASCF_MAX_BODY_BYTES=str(4 * 1024 * 1024)) as process:
        yield process


@pytest.fixture(scope="module")
def served_tightly(
    built: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """The service with no nesting check to speak of, one input worker, a short time limit
    and a short wait for it: every defence behind the nesting check, exposed."""
    settings = clone_settings(built, tmp_path_factory.mktemp("hostile-tight"))
    with running_server(
        settings,
        ASCF_MAX_NESTING="1000000",
        ASCF_INPUT_WORKERS="1",
        ASCF_VALIDATION_TIMEOUT="2",
        ASCF_VALIDATION_QUEUE_WAIT="0.3",
        ASCF_VALIDATION_MEMORY=str(1536 * 1024 * 1024),
        ASCF_MAX_TRIPLES="1000000",
        ASCF_MAX_BODY_BYTES=str(32 * 1024 * 1024),
        ASCF_UPLOAD_CRASH_LIMIT="2",
    ) as process:
        yield process


@pytest.fixture(scope="module")
def served_by_one_worker(
    built: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """The service with one input worker, time enough to validate a large upload, and a
    short wait for the worker."""
    settings = clone_settings(built, tmp_path_factory.mktemp("hostile-one-worker"))
    with running_server(
        settings,
        ASCF_INPUT_WORKERS="1",
        ASCF_VALIDATION_TIMEOUT="60",
        ASCF_VALIDATION_QUEUE_WAIT=str(QUEUE_WAIT),
    ) as process:
        yield process


def validate(
    server: str, body: bytes, media_type: str, *, source: str = "127.0.0.1"
) -> httpx.Response:
    """POST ``body`` to ``/validate`` from the loopback address ``source`` (uploads that
    bring workers down are counted per client address)."""
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=60) as client:
        return client.post(f"{server}/validate", content=body, headers={"Content-Type": media_type})


def answers_health_throughout(server: ServerProcess, attack: Callable[[], Answer]) -> Answer:
    """Run ``attack`` in a thread while probing ``/health``; return what the attack returns
    after checking every probe was answered 200 within :data:`PROMPT` seconds."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(attack)
        probes = 0
        while not running.done() or probes == 0:
            started = time.monotonic()
            assert httpx.get(f"{server.url}/health", timeout=PROMPT).status_code == 200
            assert time.monotonic() - started < PROMPT
            probes += 1
            time.sleep(0.05)
        response = running.result()
    assert server.process.poll() is None, "the server process died"
    assert httpx.get(f"{server.url}/health", timeout=PROMPT).status_code == 200
    return response


def code(response: httpx.Response) -> str:
    return response.json()["code"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (deep_jsonld(5_000), "application/ld+json"),
        (deep_triple_terms(30_000), "text/turtle"),
        (deep_triple_terms(30_000), "application/n-triples"),
        (deep_rdfxml(20_000), "application/rdf+xml"),
    ],
    ids=["jsonld", "turtle-triple-terms", "ntriples-triple-terms", "rdfxml"],
)
def test_a_deeply_nested_document_is_refused_before_parsing(
    served_plainly: ServerProcess, body: bytes, media_type: str
) -> None:
    response = answers_health_throughout(
        served_plainly, lambda: validate(served_plainly.url, body, media_type)
    )
    assert response.status_code == 413
    assert code(response) == "too-deeply-nested"
    assert "ASCF_MAX_NESTING" in response.json()["message"]


@pytest.mark.slow
def test_a_deep_document_in_the_forms_text_field_gets_the_form_an_error_page(
    served_plainly: ServerProcess,
) -> None:
    """A plain HTML form posts without a CORS preflight, so any web page can send this."""
    response = answers_health_throughout(
        served_plainly,
        lambda: httpx.post(
            f"{served_plainly.url}/validate",
            files={"text": (None, deep_jsonld(5_000)), "format": (None, "jsonld")},
            headers={"Accept": "text/html"},
            timeout=60,
        ),
    )
    assert response.status_code == 413
    assert "the pasted text nests more than the 64 levels deep accepted" in response.text


@pytest.mark.slow
def test_a_deep_submission_is_refused_and_nothing_is_stored(
    served_plainly: ServerProcess,
) -> None:
    before = httpx.get(f"{served_plainly.url}/submissions", timeout=10).json()
    response = httpx.post(
        f"{served_plainly.url}/submissions",
        content=deep_jsonld(5_000),
        headers={"Content-Type": "application/ld+json", "Authorization": "Bearer not-a-token"},
        timeout=60,
    )
    assert response.status_code in (401, 413)  # credentials are checked first, or the data
    assert httpx.get(f"{served_plainly.url}/submissions", timeout=10).json() == before


@pytest.mark.slow
def test_a_parser_that_crashes_takes_only_its_worker_down(served_tightly: ServerProcess) -> None:
    """With the nesting check out of the way, the native parser's stack overflows, in the
    worker: the client is told, and the next document is read by a fresh worker."""
    response = answers_health_throughout(
        served_tightly,
        lambda: validate(
            served_tightly.url, deep_triple_terms(30_000), "text/turtle", source="127.0.0.2"
        ),
    )
    assert response.status_code == 422
    assert code(response) == "input-crashed-worker"
    assert "SIGSEGV" in response.json()["message"]
    again = validate(served_tightly.url, VALID, "text/turtle", source="127.0.0.2")
    assert again.status_code == 200
    assert again.json()["conforms"] is True


@pytest.mark.slow
def test_a_validation_past_the_time_limit_is_stopped(served_tightly: ServerProcess) -> None:
    response = answers_health_throughout(
        served_tightly,
        lambda: validate(
            served_tightly.url, large_dataset(40_000), "text/turtle", source="127.0.0.3"
        ),
    )
    assert response.status_code == 422
    assert code(response) == "validation-timeout"
    assert "ASCF_VALIDATION_TIMEOUT" in response.json()["message"]


@pytest.mark.slow
def test_validations_past_the_workers_wait_briefly_then_get_503(
    served_tightly: ServerProcess,
) -> None:
    """Three large uploads at once, for one worker that holds each for well over the 0.3 s
    another may wait: at least one is turned away, with a time to come back."""
    slow = large_dataset(40_000)
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        answers = list(
            pool.map(
                lambda source: validate(served_tightly.url, slow, "text/turtle", source=source),
                ("127.0.0.4", "127.0.0.14", "127.0.0.24"),
            )
        )
    busy = [answer for answer in answers if answer.status_code == 503]
    assert busy, [answer.status_code for answer in answers]
    assert {code(answer) for answer in busy} == {"validation-busy"}
    assert all(answer.headers["Retry-After"].isdigit() for answer in busy)
    assert {answer.status_code for answer in answers} <= {503, 422, 200}


@pytest.mark.slow
def test_a_client_whose_uploads_keep_crashing_workers_is_held_off(
    served_tightly: ServerProcess,
) -> None:
    """Each crash costs a new worker; past two from one address in the window, that
    address's uploads wait (429), while other clients are served."""
    crashing = deep_triple_terms(30_000)
    for _ in range(2):
        crashed = validate(served_tightly.url, crashing, "text/turtle", source="127.0.0.5")
        # On a loaded machine a fresh worker may not even start within the 2 s limit: a
        # timeout costs a worker too, and counts the same.
        assert code(crashed) in ("input-crashed-worker", "validation-timeout")
    held = validate(served_tightly.url, VALID, "text/turtle", source="127.0.0.5")
    assert held.status_code == 429
    assert code(held) == "too-many-crashes"
    assert "ASCF_UPLOAD_CRASH_LIMIT" in held.json()["message"]
    assert int(held.headers["Retry-After"]) > 0
    other = validate(served_tightly.url, VALID, "text/turtle", source="127.0.0.6")
    assert other.status_code == 200


#: Documents that hid their nesting from an earlier scan, each nested 2,000 deep.
HIDDEN = 2_000
DISGUISED = {
    "escaped-hash-in-a-name": (
        "text/turtle",
        b"@prefix ex: <http://e/> .\nex:a\\# ex:p "
        + b"(" * HIDDEN
        + b"ex:o"
        + b")" * HIDDEN
        + b" .",
    ),
    "escaped-parentheses-in-a-name": (
        "text/turtle",
        b"@prefix ex: <http://e/> .\nex:a"
        + b"\\)" * HIDDEN
        + b" ex:p ex:o .\nex:s ex:p "
        + b"(" * HIDDEN
        + b"ex:o"
        + b")" * HIDDEN
        + b" .",
    ),
    "quotes-in-an-escaped-iri": (
        "text/turtle",
        b"<http://e/\\u0041'''> <http://e/p> <http://e/o> .\n<http://e/s> <http://e/p> "
        + b"(" * HIDDEN
        + b"<http://e/o>"
        + b")" * HIDDEN
        + b" .",
    ),
    "empty-looking-elements": (
        "application/rdf+xml",
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns:e="http://e/"><rdf:Description rdf:about="http://e/s">'
        + b'<e:p rdf:parseType="Resource" e:x="/>">' * HIDDEN
        + b"<e:q>v</e:q>"
        + b"</e:p>" * HIDDEN
        + b"</rdf:Description></rdf:RDF>",
    ),
    "a-chain-of-context-terms": (
        "application/ld+json",
        b'{"@context": {"t0": "http://e/"'
        + b"".join(b', "t%d": "t%d:x"' % (i, i - 1) for i in range(1, 50_000))
        + b'}, "@id": "http://e/s", "t49999": "v"}',
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DISGUISED))
def test_nesting_disguised_by_escapes_attributes_or_context_terms_is_refused(
    served_plainly: ServerProcess, name: str
) -> None:
    media_type, body = DISGUISED[name]
    response = answers_health_throughout(
        served_plainly, lambda: validate(served_plainly.url, body, media_type)
    )
    assert response.status_code == 413, response.text
    assert code(response) == "too-deeply-nested"


@pytest.mark.slow
def test_a_document_made_to_expand_into_gigabytes_is_refused(
    served_plainly: ServerProcess,
) -> None:
    """A 1 MB document whose every triple repeats a 1,000-character base IRI three times:
    its N-Triples would be hundreds of times larger, held by the server."""
    base = b"http://e/" + b"a" * 1_000
    body = b"@base <" + base + b"> .\n" + b"<> <> <> .\n" * 100_000
    response = answers_health_throughout(
        served_plainly, lambda: validate(served_plainly.url, body, "text/turtle")
    )
    assert response.status_code == 413
    assert code(response) == "expands-too-much"


@pytest.mark.slow
def test_markup_made_to_slow_the_scan_is_read_at_once(served_tightly: ServerProcess) -> None:
    """Four megabytes of ``<!``: a scan that went back over the rest of the data from each
    ``<`` took minutes for a tenth of this; the worker's 2 s limit would stop it."""
    response = validate(
        served_tightly.url, b"<!" * 2_000_000, "application/rdf+xml", source="127.0.0.7"
    )
    assert response.status_code == 400, response.text
    assert code(response) == "rdf-syntax"


#: Sends the file argv[2] to the URL argv[1], then after a second and a half as many
#: copies of the file argv[3] at once as argv[4] says; prints each answer's status, code,
#: Retry-After and seconds taken, as JSON, the first file's first.
FLOOD = """
import concurrent.futures, json, sys, time, httpx
url, first, then, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def send(path):
    started = time.monotonic()
    answer = httpx.post(
        url, content=open(path, "rb").read(), headers={"Content-Type": "text/turtle"}, timeout=120
    )
    code = answer.json().get("code") if answer.status_code >= 400 else None
    return answer.status_code, code, answer.headers.get("Retry-After"), time.monotonic() - started
with concurrent.futures.ThreadPoolExecutor(count + 1) as pool:
    slow = pool.submit(send, first)
    time.sleep(1.5)
    answers = list(pool.map(send, [then] * count))
    print(json.dumps([slow.result(), *answers]))
"""


@pytest.mark.slow
def test_uploads_waiting_for_a_worker_leave_the_servers_threads_to_health(
    served_by_one_worker: ServerProcess, tmp_path: Path
) -> None:
    """A large upload (6,000 projects) holds the one input worker for seconds while 44 more
    come at once (one client may hold 50 connections; the server's shared thread pool has 40
    threads):
    they wait for it without taking a thread, so /health answers promptly throughout, and
    as the worker cannot take them within ASCF_VALIDATION_QUEUE_WAIT they get 503 soon
    after it. (Another process sends them, whose threads do not slow this one's probes.)"""
    large, small = tmp_path / "large.ttl", tmp_path / "small.ttl"
    large.write_bytes(many_projects(6_000))
    small.write_bytes(VALID)
    url = f"{served_by_one_worker.url}/validate"
    # The attacker's client at a lower priority stands for a machine of its own: here it
    # shares the 2 cores, and its 45 threads making clients would slow the probes.
    command = ["nice", "-n", "10", sys.executable, "-c", FLOOD, url, large, small, "44"]

    def flood() -> list[tuple[int, str | None, str | None, float]]:
        sent = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
        return json.loads(sent.stdout)

    (status, _, _, held), *waiting = answers_health_throughout(served_by_one_worker, flood)
    assert status == 200
    assert held > 1.5 + QUEUE_WAIT + 1, (
        f"the large upload held the worker only {held:.1f} s: give it more projects"
    )
    assert [tuple(answer[:3]) for answer in waiting] == [(503, "validation-busy", "5")] * 44
    slowest = max(seconds for *_, seconds in waiting)
    assert slowest < QUEUE_WAIT + 2, f"a 503 took {slowest:.1f} s"
