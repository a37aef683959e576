"""``perth serve`` as a real process: every API endpoint, paging, errors, health, the token gate, headers."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.mcp.client import perth_env, start_perth, stop
from tests.search.conftest import add_commands, make_rt

pytestmark = pytest.mark.integration


def start_serve(env: dict[str, str], *extra: str) -> tuple[subprocess.Popen[str], int]:
    """``perth serve`` on a free port: the process and its port."""
    return start_perth(env, "serve", *extra)


@contextmanager
def serving(home: Path) -> Iterator[str]:
    """A ``perth serve`` of ``home`` on a free port: its base URL."""
    proc, port = start_serve(perth_env(home))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def _body(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return raw.decode()


def fetch(url: str, *, method: str = "GET", token: str | None = None) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(url, method=method,  # noqa: S310 - 127.0.0.1 only
                                     data=b"{}" if method == "POST" else None)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - 127.0.0.1 only
            return answer.status, dict(answer.headers), _body(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), _body(exc.read())


@pytest.fixture
def server(perth_home: Path, cli: Callable[..., Any]) -> Iterator[str]:
    for name in ("svc-a", "svc-b", "svc-c"):
        assert cli("pane", "create", name).code == 0
    for i in range(4):
        assert cli("log", f"step {i} of the orders migration", "--pane", "svc-a").code == 0
    rt = make_rt()
    pane = rt.store.panes.get(name="svc-a")
    assert pane is not None
    add_commands(rt, [f"psql -c 'select {i}'" for i in range(5)], pane_id=pane.id, tag="c" * 29,
                 start_ms=int(__import__("time").time() * 1000) - 60_000)
    rt.close()
    with serving(perth_home) as url:
        yield url


def test_every_endpoint_answers_its_cli_contract(server: str) -> None:
    expected = {"/api/panes": "perth.pane_list.v1", "/api/panes/svc-a": "perth.pane.v1",
                "/api/panes/svc-a/timeline": "perth.timeline.v1", "/api/journal": "perth.journal.v1",
                "/api/snapshots": "perth.snapshot_list.v1", "/api/shellperf": "perth.shellperf.ledger.v1",
                "/api/jobs": "perth.job.list.v1", "/api/events": "perth.events.status.v1"}
    for path, schema in expected.items():
        status, headers, body = fetch(server + path)
        assert status == 200, (path, body)
        assert body["schema"] == schema, path
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
    assert {p["name"] for p in fetch(server + "/api/panes")[2]["panes"]} == {"svc-a", "svc-b", "svc-c"}


def test_timeline_interleaves_intents_and_commands_across_pages(server: str) -> None:
    seen: list[dict[str, Any]] = []
    cursor = ""
    while True:
        status, _h, body = fetch(f"{server}/api/panes/svc-a/timeline?limit=3{cursor}")
        assert status == 200, body
        assert body["count"] <= 3
        assert set(body) == {"schema", "pane", "items", "count", "next_cursor"}  # perth.timeline.v1 pinned
        assert all(set(item) == {"kind", "ts", "id", "entry", "command"} for item in body["items"])
        seen += body["items"]
        if not body["next_cursor"]:
            break
        cursor = f"&cursor={body['next_cursor']}"
    assert len(seen) == 9 and len({i["id"] for i in seen}) == 9
    assert [i["kind"] for i in seen].count("command") == 5
    stamps = [i["ts"] for i in seen]
    assert stamps == sorted(stamps, reverse=True)
    assert seen[0]["kind"] == "intent"  # logged after the commands, which started a minute ago


def test_pane_list_pages_with_cursor(server: str) -> None:
    first = fetch(server + "/api/panes?limit=2")[2]
    assert len(first["panes"]) == 2 and first["next_cursor"] == "2"
    second = fetch(f"{server}/api/panes?limit=2&cursor={first['next_cursor']}")[2]
    assert len(second["panes"]) == 1 and second["next_cursor"] is None


def test_errors_are_one_line_with_status(server: str) -> None:
    status, _h, body = fetch(server + "/api/panes/nope/timeline")
    assert status == 404 and body["error"].startswith("perth: error: ") and "\n" not in body["error"]
    status, _h, body = fetch(server + "/api/panes?limit=0")
    assert status == 400 and "limit" in body["error"]
    status, _h, body = fetch(server + "/api/panes/svc-a/timeline?cursor=garbage")
    assert status == 400


def test_health_openapi_and_writes_need_the_token(server: str, perth_home: Path) -> None:
    assert fetch(server + "/healthz")[:1] == (200,)
    assert fetch(server + "/readyz")[2] == {"status": "ready"}
    spec = fetch(server + "/openapi.json")[2]
    assert spec["openapi"].startswith("3.1") and "/api/panes/{name}/timeline" in spec["paths"]
    status, headers, _b = fetch(server + "/api/panes", method="POST")
    assert status == 401 and headers["www-authenticate"] == "Bearer"
    config = perth_home / "config.toml"
    token = next(line.split('"')[1] for line in config.read_text().splitlines() if "token" in line)
    assert os.stat(config).st_mode & 0o077 == 0
    assert fetch(server + "/api/panes", method="POST", token=token)[0] == 405  # no write there


def test_reads_need_the_token_beyond_loopback(perth_home: Path) -> None:
    proc, port = start_serve(perth_env(perth_home), "--host", "0.0.0.0")  # noqa: S104 - the point of the test
    try:
        url = f"http://127.0.0.1:{port}"
        assert fetch(url + "/api/panes")[0] == 401
        assert fetch(url + "/healthz")[0] == 200
        token = subprocess.run([__import__("sys").executable, "-m", "perth", "serve", "--print-token"],
                               env=perth_env(perth_home), capture_output=True, text=True, check=True).stdout.strip()
        assert fetch(url + "/api/panes", token=token)[0] == 200
        assert fetch(url + "/api/panes", token=token + "x")[0] == 401
    finally:
        stop(proc)


def test_missing_web_extra_is_a_one_line_error(cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = cli("serve", "--port", "0")
    assert result.code == 4
    assert result.err.strip().splitlines() == [result.err.strip()]
    assert "pip install 'perth[web]'" in result.err


def test_openapi_names_every_route_and_its_method() -> None:
    from perth.web.api import WRITES
    from perth.web.app import ROUTES
    from perth.web.openapi import openapi

    paths = openapi()["paths"]
    assert {p for p, ops in paths.items() if "get" in ops} == {*ROUTES, "/healthz", "/readyz", "/metrics"}
    assert {p for p, ops in paths.items() if "post" in ops} == set(WRITES)
    ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(ids) == len(set(ids))
