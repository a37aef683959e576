"""The small expression language of workflow files: ``when`` conditions, ``${{ ... }}`` in arguments,
trigger conditions.  Parsed by hand into a tree and evaluated over plain data; nothing is ever
passed to ``eval`` and nothing can call Python.

Grammar (precedence low to high)::

    expr    := or
    or      := and (("||" | "or") and)*
    and     := not (("&&" | "and") not)*
    not     := ("!" | "not") not | compare
    compare := value (("==" | "!=" | "<" | "<=" | ">" | ">=") value)?
    value   := STRING | NUMBER | true | false | null | "(" expr ")"
             | NAME "(" [expr ("," expr)*] ")"          (contains, startswith, endswith)
             | NAME ("." NAME | "[" STRING "]")*         (a path: steps.build.outputs.path)

A path that leads nowhere is ``null``.  ``==`` compares numbers as numbers (a numeric string counts
as its number) and anything else as text; ``<``... need two numbers or two strings.
"""

from __future__ import annotations

import operator
import re

from perth.errors import InvalidInputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from typing import Any

MAX_LENGTH = 2000
MAX_DEPTH = 40
FUNCTIONS = ("contains", "startswith", "endswith")
_TOKEN = re.compile(r"""\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
                    r"""|(?P<op>==|!=|<=|>=|&&|\|\||[<>!().\[\],])|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))""")
_TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
Node = tuple[object, ...]


class ExpressionError(InvalidInputError):
    """An expression that does not parse, or cannot be evaluated."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "see the expressions in docs/workflows.md")


def _tokens(text: str) -> list[tuple[str, str]]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"an expression longer than {MAX_LENGTH} characters")
    found: list[tuple[str, str]] = []
    at = 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise ExpressionError(f"unexpected {text[at:].strip()[:20]!r} in {text!r}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        at = match.end()
    return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def take(self, *values: str) -> str | None:
        kind, value = self.peek()
        if kind in ("op", "name") and value in values:
            self.at += 1
            return value
        return None

    def expect(self, value: str) -> None:
        if self.take(value) is None:
            got = self.peek()[1] or "the end"
            raise ExpressionError(f"expected {value!r}, found {got!r} in {self.text!r}")

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError("an empty expression")
        node = self.expr()
        if self.at != len(self.tokens):
            raise ExpressionError(f"unexpected {self.peek()[1]!r} in {self.text!r}")
        return node

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"an expression nested deeper than {MAX_DEPTH} levels")
        node = self.either()
        self.depth -= 1
        return node

    def either(self) -> Node:
        node = self.both()
        while self.take("||", "or"):
            node = ("or", node, self.both())
        return node

    def both(self) -> Node:
        node = self.negation()
        while self.take("&&", "and"):
            node = ("and", node, self.negation())
        return node

    def negation(self) -> Node:
        if self.take("!", "not"):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionError(f"an expression nested deeper than {MAX_DEPTH} levels")
            node: Node = ("not", self.negation())
            self.depth -= 1
            return node
        return self.compare()

    def compare(self) -> Node:
        node = self.value()
        op = self.take("==", "!=", "<=", ">=", "<", ">")
        return (op, node, self.value()) if op else node

    def value(self) -> Node:
        kind, text = self.peek()
        if kind == "end":
            raise ExpressionError(f"{self.text!r} ends too early")
        self.at += 1
        if kind == "num":
            return ("lit", float(text) if "." in text else int(text))
        if kind == "str":
            return ("lit", _unquote(text))
        if kind == "op" and text == "(":
            node = self.expr()
            self.expect(")")
            return node
        if kind != "name" or text in ("and", "or", "not"):
            raise ExpressionError(f"unexpected {text!r} in {self.text!r}")
        return self.named(text)

    def named(self, text: str) -> Node:
        """A keyword literal, a function call or a path."""
        if text in ("true", "false", "null"):
            return ("lit", {"true": True, "false": False, "null": None}[text])
        if self.take("("):
            if text not in FUNCTIONS:
                raise ExpressionError(f"unknown function {text}() in {self.text!r} (known: {', '.join(FUNCTIONS)})")
            args = [] if self.take(")") else self.arguments()
            if len(args) != 2:
                raise ExpressionError(f"{text}() takes 2 arguments in {self.text!r}")
            return ("call", text, *args)
        path: list[str] = [text]
        while True:
            if self.take("."):
                path.append(self.part("name", "a name must follow '.'"))
            elif self.take("["):
                path.append(_unquote(self.part("str", "a quoted key must follow '['")))
                self.expect("]")
            else:
                return ("path", *path)

    def part(self, kind: str, problem: str) -> str:
        found, text = self.peek()
        if found != kind:
            raise ExpressionError(f"{problem} in {self.text!r}")
        self.at += 1
        return text

    def arguments(self) -> list[Node]:
        args = [self.expr()]
        while self.take(","):
            args.append(self.expr())
        self.expect(")")
        return args


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def parse(text: str) -> Node:
    """The tree of an expression (raises :class:`ExpressionError`)."""
    return _Parser(text).parse()


