"""The dashboard's pages from a real ``perth serve`` over real data: every page, links, filters, escaping."""

from __future__ import annotations

import re
import urllib.request
from urllib.parse import quote

import pytest

from tests.web.conftest import Site

pytestmark = pytest.mark.integration
PAGES = ("/", "/panes/web-a", "/journal", "/handoff?pane=web-a", "/snapshots", "/snapshots/after",
         "/snapshots/after/diff?against=before", "/snapshots/after/restore-plan", "/shellperf", "/jobs",
         "/workflows", "/events", "/code", "/code?q=count&repo=wordcount", "/code/symbol?repo=wordcount&name=count", "/docs")


def get(url: str, token: str | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url)  # noqa: S310 - 127.0.0.1 only
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - 127.0.0.1 only
            return answer.status, answer.headers["content-type"], answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["content-type"], exc.read().decode()


def test_every_page_renders_real_data_with_the_navigation(site: Site) -> None:
    shown = {}
    for path in (*PAGES, f"/workflows/{site.run}"):
        status, kind, html = get(site + path)
        assert status == 200, (path, html)
        assert kind.startswith("text/html") and html.startswith("<!doctype html>")
        assert all(f'href="{href}"' in html for href in ("/journal", "/snapshots", "/shellperf", "/jobs", "/workflows",
                                                          "/events", "/code"))
        assert "<script" not in html and "perth: error" not in html, path  # markup escaped, no page needs a script
        shown[path] = html
    assert 'href="/panes/web-a"' in shown["/"]
    assert "&lt;script&gt;alert(59)&lt;/script&gt; step 59" in shown["/panes/web-a"]
    assert "Handoff" in shown["/handoff?pane=web-a"] and "step 59" in shown["/handoff?pane=web-a"]
    assert 'href="/snapshots/before"' in shown["/snapshots"] and 'href="/snapshots/after"' in shown["/snapshots"]
    assert "logs" in shown["/snapshots/after/diff?against=before"] and "added" in shown[
        "/snapshots/after/diff?against=before"]
    plan = shown["/snapshots/after/restore-plan"]
    assert "dry-run" in plan and "nothing was changed" in plan and re.search(r"<li>new-session web\b", plan), plan
    assert 'id="trend"' in shown["/shellperf"] and 'id="badge-first-prompt"' in shown["/shellperf"]
    assert site.job[-8:] in shown["/jobs"] and "failed" in shown["/jobs"]
    assert f'href="/workflows/{site.run}"' in shown["/workflows"]
    assert "waiting for approval" in shown[f"/workflows/{site.run}"]
    assert "refused by the broker" in shown["/events"]
    assert "wordcount" in shown["/code"]
    assert 'href="/code/symbol?repo=wordcount&amp;name=words.count"' in shown["/code?q=count&repo=wordcount"]
    assert "POST /api/workflows/{run}/steps/{step}/approve" in shown["/docs"] and "Needs the approve" in shown["/docs"]
    symbol = shown["/code/symbol?repo=wordcount&name=count"]
    assert re.search(r'<ul id="callers"><li><a [^>]*>words.report</a>', symbol), symbol
    assert re.search(r'<ul id="callees"><li><a [^>]*>words.parse</a>', symbol), symbol


def test_timeline_filters_search_and_older_links(site: Site) -> None:
    html = get(site + "/panes/web-a")[2]
    steps = set(re.findall(r"step (\d+)", html))
    older = re.search(r'id="older" href="([^"]+)"', html)
    assert older, "60 entries and 2 commands do not fit on one page"
    second = get(site + older.group(1).replace("&amp;", "&"))[2]
    assert steps.isdisjoint(set(re.findall(r"step (\d+)", second)))
    commands = get(site + "/panes/web-a?kind=command")[2]
    assert "make build" in commands and "pytest -x" in commands and "step 1" not in commands
    failed = get(site + "/panes/web-a?failed=1")[2]
    assert "make build" in failed and "step" not in re.sub(r"<form.*?</form>", "", failed)
    intents = get(site + "/panes/web-a?kind=intent&since=2h")[2]
    assert "make build" not in intents and "step 59" in intents
    found = get(site + "/panes/web-a?q=" + quote("step 42"))[2]
    assert "step 42" in found and "perth.search" not in found
    assert get(site + "/panes/web-a?kind=nonsense")[0] == 400


def test_static_files_chart_badges_and_errors(site: Site) -> None:
    status, kind, css = get(site + "/static/perth.css")
    assert status == 200 and kind.startswith("text/css") and "table" in css
    status, kind, svg = get(site + "/shellperf/trend.svg")
    assert status == 200 and kind.startswith("image/svg+xml") and "<svg" in svg
    assert svg.count('class="line reactive') >= 1 or "first_prompt" in svg
    import xml.etree.ElementTree as ET

    assert "[REDACTED" not in svg and ET.fromstring(svg).tag.endswith("svg")  # noqa: S314 - the filter kept it whole
    status, kind, badge = get(site + "/shellperf/badges/first-prompt.svg")
    assert status == 200 and kind.startswith("image/svg+xml") and "first prompt" in badge
    assert get(site + "/shellperf/badges/nope.svg")[0] == 404
    status, _kind, html = get(site + "/panes/missing")
    assert status == 404 and "perth: error: " in html
    assert get(site + "/snapshots/after/diff?against=missing")[0] == 404
    assert get(site + "/code/symbol?repo=wordcount&name=nothing_here")[0] == 404


def test_the_api_of_every_new_page(site: Site) -> None:
    import json

    def doc(path: str) -> dict[str, object]:
        status, _kind, body = get(site + path)
        assert status == 200, (path, body)
        return dict(json.loads(body))

    assert doc("/api/workflows")["schema"] == "perth.workflow.list.v1"
    assert doc(f"/api/workflows/{site.run}")["schema"] == "perth.workflow.run.v1"
    assert doc(f"/api/jobs/{site.job}")["schema"] == "perth.job.v1"
    assert doc("/api/events/dead")["count"] == 1
    assert doc("/api/snapshots/after")["schema"] == "perth.snapshot.v1"
    assert doc("/api/snapshots/after/diff")["from"] == "before"
    plan = doc("/api/snapshots/after/restore-plan")
    assert plan["status"] == "dry-run" and [a["op"] for a in plan["plan"]][:1] == ["new-session"]  # type: ignore[index]
    assert doc("/api/handoff?pane=web-a")["schema"] == "perth.handoff.v1"
    assert doc("/api/code/repos")["schema"].startswith("perth.code")  # type: ignore[union-attr]
    assert doc("/api/code/find?repo=wordcount&q=par*")["count"] == 1
    assert doc("/api/code/symbol?repo=wordcount&name=parse")["schema"] == "perth.code.context.v1"
    assert doc("/api/search?q=step&pane=web-a")["schema"] == "perth.search.v1"
    assert doc("/api/panes/web-a/timeline?kind=command")["count"] == 2
