"""``perth worker run``: run queued jobs in the foreground until stopped."""

from __future__ import annotations

import argparse
import sys

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth worker run``."""
    parser = sub.add_parser(name, help=help_text, description=help_text)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = actions.add_parser("run", help="Lease and run queued jobs until SIGTERM or Ctrl-C.",
                             description="Lease and run queued jobs until SIGTERM or Ctrl-C (running jobs finish"
                                         " first). A worker killed outright loses no job: its lease expires and"
                                         " another worker takes the job over.")
    run.add_argument("--concurrency", "-c", type=int, help="Jobs run at once (default ops.concurrency).")
    run.add_argument("--engine", choices=("embedded", "celery"), default="embedded",
                     help="embedded: threads over the store's queue (default); celery: a Celery worker on"
                          " ops.celery_queue (needs perth[ops]).")
    run.add_argument("--kind", action="append", default=[], help="Only jobs of this kind (repeatable).")
    run.add_argument("--drain", action="store_true", help="Exit when no job is queued or running.")
    add_format(run)
    run.set_defaults(handler=run_worker)


def _say(line: str) -> None:
    from perth.clock import now_ms, to_local

    print(f"{to_local(now_ms())} {line}", file=sys.stderr, flush=True)


def run_worker(args: argparse.Namespace, ctx: CliContext) -> int:
    """Run the embedded worker pool."""
    import signal
    import threading

    from perth.errors import InvalidInputError
    from perth.ops.executor import Pool
    from perth.ops.views import worker_view

    rt = ctx.runtime()
    concurrency = rt.settings.get_int("ops.concurrency") if args.concurrency is None else args.concurrency
    if concurrency < 1:
        raise InvalidInputError("--concurrency must be at least 1", "e.g. --concurrency 4")
    if args.engine == "celery":
        from perth.ops.celery_engine import run_worker as run_celery

        _say(f"celery worker starting ({concurrency} at once) on {rt.settings.get('ops.celery_queue')}")
        return run_celery(rt.settings, concurrency)
    from perth.store import keep_connections

    keep_connections(rt.settings, max(8, concurrency))
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    _say(f"worker started ({concurrency} at once)")
    try:
        stats = Pool(rt.settings, concurrency=concurrency, stop=stop, kinds=tuple(args.kind), drain=args.drain,
                     report=_say).run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        keep_connections(rt.settings, 0)
    ctx.emit(worker_view(args.engine, concurrency, stats), args)
    return 0
