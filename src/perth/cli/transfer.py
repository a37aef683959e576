"""``perth export`` and ``perth import``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from perth.cli.context import CliContext, add_format
from perth.errors import InvalidInputError, NotFoundError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth export`` or ``perth import``."""
    parser = sub.add_parser(name, help=help_text, description=help_text)
    if name == "export":
        parser.add_argument("--output", "-o", metavar="FILE", help="Write here instead of standard output.")
        parser.add_argument("--pane", "-p", action="append", default=[], help="Only this pane (repeatable).")
        parser.add_argument("--include-deleted", action="store_true", help="Also export soft-deleted records.")
        parser.set_defaults(handler=run_export)
    else:
        parser.add_argument("file", help="A `perth export` file, or '-' for standard input.")
        add_format(parser)
        parser.set_defaults(handler=run_import)


def run_export(args: argparse.Namespace, ctx: CliContext) -> int:
    """Write the export (atomically when writing a file)."""
    from perth.panes.transfer import export_lines, export_to_file

    rt = ctx.runtime()
    if not args.output or args.output == "-":
        for line in export_lines(rt, pane_names=args.pane, include_deleted=args.include_deleted):
            sys.stdout.write(line + "\n")
        return 0
    export_to_file(rt, args.output, pane_names=args.pane, include_deleted=args.include_deleted)
    print(f"exported to {args.output}", file=sys.stderr)
    return 0


def run_import(args: argparse.Namespace, ctx: CliContext) -> int:
    """Validate the whole file, then import it in one transaction."""
    from perth.cli.progress import Progress
    from perth.panes.transfer import import_records, parse_import
    from perth.views.panes import import_view

    rt = ctx.runtime()
    progress = Progress("reading import")
    if args.file == "-":
        parsed = parse_import(rt, progress.track(sys.stdin))
    else:
        path = Path(args.file)
        try:
            with path.open(encoding="utf-8") as handle:
                parsed = parse_import(rt, progress.track(handle))
        except FileNotFoundError:
            raise NotFoundError(f"no such file {path}", "give the path of a `perth export` file") from None
        except UnicodeDecodeError:
            raise InvalidInputError(f"{path} is not UTF-8 text", "give a file written by `perth export`") from None
        except IsADirectoryError:
            raise InvalidInputError(f"{path} is a directory", "give the path of a `perth export` file") from None
    counts = import_records(rt, parsed)
    ctx.emit(import_view(counts, args.file), args)
    return 0
