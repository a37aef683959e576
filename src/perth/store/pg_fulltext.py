"""PostgreSQL's full-text index of commands and intent entries: the fulltext port.

``commands.command_tsv`` and ``entries.search_tsv`` are ``tsvector`` columns the server generates
from the text (the ``simple`` configuration: no stemming, like SQLite's ``unicode61``), indexed
with GIN.  Ranking is ``ts_rank_cd`` normalised by document length (shorter matches rank higher,
as with BM25), among the newest matches as SQLite's search does; the score is negated so that,
as with SQLite's ``bm25()``, lower is better.
"""

from __future__ import annotations

from perth.store.sql_commands import command_filters
from perth.store.sqlite_fulltext import RANK_WINDOW

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.capture.records import CommandQuery, SearchHit
    from perth.store.sql import SqlDatabase

#: Matching words as a tsquery: every word must occur, ``word*`` matches a prefix.
_QUERY = ("(SELECT CASE WHEN ? = '' THEN plainto_tsquery('simple', ?)"
          " ELSE plainto_tsquery('simple', ?) && to_tsquery('simple', ?) END)")


def _tsquery_params(text: str) -> tuple[str, str, str, str]:
    """Plain words, and prefix words as a ``&``-joined tsquery of ``'word':*`` terms."""
    plain, prefixes = [], []
    for token in text.split():
        if token.endswith("*") and len(token) > 1:
            word = token.rstrip("*").replace("'", "''").replace("\\", "\\\\")
            prefixes.append(f"'{word}':*")
        else:
            plain.append(token)
    words = " ".join(plain)
    joined = " & ".join(prefixes)
    return joined, words, words, joined


class PgFullText:
    """Full-text search over the generated ``tsvector`` columns."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def search(self, text: str, query: CommandQuery, *, kinds: Sequence[str] = ("command", "intent"),
               limit: int = 20) -> list[SearchHit]:
        """Ranked matches over commands and intent entries (filters apply to both where they can)."""
        if not text.split():
            return []
        terms = _tsquery_params(text)
        hits: list[SearchHit] = []
        if "command" in kinds:
            hits += self._commands(terms, query, limit)
        if "intent" in kinds and query.cwd is None and query.exit is None and not query.failed \
                and query.host is None and query.repo_root is None:
            hits += self._entries(terms, query, limit)
        hits.sort(key=lambda hit: (hit.score, -hit.at_ms))
        return hits[:limit]

    def _commands(self, terms: tuple[str, ...], query: CommandQuery, limit: int) -> list[SearchHit]:
        where, params = command_filters(query)
        sql = ("SELECT c.id, -ts_rank_cd(c.command_tsv, q.q, 1) AS score, c.command, p.name, c.start_ms"
               f" FROM (SELECT c.id, c.command, c.command_tsv, c.pane_id, c.start_ms FROM commands c, {_QUERY} AS q(q)"
               " WHERE c.command_tsv @@ q.q"
               f" AND {' AND '.join(where)} ORDER BY c.start_ms DESC LIMIT ?) c"
               f" CROSS JOIN {_QUERY} AS q(q) LEFT JOIN panes p ON p.id = c.pane_id"
               " ORDER BY score, c.start_ms DESC LIMIT ?")
        rows = self._db.rows(sql, [*terms, *params, RANK_WINDOW, *terms, limit])
        return [_hit("command", row) for row in rows]

    def _entries(self, terms: tuple[str, ...], query: CommandQuery, limit: int) -> list[SearchHit]:
        where: list[str] = ["e.deleted_at IS NULL"]
        params: list[Any] = []
        if query.pane_ids:
            where.append(f"e.pane_id IN ({', '.join('?' * len(query.pane_ids))})")
            params.extend(query.pane_ids)
        for clause, value in (("e.ts >= ?", query.since), ("e.ts <= ?", query.until)):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = ("SELECT e.id, -ts_rank_cd(e.search_tsv, q.q, 1) AS score, e.summary, p.name, e.ts"
               f" FROM (SELECT e.id, e.summary, e.search_tsv, e.pane_id, e.ts FROM entries e, {_QUERY} AS q(q)"
               " WHERE e.search_tsv @@ q.q"
               f" AND {' AND '.join(where)} ORDER BY e.ts DESC LIMIT ?) e"
               f" CROSS JOIN {_QUERY} AS q(q) JOIN panes p ON p.id = e.pane_id"
               " ORDER BY score, e.ts DESC LIMIT ?")
        rows = self._db.rows(sql, [*terms, *params, RANK_WINDOW, *terms, limit])
        return [_hit("intent", row) for row in rows]


def _hit(kind: str, row: Sequence[Any]) -> SearchHit:
    from perth.capture.records import SearchHit

    return SearchHit(kind, row[0], float(row[1]), row[2], row[3], int(row[4]))
