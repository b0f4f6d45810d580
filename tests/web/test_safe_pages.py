"""Pages that cannot be turned against their readers, over a real server.

A steward may submit any IRI as an object or subject, ``javascript:`` and
``data:`` ones included: no page makes them a link. Every HTML answer forbids
inline script by its Content-Security-Policy, every answer says ``nosniff``
and a referrer policy, a submission's original comes as a download, and no
page puts the request's ``Host`` header into a URL. A refused write names the
token it was refused for in the audit log.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from ascf_graph.core.settings import Settings
from ascf_graph.stewards.audit import AuditLog
from ascf_graph.stewards.credentials import TokenStore
from tests.support.servers import running_server
from tests.support.stores import REPO, clone_settings

BASE = "https://w3id.org/ascf/"
PROJECT = f"{BASE}id/project/da-nang-example-hostile-project"
HOSTILE_IRIS = (
    "javascript:alert(document.domain)",
    "JavaScript:alert(2)",
    "data:text/html,%3Cscript%3Ealert(3)%3C/script%3E",
    "vbscript:msgbox(4)",
)
VALID = (REPO / "tests" / "data" / "validation" / "valid-city-and-project.ttl").read_text()
HOSTILE = (
    VALID.replace("example-valid-project", "example-hostile-project")
    .replace(
        "    ascf:usesEnabler <",
        "    rdfs:seeAlso "
        + ", ".join(f"<{iri}>" for iri in HOSTILE_IRIS)
        + ", <mailto:steward@example.org> ;\n"
        + "    <http://www.w3.org/2002/07/owl#sameAs> <javascript:alert(5)> ;\n"
        + "    ascf:usesEnabler <",
    )
    .replace(
        "<https://w3id.org/ascf/id/city/da-nang>\n",
        "<https://w3id.org/ascf/id/city/da-nang>\n    rdfs:seeAlso <javascript:alert(6)> ;\n",
    )
    + f"\n<javascript:alert(7)> rdfs:seeAlso <{PROJECT}> .\n"
)
CSP = re.compile(r"(^|;)\s*script-src 'self'\s*(;|$)")


class Links(HTMLParser):
    """Every ``href`` and ``src`` of a page, and whether it has inline script."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self._in_script: bool = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.urls += [value for name, value in attrs if name in ("href", "src") and value]
        if tag == "script":
            executable = named.get("type") in (None, "", "text/javascript", "module")
            self._in_script = executable and "src" not in named

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def links_of(page: str) -> Links:
    parser = Links()
    parser.feed(page)
    return parser


def assert_only_safe_links(page: str) -> None:
    for url in links_of(page).urls:
        assert re.match(r"(https?:|mailto:|/|\?|#)", url), f"unsafe link {url!r}"


@dataclass
class Service:
    url: str
    settings: Settings
    tokens: TokenStore


