"""The :class:`SecretFilter`: the one gate every captured text passes before it is kept or sent.

Importing this module imports nothing heavy.  A short text that contains no rule keyword, or
whose keywords' rules all fail their gates (``fixed the token refresh`` has no ``=`` after
``token``; most intents and commands), is returned without loading the engine, importing ``re``
or compiling a pattern: the gates are plain string operations (``keywords.passing``).  Only a
text that passes a gate loads the engine and the rule table and compiles that rule.

Large inputs go through :meth:`SecretFilter.redact_block` or :meth:`SecretFilter.redact_stream`:
whole blocks of lines are scanned at once and only the lines that may hold a secret are matched,
with the same result as :meth:`SecretFilter.redact_lines` line by line.
"""

from __future__ import annotations

import _thread

from perth.redact.keywords import KEYWORDS, owners, passing
from perth.redact.redacted import REDACTION_PREFIX, Redacted, _mint, _mint_all

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from perth.redact.engine import Engine
    from perth.redact.finding import Finding

#: Texts longer than this skip the import-free keyword check (the engine's scan is faster).
_QUICK_CHECK_LIMIT = 2048
#: Lines handed to the engine at once by :meth:`SecretFilter.redact_lines`.
_BATCH_LINES = 2048


class SecretFilter:
    """Finds and replaces secrets; counts what it replaced per ``(rule_id, source)``.

    ``enabled=False`` (the ``redact.enabled`` setting) turns redaction off for storage and
    display, but calls made with ``required=True`` (LLM prompts, events, exports) always redact.
    ``extra_patterns`` are user regular expressions detected as ``custom-<n>`` (n from 1; a group
    named ``secret`` narrows what is replaced); ``allow_patterns`` are regular expressions whose
    matches are never redacted.  Invalid patterns raise :class:`~perth.errors.ConfigError`.
    """

    def __init__(self, *, enabled: bool = True, extra_patterns: Sequence[str] = (),
                 allow_patterns: Sequence[str] = ()) -> None:
        self._enabled = enabled
        self._extra = tuple(extra_patterns)
        self._allow = tuple(allow_patterns)
        self._engine: Engine | None = None
        self._counts: dict[tuple[str, str], int] = {}
        self._lock = _thread.allocate_lock()
        if self._extra or self._allow:
            self._get_engine()  # validate the user's patterns now, not on the first secret

    @property
    def enabled(self) -> bool:
        """Whether optional redaction (storage, display) is on."""
        return self._enabled

    def redact(self, text: str, *, source: str = "unknown", required: bool = False) -> Redacted:
        """``text`` with every secret replaced by ``[REDACTED:<rule-id>]``."""
        if not (self._enabled or required) or not self._may_hold_secret(text):
            return _mint(text)
        from perth.redact.engine import fixed_point

        redacted, rule_ids = fixed_point(self._get_engine(), text)
        self._count(rule_ids, source)
        return _mint(redacted)

    def redact_lines(self, lines: Iterable[str], *, source: str = "unknown",
                     required: bool = False) -> Iterator[Redacted]:
        """Redact a stream of lines, yielding exactly one output per input line.

        A private-key block spanning lines becomes one placeholder on its BEGIN line; its other
        lines come out empty (keeping their line terminator)."""
        if not (self._enabled or required):
            yield from map(_mint, lines)
            return
        from itertools import chain, islice

        engine = self._get_engine()
        iterator: Iterator[str] = iter(lines)
        while batch := list(islice(iterator, _BATCH_LINES)):
            opening = _block_opening(batch)
            if opening < 0:
                yield from self._flush(engine, batch, source)
                continue
            from perth.redact import pem
            from perth.redact.stream import redact_key_block

            yield from self._flush(engine, batch[:opening], source)
            rest = chain(batch[opening + 1:], iterator)
            block, after = pem.collect_block(batch[opening], rest)
            yield from map(_mint, redact_key_block(engine, block, source, self._count))
            iterator = rest if after is None else chain((after,), rest)

    def redact_block(self, text: str, *, source: str = "unknown", required: bool = False) -> Redacted:
        """Redact many whole lines at once: the same text as joining what :meth:`redact_lines`
        yields for the lines of ``text`` (split after each ``\\n``), private-key blocks
        included, at a fraction of the cost (one scan for the lines that may hold a secret)."""
        if not (self._enabled or required):
            return _mint(text)
        from perth.redact.stream import redact_chunks

        return _mint("".join(redact_chunks(self._get_engine(), iter((text,)), source, self._count)))

    def redact_stream(self, pieces: Iterable[str], *, source: str = "unknown",
                      required: bool = False) -> Iterator[Redacted]:
        """Redact text arriving in pieces of any size (``iter(partial(stream.read, n), "")``),
        yielding whole lines at a time: the output joined is :meth:`redact_block` of the input
        joined.  A private-key block split across pieces is still replaced whole."""
        if not (self._enabled or required):
            yield from map(_mint, pieces)
            return
        from perth.redact.stream import redact_chunks, whole_lines

        engine = self._get_engine()
        for part in redact_chunks(engine, whole_lines(pieces), source, self._count):
            if part:
                yield _mint(part)

    def findings(self, text: str) -> list[Finding]:
        """Where the secrets in ``text`` are (whatever ``enabled`` says); never their values."""
        from perth.redact.finding import Finding

        if not self._may_hold_secret(text):
            return []
        found = []
        line, line_start, scanned = 1, 0, 0
        for region in self._get_engine().regions(text):
            line += text.count("\n", scanned, region.start)
            newline = text.rfind("\n", scanned, region.start)
            line_start = newline + 1 if newline >= 0 else line_start
            scanned = region.start
            found.append(Finding(region.rule_id, region.start, region.end, line,
                                 region.start - line_start + 1))
        return found

    def drain_counts(self) -> dict[tuple[str, str], int]:
        """Matches per ``(rule_id, source)`` since the last drain (the store persists them)."""
        with self._lock:
            counts, self._counts = self._counts, {}
        return counts

    # -- internals ---------------------------------------------------------------------------

    def _may_hold_secret(self, text: str) -> bool:
        if self._extra or len(text) > _QUICK_CHECK_LIMIT:
            return True
        low = text.lower()
        present = [keyword for keyword in KEYWORDS if keyword in low]
        return bool(present) and _gates_pass(present, low, text)

    def _get_engine(self) -> Engine:
        if self._engine is None:
            from perth.redact.engine import Engine

            self._engine = Engine(self._extra, self._allow)
        return self._engine

    def _count(self, rule_ids: Iterable[str], source: str) -> None:
        with self._lock:
            for rule_id in rule_ids:
                key = (rule_id, source)
                self._counts[key] = self._counts.get(key, 0) + 1

    def _flush(self, engine: Engine, batch: list[str], source: str) -> Iterator[Redacted]:
        if not batch:
            return
        from perth.redact.engine import LINE_PASSES, take
        from perth.redact.lines import flagged_lines

        position = 0
        for index, keywords in flagged_lines(engine, batch).items():
            stages = engine.settled(batch[index], keywords)
            if not stages:
                continue
            yield from _mint_all(batch[position:index])
            redacted, replaced = take(stages, batch[index], LINE_PASSES)
            self._count(replaced, source)
            yield _mint(redacted)
            position = index + 1
        yield from _mint_all(batch[position:])


def _gates_pass(present: list[str], low: str, text: str) -> bool:
    """Whether the gate of a rule owning one of the ``present`` keywords passes: else no rule
    can match and the engine is not loaded (``low``: ``text.lower()``, which holds every
    keyword and order of literals the engine's ASCII lowering does).  A text holding a
    placeholder goes to the engine, which blanks placeholders first."""
    return REDACTION_PREFIX in text or bool(passing(owners(present), low, text))


def _block_opening(batch: list[str]) -> int:
    """The index of the first line of ``batch`` that opens a multi-line private-key block."""
    if "PRIVATE KEY" not in "".join(batch):
        return -1
    from perth.redact import pem

    return pem.block_opening(batch)


__all__ = ["SecretFilter"]
