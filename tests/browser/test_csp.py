"""Our pages and the query editor work in Debian's headless Chromium under their
Content-Security-Policy, which the browser enforces: it reports no violation on any
page, the editor still runs a query, and script injected inline is refused."""

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.slow

# Runs before any script of every page (Chromium applies no CSP to it), and keeps the
# violations the browser reports on that page.
RECORDER = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def recording(browser: WebDriver) -> Iterator[WebDriver]:
    """The browser, recording CSP violations on every page it opens."""
    added = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
    try:
        yield browser
    finally:
        browser.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]}
        )


def violations(browser: WebDriver) -> list[str]:
    return browser.execute_script("return window.cspViolations")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/doc/focus-area/civic-and-social",
        "/doc/city/johor-bahru",
        "/doc/def",
        "/search?q=tourism",
        "/queries",
        "/validate",
        "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%203",
    ],
)
def test_a_page_breaks_no_rule_of_its_policy(server: str, recording: WebDriver, path: str) -> None:
    recording.get(server + path)
    assert recording.find_element(By.TAG_NAME, "h1").text
    assert violations(recording) == []


def test_the_editor_runs_a_query_under_its_policy(server: str, recording: WebDriver) -> None:
    wait = WebDriverWait(recording, 30)
    recording.get(f"{server}/sparql")
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    endpoint = recording.find_element(By.ID, "endpoint").text
    assert endpoint == f"{server}/sparql"  # made absolute by the browser, not from Host
    recording.find_element(By.CSS_SELECTOR, "#examples button").click()
    recording.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    wait.until(lambda driver: driver.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr"))
    assert violations(recording) == []


def test_script_put_into_a_page_inline_does_not_run(server: str, recording: WebDriver) -> None:
    recording.get(server + "/")
    ran = recording.execute_script(
        "window.injected = false;"
        "var s = document.createElement('script');"
        "s.textContent = 'window.injected = true';"
        "document.body.appendChild(s);"
        "return window.injected;"
    )
    assert ran is False
    assert violations(recording) == ["script-src-elem inline"]
