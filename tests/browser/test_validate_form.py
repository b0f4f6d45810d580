"""The /validate form in headless Chromium: a file or pasted text, and the report shown."""

import struct
import zlib
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.stores import TEST_DATA

EXAMPLES = TEST_DATA / "validation"


def png_is_not_blank(png: bytes) -> bool:
    """Whether a PNG's pixels vary: a blank page compresses to a handful of byte values."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    position, data = 8, b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        if kind == b"IDAT":
            data += png[position + 8 : position + 8 + length]
        position += 12 + length
    return len(set(zlib.decompress(data))) > 32


@pytest.mark.slow
def test_the_form_uploads_a_file_and_shows_the_report(
    server: str, browser: object, tmp_path: Path
) -> None:
    browser.get(f"{server}/validate")  # type: ignore[attr-defined]
    browser.find_element(By.ID, "file").send_keys(str(EXAMPLES / "end-before-start.ttl"))  # type: ignore[attr-defined]
    browser.find_element(By.ID, "check").click()  # type: ignore[attr-defined]
    verdict = WebDriverWait(browser, 60).until(
        expected_conditions.presence_of_element_located((By.ID, "verdict"))
    )
    assert "does not conform" in verdict.text
    page = browser.find_element(By.TAG_NAME, "body").text  # type: ignore[attr-defined]
    assert "end-before-start.ttl" in page
    assert "ascf:startDate" in page
    assert "How to fix" in page
    screenshot = tmp_path / "validate-report.png"
    browser.save_screenshot(str(screenshot))  # type: ignore[attr-defined]
    assert png_is_not_blank(screenshot.read_bytes())


@pytest.mark.slow
def test_the_form_takes_pasted_text_and_shows_syntax_errors(server: str, browser: object) -> None:
    browser.get(f"{server}/validate")  # type: ignore[attr-defined]
    browser.find_element(By.ID, "text").send_keys("<urn:a> <urn:b> ;")  # type: ignore[attr-defined]
    browser.find_element(By.ID, "check").click()  # type: ignore[attr-defined]
    error = WebDriverWait(browser, 60).until(
        expected_conditions.presence_of_element_located((By.ID, "error"))
    )
    assert "line 1" in error.text
