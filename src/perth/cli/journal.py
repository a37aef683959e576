"""``perth journal [verify FILE | append FILE]`` and ``perth handoff``."""

from __future__ import annotations

import argparse
import sys

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.journal.service import JournalRequest

_WHEN = "an ISO date/time, a duration ago (90m, 2h, 3d, 1w), today, yesterday or now"


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth journal`` (with ``verify`` and ``append``) or ``perth handoff``."""
    if name == "handoff":
        _handoff(sub.add_parser(name, help=help_text, description=help_text + (
            " Every item names its source (commit SHA, entry or command id).")))
        return
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " Sessions split at idle gaps (journal.idle_gap_min); every claim names its source (commit SHA, entry or"
        " command id). Without a window: the last 7 days. `append` takes the window options after FILE too."))
    _window_options(parser, None)
    parser.add_argument("--narrate", action="store_true",
                        help="Add a generated narrative per session (llm.chain; labelled as generated).")
    add_format(parser, "markdown")
    parser.set_defaults(handler=run_journal)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=False)
    verify = actions.add_parser("verify", help="Check a hand-written session log against git (exit 5 on mismatches).",
                                description="Check a hand-written session log (Markdown) against git: SHAs exist,"
                                            " commit counts and branches match. Prints FILE:LINE for each mismatch"
                                            " and exits 5 when there is any.")
    verify.add_argument("file", help="The session log (e.g. SESSIONS.md).")
    verify.add_argument("--repo", metavar="PATH", default=argparse.SUPPRESS,
                        help="The repository (default: the current one).")
    add_format(verify, inherit=True)
    verify.set_defaults(handler=run_verify)
    append = actions.add_parser("append", help="Add the newest sessions to a SESSIONS.md-style file (idempotent).",
                                description="Insert the sessions that are not in FILE yet, newest first, after its"
                                            " title; a second run adds nothing. Sessions still in progress wait.")
    append.add_argument("file", help="The file to update (created when missing).")
    _window_options(append, argparse.SUPPRESS)
    add_format(append, inherit=True)
    append.set_defaults(handler=run_append)


def _window_options(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--since", metavar="WHEN", default=default, help=f"Start of the window: {_WHEN}.")
    parser.add_argument("--until", metavar="WHEN", default=default, help="End of the window (default: now).")
    parser.add_argument("--last", type=int, metavar="N", default=default, help="The N newest sessions instead.")
    parser.add_argument("--pane", "-p", default=default, help="Only this pane's activity.")
    parser.add_argument("--repo", metavar="PATH", default=default, help="Only this repository's activity.")
    parser.add_argument("--idle-gap", type=int, metavar="MIN", default=default,
                        help="Idle minutes that split sessions (default journal.idle_gap_min).")


def _handoff(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pane", "-p", help="The pane (default: the current pane).")
    add_format(parser, "markdown")
    parser.set_defaults(handler=run_handoff)


def _request(args: argparse.Namespace, ctx: CliContext, *, narrate: bool = False) -> JournalRequest:
    from perth.clock import parse_when
    from perth.journal.service import JournalRequest

    now = ctx.runtime().clock()
    return JournalRequest(
        since_ms=parse_when(args.since, now=now) if args.since else None,
        until_ms=parse_when(args.until, now=now) if args.until else None,
        last=args.last, pane=args.pane, repo=args.repo, idle_gap_min=args.idle_gap, narrate=narrate,
    )


def _warn(warnings: tuple[str, ...], fmt: str) -> None:
    if fmt != "json":
        for warning in warnings:
            print(f"perth: warning: {warning}", file=sys.stderr)


def run_journal(args: argparse.Namespace, ctx: CliContext) -> int:
    """Build and print the journal."""
    from perth.cli.progress import Spinner
    from perth.journal.service import build_journal
    from perth.views.journal import render_journal

    rt = ctx.runtime()
    with Spinner("writing the narratives" if args.narrate else "reading the journal"):
        journal = build_journal(rt, _request(args, ctx, narrate=args.narrate))
    fmt = args.format or "markdown"
    print(render_journal(journal, fmt))
    _warn(journal.warnings, fmt)
    return 0


def run_verify(args: argparse.Namespace, ctx: CliContext) -> int:
    """Check a session log against git; exit 5 on mismatches."""
    from perth.errors import GateFailedError
    from perth.journal.verify import verify_log
    from perth.views.journal import verify_view

    report = verify_log(ctx.runtime(), args.file, args.repo)
    ctx.emit(verify_view(report), args)
    if not report.ok:
        raise GateFailedError(f"{len(report.mismatches)} claim(s) in {args.file} do not match git",
                              "correct the lines listed above (or the repository you check against: --repo)")
    return 0


def run_append(args: argparse.Namespace, ctx: CliContext) -> int:
    """Prepend the new sessions to a SESSIONS.md-style file."""
    from perth.journal.append import append_sessions, default_path
    from perth.journal.service import build_journal
    from perth.views.journal import append_view

    rt = ctx.runtime()
    journal = build_journal(rt, _request(args, ctx))
    report = append_sessions(rt, default_path(rt.cwd, args.file), journal, now=journal.generated_at)
    ctx.emit(append_view(report), args)
    _warn(journal.warnings, ctx.format(args))
    return 0


def run_handoff(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the resume-here note."""
    from perth.journal.handoff import build_handoff
    from perth.views.document import render
    from perth.views.journal import handoff_view

    note = build_handoff(ctx.runtime(), args.pane)
    print(render(handoff_view(note), args.format or "markdown"))
    return 0
