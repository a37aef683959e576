"""``perth summarize``, ``perth context`` and ``perth providers status|reset``."""

from __future__ import annotations

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any



def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth summarize``, ``perth context`` or ``perth providers``."""
    if name == "providers":
        _providers(sub.add_parser(name, help=help_text, description=help_text))
        return
    parser = sub.add_parser(name, help=help_text, description=help_text)
    parser.add_argument("--pane", "-p", metavar="NAME", help="The pane (default: the current one).")
    parser.add_argument("--since", metavar="TIME", help="Only commands at or after TIME (e.g. 2h, 2026-11-30).")
    add_format(parser, "llm, a compact block for any AI tool" if name == "context" else "output.format, normally text")
    if name == "context":
        parser.description = help_text + " The default format here is llm: a compact block for any AI tool."
        parser.set_defaults(handler=run_context)
        return
    parser.description = help_text + (" The provider chain is llm.chain (default: none, a model-free extractive"
                                      " summary); each provider has its own circuit breaker.")
    parser.add_argument("--provider", metavar="NAME[,NAME...]",
                        help="Provider or chain to use instead of llm.chain (anthropic, openai, ollama, none).")
    parser.add_argument("--dry-run", action="store_true",
                        help="Print the redacted prompt and its token budget; send and write nothing.")
    parser.set_defaults(handler=run_summarize)


def _providers(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="Each provider's chain position, breaker state, last error,"
                                " latency and token totals.",
                                description="Each provider's chain position, breaker state, last error, latency"
                                " and token totals.")
    add_format(status)
    status.set_defaults(handler=run_status)
    reset = actions.add_parser("reset", help="Close circuit breakers so the next call tries the provider again.",
                               description="Close circuit breakers so the next call tries the provider again.")
    reset.add_argument("name", nargs="?", help="One provider (default: every provider).")
    add_format(reset)
    reset.set_defaults(handler=run_reset)


def _since(args: argparse.Namespace) -> int | None:
    from perth.clock import parse_when

    return parse_when(args.since) if args.since else None


def run_summarize(args: argparse.Namespace, ctx: CliContext) -> int:
    """Summarize the pane's recent work into an automated checkpoint intent."""
    from perth.summarize import service

    rt = ctx.runtime()
    if args.dry_run:
        from perth.views.summarize import dry_run_view

        chain = service.chain_for(rt.settings, args.provider)
        ctx.emit(dry_run_view(service.dry_run(rt, pane_name=args.pane, since_ms=_since(args)), chain), args)
        return 0
    from perth.cli.progress import Spinner
    from perth.views.llm import summary_view

    chain = service.chain_for(rt.settings, args.provider)
    with Spinner("summarizing (" + " -> ".join(chain) + ")"):
        summary = service.summarize(rt, pane_name=args.pane, since_ms=_since(args), provider=args.provider)
    ctx.emit(summary_view(summary), args)
    return 0


def run_context(args: argparse.Namespace, ctx: CliContext) -> int:
    """Print the pane's context block."""
    from perth.panes.resolve import resolve
    from perth.summarize.context import collect_context
    from perth.views.summarize import context_view

    rt = ctx.runtime()
    context = collect_context(rt, resolve(rt, args.pane).pane, since_ms=_since(args))
    if not args.format:
        args.format = "llm"
    ctx.emit(context_view(context), args)
    return 0


def run_status(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show each provider's state."""
    from perth.summarize.service import breaker_policy, chain_for, provider_statuses
    from perth.views.llm import providers_view

    rt = ctx.runtime()
    chain = chain_for(rt.settings)
    ctx.emit(providers_view(provider_statuses(rt, chain), chain, breaker_policy(rt.settings)), args)
    return 0


def run_reset(args: argparse.Namespace, ctx: CliContext) -> int:
    """Close breakers."""
    from perth.summarize.service import reset_breakers
    from perth.views.llm import reset_view

    ctx.emit(reset_view(reset_breakers(ctx.runtime(), args.name)), args)
    return 0
