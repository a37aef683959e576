"""The dashboard in a real browser: Debian's chromium driven by Selenium through chromium-driver.

Every page loads without a console error; the pane list leads to a pane's timeline and its older
pages by clicking; a screenshot of the timeline is a real, non-blank PNG.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_pages import PAGES

pytestmark = pytest.mark.integration
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                 "--disable-gpu", "--no-first-run"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver: Any) -> list[Any]:
    return [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def test_every_page_loads_without_console_errors(browser: Any, site: str) -> None:
    from selenium.webdriver.common.by import By

    for path in PAGES:
        browser.get(site + path)
        assert browser.find_element(By.TAG_NAME, "h1").text, path
        assert browser.find_element(By.TAG_NAME, "nav").find_elements(By.TAG_NAME, "a"), path
        assert console_errors(browser) == [], path
    browser.get(site + "/shellperf")
    chart = browser.find_element(By.CSS_SELECTOR, "img.chart")
    assert browser.execute_script("return arguments[0].naturalWidth", chart) > 0, "the chart loaded"
    assert console_errors(browser) == []


def test_click_through_a_pane_timeline(browser: Any, site: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(site + "/")
    browser.find_element(By.LINK_TEXT, "web-a").click()
    assert browser.current_url.endswith("/panes/web-a")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Timeline of web-a"
    first = {row.text for row in browser.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert len(first) == 50 and any("<script>alert(59)</script> step 59" in text for text in first)  # text, not markup
    browser.find_element(By.ID, "older").click()
    second = {row.text for row in browser.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert second and first.isdisjoint(second)
    assert any("step 0" in text for text in second)
    browser.find_element(By.LINK_TEXT, "Journal").click()
    assert browser.current_url.endswith("/journal")
    assert console_errors(browser) == []
    browser.get(site + "/panes/web-a")
    shot = tmp_path / "timeline.png"
    assert browser.save_screenshot(str(shot))
    check_screenshot(shot)


def check_screenshot(path: Path) -> None:
    """A PNG of the window's size with many colours (not a blank page)."""
    import struct
    import zlib

    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 800 and height >= 600
    chunks, pos = b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            chunks += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    pixels = zlib.decompress(chunks)
    assert len({pixels[i:i + 3] for i in range(0, min(len(pixels), 3_000_000), 3)}) > 20, "a blank screenshot"
