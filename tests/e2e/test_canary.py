"""The canary: fake secrets pushed through every entry point appear nowhere afterwards.

Each entry point is a function registered with ``@entry_point``; it drives Perth (CLI
arguments, stdin, imported files, configuration) with the canary secrets.  The test then
searches, byte for byte, every file Perth wrote (the SQLite file, its WAL and shared memory,
log files, exports) and every byte any command printed.

Later capabilities add their entry points here (shell capture, snapshots, LLM requests, events,
...) and, when they write somewhere new, add that place to ``_written_files``.
"""

from __future__ import annotations

import json
import os
import random
import string
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

EntryPoint = Callable[["Canary"], None]
ENTRY_POINTS: list[EntryPoint] = []


def entry_point(func: EntryPoint) -> EntryPoint:
    """Register a way secrets can enter Perth."""
    ENTRY_POINTS.append(func)
    return func


def _random(alphabet: str, length: int, rng: random.Random) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def make_secrets(seed: int = 20261123) -> dict[str, str]:
    """Fake credentials of several kinds, of the right shape, fresh for each run."""
    rng = random.Random(seed)
    alnum = string.ascii_letters + string.digits
    upper = string.ascii_uppercase + string.digits
    body = _random(alnum, 24, rng)
    return {
        "github-pat": "ghp_" + _random(alnum, 36, rng),
        "aws-access-key-id": "AKIA" + _random(upper, 16, rng),
        "slack-bot-token": f"xoxb-{_random(string.digits, 12, rng)}-{_random(string.digits, 12, rng)}-"
                           + _random(alnum, 24, rng),
        "stripe-live": "sk_live_" + _random(alnum, 32, rng),
        "url-password": "Pw" + _random(alnum, 18, rng),
        "env-token": _random(alnum, 40, rng),
        "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI" + body + "In0." + _random(alnum + "-_", 43, rng),
        "pem-body": _random(alnum + "+/", 64, rng),
    }


