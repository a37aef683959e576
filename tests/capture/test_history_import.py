"""History file parsers: round trips through each format's writer, real files, real shells."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perth.capture.history_import import (
    ImportedCommand,
    default_history_file,
    detect_format,
    parse_history,
)
from perth.errors import InvalidInputError
from tests.capture.shell_driver import InteractiveShell

FIXTURES = Path(__file__).parent.parent / "fixtures" / "capture"
_META = {0, *range(0x83, 0xA3)}  # bytes zsh "metafies" (NUL and Meta..Marker)

# -- writers, each following its shell's own code -------------------------------------------------


def metafy(raw: bytes) -> bytes:
    out = bytearray()
    for byte in raw:
        out += bytes((0x83, byte ^ 0x20)) if byte in _META else bytes((byte,))
    return bytes(out)


def zsh_entry(command: bytes, start: int, duration: int, *, extended: bool) -> bytes:
    """One entry as zsh's savehistfile writes it."""
    text = metafy(command)
    out = bytearray(b": %d:%d;" % (start, duration) if extended else b"\\" if text[:1] == b":" else b"")
    end_backslashes = False
    for byte in text:
        if byte == 0x0A:
            out += b"\\"
        end_backslashes = byte == 0x5C or (end_backslashes and byte == 0x20)
        out.append(byte)
    if end_backslashes:
        out += b" "
    return bytes(out) + b"\n"


def bash_entry(command: bytes, start: int | None) -> bytes:
    return (b"" if start is None else b"#%d\n" % start) + command + b"\n"


def fish_entry(command: bytes, start: int, paths: list[bytes]) -> bytes:
    escaped = command.replace(b"\\", b"\\\\").replace(b"\n", b"\\n")
    out = b"- cmd: " + escaped + b"\n  when: %d\n" % start
    if paths:
        out += b"  paths:\n" + b"".join(b"    - " + path + b"\n" for path in paths)
    return out


# -- strategies ---------------------------------------------------------------------------------

PIECES = [b"a", b"Z", b" ", b"  ", b"\\", b"\\\\", b"\n", b":", b";", b"#", b"1", b"\t", b"\r", b"\x00", b"\x83",
          b"\x84", b"\xa2", b"\xa3", b"\xff", b"\xc3", "é".encode(), "😀".encode(), b"- cmd: ", b"when:"]
raw_command = st.lists(st.sampled_from(PIECES) | st.binary(min_size=1, max_size=4), min_size=1, max_size=12).map(
    b"".join).filter(lambda raw: raw.strip() != b"")
timestamp = st.integers(min_value=0, max_value=2**33)
duration = st.integers(min_value=0, max_value=10**6)


def decoded(raw: bytes) -> str:
    return raw.decode("utf-8", "backslashreplace")  # perth.text: undecodable bytes kept as \xNN


def lines_of(entries: list[bytes]) -> list[int]:
    numbers, line = [], 1
    for entry in entries:
        numbers.append(line)
        line += entry.count(b"\n")
    return numbers


# -- round trips --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(raw_command, timestamp, duration), max_size=25))
def test_zsh_extended_round_trip(items: list[tuple[bytes, int, int]]) -> None:
    entries = [zsh_entry(command, start, elapsed, extended=True) for command, start, elapsed in items]
    data = b"".join(entries)
    parsed = list(parse_history(data, "zsh"))
    assert parsed == [ImportedCommand(start * 10**6, elapsed * 10**6, decoded(command), line)
                      for (command, start, elapsed), line in zip(items, lines_of(entries), strict=True)]
    if items:
        assert detect_format(data, "zsh") == "zsh-extended"


