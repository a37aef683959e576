"""The dashboard's pages from a real ``perth serve``: every page, the timeline's links and paging, escaping."""

from __future__ import annotations

import re
import urllib.request

import pytest

pytestmark = pytest.mark.integration
PAGES = ("/", "/panes/web-a", "/journal", "/snapshots", "/shellperf", "/jobs", "/events")


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - 127.0.0.1 only
            return answer.status, answer.headers["content-type"], answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["content-type"], exc.read().decode()


def test_every_page_renders_html_with_the_navigation(site: str) -> None:
    for path in PAGES:
        status, kind, html = get(site + path)
        assert status == 200, (path, html)
        assert kind.startswith("text/html") and html.startswith("<!doctype html>")
        assert all(f'href="{href}"' in html for href in ("/journal", "/snapshots", "/shellperf", "/jobs"))
        assert "<script" not in html, path  # logged markup is escaped, and no page needs a script
    assert 'href="/panes/web-a"' in get(site + "/")[2]


def test_timeline_pages_through_older_links(site: str) -> None:
    html = get(site + "/panes/web-a")[2]
    steps = set(re.findall(r"step (\d+)", html))
    older = re.search(r'id="older" href="([^"]+)"', html)
    assert older, "60 entries do not fit on one page"
    second = get(site + older.group(1).replace("&amp;", "&"))[2]
    assert steps.isdisjoint(set(re.findall(r"step (\d+)", second)))
    assert "&lt;script&gt;" in html


def test_static_files_chart_and_errors(site: str) -> None:
    status, kind, css = get(site + "/static/perth.css")
    assert status == 200 and kind.startswith("text/css") and "table" in css
    status, kind, svg = get(site + "/shellperf/trend.svg")
    assert status == 200 and kind.startswith("image/svg+xml") and "<svg" in svg
    status, _kind, html = get(site + "/panes/missing")
    assert status == 404 and "perth: error: " in html