class Canary:
    """Runs Perth as a real process and keeps everything it printed."""

    def __init__(self, home: Path, workdir: Path, secrets: dict[str, str]) -> None:
        self.home = home
        self.workdir = workdir
        self.secrets = secrets
        self.outputs: list[str] = []
        self.extra_files: list[Path] = []

    @property
    def env(self) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("PERTH_", "TMUX", "ZELLIJ"))}
        return {**clean, "PERTH_HOME": str(self.home), "PERTH_LOG__FILE": "perth.log",
                "PERTH_LOG__LEVEL": "debug"}

    def perth(self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> int:
        done = subprocess.run([sys.executable, "-m", "perth", *args], input=stdin, capture_output=True,
                              text=True, env={**self.env, **(env or {})}, cwd=self.workdir, check=False,
                              timeout=120)
        self.outputs += [done.stdout, done.stderr]
        return done.returncode

    @property
    def pem(self) -> str:
        body = self.secrets["pem-body"]
        return f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n{body[::-1]}\n-----END RSA PRIVATE KEY-----"

    def sentence(self) -> str:
        s = self.secrets
        return (f"export GITHUB_TOKEN={s['github-pat']} then AWS {s['aws-access-key-id']} and "
                f"slack {s['slack-bot-token']} stripe {s['stripe-live']} "
                f"psql postgres://app:{s['url-password']}@db.internal/prod "
                f"API_TOKEN={s['env-token']} Authorization: Bearer {s['jwt']}")


@entry_point
def cli_arguments(c: Canary) -> None:
    sentence = c.sentence()
    assert c.perth("log", sentence, "--pane", "canary", "--goal-delta", sentence, "--command", sentence,
                   "--artifact", f"https://ci.example/?token={c.secrets['github-pat']}",
                   "--tag", "canary") == 0
    assert c.perth("pane", "create", "canary/meta", "--meta", f"creds={sentence}", "--session", sentence,
                   "--tab", c.secrets["stripe-live"]) == 0
    assert c.perth("pane", "meta", "canary/meta", f"db=postgres://app:{c.secrets['url-password']}@db/x") == 0
    assert c.perth("log", "--pane", "canary", "--agent", c.secrets["github-pat"], "agent said hi") == 0
    logged = c.perth("log", "plain", "--pane", "canary", "--format", "json")
    assert logged == 0
    entry_id = json.loads(c.outputs[-2])["entry"]["id"]
    assert c.perth("entry", "edit", entry_id, "--summary", sentence, "--goal-delta", c.pem) == 0


@entry_point
def refused_inputs_do_not_echo(c: Canary) -> None:
    assert c.perth("pane", "create", c.secrets["github-pat"]) == 1
    assert c.perth("log", "x", "--tag", c.secrets["aws-access-key-id"]) == 1
    assert c.perth("show", c.secrets["stripe-live"]) != 0
    assert c.perth("history", "--pane", c.secrets["github-pat"]) != 0
    assert c.perth("history", "--cursor", c.secrets["slack-bot-token"]) != 0


@entry_point
def standard_input(c: Canary) -> None:
    assert c.perth("log", "-", "--pane", "canary", stdin=c.sentence() + "\n" + c.pem + "\n") == 0


@entry_point
def imported_jsonl(c: Canary) -> None:
    sentence = c.sentence()
    pane_id, entry_id = "01900000-0000-7000-8000-000000000001", "01900000-0000-7000-8000-000000000002"
    lines = [
        {"kind": "header", "schema": "perth.export.v1"},
        {"kind": "pane", "id": pane_id, "name": "imported", "status": "active", "mux_kind": "none",
         "session": sentence, "tab": None, "mux_pane_id": None, "cwd": f"/home/u/{c.secrets['github-pat']}",
         "repo_root": f"/src/{c.secrets['aws-access-key-id']}", "branch": f"fix-{c.secrets['github-pat']}",
         "tags": [], "meta": {"k": sentence},
         "created_at": "2026-01-01T00:00:00.000Z", "last_seen_at": "2026-01-01T00:00:00.000Z",
         "deleted_at": None},
        {"kind": "entry", "id": entry_id, "pane_id": pane_id, "pane": "imported",
         "ts": "2026-01-01T00:00:01.000Z", "summary": sentence + "\n" + c.pem, "type": "checkpoint",
         "source": "agent", "agent": sentence, "artifacts": [sentence], "commands_run": [sentence],
         "goal_delta": sentence, "tags": [], "schema_version": 1, "updated_at": None, "deleted_at": None},
    ]
    path = c.workdir / "import.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    assert c.perth("import", str(path)) == 0
    assert c.perth("import", "-", stdin=path.read_text(encoding="utf-8")) == 0
    path.unlink()  # the input file held the secrets on purpose; it is not Perth's output


@entry_point
def configuration_values(c: Canary) -> None:
    url = f"postgres://app:{c.secrets['url-password']}@db.internal/prod"
    assert c.perth("--set", f"store.path={c.home}/perth.db", "config", "show") == 0
    env = {"PERTH_REDACT__EXTRA_PATTERNS": "zz-never-[0-9]+"}
    assert c.perth("config", "get", "redact.extra_patterns", "--format", "json", env=env) == 0
    assert c.perth("--set", f"history.limit={c.secrets['github-pat']}", "history") == 1
    assert c.perth("config", "set", "output.format", url) == 1
    assert c.perth("doctor", env={"PERTH_OUTPUT__FORMAT": c.secrets["stripe-live"]}) == 1


@entry_point
def shell_capture_spool(c: Canary) -> None:
    from perth.capture.spool_format import SpoolRecord, format_line

    spool = c.home / "state" / "spool"
    spool.mkdir(parents=True, exist_ok=True)
    lines = [format_line(SpoolRecord(1_700_000_000_000_000 + i, 5, 0, "bash", "canary", "canary", "", "",
                                     f"/srv/{c.secrets['stripe-live']}", f"/srv/{c.secrets['stripe-live']}",
                                     f"fix-{c.secrets['github-pat']}", "h", "u", text))
             for i, text in enumerate((c.sentence(), c.pem, f"mysql -uroot -p{c.secrets['url-password']} db"))]
    broken = "1\tnot a valid line " + c.sentence()
    bad_exit = "\t".join(["1", "1700000000000009", "5", c.secrets["github-pat"], *["x"] * 10, "ls"])
    (spool / "bash-canary.spool").write_text("\n".join([*lines, broken, bad_exit]) + "\n" + c.sentence()[:60],
                                            encoding="utf-8")
    old = time.time() - 7200
    os.utime(spool / "bash-canary.spool", (old, old))
    assert c.perth("ingest", env={"PERTH_CAPTURE__PARTIAL_GRACE_S": "1"}) == 0
    time.sleep(2.1)
    assert c.perth("ingest", env={"PERTH_CAPTURE__PARTIAL_GRACE_S": "1"}) == 0
    assert not list(spool.glob("*.spool*")), "ingested spool files are removed"
    assert c.perth("history", "--commands", "--format", "json") == 0
    assert c.perth("search", "mysql", "--format", "json") == 0
    assert c.perth("log", "after the commands", "--pane", "canary") == 0


@entry_point
def real_shell_hooks(c: Canary) -> None:
    """Secrets typed in real zsh, bash and fish: no hook scratch file keeps one while the shell
    lives, and the spool is emptied by ingest (the shells' own history files are not Perth's)."""
    import shutil

    from tests.capture.shell_driver import InteractiveShell

    spool = c.home / "state" / "spool"
    spool.mkdir(parents=True, exist_ok=True)
    for name in ("zsh", "bash", "fish"):
        if shutil.which(name) is None:
            continue
        with InteractiveShell(name, c.workdir / f"shell-{name}") as shell:
            shell.run(f": export GITHUB_TOKEN={c.secrets['github-pat']}")
            shell.run(f": stripe {c.secrets['stripe-live']}")
            shell.run(": done")
            scratch = [p for p in shell.spool_dir.iterdir() if p.is_file() and not p.name.endswith(".spool")]
            for path in scratch:  # read while the shell lives: nothing captured rests there
                c.outputs.append(path.read_bytes().decode("utf-8", "replace"))
            for path in shell.spool_files():
                path.rename(spool / path.name)
                os.utime(spool / path.name, (time.time() - 60, time.time() - 60))  # the shell is done with it
        c.extra_files += [p for p in scratch if p.exists()]
    assert c.perth("ingest") == 0
    assert not list(spool.glob("*.spool*")), "ingest empties the spool"


@entry_point
def references_and_queries_are_redacted_before_any_change(c: Canary) -> None:
    """An access key typed where an id or a query goes: refused or searched, never echoed or logged
    (ids are matched lower-cased; the redaction runs on the text as typed)."""
    key = c.secrets["aws-access-key-id"]
    assert c.perth("show", key) in (1, 3)
    assert c.perth("entry", "edit", key, "--summary", "x") in (1, 3)
    assert c.perth("entry", "delete", key) in (1, 3)
    for fmt in ("text", "json", "markdown", "llm"):
        assert c.perth("search", key, "--format", fmt) == 0


@entry_point
def history_file_import(c: Canary) -> None:
    history = c.workdir / "zsh_history"
    history.write_text(f": 1700000000:0;{c.sentence()}\n: 1700000001:2;curl -u admin:{c.secrets['url-password']}"
                       " https://x\n", encoding="utf-8")
    assert c.perth("import-history", "--shell", "zsh", "--file", str(history)) == 0
    history.unlink()  # the input held the secrets on purpose


@entry_point
def zshrc_import(c: Canary) -> None:
    zshrc = c.workdir / "canary.zshrc"
    zshrc.write_text(f"{c.sentence()}\nsource ~/.fzf.zsh\neval \"$(tool init zsh --token {c.secrets['env-token']})\"\n",
                     encoding="utf-8")
    proposal = c.workdir / "proposed-features.toml"
    assert c.perth("features", "import", "--zshrc", str(zshrc), "-o", str(proposal)) == 0
    assert c.perth("features", "import", "--zshrc", str(zshrc)) == 0
    assert "[REDACTED:" in c.outputs[-2]
    c.extra_files.append(proposal)
    zshrc.unlink()  # the input held the secrets on purpose


@entry_point
def redact_and_scan_commands(c: Canary) -> None:
    assert c.perth("redact", stdin=c.sentence() + "\n" + c.pem + "\n") == 0
    assert "[REDACTED:" in c.outputs[-2]
    leak = c.workdir / "leak.env"
    leak.write_text(f"GITHUB_TOKEN={c.secrets['github-pat']}\nDATABASE_URL=postgres://app:{c.secrets['url-password']}"
                    "@db/x\n", encoding="utf-8")
    assert c.perth("scan", str(leak)) == 5
    assert c.perth("scan", str(leak), "--format", "json") == 5
    leak.unlink()


@entry_point
def shellperf_measurements(c: Canary) -> None:
    replay = c.workdir / "replay"
    code = c.perth("shellperf", "run", "--shell", "bash", "--norc", "-n", "1", "--warmup", "0",
                   "--env", f"GITHUB_TOKEN={c.secrets['github-pat']}", "--label", c.secrets["stripe-live"],
                   "--replay", str(replay))
    assert code == 0
    assert c.perth("shellperf", "ledger", "--format", "json") == 0
    c.extra_files += [path for path in replay.rglob("*") if path.is_file()]
    assert any(replay.rglob("*")), "the replay stream was written"


@entry_point
def every_read_command(c: Canary) -> None:
    for fmt in ("text", "json", "markdown", "llm"):
        assert c.perth("history", "--limit", "100", "--include-deleted", "--format", fmt) == 0
        assert c.perth("status", "--format", fmt) == 0
        assert c.perth("pane", "list", "--format", fmt) == 0
        assert c.perth("pane", "show", "canary/meta", "--format", fmt) == 0
        assert c.perth("history", "--commands", "--limit", "100", "--format", fmt) == 0
        assert c.perth("search", "export", "--format", fmt) == 0
        assert c.perth("redact", "stats", "--format", fmt) == 0
    export = c.workdir / "export.jsonl"
    assert c.perth("export", "-o", str(export), "--include-deleted") == 0
    assert c.perth("export", "--include-deleted") == 0
    c.extra_files.append(export)


@entry_point
def tmux_snapshot_commands(c: Canary) -> None:
    """A secret in a running command's arguments (isolated tmux server) must not reach the store or output."""
    import secrets as tokens

    socket = f"perth-test-{tokens.token_hex(6)}"
    s = c.secrets
    sleeper = (f"{sys.executable} -c 'import time; time.sleep(300)' --token={s['github-pat']} --aws {s['aws-access-key-id']}"
               f" --db postgres://app:{s['url-password']}@db.internal/prod API_TOKEN={s['env-token']}")
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    try:
        subprocess.run([*tmux, "new-session", "-d", "-s", "canary", "-n", "work", "-c", str(c.workdir), sleeper],
                       check=True, timeout=10)
        deadline = time.monotonic() + 5
        while s["github-pat"] not in subprocess.run(["ps", "-ww", "-e", "-o", "args="], capture_output=True, text=True,
                                                     timeout=10, check=False).stdout and time.monotonic() < deadline:
            time.sleep(0.05)
        env = {"PERTH_MUX__TMUX_SOCKET_NAME": socket}
        assert c.perth("snapshot", "save", "canary-snap", env=env) == 0
        for fmt in ("text", "json", "markdown", "llm"):
            assert c.perth("snapshot", "show", "canary-snap", "--format", fmt, env=env) == 0
            assert c.perth("restore", "canary-snap", "--dry-run", "--format", fmt, env=env) == 0
        assert c.perth("snapshot", "list", "--format", "json", env=env) == 0
        assert any("--token=[REDACTED:" in out for out in c.outputs), "the command was snapshotted, redacted"
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True, timeout=10, check=False)
        Path(os.environ.get("TMUX_TMPDIR") or "/tmp", f"tmux-{os.getuid()}", socket).unlink(missing_ok=True)


