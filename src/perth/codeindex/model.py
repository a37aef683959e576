"""The records of the code index: repositories, files, symbols, edges and what an index run did.

Symbols are named by a *qualified name*: ``package.module.Class.method`` for Python (the dotted
module path a Python import would use), ``path/to/file.go:Type.Method`` for the tree-sitter
languages.  An edge points from the qualified name of its source (the enclosing function, class
or module) to the best target the parser could name, with a confidence:

``exact``            defined in the same file and scope (or ``self.m`` found in the class);
``import-resolved``  reached through an import (aliases and relative imports resolved);
``name-only``        only the bare name is known (``obj.method()``, a shadowed name, another language).
"""

from __future__ import annotations

from perth.record import Record

EDGE_KINDS: tuple[str, ...] = ("calls", "imports", "inherits", "defines")
CONFIDENCES: tuple[str, ...] = ("exact", "import-resolved", "name-only")
REPO_STATES: tuple[str, ...] = ("new", "fresh", "stale", "partial", "unavailable")
SYMBOL_KINDS: tuple[str, ...] = ("module", "class", "function", "method", "variable", "interface", "type")


class CodeRepo(Record):
    """A registered repository.

    Attributes:
        id: UUIDv7.
        name: short unique name (default: the folder's name).
        root: absolute path of the working tree.
        added_at, indexed_at: UTC ms.
        head, branch: the commit and branch indexed last (git repositories).
        state: ``new``, ``fresh``, ``stale``, ``partial`` (some files could not be parsed) or
            ``unavailable`` (the folder is gone, or its breaker is open).
        files, symbols, edges: counts after the last run.
        last_error: the last failure, one redacted line.
    """

    id: str
    name: str
    root: str
    added_at: int
    indexed_at: int | None = None
    head: str | None = None
    branch: str | None = None
    state: str = "new"
    files: int = 0
    symbols: int = 0
    edges: int = 0
    missing_languages: tuple[str, ...] = ()
    last_error: str | None = None


class FileState(Record):
    """What the index knows of one file: enough to tell whether it changed."""

    path: str
    language: str
    module: str
    digest: str
    size: int
    mtime_ns: int
    error: str | None = None


class Symbol(Record):
    """A definition: module, class, function, method, variable (signature and doc are redacted)."""

    name: str
    qualname: str
    kind: str
    line: int
    end_line: int
    parent: str = ""
    signature: str = ""
    doc: str = ""
    decorators: str = ""
    path: str = ""


class Edge(Record):
    """A reference from ``src`` to ``dst`` (``name`` is the bare name written at the site)."""

    kind: str
    src: str
    dst: str
    name: str
    confidence: str
    line: int
    path: str = ""


class FileGraph(Record):
    """Everything one parse of one file produced."""

    state: FileState
    symbols: tuple[Symbol, ...] = ()
    edges: tuple[Edge, ...] = ()


class IndexReport(Record):
    """What one index run did."""

    repo: str
    full: bool
    files: int
    parsed: int
    unchanged: int
    deleted: int
    renamed: int
    skipped: int
    errors: int
    seconds: float
    symbols: int = 0
    edges: int = 0
    missing_languages: tuple[str, ...] = ()