@pytest.fixture(scope="module")
def service(built: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A server over a writable copy of the store, with a steward's hostile submission."""
    settings = clone_settings(built, tmp_path_factory.mktemp("safe-pages"))
    tokens = TokenStore(settings.credentials_file)
    # The network's own token: the hostile file also describes an IRI outside the graph's
    # namespace, which no city's token may (ascf_graph.stewards.ownership).
    _, token = tokens.create("ASEAN Smart Cities Network", "Secretariat", role="network")
    with running_server(settings) as server:
        created = httpx.post(
            f"{server.url}/submissions",
            content=HOSTILE.encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"},
            timeout=60,
        )
        assert created.status_code == 201, created.text
        yield Service(server.url, settings, tokens)


def page(url: str) -> httpx.Response:
    answer = httpx.get(url, headers={"Accept": "text/html"}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    return answer


# ---------------------------------------------------------------------------
# Links


def test_a_stewards_script_iris_are_text_on_the_resource_page(service: Service) -> None:
    html = page(f"{service.url}/doc/project/da-nang-example-hostile-project").text
    assert_only_safe_links(html)
    assert 'href="mailto:steward@example.org"' in html  # mailto stays a link
    assert "javascript:alert(document.domain)" in html  # shown, as text
    assert "javascript:alert(5)" in html  # an alignment, as text
    assert "javascript:alert(7)" in html  # a link to the page, as text


def test_a_stewards_script_iris_are_text_on_the_city_page(service: Service) -> None:
    html = page(f"{service.url}/doc/city/da-nang").text
    assert_only_safe_links(html)
    assert "javascript:alert(6)" in html


def test_a_results_table_shows_script_iris_as_text(service: Service) -> None:
    query = f"SELECT ?o WHERE {{ <{PROJECT}> ?p ?o }}"
    html = page(f"{service.url}/sparql?query={quote(query)}").text
    assert "javascript:alert(document.domain)" in html
    assert '<a href="mailto:steward@example.org">' in html
    assert_only_safe_links(html)


# ---------------------------------------------------------------------------
# Headers


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/doc/project/da-nang-example-hostile-project",
        "/doc/def",
        "/sparql",
        "/sparql?query=ASK%7B%7D",
        "/queries",
        "/search?q=tourism",
        "/validate",
        "/doc/no/such/thing",
    ],
)
def test_every_html_answer_forbids_inline_script(service: Service, path: str) -> None:
    answer = httpx.get(f"{service.url}{path}", headers={"Accept": "text/html"}, timeout=30)
    assert answer.headers["content-type"].startswith("text/html")
    policy = answer.headers["content-security-policy"]
    assert CSP.search(policy), policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] in ("strict-origin-when-cross-origin", "no-referrer")
    assert links_of(answer.text).inline_scripts == 0


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/sparql?query=ASK%7B%7D", "application/sparql-results+json"),
        ("/doc/city/da-nang", "text/turtle"),
        ("/health", "application/json"),
        ("/sparql/editor/editor.js", "*/*"),
    ],
)
def test_every_answer_says_nosniff(service: Service, path: str, accept: str) -> None:
    answer = httpx.get(f"{service.url}{path}", headers={"Accept": accept}, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in answer.headers  # not HTML


def test_a_submissions_original_is_a_download_never_rendered(service: Service) -> None:
    submission = httpx.get(f"{service.url}/submissions", timeout=30).json()["submissions"][0]
    answer = httpx.get(f"{service.url}/submissions/{submission['id']}/versions/1/original")
    assert answer.status_code == 200
    assert answer.content == HOSTILE.encode()
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="{submission["id"]}-v1.ttl"'
    )
    assert answer.headers["x-content-type-options"] == "nosniff"


# ---------------------------------------------------------------------------
# Host


@pytest.mark.parametrize("path", ["/sparql", "/queries", "/sparql?query=ASK%7B%7D"])
def test_no_page_builds_a_url_from_the_host_header(service: Service, path: str) -> None:
    answer = httpx.get(
        f"{service.url}{path}", headers={"Accept": "text/html", "Host": "evil.example"}
    )
    assert answer.status_code == 200
    assert "evil.example" not in answer.text
    assert all(not url.startswith("http") for url in links_of(answer.text).urls)


def test_the_editor_names_its_files_under_the_public_url_when_set(
    built: Settings, tmp_path: Path
) -> None:
    with running_server(
        clone_settings(built, tmp_path), ASCF_PUBLIC_URL="https://ascf.example.org/graph/"
    ) as server:
        answer = httpx.get(
            f"{server.url}/sparql", headers={"Accept": "text/html", "Host": "evil.example"}
        )
    html = answer.text
    assert "evil.example" not in html
    assert 'src="https://ascf.example.org/graph/sparql/editor/editor.js"' in html
    assert '"endpoint": "https://ascf.example.org/graph/sparql"' in html


# ---------------------------------------------------------------------------
# Audit


def test_a_revoked_tokens_refusal_names_the_token_in_the_audit_log(service: Service) -> None:
    record, token = service.tokens.create("Da Nang City", "Former steward", cities=("da-nang",))
    service.tokens.revoke(record.token_id)
    refused = httpx.post(
        f"{service.url}/submissions",
        content=VALID.encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"},
    )
    assert refused.status_code == 401
    last = AuditLog(service.settings.audit_log).entries()[-1]
    assert (last["event"], last["reason"], last["token"]) == (
        "refused",
        "token revoked",
        record.token_id,
    )


def test_a_wrong_secrets_refusal_names_the_token_in_the_audit_log(service: Service) -> None:
    record, token = service.tokens.create("Da Nang City", "Lan", cities=("da-nang",))
    forged = token[: -len("secret")] + "SECRET"
    refused = httpx.delete(
        f"{service.url}/submissions/anything", headers={"Authorization": f"Bearer {forged}"}
    )
    assert refused.status_code == 401
    last = AuditLog(service.settings.audit_log).entries()[-1]
    assert (last["event"], last["status"], last["token"]) == ("refused", 401, record.token_id)
