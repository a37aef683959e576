"""One Redis connection and the buffered unit of work every Redis port adapter writes through.

A write never goes to Redis piecemeal: each port method opens (or joins) a unit, reads what it
must check through the unit, and queues its commands; the outermost unit sends them in one
``MULTI``/``EXEC``, so everything inside commits or nothing does.  The keys a check read are
``WATCH``-ed first: if another process changes one of them before the ``EXEC``, nothing is written
and the call fails with a :class:`~perth.errors.ConflictError` (retry the command).  Only the
checks that guard a uniqueness are watched (a pane name, a pane id, a pane's record moving on a
rename or deletion); plain updates and appends are not, so concurrent writers of one pane do not
fail each other (the last update of a record wins, as on SQL stores).

What a read sees: the checks inside a unit (does this pane exist, is this name free) see the
records the unit itself has queued, by key; every other read (queries, ``get``) sees committed
data only.  ``redis`` (redis-py) is an optional dependency (``perth[team]``), imported only when
``store.url`` is a ``redis://`` address.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from perth.errors import StoreError, StoreRaceError, StoreUnreachableError, UnavailableError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, TypeVar

    from perth.record import Record

    R = TypeVar("R", bound=Record)

INSTALL_HINT = "install the team extra: pip install 'perth[team]' (from a checkout: pip install '.[team]')"

#: The key prefix of a store whose URL names none (``?prefix=`` in ``store.url`` picks another).
DEFAULT_PREFIX = "perth:"


def split_url(url: str) -> tuple[str, str, str]:
    """``(url without the prefix parameter, key prefix, host:port/db for messages)``."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((value for name, value in query if name == "prefix"), DEFAULT_PREFIX)
    rest = urlencode([(name, value) for name, value in query if name != "prefix"])
    try:
        server = f"{parts.hostname or 'localhost'}:{parts.port or 6379}{parts.path or '/0'}"
    except ValueError:
        server = "the configured Redis server"
    return urlunsplit(parts._replace(query=rest)), prefix, server


def encode(record: Record, *, jsons: Iterable[str] = ()) -> dict[str, str]:
    """A record as a Redis hash: strings as they are, numbers in decimal, lists and maps as JSON,
    None fields left out."""
    as_json = set(jsons)
    out: dict[str, str] = {}
    for name in type(record)._fields:
        value = getattr(record, name)
        if value is None:
            continue
        if name in as_json:
            plain = list(value) if isinstance(value, tuple) else dict(value)
            out[name] = json.dumps(plain, ensure_ascii=False, sort_keys=True)
        else:
            out[name] = str(value)
    return out


def decode(cls: type[R], fields: dict[str, str], *, ints: Iterable[str] = (),
                      jsons: Iterable[str] = (), **extra: object) -> R:
    """The record a hash written by :func:`encode` holds (``extra`` fills fields kept elsewhere)."""
    as_int, as_json = set(ints), set(jsons)
    values: dict[str, object] = dict(extra)
    for name, text in fields.items():
        if name not in cls._fields:
            continue
        if name in as_json:
            loaded = json.loads(text)
            values[name] = tuple(loaded) if isinstance(loaded, list) else loaded
        else:
            values[name] = int(text) if name in as_int else text
    return cls(**values)


def translate_error(exc: Exception, server: str) -> Exception:
    """A redis-py error as the most specific store error (messages name the server, never a password)."""
    import redis

    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, redis.WatchError):
        return StoreRaceError("the Redis store changed while this write was prepared (another process wrote"
                              " the same records)", "run the command again")
    if isinstance(exc, redis.TimeoutError):
        return UnavailableError(f"the Redis store at {server} did not answer in time: {first}",
                                "retry, or raise store.busy_timeout_ms")
    if isinstance(exc, redis.ConnectionError):
        return StoreUnreachableError(f"cannot reach the Redis store at {server}: {first}",
                                     "start the server or fix store.url (perth config set store.url URL)")
    return StoreError(f"Redis store error on {server}: {first}", "run `perth doctor` for details")


