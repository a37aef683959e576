"""A multi-user store (``store.multi_user``) on a real shared PostgreSQL: three users on three homes.

alice (admin, team web) and bob (operator, team web) share a team; carol (viewer) is in none.  bob keeps a
private pane and shares another with the web team.  The tests prove that one user cannot read or change
another's private rows through the CLI, the HTTP API (``perth serve``) or MCP (``perth mcp --http``), that a
team member reads a shared pane but cannot change it, and that every command needs a token.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.mcp.client import http_client, result_json, start_perth, stop
from tests.store.adapters import pg_schema
from tests.web.test_api import fetch

pytestmark = pytest.mark.integration

BOB_PRIVATE = "bob private plan for the payroll cutover"
BOB_SHARED = "bob shared deploy checklist"
ALICE_PRIVATE = "alice private notes on the billing bug"


class Home:
    """One user's machine: their own PERTH_HOME, pointing at the shared store with their token."""

    def __init__(self, root: Path, url: str) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("PERTH_", "TMUX", "ZELLIJ"))}
        self.env.update(PERTH_HOME=str(root), HOME=str(root), PERTH_STORE__URL=url, PERTH_STORE__MULTI_USER="true")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "perth", *args], capture_output=True, text=True, env=self.env,
                              timeout=120, check=False)

    def ok(self, *args: str) -> Any:
        done = self.run(*args, "--format", "json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def sign_in(self, token: str) -> None:
        self.env["PERTH_STORE__TOKEN"] = token


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with pg_schema() as url:
        root = tmp_path_factory.mktemp("team")
        homes = {name: Home(root / name, url) for name in ("alice", "bob", "carol")}
        alice, bob = homes["alice"], homes["bob"]
        alice.ok("user", "add", "alice", "--role", "admin", "--team", "web")  # the set-up: no admin token yet
        alice.sign_in(alice.ok("token", "create", "alice")["secret"])
        for name, role, teams in (("bob", "operator", ["--team", "web"]), ("carol", "viewer", [])):
            alice.ok("user", "add", name, "--role", role, *teams)
            homes[name].sign_in(alice.ok("token", "create", name)["secret"])
        bob.ok("log", BOB_PRIVATE, "--pane", "api")
        bob.ok("log", BOB_SHARED, "--pane", "deploy")
        bob.ok("pane", "share", "deploy", "web")
        alice.ok("log", ALICE_PRIVATE, "--pane", "api")  # the same name as bob's: names are per owner
        panes = {p["owner"] + "/" + p["name"]: p["id"] for p in bob.ok("pane", "list")["panes"]}
        yield {"homes": homes, "url": url, "bob_api": panes["bob/api"], "bob_deploy": panes["bob/deploy"]}


def _panes(home: Home) -> list[str]:
    return sorted(f"{p['owner']}/{p['name']}" for p in home.ok("pane", "list")["panes"])


def _summaries(home: Home, *args: str) -> list[str]:
    return [e["summary"] for e in home.ok("history", *args)["entries"]]


def test_the_cli_shows_each_user_their_panes_and_their_teams_shared_ones(team: dict[str, Any]) -> None:
    alice, bob, carol = (team["homes"][n] for n in ("alice", "bob", "carol"))
    assert _panes(alice) == ["alice/api", "bob/deploy"]
    assert _panes(bob) == ["bob/api", "bob/deploy"]
    assert _panes(carol) == []
    listed = alice.run("pane", "list").stdout
    assert "OWNER" in listed and "bob (web)" in listed
    assert sorted(_summaries(alice)) == [ALICE_PRIVATE, BOB_SHARED]
    assert _summaries(alice, "--pane", "deploy") == [BOB_SHARED]
    assert _summaries(alice, "--pane", "api") == [ALICE_PRIVATE]  # her own "api", not bob's
    assert _summaries(carol) == []


def test_the_cli_cannot_read_or_change_another_users_private_rows(team: dict[str, Any]) -> None:
    alice, carol = team["homes"]["alice"], team["homes"]["carol"]
    for home in (alice, carol):
        shown = home.run("pane", "show", team["bob_api"])
        assert shown.returncode == 3 and BOB_PRIVATE not in shown.stdout + shown.stderr
        renamed = home.run("pane", "rename", team["bob_api"], "mine-now")
        assert renamed.returncode == 3
        found = home.ok("search", "payroll cutover")
        assert BOB_PRIVATE not in json.dumps(found)
    shared = carol.run("pane", "show", team["bob_deploy"])  # not in the web team
    assert shared.returncode == 3
    assert BOB_PRIVATE in json.dumps(team["homes"]["bob"].ok("search", "payroll cutover"))  # bob finds his own


def test_a_team_member_reads_a_shared_pane_but_only_its_owner_changes_it(team: dict[str, Any]) -> None:
    alice, bob = team["homes"]["alice"], team["homes"]["bob"]
    assert alice.ok("pane", "show", "deploy")["pane"]["owner"] == "bob"
    for args in (("log", "alice was here", "--pane", "deploy"), ("pane", "rename", "deploy", "taken"),
                 ("pane", "unshare", "deploy"), ("pane", "tag", "deploy", "mine")):
        refused = alice.run(*args)
        assert refused.returncode == 1, args
        assert "belongs to bob" in refused.stderr and "only its owner changes it" in refused.stderr
    entry_id = bob.ok("history", "--pane", "deploy")["entries"][0]["id"]
    edit = alice.run("entry", "edit", entry_id, "--summary", "rewritten by alice")
    assert edit.returncode == 1 and "belongs to bob" in edit.stderr
    assert _summaries(bob, "--pane", "deploy") == [BOB_SHARED]


def test_every_command_needs_a_live_token_and_users_are_managed_by_admins(team: dict[str, Any]) -> None:
    anonymous = Home(Path(team["homes"]["carol"].env["PERTH_HOME"]).parent / "anonymous", team["url"])
    refused = anonymous.run("pane", "list")
    assert refused.returncode == 1 and "set store.token" in refused.stderr
    anonymous.sign_in("perth_000000000000_not-a-token")
    assert "not a live token" in anonymous.run("history").stderr
    carol = team["homes"]["carol"]
    denied = carol.run("user", "add", "mallory", "--role", "admin")
    assert denied.returncode == 1 and "needs an admin" in denied.stderr
    denied = carol.run("user", "join", "carol", "web")
    assert denied.returncode == 1 and "needs an admin" in denied.stderr
    assert team["homes"]["alice"].ok("user", "list")["users"][0]["teams"] == ["web"]


def test_the_http_api_answers_each_token_with_what_its_user_may_read(team: dict[str, Any]) -> None:
    homes = team["homes"]
    tokens = {name: home.env["PERTH_STORE__TOKEN"] for name, home in homes.items()}
    server_env = {k: v for k, v in homes["alice"].env.items() if k != "PERTH_STORE__TOKEN"}
    proc, port = start_perth(server_env, "serve")
    try:
        base = f"http://127.0.0.1:{port}"
        assert fetch(f"{base}/api/panes")[0] == 401  # a multi-user store: every read is signed
        for name, expected in (("alice", ["alice/api", "bob/deploy"]), ("carol", [])):
            status, _headers, body = fetch(f"{base}/api/panes", token=tokens[name])
            assert status == 200
            assert sorted(f"{p['owner']}/{p['name']}" for p in body["panes"]) == expected
        for name in ("alice", "carol"):
            status, _headers, body = fetch(f"{base}/api/panes/{team['bob_api']}/timeline", token=tokens[name])
            assert status == 404 and BOB_PRIVATE not in json.dumps(body)
            status, _headers, body = fetch(f"{base}/api/search?q=payroll", token=tokens[name])
            assert status == 200 and BOB_PRIVATE not in json.dumps(body)
        status, _headers, body = fetch(f"{base}/api/panes/{team['bob_deploy']}/timeline", token=tokens["alice"])
        assert status == 200 and BOB_SHARED in json.dumps(body)
        status, _headers, body = fetch(f"{base}/api/panes/{team['bob_api']}", token=tokens["bob"])
        assert status == 200 and BOB_PRIVATE in json.dumps(body)
    finally:
        stop(proc)


def test_mcp_answers_each_token_with_what_its_user_may_read_and_change(team: dict[str, Any]) -> None:
    homes = team["homes"]
    tokens = {name: home.env["PERTH_STORE__TOKEN"] for name, home in homes.items()}
    server_env = {k: v for k, v in homes["alice"].env.items() if k != "PERTH_STORE__TOKEN"}
    proc, port = start_perth(server_env, "mcp", "--http")
    url = f"http://127.0.0.1:{port}/mcp"

    async def session(name: str) -> dict[str, Any]:
        async with http_client(url, tokens[name]) as client:
            panes = result_json(await client.call_tool("list_panes", {}))
            private = await client.call_tool("pane_status", {"pane": team["bob_api"]})
            found = result_json(await client.call_tool("search_memory", {"query": "payroll cutover"}))
            write = await client.call_tool("log_intent", {"summary": f"{name} writes", "pane": "deploy"})
            return {"panes": sorted(f"{p['owner']}/{p['name']}" for p in panes["panes"]),
                    "private": private, "found": json.dumps(found), "write": write}

    try:
        alice, carol, bob = (asyncio.run(session(name)) for name in ("alice", "carol", "bob"))
    finally:
        stop(proc)
    assert alice["panes"] == ["alice/api", "bob/deploy"] and carol["panes"] == []
    assert bob["panes"] == ["bob/api", "bob/deploy"]
    for seen in (alice, carol):
        assert seen["private"].is_error and BOB_PRIVATE not in str(seen["private"].content)
        assert BOB_PRIVATE not in seen["found"]
    assert alice["write"].is_error and "belongs to bob" in str(alice["write"].content)  # shared: read-only
    assert result_json(carol["write"])["entry"]["owner"] == "carol"  # bob's "deploy" is not hers: a pane of her own
    assert BOB_PRIVATE in bob["found"] and not bob["write"].is_error
    assert sorted(_summaries(homes["bob"], "--pane", "deploy")) == [BOB_SHARED, "bob writes"]
    assert _panes(homes["carol"]) == ["carol/deploy"]


def test_a_redis_store_refuses_to_be_multi_user(tmp_path: Path) -> None:
    from tests.store.adapters import redis_prefix

    with redis_prefix() as url:
        home = Home(tmp_path / "redis-home", url)
        home.sign_in("perth_000000000000_whatever")
        refused = home.run("pane", "list")
        assert refused.returncode == 1
        assert "store.multi_user is set on a redis store" in refused.stderr
        assert refused.stderr.count("\n") == 1  # one line, no traceback


def test_an_owner_who_left_a_team_still_writes_to_the_pane_shared_with_it(tmp_path: Path) -> None:
    """Sharing is checked when it changes: leaving a team does not lock its owner out of their pane."""
    home = Home(tmp_path / "solo", "")
    home.env.pop("PERTH_STORE__URL")
    home.ok("user", "add", "dana", "--role", "admin", "--team", "ops")
    home.sign_in(home.ok("token", "create", "dana")["secret"])
    home.ok("log", "first", "--pane", "runbook")
    home.ok("pane", "share", "runbook", "ops")
    home.ok("user", "leave", "dana", "ops")
    home.sign_in(home.ok("token", "create", "dana")["secret"])  # a token read after the change
    home.ok("log", "second", "--pane", "runbook")
    assert _summaries(home, "--pane", "runbook") == ["second", "first"]
    refused = home.run("pane", "share", "runbook", "sre")  # a new team must still be one of hers
    assert refused.returncode == 1 and "is not in the team 'sre'" in refused.stderr


def test_the_scoped_panes_never_hand_out_another_users_private_pane_by_name(tmp_path: Path) -> None:
    """Even asked for a named owner's pane, the view returns only what its user may read."""
    from perth.records import Visibility
    from perth.store.scoped import ScopedStore
    from perth.store.sqlite import SQLiteStore
    from tests.store.contract.builders import make_pane

    store = SQLiteStore(tmp_path / "team.db")
    store.panes.add(make_pane("api", owner="bob"))
    shared = make_pane("docs", at=2_000, owner="bob", team="web")
    store.panes.add(shared)
    alice = ScopedStore(store, Visibility(user="alice", teams=("web",)))
    assert alice.panes.get(name="api", owner="bob") is None
    assert alice.panes.get(name="api") is None
    assert alice.panes.get(name="docs", owner="bob") == shared
    assert alice.panes.get(name="docs", owner="alice") is None
    store.close()


def test_a_users_search_follows_panes_shared_with_and_taken_from_their_teams(tmp_path: Path) -> None:
    """The local search index holds only what its user may read: a pane shared with their team appears in
    their next search, and one unshared (or a team they leave) disappears from it, without a reindex."""
    with pg_schema() as url:
        erin, finn = Home(tmp_path / "erin", url), Home(tmp_path / "finn", url)
        erin.ok("user", "add", "erin", "--role", "admin", "--team", "sre")
        erin.sign_in(erin.ok("token", "create", "erin")["secret"])
        erin.ok("user", "add", "finn", "--role", "operator", "--team", "sre")
        finn.sign_in(erin.ok("token", "create", "finn")["secret"])
        finn.ok("log", "finn rotation schedule for the pager", "--pane", "oncall")

        def erin_finds() -> bool:
            return "finn rotation schedule" in json.dumps(erin.ok("search", "rotation schedule"))

        assert not erin_finds()  # her index is built without finn's private pane
        finn.ok("pane", "share", "oncall", "sre")
        assert erin_finds()
        finn.ok("pane", "unshare", "oncall")
        assert not erin_finds()
        finn.ok("pane", "share", "oncall", "sre")
        assert erin_finds()
        erin.ok("user", "leave", "erin", "sre")
        erin.sign_in(erin.ok("token", "create", "erin")["secret"])  # a token read after the change
        assert not erin_finds()
        assert "finn rotation schedule" in json.dumps(finn.ok("search", "rotation schedule"))  # finn still finds it
