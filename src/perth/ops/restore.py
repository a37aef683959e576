"""Restoring backups, for real or as a test into a temporary place (what ``verify`` does).

Git bundles are cloned (and ``git fsck``-ed); SQLite copies are copied (and integrity-checked);
SQL dumps are loaded with ``psql``/``mysql`` into a database — for a test, a temporary database
created on the dump's own server and dropped afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import uuid

from perth.errors import ConflictError, InvalidInputError, NotFoundError
from perth.record import replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.ops.databases import DatabaseUrl
    from perth.ops.model import Job
    from perth.ops.port import JobIO


def sha256(path: str) -> str:
    """The file's SHA-256, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git(*args: str, cwd: str | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise InvalidInputError(f"git {args[0]} failed: {last}", "check the repository or backup")
    return done.stdout


def manifest(path: str) -> dict[str, object]:
    """A backup's manifest."""
    try:
        with open(path + ".json") as handle:
            data: dict[str, object] = json.load(handle)
    except OSError as exc:
        raise NotFoundError(f"no backup {path}", "list backups with: perth job run backup --wait -- list") from exc
    return data


def test_restore(path: str, kind: str, job: Job, io: JobIO) -> str:
    """Restore into a temporary place and check the result; returns what was checked."""
    with tempfile.TemporaryDirectory(prefix="perth-verify-") as scratch:
        if kind == "git":
            clone = os.path.join(scratch, "repo")
            git("clone", "-q", "--mirror", path, clone)
            git("fsck", "--full", cwd=clone)
            refs = len(git("bundle", "list-heads", path).splitlines())
            return f"cloned {refs} ref(s), git fsck ok"
        if kind == "db:sqlite":
            copy = os.path.join(scratch, "copy.db")
            shutil.copyfile(path, copy)
            return _sqlite_check(copy)
    url = _server(job, str(manifest(path)["source"]))
    scratch_db = f"perth_verify_{uuid.uuid4().hex[:12]}"
    _admin(url, f"CREATE DATABASE {scratch_db}")
    try:
        loaded = replace(url, database=scratch_db)
        _load(path, loaded, job, io)
        return f"loaded into temporary database {scratch_db}: {_count_tables(loaded)} table(s)"
    finally:
        _admin(url, f"DROP DATABASE IF EXISTS {scratch_db}")


def restore(path: str, kind: str, dest: str, job: Job, io: JobIO) -> None:
    """Restore for real: a clone, a copy, or a load into the database URL ``dest``."""
    if kind in ("git", "db:sqlite") and os.path.exists(dest):
        raise ConflictError(f"{dest} already exists", "restore into a new path (nothing is overwritten)")
    if kind == "git":
        git("clone", "-q", path, dest)
        return
    if kind == "db:sqlite":
        shutil.copyfile(path, dest)
        _sqlite_check(dest)
        return
    _load(path, _server(job, dest), job, io)


def _sqlite_check(path: str) -> str:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        status = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tables = conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    finally:
        conn.close()
    if status != "ok":
        raise InvalidInputError(f"the SQLite copy fails its integrity check: {status}", "use another backup")
    return f"integrity_check ok, {tables} table(s)"


def _server(job: Job, target: str) -> DatabaseUrl:
    from perth.ops.databases import parse_url

    secret = job.options.get("password_env")
    url = parse_url(target, os.environ.get(str(secret)) if secret else None)
    if url.engine == "sqlite":
        raise InvalidInputError("a SQL dump restores into a server database", "give a postgresql:// or mysql:// URL")
    return url


def _admin(url: DatabaseUrl, statement: str) -> None:
    from perth.ops.databases import open_database

    maintenance = "postgres" if url.engine == "postgresql" else ""
    conn = open_database(replace(url, database=maintenance))
    try:
        raw = conn.conn  # type: ignore[attr-defined]
        if url.engine == "postgresql":
            raw.autocommit = True
        cursor = raw.cursor()
        cursor.execute(statement)
        cursor.close()
    finally:
        conn.close()


def _count_tables(url: DatabaseUrl) -> int:
    from perth.ops.databases import open_database

    db = open_database(url)
    try:
        sql = ("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'" if url.engine ==
               "postgresql" else "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()")
        return int(db.query(sql)[1][0][0])
    finally:
        db.close()


def _load(path: str, url: DatabaseUrl, job: Job, io: JobIO) -> None:
    from perth.ops.process import run_group

    if url.engine == "postgresql":
        argv = ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", url.host, "-p", str(url.port), "-d", url.database,
                "-f", path, "--no-password", *(["-U", url.user] if url.user else [])]
        secret = {"PGPASSWORD": url.password} if url.password else {}
    else:
        argv = ["mysql", "--host", url.host, "--port", str(url.port), "--user", url.user or "root",
                url.database, "-e", f"source {path}"]
        secret = {"MYSQL_PWD": url.password} if url.password else {}
    if shutil.which(argv[0]) is None:
        from perth.errors import UnavailableError

        raise UnavailableError(f"{argv[0]} is not installed", f"install it to restore {url.engine} dumps")
    code = run_group(argv, io, cwd=None, env={**io.environment(()), **secret}, token=job.lease_token or "")
    if code != 0:
        raise InvalidInputError(f"{argv[0]} could not load the dump (exit {code})", "see the job's output")