def paths(node: Node) -> Iterator[tuple[str, ...]]:
    """Every path an expression reads (for checking references when a file is loaded)."""
    if node[0] == "path":
        yield tuple(str(p) for p in node[1:])
    elif node[0] != "lit":
        for child in node[1:]:
            if isinstance(child, tuple):
                yield from paths(child)


def _lookup(context: Mapping[str, object], path: tuple[object, ...]) -> object:
    value: object = context
    for part in path:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, str) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def text(value: object) -> str:
    """A value as it goes into an argument: null is empty, booleans are ``true``/``false``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, sort_keys=True)
    return str(value)


def truthy(value: object) -> bool:
    """False for null, false, 0, "" and empty collections; true otherwise."""
    return bool(value)


def _equal(left: object, right: object) -> bool:
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return a == b
    if left is None or right is None:
        return left is right
    return text(left) == text(right)


_ORDER: dict[str, Callable[[Any, Any], bool]] = {"<": operator.lt, "<=": operator.le, ">": operator.gt,
                                                  ">=": operator.ge}


def _order(op: str, left: object, right: object) -> bool:
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        return _ORDER[op](a, b)
    if isinstance(left, str) and isinstance(right, str):
        return _ORDER[op](left, right)
    raise ExpressionError(f"cannot order {text(left)!r} and {text(right)!r} ({op} needs two numbers or two strings)")


def _logic(op: str, node: Node, context: Mapping[str, object]) -> bool:
    first = truthy(evaluate(_child(node, 1), context))
    if op == "not":
        return not first
    if op == "and":
        return first and truthy(evaluate(_child(node, 2), context))
    return first or truthy(evaluate(_child(node, 2), context))


def evaluate(node: Node, context: Mapping[str, object]) -> object:
    """The value of a parsed expression over ``context`` (plain dicts, lists, strings, numbers)."""
    op = str(node[0])
    if op == "lit":
        return node[1]
    if op == "path":
        return _lookup(context, node[1:])
    if op in ("not", "and", "or"):
        return _logic(op, node, context)
    if op == "call":
        return _call(str(node[1]), evaluate(_child(node, 2), context), evaluate(_child(node, 3), context))
    left, right = evaluate(_child(node, 1), context), evaluate(_child(node, 2), context)
    if op in ("==", "!="):
        return _equal(left, right) == (op == "==")
    return _order(op, left, right)


def _child(node: Node, index: int) -> Node:
    child = node[index]
    assert isinstance(child, tuple)  # noqa: S101 - the parser builds tuples
    return child


def _call(name: str, left: object, right: object) -> bool:
    if name == "contains":
        if isinstance(left, list | dict):
            return any(_equal(item, right) for item in left)
        return text(right) in text(left)
    if name == "startswith":
        return text(left).startswith(text(right))
    return text(left).endswith(text(right))


def condition(source: str, context: Mapping[str, object]) -> bool:
    """Whether a condition holds."""
    return truthy(evaluate(parse(source), context))


def templates(source: str) -> list[str]:
    """The expressions inside ``${{ ... }}`` in a text."""
    return [match.group(1).strip() for match in _TEMPLATE.finditer(source)]


def render(source: str, context: Mapping[str, object]) -> str:
    """``source`` with every ``${{ expression }}`` replaced by its value as text."""
    return _TEMPLATE.sub(lambda match: text(evaluate(parse(match.group(1).strip()), context)), source)
