"""``perth daemon``: run periodic work in the foreground, install it as a service, show its status."""

from __future__ import annotations

import argparse
import sys

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth daemon`` and its subcommands."""
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " Runs in the foreground until stopped (SIGTERM or Ctrl-C); only one runs per user."))
    parser.add_argument("--once", action="store_true", help="Run every task once and exit.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    install = actions.add_parser("install", help="Write a systemd user unit (or launchd agent) for the daemon.",
                                 description="Write a systemd user unit (Linux) or launchd agent (macOS) that"
                                             " runs `perth daemon`, and print how to enable it.")
    install.add_argument("--kind", choices=("systemd", "launchd"), help="Service manager (default: by platform).")
    install.add_argument("--print", dest="print_only", action="store_true", help="Print the file, write nothing.")
    install.set_defaults(handler=run_install)
    uninstall = actions.add_parser("uninstall", help="Remove the service file `perth daemon install` wrote.",
                                   description="Remove the systemd user unit (or launchd agent) that"
                                               " `perth daemon install` wrote, and print how to stop the service.")
    uninstall.add_argument("--kind", choices=("systemd", "launchd"), help="Service manager (default: by platform).")
    uninstall.set_defaults(handler=run_uninstall)
    status = actions.add_parser("status", help="Whether the daemon runs, and its tasks.",
                                description="Whether the daemon runs (its pid) and which tasks it runs.")
    add_format(status)
    status.set_defaults(handler=run_status)
    parser.set_defaults(handler=run)


def _say(line: str) -> None:
    from perth.clock import now_ms, to_local

    print(f"{to_local(now_ms())} {line}", flush=True)


def run(args: argparse.Namespace, ctx: CliContext) -> int:
    """Run the daemon (or its tasks once), with the command server beside it unless it is off."""
    from perth.daemon import builtin_tasks, run_daemon, run_tasks_once

    rt = ctx.runtime()
    tasks = builtin_tasks(rt)
    if args.once:
        return 1 if run_tasks_once(rt, tasks, _say) else 0
    if not rt.settings.get_bool("daemon.command_server"):
        return run_daemon(rt, tasks, _say)
    from perth.cli.launch import socket_path
    from perth.cli.supervise import CommandServer

    server = CommandServer(socket_path(ctx.paths.state_dir), _say)
    try:
        return run_daemon(rt, [*tasks, server.task()], _say)
    finally:
        server.stop()


def run_install(args: argparse.Namespace, ctx: CliContext) -> int:
    """Write (or print) the service definition."""
    from perth.daemon import install_service, service_unit

    kind = args.kind or ("launchd" if sys.platform == "darwin" else "systemd")
    if args.print_only:
        sys.stdout.write(service_unit(ctx.runtime(), kind)[1])
        return 0
    path, enable = install_service(ctx.runtime(), kind)
    print(f"wrote {path}\nenable it with: {enable}")
    return 0


def run_uninstall(args: argparse.Namespace, ctx: CliContext) -> int:
    """Remove the service definition."""
    from perth.daemon import uninstall_service

    kind = args.kind or ("launchd" if sys.platform == "darwin" else "systemd")
    path, stop = uninstall_service(ctx.runtime(), kind)
    print(f"removed {path}\nif it was running, stop it with: {stop}")
    return 0


def run_status(args: argparse.Namespace, ctx: CliContext) -> int:
    """Report whether the daemon runs."""
    from perth.daemon import builtin_tasks, running_pid
    from perth.views.document import Document, Fields

    rt = ctx.runtime()
    pid = running_pid(rt)
    tasks = builtin_tasks(rt)
    pairs = [("running", f"yes (pid {pid})" if pid else "no")]
    pairs += [(f"task {t.name}", f"every {t.interval_s:g}s") for t in tasks]
    import os

    from perth.cli.launch import socket_path

    enabled = rt.settings.get_bool("daemon.command_server")
    socket = socket_path(ctx.paths.state_dir)
    listening = enabled and pid is not None and os.path.exists(socket)
    pairs.append(("command server", f"listening on {socket}" if listening else
                  "off (daemon.command_server)" if not enabled else "not running"))
    data = {"running": pid is not None, "pid": pid,
            "tasks": [{"name": t.name, "interval_s": t.interval_s} for t in tasks],
            "command_server": {"enabled": enabled, "listening": listening, "socket": socket}}
    ctx.emit(Document("perth.daemon_status.v1", data, title="Perth daemon", blocks=[Fields(pairs)]), args)
    return 0
