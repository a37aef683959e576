"""The ``perth`` command: argument parsing, dispatch and error reporting.

Only the command being run is imported and registered (the full tree is built
for ``perth --help`` and the reference docs), which keeps ``perth log`` light.
Errors are caught here once: a :class:`PerthError` prints
``perth: error: <what> — <how to fix>`` on stderr and exits with its code.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sys
import time
from collections.abc import Sequence

from perth import __version__
from perth.cli.context import CliContext, PerthParser
from perth.errors import ExitCode, PerthError, UsageError
from perth.text import escape_undecodable

# command name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "log": ("perth.cli.log", "Record an intent entry (what you intend, decided or did) in the current pane."),
    "history": ("perth.cli.history", "List intent entries, newest first, with filters and paging."),
    "show": ("perth.cli.history", "Show one intent entry in full."),
    "entry": ("perth.cli.entry", "Edit, delete or restore an intent entry."),
    "pane": ("perth.cli.pane", "Create, list and manage panes (named threads of work)."),
    "status": ("perth.cli.status", "Where was I: every active pane's last intent, branch, dirty files and next steps."),
    "export": ("perth.cli.transfer", "Export panes and entries as JSON lines."),
    "import": ("perth.cli.transfer", "Import panes and entries from a `perth export` file (idempotent)."),
    "config": ("perth.cli.config", "Show, get, set and unset configuration."),
    "store": ("perth.cli.store", "Operate on the store itself: copy it into another one (migrate)."),
    "doctor": ("perth.cli.doctor", "Check the installation: config, store, schema, shells and tools."),
    "redact": ("perth.cli.redact", "Redact secrets from standard input; `perth redact stats` shows the counters."),
    "scan": ("perth.cli.redact", "Scan files for secrets (a pre-commit hook); exits 5 when any is found."),
    "shellperf": ("perth.cli.shellperf", "Measure and guard shell start-up time (baselines, gates, badges)."),
    "features": ("perth.cli.features", "Shell features: a timed loader that defers slow ones; budgets checked."),
    "init": ("perth.cli.capture", "Print the shell integration script that records every command you run."),
    "ingest": ("perth.cli.capture", "Move recorded commands from the spool into the store now."),
    "pause": ("perth.cli.capture", "Stop recording commands in this shell (or --global: everywhere)."),
    "resume": ("perth.cli.capture", "Start recording commands again."),
    "search": ("perth.cli.capture", "Search commands, intents, journal sessions, snapshots and code (BM25, vectors)."),
    "import-history": ("perth.cli.capture", "Import a zsh, bash or fish history file (idempotent)."),
    "daemon": ("perth.cli.daemon", "Run periodic work (ingestion, autosave) in the foreground, or as a service."),
    "snapshot": ("perth.cli.snapshot", "Save, list, show, diff, pin and prune tmux/Zellij workspace snapshots."),
    "restore": ("perth.cli.snapshot", "Restore a workspace snapshot (idempotent; --dry-run prints the plan)."),
    "summarize": ("perth.cli.summarize", "Summarize the pane's recent work into an automated checkpoint intent."),
    "context": ("perth.cli.summarize", "Print the pane's context (commands, intents, git, files) for any AI tool."),
    "providers": ("perth.cli.summarize", "LLM providers: breaker state, last error, latency; reset breakers."),
    "journal": ("perth.cli.journal", "Work sessions from facts (commits, intents, commands); verify or append a log."),
    "code": ("perth.cli.code", "Index repositories into a code graph: find, context, callers, impact, ranked maps."),
    "events": ("perth.cli.events", "CloudEvents: status, tail, replay, flush, dead letters, consume from a broker."),
    "job": ("perth.cli.job", "Operations jobs: run, list, show, logs, retry, cancel; the dead-letter queue."),
    "worker": ("perth.cli.worker", "Run queued operations jobs (the embedded worker pool)."),
    "workflow": ("perth.cli.workflow", "Workflows: YAML DAGs of jobs; run, resume, retry a step, approve, cancel."),
    "handoff": ("perth.cli.journal", "A resume-here note: state, decisions, open blockers, next steps, commands."),
    "mcp": ("perth.cli.mcp", "Serve Perth to AI agents over MCP (stdio, or --http with a bearer token)."),
    "serve": ("perth.cli.serve", "Serve the HTTP API with health checks and an OpenAPI schema ([web] extra)."),
    "user": ("perth.cli.user", "Users of the web dashboard and APIs, with a role: add, list, change role, remove."),
    "token": ("perth.cli.user", "Bearer tokens of users: create (shown once), list, revoke; stored hashed."),
    "sync": ("perth.cli.sync", "Sync this store with your other machines through a server that sees only ciphertext."),
}

# Commands that must not ingest the spool first: shell start-up, the ingesters themselves, and doctor
# (which reports on a store it may not be able to use).
NO_AUTO_INGEST = frozenset({"init", "ingest", "pause", "resume", "daemon", "doctor", "redact", "scan"})

EPILOG = """Start here:
  perth log "what you are about to do"     record an intent in the current pane
  perth status                             where was I
  perth history --pane NAME                what happened in a pane