@settings(max_examples=300, deadline=None)
@given(st.lists(raw_command.filter(lambda raw: not raw.startswith(b"\\:")), max_size=25))
def test_zsh_simple_round_trip(commands: list[bytes]) -> None:
    # a command starting with "\:" is the one thing zsh's simple format cannot keep (zsh reads ":")
    entries = [zsh_entry(command, 0, 0, extended=False) for command in commands]
    parsed = list(parse_history(b"".join(entries), "zsh", fmt="zsh-simple"))
    assert parsed == [ImportedCommand(None, None, decoded(command), line)
                      for command, line in zip(commands, lines_of(entries), strict=True)]


bash_line = raw_command.map(lambda raw: raw.replace(b"\n", b" ")).filter(lambda raw: raw.strip() != b"")


def is_stamp(line: bytes) -> bool:
    return line[:1] == b"#" and line[1:].isdigit()


bash_multiline = st.lists(bash_line, min_size=1, max_size=4).filter(
    lambda lines: not any(is_stamp(line) for line in lines[1:])).map(b"\n".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(bash_multiline, timestamp), min_size=1, max_size=25))
def test_bash_timestamps_round_trip(items: list[tuple[bytes, int]]) -> None:
    entries = [bash_entry(command, start) for command, start in items]
    data = b"".join(entries)
    parsed = list(parse_history(data, "bash"))
    assert detect_format(data, "bash") == "bash-timestamps"
    assert parsed == [ImportedCommand(start * 10**6, None, decoded(command), line + 1)
                      for (command, start), line in zip(items, lines_of(entries), strict=True)]


@settings(max_examples=200, deadline=None)
@given(st.lists(bash_line.filter(lambda raw: not is_stamp(raw)), max_size=25))
def test_bash_simple_round_trip(commands: list[bytes]) -> None:
    data = b"".join(bash_entry(command, None) for command in commands)
    parsed = list(parse_history(data, "bash"))
    assert parsed == [ImportedCommand(None, None, decoded(command), line)
                      for line, command in enumerate(commands, 1)]


fish_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30).map(str.encode)
fish_command = (fish_text | raw_command).filter(lambda raw: raw.strip() != b"" and not raw.startswith(b" "))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(fish_command, timestamp, st.lists(bash_line, max_size=2)), max_size=20))
def test_fish_round_trip(items: list[tuple[bytes, int, list[bytes]]]) -> None:
    entries = [fish_entry(command, start, paths) for command, start, paths in items]
    parsed = list(parse_history(b"".join(entries), "fish"))
    assert parsed == [ImportedCommand(start * 10**6, None, decoded(command), line)
                      for (command, start, _), line in zip(items, lines_of(entries), strict=True)]


# -- hand-written files of each format ----------------------------------------------------------


def test_zsh_extended_file() -> None:
    parsed = list(parse_history((FIXTURES / "zsh_extended_history").read_bytes(), "zsh"))
    assert [(c.start_us, c.duration_us, c.command, c.line) for c in parsed] == [
        (1_700_000_000_000_000, 0, "git status", 1),
        (1_700_000_005_000_000, 12_000_000, "make test \n  && make lint", 2),
        (1_700_000_020_000_000, 0, "echo café \\x83 meta", 4),  # 0x83 0xa3 is the metafied byte 0x83
        (None, None, "plain line without a header", 6),
        (1_700_000_030_000_000, 3_000_000, "echo ends with backslash\\", 7),
        (1_700_000_040_000_000, 0, "printf '%s\\n' \"a\\\n\"", 8),
        (1_700_000_050_000_000, 1_000_000, "tail -f log", 10),  # no newline at the end of the file
    ]


def test_zsh_simple_file() -> None:
    data = (FIXTURES / "zsh_simple_history").read_bytes()
    assert detect_format(data, "zsh") == "zsh-simple"
    assert [(c.command, c.line) for c in parse_history(data, "zsh")] == [
        ("ls -la", 1), (": a colon command", 2), ("for f in *; do\n  echo $f\ndone", 3), ("echo \\xff bad byte", 6)]


