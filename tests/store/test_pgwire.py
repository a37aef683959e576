"""Perth's own client of PostgreSQL's protocol (``perth.store.pgwire``) beyond the contract suites.

Against the shared server (127.0.0.1:5432): every value type the adapters send or read comes back as
psycopg returns it (a property test over unbounded values), pipelined many-row statements, errors
mapped like psycopg's, a lost connection. Against a throw-away cluster (``tests/store/pgcluster.py``):
SCRAM-SHA-256, MD5 and cleartext logins with the password from the URL, ``$PGPASSWORD`` or a passfile,
a wrong password refused, TLS from ``require`` to ``verify-full``. And what the URL parser accepts,
refuses, and leaves to psycopg.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perth.errors import ConfigError, StoreUnreachableError, UnavailableError
from perth.store.pg_db import PgDatabase
from perth.store.pgscram import Scram, saslprep
from perth.store.pgwire import (
    PgConnectionError,
    Unsupported,
    WireConnection,
    connect,
    numbered,
    passfile_password,
    target_of,
)
from perth.store.sql import IntegrityViolation
from tests.store.adapters import PG_ADMIN_URL, pg_schema
from tests.store.pgcluster import PASSWORD, Cluster, cluster, pg_bin

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def wire() -> Iterator[WireConnection]:
    conn = connect(PG_ADMIN_URL, timeout_ms=5000)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def reference() -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        yield conn


# -- values ---------------------------------------------------------------------------------------------------

texts = st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)))
values = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
                   st.floats(allow_nan=False), texts, st.binary())


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=values)
def test_a_value_sent_and_read_back_is_what_psycopg_reads(wire: WireConnection, reference: Any, value: Any) -> None:
    cast = {bool: "boolean", int: "bigint", float: "float8", str: "text", bytes: "bytea"}.get(type(value), "text")
    got = wire.execute(f"SELECT $1::{cast}, pg_typeof($1::{cast})::text", (value,)).fetchall()
    want = reference.execute(f"SELECT %s::{cast}, pg_typeof(%s::{cast})::text", (value, value)).fetchall()
    assert got == want
    assert got[0][0] == value or (isinstance(value, float) and math.isclose(got[0][0], value))


def test_results_of_every_type_the_server_returns_match_psycopg(wire: WireConnection, reference: Any) -> None:
    sql = ("SELECT 1::int2, 2::int4, 3::int8, 4.5::float4, 'NaN'::float8, 'Infinity'::float8, 12345678901234567890::numeric,"
           " 1.50::numeric, true, false, NULL, 'x'::varchar, 'y'::char(2), 'z'::name, '\\x00ff'::bytea, '{\"a\": [1]}'::json,"
           " '{\"b\": null}'::jsonb, '2026-12-03'::date, '2026-12-03 10:11:12.5'::timestamp,"
           " '2026-12-03 10:11:12.123456+00'::timestamptz, 42::oid, ARRAY[1,2]::text, 'a b'::tsvector::text")
    got = wire.execute(sql).fetchall()
    want = reference.execute(sql).fetchall()
    assert len(got[0]) == len(want[0])
    for mine, theirs in zip(got[0], want[0], strict=True):
        if isinstance(theirs, float) and math.isnan(theirs):
            assert math.isnan(mine)
        else:
            assert (mine, type(mine)) == (theirs, type(theirs))


def test_a_decimal_and_a_huge_integer_are_sent_as_numeric(wire: WireConnection) -> None:
    assert wire.execute("SELECT $1::numeric + $2", (Decimal("1.25"), 2**70)).fetchall() == [(Decimal(2**70) + Decimal("1.25"),)]


def test_many_rows_and_pipelined_writes_keep_every_value(wire: WireConnection) -> None:
    wire.execute("CREATE TEMP TABLE wire_many (id bigint PRIMARY KEY, note text, score float8)")
    rows = [(i, None if i % 3 == 0 else f"row {i} '?' %s", None if i % 5 == 0 else i / 7) for i in range(12_345)]
    assert wire.execute_many("INSERT INTO wire_many VALUES ($1, $2, $3)", rows).rowcount == len(rows)
    read = wire.execute("SELECT id, note, score FROM wire_many ORDER BY id").fetchall()
    assert read == rows
    assert wire.execute("UPDATE wire_many SET note = 'x' WHERE id < $1", (100,)).rowcount == 100
    assert wire.execute("SELECT 1; SELECT 2, 3").fetchall() == [(2, 3)]  # several statements: the last result
    wire.execute("DROP TABLE wire_many")


def test_a_failed_row_of_a_pipelined_write_stops_the_rest_and_the_connection_goes_on(tmp_path: Path) -> None:
    with pg_schema() as url:
        db = PgDatabase(url)
        assert db.driver == "wire"
        db.run("CREATE TABLE t (id bigint PRIMARY KEY)")
        with pytest.raises(IntegrityViolation), db.transaction():
            db.run_many("INSERT INTO t VALUES (?)", [(1,), (2,), (1,), (3,)])
        assert db.rows("SELECT count(*) FROM t") == [(0,)]  # the transaction rolled back as a whole
        assert db.run_many("INSERT INTO t VALUES (?)", [(i,) for i in range(1200)]).rowcount == 1200
        db.close()


@given(st.lists(st.sampled_from(["?", "'", "a", "%", " ", "''", "\\"]), max_size=40))
def test_numbered_placeholders_change_only_what_is_outside_literals(chars: list[str]) -> None:
    import re

    sql = "".join(chars)
    out = numbered(sql)
    outside = sum(1 for i, c in enumerate(sql) if c == "?" and sql[:i].count("'") % 2 == 0)
    assert re.findall(r"\$(\d+)", out) == [str(n) for n in range(1, outside + 1)]
    assert re.sub(r"\$\d+", "?", out) == sql


# -- errors -------------------------------------------------------------------------------------------------

def test_a_lock_wait_past_the_timeout_is_unavailable_on_both_drivers() -> None:
    with pg_schema() as url:
        holder = PgDatabase(url)
        holder.run("CREATE TABLE locked (id bigint)")
        holder.run("BEGIN")
        holder.run("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE")
        try:
            for driver in ("wire", "psycopg"):
                waiter = PgDatabase(url, timeout_ms=200, driver=driver)
                with pytest.raises(UnavailableError, match="did not answer in time"):
                    waiter.rows("SELECT * FROM locked")
                assert waiter.rows("SELECT 1") == [(1,)]  # the connection is usable again
                waiter.close()
        finally:
            holder.run("ROLLBACK")
            holder.close()


def test_a_connection_the_server_ends_is_unreachable_not_a_crash() -> None:
    db = PgDatabase(PG_ADMIN_URL)
    pid = db.rows("SELECT pg_backend_pid()")[0][0]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(StoreUnreachableError, match=r"127\.0\.0\.1:5432"):
        db.rows("SELECT 1")
    db.close()


def test_a_closed_port_and_a_missing_database_are_unreachable() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StoreUnreachableError, match="cannot reach"):
        PgDatabase(f"postgresql://postgres@127.0.0.1:{port}/test", timeout_ms=1000)
    with pytest.raises(StoreUnreachableError, match="does not exist"):
        PgDatabase("postgresql://postgres@127.0.0.1:5432/no_such_database_here")


# -- the URL --------------------------------------------------------------------------------------------------

def test_the_url_and_libpq_environment_name_the_target() -> None:
    target = target_of("postgresql://al%40ice:p%3Ass@db.example:6432/shop?sslmode=require&application_name=x",
                       {"PGOPTIONS": "-c work_mem=4MB"})
    assert (target.host, target.port, target.user, target.password, target.dbname, target.sslmode) == \
        ("db.example", 6432, "al@ice", "p:ss", "shop", "require")
    assert target.options == "-c work_mem=4MB" and target.application_name == "x"
    env = {"PGHOST": "h", "PGPORT": "7000", "PGUSER": "u", "PGPASSWORD": "pw", "PGDATABASE": "d",
           "PGSSLMODE": "disable", "PGPASSFILE": "/x"}
    target = target_of("postgresql://", env)
    assert (target.host, target.port, target.user, target.password, target.dbname, target.sslmode, target.passfile) \
        == ("h", 7000, "u", "pw", "d", "disable", "/x")
    assert target_of("postgresql://u@h", {}).dbname == "u"  # the database defaults to the user, as in libpq
    assert target_of("postgresql://u@h", {}).sslmode == "prefer"


@pytest.mark.parametrize("url", ["postgresql:///db", "postgresql://h1,h2/db", "postgresql://h/db?service=x",
                                 "postgresql://h/db?sslcert=/c", "postgresql://%2Fvar%2Frun%2Fpostgresql/db",
                                 "postgresql://h/db?sslmode=allow", "postgresql://h/db?target_session_attrs=read-write",
                                 "postgresql://h/db?gssencmode=require"])
def test_what_only_libpq_does_is_left_to_psycopg(url: str) -> None:
    with pytest.raises(Unsupported):
        target_of(url, {})


def test_an_environment_asking_for_libpq_is_left_to_psycopg() -> None:
    with pytest.raises(Unsupported, match="PGSERVICE"):
        target_of("postgresql://h/db", {"PGSERVICE": "team"})


@pytest.mark.parametrize(("url", "message"), [("postgresql://h:99999/db", "port"),
                                              ("postgresql://h/db?sslmode=sometimes", "sslmode"),
                                              ("postgresql://h/db?connect_timeout=soon", "connect_timeout")])
def test_a_bad_url_is_a_config_error_saying_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        target_of(url, {})
    with pytest.raises(ConfigError, match=message):
        PgDatabase(url)


def test_auto_falls_back_to_psycopg_and_wire_refuses_with_a_hint(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:5432/test?sslcert={tmp_path / 'none.crt'}&sslmode=disable"
    db = PgDatabase(url)
    assert db.driver == "psycopg" and db.rows("SELECT 1") == [(1,)]
    db.close()
    with pytest.raises(ConfigError, match=r"set store\.pg_driver to auto or psycopg"):
        PgDatabase(url, driver="wire")


def test_a_passfile_line_matches_by_host_port_database_and_user_with_wildcards(tmp_path: Path) -> None:
    path = tmp_path / "pgpass"
    path.write_text("# comment\nother:5432:*:u:no\nh:5432:d:u:first\\:one\\\\\n*:*:*:*:any\n", encoding="utf-8")
    path.chmod(0o600)
    target = target_of(f"postgresql://u@h:5432/d?passfile={path}", {})
    assert passfile_password(str(path), target) == "first:one\\"
    target = target_of(f"postgresql://v@elsewhere:1/x?passfile={path}", {})
    assert passfile_password(str(path), target) == "any"
    path.chmod(0o644)  # readable by others: ignored, as libpq does
    assert passfile_password(str(path), target) is None


# -- SCRAM ----------------------------------------------------------------------------------------------------

def test_scram_follows_the_rfc_7677_example() -> None:
    scram = Scram("pencil", nonce="rOprNGfwEbeRWgbNEkqO", user="user")
    assert scram.client_first() == b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
    final = scram.client_final(b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
    assert final == (b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                     b"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    scram.verify_server(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
    from perth.store.pgscram import ScramError

    with pytest.raises(ScramError, match="does not know the password"):
        scram.verify_server(b"v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")


def test_saslprep_maps_spaces_and_normalises() -> None:
    assert saslprep("I\u00adX") == "IX"
    assert saslprep("a\u00a0b") == "a b"
    assert saslprep("\u2168") == "IX"
    assert saslprep("plain") == "plain"


# -- a cluster that checks passwords ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def checked() -> Iterator[Cluster]:
    if pg_bin() is None:
        pytest.fail("PostgreSQL's server programs are missing: make deb-deps installs postgresql")
    with cluster() as running:
        yield running


@pytest.mark.parametrize("user", ["scram_user", "md5_user", "plain_user"])
def test_each_password_method_logs_in_and_a_wrong_password_is_refused(checked: Cluster, user: str) -> None:
    conn = connect(checked.url(user, sslmode="disable"), timeout_ms=5000)
    assert conn.execute("SELECT current_user").fetchall() == [(user,)]
    conn.close()
    with pytest.raises(PgConnectionError, match="authentication failed") as refused:
        connect(checked.url(user, "wrong", sslmode="disable"), timeout_ms=5000)
    assert refused.value.sqlstate == "28P01"
    with pytest.raises(StoreUnreachableError, match="authentication failed") as shown:
        PgDatabase(checked.url(user, "wrong", sslmode="disable"))
    assert "wrong" not in str(shown.value)


def test_the_password_comes_from_pgpassword_or_the_passfile(checked: Cluster, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    url = checked.url("scram_user", None, sslmode="disable")
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    conn = connect(url, timeout_ms=5000)
    conn.close()
    monkeypatch.delenv("PGPASSWORD")
    passfile = tmp_path / "pgpass"
    escaped = PASSWORD.replace("\\", "\\\\").replace(":", "\\:")
    passfile.write_text(f"127.0.0.1:{checked.port}:postgres:scram_user:{escaped}\n", encoding="utf-8")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    conn = connect(url, timeout_ms=5000)
    assert conn.execute("SELECT 1").fetchall() == [(1,)]
    conn.close()
    monkeypatch.delenv("PGPASSFILE")
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.pgpass there
    with pytest.raises(PgConnectionError, match="asks user \"scram_user\" for a password"):
        connect(url, timeout_ms=5000)


def test_tls_from_require_to_verify_full(checked: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.postgresql/root.crt
    for mode in ("prefer", "require"):
        conn = connect(checked.url("tls_user", sslmode=mode), timeout_ms=5000)
        assert conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchall() == [(True,)]
        conn.close()
    with pytest.raises(PgConnectionError, match=r"no pg_hba\.conf entry"):
        connect(checked.url("tls_user", sslmode="disable"), timeout_ms=5000)  # the role may only log in over TLS
    full = connect(checked.url("tls_user", sslmode="verify-full", sslrootcert=str(checked.cert)), timeout_ms=5000)
    full.close()
    other = tmp_path / "other.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout",
                    str(tmp_path / "other.key"), "-out", str(other), "-subj", "/CN=other"], check=True,
                   capture_output=True, timeout=60)
    with pytest.raises(PgConnectionError, match="certificate verify failed"):
        connect(checked.url("tls_user", sslmode="verify-ca", sslrootcert=str(other)), timeout_ms=5000)
    with pytest.raises(PgConnectionError, match="Hostname mismatch"):  # the certificate names localhost and 127.0.0.1 only
        _wrong_host(checked)


def _wrong_host(checked: Cluster) -> None:
    """verify-full against a host name the certificate does not carry: the TCP connection goes to the
    cluster, the name checked is another."""
    from perth.store import pgwire

    target = pgwire.target_of(checked.url("tls_user", sslmode="verify-full", sslrootcert=str(checked.cert)), {})
    original = pgwire.socket.create_connection

    def to_cluster(address: tuple[str, int], timeout: float | None = None) -> Any:
        return original(("127.0.0.1", address[1]), timeout)

    target.host = "db.invalid"
    pgwire.socket.create_connection = to_cluster  # type: ignore[assignment]
    try:
        WireConnection(target)
    finally:
        pgwire.socket.create_connection = original


def test_a_cli_command_on_a_password_store_never_imports_psycopg(checked: Cluster, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERTH_")}
    env.update(PERTH_HOME=str(tmp_path), PERTH_STORE__URL=checked.url("scram_user", None, sslmode="disable"),
               PGPASSWORD=PASSWORD, PERTH_PANE="team/a")
    logged = subprocess.run([sys.executable, "-m", "perth", "log", "from the wire"], env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert logged.returncode == 0, logged.stderr
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "perth", "history", "--limit", "5"], env=env,
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0 and "from the wire" in run.stdout, run.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")]
    assert "perth.store.pgwire" in imported
    assert not [name for name in imported if name.startswith("psycopg")]


def test_two_threads_each_with_a_connection(wire: WireConnection) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            conn = connect(PG_ADMIN_URL, timeout_ms=5000)
            for i in range(50):
                assert conn.execute("SELECT $1::bigint * 2", (n * 1000 + i,)).fetchall() == [((n * 1000 + i) * 2,)]
            conn.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []


# -- the pool of a long-running process ----------------------------------------------------------------------

@pytest.mark.parametrize("driver", ["wire", "psycopg"])
def test_a_long_running_process_reuses_healthy_idle_connections_only(driver: str) -> None:
    from perth.store import pg_db

    pool = pg_db.keep_connections(2)
    assert pool is not None
    try:
        first = PgDatabase(PG_ADMIN_URL, driver=driver)
        pid = first.rows("SELECT pg_backend_pid()")[0][0]
        first.close()
        second = PgDatabase(PG_ADMIN_URL, driver=driver)
        assert second.rows("SELECT pg_backend_pid()")[0][0] == pid and pool.reused == 1
        with pytest.raises(RuntimeError), second.transaction():
            second.close()  # closed inside a transaction: not kept
            raise RuntimeError
        third = PgDatabase(PG_ADMIN_URL, driver=driver)
        third_pid = third.rows("SELECT pg_backend_pid()")[0][0]
        assert third_pid != pid and pool.reused == 1
        third.close()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:  # the server ends the kept session
            admin.execute("SELECT pg_terminate_backend(%s)", (third_pid,))
            admin.execute("SELECT pg_sleep(0.2)")
        fourth = PgDatabase(PG_ADMIN_URL, driver=driver)
        assert fourth.rows("SELECT 1") == [(1,)] and pool.reused == 1  # a fresh connection, not the dead one
        fourth.close()
    finally:
        pg_db.keep_connections(0)


def test_threads_sharing_the_pool_each_get_a_connection_of_their_own() -> None:
    from perth.store import pg_db

    pool = pg_db.keep_connections(4)
    errors: list[BaseException] = []
    pids: set[int] = set()

    def work(n: int) -> None:
        try:
            for i in range(25):
                db = PgDatabase(PG_ADMIN_URL)
                with db.transaction():
                    got = db.rows("SELECT ?::bigint, pg_backend_pid()", (n * 100 + i,))
                assert got[0][0] == n * 100 + i
                pids.add(got[0][1])
                db.close()
        except BaseException as exc:
            errors.append(exc)

    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert pool is not None and pool.reused > 100  # most units of work reused a kept connection
        assert len(pids) <= 6 + 4
    finally:
        pg_db.keep_connections(0)
