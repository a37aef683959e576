"""The full-text index: a tantivy directory beside the data file, ranked by BM25 over every match.

tantivy scores with BM25 (k1 = 1.2, b = 0.75, idf = ln(1 + (N - n + 0.5) / (n + 0.5)), statistics over
the whole index) and collects the top k with block-max WAND: blocks of postings whose best possible
score cannot enter the top k are skipped, which returns exactly the same top k as scoring every match
(the skip bound is an upper bound of the score, never an estimate).  Counting the matches would score
them all, so searches never ask for the count.

Documents are keyed ``kind:ref_id``; every write is an upsert (delete by key, then add), so a sync that
is interrupted after tantivy's commit and before the store records the cursor only repeats work.
"""

from __future__ import annotations

import os
import re
import zlib

from perth.errors import PerthError, StoreBusyError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

    from perth.runtime import Runtime
    from perth.search.ranking import Partition
    from perth.search.records import SearchDoc, SearchFilter

_TOKEN = re.compile(r"[^\W_]+")
_MAX_TOKEN_BYTES = 40  # tantivy's default tokenizer drops longer tokens
_NO_EXIT = -(2**62)
_REGEX_META = re.compile(r"[\\.+*?()|\[\]{}^$#&\-~]")
WRITER_HEAP = 64_000_000


def tokens(text: str) -> list[str]:
    """What tantivy's default tokenizer makes of ``text``: alphanumeric runs, lowercased, <= 40 bytes."""
    return [t for t in (m.lower() for m in _TOKEN.findall(text)) if len(t.encode()) <= _MAX_TOKEN_BYTES]


