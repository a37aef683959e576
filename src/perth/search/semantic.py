"""Vector and hybrid search (the ``[semantic]`` extra).

Embeddings come from a model2vec static model loaded from ``search.model_path`` (a local directory:
nothing is ever downloaded).  Vectors live beside the full-text index in ``<data file>.search/vectors.db``,
a SQLite file with a sqlite-vec ``vec0`` table (exact cosine KNN), opened through apsw because not every
Python's sqlite3 can load extensions.  One index has one dimension and one model: the model's identity
is recorded, and a different model is refused with the command that re-embeds (``perth search reindex``).

Filters reuse the full-text index: the vector candidates are checked there with the same filter query,
so ``--pane``, ``--cwd``, ``--failed``... mean exactly the same in every mode.  Hybrid ranking fuses the
full-text and vector rankings by reciprocal rank (``search.rrf_k``).
"""

from __future__ import annotations

import functools
import os

from perth.errors import ConfigError, UnavailableError
from perth.search.ranking import fuse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

    from perth.runtime import Runtime
    from perth.search.engine import FullTextIndex
    from perth.search.query import SearchRequest
    from perth.search.ranking import Candidate
    from perth.search.records import SearchDoc

INSTALL = "pip install 'perth[semantic]'"
REEMBED = "re-embed everything with: perth search reindex"
MIN_CANDIDATES = 50


def _require() -> None:
    try:
        import apsw  # noqa: F401 - only checking the extra is there
        import model2vec  # noqa: F401
        import sqlite_vec  # noqa: F401
    except ImportError as exc:
        raise UnavailableError("vector and hybrid search need the [semantic] extra", INSTALL) from exc


def available() -> bool:
    """Whether the ``[semantic]`` extra is installed."""
    try:
        _require()
    except UnavailableError:
        return False
    return True


