"""Python files through :mod:`ast`: definitions, imports, calls, inheritance, each edge with a confidence.

Resolution is done per file (so a file's rows depend only on its text and its module name, which
keeps incremental indexing exact): names are looked up through the function scopes (a local
assignment or parameter shadows), then the module's bindings (definitions and imports, aliases and
relative imports resolved to absolute module paths), then the builtins (skipped).  ``self.m()``
and ``cls.m()`` name the enclosing class's method; ``super().m()`` the first base's.  What is
defined in a base class elsewhere, or re-exported by a package, is resolved at query time over the
stored ``inherits`` and ``imports`` edges (:mod:`perth.codeindex.graph`).
"""

from __future__ import annotations

import ast
import builtins
import re

from perth.codeindex.model import Edge, Symbol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Any

    Binding = tuple[str, str]  # (target qualified name, confidence)

_BUILTINS = frozenset(dir(builtins))
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_TRAILING_COMMENT = re.compile(r"\s*#[^'\"]*$")
_DOC_LIMIT = 2000
_SIGNATURE_LIMIT = 300


def module_name(path: str, package_dirs: set[str]) -> str:
    """The dotted module a Python import would use for ``path`` (relative, ``/``-separated).

    Directories holding an ``__init__.py`` are packages; the module path starts below the
    highest directory that is not one (``src/perth/cli/main.py`` -> ``perth.cli.main``).
    """
    parts = path[:-3].split("/") if path.endswith(".py") else path.split("/")
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    k = len(parts) - 1
    while k > 0 and "/".join(parts[:k]) in package_dirs:
        k -= 1
    return ".".join(parts[k:])


class _Scope:
    """One function or class scope: names bound in it, and what ``self`` means there."""

    __slots__ = ("cls", "defs", "instances", "locals", "qualname", "self_name")

    def __init__(self, qualname: str, *, cls: str = "", self_name: str = "") -> None:
        self.qualname = qualname
        self.defs: dict[str, Binding] = {}
        self.locals: set[str] = set()
        self.cls = cls
        self.self_name = self_name
        self.instances: dict[str, list[str]] = {}  # local -> the class it was built from (`x = Engine()`)


