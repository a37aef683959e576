"""A fake secret planted in every input the journal reads never comes out of any journal command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from perth.clock import now_ms
from tests.gitrepo import git
from tests.journal.conftest import MIN, capture, commit, intent, make_repo, make_rt, pane

SECRET = "ghp_" + "Lk8jHg6fDs4aPo2iUy0tRe9wQm7nBv5cXz3l"


def test_the_secret_appears_in_no_output_and_no_written_file(work: Path, cli: Callable[..., Any]) -> None:
    start = now_ms() - 3 * 60 * MIN
    repo = make_repo(work / f"repo-{SECRET}")  # in the repository path
    commit(repo, "first", start)
    git(repo, "checkout", "-q", "-b", f"wip/{SECRET}")  # in a branch name
    rt = make_rt(work, now=now_ms())
    pane(rt, "leaky", repo)
    capture(rt, "leaky", f"curl -H 'Authorization: token {SECRET}' https://api.example.invalid", start + MIN,
            repo=repo, branch=f"wip/{SECRET}", exit_status=22)  # in a failing command and its branch
    commit(repo, f"deploy with GITHUB_TOKEN={SECRET}", start + 2 * MIN,  # in a subject and a file name
           {f"notes-{SECRET}.txt": f"{SECRET}\n"})
    intent(rt, "leaky", f"blocked: the token {SECRET} expired", start + 3 * MIN, "blocker")  # in an intent
    intent(rt, "leaky", f"rotate {SECRET}", start + 4 * MIN, "next")
    rt.close()
    outputs: list[str] = []
    for fmt in ("markdown", "text", "json", "llm"):
        for args in (("journal", "--narrate"), ("journal", "--pane", "leaky"), ("journal", "--repo", str(repo)),
                     ("handoff", "--pane", "leaky")):
            result = cli(*args, "--format", fmt)
            assert result.code == 0, (args, result.err)
            outputs += [result.out, result.err]
    target = work / "SESSIONS.md"
    appended = cli("journal", "append", str(target), "--since", "1d")
    assert appended.code == 0, appended.err
    assert "1 session(s) added" in appended.out
    verified = cli("journal", "verify", str(target), "--repo", str(repo))
    outputs += [appended.out, appended.err, verified.out, verified.err, target.read_text()]
    joined = "\n".join(outputs)
    assert "[REDACTED:" in joined and "curl -H" in joined and "deploy with GITHUB_TOKEN=" in joined
    assert SECRET not in joined