Docs: docs/getting-started.md in the source tree."""


#: Parsers built ahead of time, by command (the command server builds those of the commands it serves
#: before it forks: a parser only reads its arguments, so each forked copy can use it).
PREBUILT: dict[str, PerthParser] = {}


def build_parser(only: str | None = None) -> PerthParser:
    """The argument parser; with ``only``, just that command is registered."""
    if only is not None and only in PREBUILT:
        return PREBUILT[only]
    parser = PerthParser(
        prog="perth",
        description="Perth remembers what you were doing in every terminal pane.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"perth {__version__}")
    parser.add_argument("--debug", action="store_true", help="Show tracebacks on errors (also PERTH_DEBUG=1).")
    parser.add_argument("-v", "--verbose", action="store_true", help="Say more about what happens.")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="Override a config key for this run (highest precedence; repeatable).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=PerthParser)
    for name, (module_name, help_text) in COMMANDS.items():
        if only is not None and name != only:
            continue
        module = importlib.import_module(module_name)
        module.register(sub, name, help_text)
    return parser


def _command_name(argv: Sequence[str]) -> str | None:
    from perth.cli.argv import command_name

    return command_name(list(argv), COMMANDS)


def _parse_overrides(items: Sequence[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"--set needs KEY=VALUE, got {item!r}", "e.g. --set output.format=json")
        overrides[key.strip()] = value
    return overrides


def _escape_standard_streams() -> None:
    """Undecodable bytes read from stdin become ``\\xNN`` (perth.text's policy); output never fails on them."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``perth`` with ``argv``; returns the exit code."""
    gc.enable()  # perth.cli.launch imports the CLI without it
    args_list = [escape_undecodable(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    _escape_standard_streams()
    ctx = CliContext(environ={key: escape_undecodable(value) for key, value in os.environ.items()})
    started = time.perf_counter()
    code: int = ExitCode.OK
    error: PerthError | None = None
    command = _command_name(args_list)
    try:
        parser = build_parser(only=command)
        args, unknown = parser.parse_known_args(args_list)
        if unknown:  # named after the command they were given to, not after `perth`
            name = f"perth {command}" if command else "perth"
            raise UsageError(f"{name}: unrecognized arguments: {' '.join(unknown)}", f"see `{name} --help`")
        ctx.debug = bool(args.debug) or os.environ.get("PERTH_DEBUG", "") not in ("", "0")
        ctx.verbose = bool(args.verbose)
        ctx.overrides = _parse_overrides(args.overrides)
        ctx.auto_ingest = command not in NO_AUTO_INGEST
        if not getattr(args, "handler", None):
            parser.print_help()
            return int(ExitCode.OK if not args_list else ExitCode.USAGE)
        code = int(args.handler(args, ctx))
    except PerthError as exc:
        error, code = exc, exc.exit_code
        ctx.report_error(exc)
    except KeyboardInterrupt:
        code = ExitCode.INTERRUPTED
        print("perth: interrupted", file=sys.stderr)
    except BrokenPipeError:
        _silence_stdout()
        code = ExitCode.OK
    finally:
        ctx.finish(command, int(code), time.perf_counter() - started, error)
    return int(code)


def run() -> None:
    """The console entry point: :func:`main`, then exit without the interpreter's teardown.

    Everything Perth opened is closed inside :func:`main` (the store, log files), Perth registers
    no ``atexit`` work, and the standard streams are flushed here; tearing the interpreter down
    module by module would only add about 3 ms to every command (a tenth of the ``perth log``
    budget). An unexpected exception still propagates with its traceback.
    """
    os._exit(invoke())


def invoke(argv: Sequence[str] | None = None) -> int:
    """:func:`main`, with ``--help`` and ``--version`` turned into exit codes and the standard
    streams flushed: what the process then exits with (the command server runs this too)."""
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's --version and --help
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):
            stream.flush()
    return code


def _silence_stdout() -> None:
    """After a closed pipe (``perth history | head``), keep Python from complaining at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


if __name__ == "__main__":
    run()
