"""The compiled rule table, shared by every filter: patterns compiled on first use, and the
scanners that find the lines of a large text that may hold a secret.

It is built from the generated runtime form of the rules (``ruleset.SPECS``, ``keywords.GATES``),
never from the rule modules, and compiles a pattern only when a text passes that rule's gate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from perth.record import Record
from perth.redact.keywords import GATES, KEYWORDS
from perth.redact.prefilter import KeywordIndex
from perth.redact.ruleset import SPECS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.redact.rules.model import Rule

FLAGS = re.ASCII
#: Memory for re2's automata (its default, 8 MiB, is too small for the triggers of some 200
#: rules: the DFA is rebuilt again and again and a large text scans at a few MB/s).  A budget,
#: not an allocation: the DFA's states are cached as text needs them.  Varied history (a large
#: vocabulary, no multi-line commands) needed more than 32 MiB: its line scan ran 2.2x slower.
_RE2_MEMORY = 128 << 20


class CompiledRule(Record):
    """A rule's compiled pattern, the names of its ``secret*`` groups, and its value checks."""

    id: str
    order: int
    regex: re.Pattern[str]
    secret_groups: tuple[str, ...]
    priority: int
    value_checks: str = "exact"
    min_length: int = 1
    entropy: float = 0.0
    kind: str = "regex"
    #: How far from its start a match can read (its longest match and look-ahead); 0: unbounded
    #: (the whole text is searched).
    reach: int = 0
    firsts: tuple[str, ...] = ()
    #: How far before one of ``firsts`` (its first step's literals, lowercase) a match can start;
    #: -1: up to ``reach``.
    lead: int = -1

    @property
    def rule_id(self) -> str:
        return self.id


def compile_pattern(pattern: str, order: int, rule_id: str, *, ignore_case: bool = False,
                    priority: int = 0, value_checks: str = "exact", min_length: int = 1,
                    entropy: float = 0.0, kind: str = "regex", flags: int = FLAGS, reach: int = 0,
                    firsts: tuple[str, ...] = (), lead: int = -1) -> CompiledRule:
    """Compile one pattern (``re.ASCII`` for the built-in rules, plus ``re.IGNORECASE`` on request)."""
    regex = re.compile(pattern, flags | (re.IGNORECASE if ignore_case else 0))
    groups = tuple(sorted(name for name in regex.groupindex if name.startswith("secret")))
    return CompiledRule(rule_id, order, regex, groups, priority, value_checks, min_length, entropy,
                        kind, reach if firsts else 0, firsts, min(lead, reach) if firsts and reach else -1)


def compile_rule(rule: Rule, order: int) -> CompiledRule:
    """Compile a :class:`~perth.redact.rules.Rule` as the runtime table does (its pattern
    hoisted: :mod:`perth.redact.hoist`); the tests and tools use this."""
    from perth.redact.hoist import hoisted

    flags = FLAGS | (re.IGNORECASE if rule.ignore_case else 0)
    return compile_pattern(hoisted(rule.pattern, flags), order, rule.id, ignore_case=rule.ignore_case,
                           priority=rule.priority, value_checks=rule.value_checks,
                           min_length=rule.min_length, entropy=rule.entropy, kind=rule.kind)


