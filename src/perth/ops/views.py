"""Documents of ``perth job`` and ``perth worker`` (schemas ``perth.job.*.v1``, ``perth.worker.v1``)."""

from __future__ import annotations

from perth.clock import to_iso, to_local
from perth.views.document import Block, Document, Fields, Items, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from perth.ops.executor import PoolStats
    from perth.ops.model import Job, JobLogLine


def _iso(ms: int | None) -> str | None:
    return None if ms is None else to_iso(ms)


def job_json(job: Job) -> dict[str, object]:
    """A job in the JSON contracts (every text already redacted)."""
    return {"id": job.id, "kind": job.kind, "target": job.target, "args": list(job.args),
            "options": dict(job.options), "status": job.status, "engine": job.engine,
            "idempotency_key": job.idempotency_key,
            "timeout_s": job.timeout_s, "max_attempts": job.max_attempts, "attempt": job.attempt,
            "created_at": _iso(job.created_at), "available_at": _iso(job.available_at),
            "started_at": _iso(job.started_at), "finished_at": _iso(job.finished_at), "lease_owner": job.lease_owner,
            "lease_until": _iso(job.lease_until), "cancel_requested": job.cancel_requested,
            "exit_code": job.exit_code, "output": job.output, "output_bytes": job.output_bytes,
            "output_path": job.output_path, "error": job.error, "error_kind": job.error_kind,
            "result": dict(job.result)}


def _command(job: Job) -> str:
    return " ".join(job.args) if job.args else "-"


def job_view(job: Job, action: str = "show") -> Document:
    """``perth job show|run|cancel|retry``: one job."""
    pairs = [("id", job.id), ("kind", job.kind), ("target", job.target), ("args", _command(job)),
             ("status", job.status), ("attempt", f"{job.attempt}/{job.max_attempts}"),
             ("timeout", f"{job.timeout_s:g} s"), ("created", to_local(job.created_at))]
    pairs += [(k, v) for k, v in (("idempotency key", job.idempotency_key),
                                  ("exit code", None if job.exit_code is None else str(job.exit_code)),
                                  ("error", job.error), ("output file", job.output_path)) if v]
    if job.finished_at and job.started_at:
        pairs.append(("duration", f"{(job.finished_at - job.started_at) / 1000:.2f} s"))
    blocks: list[Block] = [Fields(pairs, title="Job")]
    if job.output:
        blocks.append(Items(job.output.rstrip("\n").splitlines()[-40:],
                            title=f"Output (last lines of {job.output_bytes} bytes)"))
    return Document("perth.job.v1", {"action": action, "job": job_json(job)}, title=f"Job {job.short_id}",
                    blocks=blocks)


def list_view(jobs: Sequence[Job], counts: Mapping[str, int], schema: str = "perth.job.list.v1") -> Document:
    """``perth job list`` and ``perth job dlq list``."""
    rows = [(j.short_id, j.kind, j.target, j.status, f"{j.attempt}/{j.max_attempts}", to_local(j.created_at),
             _command(j)[:60], (j.error or "")[:60]) for j in jobs]
    blocks: list[Block] = [Table(("id", "kind", "target", "status", "attempt", "created", "args", "error"), rows)] \
        if rows else [Note("No jobs. Run one with `perth job run shell -- echo hello --wait`.")]
    return Document(schema, {"count": len(jobs), "counts": dict(counts), "jobs": [job_json(j) for j in jobs]},
                    title="Dead-letter queue" if schema.endswith("dlq.v1") else "Jobs", blocks=blocks)


def logs_view(job: Job, lines: Sequence[JobLogLine]) -> Document:
    """``perth job logs``."""
    data = {"job_id": job.id, "lines": [{"seq": x.seq, "at": to_iso(x.at), "attempt": x.attempt, "level": x.level,
                                         "text": x.text} for x in lines]}
    text = [f"{to_local(x.at)} #{x.attempt} {x.level}: {x.text}" for x in lines]
    return Document("perth.job.logs.v1", data, title=f"Log of job {job.short_id}",
                    blocks=[Items(text)] if text else [Note("No log lines yet.")])


def dropped_view(jobs: Sequence[Job]) -> Document:
    """``perth job dlq drop``."""
    return Document("perth.job.dropped.v1", {"count": len(jobs), "dropped": [j.id for j in jobs]},
                    title="Dropped", blocks=[Note(f"Dropped {len(jobs)} job(s) from the dead-letter queue.")])


def worker_view(engine: str, concurrency: int, stats: PoolStats) -> Document:
    """``perth worker run`` when it stops."""
    data = {"engine": engine, "concurrency": concurrency,
            "stats": {name: getattr(stats, name) for name in type(stats)._fields}}
    pairs = [(name, str(value)) for name, value in data["stats"].items()]  # type: ignore[attr-defined]
    return Document("perth.worker.v1", data, title=f"Worker ({engine}, {concurrency} at once)",
                    blocks=[Fields(pairs)])
