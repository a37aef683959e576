"""A throw-away PostgreSQL cluster on 127.0.0.1 for the authentication and TLS tests of the wire client.

The shared server at 127.0.0.1:5432 trusts every local login, so it cannot show that a password is
checked. This cluster is created with ``initdb`` in a temporary folder (run as the ``postgres`` system
user, as the server refuses to run as root), listens on a free port with a self-signed certificate,
and asks each test role for its password by one method: SCRAM-SHA-256, MD5, cleartext, and SCRAM over
TLS only. It is stopped (by its own pid file, ``pg_ctl stop``) and removed when the tests end.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PASSWORD = "pa:ss w\u00f6rd\\1"  # a colon, a space, a backslash and a non-ASCII letter
ROLES = {"scram_user": "scram-sha-256", "md5_user": "md5", "plain_user": "password", "tls_user": "scram-sha-256"}


def pg_bin() -> Path | None:
    """The folder of the server's programs (Debian's layout), or None when no server is installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A running cluster: its port, folder and the certificate clients may verify against."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.cert = root / "server.crt"

    def url(self, user: str, password: str | None = PASSWORD, **params: str) -> str:
        from urllib.parse import quote, urlencode

        auth = quote(user) + (f":{quote(password, safe='')}" if password is not None else "")
        query = f"?{urlencode(params)}" if params else ""
        return f"postgresql://{auth}@127.0.0.1:{self.port}/postgres{query}"


def _as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def cluster() -> Iterator[Cluster]:
    """Create, start, and finally stop and remove a cluster with the roles of :data:`ROLES`."""
    binaries = pg_bin()
    assert binaries is not None, "PostgreSQL's server programs are missing: make deb-deps installs them"
    root = Path(tempfile.mkdtemp(prefix="perth-pgcluster-"))
    shutil.chown(root, "postgres")
    port = _free_port()
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", str(root / "server.key"), "-out", str(root / "server.crt"),
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True, timeout=60)
        for name in ("server.key", "server.crt"):
            shutil.chown(root / name, "postgres")
            os.chmod(root / name, 0o600 if name.endswith("key") else 0o644)
        _as_postgres(str(binaries / "initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "postgres",
                     "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
        with open(root / "data" / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{root}'\n"
                       f"fsync = off\nssl = on\nssl_cert_file = '{root}/server.crt'\n"
                       f"ssl_key_file = '{root}/server.key'\n")
        hba = ["local all all trust"]
        hba += [f"host{'ssl' if role == 'tls_user' else ''} all {role} 127.0.0.1/32 {method}"
                for role, method in ROLES.items()]
        hba.append("host all postgres 127.0.0.1/32 trust")
        (root / "data" / "pg_hba.conf").write_text("\n".join(hba) + "\n", encoding="utf-8")
        _as_postgres(str(binaries / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "log"), "-w", "start")
        try:
            escaped = PASSWORD.replace("'", "''")
            script = "".join(f"SET password_encryption = '{'md5' if method == 'md5' else 'scram-sha-256'}';"
                             f" CREATE ROLE {role} LOGIN PASSWORD '{escaped}';" for role, method in ROLES.items())
            script += " GRANT CREATE, USAGE ON SCHEMA public TO PUBLIC;"
            _as_postgres(str(binaries / "psql"), "-h", str(root), "-p", str(port), "-U", "postgres", "-d", "postgres",
                         "-v", "ON_ERROR_STOP=1", "-c", script)
            yield Cluster(root, port)
        finally:
            _as_postgres(str(binaries / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