class PythonParser:
    """Parses one module's text into symbols and edges."""

    def __init__(self, module: str, source: str, *, is_package: bool = False) -> None:
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.lines = source.splitlines()
        self.tree = ast.parse(source)
        self.symbols: list[Symbol] = []
        self.edges: list[Edge] = []
        self.classes: dict[str, tuple[set[str], list[str]]] = {}
        self.base_confidence: dict[str, str] = {}
        self.variables: dict[str, int] = {}  # module-level names bound by assignment, and how often
        self.top = _Scope(module)

    # -- entry ---------------------------------------------------------------------------------

    def parse(self) -> tuple[list[Symbol], list[Edge]]:
        """Symbols and edges of the module."""
        name = self.module.rpartition(".")[2]
        self.symbols.append(Symbol(name=name, qualname=self.module, kind="module", line=1,
                                   end_line=max(1, len(self.lines)), doc=_doc(self.tree)))
        self._bind_module(self.tree.body)
        self._body(self.tree.body, [self.top])
        return self.symbols, self.edges

    def _bind_module(self, body: Sequence[ast.stmt]) -> None:
        """First pass: what each module-level name means (so later uses resolve to earlier or later defs)."""
        for stmt in _flat(body):
            if isinstance(stmt, _SCOPES):
                self.top.defs[stmt.name] = (f"{self.module}.{stmt.name}", "exact")
            elif isinstance(stmt, ast.Import | ast.ImportFrom):
                self.top.defs.update(self._import_bindings(stmt))
            else:
                for target in _assigned(stmt):
                    self.top.defs[target] = (f"{self.module}.{target}", "exact")
                    self.variables[target] = self.variables.get(target, 0) + 1
                    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                        self.top.instances[target] = _chain(stmt.value.func) or []
        for name, count in self.variables.items():
            built = self.top.instances.get(name)
            if count != 1 or not built or built[0] == name or not built[-1][:1].isupper():
                self.top.instances.pop(name, None)

    # -- statements ----------------------------------------------------------------------------

    def _body(self, body: Sequence[ast.stmt], scopes: list[_Scope]) -> None:
        """Definitions, imports and the calls of a module or class body (nested scopes recurse)."""
        owner = scopes[-1]
        for stmt in _flat(body):
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self._function(stmt, scopes)
            elif isinstance(stmt, ast.ClassDef):
                self._class(stmt, scopes)
            elif isinstance(stmt, ast.Import | ast.ImportFrom):
                self._import_edges(stmt, owner.qualname)
            elif owner is self.top:
                self._variable(stmt)
        self._calls(_scan(body).calls, scopes)

    def _variable(self, stmt: ast.stmt) -> None:
        for target in _assigned(stmt):
            text = self._header(stmt.lineno, stmt.col_offset, stmt.end_lineno or stmt.lineno, None)
            self._define(target, "variable", stmt, self.top.qualname, signature=text)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scopes: list[_Scope]) -> None:
        parent = scopes[-1]
        qualname = f"{parent.qualname}.{node.name}"
        in_class = bool(parent.cls) and parent.qualname == parent.cls
        decorators = [_dotted(d) for d in node.decorator_list]
        self._define(node.name, "method" if in_class else "function", node, parent.qualname,
                     signature=self._signature(node), doc=_doc(node), decorators=",".join(d for d in decorators if d))
        scope = _Scope(qualname, cls=parent.cls, self_name=parent.self_name if not in_class else "")
        args = node.args
        params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
        params += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
        if in_class and params and "staticmethod" not in decorators:
            scope.self_name = params[0]
        scope.locals.update(params)
        scanned = _scan(node.body)
        self._collect_locals(scanned, scope)
        chain = [*(s for s in scopes if not (s.cls and s.qualname == s.cls)), scope]
        for stmt in _flat(node.body):
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self._function(stmt, chain)
            elif isinstance(stmt, ast.ClassDef):
                self._class(stmt, chain)
            elif isinstance(stmt, ast.Import | ast.ImportFrom):
                self._import_edges(stmt, qualname)
        self._calls(scanned.calls, chain)

    def _collect_locals(self, scanned: _Scanned, scope: _Scope) -> None:
        scope.locals.update(scanned.stores)
        for name, assign in scanned.instances.items():
            parts = _chain(assign.func)
            if parts and parts[0] != name and scanned.stores[name] == 1 and parts[-1][:1].isupper():
                scope.instances[name] = parts
        for nested in scanned.scopes:
            scope.defs[nested.name] = (f"{scope.qualname}.{nested.name}", "exact")
        for statement in scanned.imports:
            scope.defs.update(self._import_bindings(statement))
        scope.locals -= scanned.declared | set(scope.defs)

    def _class(self, node: ast.ClassDef, scopes: list[_Scope]) -> None:
        parent = scopes[-1]
        qualname = f"{parent.qualname}.{node.name}"
        bases = [self._resolve_expr(b, scopes) for b in node.bases]
        decorators = [_dotted(d) for d in node.decorator_list]
        self._define(node.name, "class", node, parent.qualname, signature=self._signature(node), doc=_doc(node),
                     decorators=",".join(d for d in decorators if d))
        for base, expr in zip(bases, node.bases, strict=True):
            if base is not None:
                self.edges.append(Edge("inherits", qualname, base[0], _last(expr), base[1], expr.lineno))
        methods = {s.name for s in _flat(node.body) if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}
        self.classes[qualname] = (methods, [b[0] for b in bases if b is not None])
        first = next((b for b in bases if b is not None), None)
        if first is not None:
            self.base_confidence[qualname] = first[1]
        scope = _Scope(qualname, cls=qualname)
        scope.defs.update({m: (f"{qualname}.{m}", "exact") for m in methods})
        self._body(node.body, [*scopes, scope])

    def _define(self, name: str, kind: str, node: ast.stmt, parent: str, *, signature: str = "",
                doc: str = "", decorators: str = "") -> None:
        qualname = f"{parent}.{name}"
        self.symbols.append(Symbol(name=name, qualname=qualname, kind=kind, line=node.lineno,
                                   end_line=node.end_lineno or node.lineno, parent=parent, signature=signature,
                                   doc=doc, decorators=decorators))
        self.edges.append(Edge("defines", parent, qualname, name, "exact", node.lineno))

    # -- imports -------------------------------------------------------------------------------

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = self.package.split(".") if self.package else []
        base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
        return ".".join([*base, *([node.module] if node.module else [])])

    def _import_bindings(self, node: ast.Import | ast.ImportFrom) -> dict[str, Binding]:
        found: dict[str, Binding] = {}
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found[alias.asname] = (alias.name, "import-resolved")
                else:
                    head = alias.name.partition(".")[0]
                    found[head] = (head, "import-resolved")
            return found
        source = self._absolute(node)
        for alias in node.names:
            if alias.name != "*":
                found[alias.asname or alias.name] = (f"{source}.{alias.name}" if source else alias.name,
                                                     "import-resolved")
        return found

    def _import_edges(self, node: ast.Import | ast.ImportFrom, src: str) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                self.edges.append(Edge("imports", src, alias.name, alias.asname or alias.name.partition(".")[0],
                                       "exact", node.lineno))
            return
        source = self._absolute(node)
        for alias in node.names:
            target = f"{source}.{alias.name}" if source else alias.name
            self.edges.append(Edge("imports", src, target, alias.asname or alias.name, "exact", node.lineno))

    # -- calls ---------------------------------------------------------------------------------

    def _calls(self, calls: Sequence[ast.Call], scopes: list[_Scope]) -> None:
        src = scopes[-1].qualname
        for node in calls:
            edge = self._call(node, scopes, src)
            if edge is not None:
                self.edges.append(edge)

    def _call(self, node: ast.Call, scopes: list[_Scope], src: str) -> Edge | None:
        func = node.func
        if isinstance(func, ast.Attribute) and _is_super(func.value):
            cls = scopes[-1].cls
            bases = self.classes.get(cls, (set(), []))[1]
            if bases:
                confidence = self.base_confidence.get(cls, "import-resolved")
                return Edge("calls", src, f"{bases[0]}.{func.attr}", func.attr, confidence, node.lineno)
            return Edge("calls", src, func.attr, func.attr, "name-only", node.lineno)
        parts = _chain(func)
        if parts is None:
            name = func.attr if isinstance(func, ast.Attribute) else ""
            return Edge("calls", src, name, name, "name-only", node.lineno) if name else None
        found = self._resolve(parts, scopes)
        if found is None:
            return None
        return Edge("calls", src, found[0], parts[-1], found[1], node.lineno)

    def _resolve_expr(self, expr: ast.expr, scopes: list[_Scope]) -> Binding | None:
        parts = _chain(expr)
        if parts is None:
            return None
        return self._resolve(parts, scopes)

    def _resolve(self, parts: list[str], scopes: list[_Scope]) -> Binding | None:
        """Where a dotted name leads; None for a builtin."""
        head, rest = parts[0], parts[1:]
        for scope in reversed(scopes):
            if scope.self_name and head == scope.self_name and len(rest) < 2 and head not in scope.defs:
                return self._on_self(scope, rest)
            if head in scope.defs:
                if rest and scope is self.top and head in self.variables:  # `engine.run()`, engine = Engine()
                    return self._instance_method(scope, parts, [self.top])
                target, confidence = scope.defs[head]
                return ".".join([target, *rest]), confidence
            if head in scope.locals:
                return self._instance_method(scope, parts, scopes)
        if head in _BUILTINS:
            return None if not rest else (parts[-1], "name-only")
        return parts[-1], "name-only"

    def _on_self(self, scope: _Scope, rest: list[str]) -> Binding:
        """``cls()`` is the class; ``self.m()`` its method (exact when the class defines it here)."""
        if not rest:
            return scope.cls, "exact"
        methods = self.classes.get(scope.cls, (set(), []))[0]
        return f"{scope.cls}.{rest[0]}", "exact" if rest[0] in methods else "name-only"

    def _instance_method(self, scope: _Scope, parts: list[str], scopes: list[_Scope]) -> Binding:
        """``x.m()`` where ``x = Cls(...)`` is the local's only assignment: ``Cls.m`` (else name-only)."""
        built = scope.instances.get(parts[0])
        if built is None or len(parts) != 2:
            return parts[-1], "name-only"
        found = self._resolve(built, scopes)
        if found is None or found[1] == "name-only":
            return parts[-1], "name-only"
        return f"{found[0]}.{parts[1]}", "import-resolved"

    # -- text ----------------------------------------------------------------------------------

    def _signature(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
        first = node.body[0]
        line, col = first.lineno, first.col_offset
        for decorator in getattr(first, "decorator_list", ()):
            if decorator.lineno < line or (decorator.lineno == line and decorator.col_offset - 1 < col):
                line, col = decorator.lineno, decorator.col_offset - 1
        return self._header(node.lineno, node.col_offset, line, col)

    def _header(self, line: int, col: int, end_line: int, end_col: int | None) -> str:
        """Source text of a definition's header (``def f(a, b=1) -> int``), on one line."""
        if end_col is not None and end_line > line:
            pieces = self.lines[line - 1:end_line - 1]
        else:
            last = self.lines[line - 1] if line - 1 < len(self.lines) else ""
            pieces = [last[:end_col] if end_col is not None else last]
        text = " ".join(_TRAILING_COMMENT.sub("", p).strip() for p in pieces)
        text = text[col:] if len(pieces) == 1 and end_col is None else text.strip()
        if end_col is not None:
            text = text.rstrip().removesuffix(":").rstrip()
        return text[:_SIGNATURE_LIMIT]


# -- helpers -----------------------------------------------------------------------------------------


def _flat(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a body, looking into if/try/with blocks (definitions there still count)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If | ast.Try | ast.With | ast.AsyncWith | ast.For | ast.While):
            for block in ("body", "orelse", "finalbody"):
                yield from _flat(getattr(stmt, block, []))
            for handler in getattr(stmt, "handlers", []):
                yield from _flat(handler.body)


#: Fields that never hold a node (names, flags, contexts, operators): skipped when walking a tree.
_SCALAR_FIELDS = frozenset({"ctx", "op", "ops", "type_comment", "kind", "id", "arg", "attr", "module", "level",
                            "is_async", "conversion", "name", "names", "kwd_attrs", "rest", "type_ignores"})
_NODE_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: ()}


