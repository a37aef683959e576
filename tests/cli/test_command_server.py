"""The command server (perth.cli.server) and the entry point that hands commands to it (perth.cli.launch):
a real server process on a Unix socket, real ``python -m perth`` clients, output compared with the
same command run without the server."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perth.capture.spool_format import SpoolRecord, format_line
from perth.cli import launch
from perth.cli.argv import command_name
from perth.cli.launch import SERVED, parse_request, request, socket_path

Proc = Callable[..., subprocess.CompletedProcess[str]]
#: Prints what ``through_server`` returned for ``sys.argv[1:]``: an exit code, or None when not served.
PROBE = textwrap.dedent("""
    import os, sys
    from perth.cli.launch import through_server
    saved = os.dup(1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    code = through_server(sys.argv[1:])
    os.dup2(saved, 1)
    print(code)
""")


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def sock_of(home: Path) -> str:
    return socket_path(str(home / "state"))


@pytest.fixture
def server(perth_home: Path, perth_proc: Proc) -> Iterator[subprocess.Popen[str]]:
    """A command server for the test's PERTH_HOME, with a few entries in the store."""
    for text in ("deploy the billing service", "fix the flaky login test", "rotate the token=hunter2hunter2x"):
        assert perth_proc("log", text).returncode == 0
    process = subprocess.Popen([sys.executable, "-m", "perth.cli.server", sock_of(perth_home)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: os.path.exists(sock_of(perth_home))), "the server listens"
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)


def served(*argv: str, env: dict[str, str] | None = None) -> str:
    """What ``through_server`` returned for ``argv`` in a fresh process."""
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


# -- the protocol -------------------------------------------------------------------------------

_TEXT = st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(argv=st.lists(_TEXT, max_size=8), cwd=_TEXT,
       environ=st.dictionaries(st.text(st.characters(blacklist_characters="\0=", blacklist_categories=("Cs",)),
                                       min_size=1, max_size=12), _TEXT, max_size=8))
def test_requests_round_trip(argv: list[str], cwd: str, environ: dict[str, str]) -> None:
    encodings = [("utf-8", "strict"), ("utf-8", "strict"), ("utf-8", "backslashreplace")]
    message = request(argv, cwd, environ, encodings)
    assert int.from_bytes(message[:8], "big") == len(message) - 8
    assert parse_request(message[8:]) == (launch.__version__, cwd, encodings, argv, environ)


def test_undecodable_arguments_round_trip() -> None:
    argv = ["search", os.fsdecode(b"caf\xe9")]  # a lone surrogate: bytes no locale decodes
    message = request(argv, "/", {"X": os.fsdecode(b"\xff")}, [("utf-8", "strict")] * 3)
    assert parse_request(message[8:])[3] == argv


@pytest.mark.parametrize("body", [b"", b"HTTP/1.1\0x", b"PERTH-CLI/1\x000.1\0/\0a:b\0a:b\0a:b\x005\0search"])
def test_a_malformed_request_is_refused(body: bytes) -> None:
    with pytest.raises(ValueError, match="request"):
        parse_request(body)


def test_the_command_is_the_first_word_that_is_not_an_option() -> None:
    assert command_name(["search", "x"], SERVED) == "search"
    assert command_name(["--set", "output.format=json", "history"], SERVED) == "history"
    assert command_name(["-v", "status"], SERVED) == "status"
    assert command_name(["pane", "search"], SERVED) is None
    assert command_name(["--set", "search"], SERVED) is None  # the value of --set, not a command
    assert command_name([], SERVED) is None


def test_a_socket_path_too_long_moves_to_a_private_directory(tmp_path: Path) -> None:
    short = socket_path(str(tmp_path))
    assert short == str(tmp_path / "command.sock")
    deep = str(tmp_path / ("d" * 120))
    moved = socket_path(deep)
    assert len(os.fsencode(moved)) <= 108
    assert moved != socket_path(str(tmp_path / ("e" * 120)))  # one per state directory


# -- a real server ------------------------------------------------------------------------------

@pytest.mark.integration
@pytest.mark.parametrize("argv", [
    ("search", "billing"),
    ("search", "token", "--format", "json"),
    ("history", "--limit", "2"),
    ("history", "--format", "json"),
    ("status",),
    ("show", "zz"),  # an error: its message and exit code
    ("search",),  # a usage error
    ("search", "--help"),
    ("log", "-", "--pane", "ops"),  # the summary read from the client's standard input
])
def test_a_served_command_prints_and_exits_as_the_same_command_run_here(
        server: subprocess.Popen[str], perth_proc: Proc, argv: tuple[str, ...]) -> None:
    if argv[0] != "log":  # (the probe's standard input is not a summary)
        assert served(*argv) != "None", "the command went through the server"
    through = perth_proc(*argv, stdin="rolled back the billing deploy")
    here = perth_proc(*argv, env={"PERTH_COMMAND_SERVER": "0"}, stdin="rolled back the billing deploy")
    if argv[0] == "log":  # each run logs an entry of its own: the same words, another id
        assert through.returncode == here.returncode == 0
        entries = json.loads(perth_proc("history", "--pane", "ops", "--format", "json").stdout)["entries"]
        assert [e["summary"] for e in entries] == ["rolled back the billing deploy"] * 2
        return
    assert (through.returncode, through.stdout, through.stderr) == (here.returncode, here.stdout, here.stderr)
    assert "hunter2hunter2x" not in through.stdout + through.stderr  # the secret filter still runs


@pytest.mark.integration
def test_the_command_gets_the_clients_environment_and_directory(
        server: subprocess.Popen[str], perth_proc: Proc, tmp_path: Path) -> None:
    as_json = perth_proc("history", "--limit", "1", env={"PERTH_OUTPUT__FORMAT": "json"})
    assert served("history", env={"PERTH_OUTPUT__FORMAT": "json"}) == "0"
    assert json.loads(as_json.stdout)["entries"], as_json.stdout  # the server's own environment has no such key
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    spool = Path(os.environ["PERTH_HOME"]) / "state" / "spool"
    spool.mkdir(parents=True, exist_ok=True)
    (spool / "zsh-d1.spool").write_text("".join(
        format_line(SpoolRecord(start, 10, 0, "zsh", "d1", "", "", "", cwd, "", "", "h", "u", command)) + "\n"
        for start, cwd, command in ((1, str(elsewhere), "make billing"), (2, "/", "make billing-elsewhere"))))
    assert perth_proc("ingest").returncode == 0
    argv = ("history", "--commands", "--cwd", ".", "--format", "json")
    assert served(*argv) == "0"
    through = perth_proc(*argv, cwd=elsewhere)
    here = perth_proc(*argv, env={"PERTH_COMMAND_SERVER": "0"}, cwd=elsewhere)
    assert (through.returncode, through.stdout, through.stderr) == (here.returncode, here.stdout, here.stderr)
    assert [c["command"] for c in json.loads(through.stdout)["commands"]] == ["make billing"]

@pytest.mark.integration
def test_commands_it_does_not_serve_and_the_opt_out_run_here(server: subprocess.Popen[str]) -> None:
    assert served("pane", "list") == "None"
    assert served("search", "billing", env={"PERTH_COMMAND_SERVER": "0"}) == "None"
    assert served("search", "billing") == "0"


@pytest.mark.integration
def test_the_socket_is_private(server: subprocess.Popen[str], perth_home: Path) -> None:
    path = sock_of(perth_home)
    assert stat.S_ISSOCK(os.stat(path).st_mode)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700


@pytest.mark.integration
def test_a_stale_socket_or_a_closed_stream_runs_the_command_here(
        server: subprocess.Popen[str], perth_home: Path, perth_proc: Proc) -> None:
    def close_stdin() -> None:
        os.close(0)

    closed = subprocess.run([sys.executable, "-m", "perth", "search", "billing"], capture_output=True, text=True,
                            timeout=60, check=False, preexec_fn=close_stdin)  # fd 0 cannot be passed
    assert closed.stdout == perth_proc("search", "billing", env={"PERTH_COMMAND_SERVER": "0"}).stdout
    assert closed.returncode == 0
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=30)
    assert os.path.exists(sock_of(perth_home)), "a killed server leaves its socket"
    assert served("search", "billing") == "None"
    after = perth_proc("search", "billing")
    assert after.returncode == 0
    assert "billing" in after.stdout


