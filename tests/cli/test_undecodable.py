"""Bytes that are not UTF-8, on every input path: kept as ``\\xNN`` escapes, never a crash.

Python hands undecodable bytes of argv, the environment and the working directory over as
lone surrogates; standard input, spool lines and history files arrive as raw bytes.  Each is
stored escaped; exports and JSON output never carry a lone surrogate.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from perth.text import decode_utf8, escape_strings, escape_undecodable

Cli = Callable[..., Any]
LATIN1 = "caf\udce9"  # what Python makes of the bytes b"caf\xe9" in argv


@given(st.binary(max_size=64))
def test_escaping_surrogates_equals_decoding_the_bytes(raw: bytes) -> None:
    as_python_gives_it = raw.decode("utf-8", "surrogateescape")
    escaped = escape_undecodable(as_python_gives_it)
    assert escaped == decode_utf8(raw)
    escaped.encode("utf-8")  # never a lone surrogate


@given(st.text(max_size=40))
def test_valid_text_is_untouched(text: str) -> None:
    clean = text.encode("utf-8", "surrogatepass").decode("utf-8", "backslashreplace")
    assert escape_undecodable(clean) == clean


def test_other_lone_surrogates_and_nested_json_are_escaped() -> None:
    assert escape_undecodable("a\ud800b") == "a\\ud800b"
    assert escape_strings({"k\udce9": ["x\udcff", 3, None]}) == {"k\\xe9": ["x\\xff", 3, None]}


def _stored_entry(cli: Cli) -> dict[str, Any]:
    shown = cli("history", "--format", "json")
    assert shown.code == 0, shown.err
    (entry,) = json.loads(shown.out)["entries"]
    return dict(entry)


def test_log_argument_and_artifact_are_stored_escaped(cli: Cli) -> None:
    done = cli("log", LATIN1, "-a", "f\udce9.py")
    assert done.code == 0, done.err
    entry = _stored_entry(cli)
    assert entry["summary"] == "caf\\xe9"
    assert [os.path.basename(a) for a in entry["artifacts"]] == ["f\\xe9.py"]
    exported = cli("export")
    assert exported.code == 0, exported.err
    assert "f\\\\xe9.py" in exported.out
    shown = cli("show", entry["id"][-8:], "--format", "json")
    assert shown.code == 0 and json.loads(shown.out)["entry"]["summary"] == "caf\\xe9"


def test_search_and_history_filters_take_undecodable_bytes(cli: Cli) -> None:
    assert cli("log", "plain words").code == 0
    for args in (("search", LATIN1), ("history", "--cwd", "/tmp/" + LATIN1), ("history", "--commands", "--cwd", LATIN1),
                 ("history", "--pane", "x" + LATIN1)):
        done = cli(*args)
        assert "Traceback" not in done.err and done.code in (0, 1, 2, 3), (args, done.err)
        assert "surrogate" not in done.err


def test_a_failed_log_leaves_nothing_behind(cli: Cli) -> None:
    assert cli("log", "bad type", "--type", "nope" + LATIN1).code != 0
    assert cli("pane", "list", "--format", "json").out.count('"name"') == 0


def _bytes_run(args: list[bytes], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable.encode(), b"-m", b"perth", *args], input=stdin, capture_output=True,
                          cwd=cwd, env=os.environ.copy(), timeout=60, check=False)


def test_real_process_with_bytes_in_argv_stdin_and_cwd(tmp_path: Path) -> None:
    folder = os.path.join(os.fsencode(tmp_path), b"dir\xe9")
    os.mkdir(folder)
    done = _bytes_run([b"log", b"-"], Path(os.fsdecode(folder)), stdin=b"from stdin \xff\xfe\n")
    assert done.returncode == 0, done.stderr
    done = _bytes_run([b"log", b"arg \xe9"], Path(os.fsdecode(folder)))
    assert done.returncode == 0, done.stderr
    listed = _bytes_run([b"history", b"--format", b"json"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    listed.stdout.decode("utf-8")  # valid UTF-8 output
    entries = json.loads(listed.stdout)["entries"]
    assert sorted(e["summary"] for e in entries) == ["arg \\xe9", "from stdin \\xff\\xfe"]
    assert len({e["pane"] for e in entries}) == 1  # both logged in the same automatic pane
    exported = _bytes_run([b"export"], tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert b"dir\\\\xe9" in exported.stdout


def test_import_of_lone_surrogate_escapes(cli: Cli, tmp_path: Path) -> None:
    assert cli("log", "seed").code == 0
    exported = cli("export").out.splitlines()
    entry = json.loads(exported[-1])
    entry["summary"] = "imported caf\udce9 \ud800"
    entry["id"] = entry["id"][:-4] + "abcd"
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join([*exported[:-1], json.dumps(entry)]) + "\n", encoding="utf-8")
    done = cli("import", str(path))
    assert done.code == 0, done.err
    summaries = [e["summary"] for e in json.loads(cli("history", "--format", "json").out)["entries"]]
    assert "imported caf\\xe9 \\ud800" in summaries
    assert cli("export").code == 0


def test_export_and_show_survive_surrogates_an_earlier_perth_stored(cli: Cli, perth_home: Path) -> None:
    import sqlite3

    assert cli("log", "legacy", "-a", "a.py").code == 0
    with sqlite3.connect(perth_home / "perth.db") as db:  # as Perth did before escaping its input
        db.execute("UPDATE entries SET artifacts = ?", (json.dumps(["f\udce9.py"]),))
    exported = cli("export")
    assert exported.code == 0, exported.err
    assert "f\\\\xe9.py" in exported.out, exported.out.splitlines()[-1]
    entry_id = json.loads(exported.out.splitlines()[-1])["id"]
    shown = cli("show", entry_id[-8:], "--format", "json")
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["entry"]["artifacts"] == ["f\\xe9.py"]
    assert cli("show", entry_id[-8:]).code == 0