def _node_fields(cls: type) -> tuple[str, ...]:
    fields = _NODE_FIELDS.get(cls)
    if fields is None:
        fields = _NODE_FIELDS[cls] = tuple(f for f in getattr(cls, "_fields", ()) if f not in _SCALAR_FIELDS)
    return fields


class _Scanned:
    """What a scope's own nodes hold that the parser needs: calls, bound names, nested scopes, imports."""

    __slots__ = ("calls", "declared", "imports", "instances", "scopes", "stores")

    def __init__(self) -> None:
        self.calls: list[ast.Call] = []
        self.stores: dict[str, int] = {}  # name -> how many times it is bound
        self.instances: dict[str, ast.Call] = {}  # name -> the call of `name = Call(...)`
        self.declared: set[str] = set()
        self.scopes: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = []
        self.imports: list[ast.Import | ast.ImportFrom] = []


def _on_call(found: _Scanned, node: Any, _extend: Any) -> bool:
    found.calls.append(node)
    return True


def _on_name(found: _Scanned, node: Any, _extend: Any) -> bool:
    if type(node.ctx) is ast.Store:
        found.stores[node.id] = found.stores.get(node.id, 0) + 1
    return False


def _on_assign(found: _Scanned, node: Any, _extend: Any) -> bool:
    targets, value = node.targets, node.value
    if len(targets) == 1 and type(targets[0]) is ast.Name and type(value) is ast.Call:
        found.instances[targets[0].id] = value
    return True


