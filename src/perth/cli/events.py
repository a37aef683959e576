"""``perth events status|tail|replay|flush|dlq list|retry|drop|consume``."""

from __future__ import annotations

import argparse

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

TRANSPORT_HELP = "rabbitmq, nats, mqtt, redis or webhook"


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth events`` and its actions."""
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " Events are CloudEvents 1.0 (JSON), written to an outbox in the same transaction as the change they"
        " report, and delivered at least once by `perth daemon` or `perth events flush` (see docs/events.md)."))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    _action(actions, "status", "Per transport: breaker, backlog, oldest pending event, last error, dead letters.",
            run_status)
    tail = _action(actions, "tail", "The newest events in the outbox (--follow: keep printing new ones).", run_tail)
    tail.add_argument("--type", action="append", default=[], metavar="TYPE", help="Only this type (repeatable).")
    tail.add_argument("-n", "--limit", type=int, default=20, help="How many (default 20).")
    tail.add_argument("--follow", action="store_true", help="Keep printing events as they are written.")
    replay = _action(actions, "replay", "Publish retained events again (cursors stay; receivers de-duplicate).",
                     run_replay)
    replay.add_argument("--since", required=True, metavar="WHEN", help="From when: 2h, 1d, 2026-12-01, ISO time.")
    replay.add_argument("--type", action="append", default=[], metavar="TYPE", help="Only this type (repeatable).")
    replay.add_argument("--transport", action="append", default=[], help=f"Only this one: {TRANSPORT_HELP}.")
    flush = _action(actions, "flush", "Deliver what waits in the outbox now (what perth daemon does every few s).",
                    run_flush)
    flush.add_argument("--transport", action="append", default=[], help=f"Only this one: {TRANSPORT_HELP}.")
    _dlq(actions)
    consume = _action(actions, "consume", "Print events as a transport delivers them (proves the wire format).",
                      run_consume, default_format="json (the envelope as received, one per line)")
    consume.add_argument("--transport", required=True, help=f"{TRANSPORT_HELP}.")
    consume.add_argument("--count", type=int, help="Stop after this many distinct events.")
    consume.add_argument("--timeout", type=float, metavar="S", help="Stop after S seconds without an event.")
    consume.add_argument("--listen", default="127.0.0.1:8765", metavar="HOST:PORT",
                         help="Where the webhook receiver listens (webhook only).")
    consume.add_argument("--no-dedup", action="store_true", help="Print duplicates too (at-least-once delivery).")


def _dlq(actions: Any) -> None:
    parser = actions.add_parser("dlq", help="The dead-letter queue: events a transport kept refusing.",
                                description="The dead-letter queue: events a transport refused events.max_attempts"
                                            " times.")
    verbs = parser.add_subparsers(dest="dlq_action", metavar="ACTION", required=True, help="list, retry or drop.")
    listing = _action(verbs, "list", "List dead letters.", run_dlq_list)
    listing.add_argument("--transport", help=f"Only this one: {TRANSPORT_HELP}.")
    for verb, text, handler in (("retry", "Publish dead letters again; delivered ones leave the queue.",
                                 run_dlq_retry), ("drop", "Forget dead letters for good.", run_dlq_drop)):
        action = _action(verbs, verb, text, handler)
        action.add_argument("ids", nargs="*", metavar="ID", help="Event ids (or their ends); none means all.")
        action.add_argument("--transport", help=f"Only this one: {TRANSPORT_HELP}.")


def _action(actions: Any, name: str, text: str, handler: Any, *,
            default_format: str | None = None) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = actions.add_parser(name, help=text, description=text)
    add_format(parser, default_format or "output.format, normally text")
    parser.set_defaults(handler=handler)
    return parser


def run_status(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show the outbox and transports."""
    from perth.events.service import status
    from perth.events.views import status_view

    ctx.emit(status_view(status(ctx.runtime())), args)
    return 0


def run_tail(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show (and follow) the newest events."""
    from perth.events.service import follow, tail
    from perth.events.views import event_json, event_row, tail_view

    rt = ctx.runtime()
    events = tail(rt, args.type, args.limit)
    ctx.emit(tail_view(events), args)
    if not args.follow:
        return 0
    after = events[-1].seq if events else rt.store.outbox.stats().last_seq
    as_json = ctx.format(args) == "json"
    for event in follow(rt, args.type, after):
        print(_json_line(event_json(event)) if as_json else "  ".join(event_row(event)), flush=True)
    return 0


def _json_line(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def run_replay(args: argparse.Namespace, ctx: CliContext) -> int:
    """Re-publish retained events."""
    from perth.clock import parse_when
    from perth.events.service import replay
    from perth.events.views import drain_view

    rt = ctx.runtime()
    reports = replay(rt, parse_when(args.since, now=rt.clock()), only=args.transport, types=args.type)
    ctx.emit(drain_view("replay", reports), args)
    return 0


def run_flush(args: argparse.Namespace, ctx: CliContext) -> int:
    """Drain the outbox now; exit 4 when a transport could not take everything."""
    from perth.errors import ExitCode
    from perth.events.service import flush_now
    from perth.events.views import drain_view

    reports = flush_now(ctx.runtime(), args.transport)
    ctx.emit(drain_view("flush", reports), args)
    return ExitCode.UNAVAILABLE if any(r.stopped for r in reports) else 0


def run_dlq_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """List dead letters."""
    from perth.events.service import dead_letters
    from perth.events.views import dlq_view

    ctx.emit(dlq_view(dead_letters(ctx.runtime(), args.transport)), args)
    return 0


def run_dlq_retry(args: argparse.Namespace, ctx: CliContext) -> int:
    """Re-deliver dead letters; exit 4 when some still fail."""
    from perth.errors import ExitCode
    from perth.events.service import dlq_retry
    from perth.events.views import dlq_change_view

    change = dlq_retry(ctx.runtime(), args.transport, args.ids)
    ctx.emit(dlq_change_view(change), args)
    return ExitCode.UNAVAILABLE if change.failed else 0


def run_dlq_drop(args: argparse.Namespace, ctx: CliContext) -> int:
    """Drop dead letters."""
    from perth.events.service import dlq_drop
    from perth.events.views import dlq_change_view

    ctx.emit(dlq_change_view(dlq_drop(ctx.runtime(), args.transport, args.ids)), args)
    return 0


def run_consume(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print what a transport delivers: the raw envelope (json) or one line per event (text)."""
    import sys

    from perth.events.service import consume, open_consumer

    rt = ctx.runtime()
    consumer = open_consumer(rt.settings, args.transport, listen=args.listen)
    fmt = args.format or "json"
    try:
        for body in consume(consumer, count=args.count, timeout_s=args.timeout, dedup=not args.no_dedup):
            text = body.decode("utf-8", "replace")
            print(text if fmt in ("json", "llm") else _brief(text), flush=True)
    except KeyboardInterrupt:
        sys.stdout.flush()
    finally:
        consumer.close()
    return 0


def _brief(text: str) -> str:
    import json

    event = json.loads(text)
    return f"{event.get('time')}  {event.get('type')}  {event.get('id')}  {json.dumps(event.get('data'))[:100]}"
