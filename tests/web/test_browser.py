"""The dashboard in a real browser: Debian's chromium driven by Selenium through chromium-driver.

Every page loads without a console error; the pane list leads to a pane's timeline, its filters and
its older pages by clicking; an approver signs in with a token and approves a workflow step, after
which the run finishes; the shellperf chart renders (a non-blank screenshot, and the chart's lines
and legend in its SVG document). With ``DOCS_SCREENSHOTS_DIR`` set, the screenshots are also
written there (docs/images holds the ones docs/web.md shows).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Site
from tests.web.test_pages import PAGES

pytestmark = pytest.mark.integration
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,760",
                 "--disable-gpu", "--no-first-run", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def present(driver: Any, element_id: str) -> bool:
    """Wait (up to 10 s) for the page holding the element with this id (after a click that navigates)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return bool(WebDriverWait(driver, 10).until(expected_conditions.presence_of_element_located((By.ID, element_id))))


def follow(driver: Any, element: Any) -> None:
    """Click an element that loads another page and wait (up to 10 s) until the new page has replaced the
    old one: reading right after ``click()`` may still see the old page, or none."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 10).until(expected_conditions.staleness_of(page))
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")


def console_errors(driver: Any) -> list[Any]:
    return [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def shoot(driver: Any, tmp_path: Path, name: str) -> Path:
    """A screenshot, checked to be a real one; kept for the docs when DOCS_SCREENSHOTS_DIR is set."""
    shot = tmp_path / f"{name}.png"
    assert driver.save_screenshot(str(shot))
    check_screenshot(shot)
    keep = os.environ.get("DOCS_SCREENSHOTS_DIR")
    if keep:
        shutil.copyfile(shot, Path(keep) / f"web-{name}.png")
    return shot


def test_every_page_loads_without_console_errors(browser: Any, site: Site) -> None:
    from selenium.webdriver.common.by import By

    for path in (*PAGES, f"/workflows/{site.run}", "/login"):
        browser.get(site + path)
        assert browser.find_element(By.TAG_NAME, "h1").text, path
        assert browser.find_element(By.TAG_NAME, "nav").find_elements(By.TAG_NAME, "a"), path
        assert console_errors(browser) == [], path


def test_click_through_a_pane_timeline(browser: Any, site: Site, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(site + "/")
    follow(browser, browser.find_element(By.LINK_TEXT, "web-a"))
    assert browser.current_url.endswith("/panes/web-a")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Timeline of web-a"
    first = {row.text for row in browser.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert len(first) == 50 and any("<script>alert(59)</script> step 59" in text for text in first)  # text, not markup
    shoot(browser, tmp_path, "timeline")
    follow(browser, browser.find_element(By.ID, "older"))
    second = {row.text for row in browser.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert second and first.isdisjoint(second)
    assert any("step 0" in text for text in second)
    Select(browser.find_element(By.ID, "kind")).select_by_value("command")
    follow(browser, browser.find_element(By.ID, "apply"))
    rows = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert len(rows) == 2 and all("command" in r for r in rows) and "kind=command" in browser.current_url
    browser.find_element(By.ID, "q").send_keys("step 42")
    follow(browser, browser.find_element(By.ID, "apply"))
    assert "step 42" in browser.find_element(By.TAG_NAME, "main").text
    follow(browser, browser.find_element(By.LINK_TEXT, "Journal"))
    assert browser.current_url.endswith("/journal")
    follow(browser, browser.find_element(By.ID, "handoff"))
    assert "/handoff" in browser.current_url and browser.find_element(By.TAG_NAME, "h1").text
    assert console_errors(browser) == []


def test_an_approver_signs_in_and_approves_a_workflow_step(browser: Any, site: Site, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{site}/workflows/{site.run}")
    assert not browser.find_elements(By.ID, "approve-ship")  # not signed in: no button
    browser.find_element(By.ID, "sign-in").click()
    assert "/login" in browser.current_url
    browser.find_element(By.ID, "token").send_keys(site.approver_token)
    browser.find_element(By.ID, "sign-in-submit").click()
    assert present(browser, "who")
    assert browser.current_url.endswith(f"/workflows/{site.run}"), browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_element(By.ID, "who").text == "approver-user (approver)"
    browser.find_element(By.NAME, "note").send_keys("release 1.2 checked")
    shoot(browser, tmp_path, "approval")
    browser.find_element(By.ID, "approve-ship").click()
    assert present(browser, "who") and browser.current_url.endswith(f"/workflows/{site.run}")
    deadline = time.monotonic() + 30
    while "succeeded" not in browser.find_element(By.TAG_NAME, "dl").text and time.monotonic() < deadline:
        time.sleep(0.3)
        browser.refresh()
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "succeeded" in browser.find_element(By.TAG_NAME, "dl").text, text
    assert "approved by approver-user: release 1.2 checked" in text
    browser.find_element(By.ID, "sign-out").click()
    assert present(browser, "sign-in"), (browser.current_url, browser.page_source[:600])
    assert console_errors(browser) == []


def test_the_shellperf_chart_renders(browser: Any, site: Site, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(site + "/shellperf")
    chart = browser.find_element(By.ID, "trend")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", chart) > 0
    assert chart.size["width"] >= 600 and chart.size["height"] >= 300
    badges = browser.find_elements(By.CSS_SELECTOR, "img.badge")
    assert len(badges) == 4 and all(browser.execute_script("return arguments[0].naturalWidth", b) > 0 for b in badges)
    browser.execute_script("arguments[0].scrollIntoView()", chart)
    shoot(browser, tmp_path, "shellperf")
    browser.get(site + "/shellperf/trend.svg")
    deadline = time.monotonic() + 15  # the SVG document may still be parsing when get() returns
    while not browser.execute_script("return document.querySelector('.title') !== null") \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    assert browser.execute_script("return document.querySelector('.title') !== null"), browser.page_source[:800]
    lines = browser.execute_script("return document.querySelectorAll('path.line').length")
    legend = browser.execute_script("return [...document.querySelectorAll('.legend text, .legends text')]"
                                    ".map(t => t.textContent)")
    title = browser.execute_script("return document.querySelector('.title').textContent")
    assert lines >= 4 and "first_prompt" in " ".join(legend) and title == "Shell start-up (median ms)"
    assert console_errors(browser) == []


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