def connect(url: str, *, timeout_ms: int) -> Any:
    """A redis-py client (strings decoded) that has answered a PING."""
    try:
        import redis
    except ImportError:
        raise UnavailableError("store.url names a Redis store, but the redis package is not installed",
                               INSTALL_HINT) from None
    plain, _prefix, server = split_url(url)
    seconds = max(timeout_ms, 1000) / 1000
    try:
        client = redis.Redis.from_url(plain, decode_responses=True, socket_timeout=seconds * 6,
                                      socket_connect_timeout=seconds)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise translate_error(exc, server) from exc
    return client


class Unit:
    """The commands a unit of work has queued, the keys it watches and the records it has staged."""

    def __init__(self, pipe: Any, client: Any) -> None:
        self.pipe = pipe
        self.client = client
        self.ops: list[Callable[[Any], object]] = []
        self.staged: dict[tuple[str, str], object] = {}

    def read(self, key: str, field: str) -> object:
        """One hash field as the unit sees it: staged by this unit, else committed (and watched)."""
        if (key, field) in self.staged:
            return self.staged[(key, field)]
        self.pipe.watch(key)
        return self.pipe.hget(key, field)

    def peek(self, key: str, field: str) -> object:
        """One hash field as the unit sees it, without watching it (a fact no race can make wrong
        enough to matter: ids are never reused)."""
        if (key, field) in self.staged:
            return self.staged[(key, field)]
        return self.client.hget(key, field)

    def read_hash(self, key: str) -> dict[str, str]:
        """A whole hash as the unit sees it (``{}`` when absent or deleted by this unit)."""
        if (key, "") in self.staged:
            staged = self.staged[(key, "")]
            return dict(staged) if isinstance(staged, dict) else {}
        self.pipe.watch(key)
        return dict(self.pipe.hgetall(key))

    def stage(self, key: str, field: str, value: object) -> None:
        """Remember what this unit wrote (``field`` "" for a whole hash, None for deleted)."""
        self.staged[(key, field)] = value

    def queue(self, op: Callable[[Any], object]) -> None:
        """A command (or several) to send in the unit's ``MULTI``/``EXEC``."""
        self.ops.append(op)


class RedisDatabase:
    """A Redis keyspace under one prefix, with a buffered, nestable, all-or-nothing unit of work."""

    engine = "redis"

    def __init__(self, url: str, *, timeout_ms: int = 5000) -> None:
        self.url = url
        _plain, self.prefix, self.server = split_url(url)
        self.client = connect(url, timeout_ms=timeout_ms)
        self._unit: Unit | None = None

    def key(self, *parts: str) -> str:
        """A key of this store: the prefix then the parts joined by ``:``."""
        return self.prefix + ":".join(parts)

    @contextmanager
    def transaction(self) -> Iterator[Unit]:
        """The open unit, or a new one that commits on leaving (nested calls join the outer one)."""
        if self._unit is not None:
            yield self._unit
            return
        unit = Unit(self.client.pipeline(transaction=True), self.client)
        self._unit = unit
        try:
            yield unit
        except BaseException as exc:
            self._unit = None
            unit.pipe.reset()
            if type(exc).__module__.startswith("redis"):  # a check's read failed: say which server
                raise translate_error(exc, self.server) from exc  # type: ignore[arg-type]
            raise
        self._unit = None
        self._commit(unit)

    def _commit(self, unit: Unit) -> None:
        import redis

        try:
            if unit.ops:
                unit.pipe.multi()
                for op in unit.ops:
                    op(unit.pipe)
                unit.pipe.execute()
        except redis.RedisError as exc:
            raise translate_error(exc, self.server) from exc
        finally:
            unit.pipe.reset()

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """The client for committed reads, its errors translated."""
        import redis

        try:
            yield self.client
        except redis.RedisError as exc:
            raise translate_error(exc, self.server) from exc

    def own_keys(self) -> Iterator[str]:
        """Every key under this store's prefix."""
        pattern = "".join(f"\\{c}" if c in "*?[]\\" else c for c in self.prefix) + "*"
        yield from self.client.scan_iter(match=pattern, count=1000)

    def close(self) -> None:
        """Close the connections."""
        self.client.close()
