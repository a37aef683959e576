"""``perth mcp`` driven by the SDK's own client: every tool, paging, resources, errors, HTTP and its token."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest

from mcp import Client
from tests.mcp.client import http_client, result_json, start_http, stdio_client, stop
from tests.search.conftest import add_commands, make_rt

pytestmark = pytest.mark.integration
TOOLS = {"log_intent", "search_memory", "list_panes", "pane_status", "pane_context", "journal", "handoff",
         "shellperf_summary", "code_find", "code_context", "code_calls", "code_impact", "code_map", "code_list_repos",
         "code_add_repo", "code_reindex"}
REPO = {"shop/orders.py": 'def load_order(order_id):\n    """Read one order."""\n    return {"id": order_id}\n\n\n'
                          'def ship_order(order_id):\n    return load_order(order_id)\n',
        "tests/test_orders.py": "from shop.orders import ship_order\n\n\ndef test_ship():\n    ship_order(1)\n"}


def seed(cli: Callable[..., Any], root: Path) -> None:
    for rel, text in REPO.items():
        (root / "shop" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "shop" / rel).write_text(text)
    (root / "tools").mkdir()
    (root / "tools" / "deploy.py").write_text('def rollout(service):\n    """Restart the pods of a service."""\n')
    assert cli("code", "add", str(root / "shop")).code == 0
    for i in range(3):
        assert cli("pane", "create", f"svc-{i}").code == 0
    assert cli("log", "decided to shard the orders table", "--pane", "svc-0", "--type", "decision").code == 0
    assert cli("log", "sketched the orders schema", "--pane", "svc-2", "--at", "3d").code == 0  # an older session
    add_commands(make_rt(), [f"psql -c 'select {i} from orders'" for i in range(7)])


async def exercise(client: Client, root: Path) -> dict[str, Any]:
    """Call every tool once with good arguments; returns the answers by tool."""
    listed = await client.list_tools()
    assert {t.name for t in listed.tools} == TOOLS
    return {
        "log_intent": result_json(await client.call_tool("log_intent", {
            "summary": "agent checked the orders shards", "pane": "svc-1", "type": "milestone", "tags": ["db"]})),
        "search_memory": result_json(await client.call_tool("search_memory", {"query": "orders", "limit": 50})),
        "list_panes": result_json(await client.call_tool("list_panes", {})),
        "pane_status": result_json(await client.call_tool("pane_status", {"pane": "svc-0"})),
        "pane_context": result_json(await client.call_tool("pane_context", {"pane": "svc-0"})),
        "journal": result_json(await client.call_tool("journal", {"last": 3})),
        "handoff": result_json(await client.call_tool("handoff", {"pane": "svc-0"})),
        "shellperf_summary": result_json(await client.call_tool("shellperf_summary", {})),
        "code_find": result_json(await client.call_tool("code_find", {"name": "*_order", "repo": "shop"})),
        "code_context": result_json(await client.call_tool("code_context", {"symbol": "load_order", "repo": "shop"})),
        "code_calls": result_json(await client.call_tool("code_calls", {"symbol": "load_order", "repo": "shop"})),
        "code_impact": result_json(await client.call_tool("code_impact", {"target": "shop/orders.py",
                                                                           "repo": "shop"})),
        "code_map": result_json(await client.call_tool("code_map", {"repo": "shop", "tokens": 200})),
        "code_add_repo": result_json(await client.call_tool("code_add_repo", {"path": str(root / "tools"),
                                                                               "name": "ops-tools"})),
        "code_list_repos": result_json(await client.call_tool("code_list_repos", {})),
        "code_reindex": result_json(await client.call_tool("code_reindex", {"repo": "shop", "full": True})),
        "search_code": result_json(await client.call_tool("search_memory", {"query": "order", "kinds": ["code"],
                                                                             "repo": "shop"})),
        "search_new_repo": result_json(await client.call_tool("search_memory", {"query": "pods restart"})),
    }


def check_answers(answers: dict[str, Any]) -> None:
    assert answers["log_intent"]["entry"]["source"] == "agent"
    assert answers["log_intent"]["entry"]["agent"] == "mcp"
    found = answers["search_memory"]
    assert found["schema"] == "perth.search.v1"
    assert {r["kind"] for r in found["results"]} >= {"command", "intent"}
    assert found["results"][0]["snippet"].count("**orders**") >= 1
    assert answers["list_panes"]["schema"] == "perth.pane_list.v1"
    assert answers["pane_status"]["schema"] == "perth.status.v1"
    assert answers["pane_context"]["schema"] == "perth.context.v1"
    assert answers["journal"]["schema"] == "perth.journal.v1"
    assert answers["handoff"]["schema"] == "perth.handoff.v1"
    assert answers["shellperf_summary"]["schema"] == "perth.shellperf.ledger.v1"
    assert answers["code_find"]["schema"] == "perth.code.find.v1"
    assert {s["name"] for s in answers["code_find"]["symbols"]} == {"load_order", "ship_order"}
    context = answers["code_context"]
    assert context["symbol"]["doc"] == "Read one order." and context["symbol"]["path"] == "shop/orders.py"
    assert [c["caller"] for c in context["callers"]] == ["orders.ship_order"]
    assert answers["code_calls"]["schema"] == "perth.code.callers.v1"
    assert [(c["caller"], c["confidence"]) for c in answers["code_calls"]["calls"]] == [("orders.ship_order", "exact")]
    assert answers["code_impact"]["files"] == ["shop/orders.py"]
    assert "orders.load_order" in answers["code_impact"]["seeds"]
    code_map = answers["code_map"]
    assert code_map["tokens"] <= code_map["budget"] == 200
    assert code_map["files"][0]["path"] == "shop/orders.py"
    added = answers["code_add_repo"]
    assert added["schema"] == "perth.code.repo.v1" and added["repo"]["name"] == "ops-tools"
    assert added["repo"]["state"] == "fresh" and added["repo"]["symbols"] == 2
    repos = answers["code_list_repos"]
    assert repos["schema"] == "perth.code.repos.v1" and [r["name"] for r in repos["repos"]] == ["ops-tools", "shop"]
    assert repos["next_cursor"] is None
    reindexed = answers["code_reindex"]
    assert reindexed["schema"] == "perth.code.reindex.v1"
    assert [(r["repo"], r["full"], r["parsed"]) for r in reindexed["reports"]] == [("shop", True, 2)]
    code_hits = answers["search_code"]["results"]
    assert code_hits and {r["kind"] for r in code_hits} == {"code"} and all(r["id"].startswith("shop:") for r in code_hits)
    assert "shop:shop/orders.py:1:orders.load_order" in [r["id"] for r in code_hits]
    assert answers["search_new_repo"]["results"][0]["id"].startswith("ops-tools:deploy.py:1:deploy.rollout"), \
        "a repository added over MCP is searchable at once"


async def check_paging(client: Client) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        args: dict[str, Any] = {"query": "orders", "kinds": ["command"], "limit": 3}
        if cursor:
            args["cursor"] = cursor
        page = result_json(await client.call_tool("search_memory", args))
        seen += [r["id"] for r in page["results"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 7 == len(set(seen))
    first = result_json(await client.call_tool("list_panes", {"limit": 2}))
    rest = result_json(await client.call_tool("list_panes", {"limit": 2, "cursor": first["next_cursor"]}))
    names = [p["name"] for p in first["panes"] + rest["panes"]]
    assert len(set(names)) == len(names) >= 3
    everything = result_json(await client.call_tool("code_find", {"name": "*", "repo": "shop", "limit": 100}))
    symbols, cursor = [], None
    while True:
        args = {"name": "*", "repo": "shop", "limit": 2, **({"cursor": cursor} if cursor else {})}
        found = result_json(await client.call_tool("code_find", args))
        symbols += [s["qualname"] for s in found["symbols"]]
        cursor = found["next_cursor"]
        if cursor is None:
            break
    assert symbols == [s["qualname"] for s in everything["symbols"]] and len(symbols) >= 5
    first_repo = result_json(await client.call_tool("code_list_repos", {"limit": 1}))
    second_repo = result_json(await client.call_tool("code_list_repos", {"limit": 1, "cursor": first_repo["next_cursor"]}))
    assert [r["name"] for r in first_repo["repos"] + second_repo["repos"]] == ["ops-tools", "shop"]
    assert second_repo["next_cursor"] is None
    every_session = [x["id"] for x in result_json(await client.call_tool("journal", {"last": 50}))["sessions"]]
    sessions, cursor = [], None
    while True:
        found = result_json(await client.call_tool("journal", {"last": 1, **({"cursor": cursor} if cursor else {})}))
        assert found["count"] == 1
        sessions += [x["id"] for x in found["sessions"]]
        cursor = found["next_cursor"]
        if cursor is None:
            break
    assert sessions == every_session and len(sessions) >= 2
    ledger = result_json(await client.call_tool("shellperf_summary", {"limit": 1}))
    assert ledger["schema"] == "perth.shellperf.ledger.v1" and ledger["next_cursor"] is None


async def check_errors(client: Client, root: Path) -> None:
    for tool, args, message in (
            ("pane_status", {"pane": "ghost"}, "no pane named 'ghost'"),
            ("pane_context", {"pane": "ghost"}, "no pane named 'ghost'"),
            ("handoff", {"pane": "ghost"}, "ghost"),
            ("journal", {"pane": "ghost"}, "ghost"),
            ("search_memory", {"query": "x", "kinds": ["nope"]}, "unknown kind 'nope'"),
            ("search_memory", {"query": "x", "cursor": "zz"}, "bad cursor"),
            ("search_memory", {"query": ""}, "the search text is empty"),
            ("search_memory", {"query": 5}, "valid string"),
            ("log_intent", {"summary": "x", "type": "weird"}, "weird"),
            ("list_panes", {"cursor": "-1"}, "bad cursor"),
            ("code_find", {"name": "x", "repo": "ghost"}, "ghost"),
            ("code_context", {"symbol": "no_such_symbol", "repo": "shop"}, "no_such_symbol"),
            ("code_calls", {"symbol": "load_order", "direction": "sideways", "repo": "shop"}, "callers or callees"),
            ("code_reindex", {"repo": "ghost"}, "no repository named 'ghost'"),
            ("code_add_repo", {"path": "/no/such/folder"}, "no folder at /no/such/folder"),
            ("code_add_repo", {"path": str(root / "shop")}, "already registered"),
            ("code_list_repos", {"cursor": "x"}, "bad cursor"),
            ("code_find", {"name": "*", "repo": "shop", "cursor": "x"}, "bad cursor"),
            ("search_memory", {"query": "order", "repo": "ghost"}, "no repository named 'ghost'"),
            ("journal", {"cursor": "later"}, "bad cursor"),
            ("shellperf_summary", {"cursor": "-2"}, "bad cursor")):
        result = await client.call_tool(tool, args)
        assert result.is_error, (tool, args)
        assert message in result.content[0].text, (tool, result.content[0].text)


async def check_resources(client: Client) -> None:
    listed = await client.list_resources()
    assert "perth://panes" in {str(r.uri) for r in listed.resources}
    templates = await client.list_resource_templates()
    assert {t.uri_template for t in templates.resource_templates} == {"perth://panes/{name}",
                                                                       "perth://journal/{name}"}
    pane = json.loads((await client.read_resource("perth://panes/svc-0")).contents[0].text)
    assert pane["pane"]["name"] == "svc-0" and pane["recent_entries"][0]["type"] == "decision"
    panes = json.loads((await client.read_resource("perth://panes")).contents[0].text)
    assert panes["count"] >= 3
    journal = (await client.read_resource("perth://journal/all")).contents[0].text
    assert "shard the orders table" in journal
    with pytest.raises(Exception, match="ghost"):
        await client.read_resource("perth://panes/ghost")


def test_stdio_every_tool_paging_resources_and_errors(cli: Callable[..., Any], tmp_path: Path) -> None:
    seed(cli, tmp_path)

    async def main() -> None:
        async with stdio_client(dict(os.environ)) as client:
            check_answers(await exercise(client, tmp_path))
            await check_paging(client)
            await check_errors(client, tmp_path)
            await check_resources(client)

    anyio.run(main)


def _status(url: str, headers: dict[str, str]) -> tuple[int, bytes]:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    response = httpx2.post(url, json=body, timeout=10, headers={
        "Accept": "application/json, text/event-stream", **headers})
    return response.status_code, response.content


def test_http_needs_the_bearer_token_and_serves_every_tool(cli: Callable[..., Any], perth_home: Path,
                                                           perth_proc: Callable[..., Any], tmp_path: Path) -> None:
    seed(cli, tmp_path)
    printed = perth_proc("mcp", "--print-token")
    assert printed.returncode == 0
    token = printed.stdout.strip()
    config = perth_home / "config.toml"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert token in config.read_text() and len(token) >= 40
    assert perth_proc("mcp", "--print-token").stdout.strip() == token, "generated once, then reused"
    server, port = start_http(dict(os.environ))
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": token},
                        {"Authorization": f"Basic {token}"}):
            assert _status(url, headers) == (401, b""), headers
        assert _status(f"http://127.0.0.1:{port}/other", {}) == (401, b"")
        assert cli("user", "add", "mia", "--role", "viewer").code == 0
        user_token = json.loads(cli("token", "create", "mia", "--format", "json").out)["secret"]
        assert _status(url, {"Authorization": f"Bearer {user_token}"})[0] != 401  # a user's token reads too
        assert cli("token", "revoke", user_token).code == 0
        assert _status(url, {"Authorization": f"Bearer {user_token}"}) == (401, b"")

        async def main() -> None:
            async with http_client(url, token) as client:
                check_answers(await exercise(client, tmp_path))
                await check_paging(client)
                await check_errors(client, tmp_path)
            with pytest.raises(Exception):  # noqa: B017, PT011 - the SDK reports the 401 as its own error
                async with http_client(url, "wrong") as client:
                    await client.list_tools()

        anyio.run(main)
    finally:
        _out, err = stop(server)
    assert token not in err


def test_missing_extra_is_a_clean_error(perth_proc: Callable[..., Any], tmp_path: Path) -> None:
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "mcp").mkdir()
    (blocker / "mcp" / "__init__.py").write_text("raise ImportError('blocked for the test')\n")
    done = perth_proc("mcp", env={"PYTHONPATH": str(blocker)})
    assert done.returncode == 4
    assert done.stderr.strip() == ("perth: error: the MCP server needs the official MCP SDK (the [mcp] extra)"
                                   " — pip install 'perth[mcp]'")