def _canary_repo(c: Canary) -> Path:
    """A git repository whose commit subjects, file names, diff and branch carry the canary secrets."""

    repo = c.workdir / "llm-repo"
    if repo.exists():
        return repo
    repo.mkdir()
    hours_ago = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 3 * 3600)) + "Z"
    os.environ["GIT_AUTHOR_DATE"] = os.environ["GIT_COMMITTER_DATE"] = hours_ago  # a finished session
    try:
        _fill_canary_repo(c, repo)
    finally:
        del os.environ["GIT_AUTHOR_DATE"], os.environ["GIT_COMMITTER_DATE"]
    return repo


def _fill_canary_repo(c: Canary, repo: Path) -> None:
    from tests.gitrepo import git

    s = c.secrets
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Canary")
    git(repo, "config", "user.email", "canary@example.invalid")
    (repo / f"notes-{s['github-pat']}.txt").write_text(c.sentence() + "\n")
    (repo / "settings.env").write_text(f"API_TOKEN={s['env-token']}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"rotate {s['stripe-live']} and {s['aws-access-key-id']}")
    git(repo, "checkout", "-q", "-b", f"fix-{s['github-pat']}")
    (repo / "settings.env").write_text(f"API_TOKEN={s['env-token']}\nDB=postgres://app:{s['url-password']}@db/x\n"
                                       + c.pem + "\n")


@entry_point
def llm_context_and_requests(c: Canary) -> None:
    """Context collection, prompts and every provider's request body (a real HTTP fake server)."""
    from tests.summarize.fake_provider import FakeProviderServer, answer, status

    repo = _canary_repo(c)
    s = c.secrets
    with FakeProviderServer(default=answer("Rotated the keys.")) as server:
        env = {"PERTH_LLM__ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": "canary-test-key",
               "PERTH_LLM__OPENAI_BASE_URL": server.openai_url, "PERTH_LLM__OLLAMA_BASE_URL": server.url,
               "PERTH_LLM__RETRIES": "0", "PERTH_LLM__READ_TIMEOUT_S": "5"}
        c.workdir, home_workdir = repo, c.workdir
        try:
            for fmt in ("llm", "json", "markdown", "text"):
                assert c.perth("context", "--pane", "canary", "--format", fmt, env=env) == 0
                assert c.perth("summarize", "--pane", "canary", "--dry-run", "--format", fmt, env=env) == 0
            for provider in ("anthropic", "openai", "ollama", "none"):
                assert c.perth("summarize", "--pane", "canary", "--provider", provider, env=env) == 0
            server.script(status(400, text=f"bad request near {s['github-pat']} {s['stripe-live']}"))
            assert c.perth("summarize", "--pane", "canary", "--provider", "anthropic,none", env=env) == 0
            for fmt in ("text", "json"):
                assert c.perth("providers", "status", "--format", fmt, env=env) == 0
        finally:
            c.workdir = home_workdir
        bodies = [request.raw.decode("utf-8", "replace") for request in server.requests]
    assert len(bodies) == 4, "three provider requests and one refused one"
    assert all("[REDACTED:" in body for body in bodies), "the prompt carried the redacted context"
    c.outputs += bodies


@entry_point
def journal_handoff_and_narrative(c: Canary) -> None:
    """Journals, handoff, append and verify over the canary repository; the narrative's request body."""
    from tests.summarize.fake_provider import FakeProviderServer, answer

    repo = _canary_repo(c)
    s = c.secrets
    sessions = c.workdir / "SESSIONS.md"
    handwritten = c.workdir / "HANDWRITTEN.md"
    handwritten.write_text(f"# Sessions\n\n## 2026-03-02 on branch `fix-{s['github-pat']}`\n\n"
                           f"- commit `abc1234` rotated {s['stripe-live']}\n- 3 commits\n"
                           f"- Branch: feature-{s['aws-access-key-id']}\n{c.sentence()}\n")
    with FakeProviderServer(default=answer("The session rotated keys.")) as server:
        env = {"PERTH_LLM__CHAIN": "openai,none", "PERTH_LLM__OPENAI_BASE_URL": server.openai_url,
               "PERTH_LLM__RETRIES": "0"}
        for fmt in ("markdown", "json", "text", "llm"):
            assert c.perth("journal", "--repo", str(repo), "--format", fmt, env=env) == 0
            assert c.perth("journal", "--pane", "canary", "--format", fmt, env=env) == 0
            assert c.perth("handoff", "--pane", "canary", "--format", fmt, env=env) == 0
        assert c.perth("journal", "--repo", str(repo), "--narrate", "--format", "json", env=env) == 0
        bodies = [request.raw.decode("utf-8", "replace") for request in server.requests]
    assert bodies, "the narrative was asked of the provider"
    c.outputs += bodies
    assert c.perth("journal", "append", str(sessions), "--repo", str(repo)) == 0
    assert "perth:session" in sessions.read_text(), "the finished session was appended"
    assert c.perth("journal", "verify", str(sessions), "--repo", str(repo)) == 0
    assert c.perth("journal", "verify", str(handwritten), "--repo", str(repo), "--format", "json") == 5
    assert c.perth("journal", "verify", str(handwritten), "--repo", str(repo)) == 5
    c.extra_files += [sessions]


@entry_point
def panes_in_a_token_branch(c: Canary) -> None:
    """Automatic and created panes, status and pane views in the repository whose branch and files
    carry secrets."""
    repo = _canary_repo(c)
    c.workdir, home_workdir = repo, c.workdir
    try:
        printed = len(c.outputs)
        assert c.perth("log", "working on the branch") == 0
        assert "REDACTED-github-pat" in c.outputs[printed], "the automatic pane is named from redacted text"
        assert c.perth("pane", "create", "branch-pane") == 0
        for fmt in ("text", "json", "markdown", "llm"):
            assert c.perth("status", "--format", fmt) == 0
            assert c.perth("pane", "show", "branch-pane", "--format", fmt) == 0
            assert c.perth("pane", "list", "--format", fmt) == 0
        assert c.perth("export", "--output", str(c.home / "branch-export.jsonl")) == 0
    finally:
        c.workdir = home_workdir


@entry_point
def traces_of_llm_calls(c: Canary) -> None:
    """OpenTelemetry spans of summaries (console and OTLP/HTTP), with a provider echoing secrets."""
    from tests.otlp_collector import OtlpCollector
    from tests.summarize.fake_provider import FakeProviderServer, answer, status

    repo = _canary_repo(c)
    s = c.secrets
    with FakeProviderServer(default=answer("Rotated the keys.")) as server, OtlpCollector() as collector:
        env = {"PERTH_LLM__OPENAI_BASE_URL": server.openai_url, "PERTH_LLM__RETRIES": "0",
               "PERTH_LLM__CHAIN": "openai,none"}
        c.workdir, home_workdir = repo, c.workdir
        try:
            for exporter in ("console", "otlp"):
                printed = len(c.outputs)
                traced = {**env, "PERTH_TRACE__EXPORTER": exporter, "PERTH_TRACE__ENDPOINT": collector.url}
                server.script(status(500, text=f"upstream said {s['github-pat']} {s['stripe-live']}"))
                assert c.perth("summarize", "--pane", "canary", env=traced) == 0
                assert c.perth("summarize", "--pane", "canary", env=traced) == 0
                if exporter == "console":
                    assert any("perth.llm.call" in out for out in c.outputs[printed:]), "spans were printed"
        finally:
            c.workdir = home_workdir
        bodies = collector.bodies
    assert bodies and all(b"perth.llm.call" in body for _path, body in bodies), "spans reached the receiver"
    c.outputs += [body.decode("utf-8", "replace") for _path, body in bodies]


@entry_point
def code_index_of_a_repository_with_secrets(c: Canary) -> None:
    """Docstrings, default values, constants and file names of indexed code carry the secrets."""
    pat, token, stripe, password = (c.secrets[k] for k in ("github-pat", "env-token", "stripe-live", "url-password"))
    aws, jwt, slack = (c.secrets[k] for k in ("aws-access-key-id", "jwt", "slack-bot-token"))
    repo = c.workdir / "code-repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "__init__.py").write_text(f'"""Package; token {pat}."""\n')
    (repo / "pkg" / "client.py").write_text(
        f'API_TOKEN = "{token}"\nSTRIPE = "{stripe}"\n\n\n'
        f'def connect(url="postgres://app:{password}@db/x", key="{aws}"):\n'
        f'    """Connect with Authorization: Bearer {jwt} and slack {slack}."""\n'
        "    return url\n\n\nclass Client:\n"
        f'    """Holds the key.\n\n{c.pem}\n    """\n\n    def call(self):\n        return connect()\n')
    (repo / f"leak_{pat}.py").write_text("def leaked_name():\n    pass\n")
    (repo / "web.js").write_text(f'function hello(token = "{pat}") {{ return token; }}\n')
    assert c.perth("code", "add", str(repo), "--name", "canary-code") == 0
    assert c.perth("code", "reindex", "canary-code", "--full") == 0
    for fmt in ("text", "json", "markdown", "llm"):
        for args in (["find", "*"], ["context", "connect"], ["context", "Client"], ["callers", "connect"],
                     ["callees", "pkg.client.Client.call"], ["impact", "pkg/client.py"], ["map", "--tokens", "4000"]):
            assert c.perth("code", *args, "--repo", "canary-code", "--format", fmt) == 0, args
        assert c.perth("code", "list", "--format", fmt) == 0
        assert c.perth("code", "status", "--format", fmt) == 0
    assert any("[REDACTED:" in out and "API_TOKEN = " in out for out in c.outputs), "constants were stored redacted"


def _mcp_calls(c: Canary) -> list[tuple[str, dict[str, Any]]]:
    """The MCP step's tool calls: every tool at least once (``test_every_mcp_tool_is_called``)."""
    s = c.secrets
    calls: list[tuple[str, dict[str, Any]]] = [
        ("log_intent", {"summary": c.sentence(), "pane": "canary", "goal_delta": c.pem, "tags": ["mcp"]}),
        ("search_memory", {"query": s["github-pat"]}),
        ("search_memory", {"query": f"canary {s['stripe-live']}"}),
        ("search_memory", {"query": "export", "kinds": ["intent", "command"]}),
        ("pane_status", {"pane": "canary"}), ("pane_context", {"pane": "canary"}),
        ("pane_status", {"pane": s["aws-access-key-id"]}), ("journal", {"last": 5}),
        ("handoff", {"pane": "canary"}), ("list_panes", {}), ("shellperf_summary", {}),
        ("search_memory", {"query": "x", "cursor": s["slack-bot-token"]})]
    code = {"repo": "canary-code"}
    second = c.workdir / "code-repo-mcp"
    calls += [("code_find", {"name": "*", **code}), ("code_context", {"symbol": "connect", **code}),
              ("code_context", {"symbol": "Client", **code}), ("code_calls", {"symbol": "connect", **code}),
              ("code_impact", {"target": "pkg/client.py", **code}),
              ("code_map", {"tokens": 4000, **code}), ("code_find", {"name": s["github-pat"], **code}),
              ("code_reindex", {"full": True, **code}),
              ("code_add_repo", {"path": str(second), "name": "canary-mcp"}),
              ("code_add_repo", {"path": str(second), "name": s["github-pat"]}),
              ("code_reindex", {"repo": s["aws-access-key-id"]}),
              ("code_list_repos", {}),
              ("search_memory", {"query": "connect key", "kinds": ["code"]}),
              ("search_memory", {"query": "stripe token", "kinds": ["code"], "repo": "canary-mcp"}),
              ("search_memory", {"query": f"API_TOKEN={s['env-token']}", "kinds": ["code"]})]
    return calls


@entry_point
def mcp_tool_answers(c: Canary) -> None:
    """An agent over MCP (stdio, the SDK's client) logs and searches secrets, registers and re-indexes a
    repository of secrets; every answer is filtered."""
    import anyio

    from tests.mcp.client import stdio_client, texts

    s = c.secrets
    env = {**c.env, "PERTH_LOG__FILE": "perth.log"}
    second = c.workdir / "code-repo-mcp"
    second.mkdir()
    (second / "keys.py").write_text(f'STRIPE_KEY = "{s["stripe-live"]}"\n\n\n'
                                    f'def token(api_key="{s["env-token"]}"):\n'
                                    f'    """Stripe token {s["stripe-live"]} and {s["github-pat"]}."""\n')

    async def main() -> None:
        async with stdio_client(env) as client:
            for tool, args in _mcp_calls(c):
                c.outputs.append(texts(await client.call_tool(tool, args)))
            for uri in ("perth://panes", "perth://panes/canary", "perth://journal/all"):
                c.outputs += [getattr(part, "text", "") for part in (await client.read_resource(uri)).contents]

    before = len(c.outputs)
    anyio.run(main)
    assert any("[REDACTED" in out for out in c.outputs[before:]), "the answers carried filtered text"
    assert any("def connect(" in out for out in c.outputs[before:]), "the code tools answered"
    assert any('"kind": "code"' in out and "keys.token" in out for out in c.outputs[before:]), \
        "code symbols were searched"


@entry_point
def operations_jobs(c: Canary) -> None:
    """Job arguments (refused), output, log lines and errors, shown in every format."""
    sentence = c.sentence()
    assert c.perth("job", "run", "shell", "--", "echo", sentence) == 1
    assert c.perth("job", "run", "shell", "--key", c.secrets["github-pat"], "--", "true") == 1
    env = {"CANARY_SENTENCE": sentence, "CANARY_PEM": c.pem}
    script = 'echo "$CANARY_SENTENCE"; echo "$CANARY_PEM" >&2; exit 3'
    assert c.perth("job", "run", "shell", "--env", "CANARY_SENTENCE", "--env", "CANARY_PEM", "--wait", "--",
                   "sh", "-c", script, env=env) == 1
    assert c.perth("job", "run", "fake", "--attempts", "1", "--env", "CANARY_SENTENCE", "--", "log-env:CANARY_SENTENCE",
                   "fail-env:CANARY_SENTENCE", env=env) == 0
    assert c.perth("worker", "run", "--drain", env=env) == 0
    for fmt in ("text", "json", "markdown", "llm"):
        for command in (("job", "list"), ("job", "dlq", "list")):
            assert c.perth(*command, "--format", fmt) == 0
    listed = json.loads(c.outputs[c.outputs.index(next(o for o in c.outputs if '"perth.job.list.v1"' in o))])
    for job in listed["jobs"]:
        for fmt in ("text", "json"):
            assert c.perth("job", "show", job["id"], "--format", fmt) == 0
            assert c.perth("job", "logs", job["id"], "--format", fmt) == 0
    shown = "".join(c.outputs)
    assert "[REDACTED:" in shown and "exited 3" in shown


@entry_point
def redis_store_and_store_migrate(c: Canary) -> None:
    """Secrets logged into a Redis store, and the home store copied into Redis and into another
    SQLite file by `perth store migrate`: every Redis value is dumped to a file the test searches."""
    import secrets as random_names

    import redis

    url = f"redis://127.0.0.1:6379/0?prefix=perth-canary-{random_names.token_hex(6)}:"
    prefix = url.split("prefix=", 1)[1]
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        assert c.perth("store", "migrate", "--to", url, "--format", "json") == 1  # Redis holds no commands
        assert "it has no port for: commands" in c.outputs[-1]
        assert c.perth("log", c.sentence(), "--pane", "canary-redis", "--goal-delta", c.pem,
                       env={"PERTH_STORE__URL": url}) == 0
        assert c.perth("history", "--format", "json", env={"PERTH_STORE__URL": url}) == 0
        assert c.perth("store", "migrate", "--to", str(c.home / "migrated.db")) == 0
        dump = c.home / "redis-dump.txt"
        with dump.open("w", encoding="utf-8") as out:
            for key in sorted(client.scan_iter(match=f"{prefix}*")):
                kind = client.type(key).decode()
                value = {"hash": client.hgetall, "set": client.smembers, "stream": client.xrange,
                         "zset": lambda k: client.zrange(k, 0, -1), "string": client.get}[kind](key)
                out.write(f"{key!r} {kind} {value!r}\n")
        assert dump.stat().st_size > 0
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


@entry_point
def multi_user_store(c: Canary) -> None:
    """A multi-user store: users, teams and shared panes; a secret offered as a team name is refused."""
    team = {"PERTH_STORE__PATH": str(c.home / "team.db"), "PERTH_STORE__MULTI_USER": "true"}
    assert c.perth("user", "add", "alice", "--role", "admin", "--team", c.secrets["github-pat"], env=team) == 1
    assert c.perth("user", "add", "alice", "--role", "admin", "--team", "web", env=team) == 0
    assert c.perth("token", "create", "alice", "--label", c.sentence(), "--format", "json", env=team) == 0
    team["PERTH_STORE__TOKEN"] = json.loads(c.outputs[-2])["secret"]
    assert c.perth("user", "join", "alice", c.secrets["aws-access-key-id"], env=team) == 1
    assert c.perth("log", c.sentence(), "--pane", "canary-team", "--goal-delta", c.pem, env=team) == 0
    assert c.perth("pane", "share", "canary-team", c.secrets["stripe-live"], env=team) == 1
    assert c.perth("pane", "share", "canary-team", "web", "--format", "json", env=team) == 0
    for args in (("pane", "list"), ("history", "--format", "json"), ("user", "list"), ("token", "list")):
        assert c.perth(*args, env=team) == 0


@entry_point
def workflows(c: Canary) -> None:
    """Workflow files and inputs holding secrets (refused), step output, approval notes, in every format."""
    from perth.workflows.service import local_user

    sentence = c.sentence()
    leaky = c.workdir / "leaky.yml"
    leaky.write_text(f'name: leaky\nsteps:\n  - id: a\n    job: {{kind: shell, args: ["echo", "{sentence}"]}}\n')
    assert c.perth("workflow", "run", str(leaky)) == 1
    flow = c.workdir / "canary-flow.yml"
    flow.write_text(f"""\
name: canary
inputs: {{word: {{default: hello}}}}
steps:
  - id: say
    job: {{kind: shell, args: ["sh", "-c", "echo \\"$CANARY_SENTENCE\\"; echo \\"::output said=$CANARY_SENTENCE\\""], options: {{env: [CANARY_SENTENCE]}}}}
  - id: echo-output
    needs: [say]
    job: {{kind: shell, args: ["echo", "${{{{ steps.say.outputs.said }}}}"]}}
  - id: gate
    needs: [say]
    approval: {{approvers: [{local_user()}], timeout: 2}}
    job: {{kind: shell, args: ["echo", "${{{{ inputs.word }}}}"]}}
outputs: {{said: "${{{{ steps.say.outputs.said }}}}"}}
triggers: [{{event: perth.job.finished, when: "data.status == 'dead'"}}]
""")
    assert c.perth("workflow", "run", str(flow), "--input", f"word={c.secrets['github-pat']}") == 1
    env = {"CANARY_SENTENCE": sentence}
    assert c.perth("workflow", "run", str(flow), "--detach", "--format", "json", env=env) == 0
    run_id = json.loads(c.outputs[-2])["run"]["id"]
    deadline = time.monotonic() + 30
    while c.perth("workflow", "show", run_id, "--format", "json") == 0 and time.monotonic() < deadline:
        if json.loads(c.outputs[-2])["run"]["steps"][2]["status"] == "waiting":
            break
        time.sleep(0.05)
    assert c.perth("workflow", "reject", run_id, "gate", "--note", c.pem) == 0
    assert c.perth("workflow", "run", str(flow), env=env) == 1  # its gate times out to rejected
    assert c.perth("workflow", "list", "--format", "json") == 0
    for run in json.loads(c.outputs[-2])["runs"]:
        for fmt in ("text", "json", "markdown", "llm"):
            assert c.perth("workflow", "show", run["id"], "--format", fmt) == 0
        assert c.perth("workflow", "graph", run["id"], "--format", "json") == 0
        assert c.perth("workflow", "logs", run["id"], "--format", "json") == 0
    assert c.perth("workflow", "enable", str(flow)) == 0
    for fmt in ("text", "json", "markdown", "llm"):
        assert c.perth("workflow", "list", "--format", fmt) == 0
        assert c.perth("workflow", "triggers", "--format", fmt) == 0
    shown = "".join(c.outputs)
    assert "holds a secret" in shown and "[REDACTED:" in shown and "rejected by" in shown


@entry_point
def web_api_answers(c: Canary) -> None:
    """``perth serve``: every endpoint and page, errors naming secrets in path, query and body, the token
    refusal, users and tokens (a label holding a secret), an approval with a secret note, /metrics, charts."""
    from urllib.parse import quote

    from tests.mcp.client import stop
    from tests.web.test_api import fetch, start_serve
    from tests.web.test_auth import post

    s = c.secrets
    assert c.perth("user", "add", "canary-approver", "--role", "approver") == 0
    assert c.perth("token", "create", "canary-approver", "--label", f"ci {s['github-pat']}", "--format", "json") == 0
    token = json.loads(c.outputs[-2])["secret"]
    assert c.perth("serve", "--print-token") == 0
    owner = c.outputs[-2].strip()
    for fmt in ("text", "json", "markdown", "llm"):
        assert c.perth("token", "list", "--format", fmt) == 0
        assert c.perth("user", "list", "--format", fmt) == 0
    flow = c.workdir / "canary-web-flow.yml"
    flow.write_text("name: canary-web\nsteps:\n  - id: gate\n    approval: {approvers: [canary-approver]}\n"
                    '    job: {kind: shell, args: ["true"]}\n')
    assert c.perth("workflow", "run", str(flow), "--detach", "--format", "json") == 0
    run_id = json.loads(c.outputs[-2])["run"]["id"]
    deadline = time.monotonic() + 30
    while c.perth("workflow", "show", run_id, "--format", "json") == 0 and time.monotonic() < deadline:
        if json.loads(c.outputs[-2])["run"]["steps"][0]["status"] == "waiting":
            break
        time.sleep(0.05)
    server, port = start_serve(c.env)
    base = f"http://127.0.0.1:{port}"
    paths = ["/api/panes", "/api/panes/canary", "/api/panes/canary/timeline?limit=500", "/api/journal?limit=20",
             "/api/snapshots", "/api/shellperf", "/api/jobs", "/api/events", "/openapi.json", "/readyz",
             "/api/handoff?pane=canary", "/api/workflows", f"/api/workflows/{run_id}", "/api/events/dead",
             "/api/code/repos", "/api/search?q=GITHUB_TOKEN", "/metrics",
             f"/api/panes/{quote(s['aws-access-key-id'])}/timeline",
             f"/api/panes/canary/timeline?cursor={quote(s['slack-bot-token'])}",
             f"/api/jobs?status={quote(s['github-pat'])}", f"/api/code/find?q={quote(s['stripe-live'])}",
             f"/api/search?q={quote(s['github-pat'])}", f"/api/snapshots/{quote(s['slack-bot-token'])}/diff"]
    pages = ["/", "/panes/canary", "/journal", "/handoff?pane=canary", "/snapshots", "/shellperf", "/jobs",
             "/workflows", f"/workflows/{run_id}", "/events", "/code", "/shellperf/trend.svg",
             f"/panes/canary?q={quote(s['github-pat'])}", f"/code?q={quote(s['aws-access-key-id'])}",
             f"/login?next=/{quote(s['slack-bot-token'])}", f"/panes/{quote(s['stripe-live'])}"]
    approve = f"{base}/api/workflows/{run_id}/steps/gate/approve"
    try:
        answers = [fetch(base + path) for path in paths]
        answers.append(fetch(base + "/api/panes?" + quote(s["stripe-live"]), method="POST"))
        html = [fetch(base + path, token=token) for path in pages]
        writes = [post(approve, {"note": c.sentence()}, token=token),
                  post(approve, {"note": c.sentence()}, token=token),  # decided already: the error
                  post(f"{base}/api/jobs/{quote(s['github-pat'])}/retry", token=owner),
                  post(f"{base}/login", {"token": s["github-pat"], "next": "/" + s["slack-bot-token"]}, form=True),
                  post(f"{base}/api/events/dead/redis/{quote(s['aws-access-key-id'])}/drop", {"x": s["pem-body"]},
                       token=token),
                  post(f"{base}/api/events/dead/redis/{quote(s['aws-access-key-id'])}/drop", {"x": s["pem-body"]},
                       token=owner)]
    finally:
        c.outputs += list(stop(server))
    c.outputs += [json.dumps(body) if not isinstance(body, str) else body for _s, _h, body in [*answers, *html,
                                                                                               *writes]]
    assert [status for status, _h, _b in answers[:17]] == [200] * 17, [a[0] for a in answers]
    assert [status for status, _h, _b in html[:11]] == [200] * 11, [h[0] for h in html]
    assert [w[0] for w in writes] == [200, 409, 404, 401, 403, 404]  # the approver may not operate
    assert "[REDACTED:" in json.dumps(answers[2][2]), "the timeline showed the filtered entries"
    assert "[REDACTED:" in writes[0][2]["note"], "the decision's note was filtered"


@entry_point
def encrypted_sync_and_encryption_at_rest(c: Canary) -> None:
    """`perth sync` of the canary home to a second home through a PostgreSQL table (whose every byte is
    dumped to a file the test searches, and must hold no plaintext at all), and a third home whose SQLite
    file is encrypted at rest by `perth store encrypt` (no plaintext in any of its files)."""
    import secrets as random_names

    import psycopg

    table = f"perth_canary_sync_{random_names.token_hex(5)}"
    server = f"postgresql://postgres@127.0.0.1:5432/test?table={table}"
    marker = f"plain-marker-{random_names.token_hex(6)}"
    sync_env = {"PERTH_SYNC_PASSPHRASE": "canary vault passphrase"}
    second = {**sync_env, "PERTH_HOME": str(c.home / "second-home")}
    try:
        assert c.perth("log", f"{marker} {c.sentence()}", "--pane", "canary-sync", "--goal-delta", c.pem) == 0
        assert c.perth("sync", "init", "--server", server, "--key-store", "none", env=sync_env) == 0
        assert c.perth("sync", "now", "--format", "json", env=sync_env) == 0
        assert c.perth("sync", "init", "--server", server, "--key-store", "none", env=second) == 0
        assert c.perth("sync", "now", env=second) == 0
        assert c.perth("history", "--pane", "canary-sync", "--format", "json", env=second) == 0
        assert marker in c.outputs[-2] and "[REDACTED:" in c.outputs[-2], "the entry reached the second home"
        assert c.perth("sync", "status", "--format", "json", env=sync_env) == 0
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test") as conn:
            rows = conn.execute(f"SELECT * FROM {table}_vaults").fetchall()
            rows += conn.execute(f"SELECT * FROM {table}").fetchall()
        dump = b"\n".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for r in rows for v in r)
        (c.home / "sync-server-dump.bin").write_bytes(dump)
        assert len(rows) >= 3  # the vault, and at least the canary pane and entry
        assert marker.encode() not in dump and b"canary-sync" not in dump
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {table}, {table}_vaults")
    third = {"PERTH_HOME": str(c.home / "encrypted-home"), "PERTH_STORE_KEY": random_names.token_hex(32)}
    assert c.perth("log", f"{marker} {c.sentence()}", "--pane", "canary-crypt", env=third) == 0
    assert c.perth("store", "encrypt", "--format", "json", env=third) == 0
    assert c.perth("log", f"{marker} again {c.sentence()}", "--pane", "canary-crypt", env=third) == 0
    assert c.perth("history", "--format", "json", env=third) == 0 and marker in c.outputs[-2]
    on_disk = b"".join(p.read_bytes() for p in (c.home / "encrypted-home").glob("perth.db*") if p.is_file())
    assert on_disk and marker.encode() not in on_disk and b"canary-crypt" not in on_disk


