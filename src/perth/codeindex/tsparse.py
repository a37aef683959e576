"""JavaScript/TypeScript, Go, Rust, Java and shell through tree-sitter tag queries.

The grammars come from their PyPI wheels (the ``[code]`` extra); nothing is downloaded at run time.
A definition's qualified name is ``path:Outer.name`` (methods are named after their class, Go
methods after their receiver type, Rust ones after their ``impl`` type).  A call is ``exact`` when
the file defines exactly one symbol of that name, else ``name-only``: across files these languages
are matched by name at query time.
"""

from __future__ import annotations

from perth.codeindex.model import Edge, Symbol
from perth.errors import UnavailableError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_CONTAINERS = frozenset({"class", "interface", "type"})
_LOADERS = frozenset({"require", "source", "."})
_cache: dict[str, tuple[Any, Any]] = {}


def grammar(language: str) -> tuple[Any, Any]:
    """The parser and compiled query of a language (built once per process)."""
    if language not in _cache:
        import importlib

        from perth.codeindex.tsqueries import GRAMMARS

        module_name, function, query_text = GRAMMARS[language]
        try:
            import tree_sitter

            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise UnavailableError(f"cannot parse {language}: the tree-sitter grammars are not installed",
                                   "pip install 'perth[code]'") from exc
        lang = tree_sitter.Language(getattr(module, function)())
        _cache[language] = (tree_sitter.Parser(lang), tree_sitter.Query(lang, query_text))
    return _cache[language]


class _Def:
    __slots__ = ("end", "end_line", "kind", "line", "name", "parent", "qualname", "receiver", "signature", "start")

    def __init__(self, kind: str, name: str, node: Any, receiver: str = "") -> None:
        self.kind, self.name, self.receiver = kind, name, receiver
        self.start, self.end = node.start_byte, node.end_byte
        self.line, self.end_line = node.start_point[0] + 1, node.end_point[0] + 1
        first = node.text.decode("utf-8", "replace").split("\n", 1)[0]
        self.signature = first.split("{", 1)[0].strip()[:300]
        self.parent = ""
        self.qualname = ""


def _text(node: Any) -> str:
    return str(node.text.decode("utf-8", "replace"))


class _Collected:
    def __init__(self) -> None:
        self.defs: list[_Def] = []
        self.scopes: list[_Def] = []
        self.calls: list[tuple[str, str, int, int]] = []
        self.imports: list[tuple[str, int]] = []
        self.inherits: list[tuple[str, str, int]] = []


def _collect(matches: list[tuple[int, dict[str, list[Any]]]]) -> _Collected:
    found = _Collected()
    for _, caps in matches:
        kinds = [k for k in caps if k.startswith("def.")]
        if kinds:
            node, receiver = caps[kinds[0]][0], caps.get("receiver")
            found.defs.append(_Def(kinds[0][4:], _text(caps["name"][0]), node, _text(receiver[0]) if receiver else ""))
        elif "scope" in caps:
            found.scopes.append(_Def("scope", _text(caps["name"][0]), caps["scope"][0]))
        elif "call" in caps:
            node, qualifier = caps["call"][0], caps.get("qualifier")
            found.calls.append((_text(caps["name"][0]), _text(qualifier[0]) if qualifier else "", node.start_byte,
                                node.start_point[0] + 1))
        elif "import" in caps:
            found.imports.append((_text(caps["path"][0]), caps["import"][0].start_point[0] + 1))
        elif ("require" in caps or "source" in caps) and _text(caps["fn"][0]) in _LOADERS:
            node = caps.get("require", caps.get("source"))
            assert node is not None  # noqa: S101 - one of the two is present
            found.imports.append((_text(caps["path"][0]), node[0].start_point[0] + 1))
        elif "inherit" in caps:
            line = caps["inherit"][0].start_point[0] + 1
            found.inherits += [(_text(caps["child"][0]), _text(b), line) for b in caps["base"]]
    return found


def _innermost(items: list[_Def], start: int, end: int, *, strict: bool = True) -> _Def | None:
    best: _Def | None = None
    for item in items:
        inside = item.start <= start and end <= item.end and (not strict or (item.start, item.end) != (start, end))
        if inside and (best is None or item.end - item.start < best.end - best.start):
            best = item
    return best


