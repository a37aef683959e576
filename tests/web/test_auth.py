"""Users, roles and tokens against a real ``perth serve``: who may approve a workflow step, retry a job,
retry or drop a dead-lettered event; revoked tokens, the sign-in cookie, CSRF and cross-site refusals."""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import workflow_at_gate
from tests.web.test_api import fetch, serving

pytestmark = pytest.mark.integration


def post(url: str, body: dict[str, str] | None = None, *, token: str | None = None, form: bool = False,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """POST JSON (or a form); redirects are not followed."""
    data = urllib.parse.urlencode(body or {}).encode() if form else json.dumps(body or {}).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={  # noqa: S310 - 127.0.0.1 only
        "content-type": "application/x-www-form-urlencoded" if form else "application/json", **(headers or {})})
    if token:
        request.add_header("Authorization", f"Bearer {token}")

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_args: Any) -> None:
            return None

    try:
        with urllib.request.build_opener(Stay).open(request, timeout=30) as answer:
            raw = answer.read()
            return answer.status, dict(answer.headers), json.loads(raw) if raw[:1] == b"{" else raw.decode()
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        return exc.code, dict(exc.headers), json.loads(raw) if raw[:1] == b"{" else raw.decode()


def wait_for(cli: Callable[..., Any], run_id: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        run: dict[str, Any] = json.loads(cli("workflow", "show", run_id, "--format", "json").out)["run"]
        if check(run) or time.monotonic() > deadline:
            return run
        time.sleep(0.1)


def token_for(cli: Callable[..., Any], name: str, role: str) -> str:
    assert cli("user", "add", name, "--role", role).code == 0
    created = cli("token", "create", name, "--format", "json")
    assert created.code == 0, created.err
    return str(json.loads(created.out)["secret"])


@pytest.fixture
def team(perth_home: Path, cli: Callable[..., Any], tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Four users (one per role), a run waiting at an approval gate, a failed job, a dead-lettered event."""

    tokens = {role: token_for(cli, f"{role}-user", role) for role in ("viewer", "operator", "approver", "admin")}
    run_id = workflow_at_gate(cli, tmp_path)
    assert cli("job", "run", "fake", "--wait", "--", "exit:3").code != 0
    job_id = json.loads(cli("job", "list", "--format", "json").out)["jobs"][0]["id"]
    assert cli("log", "an event for the dead-letter queue", "--pane", "p").code == 0
    assert cli("config", "set", "events.redis_stream", f"perth-test-{secrets.token_hex(6)}").code == 0
    from tests.search.conftest import make_rt

    rt = make_rt()
    events = rt.store.outbox.after(0, 10)
    for event in events[:2]:
        rt.store.outbox.bury("redis", event, 5, "refused by the broker", rt.clock())
    rt.close()
    try:
        with serving(perth_home) as url:
            yield {"url": url, "tokens": tokens, "run": run_id, "job": job_id,
                   "events": [e.id for e in events[:2]], "shipped": tmp_path / "shipped"}
    finally:
        cli("workflow", "cancel", run_id)


def test_approving_a_step_needs_the_approver_role_and_four_eyes_binds_the_owner(
        team: dict[str, Any], cli: Callable[..., Any]) -> None:
    url, tokens, run_id = team["url"], team["tokens"], team["run"]
    approve = f"{url}/api/workflows/{run_id}/steps/ship/approve"
    assert post(approve)[0] == 401
    for role in ("viewer", "operator"):
        status, _h, body = post(approve, token=tokens[role])
        assert status == 403 and f"is a {role}" in body["error"], body
    from perth.workflows.service import local_user

    owner_token = cli("serve", "--print-token").out.strip()
    status, _h, body = post(approve, token=owner_token)  # the owner's token: the local user, an admin
    assert status == 409 and "four eyes" in body["error"] and local_user() in body["error"]
    assert post(approve, {"note": "release 1.2"}, token=tokens["admin"])[0] == 409  # not in the approver list
    status, _h, body = post(approve, {"note": "release 1.2"}, token=tokens["approver"])
    assert status == 200, body
    assert (body["schema"], body["decision"], body["decided_by"], body["note"]) == (
        "perth.workflow.decision.v1", "approved", "approver-user", "release 1.2")
    run = wait_for(cli, run_id, lambda r: r["status"] != "running")
    assert run["status"] == "succeeded" and team["shipped"].exists()
    assert post(approve, token=tokens["approver"])[0] == 409  # decided already


def test_retrying_jobs_and_dead_letters_needs_the_operator_role(team: dict[str, Any]) -> None:
    url, tokens = team["url"], team["tokens"]
    retry = f"{url}/api/jobs/{team['job']}/retry"
    assert post(retry, token=tokens["viewer"])[0] == 403
    assert post(retry, token=tokens["approver"])[0] == 403
    status, _h, body = post(retry, token=tokens["operator"])
    assert status == 200 and body["schema"] == "perth.job.v1" and body["job"]["status"] == "queued"
    first, second = team["events"]
    drop = f"{url}/api/events/dead/redis/{first}/drop"
    assert post(drop, token=tokens["viewer"])[0] == 403
    status, _h, body = post(drop, token=tokens["operator"])
    assert status == 200 and [d["id"] for d in body["changed"]] == [first], body
    assert post(drop, token=tokens["operator"])[0] == 404
    status, _h, body = post(f"{url}/api/events/dead/redis/{second}/retry", token=tokens["admin"])
    assert status == 200 and [d["id"] for d in body["changed"]] == [second], body  # published to the real Redis
    assert fetch(url + "/api/events/dead")[2]["dead_letters"] == []


def test_revoked_tokens_bad_bodies_and_unknown_routes(team: dict[str, Any], cli: Callable[..., Any]) -> None:
    url, tokens = team["url"], team["tokens"]
    retry = f"{url}/api/jobs/{team['job']}/retry"
    token_id = tokens["operator"].split("_")[1]
    assert cli("token", "revoke", token_id).code == 0
    assert post(retry, token=tokens["operator"])[0] == 401
    request = urllib.request.Request(retry, data=b"[1, 2]", method="POST",  # noqa: S310 - 127.0.0.1 only
                                     headers={"content-type": "application/json",
                                              "Authorization": f"Bearer {tokens['admin']}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310 - 127.0.0.1 only
    assert refused.value.code == 400
    assert post(f"{url}/api/jobs/nope/retry", token=tokens["admin"])[0] == 404


def test_forms_need_the_sign_in_cookie_and_its_csrf_token(team: dict[str, Any]) -> None:
    url, tokens, run_id = team["url"], team["tokens"], team["run"]
    status, headers, _b = post(url + "/login", {"token": "perth_" + "0" * 12 + "_nope", "next": "/"}, form=True)
    assert status == 401
    status, headers, _b = post(url + "/login", {"token": tokens["approver"], "next": f"/workflows/{run_id}"},
                               form=True)
    assert status == 303 and headers["location"] == f"/workflows/{run_id}"
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    jar = cookie.split(";")[0]
    request = urllib.request.Request(f"{url}/workflows/{run_id}", headers={"cookie": jar})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - 127.0.0.1 only
        page = answer.read().decode()
    assert "approver-user (approver)" in page and 'id="approve-ship"' in page
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    action = f"{url}/api/workflows/{run_id}/steps/ship/reject"
    assert post(action, {"next": "/"}, form=True, headers={"cookie": jar})[0] == 403  # no CSRF token
    assert post(action, {"next": "/", "csrf": "0" * 40}, form=True, headers={"cookie": jar})[0] == 403
    assert post(action, {"csrf": csrf}, form=True, headers={"cookie": jar, "origin": "http://evil.example"})[0] == 403
    status, headers, _b = post(action, {"csrf": csrf, "next": "//evil.example/", "note": "not today"}, form=True,
                               headers={"cookie": jar})
    assert status == 303 and headers["location"] == "/"  # never sent off-site
    assert fetch(f"{url}/api/workflows/{run_id}")[2]["run"]["steps"][1]["approval"]["decision"] == "rejected"


def test_the_dashboard_shows_buttons_by_role(team: dict[str, Any]) -> None:
    url, tokens = team["url"], team["tokens"]

    def page(path: str, token: str) -> str:
        request = urllib.request.Request(url + path, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - 127.0.0.1 only
            return str(answer.read().decode())

    assert 'id="approve-ship"' not in page(f"/workflows/{team['run']}", tokens["viewer"])
    assert "viewers cannot approve" in page(f"/workflows/{team['run']}", tokens["viewer"])
    jobs = page("/jobs", tokens["operator"])
    assert 'id="retry-' in jobs and "Retry" in jobs
    events = page("/events", tokens["operator"])
    assert events.count('id="drop-') == 2 and "refused by the broker" in events
    assert 'id="retry-' not in page("/events", tokens["approver"])
