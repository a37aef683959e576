"""``perth redact``, ``perth redact stats`` and ``perth scan``."""

from __future__ import annotations

import argparse
import sys

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth redact`` (with ``stats``) or ``perth scan``."""
    if name == "scan":
        _register_scan(sub, name, help_text)
        return
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " Reads standard input, writes it with every secret replaced by [REDACTED:<rule>],"
        " line for line. Always redacts, whatever redact.enabled says."))
    parser.add_argument("--source", default="stdin", help="Source name for the counters (default stdin).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    stats = actions.add_parser("stats", help="How often each rule fired, per source (never the secrets).",
                               description="How often each rule fired, per source (never the secrets).")
    add_format(stats)
    stats.set_defaults(handler=run_stats)
    parser.set_defaults(handler=run_redact)


def _register_scan(sub: Any, name: str, help_text: str) -> None:
    parser = sub.add_parser(name, help=help_text, description=help_text + (
        " Prints file:line:column: rule for each finding and exits 5 when anything is found,"
        " so it works as a pre-commit hook. Files ignored by git are skipped."))
    parser.add_argument("paths", nargs="+", metavar="PATH", help="Files or directories to scan.")
    parser.add_argument("--allowlist", metavar="FILE",
                        help="Allow-list file (default: .perthallow at the repository root, if present).")
    add_format(parser)
    parser.set_defaults(handler=run_scan)


def run_redact(args: argparse.Namespace, ctx: CliContext) -> int:
    """Filter standard input to standard output, a block of whole lines at a time (the same
    output as line by line: ``SecretFilter.redact_stream``)."""
    rt = ctx.runtime()
    redact = rt.settings.redact
    from functools import partial

    from perth.redact import SecretFilter

    secret_filter = SecretFilter(enabled=True, extra_patterns=redact.extra_patterns,
                                 allow_patterns=redact.allow_patterns)
    out = sys.stdout
    pieces = iter(partial(sys.stdin.read, 1 << 16), "")  # 64 K characters at a time
    for block in secret_filter.redact_stream(pieces, source=args.source):
        out.write(block)
    out.flush()
    counts = secret_filter.drain_counts()
    if counts:
        rt.store.redaction_stats.add(counts, rt.clock())
    return 0


def run_stats(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the per-rule counters."""
    from perth.views.redaction import redaction_stats_view

    ctx.emit(redaction_stats_view(ctx.runtime().store.redaction_stats.all()), args)
    return 0


def run_scan(args: argparse.Namespace, ctx: CliContext) -> int:
    """Scan files for secrets; exit 5 when any is found."""
    from pathlib import Path

    from perth.errors import ExitCode, NotFoundError
    from perth.redact import SecretFilter
    from perth.redact.scan import scan_paths
    from perth.views.redaction import scan_view

    rt = ctx.runtime()
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise NotFoundError(f"no such file or directory: {', '.join(missing)}", "check the paths to scan")
    redact = rt.settings.redact
    secret_filter = SecretFilter(enabled=True, extra_patterns=redact.extra_patterns,
                                 allow_patterns=redact.allow_patterns)
    allowlist = Path(args.allowlist) if args.allowlist else None
    if allowlist is not None and not allowlist.is_file():
        raise NotFoundError(f"no allow-list file {allowlist}", "give an existing file, or drop --allowlist")
    findings = list(scan_paths(paths, filter=secret_filter, allowlist_file=allowlist))
    fmt = ctx.format(args)
    if fmt == "text":
        for finding in findings:
            print(f"{finding.path}:{finding.line}:{finding.column}: {finding.rule_id} [{finding.fingerprint}]")
    else:
        ctx.emit(scan_view(findings), args)
    if findings:
        print(f"perth: {len(findings)} possible secret(s) found — remove them, or allow-list false positives"
              " in .perthallow (see docs/security.md)", file=sys.stderr)
        return ExitCode.GATE_FAILED
    print(f"perth: no secrets found in {', '.join(args.paths)}", file=sys.stderr)
    return 0