class RuleTable:
    """The built-in rules (runtime form), their lazily compiled patterns and line scanners."""

    def __init__(self, specs: tuple[tuple[str, str, bool, str, int, str, int, float, int, int], ...] = SPECS,
                 gates: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...], int], ...] = GATES,
                 ) -> None:
        self.specs = specs
        self.gates = gates
        self.ids = tuple(spec[0] for spec in specs)
        self.priorities = {spec[0]: spec[4] for spec in specs}
        self.keywords = tuple(sorted({k for keywords, _, _ in gates for k in keywords}))
        self._compiled: dict[int, CompiledRule] = {}
        self._index: KeywordIndex | None = None
        self._triggers: _Re2Triggers | None = None
        self._triggers_checked = False
        self._counter: _Re2Index | None = None
        self._counter_checked = False

    @property
    def index(self) -> KeywordIndex:
        """The pure-Python keyword index, built on first use (about 20 ms)."""
        if self._index is None:
            self._index = KeywordIndex(self.keywords)
        return self._index

    def compiled(self, order: int) -> CompiledRule:
        """The compiled rule at position ``order`` of the table."""
        found = self._compiled.get(order)
        if found is None:
            rule_id, pattern, ignore_case, kind, priority, checks, min_length, entropy, reach, lead = (
                self.specs[order])
            steps = self.gates[order][1]
            found = self._compiled[order] = compile_pattern(
                pattern, order, rule_id, ignore_case=ignore_case, priority=priority,
                value_checks=checks, min_length=min_length, entropy=entropy, kind=kind, reach=reach,
                firsts=steps[0] if steps else (), lead=lead)
        return found

    def hits(self, low: str) -> Iterator[tuple[int, str]]:
        """Every ``(start, keyword)`` occurrence in lowercased text (pure Python)."""
        return self.index.hits(low)

    def more_keywords_than(self, low: str, limit: int) -> bool:
        """Whether lowercased text holds more than ``limit`` keyword occurrences.  With
        google-re2 its DFA counts them (linear whatever the text: the pure-Python index slows
        down on text full of its anchor characters); counting stops past ``limit``."""
        if not self._counter_checked:
            self._counter = _Re2Index.build(self.keywords)
            self._counter_checked = True
        from itertools import islice

        hits = self.index.hits(low) if self._counter is None else self._counter.leftmost(low)
        return sum(1 for _ in islice(hits, limit + 1)) > limit

    @property
    def triggers(self) -> _Re2Triggers | None:
        """The re2 trigger scanner, once a large text has been scanned (else ``None``)."""
        return self._triggers

    def line_starts(self, low: str) -> Iterator[int] | None:
        """With google-re2, the positions in lowercased text where a rule's *trigger* (its
        steps, in order on one line) matches: every line a rule can match in holds one (the same
        line may come several times).  ``None`` without google-re2."""
        if not self._triggers_checked:
            self._triggers = _Re2Triggers.build(self.gates)
            self._triggers_checked = True
        return None if self._triggers is None else self._triggers.starts(low)


class _Re2Triggers:
    """Every rule's *trigger* through google-re2 (DFAs: linear time, no backtracking): its
    literal steps in order, separated by anything but a line break, or its keywords when it has
    no steps.  No rule matches across a line break (a test checks it), so a line holding a match
    of a rule holds a match of its trigger.  One alternation of all triggers finds the lines
    worth matching in a large text; a set of the keywords names those a line holds.

    (A set of all the triggers would name the rules directly, but on a line full of keywords
    its automaton tracks the progress of every trigger at once: its states outgrow any memory
    budget and it slows to a few hundred kilobytes a second.  The keyword set's automaton is
    the keywords' trie, whatever the text.)"""

    def __init__(self, regex: object, keyword_set: object, keywords: tuple[str, ...]) -> None:
        self._regex = regex
        self._set = keyword_set
        self._keywords = keywords

    @classmethod
    def build(cls, gates: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...], int], ...],
              ) -> _Re2Triggers | None:
        try:
            import re2  # type: ignore[import-not-found,import-untyped,unused-ignore]

            patterns = [trigger(keywords, steps).encode() for keywords, steps, _ in gates]
            options = re2.Options()
            options.max_mem = _RE2_MEMORY
            regex = re2.compile(b"|".join(patterns), options)
            keywords = tuple(sorted({k for owned, _, _ in gates for k in owned}))
            keyword_set = re2.Set.SearchSet(options)
            for keyword in keywords:
                keyword_set.Add(re.escape(keyword).encode())
            keyword_set.Compile()
            if regex.search(b"...ghp_") is None or not keyword_set.Match(b"...ghp_"):
                return None
        except Exception:
            return None
        return cls(regex, keyword_set, keywords)

    def starts(self, low: str) -> Iterator[int]:
        """The first position where a trigger matches on each line of lowercased text that has
        one.  One search per such line, resumed after the line's end: a search reads at most to
        the end of the line it matches on (a trigger never crosses a line break), so the whole
        scan reads each character a bounded number of times, however the line is made."""
        data = low.encode("ascii", "replace")  # one byte per character: offsets carry over
        search = self._regex.search  # type: ignore[attr-defined]
        position = 0
        while (match := search(data, position)) is not None:
            start = match.start()
            yield start
            position = data.find(b"\n", start) + 1
            if not position:
                return

    def present(self, low: str) -> frozenset[str]:
        """The keywords that occur in lowercased text."""
        found: list[int] | None = self._set.Match(low.encode("ascii", "replace"))  # type: ignore[attr-defined]
        keywords = self._keywords
        return frozenset([keywords[index] for index in found]) if found else frozenset()


