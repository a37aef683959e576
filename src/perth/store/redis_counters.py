"""The breakers and redaction_stats ports on Redis: small hashes (see docs/team.md).

- ``breaker:{name}`` (hash): one circuit breaker's state; ``breakers`` (set): their names.
- ``redaction-counts`` and ``redaction-last`` (hashes): ``{rule}\\t{source}`` -> how often the rule
  matched, and when it last did (never the secret).
"""

from __future__ import annotations

from perth.records import RedactionCount
from perth.store.redis_db import decode, encode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from perth.resilience.state import BreakerState
    from perth.store.redis_db import RedisDatabase

_BREAKER_INTS = ("failures", "opened_at", "probe_until", "last_latency_ms", "last_success_at", "last_failure_at",
                 "updated_at")


class RedisBreakers:
    """The breakers port (see :class:`perth.store.ports.breakers.BreakerRepo`)."""

    def __init__(self, db: RedisDatabase) -> None:
        self._db = db

    def _decode(self, fields: dict[str, str]) -> BreakerState:
        from perth.resilience.state import BreakerState

        return decode(BreakerState, fields, ints=_BREAKER_INTS)

    def get(self, name: str) -> BreakerState | None:
        """One breaker's state, or None when it was never used."""
        with self._db.reading() as client:
            fields = client.hgetall(self._db.key("breaker", name))
        return self._decode(fields) if fields else None

    def put(self, state: BreakerState) -> None:
        """Insert or replace a breaker's state."""
        key, names, fields = self._db.key("breaker", state.name), self._db.key("breakers"), encode(state)

        def op(pipe: Any) -> None:
            pipe.delete(key)
            pipe.hset(key, mapping=fields)
            pipe.sadd(names, state.name)

        with self._db.transaction() as unit:
            unit.queue(op)

    def all(self) -> list[BreakerState]:
        """Every breaker, by name."""
        with self._db.reading() as client:
            names = sorted(client.smembers(self._db.key("breakers")))
            pipe = client.pipeline(transaction=False)
            for name in names:
                pipe.hgetall(self._db.key("breaker", name))
            return [self._decode(fields) for fields in pipe.execute() if fields]


class RedisRedactionStats:
    """The redaction_stats port (see :class:`perth.store.ports.redaction.RedactionStats`)."""

    def __init__(self, db: RedisDatabase) -> None:
        self._counts = db.key("redaction-counts")
        self._last = db.key("redaction-last")
        self._db = db

    def add(self, counts: Mapping[tuple[str, str], int], at: int) -> None:
        """Add to the per-(rule, source) counters."""
        if not counts:
            return
        fields = {f"{rule_id}\t{source}": count for (rule_id, source), count in counts.items()}

        def op(pipe: Any) -> None:
            for field, count in fields.items():
                pipe.hincrby(self._counts, field, count)
            pipe.hset(self._last, mapping=dict.fromkeys(fields, at))

        with self._db.transaction() as unit:
            unit.queue(op)

    def all(self) -> list[RedactionCount]:
        """Every counter, most frequent first."""
        with self._db.reading() as client:
            counts, last = client.hgetall(self._counts), client.hgetall(self._last)
        found = []
        for field, count in counts.items():
            rule_id, _, source = field.partition("\t")
            found.append(RedactionCount(rule_id, source, int(count), int(last.get(field, 0))))
        return sorted(found, key=lambda c: (-c.count, c.rule_id, c.source))