@entry_point  # the last step: every event the steps above emitted goes to every broker
def events_on_every_transport(c: Canary) -> None:
    """Every event emitted by the steps above, delivered to each real broker and read back by a consumer."""
    from tests.events.brokers import BROKERS, clean_up, drain_consumer, require

    try:
        _events_on(c, BROKERS, drain_consumer, require)
    finally:
        clean_up()


def _events_on(c: Canary, brokers: dict[str, Callable[..., Any]], drain_consumer: Callable[..., list[bytes]],
               require: Callable[[str], None]) -> None:
    for name in sorted(brokers):
        require(name)
        broker = brokers[name]()
        consumer = broker.consumer()
        env = {**broker.env, "PERTH_EVENTS__TRANSPORTS": name}
        if name == "webhook":  # the signing key itself is a canary: it must never be printed or sent
            assert c.perth("config", "show", env={**env, "PERTH_EVENTS__WEBHOOK_SECRET": c.secrets["env-token"]}) == 0
        try:
            assert c.perth("events", "flush", "--format", "json", env=env) == 0, c.outputs[-1]
            delivered = json.loads(c.outputs[-2])["transports"][0]["delivered"]
            bodies = drain_consumer(consumer, delivered)
        finally:
            consumer.close()
        assert delivered > 10 and len({json.loads(b)["id"] for b in bodies}) == delivered, name
        assert any(b"[REDACTED:" in body for body in bodies), "events carry the redacted text"
        c.outputs += [body.decode("utf-8", "replace") for body in bodies]
        for fmt in ("text", "json"):
            assert c.perth("events", "tail", "-n", "500", "--format", fmt, env=env) == 0
        assert c.perth("events", "status", env=env) == 0


