"""Small things a new user meets: messages that name the right command and say what happened."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

Cli = Callable[..., Any]


def test_an_unknown_option_names_the_command_it_was_given_to(cli: Cli) -> None:
    done = cli("log", "hi", "--bogus")
    assert done.code == 2
    assert done.err.strip() == "perth: error: perth log: unrecognized arguments: --bogus — see `perth log --help`"


def test_import_applies_the_checks_of_log(cli: Cli, tmp_path: Path) -> None:
    assert cli("log", "seed").code == 0
    lines = cli("export").out.splitlines()
    entry = json.loads(lines[-1])
    entry["id"], entry["summary"] = entry["id"][:-4] + "0bad", "x" * 200_000
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join([*lines, json.dumps(entry)]) + "\n")
    done = cli("import", str(path))
    assert done.code == 1 and "the summary has 200000 characters" in done.err


def test_clean_scan_and_fish_history_advice_say_something(cli: Cli, tmp_path: Path) -> None:
    clean = tmp_path / "clean.txt"
    clean.write_text("nothing to see\n")
    done = cli("scan", str(clean))
    assert done.code == 0 and "no secrets found" in done.err
    missing = cli("import-history", "--shell", "fish", "--file", str(tmp_path / "nope"))
    assert missing.code == 3 and "HISTFILE" not in missing.err and "fish_history" in missing.err


def test_no_heading_is_said_twice(cli: Cli) -> None:
    created = cli("pane", "create", "demo").out.splitlines()
    assert created[0] == "Pane demo" and not any("pane demo" in line.lower() for line in created[1:3])


def test_status_markdown_nests_a_panes_lists_under_it(cli: Cli) -> None:
    assert cli("log", "do the thing", "--type", "next", "--pane", "p").code == 0
    lines = cli("status", "--format", "markdown").out.splitlines()
    assert "## p" in lines and "### Next steps" in lines and "## Next steps" not in lines


def test_an_entry_dated_tomorrow_is_not_the_last_intent(cli: Cli) -> None:
    import time

    tomorrow = time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() + 20 * 3600))
    assert cli("log", "planned", "--at", tomorrow, "--pane", "p").code == 0
    assert cli("log", "done now", "--pane", "p").code == 0
    pane = json.loads(cli("status", "--pane", "p", "--format", "json").out)["panes"][0]
    assert pane["last_entry"]["summary"] == "done now"
