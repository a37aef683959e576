"""A small client of PostgreSQL's frontend/backend protocol (version 3), for short-lived commands.

``perth history`` on a PostgreSQL store spends most of its time importing psycopg (its libpq binding,
``asyncio``, ``ssl``, ``importlib.metadata``: about 150 ms here, against 10 ms for ``python -c pass``).
This module speaks the protocol itself with the standard library's ``socket``, ``struct`` and
``hashlib`` (``ssl`` only when the server offers TLS), and covers what Perth's adapters need:

* statements with ``$n`` parameters through the extended query protocol (one round trip), statements
  without parameters (several in one string, as migrations send them) through the simple protocol;
* many parameter rows of one statement pipelined, a ``Sync`` every batch;
* text-format results decoded by type (booleans, integers, floats, ``numeric`` as :class:`~decimal.Decimal`,
  ``bytea``, ``json``/``jsonb``, dates and timestamps; other types as strings), as psycopg returns them;
* trust, cleartext, MD5 and SCRAM-SHA-256 authentication; ``sslmode`` ``disable`` to ``verify-full``;
  passwords from the URL, ``$PGPASSWORD`` or a passfile (``$PGPASSFILE``, ``~/.pgpass``), as libpq does.

A URL or environment asking for more (a service file, client certificates, several hosts, GSSAPI,
the default Unix socket) raises :class:`Unsupported` before any connection is made, and so does a
server asking for an authentication method this client does not speak: the store then uses psycopg
(``store.pg_driver``, :mod:`perth.store.pg_db`).
"""

from __future__ import annotations

import math
import os
import socket
import struct
from contextlib import suppress

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any

#: Query parameters of a URL this client understands (libpq's names).
KNOWN_PARAMS = frozenset({"host", "hostaddr", "port", "user", "password", "dbname", "sslmode", "sslrootcert",
                          "options", "connect_timeout", "application_name", "passfile", "target_session_attrs",
                          "gssencmode", "client_encoding"})

#: Environment variables of libpq that ask for something this client does not do.
UNSUPPORTED_ENV = ("PGSERVICE", "PGSERVICEFILE", "PGSSLCERT", "PGSSLKEY", "PGSSLCRL", "PGREQUIRESSL",
                   "PGKRBSRVNAME", "PGGSSLIB", "PGREQUIREAUTH", "PGCHANNELBINDING", "PGTARGETSESSIONATTRS",
                   "PGLOADBALANCEHOSTS", "PGSSLNEGOTIATION", "PGCLIENTENCODING")

SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")

#: Rows of one ``execute_many`` sent before a ``Sync`` (the replies to them fit the socket buffers).
BATCH_ROWS = 500
BATCH_BYTES = 1 << 20


class PgWireError(Exception):
    """An error the server reported (``sqlstate`` is its five-character code) or the connection failed."""

    def __init__(self, message: str, sqlstate: str = "", *, detail: str = "") -> None:
        super().__init__(message)
        self.sqlstate = sqlstate
        self.detail = detail


class PgConnectionError(PgWireError):
    """The server could not be reached, refused the login, or the connection was lost."""


class Unsupported(Exception):  # noqa: N818 - a signal to fall back to psycopg, never shown
    """The URL, the environment or the server asks for something this client does not speak."""


class Target:
    """Where and as whom to connect, from a ``postgresql://`` URL and libpq's environment variables."""

    def __init__(self, *, host: str, port: int, user: str, dbname: str, password: str | None, sslmode: str,
                 sslrootcert: str, options: str, connect_timeout: float, application_name: str,
                 passfile: str) -> None:
        self.host = host
        self.port = port
        self.user = user
        self.dbname = dbname
        self.password = password
        self.sslmode = sslmode
        self.sslrootcert = sslrootcert
        self.options = options
        self.connect_timeout = connect_timeout
        self.application_name = application_name
        self.passfile = passfile


