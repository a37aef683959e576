"""Matching and replacement: find secret regions in text and replace them with placeholders.

The keywords a text contains name the rules that may apply; each of those rules' *gate* (the
literals its pattern needs, in order, and the length of the non-blank run it needs: see
``keywords.GATES``) is checked with plain string operations, and only the rules whose gate
passes are compiled and run.  Most texts that merely mention a token or a login stop there,
before the rule table, the allow-list or any pattern is loaded.  A large text is scanned for the
lines that may hold a secret and only those lines are matched (:mod:`perth.redact.lines`).

Every match is narrowed to its ``secret*`` group, checked against the allow-lists, and the
overlapping matches are merged into regions labelled with the most specific rule (provider
formats beat credential syntax, which beats the entropy rule; ties go to the earlier rule).
"""

from __future__ import annotations

from itertools import chain

from perth.redact.keywords import GATES, KEYWORDS, in_order, passing
from perth.redact.redacted import REDACTION_PREFIX
from perth.redact.regions import (
    SHORT_TEXT,
    Candidate,
    Region,
    apply,
    lower,
    merge,
    placeholder,
    placeholder_regex,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Collection, Iterable, Iterator, Sequence
    from typing import Protocol, TypeAlias

    from perth.redact.regions import Gated
    from perth.redact.table import CompiledRule, RuleTable

    #: What each pass of a redaction made of a text: per pass that found something, the text it
    #: left and the rule ids it replaced (``Engine.settled``).
    Stages: TypeAlias = tuple[tuple[str, tuple[str, ...]], ...]

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

_CUSTOM_PRIORITY = 40
#: Lines longer than this are checked for keyword density before any rule runs on them.
DENSE_FROM = 4096
#: A long line holding more than one keyword occurrence per this many characters is replaced
#: whole (fail closed): matching some 200 rules near every one of them would cost far more
#: than a megabyte per second.  Real lines (commands, ``.env`` and JSON, minified code) hold
#: a keyword every few hundred characters at most; only machine-made repetition is this dense.
DENSE_SPACING = 64
#: The label of a keyword-dense line replaced whole.
DENSE_RULE = "dense-line"
#: Redaction passes before giving up on reaching a fixed point (one pass nearly always does).
MAX_PASSES = 4
#: Passes a line of ``redact_lines``, ``redact_block`` or ``redact_stream`` gets at most (its
#: first, then up to :data:`MAX_PASSES` more: :func:`settle`'s default).
LINE_PASSES = 1 + MAX_PASSES
#: Allow-list verdicts an engine remembers (the memo is emptied when full).
_VERDICTS = 4096
#: Redacted lines found clean an engine remembers (emptied when full), up to this length.
_CLEAN_LINES = 4096
_CLEAN_UP_TO = 1024
#: Characters of lines (and of what passes made of them) whose whole redaction an engine
#: remembers (emptied when full), of lines up to :data:`SHORT_TEXT` long.
_SETTLED_CHARS = 1 << 22
#: ... and at most this many of them (each memo).
_SETTLED_LINES = 1 << 14


def __getattr__(name: str) -> object:
    """``PLACEHOLDER``: the compiled placeholder pattern, compiled on first use."""
    if name == "PLACEHOLDER":
        return placeholder_regex()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- gates -------------------------------------------------------------------------------------

_OWNED: list[dict[str, tuple[int, ...]]] = []


def rules_with(keywords: Iterable[str]) -> set[int]:
    """The positions (in ``GATES`` and the rule table) of the rules owning these keywords
    (``keywords.owners`` through an index built on first use: many lines, many keyword sets)."""
    if not _OWNED:
        found: dict[str, list[int]] = {}
        for order, (owned, _steps, _run) in enumerate(GATES):
            for keyword in owned:
                found.setdefault(keyword, []).append(order)
        _OWNED.append({keyword: tuple(orders) for keyword, orders in found.items()})
    owned_by = _OWNED[0]
    return {order for keyword in keywords for order in owned_by[keyword]}


def gated(orders: Iterable[int], low: str, text: str) -> list[int]:
    """The rules among ``orders`` (those owning the keywords found in ``low``) whose gate passes
    on ``text`` (``low`` is :func:`lower` of it)."""
    return passing(orders, low, text)


# -- the engine --------------------------------------------------------------------------------


class Engine:
    """The built-in rules plus a filter's own ``extra_patterns`` and ``allow_patterns``.

    Creating one is cheap: the rule table loads when a text first passes a rule's gate."""

    #: Whether first passes and whole redactions of short texts are remembered (tests compare
    #: an engine that does not).
    remembers = True

    def __init__(self, extra_patterns: Sequence[str] = (), allow_patterns: Sequence[str] = ()) -> None:
        self._table: RuleTable | None = None
        base = len(GATES)
        self.custom = tuple(_custom_rule(p, n, base) for n, p in enumerate(extra_patterns))
        self.allow = tuple(_user_regex("allow_patterns", p, n) for n, p in enumerate(allow_patterns))
        self._orders: dict[frozenset[str], tuple[int, ...]] = {}
        #: The allow-list's verdict per (value checks, value): the same values come again and
        #: again (a placeholder in every second pass, a token pasted into many lines).
        self._verdicts: dict[tuple[str, int, float, str], bool] = {}
        #: Redacted lines a second pass found nothing in: redaction makes lines alike
        #: (``TOKEN=[REDACTED:…]`` whatever the token), and the pass depends on the line alone.
        self._clean: dict[str, None] = {}
        #: What every pass makes of a line (:meth:`settled`): lines come again and again (the
        #: same command, the same ``.env`` line, a pasted token), and redaction depends on the
        #: line alone.
        self._settled: dict[str, Stages] = {}
        self._settled_size = 0
        #: :meth:`first_pass` per short text (a line matched in one pass and read again in the
        #: next, a repeated line).
        self._first: dict[str, tuple[list[Region], Gated | None]] = {}
        self._first_size = 0

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
        ``keywords``, when known, are the keywords ``text`` contains.  Placeholders left by an
        earlier pass are blanked for the gates (``[REDACTED:password-assignment]`` holds the
        keywords of half the rules; a second pass must not run them all for that)."""
        return self.first_pass(text, keywords)[0]

    def first_pass(self, text: str, keywords: Collection[str] | None = None) -> tuple[list[Region], Gated | None]:
        """:meth:`whole_regions`, and which rules it considered (``None`` when no rule ran, or
        the line was replaced whole): what :meth:`second_pass_empty` needs.  Remembered for
        short texts, as :meth:`settled` is (the regions and rule lists returned are shared: never
        change them)."""
        remember = self.remembers and len(text) <= SHORT_TEXT and _same_without(text, keywords)
        if remember:
            memo = self._first.get(text)
            if memo is not None:
                return memo
            found = self._first_pass(text, keywords)
            if self._first_size + len(text) > _SETTLED_CHARS or len(self._first) >= _SETTLED_LINES:
                self._first.clear()
                self._first_size = 0
            self._first[text] = found
            self._first_size += len(text)
            return found
        return self._first_pass(text, keywords)

    def _first_pass(self, text: str, keywords: Collection[str] | None) -> tuple[list[Region], Gated | None]:
        low = lower(_blank_placeholders(text) if REDACTION_PREFIX in text else text)
        if len(text) > DENSE_FROM and self._dense(low):
            end = len(text.rstrip("\r\n"))
            return [Region(0, end, DENSE_RULE)], None
        owned, passed = self._gates(text, low, keywords)
        rules = self._compiled(passed)
        if not rules:
            return [], None
        return merge(self._candidates(text, low, rules)), (owned, passed)

    def second_pass_empty(self, text: str, redacted: str, gated: Gated | None) -> bool:
        """Whether :meth:`whole_regions` of ``redacted`` (``text`` with the regions of its
        :meth:`first_pass` replaced; ``gated``: what that pass considered) is empty, decided
        without checking every rule's gate again: only the gates of the rules that ran on
        ``text``, and of those a placeholder may have opened, are checked on ``redacted``, and
        the rules that pass are run on it (whole).
        ``False`` means "not shown": the caller then runs the full pass.  A redacted line a
        pass already found nothing in (:meth:`found_nothing`) is answered at once.

        Why this is exact (see also docs/security.md, "How the filter stays fast"):

        1. The conditions: no custom rule (no gate) and no ``allow_patterns`` (they may match
           across a placeholder); ``redacted`` short enough that the full pass is
           ``whole_regions(redacted)`` with no density check; no placeholder in ``text``; and
           ``redacted`` ASCII.
        2. Then the placeholders in ``redacted`` are exactly the regions' placeholders: every
           rule id fits the placeholder pattern, and ``[REDACTED:`` cannot be formed across
           the edge of a placeholder (it holds no ``]``, and no proper suffix of it is a prefix
           of it).  The full pass blanks each into at least 12 blanks and lowers the rest
           character by character (ASCII), so its lowered text is the lowered text of
           ``text`` between the regions, with a run of at least 12 blanks for each region.
        3. A literal (keyword or gate step) overlapping such a run starts or ends with a
           blank or holds two in a row; the rules having one are listed by
           :func:`_blank_edged` (today three: `` login``, a digest's `` ``, a JSON
           key's ``"-----begin ``).  Every other
           literal occurrence lies in text ``text`` also holds, in the same order: a keyword
           present in ``redacted`` is present in ``text`` (so in ``owned``: the line scans
           report every keyword occurrence), and a gate whose steps occur in order in
           ``redacted`` had them in order in ``text`` (the gate's greedy test decides whether
           such an order exists).
        4. So a rule the full pass runs passed its gate on ``text``, or failed only on its
           non-blank run (a placeholder makes runs longer), or has a blank-edged literal
           (:func:`_reopened` lists these two kinds); of those, the ones whose gate passes on
           ``redacted`` are run here.  Every rule the full pass runs is among them (a few
           more may be: one whose keyword was in a region).
        5. A rule's matches do not depend on the other rules run, and a candidate is only
           skipped when another one is kept; so if no rule run here yields a candidate, none
           of those the full pass runs does, and it finds nothing."""
        if redacted in self._clean:
            return True
        if gated is None or self.custom or self.allow or REDACTION_PREFIX in text:
            return False
        if len(redacted) > min(SHORT_TEXT, DENSE_FROM) or not redacted.isascii():
            return False
        owned, passed = gated
        low = lower(_blank_placeholders(redacted))
        rules = passing([*passed, *_reopened(owned, passed, text, redacted)], low, redacted)
        if rules and self._candidates(redacted, low, self._compiled(rules)):
            return False
        self.found_nothing(redacted)
        return True

    def found_nothing(self, redacted: str) -> None:
        """Remember that a pass over ``redacted`` finds nothing (:meth:`regions` is empty), so
        that :meth:`second_pass_empty` answers at once when it comes again; short lines only,
        a bounded number of them."""
        if len(redacted) <= _CLEAN_UP_TO:
            if len(self._clean) >= _CLEAN_LINES:
                self._clean.clear()
            self._clean[redacted] = None

    def settled(self, text: str, keywords: Collection[str] | None = None) -> Stages:
        """What each pass of a redaction to a fixed point makes of ``text`` (a line, or a short
        text), ``keywords`` as for :meth:`first_pass`: per pass that found something, the text
        it left and the rule ids it replaced; empty when the first pass finds nothing.  Up to
        ``1 + MAX_PASSES`` passes (the most any caller allows, see :func:`take`), the second
        usually shown empty by :meth:`second_pass_empty` as :func:`settle` does.  The passes
        depend on ``text`` alone (the engine's memos are caches of pure functions, and
        ``keywords``, when given, are exactly those ``text`` holds), so the answer for a short
        text is remembered: a repeated line costs one dictionary look-up."""
        remember = self.remembers and len(text) <= SHORT_TEXT and _same_without(text, keywords)
        memo = self._settled.get(text) if remember else None
        if memo is not None:
            return memo
        regions, gated = self._first_pass(text, keywords)  # remembered below, as a whole
        stages: Stages = ()
        if regions:
            redacted = apply(text, regions)
            found = [(redacted, tuple(region.rule_id for region in regions))]
            if not self.second_pass_empty(text, redacted, gated):
                current = redacted
                for _ in range(MAX_PASSES):
                    later = self.regions(current)
                    if not later:
                        break
                    current = apply(current, later)
                    found.append((current, tuple(region.rule_id for region in later)))
                if len(found) == 1:
                    self.found_nothing(redacted)  # the full pass found nothing
            stages = tuple(found)
        if remember:
            size = len(text) + sum(len(redacted) for redacted, _ in stages)
            if self._settled_size + size > _SETTLED_CHARS or len(self._settled) >= _SETTLED_LINES:
                self._settled.clear()
                self._settled_size = 0
            self._settled[text] = stages
            self._settled_size += size
        return stages

    def _dense(self, low: str) -> bool:
        """Whether a long line holds more than one keyword occurrence per
        :data:`DENSE_SPACING` characters (counting stops there: the check is linear)."""
        return self.table.more_keywords_than(low, len(low) // DENSE_SPACING)

    def _long_regions(self, text: str) -> list[Region]:
        from perth.redact.lines import long_regions

        return long_regions(self, text)

    # -- batches of lines (see perth.redact.lines) ------------------------------------------

    def line_regions(self, lines: Sequence[str]) -> dict[int, list[Region]]:
        """Regions per line index, for the lines that have any.  Private-key blocks spanning
        several lines are the caller's business (see ``SecretFilter.redact_lines``)."""
        from perth.redact.lines import line_regions

        return line_regions(self, lines)

    def line_passes(self, lines: Sequence[str]) -> dict[int, tuple[list[Region], Gated | None]]:
        """:meth:`first_pass` per line index, for the lines that have regions (as
        :meth:`line_regions`)."""
        from perth.redact.lines import line_passes

        return line_passes(self, lines)

    def flagged(self, text: str) -> list[tuple[int, int, set[str] | None]]:
        """``(start, end, keywords)`` of the lines of ``text`` (each ending after its ``\\n``)
        that may hold a secret, in order: every line where :meth:`whole_regions` finds anything
        is one.  ``keywords`` are those the line holds, when the scan tells (else ``None``)."""
        from perth.redact.lines import flagged

        return flagged(self, text)

    # -- matching ----------------------------------------------------------------------------

    def _gates(self, text: str, low: str, keywords: Collection[str] | None) -> tuple[tuple[int, ...], list[int]]:
        """The built-in rules owning a keyword that occurs in ``text``, and those of them whose
        gate passes."""
        triggers = self._table.triggers if self._table is not None else None
        if keywords is not None:
            present = frozenset(keywords)
        elif triggers is not None:
            present = triggers.present(low)
        else:
            present = frozenset([k for k in KEYWORDS if k in low])
        owned = self._orders_of(present)
        return owned, gated(owned, low, text)

    def _compiled(self, orders: Sequence[int]) -> tuple[CompiledRule, ...]:
        """The compiled rules at these positions, and the custom rules (which have no gate)."""
        if not orders:
            return self.custom
        table = self.table
        return tuple(table.compiled(order) for order in orders) + self.custom

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

    def _candidates(self, text: str, low: str, rules: tuple[CompiledRule, ...]) -> list[Candidate]:
        found: list[Candidate] = []
        earlier: list[_Spans] = []
        verdicts = self._verdicts
        short = len(text) <= _WHOLE_UP_TO
        for compiled in rules:
            if short and compiled.kind == "regex" and not compiled.regex.pattern.startswith(_LINE_START):
                # What _rule_spans does with a short text: one search of it all.
                first = compiled.regex.search(text)
                if first is None:
                    continue  # most lines: one search finds no match, and no bookkeeping
                matches = _spans_from(compiled, text, first)
            else:
                spans_found = _rule_spans(compiled, text, low)
                if spans_found is None:
                    continue
                matches = spans_found
            spans = _Spans((compiled.priority, -compiled.order))
            checks = (compiled.value_checks, compiled.min_length, compiled.entropy)
            for s, e in matches:
                if s >= e or (earlier and _dominated(earlier, s, e, spans.rank)):
                    continue
                value = text[s:e]
                accepted = verdicts.get((*checks, value))
                if accepted is None:
                    accepted = _acceptable(compiled, value)
                    if len(verdicts) >= _VERDICTS:
                        verdicts.clear()
                    verdicts[*checks, value] = accepted
                if accepted:
                    found.append(Candidate(s, e, compiled.priority, compiled.order, compiled.id))
                    spans.add(s, e)
            if spans.starts:
                earlier.append(spans)
        if found and self.allow:
            found = self._drop_allowed(found, text, 0, len(text))
        return found

    def _drop_allowed(self, found: list[Candidate], text: str, start: int,
                      end: int) -> list[Candidate]:
        spans = sorted(m.span() for regex in self.allow for m in regex.finditer(text, start, end))
        allowed = _Spans((0, 0))
        for s, e in spans:
            allowed.add(s, e)
        return [c for c in found if not allowed.covers(c.start, c.end)]

    def priority(self, rule_id: str) -> int:
        """The priority of a rule, built-in or custom."""
        for custom in self.custom:
            if custom.id == rule_id:
                return custom.priority
        return self.table.priorities.get(rule_id, 0)


def _same_without(text: str, keywords: Collection[str] | None) -> bool:
    """Whether a first pass over ``text`` given ``keywords`` is the same as without them.
    Keywords a scan found in a wider text are exactly those ``text`` holds when it is ASCII and
    holds no placeholder (a first pass blanks placeholders for the gates, and a wider text may
    be lowered differently): only then is a remembered answer the answer."""
    return keywords is None or (REDACTION_PREFIX not in text and text.isascii())


def _blank_placeholders(text: str) -> str:
    """``text`` with every placeholder replaced by as many blanks (offsets kept)."""
    return placeholder_regex().sub(lambda match: " " * len(match.group()), text)


def _secret_span(match: re.Match[str], groups: tuple[str, ...]) -> tuple[int, int]:
    for name in groups:
        if match.start(name) >= 0:
            return match.span(name)
    return match.span()


def _rule_spans(compiled: CompiledRule, text: str, low: str) -> Iterator[tuple[int, int]] | None:
    """The spans a rule would replace in ``text`` (``low``: :func:`lower` of it), in
    increasing order of start; ``None`` when there is none (found with one search: most rules
    on most lines)."""
    if compiled.kind == "pem-block":
        from perth.redact import pem

        blocks = pem.find_blocks(text)
        return iter(blocks) if blocks else None
    matches = _matches(compiled, text, low)
    if matches is None:
        return None
    groups = compiled.secret_groups
    return (_secret_span(match, groups) for match in matches)


def _spans_from(compiled: CompiledRule, text: str, first: re.Match[str]) -> Iterator[tuple[int, int]]:
    """The spans of ``compiled.regex.finditer(text)``, whose first match is ``first``."""
    regex = compiled.regex
    if first.end() == first.start():  # an empty match: finditer's own stepping
        matches: Iterator[re.Match[str]] = regex.finditer(text)
    else:
        matches = chain((first,), regex.finditer(text, first.end()))
    groups = compiled.secret_groups
    return (_secret_span(match, groups) for match in matches)


#: Texts up to this many times a rule's window (its lead, plus :data:`_SEARCH_COST`) are
#: searched whole: windows would not pay.
_WINDOWED_FROM = 4
#: Texts up to this long are searched whole whatever the rule (a search costs less than windows).
_WHOLE_UP_TO = 256
#: What one more search costs, in positions tried: a window shorter than this would not pay.
_SEARCH_COST = 16
#: Windows with fewer starts left than this are tried start by start (``match``), not searched.
_TRIED_ONE_BY_ONE = 48
#: How a rule anchored at the start of a line begins (``config-line-secret``).
_LINE_START = "(?<![^\\n])"


def _matches(compiled: CompiledRule, text: str, low: str) -> Iterator[re.Match[str]] | None:
    """What ``compiled.regex.finditer(text)`` yields (``None`` when nothing), searching only
    where a match can start: at most ``lead`` characters before an occurrence of one of the
    rule's first literals (a match holds one there; ``reach`` when the rule gives no lead).
    Each search stops ``reach`` characters after its window, as far as a match starting in it
    can read, so a match attempt never reads past a bounded window around its literal, and the
    text is read a bounded number of times whatever the literals' density; a short text, or a
    rule whose windows would cover most of the text, is searched whole."""
    regex = compiled.regex
    if regex.pattern.startswith(_LINE_START) and text.find("\n", 0, len(text) - 1) < 0:
        # A line-anchored rule starts at the line's start (one line, its break at most last:
        # after that break no match fits, a rule never matches the empty string).
        match = regex.match(text)
        return None if match is None else iter((match,))
    reach = compiled.reach
    lead = compiled.lead if compiled.lead >= 0 else reach
    if not reach or len(text) <= max(_WHOLE_UP_TO, _WINDOWED_FROM * (lead + _SEARCH_COST)):
        match = regex.search(text)
        if match is None:
            return None
        if match.end() == match.start():  # an empty match: finditer's own stepping
            return regex.finditer(text)
        return chain((match,), regex.finditer(text, match.end()))
    windowed = _windowed(compiled, text, low, lead, reach)
    first = next(windowed, None)
    return None if first is None else chain((first,), windowed)


def _windowed(compiled: CompiledRule, text: str, low: str, lead: int, reach: int) -> Iterator[re.Match[str]]:
    windows = _windows(compiled.firsts, low, lead)
    if windows is None:
        yield from compiled.regex.finditer(text)
        return
    search, attempt, size = compiled.regex.search, compiled.regex.match, len(text)
    position = 0
    for first, last in windows:
        position = max(position, first)
        end = min(size, last + reach + 1)
        while position <= last:
            if last - position < _TRIED_ONE_BY_ONE:
                # A search would try every position up to ``end`` (``reach`` past the window)
                # before giving up: try the few starts of the window one by one instead.
                match = attempt(text, position, end)
                if match is None:
                    position += 1
                    continue
            else:
                match = search(text, position, end)
                if match is None or match.start() > last:
                    break
            yield match
            position = max(match.end(), match.start() + 1)


def _windows(literals: tuple[str, ...], low: str, lead: int) -> list[tuple[int, int]] | None:
    """Merged ranges ``[first, last]`` of the positions where a match can start (up to
    ``lead`` before an occurrence of one of ``literals``), or ``None`` when they would cover
    most of the text (then one search of it all is cheaper)."""
    if sum(map(low.count, literals)) > len(low) // (2 * (lead + _SEARCH_COST)) + 1:
        return None
    found: list[int] = []
    for literal in literals:
        position = low.find(literal)
        while position >= 0:
            found.append(position)
            position = low.find(literal, position + 1)
    windows: list[tuple[int, int]] = []
    for position in sorted(found):
        first = max(0, position - lead)
        if windows and first <= windows[-1][1] + _SEARCH_COST:
            windows[-1] = (windows[-1][0], position)
        else:
            windows.append((first, position))
    return windows


class _Spans:
    """The spans one rule kept, in increasing order of start, with the running maximum of their
    ends: whether one of them covers a span is a binary search, not a scan of them all (a line
    of a million repeated keywords holds a hundred thousand spans)."""

    __slots__ = ("ends", "rank", "starts")

    def __init__(self, rank: tuple[int, int]) -> None:
        self.rank = rank
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        if self.starts and start < self.starts[-1]:  # never for finditer; kept correct anyway
            from bisect import insort

            pairs = list(zip(self.starts, self.ends, strict=True))
            insort(pairs, (start, end))
            self.starts, self.ends = [p[0] for p in pairs], []
            for _, e in pairs:
                self.ends.append(max(e, self.ends[-1]) if self.ends else e)
            return
        self.starts.append(start)
        self.ends.append(max(end, self.ends[-1]) if self.ends else end)

    def covers(self, start: int, end: int) -> bool:
        """Whether a kept span contains ``start:end``."""
        if len(self.starts) == 1:  # most rules on most lines: one span
            return self.starts[0] <= start and self.ends[0] >= end
        from bisect import bisect_right

        index = bisect_right(self.starts, start) - 1
        return index >= 0 and self.ends[index] >= end


def _dominated(earlier: list[_Spans], start: int, end: int, rank: tuple[int, int]) -> bool:
    """Whether a candidate already found covers ``start:end`` and outranks ``rank``: then the
    span cannot change the merged regions, and its value checks are skipped."""
    return any(spans.rank > rank and spans.covers(start, end) for spans in earlier)


def _acceptable(rule: ValueChecks, value: str) -> bool:
    """Whether a matched value is redacted: not already a placeholder, not allow-listed."""
    from perth.redact import allow

    if REDACTION_PREFIX in value:
        value = placeholder_regex().sub("", value)
        if not any(char.isalnum() for char in value):
            return False
    return allow.accepts(rule.value_checks, value, rule.min_length, rule.entropy)


def fixed_point(engine: Engine, text: str) -> tuple[str, list[str]]:
    """Redact until nothing more is found (idempotence), returning the rule ids replaced: up to
    :data:`MAX_PASSES` passes over ``text``, each over the result of the one before, until one
    finds nothing.  A long text is redacted line by line (:func:`_long_fixed_point`), with the
    same result."""
    if len(text) > SHORT_TEXT:
        return _long_fixed_point(engine, text)
    # What ``engine.regions`` does with a short text: a first pass over it whole.
    return take(engine.settled(text), text, MAX_PASSES)


def take(stages: Stages, text: str, passes: int) -> tuple[str, list[str]]:
    """The text and rule ids after at most ``passes`` passes (counting the first) of those
    :meth:`Engine.settled` recorded over ``text``."""
    if not stages:
        return text, []
    done = stages[:passes]
    return done[-1][0], [rule_id for _, rule_ids in done for rule_id in rule_ids]


def _long_fixed_point(engine: Engine, text: str) -> tuple[str, list[str]]:
    """:func:`_passes` over a long text, computed line by line: each line flagged by one scan of
    the text is settled on its own (:meth:`Engine.settled`, remembered per line), and only when
    that cannot be shown to equal the passes over the whole text are they run.

    Why this is exact.  A pass over a text longer than :data:`SHORT_TEXT` is the first pass of
    each of its lines (split at ``\\n``, matched one by one: ``perth.redact.lines``) plus the
    private-key blocks, merged.  Take a text with no custom rule (their matches may cross a line
    break) and no key block header (:func:`_may_hold_key_block`), scanned with google-re2 (a
    later pass's scan of a long text then names no keywords, as :meth:`Engine.settled` does not):

    1. No pass finds a key block: a block starts at a header, and a header that a pass leaves
       cannot overlap a placeholder (it holds no ``[`` or ``]``), so it stood in the text before
       that pass; by induction, in ``text``.
    2. So every region of a pass lies within one line, which its placeholder keeps one line: a
       pass maps the lines of a text to the lines of the next, one to one, each line to what the
       first pass of that line alone makes of it.  Regions of different lines never overlap, so
       merging them changes nothing.
    3. Hence, as long as every text a pass reads is longer than :data:`SHORT_TEXT` (checked:
       the lengths of the lines after each pass are known), pass *k* over the text is pass *k*
       over each line, a line that a pass left unchanged stays unchanged (the pass depends on
       the line alone), and the text reaches its fixed point when each line has.  A line's own
       passes (:meth:`Engine.settled`) are what its line undergoes within the whole text's
       passes: the first is the same first pass; each later one over the line alone is
       ``Engine.regions`` of it, which for a line is again its first pass (or, when longer
       than ``SHORT_TEXT``, the same line-wise pass).
    4. The passes of the whole text stop after :data:`MAX_PASSES`; so does each line's share
       (:func:`take`), and the rule ids are listed pass by pass, line by line, as the whole
       text's passes list them.

    Otherwise (custom rules, a key block header, no google-re2, a text some pass makes short)
    the passes are run over the whole text as before."""
    if engine.custom:
        return _passes(engine, text, MAX_PASSES)
    if _may_hold_key_block(text):
        return _near_passes(engine, text)
    from perth.redact.lines import flagged_lines

    lines = text.split("\n")
    flagged = flagged_lines(engine, lines)
    if engine.table.triggers is None:  # no google-re2: later passes' scans name keywords
        return _passes(engine, text, MAX_PASSES)
    settled: list[tuple[int, Stages]] = []
    for index, keywords in flagged.items():
        stages = engine.settled(lines[index], keywords)
        if stages:
            settled.append((index, stages))
    if not settled:
        return text, []
    depth = min(MAX_PASSES, max(len(stages) for _, stages in settled))
    length = len(text)
    for done in range(1, depth):  # the text pass ``done + 1`` reads must stay long
        if length + sum(len(stages[min(done, len(stages)) - 1][0]) - len(lines[index])
                        for index, stages in settled) <= SHORT_TEXT:
            return _passes(engine, text, MAX_PASSES)
    rule_ids = [rule_id for done in range(depth) for _, stages in settled if done < len(stages)
                for rule_id in stages[done][1]]
    for index, stages in settled:
        lines[index] = stages[min(depth, len(stages)) - 1][0]
    return "\n".join(lines), rule_ids


def _near_passes(engine: Engine, text: str) -> tuple[str, list[str]]:
    """:func:`_passes` over a long text that may hold private-key blocks, each pass after the
    first matching only the lines holding a placeholder the pass before left (and finding the
    key blocks of the whole text again).

    Why this is exact: a pass over a long text is the first pass of each line alone, plus the
    key blocks, merged (``perth.redact.lines.long_regions``).  A line of the text a pass leaves
    that holds no placeholder it left is a line of the text before (regions never hold a
    ``\\n`` except key blocks, whose lines then hold its placeholder), on which that pass, the
    line's first pass alone, found nothing; so the next pass finds nothing there either.  With
    google-re2 the long text's scan names no keywords (``first_pass(line, None)``, as here),
    and a line it does not flag has no regions; the found regions are merged in the same
    order.  Without re2, or with custom rules (their scan spans lines), or once the text is
    short (matched whole), the passes run over the whole text."""
    from perth.redact import pem

    rule_ids: list[str] = []
    regions = engine.regions(text)
    for done in range(1, MAX_PASSES + 1):
        if not regions:
            break
        rule_ids.extend(region.rule_id for region in regions)
        text, placed = _replaced(text, regions)
        if done == MAX_PASSES:
            break
        if len(text) <= SHORT_TEXT or engine.table.triggers is None:
            text, later = _passes(engine, text, MAX_PASSES - done)
            return text, rule_ids + later
        found: list[Candidate] = []
        last = -1
        for position in placed:
            if position < last:
                continue  # this line was matched already
            start = text.rfind("\n", 0, position) + 1
            last = text.find("\n", position)
            if last < 0:
                last = len(text)
            for region in engine.first_pass(text[start:last])[0]:
                found.append(Candidate(start + region.start, start + region.end,
                                       engine.priority(region.rule_id), 0, region.rule_id))
        found += [Candidate(s, e, engine.priority("pem-private-key"), 0, "pem-private-key")
                  for s, e in pem.find_blocks(text)]
        regions = merge(found)
    return text, rule_ids


def _replaced(text: str, regions: Sequence[Region]) -> tuple[str, list[int]]:
    """:func:`apply`, and where each placeholder starts in the result."""
    placed: list[int] = []
    shift = 0
    for region in regions:
        placed.append(region.start + shift)
        shift += len(placeholder(region.rule_id)) - (region.end - region.start)
    return apply(text, regions), placed


def _may_hold_key_block(text: str) -> bool:
    """Whether a pass over ``text`` or over what passes make of it may find a private-key block:
    a block starts with a match of ``pem.HEADER`` (dashes, capitals and blanks), which no
    placeholder can hold or overlap (it holds ``[`` and ``]``), so one that a pass leaves stood
    in the text before that pass."""
    from perth.redact import pem

    return pem.HEADER.search(text) is not None


def settle(engine: Engine, text: str, regions: list[Region], gated: Gated | None,
           passes: int = MAX_PASSES) -> tuple[str, list[str]]:
    """``text`` with ``regions`` (found by ``engine.first_pass(text)``, which also gave
    ``gated``) replaced, then redacted by up to ``passes`` more passes until nothing more is
    found; the rule ids replaced, ``regions``' first.  The second pass is usually shown empty
    by :meth:`Engine.second_pass_empty` without a full pass."""
    redacted = apply(text, regions)
    rule_ids = [region.rule_id for region in regions]
    if passes <= 0 or engine.second_pass_empty(text, redacted, gated):
        return redacted, rule_ids
    settled, later = _passes(engine, redacted, passes)
    if not later:
        engine.found_nothing(redacted)  # the full pass found nothing
    return settled, rule_ids + later


def _passes(engine: Engine, text: str, passes: int) -> tuple[str, list[str]]:
    """Up to ``passes`` full passes, until one finds nothing."""
    rule_ids: list[str] = []
    for _ in range(passes):
        regions = engine.regions(text)
        if not regions:
            break
        rule_ids.extend(region.rule_id for region in regions)
        text = apply(text, regions)
    return text, rule_ids


def _reopened(owned: Sequence[int], passed: Sequence[int], text: str, redacted: str) -> list[int]:
    """The rules of ``owned`` that failed their gate on ``text`` but whose gate a placeholder
    may open on ``redacted``: a keyword or step literal with a blank at an edge (or two in a
    row), or a gate that asks for a longer non-blank run than ``text`` holds and no longer
    than ``redacted`` holds (the gate's own test of runs)."""
    edged = _blank_edged()
    reopened: list[int] = []
    longest = longest_after = -1
    kept = set(passed)
    for order in owned:
        if order in kept:
            continue
        if order in edged:
            reopened.append(order)
            continue
        run = GATES[order][2]
        if run > 0:
            if longest < 0:
                longest = max(map(len, text.split()), default=0)
                longest_after = max(map(len, redacted.split()), default=0)
            if longest < run <= longest_after:
                reopened.append(order)
    return reopened


_EDGED: list[frozenset[int]] = []


def _blank_edged() -> frozenset[int]:
    """The rules with a keyword or a gate step literal that starts or ends with a blank or
    holds two blanks in a row: one that a placeholder blanked for the gates may complete."""
    if not _EDGED:
        def edged(literal: str) -> bool:
            return literal.startswith(" ") or literal.endswith(" ") or "  " in literal

        _EDGED.append(frozenset(
            order for order, (keywords, steps, _run) in enumerate(GATES)
            if any(map(edged, keywords)) or any(edged(literal) for step in steps for literal in step)))
    return _EDGED[0]


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


__all__ = ["DENSE_FROM", "DENSE_RULE", "DENSE_SPACING", "LINE_PASSES",
           "MAX_PASSES", "PLACEHOLDER", "REDACTION_PREFIX", "SHORT_TEXT", "Engine", "Region", "apply",
           "fixed_point", "gated", "in_order", "lower", "placeholder", "placeholder_regex", "rules_with",
           "settle", "take"]
