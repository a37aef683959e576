"""Backups: git bundles of repositories and database dumps, kept under a retention policy.

``perth job run backup -- ACTION ...``:

* ``git REPO`` — ``git bundle create`` of every ref, checked with ``git bundle verify``
  (``registered`` queues one such job per repository of Perth's panes);
* ``db URL`` — a dump through the database port (SQLite backup API, pg_dump, mysqldump);
* ``list [NAME]`` — backups, newest first;
* ``verify FILE`` — the checksum, then a test restore into a temporary place (a clone and
  ``git fsck`` for bundles, ``PRAGMA integrity_check`` for SQLite copies, a load into a temporary
  database for SQL dumps when ``--target`` names the server);
* ``restore FILE DEST`` — a clone of the bundle at DEST, the SQLite copy at DEST, or the SQL
  dump loaded into the database URL DEST;
* ``prune NAME`` — drop what ``--keep-last``/``--keep-daily``/``--keep-weekly`` does not keep.

Each backup lives under ``ops.backup_dir/NAME/`` with a manifest ``FILE.json`` (kind, source,
size, sha256, creation time).  ``--name`` sets NAME (default: the repository's or database's name).
"""

from __future__ import annotations

import json
import os
import time

from perth.errors import InvalidInputError
from perth.ops.port import WorkResult
from perth.ops.restore import git, manifest, sha256
from perth.ops.retention import Retention, kept

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.ops.model import Job
    from perth.ops.port import JobIO

ACTIONS = {"git": 1, "db": 1, "list": (0, 1), "verify": 1, "restore": 2, "prune": 1}


def all_backups(root: str, name: str | None = None) -> list[dict[str, object]]:
    """Every backup's manifest (with its ``path``), newest first."""
    found = []
    for folder in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        if name is not None and folder != name:
            continue
        for entry in os.listdir(os.path.join(root, folder)):
            if entry.endswith(".json"):
                path = os.path.join(root, folder, entry.removesuffix(".json"))
                found.append({**manifest(path), "path": path})
    return sorted(found, key=lambda m: (int(m["created_at"]), str(m["path"])), reverse=True)  # type: ignore[call-overload]


class BackupWorker:
    """The ``backup`` job kind (see the module docstring)."""

    kind = "backup"
    remote = False

    def check(self, job: Job) -> None:
        """A known action with its arguments."""
        wanted = ACTIONS.get(job.args[0]) if job.args else None
        counts = wanted if isinstance(wanted, tuple) else (wanted,)
        if wanted is None or len(job.args) - 1 not in counts:
            raise InvalidInputError("a backup job is git REPO, registered, db URL, list [NAME], verify FILE,"
                                    " restore FILE DEST or prune NAME", "e.g. perth job run backup -- git ~/src/app")

    def run(self, job: Job, io: JobIO) -> WorkResult:
        """Do the action."""
        root = str(io.setting("ops.backup_dir"))
        action, *args = job.args
        handler = getattr(self, f"_{action}")
        result: dict[str, object] = handler(root, job, io, *args)
        io.log(f"{action} done: {json.dumps(result, sort_keys=True)}")
        return WorkResult(result=result)

    def _git(self, root: str, job: Job, io: JobIO, repo: str) -> dict[str, object]:
        top = git("rev-parse", "--show-toplevel", cwd=os.path.abspath(repo)).strip()
        name = str(job.options.get("name") or os.path.basename(top))
        path = _new_path(root, name, "bundle")
        git("bundle", "create", path, "--all", cwd=top)
        git("bundle", "verify", path, cwd=top)
        return _record(path, "git", top, io)

    def _db(self, root: str, job: Job, io: JobIO, url: str) -> dict[str, object]:
        from perth.ops.databases import open_database, parse_url

        secret = job.options.get("password_env")
        parsed = parse_url(url, os.environ.get(str(secret)) if secret else None)
        name = str(job.options.get("name") or os.path.basename(parsed.database).removesuffix(".db") or "db")
        path = _new_path(root, name, "db" if parsed.engine == "sqlite" else f"{parsed.engine}.sql")
        db = open_database(parsed)
        try:
            db.dump(path, io, job.lease_token or "")
        finally:
            db.close()
        return _record(path, f"db:{parsed.engine}", url, io)

    def _list(self, root: str, job: Job, io: JobIO, *name: str) -> dict[str, object]:
        backups = all_backups(root, name[0] if name else None)
        io.output.text("".join(f"{m['path']}\t{m['kind']}\t{m['size']}\t{m['source']}\n" for m in backups))
        return {"backups": len(backups)}

    def _verify(self, root: str, job: Job, io: JobIO, path: str) -> dict[str, object]:
        from perth.ops.restore import test_restore

        info = manifest(path)
        if sha256(path) != info["sha256"]:
            raise InvalidInputError(f"backup {path} is corrupt: its checksum does not match its manifest",
                                    "restore from another backup")
        io.log("checksum matches")
        detail = test_restore(path, str(info["kind"]), job, io)
        return {"verified": path, "checksum": "ok", "test_restore": detail}

    def _restore(self, root: str, job: Job, io: JobIO, path: str, dest: str) -> dict[str, object]:
        from perth.ops.restore import restore

        info = manifest(path)
        if sha256(path) != info["sha256"]:
            raise InvalidInputError(f"backup {path} is corrupt: its checksum does not match its manifest",
                                    "restore from another backup")
        restore(path, str(info["kind"]), dest, job, io)
        return {"restored": path, "to": dest}

    def _prune(self, root: str, job: Job, io: JobIO, name: str) -> dict[str, object]:
        options = job.options
        policy = Retention(last=int(options.get("keep_last", 7)),  # type: ignore[call-overload]
                           daily=int(options.get("keep_daily", 0)),  # type: ignore[call-overload]
                           weekly=int(options.get("keep_weekly", 0)))  # type: ignore[call-overload]
        backups = all_backups(root, name)
        keep = kept([int(m["created_at"]) for m in backups], policy)  # type: ignore[call-overload]
        dropped = [str(m["path"]) for index, m in enumerate(backups) if index not in keep]
        for path in dropped:
            os.remove(path)
            os.remove(path + ".json")
            io.output.text(f"dropped\t{path}\n")
        return {"kept": len(backups) - len(dropped), "dropped": len(dropped)}


def _new_path(root: str, name: str, suffix: str) -> str:
    folder = os.path.join(root, name.replace("/", "_"))
    os.makedirs(folder, mode=0o700, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = os.path.join(folder, f"{stamp}-{time.time_ns() % 1_000_000_000:09d}.{suffix}")
    if os.path.exists(path):
        raise InvalidInputError(f"backup {path} already exists", "try again")
    return path


def _record(path: str, kind: str, source: str, io: JobIO) -> dict[str, object]:
    os.chmod(path, 0o600)
    data = {"kind": kind, "source": source, "size": os.path.getsize(path), "sha256": sha256(path),
            "created_at": int(time.time() * 1000)}
    with open(path + ".json", "w") as handle:
        json.dump(data, handle, sort_keys=True)
    io.output.text(f"{path}\n")
    return {"path": path, **data}

