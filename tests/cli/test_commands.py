"""The CLI end to end (in-process): every command, its exit codes and one-line errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Cli = Callable[..., Any]


def one_line_error(result: Any, code: int, *needles: str) -> None:
    assert result.code == code, (result.code, result.err)
    err = result.err.strip()
    assert err.startswith("perth: error: "), err
    assert "\n" not in err, err
    assert " — " in err, "the message must say how to fix it"
    for needle in needles:
        assert needle in err


def test_log_then_history_show_edit_delete(cli: Cli) -> None:
    logged = cli("log", "first", "step", "--pane", "p", "-t", "decision", "--tag", "x", "-a", "f.txt",
                 "-c", "make", "-g", "closer", "--format", "json")
    assert logged.code == 0
    entry = json.loads(logged.out)["entry"]
    assert entry["summary"] == "first step"
    short = entry["id"][-8:]
    shown = cli("show", short)
    assert shown.code == 0 and "first step" in shown.out and "closer" in shown.out and "make" in shown.out
    assert cli("entry", "edit", short, "--summary", "renamed").code == 0
    assert "renamed" in cli("history", "--pane", "p").out
    assert cli("entry", "delete", short).code == 0
    assert "renamed" not in cli("history").out
    assert "renamed" in cli("history", "--include-deleted").out
    assert cli("entry", "restore", short).code == 0


def test_log_reads_stdin(cli: Cli) -> None:
    assert cli("log", "-", "--pane", "p", stdin="from\nstdin\n").code == 0
    history = json.loads(cli("history", "--format", "json").out)
    assert history["entries"][0]["summary"] == "from\nstdin"


def test_pane_lifecycle(cli: Cli) -> None:
    assert cli("pane", "create", "fix/a", "--tag", "t", "--meta", "k=v").code == 0
    one_line_error(cli("pane", "create", "fix/a"), 1, "already exists")
    assert cli("pane", "rename", "fix/a", "fix/b").code == 0
    assert cli("pane", "tag", "fix/b", "u", "--remove", "t").code == 0
    assert cli("pane", "meta", "fix/b", "k2=v2", "--unset", "k").code == 0
    shown = json.loads(cli("pane", "show", "fix/b", "--format", "json").out)["pane"]
    assert (shown["tags"], shown["meta"]) == (["u"], {"k2": "v2"})
    for action, status in (("close", "closed"), ("archive", "archived"), ("reopen", "active")):
        assert cli("pane", action, "fix/b").code == 0
        assert json.loads(cli("pane", "show", "fix/b", "-f", "json").out)["pane"]["status"] == status
    assert "fix/b" in cli("pane", "list").out
    assert cli("pane", "delete", "fix/b").code == 0
    assert "fix/b" not in cli("pane", "list").out
    assert "fix/b" in cli("pane", "list", "--include-deleted").out


def test_status_names_the_current_pane_and_how(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERTH_PANE", "env-pane")
    assert cli("log", "hello").code == 0
    result = cli("status")
    assert result.code == 0
    assert "Current pane: env-pane — from $PERTH_PANE" in result.out
    assert "hello" in result.out


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "llm"])
@pytest.mark.parametrize("command", [
    ("pane", "list"), ("pane", "show", "p"), ("history",), ("status",), ("config", "show"),
    ("config", "get", "output.format"), ("doctor",), ("show", "LAST"),
])
def test_every_read_command_speaks_every_format(cli: Cli, fmt: str, command: tuple[str, ...]) -> None:
    logged = json.loads(cli("log", "x", "--pane", "p", "--format", "json").out)["entry"]
    args = [logged["id"] if part == "LAST" else part for part in command]
    result = cli(*args, "--format", fmt)
    assert result.code == 0, result.err
    assert result.out.strip()
    if fmt == "json":
        assert json.loads(result.out)["schema"].startswith("perth.")
    if fmt == "markdown":
        assert result.out.lstrip().startswith("#") or "|" in result.out or "- " in result.out


def test_export_import_via_files(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("log", "exported", "--pane", "p").code == 0
    target = tmp_path / "out.jsonl"
    assert cli("export", "-o", str(target)).code == 0
    monkeypatch.setenv("PERTH_HOME", str(tmp_path / "other"))
    first = json.loads(cli("import", str(target), "--format", "json").out)
    assert (first["panes_added"], first["entries_added"]) == (1, 1)
    second = json.loads(cli("import", str(target), "--format", "json").out)
    assert (second["panes_added"], second["entries_added"], second["entries_skipped"]) == (0, 0, 1)
    one_line_error(cli("import", str(tmp_path / "missing.jsonl")), 3, "no such file")


def test_bad_input_errors(cli: Cli, perth_home: Path) -> None:
    one_line_error(cli("log", "x", "--pane", "bad name"), 1, "invalid pane name")
    one_line_error(cli("log", "x", "--type", "epiphany"), 1, "unknown type 'epiphany'", "checkpoint")
    one_line_error(cli("log", "x", "--source", "robot"), 1, "unknown source 'robot'")
    one_line_error(cli("show", "ffffffff"), 3, "no entry")
    one_line_error(cli("pane", "show", "ghost"), 3, "no pane named 'ghost'")
    one_line_error(cli("history", "--since", "soonish"), 1, "invalid time")
    one_line_error(cli("nonsense"), 2, "invalid choice")
    one_line_error(cli("log"), 2, "required")
    one_line_error(cli("config", "set", "output.format", "xml"), 1, "output.format must be one of")
    one_line_error(cli("config", "get", "output.fromat"), 3, "did you mean 'output.format'")
    one_line_error(cli("--set", "history.limit=zero", "history"), 1, "history.limit must be an integer")


def test_broken_config_file_is_one_line_and_doctor_still_reports(cli: Cli, perth_home: Path) -> None:
    perth_home.mkdir(parents=True)
    (perth_home / "config.toml").write_text("[output]\nformat = \n")
    one_line_error(cli("history"), 1, "not valid TOML")
    doctor = cli("doctor")
    assert doctor.code == 1
    assert "FAIL" in doctor.out and "not valid TOML" in doctor.out


def test_config_commands(cli: Cli, perth_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("config", "path").out.strip() == str(perth_home / "config.toml")
    assert cli("config", "set", "history.limit", "5").code == 0
    assert cli("config", "get", "history.limit").out.strip() == "5"
    monkeypatch.setenv("PERTH_HISTORY__LIMIT", "6")
    got = json.loads(cli("config", "get", "history.limit", "-f", "json").out)
    assert got["values"] == [{"key": "history.limit", "value": "6", "source": "env"}]
    assert cli("config", "unset", "history.limit").code == 0
    assert "was not set" in cli("config", "unset", "history.limit").out


def test_version_and_help(cli: Cli) -> None:
    with pytest.raises(SystemExit) as version:
        cli("--version")
    assert version.value.code == 0
    assert cli().code == 0


def test_log_file_records_commands(cli: Cli, perth_home: Path) -> None:
    assert cli("config", "set", "log.file", "perth.log").code == 0
    assert cli("log", "x", "--pane", "p").code == 0
    assert cli("show", "ffffffff").code == 3
    lines = [json.loads(line) for line in (perth_home / "state" / "logs" / "perth.log").read_text().splitlines()]
    assert [(r["command"], r["exit"]) for r in lines] == [("log", 0), ("show", 3)]
    assert lines[1]["level"] == "error" and "no entry" in lines[1]["error"]


def test_verbose_explains_on_stderr(cli: Cli, perth_home: Path) -> None:
    result = cli("--verbose", "--set", "history.limit=3", "history")
    assert result.code == 0
    assert "perth: history exited 0 after" in result.err
    assert f"store {perth_home / 'perth.db'}" in result.err
    assert "history.limit (flag)" in result.err


def test_progress_is_silent_off_a_terminal_and_counts_on_one() -> None:
    import io

    from perth.cli.progress import Progress

    quiet = io.StringIO()
    assert list(Progress("x", stream=quiet).track(range(5))) == [0, 1, 2, 3, 4]
    assert quiet.getvalue() == ""

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    loud = Tty()
    progress = Progress("reading", stream=loud, delay_s=0)
    assert sum(progress.track(range(3))) == 3
    assert loud.getvalue().endswith("reading: 3 lines, done\n")


def test_spinner_draws_only_on_a_terminal_and_erases_itself() -> None:
    import io
    import threading

    from perth.cli.progress import Spinner

    quiet = io.StringIO()
    with Spinner("summarizing", stream=quiet, delay_s=0):
        threading.Event().wait(0.05)
    assert quiet.getvalue() == ""

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    loud = Tty()
    with Spinner("summarizing (anthropic -> none)", stream=loud, delay_s=0.01) as spinner:
        deadline = threading.Event()
        for _ in range(200):
            if spinner.drawn:
                break
            deadline.wait(0.01)
    assert "\rsummarizing (anthropic -> none) ... 0 s" in loud.getvalue()
    assert loud.getvalue().endswith("\r\x1b[K")


def _shell_checks(cli: Cli) -> dict[str, Any]:
    return {c["name"]: c for c in json.loads(cli("doctor", "--format", "json").out)["checks"] if c["area"] == "shell"}


def test_doctor_warns_about_the_slow_init_form(cli: Cli) -> None:
    import os

    home = Path(os.environ["HOME"])
    (home / ".zshrc").write_text('# was: eval "$(perth init zsh)"\neval "$(perth init zsh)"\n')
    (home / ".config" / "fish").mkdir(parents=True, exist_ok=True)
    (home / ".config" / "fish" / "config.fish").write_text("perth init fish | source\n")
    checks = _shell_checks(cli)
    assert checks["zsh"]["status"] == "warn"  # zsh, bash and fish are installed by make test
    assert "starts Python in every new shell" in checks["zsh"]["detail"]
    assert checks["zsh"]["fix"].startswith("run `perth init zsh --install`")
    assert checks["fish"]["status"] == "warn"
    assert checks["bash"]["fix"] == "to record them, run `perth init bash --install` and add the line it prints to ~/.bashrc"


def test_doctor_accepts_the_installed_form_and_ignores_comments(cli: Cli) -> None:
    import os

    home = Path(os.environ["HOME"])
    installed = cli("init", "zsh", "--install")
    assert installed.code == 0
    line = installed.out.strip()
    (home / ".zshrc").write_text(f'# eval "$(perth init zsh)" made every shell slow\n{line}\n')
    checks = _shell_checks(cli)
    assert checks["zsh"] == {"area": "shell", "name": "zsh", "status": "ok",
                             "detail": "commands recorded (loaded from ~/.zshrc)", "fix": ""}
    script = Path(line.split(" ", 1)[1].strip("'"))
    script.write_text(script.read_text().replace("# Perth 0.", "# Perth 0.0.0-old 0.", 1))
    stale = _shell_checks(cli)["zsh script"]
    assert stale["status"] == "warn" and "written by Perth 0.0.0-old" in stale["detail"]
    assert stale["fix"] == "or rewrite it now: perth init zsh --install"


def test_console_entry_point_flushes_and_keeps_exit_codes(perth_proc: Any) -> None:
    logged = perth_proc("log", "through the real entry point", "--pane", "p")
    assert logged.returncode == 0
    assert logged.stdout.startswith("logged checkpoint ")
    missing = perth_proc("show", "ffffffff")
    assert missing.returncode == 3
    assert missing.stderr.startswith("perth: error: no entry")
    assert perth_proc("--version").stdout.strip().startswith("perth ")
    assert perth_proc("bogus").returncode == 2
    piped = perth_proc("history", "--format", "json")
    assert json.loads(piped.stdout)["count"] == 1