class Embedder:
    """A model2vec static model from a local directory."""

    def __init__(self, path: str) -> None:
        _require()
        if not os.path.isdir(path):
            raise ConfigError(f"search.model_path {path!r} is not a directory",
                              "point it at a model2vec model folder: perth config set search.model_path DIR")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder only: never the network
        from model2vec import StaticModel

        try:
            self.model = StaticModel.from_pretrained(path, force_download=False)
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(f"search.model_path {path!r} holds no usable model2vec model ({exc})",
                              "point it at a folder written by StaticModel.save_pretrained") from exc
        self.dim = int(self.model.dim)
        stats = sorted((name, os.stat(os.path.join(path, name)).st_size) for name in os.listdir(path))
        self.identity = f"{os.path.abspath(path)}|{self.dim}|{stats}"

    def encode(self, texts: Sequence[str]) -> Any:
        """Unit vectors (float32), one row per text."""
        import numpy as np

        vectors = np.asarray(self.model.encode(list(texts), use_multiprocessing=False), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


@functools.lru_cache(maxsize=2)
def _load(path: str) -> Embedder:
    return Embedder(path)


def embedder(rt: Runtime) -> Embedder:
    """The configured model (loaded once per process)."""
    path = str(rt.settings.get("search.model_path"))
    if not path:
        raise ConfigError("vector and hybrid search need an embedding model",
                          "perth config set search.model_path /path/to/model2vec-model")
    _require()
    return _load(os.path.abspath(os.path.expanduser(path)))


class VectorIndex:
    """``vectors.db``: document keys, their kind, and a ``vec0`` table of one dimension."""

    def __init__(self, path: str, model: Embedder) -> None:
        import apsw
        import sqlite_vec

        self.model = model
        self.db = apsw.Connection(path)
        os.chmod(path, 0o600)
        self.db.enable_load_extension(True)
        self.db.load_extension(sqlite_vec.loadable_path())
        self.db.enable_load_extension(False)
        for statement in ("PRAGMA journal_mode = WAL", "PRAGMA busy_timeout = 5000",
                          "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                          "CREATE TABLE IF NOT EXISTS docs(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
                          " kind TEXT NOT NULL)"):
            self.db.execute(statement).fetchall()

    def meta(self, key: str) -> str | None:
        """A recorded value (``model``, ``dim``)."""
        rows = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchall()
        return str(rows[0][0]) if rows else None

    @property
    def is_new(self) -> bool:
        """Nothing has been embedded yet."""
        return self.meta("model") is None

    def check(self) -> None:
        """Refuse vectors made by another model (another dimension is never silently mixed)."""
        dim, model = self.meta("dim"), self.meta("model")
        if dim is not None and int(dim) != self.model.dim:
            raise ConfigError(f"the vector index holds {dim}-dimension vectors but search.model_path gives"
                              f" {self.model.dim} dimensions", REEMBED)
        if model is not None and model != self.model.identity:
            raise ConfigError("the vector index was built with another embedding model", REEMBED)

    def reset(self) -> None:
        """Drop every vector and start an index of the current model's dimension."""
        with self.db:
            for statement in ("DROP TABLE IF EXISTS vectors", "DELETE FROM docs", "DELETE FROM meta"):
                self.db.execute(statement)
            self.db.execute(f"CREATE VIRTUAL TABLE vectors USING vec0(embedding float[{self.model.dim:d}]"
                            " distance_metric=cosine, kind text)")
            self.db.execute("INSERT INTO meta(key, value) VALUES ('model', ?), ('dim', ?)",
                            (self.model.identity, str(self.model.dim)))

    def upsert(self, docs: Sequence[SearchDoc]) -> None:
        """Embed and store documents (replacing those with the same key)."""
        if not docs:
            return
        vectors = self.model.encode([d.text for d in docs])
        with self.db:
            self.delete(d.key for d in docs)
            for doc, vector in zip(docs, vectors, strict=True):
                self.db.execute("INSERT INTO docs(key, kind) VALUES (?, ?)", (doc.key, doc.kind))
                rowid = self.db.last_insert_rowid()
                self.db.execute("INSERT INTO vectors(rowid, embedding, kind) VALUES (?, ?, ?)",
                                (rowid, vector.tobytes(), doc.kind))

    def delete(self, keys: Iterable[str]) -> None:
        """Forget documents by key."""
        with self.db:
            for key in keys:
                for (rowid,) in self.db.execute("SELECT id FROM docs WHERE key = ?", (key,)).fetchall():
                    self.db.execute("DELETE FROM vectors WHERE rowid = ?", (rowid,))
                    self.db.execute("DELETE FROM docs WHERE id = ?", (rowid,))

    def delete_prefixes(self, prefixes: Iterable[str]) -> None:
        """Forget every document whose key starts with one of ``prefixes`` (a range of the key index)."""
        with self.db:
            for prefix in prefixes:
                bounds = (prefix, prefix + "\U0010ffff")
                self.db.execute("DELETE FROM vectors WHERE rowid IN (SELECT id FROM docs WHERE key >= ? AND key < ?)",
                                bounds)
                self.db.execute("DELETE FROM docs WHERE key >= ? AND key < ?", bounds)

    def delete_kind(self, kind: str) -> None:
        """Forget every document of a kind."""
        with self.db:
            self.db.execute("DELETE FROM vectors WHERE rowid IN (SELECT id FROM docs WHERE kind = ?)", (kind,))
            self.db.execute("DELETE FROM docs WHERE kind = ?", (kind,))

    def nearest(self, query: Any, kinds: Sequence[str], k: int) -> list[tuple[str, float]]:
        """The ``k`` nearest documents of these kinds (empty: any kind): ``(key, cosine similarity)``."""
        marks = ", ".join("?" * len(kinds))
        where = f" AND v.kind IN ({marks})" if kinds else ""
        rows = self.db.execute(
            f"SELECT d.key, v.distance FROM vectors v JOIN docs d ON d.id = v.rowid WHERE v.embedding MATCH ?"
            f" AND k = ?{where} ORDER BY v.distance", (query.tobytes(), k, *kinds)).fetchall()
        # a text of words the model does not know has a zero vector: no direction, similarity 0
        return [(str(key), 0.0 if distance is None else 1.0 - float(str(distance))) for key, distance in rows]

    def close(self) -> None:
        """Release the file."""
        self.db.close()


def vector_index(rt: Runtime, model: Embedder) -> VectorIndex:
    """The vector file of this store's search index."""
    from perth.search.engine import index_dir

    directory = index_dir(rt)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    return VectorIndex(os.path.join(directory, "vectors.db"), model)


def sink(rt: Runtime) -> VectorIndex | None:
    """Where a sync writes vectors: ``None`` when no model is configured or the extra is missing."""
    if not str(rt.settings.get("search.model_path")) or not available():
        return None
    return vector_index(rt, embedder(rt))


def vector_ranked(rt: Runtime, index: FullTextIndex, request: SearchRequest,
                  k: int) -> tuple[list[tuple[float, Candidate]], dict[tuple[object, ...], Any]]:
    """The ``k`` nearest documents that pass the request's filters (their fields not loaded yet), and
    their index addresses."""
    from perth.search.query import kind_cutoffs
    from perth.search.ranking import Candidate

    model = embedder(rt)
    vectors = vector_index(rt, model)
    try:
        vectors.check()
        query = model.encode([request.text])[0]
        cutoffs = kind_cutoffs(rt, request.kinds)
        n = max(2 * k, MIN_CANDIDATES)
        while True:
            near = vectors.nearest(query, [kind for kind, _ in cutoffs], n)
            passed = index.by_keys([key for key, _ in near], request.filter, cutoffs)
            found = [(score, Candidate(bm25=0.0, kind=key.split(":", 1)[0], ref_id=key.split(":", 1)[1],
                                       at_ms=passed[key][1], importance=passed[key][2], ident=("vector", key),
                                       fields=None))
                     for key, score in near if key in passed]
            if len(found) >= k or len(near) < n:
                return found[:k], {("vector", key): value[0] for key, value in passed.items()}
            n *= 4
    finally:
        vectors.close()


def ranked_semantic(rt: Runtime, index: FullTextIndex, request: SearchRequest, mode: str,
                    k: int) -> list[tuple[float, Candidate]]:
    """``vector``: nearest first; ``hybrid``: reciprocal rank fusion of full text and vectors."""
    from perth.search.query import candidate, fulltext

    depth = max(k, MIN_CANDIDATES) if mode == "hybrid" else k
    if mode == "hybrid":
        # the vector search runs beside the full-text ranking: sqlite-vec's scan holds no GIL
        from concurrent.futures import ThreadPoolExecutor

        index.refresh()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="perth-vectors") as workers:
            pending = workers.submit(vector_ranked, rt, index, request, depth)
            text = fulltext(rt, index, request, depth, refresh=False)
            near, addresses = pending.result()
    else:
        near, addresses = vector_ranked(rt, index, request, depth)

    def load(score: float, found: Candidate) -> tuple[float, Candidate]:
        if found.fields is not None:
            return score, found
        fields = index.fields(addresses[found.key])
        return score, candidate(found.bm25, fields)

    if mode == "vector":
        return [load(score, c) for score, c in near[:k]]
    pool = {c.kind + ":" + c.ref_id: c for _, c in near}
    pool.update({c.kind + ":" + c.ref_id: c for _, c in text})
    rankings = [[c.kind + ":" + c.ref_id for _, c in text], [c.kind + ":" + c.ref_id for _, c in near]]
    fused = fuse(rankings, k=rt.settings.get_int("search.rrf_k"))
    return [load(score, pool[key]) for key, score in fused[:k]]
