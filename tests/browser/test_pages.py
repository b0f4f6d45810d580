"""The home page and concept pages in Debian's headless Chromium, no network past loopback."""

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.support.png import distinct_colours

pytestmark = pytest.mark.slow


def heading(browser: WebDriver) -> str:
    return browser.find_element(By.TAG_NAME, "h1").text


def test_the_home_page_draws_the_framework(server: str, browser: WebDriver) -> None:
    browser.get(server + "/")
    figure = browser.find_element(By.CSS_SELECTOR, "section.figure")
    bands = [band.text for band in figure.find_elements(By.CSS_SELECTOR, ".band h2")]
    assert bands == ["STRATEGIC OUTCOMES", "URBAN SYSTEMS", "FOCUS AREAS", "ENABLERS"]
    assert len(figure.find_elements(By.CSS_SELECTOR, "a.focus-area")) == 6
    assert len(figure.find_elements(By.CSS_SELECTOR, "a.sub-area")) > 20
    stylesheet = browser.execute_script(
        "return getComputedStyle(document.querySelector('.band')).borderTopStyle"
    )
    assert stylesheet == "solid", "the local stylesheet did not load"


def test_from_the_home_page_to_a_sub_area_and_back_to_its_focus_area(
    server: str, browser: WebDriver, tmp_path_factory: pytest.TempPathFactory
) -> None:
    browser.get(server + "/")
    browser.find_element(By.LINK_TEXT, "Tourism").click()
    assert heading(browser) == "Tourism"
    assert browser.current_url.endswith("/doc/sub-area/tourism")
    assert browser.find_element(By.CSS_SELECTOR, ".kind").text.startswith("SUB-AREA")
    crumbs = browser.find_elements(By.CSS_SELECTOR, ".breadcrumbs a")
    assert [c.text for c in crumbs] == ["Home", "Framework", "Civic and Social"]
    crumbs[-1].click()
    assert heading(browser) == "Civic and Social"
    assert browser.current_url.endswith("/doc/focus-area/civic-and-social")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Tourism" in page
    assert "Digital Identity" in page  # a project that names this focus area
    shot = Path(tmp_path_factory.mktemp("screenshots")) / "civic-and-social.png"
    assert browser.save_screenshot(str(shot))
    assert distinct_colours(shot.read_bytes()) > 8, "the screenshot is blank"


def test_a_concept_page_offers_its_data(server: str, browser: WebDriver) -> None:
    browser.get(server + "/id/sub-area/healthcare")
    assert heading(browser) == "Healthcare"
    formats = browser.find_elements(By.CSS_SELECTOR, ".formats a")
    assert [f.text for f in formats] == ["HTML", "Turtle", "JSON-LD", "RDF/XML", "N-Triples"]
    embedded = browser.find_element(By.CSS_SELECTOR, 'script[type="application/ld+json"]')
    assert "https://w3id.org/ascf/id/sub-area/healthcare" in embedded.get_attribute("innerHTML")
