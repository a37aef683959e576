"""``perth job`` and ``perth worker`` end to end: exit codes, formats, the dead-letter queue."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli.test_commands import one_line_error

Cli = Callable[..., Any]


def _json(cli: Cli, *args: str) -> dict[str, Any]:
    cut = args.index("--") if "--" in args else len(args)
    result = cli(*args[:cut], "--format", "json", *args[cut:])
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


def test_run_wait_list_show_logs(cli: Cli) -> None:
    ran = cli("job", "run", "shell", "--wait", "--", "sh", "-c", "echo built; exit 0")
    assert ran.code == 0 and "succeeded" in ran.out and "built" in ran.out
    failed = cli("job", "run", "shell", "--timeout", "30", "--wait", "--format", "json", "--", "sh", "-c", "exit 7")
    assert failed.code == 1
    job = json.loads(failed.out)["job"]
    assert (job["status"], job["exit_code"]) == ("failed", 7)
    listed = _json(cli, "job", "list")
    assert listed["count"] == 2 and listed["counts"] == {"succeeded": 1, "failed": 1}
    assert _json(cli, "job", "list", "--status", "failed")["jobs"][0]["id"] == job["id"]
    assert _json(cli, "job", "show", job["id"][-8:])["job"]["exit_code"] == 7
    lines = _json(cli, "job", "logs", job["id"])["lines"]
    assert lines[-1]["text"] == "finished: failed (exited 7)"


def test_queue_then_worker_drains_it(cli: Cli) -> None:
    queued = _json(cli, "job", "run", "fake", "--", "echo:one", "exit:0")
    assert queued["job"]["status"] == "queued" and queued["action"] == "queued"
    worker = cli("worker", "run", "--drain", "--concurrency", "2", "--format", "json")
    assert worker.code == 0, worker.err
    assert json.loads(worker.out)["stats"]["succeeded"] == 1
    assert _json(cli, "job", "show", queued["job"]["id"])["job"]["output"] == "one\n"


def test_dead_letter_queue_retry_and_drop(cli: Cli) -> None:
    ran = cli("job", "run", "fake", "--attempts", "1", "--wait", "--format", "json", "--", "reject")
    dead = json.loads(ran.out)
    assert ran.code == 1 and dead["job"]["status"] == "dead"
    job_id = dead["job"]["id"]
    assert [j["id"] for j in _json(cli, "job", "dlq", "list")["jobs"]] == [job_id]
    assert _json(cli, "job", "dlq", "retry", job_id)["job"]["status"] == "queued"
    one_line_error(cli("job", "dlq", "drop", job_id), 1, "not in the dead-letter queue")
    assert _json(cli, "job", "cancel", job_id)["job"]["status"] == "cancelled"
    assert _json(cli, "job", "retry", job_id)["job"]["status"] == "queued"
    cli("worker", "run", "--drain")
    assert _json(cli, "job", "dlq", "drop", job_id)["dropped"] == [job_id]
    one_line_error(cli("job", "show", job_id), 3, "no job")


def test_bad_input_is_one_line(cli: Cli) -> None:
    one_line_error(cli("job", "run", "teleport", "--", "x"), 1, "unknown job kind")
    one_line_error(cli("job", "run", "shell"), 1, "needs a command")
    one_line_error(cli("job", "run", "shell", "--cwd", "/no/such/dir", "--", "ls"), 1, "not a directory")
    one_line_error(cli("job", "run", "shell", "--", "echo", "ghp_" + "Zq8rT2vW9xY4bN6mK1pL3sD5fG7hJ0aC2eE4"), 1,
                   "holds a secret")
    one_line_error(cli("job", "run", "shell", "--attempts", "0", "--", "ls"), 1, "--attempts")
    one_line_error(cli("worker", "run", "--concurrency", "0"), 1, "--concurrency")


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "llm"])
@pytest.mark.parametrize("command", [("job", "list"), ("job", "show", "LAST"), ("job", "logs", "LAST"),
                                     ("job", "dlq", "list")])
def test_every_job_read_command_speaks_every_format(cli: Cli, fmt: str, command: tuple[str, ...]) -> None:
    job_id = _json(cli, "job", "run", "fake", "--wait", "--", "echo:x")["job"]["id"]
    result = cli(*[job_id if part == "LAST" else part for part in command], "--format", fmt)
    assert result.code == 0, result.err
    if fmt == "json":
        assert json.loads(result.out)["schema"].startswith("perth.job.")
    else:
        assert result.out.strip()


def test_a_missing_extra_is_a_one_line_error_naming_the_install(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "asyncssh", None)
    one_line_error(cli("job", "run", "ssh", "--target", "me@host", "--", "uptime"), 4, "pip install 'perth[ops]'")


def test_the_status_line_draws_on_a_terminal_only() -> None:
    import io

    from perth.cli.progress import StatusLine

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        with StatusLine(stream) as line:
            line.show("job 1a2b3c4d running, attempt 1/3")
    assert "job 1a2b3c4d running, attempt 1/3 ... 0 s" in tty.getvalue() and tty.getvalue().endswith("\r\x1b[K")
    assert pipe.getvalue() == ""
