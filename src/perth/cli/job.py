"""``perth job run|list|show|logs|retry|cancel`` and ``perth job dlq list|retry|drop``."""

from __future__ import annotations

import argparse
import os

from perth.cli.context import CliContext, add_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.ops.model import Job


def register(sub: Any, name: str, help_text: str) -> None:
    """Add ``perth job`` and its actions."""
    parser = sub.add_parser(
        name,
        help=help_text,
        description=help_text
        + (
            " Jobs wait in a durable queue in the store; `perth worker run` or `perth daemon` runs them, or"
            " `perth job run ... --wait` runs one here. Arguments, output and logs are redacted."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = _action(actions, "run", "Queue a job (with --wait: run it now and wait for its outcome).", run_job)
    run.add_argument("kind", help="Job kind: shell, pty, ssh, sftp, db, mqtt, backup, docker, fake (see docs/ops.md).")
    run.add_argument(
        "args",
        nargs=argparse.REMAINDER,
        metavar="-- ARGS",
        help="The job's arguments, after `--` (options go before it).",
    )
    _run_options(run)
    listing = _action(actions, "list", "List jobs, newest first.", list_jobs)
    listing.add_argument("--status", action="append", default=[], help="Only this status (repeatable).")
    listing.add_argument("--kind", help="Only this kind.")
    listing.add_argument("--limit", type=int, default=50, help="At most this many (default 50).")
    for verb, text, handler in (
        ("show", "Show one job, with the tail of its output.", show_job),
        ("logs", "Show a job's log lines.", job_logs),
        ("retry", "Queue a failed, dead or cancelled job again.", retry_job),
        ("cancel", "Cancel a queued job, or stop a running one.", cancel_job),
    ):
        _action(actions, verb, text, handler).add_argument("id", help="Job id (or its last characters).")
    dlq = actions.add_parser(
        "dlq",
        help="The dead-letter queue: list, retry, drop.",
        description="Jobs that failed their last attempt, or were rejected.",
    )
    dlq_actions = dlq.add_subparsers(dest="action", metavar="ACTION", required=True)
    _action(dlq_actions, "list", "List dead-lettered jobs.", dlq_list)
    for verb, text, handler in (
        ("retry", "Queue a dead-lettered job again.", dlq_retry),
        ("drop", "Delete a dead-lettered job, its log and output.", dlq_drop),
    ):
        _action(dlq_actions, verb, text, handler).add_argument("id", help="Job id (or its last characters).")


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", default="local", help="What the job acts on (default: local).")
    parser.add_argument("--cwd", help="Working directory of a shell job.")
    parser.add_argument("--env", action="append", default=[], metavar="NAME",
                        help="Pass this environment variable to the job (repeatable; its value is never stored).")
    parser.add_argument("--identity", metavar="FILE", help="ssh/sftp jobs: private key file (else the agent).")
    parser.add_argument("--known-hosts", metavar="FILE", help="ssh/sftp jobs: known_hosts file (else ~/.ssh's).")
    parser.add_argument("--password-env", metavar="NAME",
                        help="db jobs: the environment variable holding the password (never stored).")
    parser.add_argument("--qos", type=int, choices=(0, 1), help="mqtt jobs: quality of service (default 0).")
    parser.add_argument("--retain", action="store_true", help="mqtt publish: the broker keeps the message.")
    parser.add_argument("--count", type=int, metavar="N", help="mqtt subscribe: stop after N messages.")
    parser.add_argument("--seconds", type=float, metavar="S", help="mqtt subscribe: stop after S seconds.")
    parser.add_argument("--will-topic", metavar="TOPIC", help="mqtt jobs: the connection's last will topic.")
    parser.add_argument("--will-message", metavar="TEXT", help="mqtt jobs: the last will's message.")
    parser.add_argument("--name", help="backup jobs: the backups' name (default: the repository or database name).")
    for keep in ("last", "daily", "weekly"):
        parser.add_argument(f"--keep-{keep}", type=int, metavar="N", help=f"backup prune: keep-{keep} retention.")
    parser.add_argument("--step", action="append", default=[], metavar="STEP",
                        help="pty jobs: expect:TEXT, send:KEYS, send-env:NAME, sleep:S, stop (repeatable, in order).")
    parser.add_argument("--timeout", type=float, metavar="S", help="Time limit of one attempt (default ops.timeout_s).")
    parser.add_argument("--attempts", type=int, metavar="N",
                        help="Attempts before dead-lettering (default ops.max_attempts).")
    parser.add_argument("--key", dest="idempotency_key",
                        help="Idempotency key: a job with the same key is not queued twice.")
    parser.add_argument("--engine", choices=("embedded", "celery"), default="embedded",
                        help="embedded: this store's queue (default); celery: the Celery queue (ops.celery_*).")
    parser.add_argument("--wait", action="store_true", help="Run the job here and wait; exit 0 only if it succeeded.")


def _split_command(args: argparse.Namespace) -> list[str]:
    """The command after ``--``; options written before it (after KIND) are parsed here."""
    rest = list(args.args)
    if "--" not in rest:
        return rest
    cut = rest.index("--")
    if cut:
        from perth.cli.context import PerthParser

        options = PerthParser(prog="perth job run", add_help=False)
        _run_options(options)
        add_format(options)
        options.parse_args(rest[:cut], namespace=args)
    return rest[cut + 1 :]


def _action(actions: Any, name: str, text: str, handler: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = actions.add_parser(name, help=text, description=text)
    add_format(parser)
    parser.set_defaults(handler=handler)
    return parser


def run_job(args: argparse.Namespace, ctx: CliContext) -> int:
    """Queue a job; with --wait, run it and wait."""
    from perth.cli.progress import StatusLine
    from perth.ops.service import JobSpec, submit, submit_registered_backups, wait
    from perth.ops.views import job_view

    command = _split_command(args)
    rt = ctx.runtime()
    spec = JobSpec(kind=args.kind, args=tuple(command), target=args.target, options=_options(args),
                   idempotency_key=args.idempotency_key, timeout_s=args.timeout, max_attempts=args.attempts,
                   engine=args.engine)
    if args.kind == "backup" and command == ["registered"]:
        return _run_many(submit_registered_backups(rt, spec), args, ctx)
    job = submit(rt, spec)
    if not args.wait:
        ctx.emit(job_view(job, "queued"), args)
        return 0
    with StatusLine() as line:
        job = wait(rt, job, tick=lambda j: line.show(_progress(j)))
    ctx.emit(job_view(job, "ran"), args)
    return 0 if job.status == "succeeded" else 1


def _run_many(jobs: list[Job], args: argparse.Namespace, ctx: CliContext) -> int:
    """Several jobs queued at once (and, with --wait, run and waited for)."""
    from perth.ops.service import wait
    from perth.ops.views import list_view

    rt = ctx.runtime()
    if args.wait:
        jobs = [wait(rt, job) for job in jobs]
    ctx.emit(list_view(jobs, rt.store.jobs.counts()), args)
    return 0 if not args.wait or all(job.status == "succeeded" for job in jobs) else 1


def _options(args: argparse.Namespace) -> dict[str, object]:
    """The worker options given on the command line (names and paths only, never secret values)."""
    options: dict[str, object] = {}
    if args.cwd:
        options["cwd"] = args.cwd
    if args.env:
        options["env"] = list(args.env)
    for name in ("identity", "known_hosts"):
        if getattr(args, name):
            options[name] = os.path.abspath(getattr(args, name))
    if args.password_env:
        options["password_env"] = args.password_env
    for name in ("qos", "count", "seconds", "will_topic", "will_message", "name", "keep_last", "keep_daily",
                 "keep_weekly"):
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    if args.retain:
        options["retain"] = True
    if args.step:
        options["steps"] = list(args.step)
    return options


def _progress(job: Job) -> str:
    return f"job {job.short_id} {job.status}, attempt {job.attempt}/{job.max_attempts}"


def list_jobs(args: argparse.Namespace, ctx: CliContext) -> int:
    """List jobs."""
    from perth.ops.model import JobQuery
    from perth.ops.service import list_jobs as listed
    from perth.ops.views import list_view

    rt = ctx.runtime()
    jobs = listed(rt, JobQuery(statuses=tuple(args.status), kind=args.kind, limit=args.limit))
    ctx.emit(list_view(jobs, rt.store.jobs.counts()), args)
    return 0


def show_job(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show one job."""
    from perth.ops.service import find
    from perth.ops.views import job_view

    ctx.emit(job_view(find(ctx.runtime(), args.id)), args)
    return 0


def job_logs(args: argparse.Namespace, ctx: CliContext) -> int:
    """Show a job's log."""
    from perth.ops.service import find, logs
    from perth.ops.views import logs_view

    rt = ctx.runtime()
    job = find(rt, args.id)
    ctx.emit(logs_view(job, logs(rt, job)), args)
    return 0


def retry_job(args: argparse.Namespace, ctx: CliContext) -> int:
    """Queue a job again."""
    from perth.ops.service import find, retry
    from perth.ops.views import job_view

    rt = ctx.runtime()
    ctx.emit(job_view(retry(rt, find(rt, args.id)), "retry"), args)
    return 0


def cancel_job(args: argparse.Namespace, ctx: CliContext) -> int:
    """Cancel a job."""
    from perth.ops.service import cancel, find
    from perth.ops.views import job_view

    rt = ctx.runtime()
    ctx.emit(job_view(cancel(rt, find(rt, args.id)), "cancel"), args)
    return 0


def dlq_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """List the dead-letter queue."""
    from perth.ops.service import dead_letters
    from perth.ops.views import list_view

    rt = ctx.runtime()
    ctx.emit(list_view(dead_letters(rt), rt.store.jobs.counts(), "perth.job.dlq.v1"), args)
    return 0


def dlq_retry(args: argparse.Namespace, ctx: CliContext) -> int:
    """Queue a dead-lettered job again."""
    from perth.ops.service import dead_letter, retry
    from perth.ops.views import job_view

    rt = ctx.runtime()
    ctx.emit(job_view(retry(rt, dead_letter(rt, args.id)), "retry"), args)
    return 0


def dlq_drop(args: argparse.Namespace, ctx: CliContext) -> int:
    """Drop a dead-lettered job."""
    from perth.ops.service import dead_letter, drop
    from perth.ops.views import dropped_view

    rt = ctx.runtime()
    ctx.emit(dropped_view([drop(rt, dead_letter(rt, args.id))]), args)
    return 0
