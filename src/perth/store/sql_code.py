"""Tables of the code index (C10; SQLite ``m011_code_index``, PostgreSQL ``m005_ports``): the code port.

Files, symbols and edges are plain indexed rows: queries by name, qualified name, source and
target use an index each.  Re-indexing a file deletes its rows (the symbols and edges cascade
from the file row) and inserts the new ones in the caller's transaction.  Written once in the SQL
both engines share; the engine says how a glob matches (:meth:`SqlCodeIndex._glob`) and how new
file ids are allocated (:meth:`SqlCodeIndex._file_ids`); PostgreSQL's are in :mod:`perth.store.pg_code`.
"""

from __future__ import annotations

from perth.errors import ConflictError
from perth.store.sql import IntegrityViolation

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from perth.codeindex.model import CodeRepo, Edge, FileGraph, FileState, Symbol
    from perth.store.sql import SqlDatabase

_REPO_COLUMNS = "id, name, root, added_at, indexed_at, head, branch, state, files, symbols, edges, last_error"
_SYMBOL_COLUMNS = ("s.name, s.qualname, s.kind, s.line, s.end_line, s.parent, s.signature, s.doc, s.decorators,"
                   " f.path")
_EDGE_COLUMNS = "e.kind, e.src, e.dst, e.name, e.confidence, e.line, f.path"
_CHUNK = 500


def _repo(row: Sequence[Any]) -> CodeRepo:
    from perth.codeindex.model import CodeRepo

    return CodeRepo(id=row[0], name=row[1], root=row[2], added_at=row[3], indexed_at=row[4], head=row[5],
                    branch=row[6], state=row[7], files=row[8], symbols=row[9], edges=row[10], last_error=row[11])


def _symbol(row: Sequence[Any]) -> Symbol:
    from perth.codeindex.model import Symbol

    return Symbol(*row)


def _edge(row: Sequence[Any]) -> Edge:
    from perth.codeindex.model import Edge

    return Edge(*row)


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[i:i + _CHUNK] for i in range(0, len(values), _CHUNK)] or [()]