def test_bash_files() -> None:
    stamped = list(parse_history((FIXTURES / "bash_history_timestamps").read_bytes(), "bash"))
    assert [(c.start_us, c.command, c.line) for c in stamped] == [
        (1_700_000_000_000_000, "cd /srv/app", 2),
        (1_700_000_010_000_000, "cat <<EOF\nmulti-line\nEOF", 4),
        (1_700_000_020_000_000, "#123", 8),  # a second stamp in a row is a command
        (1_700_000_030_000_000, "echo last", 10),
    ]
    plain = list(parse_history((FIXTURES / "bash_history").read_bytes(), "bash"))
    assert [(c.start_us, c.command, c.line) for c in plain] == [
        (None, "ls", 1), (None, "git log --oneline", 3), (None, "echo \\xe2\\x82 broken utf8", 4),
        (None, "echo no final newline", 6)]


def test_fish_file() -> None:
    parsed = list(parse_history((FIXTURES / "fish_history").read_bytes(), "fish"))
    assert [(c.start_us, c.command, c.line) for c in parsed] == [
        (1_700_000_000_000_000, "cd ~/src/perth", 1),
        (1_700_000_100_000_000, 'echo "first\nsecond" \\ done', 5),
        (1_700_000_200_000_000, "echo café \\xff", 7),
        (None, "no when line", 9),
    ]


def test_unknown_shells_and_formats_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="zsh, bash, fish"):
        list(parse_history(b"", "tcsh"))
    with pytest.raises(InvalidInputError, match="bash-timestamps, bash-simple"):
        list(parse_history(b"", "bash", fmt="zsh-extended"))
    with pytest.raises(InvalidInputError, match="unknown shell"):
        detect_format(b"", "nu")


def test_default_history_files() -> None:
    home = {"HOME": "/home/u"}
    assert default_history_file("zsh", home) == "/home/u/.zsh_history"
    assert default_history_file("zsh", {**home, "ZDOTDIR": "/z"}) == "/z/.zsh_history"
    assert default_history_file("zsh", {**home, "HISTFILE": "/h/zh"}) == "/h/zh"
    assert default_history_file("bash", home) == "/home/u/.bash_history"
    assert default_history_file("bash", {**home, "HISTFILE": "/h/bh"}) == "/h/bh"
    assert default_history_file("fish", home) == "/home/u/.local/share/fish/fish_history"
    assert default_history_file("fish", {**home, "XDG_DATA_HOME": "/d", "HISTFILE": "/h"}) == "/d/fish/fish_history"
    assert default_history_file("fish", {**home, "fish_history": "work"}) == "/home/u/.local/share/fish/work_history"


def test_parsing_100k_zsh_lines_keeps_every_line_in_order() -> None:
    # Speed is measured by bench/bench_capture.py (import-history of 100,000 lines).
    data = b"".join(b": %d:%d;git commit -m 'change %d' && make test\n" % (1_700_000_000 + n, n % 7, n)
                    for n in range(100_000))
    parsed = list(parse_history(data, "zsh"))
    assert len(parsed) == 100_000
    assert [p.line for p in parsed[:3]] == [1, 2, 3] and parsed[-1].line == 100_000
    assert parsed[-1].command == "git commit -m 'change 99999' && make test"


# -- files written by the real shells -----------------------------------------------------------

REAL_COMMANDS = ["git status", "echo 'multi\nline'", "ends with backslash\\", "tab\there", ": colon first",
                 "back\\\nslash", "caf\u00e9 \U0001f600", "trailing space\\ "]
REAL_BYTES = b"bytes \x83\x84\xa2\xff end"


