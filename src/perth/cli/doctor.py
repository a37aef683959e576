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
    add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    """Run the checks; a broken configuration is reported, not fatal."""
    from perth.doctor import run_doctor
    from perth.views.document import render
    from perth.views.system import doctor_view

    report = run_doctor(ctx.paths, ctx.environ)
    fmt = args.format or "text"
    print(ctx.redact(render(doctor_view(report), fmt), "doctor"))
    return 0 if report.ok else 1