def _written_files(c: Canary) -> Iterator[Path]:
    for root in (c.home,):
        for path in root.rglob("*"):
            if path.is_file():
                yield path
    yield from c.extra_files


def _needles(secrets: dict[str, str]) -> dict[str, bytes]:
    """Each secret whole, plus a distinctive middle slice (catches partial leaks)."""
    needles = {}
    for kind, value in secrets.items():
        needles[kind] = value.encode()
        core = value[len(value) // 3: len(value) // 3 + 12]
        needles[f"{kind} (slice)"] = core.encode()
    return needles


@pytest.mark.integration
def test_canary_secrets_appear_nowhere(tmp_path: Path) -> None:
    secrets = make_secrets(seed=random.SystemRandom().randrange(2**32))
    workdir = tmp_path / "canary-work"
    workdir.mkdir()
    canary = Canary(tmp_path / "home", workdir, secrets)
    for step in ENTRY_POINTS:
        step(canary)
    files = list(_written_files(canary))
    assert any(p.name == "perth.db" for p in files)
    assert any(p.name == "perth.log" for p in files), "the log file path must be exercised"
    assert any(p.name == "export.jsonl" for p in files)
    leaks = []
    for label, needle in _needles(secrets).items():
        leaks += [f"{label} in {path}" for path in files if needle in path.read_bytes()]
        leaks += [f"{label} in command output #{i}" for i, out in enumerate(canary.outputs)
                  if needle in out.encode()]
    assert leaks == []
    history = [out for out in canary.outputs if '"schema": "perth.history.v1"' in out]
    assert history, "the read commands ran"
    assert "[REDACTED:" in history[-1], "the redacted entries were stored and shown"


def test_every_step_is_registered() -> None:
    """A step function without its @entry_point would silently never run."""
    import inspect

    steps = {f for name, f in globals().items() if inspect.isfunction(f) and not name.startswith(("_", "test_"))
             and list(inspect.signature(f).parameters) == ["c"]}
    assert steps == set(ENTRY_POINTS)


def test_every_mcp_tool_is_called(tmp_path: Path) -> None:
    """A tool added to the MCP server without a canary call would never have its answers checked."""
    from perth.mcp.server import TOOL_NAMES

    canary = Canary(tmp_path, tmp_path, make_secrets())
    assert {tool for tool, _args in _mcp_calls(canary)} == set(TOOL_NAMES)