@pytest.mark.integration
@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh missing")
@pytest.mark.parametrize("extended", [True, False])
def test_a_history_written_by_zsh(tmp_path: Path, extended: bool) -> None:
    histfile = tmp_path / "zsh_history"
    script = tmp_path / "write.zsh"
    adds = "".join(f"print -rs -- {zsh_quote(command.encode())}\n" for command in REAL_COMMANDS)
    adds += f"print -rs -- {zsh_quote(REAL_BYTES)}\n"
    script.write_bytes(f"HISTFILE={histfile}\nSAVEHIST=100\nHISTSIZE=100\n"
                       f"{'setopt' if extended else 'unsetopt'} extended_history\n{adds}fc -W\n".encode())
    before = int(time.time())
    subprocess.run(["zsh", "-f", "-i", "-c", f"source {script}"], stdin=subprocess.DEVNULL, capture_output=True,
                   timeout=30, check=True)
    data = histfile.read_bytes()
    assert b"\x83" in data  # zsh did metafy
    parsed = list(parse_history(data, "zsh"))
    assert detect_format(data, "zsh") == ("zsh-extended" if extended else "zsh-simple")
    assert [c.command for c in parsed] == [*REAL_COMMANDS, decoded(REAL_BYTES)]
    if extended:
        assert all(c.start_us is not None and c.start_us >= before * 10**6 for c in parsed)


def zsh_quote(raw: bytes) -> str:
    return "$'" + "".join(f"\\x{byte:02x}" for byte in raw) + "'"


@pytest.mark.integration
@pytest.mark.parametrize("stamps", [True, False])
def test_a_history_written_by_bash(tmp_path: Path, stamps: bool) -> None:
    histfile = tmp_path / "bash_history"
    commands = [command for command in REAL_COMMANDS if stamps or "\n" not in command]
    adds = "".join(f"history -s {zsh_quote(command.encode())}\n" for command in commands)
    # history -s replaces its own entry; HISTIGNORE keeps "history -w" out; no second save at exit
    script = (f"HISTFILE={histfile}\n{'HISTTIMEFORMAT=%s' if stamps else 'unset HISTTIMEFORMAT'}\n"
              f"HISTIGNORE='history -w'\nshopt -s lithist\nset -o history\nhistory -c\n{adds}history -w\n"
              "unset HISTFILE\n")
    (tmp_path / "write.bash").write_text(script)  # sourced: its own lines do not go into the history
    subprocess.run(["bash", "--norc", "--noprofile", "-c", f"source {tmp_path / 'write.bash'}"], capture_output=True,
                   timeout=30, check=True, env={**os.environ, "HISTTIMEFORMAT": ""})
    data = histfile.read_bytes()
    assert detect_format(data, "bash") == ("bash-timestamps" if stamps else "bash-simple")
    assert [c.command for c in parse_history(data, "bash")] == commands


@pytest.mark.integration
@pytest.mark.parametrize("shell_name", [
    pytest.param(name, marks=pytest.mark.skipif(shutil.which(name) is None, reason=f"{name} missing"))
    for name in ("zsh", "bash", "fish")])
def test_the_shells_own_history_file_matches_what_the_hooks_recorded(shell_name: str, tmp_path: Path) -> None:
    typed = ["echo one", 'echo "first\nsecond"', "echo back\\\\slash", "echo café 😀", " echo hidden", "echo two"]
    extra = "HISTTIMEFORMAT=%s" if shell_name == "bash" else ""  # bash keeps multi-line entries whole with stamps
    before_us = int(time.time()) * 10**6
    with InteractiveShell(shell_name, tmp_path, empty_path=False, extra_rc=extra) as shell:
        for command in typed:
            shell.run(command, paste="\n" in command)
        recorded = [record.command for record in shell.records()]
        assert shell.exit() == 0
    history_file = {"zsh": shell.home / ".zsh_history", "bash": shell.home / ".bash_history",
                    "fish": tmp_path / "data" / "fish" / "fish_history"}[shell_name]
    imported = list(parse_history(history_file.read_bytes(), shell_name))
    assert recorded == [command for command in typed if not command.startswith(" ")]
    assert [command.command for command in imported] == [*recorded, "exit"][:len(imported)]
    assert len(imported) >= len(recorded)
    assert all(command.start_us is not None and command.start_us >= before_us for command in imported)
