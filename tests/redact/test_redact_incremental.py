"""Redaction proportional to what changed: a line's whole redaction and first pass remembered
(``Engine.settled``, ``Engine.first_pass``), a long text given to ``redact`` settled line by
line (``engine._long_fixed_point``) and, when it may hold a private-key block, each later pass
matching only the lines a placeholder landed on (``engine._near_passes``).

The reference is the engine as it was before: nothing remembered, and every pass over a long
text run over all of it (``_passes``), every line of a block settled by ``settle`` after its
first pass.  Outputs and rule ids are compared on every corpus, every adversarial shape, typical
history and generated texts (short and long, with and without key blocks), and the results are
held to be fixed points.  A mismatch on a corpus names the line's number, never its text.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fixtures.redact.adversarial import rule_samples, shapes
from tests.fixtures.redact.corpus import build_corpus
from tests.fixtures.redact.history import history_lines
from tests.fixtures.redact.independent import build

from perth.redact import SecretFilter
from perth.redact.engine import MAX_PASSES, SHORT_TEXT, Engine, _passes, fixed_point, placeholder, settle
from perth.redact.keywords import GATES, KEYWORDS
from perth.redact.stream import redact_chunk


class Forgetful(Engine):
    """The engine remembering nothing (the reference's engine)."""

    remembers = False


def reference_fixed_point(engine: Engine, text: str) -> tuple[str, list[str]]:
    """``fixed_point`` as it was: every pass over a long text reads all of it."""
    if len(text) > SHORT_TEXT:
        return _passes(engine, text, MAX_PASSES)
    regions, gated = engine.first_pass(text)
    if not regions:
        return text, []
    return settle(engine, text, regions, gated, MAX_PASSES - 1)


def reference_chunk(engine: Engine, text: str) -> tuple[str, list[str]]:
    """``redact_chunk`` as it was: each flagged line's first pass, then ``settle``."""
    parts: list[str] = []
    rule_ids: list[str] = []
    position = 0
    for start, end, keywords in engine.flagged(text):
        line = text[start:end]
        regions, gated = engine.first_pass(line, keywords)
        if not regions:
            continue
        redacted, replaced = settle(engine, line, regions, gated)
        parts += (text[position:start], redacted)
        rule_ids += replaced
        position = end
    parts.append(text[position:])
    return "".join(parts), rule_ids


def _chunk(engine: Engine, text: str) -> tuple[str, list[str]]:
    found: list[str] = []
    return redact_chunk(engine, text, "t", lambda ids, _source: found.extend(ids)), found


def _same(texts: list[str], new: Callable[[Engine, str], tuple[str, list[str]]],
          old: Callable[[Engine, str], tuple[str, list[str]]]) -> list[int]:
    """The indices of the texts on which ``new`` (one engine for all, remembering) and ``old``
    (a forgetful engine) differ; rule ids are compared as a multiset per text (the filter counts
    them)."""
    engine, reference = Engine(), Forgetful()
    differing = []
    for number, text in enumerate(texts):
        got, ids = new(engine, text)
        want, want_ids = old(reference, text)
        if got != want or sorted(ids) != sorted(want_ids):
            differing.append(number)
    return differing


def _blocks(texts: list[str], size: int = 20_000) -> list[str]:
    """``texts`` joined into long texts of about ``size`` characters (each over SHORT_TEXT)."""
    blocks, current, length = [], [], 0
    for text in texts:
        current.append(text)
        length += len(text) + 1
        if length > size:
            blocks.append("\n".join(current) + "\n")
            current, length = [], 0
    if current:
        blocks.append("\n".join(current))
    return blocks


def _corpus(split: str) -> list[str]:
    if split == "corpus":
        return [case.text for case in build_corpus()]
    return [line.text for line in build(fresh=True, blind=True, sealed=True, sequestered=True)
            if line.split == split]


@pytest.mark.parametrize("split", ["corpus", "dev", "held-out", "fresh", "blind", "sealed", "sequestered"])
def test_every_corpus_line_and_block_is_redacted_as_before(split: str) -> None:
    texts = _corpus(split)
    assert texts
    assert _same(texts, fixed_point, reference_fixed_point) == []
    repeated = _blocks([text for text in texts for _ in range(2)])
    assert _same(repeated, fixed_point, reference_fixed_point) == []  # long texts: line by line
    assert _same(repeated, _chunk, reference_chunk) == []


def test_every_adversarial_shape_is_redacted_as_before() -> None:
    texts = [text for _label, text in shapes(320)]
    assert _same(texts, fixed_point, reference_fixed_point) == []
    long = [text for label, text in shapes(6000) if "per line" in label or "lines" in label or "KEY" in label]
    assert len(long) > 250
    assert _same(long, fixed_point, reference_fixed_point) == []
    assert _same(long, _chunk, reference_chunk) == []


def test_typical_history_is_redacted_as_before() -> None:
    positives = [case.text for case in build_corpus() if case.labels and "\n" not in case.text]
    text = "".join(history_lines(300_000, positives, seed=5))
    parts = [text[i:i + 50_000] for i in range(0, len(text), 50_000)]
    assert _same(parts, fixed_point, reference_fixed_point) == []
    assert _same(parts, _chunk, reference_chunk) == []


# -- generated texts ---------------------------------------------------------------------------

_SAMPLES = [sample for _rule, sample in rule_samples()]
_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
_PIECES = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from([literal for _keywords, steps, _run in GATES for step in steps for literal in step]),
    st.sampled_from(_SAMPLES),
    st.sampled_from([" ", "=", ":", "'", '"', "://", "@", "-p", "--password=", "\t", "\n", "\n", "\n",
                     "[REDACTED:", "]", placeholder("password-assignment"), " login", "\u212a", "\u0130",
                     "é", "\r\n", _KEY, "-----END RSA PRIVATE KEY-----\n", "PRIVATE KEY"]),
    st.text(alphabet="aB3dE5gH7jK9mN1pQ2sT4vW6yZ8+/_-.", min_size=1, max_size=48),
)
_LINES = st.lists(_PIECES, max_size=14).map("".join)
#: Long texts: generated lines, each repeated, plus filler past SHORT_TEXT (placed first or last).
_LONG = st.tuples(st.lists(_LINES, min_size=1, max_size=12), st.integers(1, 3), st.booleans()).map(
    lambda drawn: _long_text(*drawn))
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _long_text(lines: list[str], times: int, filler_first: bool) -> str:
    body = "\n".join(line for line in lines for _ in range(times))
    filler = "make test && git status # plain words\n" * (SHORT_TEXT // 30)
    return filler + body if filler_first else body + "\n" + filler


@_SETTINGS
@given(_LINES)
def test_generated_short_texts_are_redacted_as_before(text: str) -> None:
    assert _same([text, text], fixed_point, reference_fixed_point) == []
    assert _same([text + "\n"], _chunk, reference_chunk) == []


@_SETTINGS
@given(_LONG)
def test_generated_long_texts_are_redacted_as_before_and_are_fixed_points(text: str) -> None:
    assert _same([text], fixed_point, reference_fixed_point) == []
    assert _same([text], _chunk, reference_chunk) == []
    engine = Engine()
    redacted, _ids = fixed_point(engine, text)
    assert fixed_point(engine, redacted) == (redacted, [])  # idempotent: no secret grows back
    assert fixed_point(Forgetful(), redacted) == (redacted, [])


def test_a_text_a_pass_makes_short_is_redacted_as_before() -> None:
    # Long secrets: after the first pass the text is short, and matched whole from then on.
    token = "ghp_" + "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8aB3dE5gH7j"
    text = "\n".join(f"GITHUB_TOKEN={token}" + "x" * 120 for _ in range(40)) + "\n"
    assert len(text) > SHORT_TEXT
    assert _same([text], fixed_point, reference_fixed_point) == []


def test_a_line_with_a_lowering_that_changes_length_is_not_answered_for_another() -> None:
    # "\u0130" lowers to two characters, so a batch holding it is lowered ASCII-only and a
    # Kelvin sign stays; the same line alone is lowered fully.  The remembered answers must not
    # carry one over to the other.
    line = "TO\u212aEN=aB3dE5gH7jK9mN1pQ2sT4vW6 \u0130"
    secrets, reference = SecretFilter(), SecretFilter()
    reference._engine = Forgetful()
    for text in (line, line + "\n" + "x" * SHORT_TEXT, "\n".join([line] * 200)):
        assert str(secrets.redact(text)) == str(reference.redact(text))
        assert str(secrets.redact_block(text)) == str(reference.redact_block(text))
        lines = text.splitlines(keepends=True)
        assert list(map(str, secrets.redact_lines(lines))) == list(map(str, reference.redact_lines(lines)))


# -- work, counted -----------------------------------------------------------------------------


class Counting(Engine):
    """The engine, counting its first passes and its whole-text passes."""

    def __init__(self) -> None:
        super().__init__()
        self.first_passes = 0
        self.whole = 0

    def _first_pass(self, text: str, keywords: object) -> object:  # type: ignore[override]
        self.first_passes += 1
        return super()._first_pass(text, keywords)  # type: ignore[arg-type]

    def regions(self, text: str) -> object:  # type: ignore[override]
        self.whole += len(text) > SHORT_TEXT
        return super().regions(text)


def test_a_long_text_is_never_read_whole_again_and_a_repeated_line_is_matched_once() -> None:
    lines = [sample for sample in _SAMPLES if "PRIVATE KEY" not in sample]
    text = "\n".join(lines * 20) + "\n"
    engine = Counting()
    redacted, ids = fixed_point(engine, text)
    assert engine.whole == 0  # no pass over the whole text: line by line
    assert len(ids) >= 20 * 250
    assert engine.first_passes <= 3 * len(set(lines))  # each distinct line: a first pass, and its second
    assert redact_chunk(engine, text, "t", lambda _ids, _source: None) == redacted
    assert engine.first_passes <= 3 * len(set(lines))  # the block: remembered lines


def test_a_long_text_with_key_blocks_rereads_only_the_lines_holding_placeholders() -> None:
    lines = ["export API_KEY=aB3dE5gH7jK9mN1pQ2sT4vW6yZ8aB3dE5", "plain words and a build step"] * 200
    text = _KEY + "-----END RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n"
    engine = Counting()
    redacted, ids = fixed_point(engine, text)
    want, want_ids = reference_fixed_point(Forgetful(), text)
    assert (redacted, sorted(ids)) == (want, sorted(want_ids))
    assert engine.whole == 1  # the first pass only
    assert engine.first_passes <= 10
