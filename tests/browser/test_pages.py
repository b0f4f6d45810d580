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


def test_a_city_page_shows_its_point_on_a_map_drawn_offline_and_its_geonames_link(
    server: str, browser: WebDriver
) -> None:
    browser.get(server + "/id/city/johor-bahru")
    assert heading(browser) == "Johor Bahru"
    drawn = browser.find_element(By.CSS_SELECTOR, "section.map-section svg.map")
    assert "Malaysia" in drawn.get_attribute("aria-label")
    focus = drawn.find_element(By.CSS_SELECTOR, "circle.city.focus")
    assert drawn.find_element(By.CSS_SELECTOR, "text.city-name").text == "Johor Bahru"
    assert focus.size["width"] > 0
    assert focus.is_displayed()
    assert len(drawn.find_elements(By.CSS_SELECTOR, "path.land.home")) == 1
    # Every resource the page loaded came from this server: no tiles, no fonts elsewhere.
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert all(url.startswith(server) for url in loaded), loaded
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "main a")]
    assert "https://sws.geonames.org/1732752/" in links
    # Its projects over the years, with their partners (the 2025 report's narrative).
    table = browser.find_element(By.CSS_SELECTOR, "section.timeline table")
    years = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")][1:-1]
    assert years == ["2018", "2022", "2023", "2024", "2025"]
    rows = {
        row.find_element(By.TAG_NAME, "th").text: [
            c.text for c in row.find_elements(By.TAG_NAME, "td")
        ]
        for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    }
    centre = rows["Iskandar Malaysia Analytics Centre"]
    assert centre[:5] == [
        "",
        "listed",
        "listed",
        "Ongoing and under Planning",
        "Ongoing and under Planning",
    ]
    assert "United Nations Development Programme (funder)" in centre[5]
    assert rows["Smart Integrated Mobility Management System"][3:5] == ["", ""]  # not since 2023
    # Other member cities in view are dots that lead to their own pages.
    drawn.find_element(By.CSS_SELECTOR, 'a[href="/doc/city/kuala-lumpur"]').click()
    assert heading(browser) == "Kuala Lumpur"


def test_the_home_page_shows_every_located_member_city_on_the_map(
    server: str, browser: WebDriver
) -> None:
    browser.get(server + "/")
    drawn = browser.find_element(By.CSS_SELECTOR, "section.map-section svg.map")
    assert len(drawn.find_elements(By.CSS_SELECTOR, "circle.city")) == 37
    assert len(drawn.find_elements(By.CSS_SELECTOR, "path.land.member")) == 11


def test_the_home_page_counts_each_report_apart_and_the_figure_is_the_latest_reports(
    server: str, browser: WebDriver
) -> None:
    browser.get(server + "/")
    listed = [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in browser.find_elements(By.CSS_SELECTOR, "section.reports tbody tr")
    ]
    assert [(date[:4], int(count)) for date, _, count in listed] == [
        ("2018", 52),
        ("2022", 77),
        ("2023", 86),
        ("2024", 108),
        ("2025", 134),
    ]
    intro = browser.find_element(By.CSS_SELECTOR, "section.intro").text
    assert "lists 134 projects" in intro
    counts = [
        int(count.text.split()[0])
        for count in browser.find_elements(By.CSS_SELECTOR, "section.figure li.column > .count")
    ]
    assert sum(counts) == 134, counts
