"""Views of ``perth sync``: init, a run (push/pull/now), status."""

from __future__ import annotations

from perth.clock import to_iso
from perth.views.document import Block, Document, Fields, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.sync.engine import SyncReport
    from perth.sync.service import InitReport, StatusReport
    from perth.sync.state import Conflict


def _conflict_rows(conflicts: tuple[Conflict, ...]) -> list[tuple[str, ...]]:
    return [(c.kind, c.id, c.reason, c.kept, c.winner_home, c.loser_home) for c in conflicts]


def init_view(report: InitReport) -> Document:
    """``perth sync init``."""
    data = {name: getattr(report, name) for name in report._fields}
    verb = "Created" if report.created else "Joined"
    kept = ("the key is kept in the OS keyring" if report.key_store == "keyring"
            else "set PERTH_SYNC_PASSPHRASE for each sync (the key is not kept)")
    return Document("perth.sync.init.v1", data, title="Sync", blocks=[
        Fields([("vault", report.vault), ("server", report.server), ("home", report.home)]),
        Note(f"{verb} the vault; {kept}. Run `perth sync now` to sync.")])


def run_view(action: str, report: SyncReport) -> Document:
    """``perth sync push|pull|now``: counts, bytes and conflicts."""
    data = {"action": action, **report.to_json()}
    pairs = [("pushed", str(report.pushed)), ("pulled", str(report.pulled)), ("applied", str(report.applied)),
             ("already here", str(report.unchanged)), ("superseded", str(report.superseded)),
             ("sent", f"{report.sent_bytes} bytes"), ("received", f"{report.received_bytes} bytes")]
    blocks: list[Block] = [Fields(pairs)]
    if report.conflicts:
        blocks.append(Table(("kind", "id", "reason", "kept", "winner home", "loser home"),
                            _conflict_rows(report.conflicts), title="Conflicts resolved"))
    else:
        blocks.append(Note("No conflicts."))
    return Document("perth.sync.run.v1", data, title=f"Sync {action}", blocks=blocks)


def status_view(report: StatusReport) -> Document:
    """``perth sync status``."""
    from perth.sync.service import report_json

    data = report_json(report)
    if not report.configured:
        return Document("perth.sync.status.v1", data, title="Sync",
                        blocks=[Note("This home does not sync. Start with `perth sync init --server URL`.")])
    pending = report.pending or {}
    pairs = [("vault", report.vault), ("server", report.server), ("home", report.home),
             ("key", report.key_store), ("synced records", str(report.synced_records)),
             ("changed here", ", ".join(f"{k} {v}" for k, v in pending.items())),
             ("server rows", f"{report.server_rows} ({report.server_bytes} bytes of ciphertext)"),
             ("pulled up to", f"{report.cursor} of {report.server_last_seq}"),
             ("last push", to_iso(report.last_push_at) if report.last_push_at else "never"),
             ("last pull", to_iso(report.last_pull_at) if report.last_pull_at else "never"),
             ("conflicts resolved", str(report.conflicts_total))]
    blocks: list[Block] = [Fields(pairs)]
    if report.conflicts:
        blocks.append(Table(("kind", "id", "reason", "kept", "winner home", "loser home"),
                            _conflict_rows(report.conflicts), title="Latest conflicts"))
    return Document("perth.sync.status.v1", data, title="Sync", blocks=blocks)
