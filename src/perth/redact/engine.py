"""Matching and replacement: find secret regions in text and replace them with placeholders.

The keywords a text contains name the rules that may apply; each of those rules' *gate* (the
literals its pattern needs, in order, and the length of the non-blank run it needs: see
``keywords.GATES``) is checked with plain string operations, and only the rules whose gate
passes are compiled and run.  Most texts that merely mention a token or a login stop there,
before the rule table, the allow-list or any pattern is loaded.  A large text is scanned for the
lines that may hold a secret and only those lines are matched (:mod:`perth.redact.blocks`).

Every match is narrowed to its ``secret*`` group, checked against the allow-lists, and the
overlapping matches are merged into regions labelled with the most specific rule (provider
formats beat credential syntax, which beats the entropy rule; ties go to the earlier rule).
"""

from __future__ import annotations

from perth.record import Record
from perth.redact.keywords import GATES, KEYWORDS
from perth.redact.redacted import REDACTION_PREFIX

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Collection, Iterable, Sequence
    from typing import Protocol

    from perth.redact.table import CompiledRule, RuleTable

    class ValueChecks(Protocol):
        """What the allow-list needs to know of a rule."""

        @property
        def value_checks(self) -> str: ...

        @property
        def min_length(self) -> int: ...

        @property
        def entropy(self) -> float: ...

    #: A placeholder ``[REDACTED:<rule-id>]`` (compiled on first use: a module ``__getattr__``).
    PLACEHOLDER: re.Pattern[str]

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_PLACEHOLDER_PATTERN = r"\[REDACTED:[a-z0-9-]{1,64}\]"
#: Text up to this size is matched as a whole; longer text line by line.
SHORT_TEXT = 4096
_CUSTOM_PRIORITY = 40


class Region(Record):
    """A span of text to replace, and the rule that labels it."""

    start: int
    end: int
    rule_id: str


class _Candidate:
    """A match before overlaps are resolved (mutable while merging)."""

    __slots__ = ("end", "order", "priority", "rule_id", "start")

    def __init__(self, start: int, end: int, priority: int, order: int, rule_id: str) -> None:
        self.start = start
        self.end = end
        self.priority = priority
        self.order = order
        self.rule_id = rule_id


def lower(text: str) -> str:
    """Lowercase ``text`` keeping every character at its offset."""
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_LOWER)


def placeholder(rule_id: str) -> str:
    """The text that replaces a secret found by ``rule_id``."""
    return f"{REDACTION_PREFIX}{rule_id}]"


_PATTERNS: dict[str, re.Pattern[str]] = {}


def placeholder_regex() -> re.Pattern[str]:
    """The compiled placeholder pattern (``PLACEHOLDER``)."""
    found = _PATTERNS.get("placeholder")
    if found is None:
        import re

        found = _PATTERNS["placeholder"] = re.compile(_PLACEHOLDER_PATTERN)
    return found


def __getattr__(name: str) -> object:
    if name == "PLACEHOLDER":
        return placeholder_regex()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- gates -------------------------------------------------------------------------------------

_BY_KEYWORD: list[dict[str, tuple[int, ...]]] = []


def rules_with(keywords: Iterable[str]) -> set[int]:
    """The positions (in ``GATES`` and the rule table) of the rules owning these keywords."""
    if not _BY_KEYWORD:
        found: dict[str, list[int]] = {}
        for order, (owned, _steps, _run) in enumerate(GATES):
            for keyword in owned:
                found.setdefault(keyword, []).append(order)
        _BY_KEYWORD.append({keyword: tuple(orders) for keyword, orders in found.items()})
    by_keyword = _BY_KEYWORD[0]
    return {order for keyword in keywords for order in by_keyword[keyword]}


def gated(orders: Iterable[int], low: str, text: str, *, triggered: bool = False) -> list[int]:
    """The rules among ``orders`` whose gate passes on ``text`` (``low`` is :func:`lower` of it).
    ``orders`` come from the keywords found in ``low``, or, when ``triggered``, from the rules
    whose steps re2 found in order (then their keywords are checked here)."""
    passing = []
    longest = -1
    for order in orders:
        keywords, steps, run = GATES[order]
        if not (_any_in(keywords, low) if triggered else in_order(low, steps)):
            continue
        if run > 0:
            if longest < 0:
                longest = max(map(len, text.split()), default=0)
            if longest < run:
                continue
        passing.append(order)
    return passing