def _name_defs(path: str, found: _Collected) -> None:
    containers = [d for d in found.defs if d.kind in _CONTAINERS] + found.scopes
    for d in sorted(found.defs + found.scopes, key=lambda d: (d.start, -d.end)):
        outer = _innermost(containers, d.start, d.end)
        chain = d.receiver or (outer.qualname.partition(":")[2] if outer is not None else "")
        d.parent = f"{path}:{chain}" if chain else path
        d.qualname = f"{path}:{chain}.{d.name}" if chain else f"{path}:{d.name}"
        if d.kind == "function" and chain:
            d.kind = "method"


def _call_target(targets: list[_Def], qualifier: str, owner: _Def | None) -> _Def | None:
    """The one definition of this file a call reaches, when the file alone says so."""
    if len(targets) > 1 and not qualifier:
        targets = [t for t in targets if t.kind in _CONTAINERS]  # `new Main()` beside a constructor `Main()`
    if len(targets) != 1:
        return None
    target = targets[0]
    if not qualifier:
        return target
    if qualifier in ("this", "self", "Self"):
        return target if owner is not None and owner.parent == target.parent else None
    return target if target.parent.endswith(f":{qualifier}") else None


def _import_name(target: str) -> str:
    """The name an import makes available: a file's stem, a path's or module's last part."""
    from perth.codeindex.walker import EXTENSIONS

    base = target.rstrip("/").rsplit("/", 1)[-1]
    if "/" in target or any(base.endswith(ext) for ext in EXTENSIONS):
        return base.split(".", 1)[0] or target
    for separator in ("::", "."):
        if separator in target:
            return target.rsplit(separator, 1)[-1]
    return target


def _relative_to(path: str, target: str) -> str:
    """``./util.js`` imported by ``web/app.js`` is ``web/util.js`` (the repository path, when it has one)."""
    if not target.startswith(("./", "../")):
        return target
    import posixpath

    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    return target if joined.startswith("..") else joined


def _clean_import(text: str) -> str:
    return text.strip().strip("'\"`")


def parse_tree_sitter(language: str, path: str, source: str) -> tuple[list[Symbol], list[Edge]]:
    """Symbols and edges of one file in a tree-sitter language."""
    from tree_sitter import QueryCursor

    parser, query = grammar(language)
    tree = parser.parse(source.encode("utf-8"))
    found = _collect(QueryCursor(query).matches(tree.root_node))
    _name_defs(path, found)
    lines = source.count("\n") + 1
    symbols = [Symbol(name=path.rsplit("/", 1)[-1], qualname=path, kind="module", line=1, end_line=lines)]
    edges: list[Edge] = []
    by_name: dict[str, list[_Def]] = {}
    for d in sorted(found.defs, key=lambda d: d.start):
        symbols.append(Symbol(name=d.name, qualname=d.qualname, kind=d.kind, line=d.line, end_line=d.end_line,
                              parent=d.parent, signature=d.signature))
        edges.append(Edge("defines", d.parent, d.qualname, d.name, "exact", d.line))
        by_name.setdefault(d.name, []).append(d)
    bodies = [d for d in found.defs if d.kind in ("function", "method")]
    for name, qualifier, start, line in found.calls:
        owner = _innermost(bodies, start, start + 1, strict=False)
        src = owner.qualname if owner is not None else path
        target = _call_target(by_name.get(name, []), qualifier, owner)
        if target is not None:
            edges.append(Edge("calls", src, target.qualname, name, "exact", line))
        else:
            edges.append(Edge("calls", src, name, name, "name-only", line))
    for text, line in found.imports:
        module = _relative_to(path, _clean_import(text))
        edges.append(Edge("imports", path, module, _import_name(module), "exact", line))
    for child, base, line in found.inherits:
        owners = [d for d in by_name.get(child, []) if d.kind in _CONTAINERS]
        src = owners[0].qualname if owners else f"{path}:{child}"
        targets = [d for d in by_name.get(base, []) if d.kind in _CONTAINERS]
        if len(targets) == 1:
            edges.append(Edge("inherits", src, targets[0].qualname, base, "exact", line))
        else:
            edges.append(Edge("inherits", src, base, base, "name-only", line))
    return symbols, edges
