"""``perth config show|get|set|unset|path``."""

from __future__ import annotations

import argparse

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth config`` and its subcommands."""
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " Precedence: defaults < config.toml < PERTH_<SECTION>__<KEY> < --set KEY=VALUE."))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="Every key with its effective value and source (secrets masked).",
                              description="Every key with its effective value and where it came from.")
    add_format(show)
    show.set_defaults(handler=run_show)
    get = actions.add_parser("get", help="One key's effective value and source.",
                             description="One key's effective value and where it came from.")
    get.add_argument("key", help="Dotted key, e.g. output.format.")
    add_format(get)
    get.set_defaults(handler=run_get)
    set_parser = actions.add_parser("set", help="Validate and write a key to config.toml.",
                                    description="Validate a value and write it to config.toml (atomically).")
    set_parser.add_argument("key", help="Dotted key, e.g. output.format.")
    set_parser.add_argument("value", help="The value; lists are comma-separated or a JSON array.")
    set_parser.set_defaults(handler=run_set)
    unset = actions.add_parser("unset", help="Remove a key from config.toml (back to its default).",
                               description="Remove a key from config.toml.")
    unset.add_argument("key", help="Dotted key.")
    unset.set_defaults(handler=run_unset)
    path = actions.add_parser("path", help="Print the config file's path.",
                              description="Print the config file's path.")
    path.set_defaults(handler=run_path)


def run_show(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show every key."""
    from perth.views.system import config_view

    rt = ctx.runtime()
    ctx.emit(config_view(rt.settings, lambda text: rt.redact(text, "config")), args)
    return 0


def run_get(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show one key."""
    from perth.config import spec_for
    from perth.views.system import config_view, display_value

    spec = spec_for(args.key)
    rt = ctx.runtime()
    if ctx.format(args) == "text":
        print(display_value(spec, rt.settings.values[spec.key], lambda text: rt.redact(text, "config")))
        return 0
    ctx.emit(config_view(rt.settings, lambda text: rt.redact(text, "config"), (spec.key,)), args)
    return 0


def run_set(args: argparse.Namespace, ctx: CliContext) -> int:
    """Write one key."""
    from perth.config import set_value

    path = ctx.paths.config_file
    set_value(path, args.key, args.value)
    print(f"set {args.key} in {path}")
    return 0


def run_unset(args: argparse.Namespace, ctx: CliContext) -> int:
    """Remove one key."""
    from perth.config import unset_value

    path = ctx.paths.config_file
    removed = unset_value(path, args.key)
    print(f"unset {args.key} in {path}" if removed else f"{args.key} was not set in {path}")
    return 0


def run_path(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the config path."""
    print(ctx.paths.config_file)
    return 0