@pytest.mark.integration
def test_a_server_of_changed_code_declines_and_stops(perth_home: Path, tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import itertools, perth.cli.server as server
        stamps = itertools.count()
        server.code_stamp = lambda: (next(stamps),)  # the code changes after start-up
        server.serve({sock_of(perth_home)!r})
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert wait_for(lambda: os.path.exists(sock_of(perth_home)))
        assert served("status") == "None"
        assert process.wait(timeout=30) == 0
        assert not os.path.exists(sock_of(perth_home)), "a stopping server removes its socket"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.integration
def test_the_server_stops_when_the_process_that_started_it_ends(perth_home: Path) -> None:
    starter = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-m", "perth.cli.server", {sock_of(perth_home)!r}])
        print(child.pid, flush=True)
        sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert starter.stdout is not None and starter.stdin is not None
    pid = int(starter.stdout.readline())
    assert wait_for(lambda: os.path.exists(sock_of(perth_home)))
    starter.kill()
    starter.wait()

    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        with open(f"/proc/{pid}/stat") as status:  # a zombie waiting for init counts as gone
            return status.read().split(") ")[1].startswith("Z")

    assert wait_for(gone), "the orphaned server stopped by itself"


def test_preloading_leaves_no_module_of_perth_for_a_served_command_to_import(perth_proc: Proc) -> None:
    assert perth_proc("log", "an entry to list").returncode == 0
    script = textwrap.dedent("""
        import os, sys
        from perth.cli.server import WARM_ARGV, preload
        preload()
        from perth.cli.main import invoke
        before = set(sys.modules)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        for argv in WARM_ARGV:
            invoke(list(argv))
        os.write(3, " ".join(sorted(name for name in set(sys.modules) - before if "perth" in name)).encode())
    """)
    read, write = os.pipe()
    done = subprocess.run([sys.executable, "-c", script], pass_fds=(write,), env=dict(os.environ), timeout=60,
                          check=False, preexec_fn=lambda: os.dup2(write, 3))
    os.close(write)
    with os.fdopen(read) as pipe:
        imported = pipe.read()
    assert done.returncode == 0
    assert imported == "", f"add to perth.cli.server.PRELOAD: {imported}"


@pytest.mark.integration
def test_the_daemon_runs_the_server_restarts_it_and_stops_it(perth_home: Path, perth_proc: Proc) -> None:
    assert perth_proc("log", "deploy the billing service").returncode == 0
    env = {**os.environ, "PERTH_CAPTURE__AUTO_INGEST_BUDGET_MS": "0"}
    daemon = subprocess.Popen([sys.executable, "-m", "perth", "daemon"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: os.path.exists(sock_of(perth_home)))
        assert served("search", "billing") == "0"
        status = json.loads(perth_proc("daemon", "status", "--format", "json").stdout)["command_server"]
        assert status == {"enabled": True, "listening": True, "socket": sock_of(perth_home)}
        lines = []
        assert daemon.stdout is not None
        while not any("command server started" in line for line in lines):
            lines.append(daemon.stdout.readline())
        first = int(lines[-1].split("(pid ")[1].split(")")[0])
        os.kill(first, signal.SIGKILL)
        while not any("command server started again" in line for line in lines):
            lines.append(daemon.stdout.readline())
        assert wait_for(lambda: served("search", "billing") == "0")
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, _err = daemon.communicate(timeout=30)
    assert daemon.returncode == 0
    assert "daemon stopped" in out
    assert wait_for(lambda: not os.path.exists(sock_of(perth_home))), "the server stopped with the daemon"


@pytest.mark.integration
def test_the_daemon_without_the_server(perth_home: Path) -> None:
    env = {**os.environ, "PERTH_DAEMON__COMMAND_SERVER": "false"}
    daemon = subprocess.Popen([sys.executable, "-m", "perth", "daemon"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for((perth_home / "state" / "daemon.lock").exists)
        time.sleep(0.5)
        assert not os.path.exists(sock_of(perth_home))
        status = subprocess.run([sys.executable, "-m", "perth", "daemon", "status"], env=env, capture_output=True,
                                text=True, timeout=60, check=True).stdout
        assert "off (daemon.command_server)" in status
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, _err = daemon.communicate(timeout=30)
    assert "command-server" not in out


@pytest.mark.integration
def test_a_terminal_with_tostop_still_gets_the_output(server: subprocess.Popen[str]) -> None:
    """The forked copy writes to a terminal it does not control (it is in the daemon's session), so the
    terminal's job control (``stty tostop`` stops background writers) never stops it half-way."""
    import fcntl
    import termios

    master, slave = os.openpty()
    attributes = termios.tcgetattr(slave)
    attributes[3] |= termios.TOSTOP
    termios.tcsetattr(slave, termios.TCSANOW, attributes)

    def take_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen([sys.executable, "-m", "perth", "search", "billing"], stdin=slave, stdout=slave,
                               stderr=slave, start_new_session=True,
                               preexec_fn=take_terminal)  # noqa: PLW1509 - one ioctl, no lock
    os.close(slave)
    output = b""
    try:
        assert process.wait(timeout=60) == 0
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal is closed once every process holding it has exited
                break
            if not chunk:
                break
            output += chunk
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert b"billing" in output


def test_only_a_socket_of_this_user_in_a_private_directory_gets_the_request(tmp_path: Path) -> None:
    """The request carries the environment and the standard streams: a socket another user could have
    put there (a directory others can write to), or something else than a socket, is never used."""
    import socket

    from perth.cli.launch import _ours

    private, shared = tmp_path / "private", tmp_path / "shared"
    for folder, mode in ((private, 0o700), (shared, 0o777)):
        folder.mkdir()
        folder.chmod(mode)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(folder / "command.sock"))
        listener.close()
    (private / "plain").write_text("")
    assert _ours(str(private / "command.sock"))
    assert not _ours(str(shared / "command.sock"))
    assert not _ours(str(private / "plain"))
    assert not _ours(str(private / "missing.sock"))