def trigger(keywords: tuple[str, ...], steps: tuple[tuple[str, ...], ...]) -> str:
    """The regular expression (re and re2 syntax) of a rule's trigger."""
    parts = [_any_of(step) for step in steps] if steps else [_any_of(keywords)]
    return r"[^\n]*".join(parts)


def _any_of(literals: tuple[str, ...]) -> str:
    escaped = [re.escape(literal) for literal in literals]
    return escaped[0] if len(escaped) == 1 else "(?:" + "|".join(escaped) + ")"


class _Re2Index:
    """Every keyword occurrence through google-re2's DFA.  The filter finds lines through the
    triggers instead; this index is kept for tools and tests (a property test holds it to a
    naive search, like :class:`~perth.redact.prefilter.KeywordIndex`).  re2 reports
    non-overlapping leftmost matches; occurrences that overlap a reported match are recovered
    from precomputed overlap lists, so the result is complete."""

    def __init__(self, regex: object, keywords: tuple[str, ...]) -> None:
        self._regex = regex
        self._keywords = keywords
        #: Per keyword, the others that can start inside it: built on the first :meth:`hits`
        #: (some 0.9 s for 450 keywords); the density check, :meth:`leftmost`, never needs them.
        self._overlaps: dict[str, list[tuple[str, int]]] = {}
        self._by_first: dict[bytes, str] = {k.encode(): k for k in keywords}

    @classmethod
    def build(cls, keywords: tuple[str, ...] = KEYWORDS) -> _Re2Index | None:
        try:
            import re2  # type: ignore[import-not-found,import-untyped,unused-ignore]

            ordered = sorted(keywords, key=len, reverse=True)
            regex = re2.compile("|".join(re.escape(k) for k in ordered).encode())
            if regex.search(b"..." + ordered[0].encode()) is None:
                return None
        except Exception:
            return None
        return cls(regex, keywords)

    def leftmost(self, low: str) -> Iterator[int]:
        """The starts of the non-overlapping leftmost keyword occurrences (a lower bound of
        their number, without the overlap lists: what a density check needs)."""
        for match in self._regex.finditer(low.encode("ascii", "replace")):  # type: ignore[attr-defined]
            yield match.start()

    def hits(self, low: str) -> Iterator[tuple[int, str]]:
        if not self._overlaps:
            self._overlaps.update((k, _overlapping(k, self._keywords)) for k in self._keywords)
        data = low.encode("ascii", "replace")
        for match in self._regex.finditer(data):  # type: ignore[attr-defined]
            start = match.start()
            keyword = self._by_first[match.group()]
            yield start, keyword
            for other, offset in self._overlaps[keyword]:
                if low.startswith(other, start + offset):
                    yield start + offset, other


def _overlapping(keyword: str, keywords: tuple[str, ...]) -> list[tuple[str, int]]:
    """Keywords that can start inside ``keyword`` (at offset >= 0) and agree with it there."""
    result = []
    for other in keywords:
        for offset in range(len(keyword)):
            if (other, offset) == (keyword, 0):
                continue
            overlap = keyword[offset:offset + len(other)]
            if other.startswith(overlap):
                result.append((other, offset))
    return result


_TABLE: list[RuleTable] = []


def table() -> RuleTable:
    """The process-wide rule table, built on first use."""
    if not _TABLE:
        _TABLE.append(RuleTable())
    return _TABLE[0]


__all__ = ["FLAGS", "CompiledRule", "RuleTable", "compile_pattern", "compile_rule", "table", "trigger"]
