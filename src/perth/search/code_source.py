"""Code symbols as search documents (kind ``code``), read from the code index (``rt.store.code``).

One document per symbol: its qualified name, kind, signature, place and docstring (the code index
redacted signatures and docstrings when it parsed them; the whole text passes the secret filter
again here), plus the words of camel-case names (``FullTextIndex`` is also found by ``full text
index``).  The key is ``code:<repo name>:<path>:<line>:<qualified name>``.

Incremental by file: the cursor holds, per repository, the digest of every file it has indexed;
a sync compares them with the code index's file digests and rewrites the symbols of the files that
changed (their old documents are deleted by key prefix ``code:<repo>:<path>:``), deletes those of
removed files and of removed repositories.  A repository with nothing changed costs one read of
its file states.
"""

from __future__ import annotations

import os
import re

from perth.errors import UnsupportedByStoreError
from perth.search.records import SearchDoc
from perth.search.sources import Changes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.codeindex.model import CodeRepo, FileState, Symbol
    from perth.runtime import Runtime

#: Above this many changed files of one repository, its symbols are read in one query.
READ_ALL_FILES = 50
_CAMEL = r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+"  # compiled on first use (not on every search)
_DOC_CHARS = 600


def key_path(path: str) -> str:
    """A repository-relative path as it appears in keys (``%`` and ``:`` escaped: prefixes stay exact)."""
    return path.replace("%", "%25").replace(":", "%3A")


def file_prefix(repo_name: str, path: str) -> str:
    """The key prefix of every document of one file."""
    return f"code:{repo_name}:{key_path(path)}:"


def camel_words(name: str) -> list[str]:
    """``FullTextIndex`` -> ``Full Text Index``; names without inner capitals give nothing."""
    found: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", name):
        words = re.findall(_CAMEL, part)
        if len(words) > 1:
            found += words
    return found


def symbol_text(symbol: Symbol) -> str:
    """What a symbol is found by, and what a hit shows: ``kind qualname signature — path:line — doc``."""
    doc = " ".join(symbol.doc.split())[:_DOC_CHARS]
    signature = " ".join(symbol.signature.split())
    head = f"{symbol.kind} {symbol.qualname}"
    parts = [f"{head} {signature}" if signature else head, f"{symbol.path}:{symbol.line}"]
    if doc:
        parts.append(doc)
    words = list(dict.fromkeys(camel_words(symbol.qualname)))
    if words:
        parts.append(f"({' '.join(words)})")
    return " — ".join(parts)


def symbol_doc(rt: Runtime, repo: CodeRepo, symbol: Symbol, at_ms: int) -> SearchDoc:
    """One symbol as a document: ``--repo`` and ``--cwd`` select it by the repository's and its folder's path."""
    folder = os.path.dirname(symbol.path)
    ref = f"{repo.name}:{key_path(symbol.path)}:{symbol.line}:{symbol.qualname}"
    return SearchDoc(kind="code", ref_id=ref, text=rt.redact(symbol_text(symbol), "search"), at_ms=at_ms,
                     cwd=os.path.join(repo.root, folder) if folder else repo.root, repo_root=repo.root)


class CodeSource:
    """Symbols of every registered repository (cursor: JSON ``{repo id: [name, {path: digest}]}``)."""

    kind = "code"

    def changes(self, rt: Runtime, cursor: str | None, batch: int) -> Changes:
        """The symbols of files changed since the cursor (at most about ``batch``, file by file)."""
        try:
            repos = rt.store.code.list_repos()
        except UnsupportedByStoreError:  # a store without the code index: nothing to index
            return Changes(cursor=cursor or "{}")
        if not repos and cursor == "{}":  # no repository then or now: nothing to read (a check every search makes)
            return Changes(cursor=cursor)
        import json

        seen: dict[str, list[object]] = json.loads(cursor) if cursor else {}
        upserts: list[SearchDoc] = []
        prefixes: list[str] = []
        live = {repo.id for repo in repos}
        for repo_id in [r for r in seen if r not in live]:  # removed repositories
            prefixes.append(f"code:{seen.pop(repo_id)[0]}:")
        for repo in repos:
            old_name, old_files = seen.get(repo.id, [repo.name, {}])
            known: dict[str, str] = dict(old_files)  # type: ignore[call-overload]
            states = rt.store.code.file_states(repo.id)
            changed = sorted(p for p, s in states.items() if known.get(p) != s.digest[:16])
            removed = sorted(p for p in known if p not in states)
            if not changed and not removed:
                continue
            prefixes += [file_prefix(str(old_name), p) for p in removed]
            for path in removed:
                del known[path]
            docs, done = self._files(rt, repo, states, changed, batch - len(upserts))
            upserts += docs
            prefixes += [file_prefix(repo.name, p) for p in done]
            known.update((p, states[p].digest[:16]) for p in done)
            seen[repo.id] = [repo.name, known]
            if len(done) < len(changed):
                return Changes(upserts=tuple(upserts), cursor=json.dumps(seen, sort_keys=True), more=True,
                               delete_prefixes=tuple(prefixes))
        if not upserts and not prefixes and cursor is not None:
            return Changes(cursor=cursor)
        return Changes(upserts=tuple(upserts), cursor=json.dumps(seen, sort_keys=True),
                       delete_prefixes=tuple(prefixes))

    @staticmethod
    def _files(rt: Runtime, repo: CodeRepo, states: dict[str, FileState], changed: list[str],
               room: int) -> tuple[list[SearchDoc], list[str]]:
        """Documents of the changed files, file by file, while ``room`` lasts (the first file always fits),
        and the files done."""
        by_path: dict[str, list[Symbol]] | None = None
        if len(changed) > READ_ALL_FILES:
            wanted = set(changed)
            by_path = {}
            for symbol in rt.store.code.definitions(repo.id):
                if symbol.path in wanted:
                    by_path.setdefault(symbol.path, []).append(symbol)
        docs: list[SearchDoc] = []
        done: list[str] = []
        for path in changed:
            if done and room <= 0:
                break
            symbols = by_path.get(path, []) if by_path is not None else rt.store.code.file_symbols(repo.id, path)
            at_ms = states[path].mtime_ns // 1_000_000
            unique = {d.key: d for d in (symbol_doc(rt, repo, s, at_ms) for s in symbols)}
            docs += unique.values()
            room -= max(1, len(unique))
            done.append(path)
        return docs, done