def _on_function(found: _Scanned, node: Any, extend: Any) -> bool:
    found.scopes.append(node)
    extend(node.decorator_list)
    extend(node.args.defaults)
    extend(node.args.kw_defaults)
    return False


def _on_class(found: _Scanned, node: Any, extend: Any) -> bool:
    found.scopes.append(node)
    extend(node.decorator_list)
    extend(node.bases)
    extend(k.value for k in node.keywords)
    return False


def _on_import(found: _Scanned, node: Any, _extend: Any) -> bool:
    found.imports.append(node)
    return False


def _on_declaration(found: _Scanned, node: Any, _extend: Any) -> bool:
    found.declared.update(node.names)
    return False


def _on_handler(found: _Scanned, node: Any, _extend: Any) -> bool:
    if node.name:
        found.stores[node.name] = found.stores.get(node.name, 0) + 1
    return True


#: Nodes the scan notes; the handler says whether their children are walked too.
_ON_NODE: dict[type, Callable[[_Scanned, Any, Any], bool]] = {
    ast.Call: _on_call, ast.Name: _on_name, ast.FunctionDef: _on_function, ast.AsyncFunctionDef: _on_function,
    ast.ClassDef: _on_class, ast.Import: _on_import, ast.ImportFrom: _on_import, ast.Global: _on_declaration,
    ast.Nonlocal: _on_declaration, ast.ExceptHandler: _on_handler, ast.Assign: _on_assign,
}