def _any_in(literals: tuple[str, ...], low: str) -> bool:
    return any(literal in low for literal in literals)


def in_order(low: str, steps: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``low`` holds one literal of each step, each after the previous one.  Taking, at
    each step, the occurrence that ends first never misses an arrangement that exists."""
    position = 0
    for step in steps:
        end = -1
        for literal in step:
            found = low.find(literal, position)
            if found >= 0 and (end < 0 or found + len(literal) < end):
                end = found + len(literal)
        if end < 0:
            return False
        position = end
    return True


# -- the engine --------------------------------------------------------------------------------


class Engine:
    """The built-in rules plus a filter's own ``extra_patterns`` and ``allow_patterns``.

    Creating one is cheap: the rule table loads when a text first passes a rule's gate."""

    def __init__(self, extra_patterns: Sequence[str] = (), allow_patterns: Sequence[str] = ()) -> None:
        self._table: RuleTable | None = None
        base = len(GATES)
        self.custom = tuple(_custom_rule(p, n, base) for n, p in enumerate(extra_patterns))
        self.allow = tuple(_user_regex("allow_patterns", p, n) for n, p in enumerate(allow_patterns))
        self._orders: dict[frozenset[str], tuple[int, ...]] = {}

    @property
    def table(self) -> RuleTable:
        """The process-wide rule table (loaded on first use)."""
        if self._table is None:
            from perth.redact.table import table

            self._table = table()
        return self._table

    # -- whole texts -------------------------------------------------------------------------

    def regions(self, text: str) -> list[Region]:
        """The merged secret regions of ``text``."""
        if len(text) <= SHORT_TEXT:
            return self.whole_regions(text)
        return self._long_regions(text)

    def whole_regions(self, text: str, keywords: Collection[str] | None = None) -> list[Region]:
        """The merged secret regions of ``text`` matched as a whole (a line, or a short text);
        ``keywords``, when known, are the keywords ``text`` contains."""
        rules = self._rules(text, lower(text), keywords)
        if not rules:
            return []
        return _merge(self._candidates(text, 0, len(text), rules))

    def _long_regions(self, text: str) -> list[Region]:
        from perth.redact.blocks import long_regions

        return long_regions(self, text)

    # -- batches of lines (see perth.redact.blocks) ------------------------------------------

    def line_regions(self, lines: Sequence[str]) -> dict[int, list[Region]]:
        """Regions per line index, for the lines that have any.  Private-key blocks spanning
        several lines are the caller's business (see ``SecretFilter.redact_lines``)."""
        from perth.redact.blocks import line_regions

        return line_regions(self, lines)

    def flagged(self, text: str) -> list[tuple[int, int, set[str] | None]]:
        """``(start, end, keywords)`` of the lines of ``text`` (each ending after its ``\\n``)
        that may hold a secret, in order: every line where :meth:`whole_regions` finds anything
        is one.  ``keywords`` are those the line holds, when the scan tells (else ``None``)."""
        from perth.redact.blocks import flagged

        return flagged(self, text)

    # -- matching ----------------------------------------------------------------------------

    def _rules(self, text: str, low: str, keywords: Collection[str] | None) -> tuple[CompiledRule, ...]:
        """The compiled rules (built-in and custom) that may match ``text``: a keyword of theirs
        occurs and their gate passes."""
        triggers = self._table.triggers if self._table is not None else None
        if keywords is not None:
            passing = gated(self._orders_of(frozenset(keywords)), low, text)
        elif triggers is not None:
            passing = gated(triggers.rules(low), low, text, triggered=True)
        else:
            passing = gated(self._orders_of(frozenset([k for k in KEYWORDS if k in low])), low, text)
        if not passing:
            return self.custom
        table = self.table
        return tuple(table.compiled(order) for order in passing) + self.custom

    def _orders_of(self, present: frozenset[str]) -> tuple[int, ...]:
        """The rules owning these keywords, in table order."""
        if not present:
            return ()
        orders = self._orders.get(present)
        if orders is None:
            orders = tuple(sorted(rules_with(present)))
            if len(self._orders) < 4096:
                self._orders[present] = orders
        return orders

    def _candidates(self, text: str, start: int, end: int,
                    rules: tuple[CompiledRule, ...]) -> list[_Candidate]:
        found: list[_Candidate] = []
        for compiled in rules:
            if compiled.kind == "pem-block":
                from perth.redact import pem

                spans = [(s + start, e + start) for s, e in pem.find_blocks(text[start:end])]
            else:
                spans = [_secret_span(m, compiled.secret_groups)
                         for m in compiled.regex.finditer(text, start, end)]
            for s, e in spans:
                if s < e and not _dominated(found, s, e, compiled) and _acceptable(compiled, text[s:e]):
                    found.append(_Candidate(s, e, compiled.priority, compiled.order, compiled.id))
        if found and self.allow:
            found = self._drop_allowed(found, text, start, end)
        return found

    def _drop_allowed(self, found: list[_Candidate], text: str, start: int,
                      end: int) -> list[_Candidate]:
        spans = [m.span() for regex in self.allow for m in regex.finditer(text, start, end)]
        return [c for c in found if not any(s <= c.start and c.end <= e for s, e in spans)]

    def priority(self, rule_id: str) -> int:
        """The priority of a rule, built-in or custom."""
        for custom in self.custom:
            if custom.id == rule_id:
                return custom.priority
        return self.table.priorities.get(rule_id, 0)


def _secret_span(match: re.Match[str], groups: tuple[str, ...]) -> tuple[int, int]:
    for name in groups:
        if match.start(name) >= 0:
            return match.span(name)
    return match.span()


def _dominated(found: list[_Candidate], start: int, end: int, rule: CompiledRule) -> bool:
    """Whether a candidate already found covers ``start:end`` and outranks ``rule``: then the
    span cannot change the merged regions, and its value checks are skipped."""
    for cand in found:
        if cand.start <= start and end <= cand.end and (cand.priority, -cand.order) > (
                rule.priority, -rule.order):
            return True
    return False


def _acceptable(rule: ValueChecks, value: str) -> bool:
    """Whether a matched value is redacted: not already a placeholder, not allow-listed."""
    from perth.redact import allow

    if REDACTION_PREFIX in value:
        value = placeholder_regex().sub("", value)
        if not any(char.isalnum() for char in value):
            return False
    return allow.accepts(rule.value_checks, value, rule.min_length, rule.entropy)


def _merge(found: list[_Candidate]) -> list[Region]:
    """Merge overlapping candidates; each region takes the label of its best candidate."""
    found.sort(key=lambda c: (c.start, -c.end))
    merged: list[_Candidate] = []
    for cand in found:
        if merged and cand.start < merged[-1].end:
            last = merged[-1]
            last.end = max(last.end, cand.end)
            if (cand.priority, -cand.order) > (last.priority, -last.order):
                last.priority, last.order, last.rule_id = cand.priority, cand.order, cand.rule_id
        else:
            merged.append(_Candidate(cand.start, cand.end, cand.priority, cand.order, cand.rule_id))
    return [Region(c.start, c.end, c.rule_id) for c in merged]


def apply(text: str, regions: Sequence[Region]) -> str:
    """``text`` with every region replaced by its placeholder."""
    if not regions:
        return text
    parts = []
    position = 0
    for region in regions:
        parts.append(text[position:region.start])
        parts.append(placeholder(region.rule_id))
        position = region.end
    parts.append(text[position:])
    return "".join(parts)


def _user_regex(key: str, pattern: str, number: int) -> re.Pattern[str]:
    import re

    from perth.errors import ConfigError

    where = f"redact.{key}[{number}]"
    try:
        regex = re.compile(pattern)
    except (re.error, TypeError, ValueError) as exc:
        raise ConfigError(f"{where} is not a valid regular expression: {exc}",
                          "fix or remove it in config.toml") from exc
    if regex.fullmatch("") is not None:
        raise ConfigError(f"{where} matches the empty string", "fix or remove it in config.toml")
    from perth.redact.lint import catastrophic_problem

    problem = catastrophic_problem(pattern)
    if problem:
        raise ConfigError(f"{where} may take exponential time ({problem})",
                          "rewrite it without nested repetition, or remove it in config.toml")
    return regex


def _custom_rule(pattern: str, number: int, base: int) -> CompiledRule:
    from perth.redact.table import compile_pattern

    _user_regex("extra_patterns", pattern, number)
    return compile_pattern(pattern, base + number, f"custom-{number + 1}", priority=_CUSTOM_PRIORITY,
                           flags=0)


__all__ = ["PLACEHOLDER", "REDACTION_PREFIX", "Engine", "Region", "apply", "gated", "in_order", "lower",
           "placeholder", "placeholder_regex", "rules_with"]
