"""The shell hooks, in real interactive zsh, bash and fish driven through a pseudo-terminal.

Every shell runs with PATH pointing at an empty directory once the integration is
sourced: an external command in a hook would fail (and leave a field empty or a
"command not found" on the screen).  External programs the tests need (sleep, git)
are typed with absolute paths.
"""

from __future__ import annotations

import itertools
import shutil
import socket
import stat
import time
from pathlib import Path

import pytest

from perth.capture.integration import global_pause_flag, session_pause_flag
from perth.capture.spool_format import SpoolRecord
from tests.capture.shell_driver import QUOTED_INSERT, InteractiveShell
from tests.gitrepo import git

pytestmark = pytest.mark.integration

SHELLS = [pytest.param(name, marks=pytest.mark.skipif(shutil.which(name) is None, reason=f"{name} is not installed"))
          for name in ("zsh", "bash", "fish")]
PANES = {"PERTH_PANE": "fix/auth-bug", "TMUX_PANE": "%3", "ZELLIJ_PANE_ID": "7"}
NOT_FOUND = ("command not found", "Unknown command", "not found")
SLEEP = shutil.which("sleep") or "/bin/sleep"
GIT = shutil.which("git") or "/usr/bin/git"
TRUE = shutil.which("true") or "/bin/true"
BIG = ": " + "x" * 100_000


def commands(shell: InteractiveShell) -> list[str]:
    return [record.command for record in shell.records()]


def echoed(shell: InteractiveShell, name: str) -> str:
    """The value printed by a command ``echo "<name>=[...]"`` typed earlier."""
    text = shell.text()
    marker = f"{name}=["
    start = text.rindex(marker) + len(marker)
    return text[start:text.index("]", start)]


def special_commands(shell: str) -> list[tuple[bytes, str, bool]]:
    """(keys to type, command the shell runs, pasted?) for the characters each shell lets one type."""
    unicode = ('echo "é ü 😀" \\\\ back\\\\slash', 'echo "é ü 😀" \\\\ back\\\\slash')
    cases = [(unicode[0].encode(), unicode[1], True),
             (b'echo "first\nsecond"', 'echo "first\nsecond"', True)]
    if shell != "fish":  # fish has no quoted-insert, drops pasted tabs and rejects invalid bytes
        cases += [(b"echo 'a\tb'", "echo 'a\tb'", True),
                  (b": inv\xffalid \xc3 end", ": inv\\xffalid \\xc3 end", True),
                  (b": cr" + QUOTED_INSERT + b"\rx", ": cr\rx", False)]
    return cases


@pytest.mark.parametrize("installed", [False, True], ids=["eval", "installed"])
@pytest.mark.parametrize("shell_name", SHELLS)
def test_every_field_of_every_command(shell_name: str, installed: bool, tmp_path: Path) -> None:
    before_us = time.time_ns() // 1000
    with InteractiveShell(shell_name, tmp_path, env=PANES, installed=installed) as shell:
        shell.run("true")
        shell.run('echo "U=[$_user_pre/$_user_post]"')
        shell.run("false")
        shell.run(f"{SLEEP} 0.2")
        expected = ["true", 'echo "U=[$_user_pre/$_user_post]"', "false", f"{SLEEP} 0.2"]
        for keys, command, paste in special_commands(shell_name):
            shell.run(keys, paste=paste)
            expected.append(command)
        shell.run(BIG, paste=True)
        shell.run('echo "USER=[$USER]"')
        expected += [BIG, 'echo "USER=[$USER]"']
        records = shell.records()
        after_us = time.time_ns() // 1000
        assert not any(text in shell.text() for text in NOT_FOUND), shell.text()[-2000:]
        user_hooks = echoed(shell, "U")
        user = echoed(shell, "USER")
    assert [record.command for record in records] == expected
    assert [record.exit for record in records[:3]] == [0, 0, 1]
    assert all(record.exit == 0 for record in records[3:])
    assert 200_000 <= records[3].duration_us < 10_000_000
    assert user_hooks == {"zsh": "2/2", "bash": "2/2", "fish": "2/1"}[shell_name]  # the user's own hooks still run
    (spool,) = shell.spool_files()
    session = spool.name.removeprefix(f"{shell_name}-").removesuffix(".spool")
    for record in records:
        assert_context(record, shell_name, session, cwd=str(shell.home), user=user)
    check_times(records, shell_name, before_us, after_us)


def assert_context(record: SpoolRecord, shell_name: str, session: str, *, cwd: str, user: str) -> None:
    assert (record.shell, record.session) == (shell_name, session)
    assert (record.perth_pane, record.tmux_pane, record.zellij_pane) == tuple(PANES.values())
    assert (record.cwd, record.repo_root, record.branch) == (cwd, "", "")
    assert (record.host, record.user) == (socket.gethostname(), user)
    assert record.duration_us >= 0


