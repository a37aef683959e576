"""The pty worker: real programs under a pseudo-terminal (prompts, keys, secrets typed from the
environment, stop, timeouts), and the worker's step logic on the shipped fake terminal."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from perth.errors import InvalidInputError
from perth.ops.service import JobSpec, find, submit, wait
from perth.ops.terminal import FakeTerminal, PtyTerminal, PtyWorker
from perth.runtime import Runtime

GREETER = "n = input('name? '); k = input('pin: '); print('hello', n, 'len', len(k))"


def pty_job(rt: Runtime, *argv: str, steps: list[str], **spec: object) -> str:
    options = {"steps": steps, **spec.pop("options", {})}  # type: ignore[dict-item]
    return submit(rt, JobSpec(kind="pty", args=argv, options=options, **spec)).id  # type: ignore[arg-type]


def test_prompts_are_answered_and_a_password_comes_from_the_environment(
        rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    password = "Pw" + "kq3NcV8xZt2LmR5w"
    monkeypatch.setenv("APP_PASSWORD", password)
    job = wait(rt, find(rt, pty_job(rt, sys.executable, "-c", GREETER, options={"env": ["APP_PASSWORD"]},
                                    steps=["expect:name? ", "send:Ada\\n", "expect:pin: ",
                                           "send-env:APP_PASSWORD", f"expect:hello Ada len {len(password)}"])))
    assert (job.status, job.exit_code) == ("succeeded", 0)
    assert job.output.startswith("name? Ada\npin: ") and f"hello Ada len {len(password)}" in job.output


def test_stop_ends_an_interactive_shell(rt: Runtime, tmp_path: Path) -> None:
    marker = tmp_path / "seen"
    job = wait(rt, find(rt, pty_job(rt, "bash", "--norc", "--noprofile", "-i",
                                    timeout_s=20, steps=["expect:bash-", f"send:echo typed > {marker}\\n", "sleep:0.3", "stop"])))
    assert job.status in ("succeeded", "failed") and job.exit_code is not None
    assert marker.read_text() == "typed\n"


def test_text_that_never_appears_times_out(rt: Runtime) -> None:
    started = time.monotonic()
    job = wait(rt, find(rt, pty_job(rt, "sleep", "30", steps=["expect:never printed"], timeout_s=1,
                                    max_attempts=1)))
    assert (job.status, job.error_kind) == ("dead", "timeout")
    assert time.monotonic() - started < 10


def test_the_terminal_port_on_a_real_program() -> None:
    term = PtyTerminal()
    term.start(["cat"], cwd=None, env={"PATH": "/usr/bin:/bin"}, rows=10, cols=40)
    term.send("first\n")
    never = threading.Event()
    assert term.wait_for("first", time.monotonic() + 5, never)
    term.send("second\n")
    assert term.wait_for("second", time.monotonic() + 5, never)
    assert not term.wait_for("third", time.monotonic() + 0.3, never)
    assert term.capture().count("first") >= 1
    assert term.stop() is not None


class _IO:
    """Just enough of JobIO for the worker's step logic."""

    def __init__(self) -> None:
        from perth.ops.output import OutputSink
        from perth.redact import SecretFilter

        self.output = OutputSink(None, 10_000, SecretFilter())
        self.stop = threading.Event()
        self.deadline = time.monotonic() + 5
        self.lines: list[str] = []

    def log(self, text: str, level: str = "info") -> None:
        self.lines.append(text)

    def started_processes(self, pid: int, pgid: int) -> None:
        pass

    def environment(self, names: tuple[str, ...]) -> dict[str, str]:
        return {}


def test_the_worker_plays_steps_on_the_fake_terminal() -> None:
    from perth.ops.model import Job

    fake = FakeTerminal(greeting="login: ", replies={"ada\n": "welcome\n$ "})
    job = Job(id="j", kind="pty", target="local", args=("login",), options={"steps": [
        "expect:login: ", "send:ada\\n", "expect:welcome", "stop"]})
    io = _IO()
    result = PtyWorker(lambda: fake).run(job, io)  # type: ignore[arg-type]
    assert (result.ok, fake.typed, fake.stopped) == (True, ["ada\n"], True)
    assert io.output.close() == "login: ada\nwelcome\n$ "
    with pytest.raises(InvalidInputError, match="unknown pty step"):
        PtyWorker().check(Job(id="j", kind="pty", target="local", args=("x",), options={"steps": ["type:x"]}))