def query_terms(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every word must occur; a word ending in ``*`` matches a prefix (its last token does)."""
    exact: list[str] = []
    prefixes: list[str] = []
    for word in text.split():
        parts = tokens(word)
        if not parts:
            continue
        if word.endswith("*"):
            exact += parts[:-1]
            prefixes.append(parts[-1])
        else:
            exact += parts
    return tuple(dict.fromkeys(exact)), tuple(dict.fromkeys(prefixes))


def ancestors(path: str) -> list[str]:
    """``/a/b/c`` -> ``/a/b/c``, ``/a/b``, ``/a``, ``/``: a ``--cwd`` filter is one term lookup."""
    if not path:
        return []
    found = [path.rstrip("/") or "/"]
    while found[-1] != "/":
        parent = os.path.dirname(found[-1])
        if parent == found[-1]:
            break
        found.append(parent)
    return found


def _tantivy() -> Any:
    try:
        import tantivy
    except ImportError as exc:  # pragma: no cover - tantivy is a core dependency
        raise PerthError("the full-text engine (tantivy) is not installed",
                         "reinstall Perth: pip install --force-reinstall perth") from exc
    return tantivy


def _schema(tv: Any) -> Any:
    builder = tv.SchemaBuilder()
    for name in ("key", "kind", "ref", "pane", "pane_name", "dirs", "repo", "host"):
        builder.add_text_field(name, stored=name in ("kind", "ref", "pane_name"), tokenizer_name="raw")
    builder.add_text_field("body", stored=True, tokenizer_name="default", index_option="position")
    for name in ("at", "exit", "failed", "importance", "kindno", "keyno"):
        builder.add_integer_field(name, stored=name in ("at", "importance"), indexed=True, fast=True)
    return builder.build()


def literal(text: str) -> str:
    """``text`` as a regular expression of tantivy's (Rust) syntax matching exactly it."""
    return _REGEX_META.sub(lambda m: "\\" + m.group(), text)


def kind_number(kind: str) -> int:
    """The kind as a number (a fast field: ranking reads it without loading documents)."""
    return zlib.crc32(kind.encode())


def key_number(key: str) -> int:
    """A document key as a signed 64-bit number (a fast field: vector candidates are matched by it)."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


class FullTextIndex:
    """One tantivy index directory, in a folder of Perth's own (both made private: 0700)."""

    def __init__(self, directory: str) -> None:
        self.tv = _tantivy()
        for folder in (os.path.dirname(directory), directory):
            os.makedirs(folder, mode=0o700, exist_ok=True)
            os.chmod(folder, 0o700)
        self.directory = directory
        self.schema = _schema(self.tv)
        self.recreated = False
        try:
            self.index = self.tv.Index(self.schema, path=directory, reuse=True)
        except ValueError:  # written by another layout: the index is derived data, so start again
            import shutil

            shutil.rmtree(directory)
            os.makedirs(directory, mode=0o700)
            self.index = self.tv.Index(self.schema, path=directory, reuse=True)
            self.recreated = True
        self.searcher: Any = None
        #: The text and filter clauses of the queries searched since the last refresh (a ranking searches
        #: one query in many partitions: its clauses are built once).
        self._clauses: dict[tuple[object, ...], tuple[list[Any], list[tuple[Any, Any]]]] = {}
        self._importance: dict[tuple[int, int], bool] = {}

    def doc_count(self) -> int:
        """Live documents."""
        self.index.reload()
        return int(self.index.searcher().num_docs)

    def writer(self) -> IndexWriter:
        """A writer holding tantivy's lock until :meth:`IndexWriter.close` (another holder: busy error)."""
        try:
            raw = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        except ValueError as exc:
            raise StoreBusyError("another Perth process is updating the search index",
                                 "try again in a moment") from exc
        return IndexWriter(self, raw)

    def clear(self) -> None:
        """Delete every document."""
        writer = self.writer()
        try:
            writer.raw.delete_all_documents()
            writer.commit()
        finally:
            writer.close()

    def document(self, doc: SearchDoc) -> Any:
        """The tantivy document of a search document."""
        fields: dict[str, Any] = {
            "key": doc.key, "kind": doc.kind, "ref": doc.ref_id, "body": doc.text, "at": doc.at_ms,
            "importance": doc.importance, "pane_name": doc.pane_name, "kindno": kind_number(doc.kind),
            "keyno": key_number(doc.key),
            "exit": _NO_EXIT if doc.exit is None else doc.exit, "failed": int(doc.exit not in (None, 0)),
        }
        for name, value in (("pane", doc.pane_id), ("repo", doc.repo_root), ("host", doc.host)):
            if value:
                fields[name] = value
        document = self.tv.Document(**fields)
        for directory in ancestors(doc.cwd):
            document.add_text("dirs", directory)
        return document

    def refresh(self) -> None:
        """See what is committed now; searches until the next refresh use this one view."""
        self.index.reload()
        self.searcher = self.index.searcher()
        self._importance = {}
        self._clauses = {}

    def holds_importance(self, low: int, high: int) -> bool:
        """Whether any live document has an importance in ``low..high`` (in the current view): a ranking
        skips the partitions of a class that holds none (most stores hold few important documents).  A
        class holding importance 0, where most documents are, is taken as held without a search: the
        search would read every document's importance."""
        if low <= 0 <= high:
            return True
        if self.searcher is None:
            self.refresh()
        known = self._importance.get((low, high))
        if known is None:
            found = self.searcher.search(self._range("importance", low, high), limit=1, count=False).hits
            known = self._importance[(low, high)] = bool(found)
        return known

    def matches_at_most(self, terms: tuple[tuple[str, ...], tuple[str, ...]], *, any_word: bool = False) -> int | None:
        """An upper bound of the documents the words match (``None``: unknown, prefixes)."""
        exact, prefixes = terms
        if prefixes or not exact:
            return None
        counts = [int(self.searcher.doc_freq("body", word)) for word in exact]
        return sum(counts) if any_word else min(counts)

    def fields(self, address: Any) -> dict[str, list[object]]:
        """The stored fields of one document."""
        return dict(self.searcher.doc(address).to_dict())

    def search(self, terms: tuple[tuple[str, ...], tuple[str, ...]], flt: SearchFilter,
               kinds: Sequence[tuple[str, int | None]], limit: int, *, any_word: bool = False,
               part: Partition | None = None) -> list[tuple[float, Any, int, int, int]]:
        """The ``limit`` best documents by BM25: ``kinds`` pairs each allowed kind with its expiry cut-off
        (empty: every kind, none expired); every word must occur unless ``any_word``.  Without filters a
        one-word query is a bare term query: tantivy's block-max WAND then skips what cannot enter the top.
        ``part`` keeps one partition of :func:`perth.search.ranking.partitions` (ages and importance).
        Returns ``(score, address, at, importance, kind number)``, read from fast fields (no document
        is loaded); :meth:`fields` loads one."""
        query = self._query(terms, flt, kinds, any_word=any_word, part=part)
        if query is None:
            return []
        if self.searcher is None:
            self.refresh()
        searcher = self.searcher  # one view for the search and its fast fields (another thread may refresh)
        found = searcher.search(query, limit=limit, count=False).hits
        addresses = [address for _score, address in found]
        columns = [searcher.fast_field_values(name, addresses) for name in ("at", "importance", "kindno")]
        return [(float(score), address, int(at or 0), int(importance or 0), int(kind or 0))
                for (score, address), at, importance, kind in zip(found, *columns, strict=True)]

    def by_keys(self, keys: Sequence[str], flt: SearchFilter,
                kinds: Sequence[tuple[str, int | None]]) -> dict[str, tuple[Any, int, int]]:
        """The documents among ``keys`` that pass the filters: ``key -> (address, at, importance)``, read from
        fast fields (vector candidates are checked here without loading them)."""
        if not keys:
            return {}
        tv = self.tv
        clauses = [(tv.Occur.Must, tv.Query.term_set_query(self.schema, "key", list(keys))),
                   *self._filters(flt, kinds)]
        if self.searcher is None:
            self.refresh()
        searcher = self.searcher
        found = searcher.search(tv.Query.boolean_query(clauses), limit=len(keys), count=False).hits
        addresses = [address for _score, address in found]
        numbers = {key_number(key): key for key in keys}
        columns = [searcher.fast_field_values(name, addresses) for name in ("keyno", "at", "importance")]
        return {numbers[int(number)]: (address, int(at or 0), int(importance or 0))
                for address, number, at, importance in zip(addresses, *columns, strict=True)
                if number is not None and int(number) in numbers}

    def _query(self, terms: tuple[tuple[str, ...], tuple[str, ...]], flt: SearchFilter,
               kinds: Sequence[tuple[str, int | None]], *, any_word: bool = False,
               part: Partition | None = None) -> Any:
        tv = self.tv
        text, shared = self._text_and_filters(terms, flt, kinds, any_word=any_word)
        if not text:
            return None
        must = [(tv.Occur.Must, q) for q in text]
        filters = list(shared)
        if part is not None:
            filters.append((tv.Occur.Must, self._range("importance", part.low, part.high)))
            if part.newer is not None or part.older is not None:
                filters.append((tv.Occur.Must, self._range("at", part.newer, part.older)))
        if filters:
            must.append((tv.Occur.Must, tv.Query.const_score_query(tv.Query.boolean_query(filters), 0.0)))
        return must[0][1] if len(must) == 1 else tv.Query.boolean_query(must)

    def _text_and_filters(self, terms: tuple[tuple[str, ...], tuple[str, ...]], flt: SearchFilter,
                          kinds: Sequence[tuple[str, int | None]], *,
                          any_word: bool) -> tuple[list[Any], list[tuple[Any, Any]]]:
        """The text clauses (empty: no word to look for) and the filter clauses of a query, built once."""
        key = (terms, flt, tuple(kinds), any_word)
        built = self._clauses.get(key)
        if built is None:
            tv, schema = self.tv, self.schema
            exact, prefixes = terms
            text = [tv.Query.term_query(schema, "body", word, index_option="freq") for word in exact]
            text += [tv.Query.regex_query(schema, "body", re.escape(word) + ".*") for word in prefixes]
            if any_word and len(text) > 1:
                text = [tv.Query.boolean_query([(tv.Occur.Should, q) for q in text])]
            built = self._clauses[key] = (text, self._filters(flt, kinds) if text else [])
        return built

    def _filters(self, flt: SearchFilter, kinds: Sequence[tuple[str, int | None]]) -> list[tuple[Any, Any]]:
        tv, schema = self.tv, self.schema
        must: list[Any] = [self._kinds(kinds)] if kinds else []
        if flt.pane_ids:
            must.append(tv.Query.term_set_query(schema, "pane", list(flt.pane_ids)))
        for field, value in (("dirs", flt.cwd and (flt.cwd.rstrip("/") or "/")), ("repo", flt.repo_root),
                             ("host", flt.host)):
            if value:
                must.append(tv.Query.term_query(schema, field, value))
        if flt.exit is not None:
            must.append(self._range("exit", flt.exit, flt.exit))
        if flt.failed:
            must.append(self._range("failed", 1, 1))
        if flt.since is not None or flt.until is not None:
            must.append(self._range("at", flt.since, flt.until))
        return [(tv.Occur.Must, q) for q in must if q is not None]

    def _kinds(self, kinds: Sequence[tuple[str, int | None]]) -> Any:
        tv, schema = self.tv, self.schema
        options = []
        for kind, cutoff in kinds:
            clause = [(tv.Occur.Must, tv.Query.term_query(schema, "kind", kind))]
            if cutoff is not None:
                clause.append((tv.Occur.Must, self._range("at", cutoff, None)))
            options.append((tv.Occur.Should, tv.Query.boolean_query(clause)))
        return tv.Query.boolean_query(options)

    def _range(self, field: str, low: int | None, high: int | None) -> Any:
        return self.tv.Query.range_query(self.schema, field, self.tv.FieldType.Integer, low, high)


class IndexWriter:
    """Batches of upserts and deletes, committed together."""

    def __init__(self, index: FullTextIndex, raw: Any) -> None:
        self.index = index
        self.raw = raw
        self.pending = 0

    def upsert(self, docs: Iterable[SearchDoc], *, fresh: bool = False) -> None:
        """Add documents, replacing those with the same key (``fresh``: the kind has none yet)."""
        for doc in docs:
            if not fresh:
                self.raw.delete_documents_by_term("key", doc.key)
            self.raw.add_document(self.index.document(doc))
            self.pending += 1

    def delete(self, keys: Iterable[str]) -> None:
        """Delete documents by key."""
        for key in keys:
            self.raw.delete_documents_by_term("key", key)
            self.pending += 1

    def delete_prefixes(self, prefixes: Iterable[str]) -> None:
        """Delete every document whose key starts with one of ``prefixes`` (a walk of the key dictionary)."""
        tv = self.index.tv
        for prefix in prefixes:
            pattern = literal(prefix) + ".*"
            self.raw.delete_documents_by_query(tv.Query.regex_query(self.index.schema, "key", pattern))
            self.pending += 1

    def delete_kind(self, kind: str) -> None:
        """Delete every document of a kind."""
        tv = self.index.tv
        self.raw.delete_documents_by_query(tv.Query.term_query(self.index.schema, "kind", kind))
        self.pending += 1

    def commit(self) -> None:
        """Make everything written so far visible and durable."""
        self.raw.commit()
        self.pending = 0

    def close(self, *, merge: bool = False) -> None:
        """Drop what was not committed and release the lock.  With ``merge`` (and nothing left
        uncommitted), first let the segment merges the commits started finish: a writer rolled back
        cancels them, so every commit would leave one more segment to open and search."""
        if self.pending or not merge:
            self.raw.rollback()
        self.raw.wait_merging_threads()
        self.raw = None  # tantivy releases its lock when the writer is dropped


def index_dir(rt: Runtime) -> str:
    """The directory of the search index: ``<data file>.search/`` beside the store's SQLite file."""
    from perth.config import database_path

    return database_path(rt.settings) + ".search"
