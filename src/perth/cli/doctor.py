"""``perth doctor``."""

from __future__ import annotations

import argparse

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth doctor``."""
    parser = sub.add_parser(name, help=help_text, description=help_text + " Exits 1 when a check fails.")
    parser.add_argument("--recover", action="store_true",
                        help="Salvage every readable row of a damaged data file into a new file that takes its "
                             "place; the damaged file is kept beside it (<name>.damaged-<time>).")
    add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    """Run the checks; a broken configuration is reported, not fatal."""
    from perth.doctor import run_doctor
    from perth.views.document import render
    from perth.views.system import doctor_view

    if args.recover:
        return _recover(args, ctx)
    report = run_doctor(ctx.paths, ctx.environ)
    fmt = args.format or "text"
    print(ctx.redact(render(doctor_view(report), fmt), "doctor"))
    return 0 if report.ok else 1


def _recover(args: argparse.Namespace, ctx: CliContext) -> int:
    from perth.clock import now_ms
    from perth.config import database_path, load_settings
    from perth.store.recover import recover
    from perth.views.system import recovery_view

    settings = load_settings(ctx.paths, ctx.environ, ctx.overrides)
    report = recover(database_path(settings), now_ms=now_ms())
    ctx.emit(recovery_view(report), args)
    return 0
