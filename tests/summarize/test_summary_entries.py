"""Automated summaries never hide the last human intent, are not written twice when unchanged,
and ``summarize --pane`` refuses an unknown pane like the other read commands; next steps mean
the same thing in status, handoff, journal and summarize."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Cli = Callable[..., Any]


def _status_pane(cli: Cli) -> dict[str, Any]:
    done = cli("status", "--format", "json")
    assert done.code == 0, done.err
    return dict(json.loads(done.out)["panes"][0])


def test_summaries_keep_the_human_intent_and_are_not_repeated(cli: Cli) -> None:
    assert cli("log", "refactor the parser", "--type", "decision").code == 0
    first = cli("summarize", "--format", "json")
    assert first.code == 0, first.err
    assert json.loads(first.out)["written"] is True
    assert _status_pane(cli)["last_entry"]["summary"] == "refactor the parser"
    second = json.loads(cli("summarize", "--format", "json").out)
    assert second["written"] is False and second["entry"]["id"] == json.loads(first.out)["entry"]["id"]
    assert "not written again" in cli("summarize").out
    entries = json.loads(cli("history", "--format", "json").out)["entries"]
    assert [e["source"] for e in entries].count("automated") == 1
    assert cli("log", "new work").code == 0
    assert json.loads(cli("summarize", "--format", "json").out)["written"] is True


def test_summarize_refuses_an_unknown_pane(cli: Cli) -> None:
    assert cli("log", "seed", "--pane", "real").code == 0
    for args in (("summarize", "--pane", "typo"), ("summarize", "--pane", "typo", "--dry-run"),
                 ("history", "--pane", "typo"), ("handoff", "--pane", "typo")):
        done = cli(*args)
        assert done.code == 3, (args, done.err)
    names = [p["name"] for p in json.loads(cli("pane", "list", "--format", "json").out)["panes"]]
    assert names == ["real"]


def test_next_steps_are_the_same_everywhere(cli: Cli) -> None:
    for summary, kind in (("old step", "next"), ("shipped v1", "milestone"), ("open step", "next"),
                          ("later step", "next")):
        assert cli("log", summary, "--type", kind, "--pane", "p").code == 0
    for _ in range(12):  # more entries than status reads for its last intent
        assert cli("log", "noise", "--pane", "p").code == 0
    status = [e["summary"] for e in _status_pane(cli)["next_steps"]]
    handoff = [c["text"] for c in json.loads(cli("handoff", "--pane", "p", "--format", "json").out)["next"]]
    journal = json.loads(cli("journal", "--since", "1d", "--format", "json").out)
    journal_steps = [c["text"] for s in journal["sessions"] for c in s["next"]]
    assert status == ["later step", "open step"]
    assert handoff == journal_steps == ["open step", "later step"]
    context = cli("summarize", "--pane", "p", "--format", "json")
    assert "old step" not in json.loads(context.out)["entry"]["summary"]