def check_times(records: list[SpoolRecord], shell_name: str, before_us: int, after_us: int) -> None:
    slack = 0
    if shell_name == "fish":  # a whole-second clock (path mtime), kept in order; durations are whole ms
        assert all(record.duration_us % 1000 == 0 for record in records)
        slack = 1_000_000
    starts = [record.start_us or 0 for record in records]
    assert all(before_us - slack <= start <= after_us for start in starts)
    assert starts == sorted(starts)
    for record, following in itertools.pairwise(records):
        assert record.start_us is not None and following.start_us is not None
        assert record.start_us + record.duration_us <= following.start_us


@pytest.mark.parametrize("shell_name", SHELLS)
def test_leading_space_pause_and_a_spool_renamed_away(shell_name: str, tmp_path: Path) -> None:
    with InteractiveShell(shell_name, tmp_path) as shell:
        shell.run("echo one")
        shell.run(" echo hidden-by-space")
        shell.run("")
        session = shell.records()[0].session
        flag = Path(session_pause_flag(str(shell.spool_dir), session))
        flag.touch()
        shell.run("echo paused-session")
        flag.unlink()
        shell.run("echo two")
        everywhere = Path(global_pause_flag(str(shell.spool_dir)))
        everywhere.touch()
        shell.run("echo paused-everywhere")
        everywhere.unlink()
        (spool,) = shell.spool_files()
        spool.rename(spool.with_name(spool.name + ".ingesting"))  # what an ingester may do between commands
        shell.run("echo three")
        shell.run(f"{shutil.which('env') or '/usr/bin/env'} > exported.txt")
        recorded = commands(shell)
        renamed = [path.name for path in shell.spool_files()]
        history = history_text(shell, shell_name)
    assert recorded[:4] == ["echo one", "echo two", "echo three", f"{shutil.which('env') or '/usr/bin/env'} > exported.txt"]
    assert sorted(renamed) == sorted([spool.name, spool.name + ".ingesting"])
    assert stat.S_IMODE(spool.stat().st_mode) == 0o600  # re-created by the hook under umask 022
    assert stat.S_IMODE(shell.spool_dir.stat().st_mode) == 0o700
    assert f"PERTH_SESSION={session}\n" in (shell.home / "exported.txt").read_text()
    assert "hidden-by-space" not in history  # bash: Perth took over HISTCONTROL=ignorespace


def history_text(shell: InteractiveShell, shell_name: str) -> str:
    if shell_name != "bash":
        return ""
    shell.run("history > history.txt")
    return (shell.home / "history.txt").read_text()


@pytest.mark.parametrize("shell_name", SHELLS)
def test_repository_root_and_branch_follow_cd_and_checkout(shell_name: str, tmp_path: Path, repo: Path) -> None:
    (repo / "src").mkdir()
    worktree = tmp_path / "work" / "wt"
    git(repo, "worktree", "add", "-q", "-b", "wt-branch", str(worktree))
    plain = tmp_path / "work" / "plain"
    plain.mkdir()
    with InteractiveShell(shell_name, tmp_path / "sh") as shell:
        shell.run("set -gx PERTH_PANE work-on-x" if shell_name == "fish" else "export PERTH_PANE=work-on-x")
        shell.run(f"cd {repo}/src")
        shell.run("true")
        shell.run(f"{GIT} checkout -q -b perth/topic")
        shell.run("true")
        shell.run(f"{GIT} checkout -q --detach")
        shell.run(f"cd {worktree}")
        shell.run("true")
        shell.run(f"cd {plain}")
        shell.run("true")
        git(plain, "init", "-q", "-b", "fresh")
        shell.run("true")
        records = shell.records()
    # like the branch, the pane variables are read when the command has finished
    assert [record.perth_pane for record in records] == ["work-on-x"] * len(records)
    where = [(record.cwd, record.repo_root, record.branch) for record in records[1:]]
    assert where == [
        (str(shell.home), "", ""),
        (f"{repo}/src", str(repo), "feature/x"),
        (f"{repo}/src", str(repo), "perth/topic"),  # the branch once the command has finished
        (f"{repo}/src", str(repo), "perth/topic"),
        (f"{repo}/src", str(repo), ""),  # detached HEAD
        (f"{repo}/src", str(repo), ""),
        (str(worktree), str(worktree), "wt-branch"),  # .git is a "gitdir:" file here
        (str(worktree), str(worktree), "wt-branch"),
        (str(plain), "", ""),
        (str(plain), str(plain), "fresh"),  # `git init` in the current directory is noticed
    ]


