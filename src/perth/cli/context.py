"""What every command handler gets: the parsed options' context, output and errors."""

from __future__ import annotations

import argparse
import os
import sys

from perth.errors import PerthError, UsageError
from perth.paths import PerthPaths, resolve_paths

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn

    from perth.redact import Redacted
    from perth.runtime import Runtime
    from perth.views.document import Document


def _untranslated(message: str) -> str:
    return message


# argparse passes each of its messages through gettext, which imports `locale` and probes the
# locale directories on every call. Python ships no argparse translations and Perth's own messages
# are English, so the lookup only costs time: 1-2 ms of every command, a twentieth of the
# `perth log` budget (docs/architecture.md).
argparse._ = _untranslated  # type: ignore[attr-defined]


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help layout sized from ``$COLUMNS`` or the terminal, without importing :mod:`shutil`.

    argparse builds a formatter for every option it registers, and its default one
    imports :mod:`shutil` to ask for the terminal size: a cost on every ``perth log``.
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _terminal_columns() -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 20:
        return int(columns)
    try:
        return max(40, os.get_terminal_size(sys.__stdout__.fileno() if sys.__stdout__ else 1).columns)
    except (OSError, ValueError):
        return 80


class PerthParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are Perth usage errors (one line, exit 2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Raise instead of printing usage and exiting."""
        raise UsageError(f"{self.prog}: {message}", f"see `{self.prog} --help`")


class CliContext:
    """Per-invocation state shared by the handlers."""

    def __init__(self, environ: dict[str, str]) -> None:
        self.environ = environ
        self.overrides: dict[str, str] = {}
        self.debug = False
        self.verbose = False
        self.auto_ingest = True
        self._runtime: Runtime | None = None

    @property
    def paths(self) -> PerthPaths:
        """Perth's directories for this environment."""
        return resolve_paths(self.environ)

    def runtime(self) -> Runtime:
        """Settings, store and secret filter (loaded on first use)."""
        if self._runtime is None:
            from perth.config import load_settings
            from perth.runtime import Runtime

            settings = load_settings(self.paths, self.environ, self.overrides)
            self._runtime = Runtime(settings=settings, environ=self.environ)
            for what, fix in settings.unknown:  # once per command; `perth doctor` fails on them
                print(f"perth: warning: {self._runtime.redact(what, 'config')} — {fix}", file=sys.stderr)
            if self.auto_ingest:
                self._ingest_pending(self._runtime)
        return self._runtime

    @staticmethod
    def _ingest_pending(rt: Runtime) -> None:
        """Ingest waiting spool lines first (bounded), so every command sees what the shells recorded."""
        budget_ms = rt.settings.get_int("capture.auto_ingest_budget_ms")
        directory = os.path.join(rt.settings.paths.state_dir, "spool")
        if budget_ms <= 0 or not _has_spool(directory):
            return
        if "commands" not in rt.store.capabilities:
            _note_spool_kept(rt.store.adapter, directory)
            return
        from perth.capture.ingest import ingest
        from perth.errors import StoreReadOnlyError

        try:
            warnings = ingest(rt, budget_s=budget_ms / 1000).warnings
        except (StoreReadOnlyError, OSError):  # a read-only store still answers reads
            warnings = ("captured commands wait in the spool: the store is read-only, they were not ingested",)
        for warning in warnings:
            print(f"perth: warning: {warning}", file=sys.stderr)

    def format(self, args: argparse.Namespace) -> str:
        """The output format: ``--format``, else ``output.format``."""
        chosen = getattr(args, "format", None)
        return str(chosen) if chosen else self.runtime().settings.output.format

    def emit(self, document: Document, args: argparse.Namespace) -> None:
        """Print a view in the requested format."""
        from perth.views.document import render

        print(render(document, self.format(args)))

    def redact(self, text: str, source: str = "cli") -> str:
        """Filter text for display even when the configuration could not be loaded."""
        try:
            return self.runtime().redact(text, source)
        except PerthError:
            from perth.redact import SecretFilter

            return SecretFilter().redact(text, source=source, required=True)

    def report_error(self, exc: PerthError) -> None:
        """Print ``perth: error: ...`` (redacted), with a traceback under ``--debug``."""
        if self.debug:
            import traceback

            traceback.print_exc()
        from perth.text import printable

        print(f"perth: error: {printable(self.redact(exc.message, 'error'))}", file=sys.stderr)

    def finish(self, command: str | None, code: int, seconds: float, error: PerthError | None) -> None:
        """Write the log-file record, persist counters and close the store."""
        runtime = self._runtime
        if self.verbose:
            self._explain(command, code, seconds, runtime)
        if "perth.tracing" in sys.modules:  # spans were made: send what is left before the process ends
            from perth import tracing

            tracing.shutdown()
        if runtime is None:
            return
        try:
            if runtime.settings.log.file:
                self._log(runtime, command, code, seconds, error)
            runtime.close()
        except PerthError as exc:
            print(f"perth: warning: {self.redact(exc.message, 'error')}", file=sys.stderr)
        self._runtime = None

    @staticmethod
    def _explain(command: str | None, code: int, seconds: float, runtime: Runtime | None) -> None:
        """``--verbose``: where the data came from and how long it took, on stderr."""
        lines = [f"perth: {command or '(no command)'} exited {code} after {seconds * 1000:.1f} ms"]
        if runtime is not None:
            from perth.config import database_path

            settings = runtime.settings
            changed = sorted(f"{k} ({s})" for k, s in settings.sources.items() if s != "default")
            lines.append(f"perth: store {database_path(settings)}; config {settings.config_file}")
            lines.append(f"perth: settings not at default: {', '.join(changed) or 'none'}")
        print("\n".join(lines), file=sys.stderr)

    @staticmethod
    def _log(runtime: Runtime, command: str | None, code: int, seconds: float,
             error: PerthError | None) -> None:
        from perth.logfile import JsonLogSink

        configured = os.path.expanduser(runtime.settings.log.file)
        path = os.path.join(runtime.settings.paths.log_dir, configured)  # an absolute path wins in join
        sink = JsonLogSink(path, runtime.settings.log.level)
        event = runtime.redact("command", "log")
        fields: dict[str, Redacted | int | float | None] = {
            "command": runtime.redact(command or "", "log"), "exit": code, "ms": round(seconds * 1000, 1),
            "error": runtime.redact(error.message, "log") if error else None,
        }
        sink.write("error" if error else "info", event, fields)


def _note_spool_kept(adapter: str, directory: str) -> None:
    """Say once (per spool directory and adapter) that the store keeps no captured commands, so the
    spool files stay where they are."""
    marker = os.path.join(directory, f".kept-for-{adapter}")
    if os.path.exists(marker):
        return
    print(f"perth: note: the {adapter} store keeps no captured commands: the shell spool stays in {directory}"
          " (switch store.url to SQLite or PostgreSQL to ingest it)", file=sys.stderr)
    try:
        with open(marker, "w", encoding="utf-8"):
            pass
    except OSError:
        pass  # a read-only state directory: the note comes again next time


def _has_spool(directory: str) -> bool:
    try:
        with os.scandir(directory) as entries:
            return any(e.name.endswith((".spool", ".claimed")) for e in entries)
    except OSError:
        return False


def add_format(parser: argparse.ArgumentParser, default: str = "output.format, normally text", *,
               inherit: bool = False) -> None:
    """The ``--format`` option every read command takes.

    ``default`` describes the format used when the option is absent; ``inherit`` is for a
    sub-action whose parent also takes ``--format``: an absent option then keeps the parent's value.
    """
    parser.add_argument("--format", "-f", choices=("text", "json", "markdown", "llm"),
                        default=argparse.SUPPRESS if inherit else None, help=f"Output format (default: {default}).")