class SqlCodeIndex:
    """The code index port (see :class:`perth.store.ports.code.CodeIndexPort`)."""

    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    def _glob(self, column: str) -> str:
        """A condition: ``column`` matches the glob given as the next parameter (case-sensitive)."""
        return f"{column} GLOB ?"

    def _glob_param(self, pattern: str) -> str:
        """The parameter :meth:`_glob` compares with."""
        return pattern

    def _file_ids(self, count: int) -> list[int]:
        """Ids for ``count`` new files (inside the caller's write transaction, which excludes other
        writers on SQLite)."""
        first = int(self.db.rows("SELECT COALESCE(MAX(id), 0) FROM code_files")[0][0]) + 1
        return list(range(first, first + count))

    # -- repositories ------------------------------------------------------------------------

    def add_repo(self, repo: CodeRepo) -> None:
        """Register a repository; a taken name or root is a :class:`ConflictError`."""
        try:
            self.db.write(f"INSERT INTO code_repos({_REPO_COLUMNS}) VALUES ({_marks(_REPO_COLUMNS.split(', '))})",
                          self._repo_params(repo))
        except IntegrityViolation as exc:
            raise ConflictError(f"a repository named {repo.name!r} or at {repo.root} is already registered",
                                "pick another name with --name, or `perth code list` to see it") from exc

    @staticmethod
    def _repo_params(repo: CodeRepo) -> tuple[Any, ...]:
        return (repo.id, repo.name, repo.root, repo.added_at, repo.indexed_at, repo.head, repo.branch,
                repo.state, repo.files, repo.symbols, repo.edges, repo.last_error)

    def update_repo(self, repo: CodeRepo) -> None:
        """Replace every field of the repository with this id."""
        columns = _REPO_COLUMNS.split(", ")[1:]
        assignments = ", ".join(f"{c} = ?" for c in columns)
        self.db.write(f"UPDATE code_repos SET {assignments} WHERE id = ?", (*self._repo_params(repo)[1:], repo.id))

    def get_repo(self, *, repo_id: str | None = None, name: str | None = None,
                 root: str | None = None) -> CodeRepo | None:
        """One repository by id, name or root."""
        column, value = (("id", repo_id) if repo_id is not None else ("name", name) if name is not None
                         else ("root", root))
        rows = self.db.rows(f"SELECT {_REPO_COLUMNS} FROM code_repos WHERE {column} = ?", (value,))
        return _repo(rows[0]) if rows else None

    def list_repos(self) -> list[CodeRepo]:
        """Every repository by name."""
        return [_repo(r) for r in self.db.rows(f"SELECT {_REPO_COLUMNS} FROM code_repos ORDER BY name")]

    def remove_repo(self, repo_id: str) -> bool:
        """Delete a repository; its files, symbols and edges go with it."""
        return self.db.write("DELETE FROM code_repos WHERE id = ?", (repo_id,)).rowcount > 0

    # -- files -------------------------------------------------------------------------------

    def file_states(self, repo_id: str) -> dict[str, FileState]:
        """Every indexed file of a repository."""
        from perth.codeindex.model import FileState

        rows = self.db.rows("SELECT path, language, module, digest, size, mtime_ns, error FROM code_files"
                            " WHERE repo_id = ?", (repo_id,))
        return {row[0]: FileState(*row) for row in rows}

    def apply(self, repo_id: str, graphs: Sequence[FileGraph], deleted: Sequence[str],
              touched: Sequence[FileState]) -> None:
        """One transaction: drop deleted and re-parsed files, insert the new graphs, refresh stats."""
        with self.db.transaction():
            gone = [*deleted, *(g.state.path for g in graphs)]
            for chunk in _chunks(gone):
                if chunk:
                    self.db.run(f"DELETE FROM code_files WHERE repo_id = ? AND path IN ({_marks(chunk)})",
                                (repo_id, *chunk))
            self._insert(repo_id, graphs)
            self.db.run_many("UPDATE code_files SET size = ?, mtime_ns = ? WHERE repo_id = ? AND path = ?",
                             [(s.size, s.mtime_ns, repo_id, s.path) for s in touched])

    def _insert(self, repo_id: str, graphs: Sequence[FileGraph]) -> None:
        """Three bulk inserts; file ids are allocated here, so symbols and edges can name their file."""
        files, symbols, edges = [], [], []
        for file_id, graph in zip(self._file_ids(len(graphs)), graphs, strict=True):
            st = graph.state
            files.append((file_id, repo_id, st.path, st.language, st.module, st.digest, st.size, st.mtime_ns,
                          st.error))
            symbols += [(file_id, repo_id, s.name, s.qualname, s.kind, s.line, s.end_line, s.parent, s.signature,
                         s.doc, s.decorators) for s in graph.symbols]
            edges += [(file_id, repo_id, e.kind, e.src, e.dst, e.name, e.confidence, e.line) for e in graph.edges]
        self.db.run_many("INSERT INTO code_files(id, repo_id, path, language, module, digest, size, mtime_ns, error)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", files)
        self.db.run_many("INSERT INTO code_symbols(file_id, repo_id, name, qualname, kind, line, end_line, parent,"
                         " signature, doc, decorators) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", symbols)
        self.db.run_many("INSERT INTO code_edges(file_id, repo_id, kind, src, dst, name, confidence, line)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", edges)

    def graphs(self, repo_id: str) -> list[FileGraph]:
        """Every file with its symbols (by line) and edges (by line), by path."""
        from perth.codeindex.model import FileGraph

        states = self.file_states(repo_id)
        symbols: dict[str, list[Symbol]] = {}
        for symbol in self.definitions(repo_id):
            symbols.setdefault(symbol.path, []).append(symbol)
        edges: dict[str, list[Edge]] = {}
        for row in self.db.rows(f"SELECT {_EDGE_COLUMNS} FROM code_edges e JOIN code_files f ON f.id = e.file_id"
                                " WHERE e.repo_id = ? ORDER BY f.path, e.line, e.kind, e.src, e.dst, e.name",
                                (repo_id,)):
            edge = _edge(row)
            edges.setdefault(edge.path, []).append(edge)
        return [FileGraph(state=states[path], symbols=tuple(symbols.get(path, ())), edges=tuple(edges.get(path, ())))
                for path in sorted(states)]

    def counts(self, repo_id: str) -> tuple[int, int, int]:
        """Files, symbols and edges of a repository."""
        found = [self.db.rows(f"SELECT COUNT(*) FROM {table} WHERE repo_id = ?", (repo_id,))[0][0]
                 for table in ("code_files", "code_symbols", "code_edges")]
        return int(found[0]), int(found[1]), int(found[2])

    # -- symbols -----------------------------------------------------------------------------

    def find_symbols(self, repo_id: str, *, name: str | None = None, pattern: str | None = None,
                     kinds: Sequence[str] = (), limit: int = 50) -> list[Symbol]:
        """By exact name or qualified name, or by a case-sensitive glob over both."""
        where: list[str] = []
        params: list[Any] = []
        if name is not None:  # rows of two index searches (an OR would scan the repository's symbols)
            where.append("s.id IN (SELECT id FROM code_symbols WHERE repo_id = ? AND name = ?"
                         " UNION ALL SELECT id FROM code_symbols WHERE repo_id = ? AND qualname = ?)")
            params += [repo_id, name, repo_id, name]
        else:
            where.append("s.repo_id = ?")
            params.append(repo_id)
        if pattern is not None:
            where.append(f"({self._glob('s.name')} OR {self._glob('s.qualname')})")
            params += [self._glob_param(pattern)] * 2
        if kinds:
            where.append(f"s.kind IN ({_marks(kinds)})")
            params += list(kinds)
        sql = (f"SELECT {_SYMBOL_COLUMNS} FROM code_symbols s JOIN code_files f ON f.id = s.file_id"
               f" WHERE {' AND '.join(where)} ORDER BY length(s.qualname), s.qualname, f.path, s.line LIMIT ?")
        return [_symbol(r) for r in self.db.rows(sql, (*params, limit))]

    def symbols(self, repo_id: str, qualnames: Sequence[str]) -> list[Symbol]:
        """Symbols by qualified name."""
        found: list[Symbol] = []
        for chunk in _chunks(list(dict.fromkeys(qualnames))):
            if chunk:
                found += [_symbol(r) for r in self.db.rows(
                    f"SELECT {_SYMBOL_COLUMNS} FROM code_symbols s JOIN code_files f ON f.id = s.file_id"
                    f" WHERE s.repo_id = ? AND s.qualname IN ({_marks(chunk)})", (repo_id, *chunk))]
        return found

    def file_symbols(self, repo_id: str, path: str) -> list[Symbol]:
        """Symbols of one file in line order."""
        return [_symbol(r) for r in self.db.rows(
            f"SELECT {_SYMBOL_COLUMNS} FROM code_symbols s JOIN code_files f ON f.id = s.file_id"
            " WHERE f.repo_id = ? AND f.path = ? ORDER BY s.line, s.qualname", (repo_id, path))]

    def definitions(self, repo_id: str) -> list[Symbol]:
        """Every symbol of a repository."""
        return [_symbol(r) for r in self.db.rows(
            f"SELECT {_SYMBOL_COLUMNS} FROM code_symbols s JOIN code_files f ON f.id = s.file_id"
            " WHERE s.repo_id = ? ORDER BY f.path, s.line", (repo_id,))]

    # -- edges -------------------------------------------------------------------------------

    def _edges(self, repo_id: str, column: str, values: Sequence[str], kinds: Sequence[str], *,
               extra: str = "", extra_params: Sequence[Any] = ()) -> list[Edge]:
        found: list[Edge] = []
        for chunk in _chunks(list(dict.fromkeys(values))):
            if chunk:
                found += [_edge(r) for r in self.db.rows(
                    f"SELECT {_EDGE_COLUMNS} FROM code_edges e JOIN code_files f ON f.id = e.file_id"
                    f" WHERE e.repo_id = ? AND e.{column} IN ({_marks(chunk)}) AND e.kind IN ({_marks(kinds)})"
                    f"{extra} ORDER BY f.path, e.line, e.src", (repo_id, *chunk, *kinds, *extra_params))]
        return found

    def edges_to(self, repo_id: str, dsts: Sequence[str], kinds: Sequence[str]) -> list[Edge]:
        """Edges into any of ``dsts``."""
        return self._edges(repo_id, "dst", dsts, kinds)

    def edges_from(self, repo_id: str, srcs: Sequence[str], kinds: Sequence[str]) -> list[Edge]:
        """Edges out of any of ``srcs``."""
        return self._edges(repo_id, "src", srcs, kinds)

    def edges_named(self, repo_id: str, names: Sequence[str], kinds: Sequence[str],
                    confidence: str) -> list[Edge]:
        """Edges of one confidence by written name."""
        return self._edges(repo_id, "name", names, kinds, extra=" AND e.confidence = ?", extra_params=(confidence,))

    def references(self, repo_id: str) -> list[tuple[str, str, str, int]]:
        """Reference counts per (file, target, name)."""
        rows = self.db.rows(
            "SELECT f.path, e.dst, e.name, COUNT(*) FROM code_edges e JOIN code_files f ON f.id = e.file_id"
            " WHERE e.repo_id = ? AND e.kind IN ('calls', 'imports', 'inherits') GROUP BY f.path, e.dst, e.name",
            (repo_id,))
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]
