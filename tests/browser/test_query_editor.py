"""The query editor end to end: Debian's headless Chromium, no network past loopback, loads
/sparql, runs a curated query and shows its rows."""

import struct
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from ascf_graph.sparql.curated import load_curated
from tests.support.stores import REPO

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

EXAMPLE = "count_projects_by_status"


def png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the decompressed scanlines of a PNG (standard library only)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, width, height, idat = 8, 0, 0, b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    return width, height, zlib.decompress(idat)


@pytest.mark.slow
def test_the_editor_runs_a_curated_query_and_shows_its_rows(
    server: str, browser: "WebDriver", tmp_path: Path
) -> None:

    wait = WebDriverWait(browser, 30)
    browser.get(f"{server}/sparql")
    assert "SPARQL query editor" in browser.title
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    starter = browser.execute_script("return window.ascfEditor.getTab().getQuery()")
    assert "PREFIX ascf: <https://w3id.org/ascf/def/>" in starter

    examples = browser.find_elements(By.CSS_SELECTOR, "#examples button")
    assert len(examples) == len(load_curated(REPO / "queries"))
    browser.find_element(By.CSS_SELECTOR, f'button[data-query="{EXAMPLE}"]').click()
    loaded = browser.execute_script("return window.ascfEditor.getTab().getQuery()")
    assert loaded == (REPO / "queries" / f"{EXAMPLE}.rq").read_text(encoding="utf-8")

    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    rows = wait.until(
        lambda driver: (
            driver.find_elements(By.CSS_SELECTOR, ".yasr table.dataTable tbody tr") or False
        )
    )
    table = browser.find_element(By.CSS_SELECTOR, ".yasr table.dataTable").text
    assert len(rows) >= 3
    assert "Completed" in table
    assert "projects" in table

    screenshot = tmp_path / "editor.png"
    assert browser.save_screenshot(str(screenshot))
    width, height, pixels = png_pixels(screenshot)
    assert (width, height) >= (800, 600)
    assert len(set(pixels)) > 64, "the screenshot is blank"