def _scan(body: Sequence[ast.stmt]) -> _Scanned:
    """One walk over the nodes of a body that belong to its scope: nested definitions are noted, not
    entered (their decorators, defaults and bases are evaluated here and are entered).

    A hand-rolled walk over the fields that can hold nodes: several times faster than
    :func:`ast.walk`, which tests every field of every node.
    """
    found = _Scanned()
    stack: list[Any] = list(body)
    pop, push, extend, special = stack.pop, stack.append, stack.extend, _ON_NODE.get
    while stack:
        node = pop()
        if node is None:
            continue
        cls = type(node)
        handler = special(cls)
        if handler is not None and not handler(found, node, extend):
            continue
        fields = _NODE_FIELDS.get(cls)
        for field in fields if fields is not None else _node_fields(cls):
            value = getattr(node, field, None)
            if value is None:
                continue
            if value.__class__ is list:
                extend(value)
            else:
                push(value)
    found.calls.sort(key=_position)
    return found


def _position(node: ast.Call) -> tuple[int, int]:
    return node.lineno, node.col_offset


def _assigned(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    return []


def _chain(expr: ast.expr) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None when the base is not a plain name."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    parts.reverse()
    return parts


def _last(expr: ast.expr) -> str:
    parts = _chain(expr)
    return parts[-1] if parts else ""


def _dotted(expr: ast.expr) -> str:
    parts = _chain(expr.func if isinstance(expr, ast.Call) else expr)
    return ".".join(parts) if parts else ""


def _is_super(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "super"


def _doc(node: ast.AST) -> str:
    if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return ""
    doc = ast.get_docstring(node, clean=True)
    return (doc or "")[:_DOC_LIMIT]


def parse_python(module: str, source: str, *, is_package: bool = False) -> tuple[list[Symbol], list[Edge]]:
    """Symbols and edges of one Python module (raises :class:`SyntaxError` on bad source)."""
    return PythonParser(module, source, is_package=is_package).parse()