def target_of(url: str, environ: Mapping[str, str] | None = None) -> Target:
    """The :class:`Target` a URL names; :class:`Unsupported` for what only libpq does, ``ValueError`` for a bad URL."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    env = os.environ if environ is None else environ
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError("not a postgresql:// URL")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    _refuse_libpq_only(query, parts.netloc, env)
    host = query.get("hostaddr") or query.get("host") or (unquote(parts.hostname) if parts.hostname else "") \
        or env.get("PGHOSTADDR", "") or env.get("PGHOST", "")
    if not host or host.startswith(("/", "@")) or "," in host:
        raise Unsupported("a Unix socket (the default when no host is given)")
    try:
        url_port = str(parts.port) if parts.port else ""
    except ValueError:
        raise ValueError(f"the port in {parts.netloc.rpartition('@')[2]!r} is not a TCP port") from None
    port_text = query.get("port") or url_port or env.get("PGPORT", "") or "5432"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"port {port_text!r} is not a TCP port")
    user = query.get("user") or unquote(parts.username or "") or env.get("PGUSER", "") or _login()
    dbname = query.get("dbname") or unquote(parts.path.lstrip("/")) or env.get("PGDATABASE", "") or user
    password = query.get("password")
    if password is None and parts.password is not None:
        password = unquote(parts.password)
    if password is None and env.get("PGPASSWORD"):
        password = env["PGPASSWORD"]
    sslmode = query.get("sslmode") or env.get("PGSSLMODE", "") or "prefer"
    if sslmode not in SSLMODES:
        raise ValueError(f"sslmode {sslmode!r} is not one of {', '.join(SSLMODES)}")
    if sslmode == "allow":
        raise Unsupported("sslmode=allow (plain first, then SSL)")
    timeout_text = query.get("connect_timeout") or env.get("PGCONNECT_TIMEOUT", "") or "0"
    try:
        timeout = float(timeout_text)
    except ValueError:
        raise ValueError(f"connect_timeout {timeout_text!r} is not a number of seconds") from None
    return Target(host=host, port=int(port_text), user=user, dbname=dbname, password=password, sslmode=sslmode,
                  sslrootcert=query.get("sslrootcert") or env.get("PGSSLROOTCERT", ""),
                  options=" ".join(o for o in (env.get("PGOPTIONS", ""), query.get("options", "")) if o),
                  connect_timeout=max(timeout, 2.0) if timeout > 0 else 0.0,
                  application_name=query.get("application_name") or env.get("PGAPPNAME", ""),
                  passfile=query.get("passfile") or env.get("PGPASSFILE", "")
                  or os.path.join(os.path.expanduser("~"), ".pgpass"))


def _refuse_libpq_only(query: dict[str, str], netloc: str, env: Mapping[str, str]) -> None:
    """:class:`Unsupported` when the URL or the environment asks for something only libpq does."""
    for name in UNSUPPORTED_ENV:
        if env.get(name):
            raise Unsupported(f"${name} is set")
    unknown = sorted(set(query) - KNOWN_PARAMS)
    if unknown:
        raise Unsupported(f"URL parameter {unknown[0]}")
    if query.get("gssencmode") == "require" or query.get("target_session_attrs", "any") != "any":
        raise Unsupported("gssencmode or target_session_attrs")
    if query.get("client_encoding", "UTF8").upper().replace("-", "") not in ("UTF8", "UNICODE"):
        raise Unsupported("client_encoding")
    if "," in netloc.rpartition("@")[2]:
        raise Unsupported("several hosts")


def _login() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


def passfile_password(path: str, target: Target) -> str | None:
    """The password of the first line of a libpq passfile matching the target (``*`` matches anything).

    Like libpq, a file readable by group or others is ignored (libpq warns; Perth says nothing here
    and the server's "password authentication failed" follows)."""
    try:
        st = os.stat(path)
        if st.st_mode & 0o077:
            return None
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    wanted = (target.host, str(target.port), target.dbname, target.user)
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        fields = _passfile_fields(line)
        if len(fields) < 5:
            continue
        if all(given in ("*", want) for given, want in zip(fields[:4], wanted, strict=True)):
            return ":".join(fields[4:])
    return None


def _passfile_fields(line: str) -> list[str]:
    fields, current, escaped = [], [], False
    for char in line:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ":":
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
    fields.append("".join(current))
    return fields


def numbered(sql: str) -> str:
    """``?`` placeholders as ``$1``, ``$2``..., outside quoted literals."""
    if "?" not in sql:
        return sql
    out: list[str] = []
    quoted = False
    count = 0
    for char in sql:
        if char == "'":
            quoted = not quoted
        elif char == "?" and not quoted:
            count += 1
            out.append(f"${count}")
            continue
        out.append(char)
    return "".join(out)


# -- values -------------------------------------------------------------------------------------------------

def _text(raw: bytes) -> str:
    return raw.decode()


def _bool(raw: bytes) -> bool:
    return raw == b"t"


def _float(raw: bytes) -> float:
    return float(raw)


def _numeric(raw: bytes) -> Any:
    from decimal import Decimal

    return Decimal(raw.decode())


def _bytea(raw: bytes) -> bytes:
    if raw.startswith(b"\\x"):
        return bytes.fromhex(raw[2:].decode())
    return _bytea_escaped(raw)


def _bytea_escaped(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i:i + 1] == b"\\":
            if raw[i + 1:i + 2] == b"\\":
                out.append(0x5C)
                i += 2
            else:
                out.append(int(raw[i + 1:i + 4], 8))
                i += 4
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def _json(raw: bytes) -> Any:
    import json

    return json.loads(raw)


def _date(raw: bytes) -> Any:
    from datetime import date

    return date.fromisoformat(raw.decode())


def _timestamp(raw: bytes) -> Any:
    from datetime import datetime

    text = raw.decode()
    if len(text) > 3 and text[-3] in "+-" and text[-2:].isdigit():
        text += ":00"  # "+00" -> "+00:00"
    return datetime.fromisoformat(text)


#: Type OID -> decoder of its text format (the rest are strings).
DECODERS: dict[int, Callable[[bytes], Any]] = {
    16: _bool, 17: _bytea, 20: int, 21: int, 23: int, 26: int, 28: int, 700: _float, 701: _float,
    1700: _numeric, 114: _json, 3802: _json, 1082: _date, 1114: _timestamp, 1184: _timestamp,
}


def _float_param(value: float) -> bytes:
    if math.isnan(value):
        return b"NaN"
    if math.isinf(value):
        return b"Infinity" if value > 0 else b"-Infinity"
    return repr(value).encode()


def encode(value: Any) -> tuple[int, int, bytes | None]:
    """A parameter as (type OID, format, bytes): strings go untyped, so the server infers their type."""
    if value is None:
        return 0, 0, None
    if isinstance(value, str):
        return 0, 0, value.encode()
    if isinstance(value, bool):
        return 16, 0, b"t" if value else b"f"
    if isinstance(value, int):
        return (20 if -(1 << 63) <= value < 1 << 63 else 1700), 0, str(value).encode()
    if isinstance(value, float):
        return 701, 0, _float_param(value)
    return _encode_other(value)


def _encode_other(value: Any) -> tuple[int, int, bytes | None]:
    if isinstance(value, bytes | bytearray | memoryview):
        return 17, 1, bytes(value)  # bytea goes in binary: no escaping
    kind = type(value).__name__
    if kind in ("Decimal", "datetime", "date"):
        oid = {"Decimal": 1700, "date": 1082}.get(kind) or (1184 if value.tzinfo is not None else 1114)
        return oid, 0, (str(value) if kind == "Decimal" else value.isoformat()).encode()
    raise TypeError(f"cannot send a {kind} to PostgreSQL")


# -- messages -----------------------------------------------------------------------------------------------

def _message(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def _md5_answer(password: str, user: str, salt: bytes) -> bytes:
    """``md5`` + md5(md5(password + user) + salt), the answer to an MD5 challenge."""
    import hashlib

    inner = hashlib.md5(password.encode() + user.encode()).hexdigest().encode()  # noqa: S324 - the protocol's own
    return b"md5" + hashlib.md5(inner + salt).hexdigest().encode() + b"\0"  # noqa: S324


def _cstr(text: str) -> bytes:
    return text.encode() + b"\0"


def _fields(payload: bytes) -> dict[str, str]:
    """The fields of an ErrorResponse or NoticeResponse."""
    out: dict[str, str] = {}
    for part in payload.split(b"\0"):
        if part:
            out[chr(part[0])] = part[1:].decode(errors="replace")
    return out


class Result:
    """The rows of a statement (empty for one that returns none) and its row count, like a DB-API cursor."""

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def fetchall(self) -> list[tuple[Any, ...]]:
        """Every row."""
        return self.rows

    def fetchone(self) -> tuple[Any, ...] | None:
        """The first row, or None."""
        return self.rows[0] if self.rows else None


def _rowcount(tag: bytes) -> int:
    words = tag.split()
    if words and words[0] in (b"INSERT", b"UPDATE", b"DELETE", b"SELECT", b"MOVE", b"FETCH", b"COPY", b"MERGE"):
        return int(words[-1])
    return -1


class WireConnection:
    """One connection to a PostgreSQL server in autocommit mode (``BEGIN``/``COMMIT`` are the caller's)."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.parameters: dict[str, str] = {}
        self.status = b"I"
        self._buffer = b""
        self._pos = 0
        self._sock = self._open()
        try:
            self._startup()
        except BaseException:
            self._sock.close()
            raise

    # connection ---------------------------------------------------------------------------------------
    def _open(self) -> socket.socket:
        target = self.target
        where = f"{target.host}:{target.port}"
        try:
            sock = socket.create_connection((target.host, target.port), timeout=target.connect_timeout or None)
        except OSError as exc:
            raise PgConnectionError(f"connection to {where} failed: {exc.strerror or exc}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if target.sslmode == "disable":
            return sock
        try:
            sock.sendall(struct.pack("!ii", 8, 80877103))  # SSLRequest
            answer = sock.recv(1)
        except OSError as exc:
            sock.close()
            raise PgConnectionError(f"connection to {where} failed: {exc.strerror or exc}") from None
        if answer != b"S":
            if target.sslmode == "prefer":
                return sock
            sock.close()
            raise PgConnectionError(f"the server at {where} does not support SSL, but sslmode={target.sslmode}")
        return self._wrap(sock)

    def _wrap(self, sock: socket.socket) -> socket.socket:
        import ssl

        target = self.target
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        root = target.sslrootcert or os.path.join(os.path.expanduser("~"), ".postgresql", "root.crt")
        mode = target.sslmode
        if mode == "require" and (target.sslrootcert or os.path.exists(root)):
            mode = "verify-ca"  # libpq: with a root certificate at hand, "require" verifies the chain
        if mode in ("verify-ca", "verify-full"):
            if root == "system":
                context.load_default_certs()
            else:
                try:
                    context.load_verify_locations(root)
                except (OSError, ssl.SSLError) as exc:
                    sock.close()
                    raise PgConnectionError(f"cannot read the root certificate {root}: {exc}") from None
            context.check_hostname = mode == "verify-full"
        else:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        try:
            return context.wrap_socket(sock, server_hostname=target.host)
        except (OSError, ssl.SSLError) as exc:
            sock.close()
            raise PgConnectionError(f"SSL with {target.host}:{target.port} failed: {exc}") from None

    def _startup(self) -> None:
        target = self.target
        params = {"user": target.user, "database": target.dbname, "client_encoding": "UTF8",
                  "DateStyle": "ISO"}
        if target.options:
            params["options"] = target.options
        if target.application_name:
            params["application_name"] = target.application_name
        body = struct.pack("!i", 196608) + b"".join(_cstr(k) + _cstr(v) for k, v in params.items()) + b"\0"
        self._send(struct.pack("!i", len(body) + 4) + body)
        self._authenticate()
        while True:
            kind, payload = self._read()
            if kind == b"Z":
                self.status = payload[:1]
                break
            if kind == b"S":
                name, value, _ = payload.split(b"\0", 2)
                self.parameters[name.decode()] = value.decode()
            elif kind == b"E":
                raise self._error(payload, connecting=True)
        self._sock.settimeout(None)

    def _authenticate(self) -> None:
        scram: Any = None
        while True:
            kind, payload = self._read()
            if kind == b"E":
                raise self._error(payload, connecting=True)
            if kind != b"R":
                raise PgConnectionError(f"unexpected message {kind!r} during authentication")
            code = struct.unpack_from("!i", payload)[0]
            if code == 0:
                return
            if code == 3:
                self._send(_message(b"p", _cstr(self._password())))
            elif code == 5:
                self._send(_message(b"p", _md5_answer(self._password(), self.target.user, payload[4:8])))
            elif code == 10:
                scram = self._scram_start(payload[4:])
            elif code in (11, 12) and scram is not None:
                self._scram_step(scram, code, payload[4:])
            else:
                raise Unsupported(f"authentication method {code}")

    def _scram_start(self, offered: bytes) -> Any:
        mechanisms = [m.decode() for m in offered.split(b"\0") if m]
        if "SCRAM-SHA-256" not in mechanisms:
            raise Unsupported(f"SASL mechanisms {mechanisms}")
        from perth.store.pgscram import Scram

        scram = Scram(self._password())
        first = scram.client_first()
        self._send(_message(b"p", _cstr("SCRAM-SHA-256") + struct.pack("!i", len(first)) + first))
        return scram

    def _scram_step(self, scram: Any, code: int, data: bytes) -> None:
        from perth.store.pgscram import ScramError

        try:
            if code == 11:
                self._send(_message(b"p", scram.client_final(data)))
            else:
                scram.verify_server(data)
        except ScramError as exc:
            raise PgConnectionError(f"connection to {self.target.host}:{self.target.port} failed: {exc}",
                                    "28P01") from None

    def _password(self) -> str:
        target = self.target
        if target.password is None:
            target.password = passfile_password(target.passfile, target)
        if target.password is None:
            raise PgConnectionError(f'connection to {target.host}:{target.port} failed: the server asks user'
                                    f' "{target.user}" for a password and none was given')
        return target.password

    def _error(self, payload: bytes, *, connecting: bool = False) -> PgWireError:
        fields = _fields(payload)
        code = fields.get("C", "")
        message = fields.get("M", "unknown error")
        if connecting or code.startswith(("08", "28", "3D", "57P")):
            where = f"{self.target.host}:{self.target.port}"
            return PgConnectionError(f"connection to {where} failed: {fields.get('S', 'FATAL')}: {message}", code,
                                     detail=fields.get("D", ""))
        return PgWireError(f"{fields.get('S', 'ERROR')}: {message}", code, detail=fields.get("D", ""))

    # transport ------------------------------------------------------------------------------------------
    def _send(self, data: bytes) -> None:
        try:
            self._sock.sendall(data)
        except OSError as exc:
            raise PgConnectionError(f"the connection to {self.target.host} was lost: {exc}") from None

    def _fill(self, wanted: int) -> None:
        """Read until ``wanted`` bytes past the read position are buffered."""
        chunks = [self._buffer[self._pos:]]
        have = len(chunks[0])
        while have < wanted:
            try:
                chunk = self._sock.recv(max(262144, wanted - have))
            except OSError as exc:
                raise PgConnectionError(f"the connection to {self.target.host} was lost: {exc}") from None
            if not chunk:
                raise PgConnectionError(f"the server at {self.target.host} closed the connection")
            chunks.append(chunk)
            have += len(chunk)
        self._buffer = b"".join(chunks)
        self._pos = 0

    def _read(self) -> tuple[bytes, bytes]:
        """The next message: its type byte and its payload."""
        pos = self._pos
        if len(self._buffer) - pos < 5:
            self._fill(5)
            pos = 0
        length = struct.unpack_from("!i", self._buffer, pos + 1)[0]
        if len(self._buffer) - pos < length + 1:
            self._fill(length + 1)
            pos = 0
        buffer = self._buffer
        self._pos = pos + length + 1
        return buffer[pos:pos + 1], buffer[pos + 5:pos + length + 1]

    # queries --------------------------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        """Run one statement (``$n`` placeholders) or, without parameters, one or more statements."""
        if not params:
            self._send(_message(b"Q", _cstr(sql)))
        else:
            self._send(self._parse(sql, params) + self._bind(params) + _message(b"D", b"P\0")
                       + _message(b"E", b"\0\0\0\0\0") + _message(b"S", b""))
        return self._collect()

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> Result:
        """Run one statement for each row of parameters, pipelined; ``rowcount`` is their total."""
        total = 0
        pending: list[bytes] = []
        size = 0
        signature: tuple[int, ...] | None = None
        for row in rows:
            types = tuple(encode(v)[0] for v in row)
            if types != signature:
                pending.append(self._parse(sql, row))
                signature = types
            pending.append(self._bind(row) + _message(b"E", b"\0\0\0\0\0"))
            size += len(pending[-1])
            if len(pending) >= BATCH_ROWS or size >= BATCH_BYTES:
                total += self._flush(pending)
                pending, size, signature = [], 0, None
        if pending:
            total += self._flush(pending)
        return Result([], total)

    def _flush(self, pending: list[bytes]) -> int:
        self._send(b"".join(pending) + _message(b"S", b""))
        return max(self._collect(many=True).rowcount, 0)

    @staticmethod
    def _parse(sql: str, params: Sequence[Any]) -> bytes:
        types = [encode(v)[0] for v in params]
        return _message(b"P", b"\0" + _cstr(sql) + struct.pack(f"!h{len(types)}i", len(types), *types))

    @staticmethod
    def _bind(params: Sequence[Any]) -> bytes:
        encoded = [encode(v) for v in params]
        parts = [b"\0\0", struct.pack(f"!h{len(encoded)}h", len(encoded), *(e[1] for e in encoded)),
                 struct.pack("!h", len(encoded))]
        for _, _, data in encoded:
            parts.append(b"\xff\xff\xff\xff" if data is None else struct.pack("!i", len(data)) + data)
        parts.append(b"\0\0")  # results in text format
        return _message(b"B", b"".join(parts))

    def _collect(self, *, many: bool = False) -> Result:
        rows: list[tuple[Any, ...]] = []
        decoders: list[Callable[[bytes], Any]] = []
        rowcount = -1
        counted = 0
        error: PgWireError | None = None
        while True:
            kind, payload = self._read()
            if kind == b"D":
                rows.append(_row(payload, decoders))
            elif kind == b"T":
                decoders = _decoders(payload)
                rows = []
            elif kind == b"C":
                rowcount = _rowcount(payload.rstrip(b"\0"))
                counted += max(rowcount, 0)
            elif kind == b"Z":
                self.status = payload[:1]
                break
            elif kind == b"E":
                error = self._error(payload)
            # "1" parse, "2" bind, "n" no data, "I" empty query, "N" notice, "S" parameter status: nothing to do
            elif kind == b"S":
                name, value, _ = payload.split(b"\0", 2)
                self.parameters[name.decode()] = value.decode()
        if error is not None:
            raise error
        return Result(rows, counted if many else rowcount)

    def reusable(self) -> bool:
        """Idle (no transaction open) with nothing unread: a server that ended the session has sent its
        goodbye or closed the socket, which makes the socket readable."""
        import select

        if self.status != b"I" or self._pos < len(self._buffer):
            return False
        try:
            readable, _, _ = select.select([self._sock], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    def close(self) -> None:
        """Say goodbye (``Terminate``) and close the socket."""
        with suppress(OSError):
            self._sock.sendall(_message(b"X", b""))
        self._sock.close()


def _decoders(payload: bytes) -> list[Callable[[bytes], Any]]:
    count = struct.unpack_from("!h", payload)[0]
    pos = 2
    out: list[Callable[[bytes], Any]] = []
    for _ in range(count):
        pos = payload.index(b"\0", pos) + 1
        oid = struct.unpack_from("!i", payload, pos + 6)[0]
        out.append(DECODERS.get(oid, _text))
        pos += 18
    return out


def _row(payload: bytes, decoders: list[Callable[[bytes], Any]]) -> tuple[Any, ...]:
    values: list[Any] = []
    pos = 2
    unpack = struct.unpack_from
    for decode in decoders:
        length = unpack("!i", payload, pos)[0]
        pos += 4
        if length < 0:
            values.append(None)
        else:
            values.append(decode(payload[pos:pos + length]))
            pos += length
    return tuple(values)


def connect(url: str, *, timeout_ms: int, environ: Mapping[str, str] | None = None) -> WireConnection:
    """A connection with Perth's statement and lock timeouts (:class:`Unsupported` when libpq is needed)."""
    target = target_of(url, environ)
    limits = f"-c statement_timeout={max(timeout_ms, 1000) * 6} -c lock_timeout={max(timeout_ms, 1)}"
    target.options = f"{target.options} {limits}".strip()
    if not target.connect_timeout:
        target.connect_timeout = max(1, timeout_ms // 1000)
    return WireConnection(target)