@pytest.mark.parametrize("shell_name", SHELLS)
def test_the_hooks_never_fork(shell_name: str, tmp_path: Path, repo: Path) -> None:
    """A fork shows up in the shell's ``cminflt`` (page faults of reaped children); builtins leave it alone."""
    with InteractiveShell(shell_name, tmp_path / "sh") as shell:
        shell.run("true")
        time.sleep(0.2)
        before = shell.children_page_faults()
        for _ in range(5):
            for command in ("true", "false", f"cd {repo}", "echo in-repo", "cd /", " echo hidden", 'echo "a\nb"'):
                shell.run(command, paste="\n" in command)
        after = shell.children_page_faults()
        shell.run(TRUE)  # control: one external command is seen
        control = shell.children_page_faults()
        recorded = len(shell.records())
        screen = shell.text()
    assert recorded == 1 + 5 * 6 + 1
    assert after == before, "a hook forked"
    assert control > after
    assert not any(text in screen for text in NOT_FOUND)


def test_bash_composes_with_prompt_command_arrays_and_late_tools(tmp_path: Path) -> None:
    before = """\
set -o noclobber
_user_a() { _a_ran=$((${_a_ran:-0}+1)); }
PROMPT_COMMAND=(_user_a "$PROMPT_COMMAND")
PS0='${_uu[_user_pre+=1]-}'"""
    after = """\
_late_tool() { _late_seen=$?; return 0; }  # installed after Perth, clobbers $? like some prompt themes
PROMPT_COMMAND=(_late_tool "${PROMPT_COMMAND[@]}")
set -u"""
    with InteractiveShell("bash", tmp_path, extra_rc=before, after_rc=after) as shell:
        shell.run("false")
        shell.run('echo "SEEN=[$_late_seen] RAN=[$_a_ran] PRE=[$_user_pre] PC=[${PROMPT_COMMAND[*]}]"')
        shell.run("(exit 3)")
        records = shell.records()
        screen = shell.text()
    assert [(record.command, record.exit) for record in records] == [
        ("false", 1), ('echo "SEEN=[$_late_seen] RAN=[$_a_ran] PRE=[$_user_pre] PC=[${PROMPT_COMMAND[*]}]"', 0),
        ("(exit 3)", 3)]
    assert echoed(shell, "SEEN") == "1"  # Perth moved itself first and handed the status on
    assert echoed(shell, "RAN") == "2"  # the user's PROMPT_COMMAND entries still run
    assert echoed(shell, "PRE") == "2"  # and so does the user's PS0
    assert echoed(shell, "PC").startswith("_perth_precmd _late_tool _user_a")
    assert "unbound variable" not in screen and "cannot overwrite" not in screen


def test_zsh_is_unaffected_by_user_options(tmp_path: Path) -> None:
    extra = "setopt ksh_arrays sh_word_split no_unset rc_quotes no_multibyte_only extended_glob\nalias read=false"
    with InteractiveShell("zsh", tmp_path, extra_rc=extra) as shell:
        shell.run("cd /")
        shell.run("echo 'x  y'")
        records = shell.records()
    assert [(record.command, record.cwd) for record in records] == [("cd /", str(shell.home)), ("echo 'x  y'", "/")]


def test_bash_reads_commands_from_its_history_whatever_histcontrol_says(tmp_path: Path) -> None:
    """Repeats that ignoredups keeps out of the history are still recorded; what bash never saves is not."""
    with InteractiveShell("bash", tmp_path) as shell:  # the rc sets HISTCONTROL=ignoreboth (Debian's default)
        shell.run("echo same")
        shell.run("echo same")
        shell.run(" echo secret")
        shell.run("echo same")
        shell.run("HISTCONTROL=ignorespace:erasedups")  # changed mid-session: Perth takes ignorespace over again
        shell.run(" echo secret again")
        shell.run("echo same")
        shell.run("echo same")
        shell.run("HISTIGNORE='echo skip*'")
        shell.run("echo skip me")  # bash does not save it: Perth cannot know it, records nothing
        shell.run("set +o history")
        shell.run("echo unsaved")
        recorded = commands(shell)
        shell.run("set -o history; history > history.txt")
        history = (shell.home / "history.txt").read_text()
    assert recorded == ["echo same"] * 3 + ["HISTCONTROL=ignorespace:erasedups", "echo same", "echo same",
                                            "HISTIGNORE='echo skip*'", "set +o history"]
    assert "secret" not in history


def test_bash_with_a_read_only_histcontrol_never_records_a_wrong_command(tmp_path: Path) -> None:
    with InteractiveShell("bash", tmp_path, after_rc="readonly HISTCONTROL=ignoreboth") as shell:
        shell.run("echo one")
        shell.run(" echo secret")  # bash keeps it out of the history: the newest entry is still "echo one"
        shell.run("echo one")  # so is this repeat: with ignorespace in force Perth cannot tell the two apart
        shell.run("echo two")
        recorded = commands(shell)
    assert recorded == ["echo one", "echo two"]
