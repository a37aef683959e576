"""The verifying second pass: ``Engine.second_pass_empty`` decides that a second pass finds
nothing without running every rule's gate again; the filter must give exactly what it gives
when every pass is run in full (the engine before this shortcut).

The reference is the same engine with the shortcut turned off (:class:`FullRescan`): every
pass then re-reads the whole text, as ``fixed_point`` always did.  Outputs and counts are
compared on every corpus (the labelled corpus, every split of the independent corpus, the
sealed held-out set included, compared mechanically: a mismatch names the line's number, never
its text), on every adversarial shape, and on generated lines.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fixtures.redact.adversarial import rule_samples, shapes
from tests.fixtures.redact.corpus import build_corpus
from tests.fixtures.redact.history import history_lines
from tests.fixtures.redact.independent import build

from perth.redact import SecretFilter
from perth.redact.engine import Engine, apply, fixed_point, placeholder
from perth.redact.keywords import GATES, KEYWORDS
from perth.redact.regions import placeholder_regex
from perth.redact.table import table


class FullRescan(Engine):
    """The engine with every pass run in full (the reference)."""

    def second_pass_empty(self, text: str, redacted: str, gated: object) -> bool:
        return False


class Counting(Engine):
    """The engine, counting how often the shortcut decides."""

    def __init__(self) -> None:
        super().__init__()
        self.decided = 0
        self.asked = 0

    def second_pass_empty(self, text: str, redacted: str, gated: object) -> bool:
        self.asked += 1
        empty = super().second_pass_empty(text, redacted, gated)  # type: ignore[arg-type]
        self.decided += empty
        return empty


def _filter(engine: Engine) -> SecretFilter:
    secrets = SecretFilter()
    secrets._engine = engine  # the filter's engine, as _get_engine would create it
    return secrets


NEW, OLD = _filter(Engine()), _filter(FullRescan())


def _outputs(secrets: SecretFilter, text: str) -> tuple[object, ...]:
    """Everything the filter makes of ``text``: ``redact`` and its counts, ``redact_lines``,
    ``redact_block`` and ``redact_stream`` (small pieces) and their counts."""
    once = str(secrets.redact(text, source="t"))
    counts = secrets.drain_counts()
    lines = [str(line) for line in secrets.redact_lines(text.splitlines(keepends=True), source="t")]
    line_counts = secrets.drain_counts()
    block = str(secrets.redact_block(text, source="t"))
    stream = "".join(map(str, secrets.redact_stream((text[i:i + 97] for i in range(0, len(text), 97)),
                                                    source="t")))
    return once, counts, lines, line_counts, block, stream, secrets.drain_counts()


def _redacted(secrets: SecretFilter, text: str) -> tuple[str, dict[tuple[str, str], int]]:
    return str(secrets.redact(text, source="t")), secrets.drain_counts()


def _differences(texts: list[str]) -> list[int]:
    """The indices of the texts that ``redact`` treats differently with the two engines (never
    the texts); the other entry points are compared on all of them at once."""
    return [number for number, text in enumerate(texts) if _redacted(NEW, text) != _redacted(OLD, text)]


def _corpus(split: str) -> list[str]:
    if split == "corpus":
        return [case.text for case in build_corpus()]
    return [line.text for line in build(fresh=True, blind=True, sealed=True) if line.split == split]


@pytest.mark.parametrize("split", ["corpus", "dev", "held-out", "fresh", "blind", "sealed"])
def test_every_corpus_line_is_redacted_exactly_as_with_full_passes(split: str) -> None:
    texts = _corpus(split)
    assert texts
    assert _differences(texts) == []
    joined = "\n".join(texts) + "\n"
    assert _outputs(NEW, joined) == _outputs(OLD, joined)  # many lines at once: the chunk scan


def test_every_adversarial_shape_is_redacted_exactly_as_with_full_passes() -> None:
    texts = [text for _label, text in shapes(320)]
    assert len(texts) > 9000
    assert _differences(texts) == []


def test_typical_history_is_redacted_exactly_as_with_full_passes() -> None:
    positives = [case.text for case in build_corpus() if case.labels and "\n" not in case.text]
    text = "".join(history_lines(300_000, positives, seed=5))
    assert _outputs(NEW, text) == _outputs(OLD, text)


def test_the_shortcut_decides_most_second_passes() -> None:
    # Not a vacuous equality: on one line per rule sample the second pass is decided without a
    # full pass nearly always (the rest fall back to the full pass).
    engine = Counting()
    _filter(engine).redact_block("".join(sample + "\n" for _rule, sample in rule_samples()))
    assert engine.asked >= 250
    assert engine.decided >= 0.9 * engine.asked


# -- generated lines ---------------------------------------------------------------------------

_SAMPLES = [sample for _rule, sample in rule_samples()]
_PIECES = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from([literal for _keywords, steps, _run in GATES for step in steps for literal in step]),
    st.sampled_from(_SAMPLES),
    st.sampled_from([" ", "  ", "=", ":", "'", '"', "://", "@", "-p", "--password=", "\t", "\n", "/",
                     "[REDACTED:", "]", placeholder("password-assignment"), "REDACTED", "login", " login",
                     "\u212a", "\u0130", "\u03a3", "é", "\x85", "\xa0"]),
    st.text(alphabet="aB3dE5gH7jK9mN1pQ2sT4vW6yZ8+/_-.", min_size=1, max_size=48),
    st.text(max_size=6),
)
_LINES = st.lists(_PIECES, max_size=14).map("".join)
_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_LINES)
def test_generated_text_is_redacted_exactly_as_with_full_passes(text: str) -> None:
    assert _outputs(NEW, text) == _outputs(OLD, text)


@_SETTINGS
@given(_LINES)
def test_a_second_pass_shown_empty_is_empty(text: str) -> None:
    engine = Engine()
    regions, gated = engine.first_pass(text)
    if not regions:
        return
    redacted = apply(text, regions)
    if engine.second_pass_empty(text, redacted, gated):
        assert engine.regions(redacted) == []
        assert fixed_point(engine, redacted) == (redacted, [])


def _rule_ids() -> Iterator[str]:
    yield from table().ids
    yield from ("dense-line", "pem-private-key", "custom-1", "custom-64")


def test_every_placeholder_is_one_the_blanking_finds() -> None:
    # The argument of ``second_pass_empty`` needs every placeholder the engine writes to be
    # found, whole, by the placeholder pattern that blanks them for the gates.
    for rule_id in _rule_ids():
        assert placeholder_regex().fullmatch(placeholder(rule_id)), rule_id


def test_no_keyword_or_gate_literal_is_changed_by_lowering_or_blanking() -> None:
    # ... every keyword and step literal to be ASCII and lowercase, and the engine to know the
    # rules with a literal that can overlap a run of at least 12 blanks (a blanked placeholder):
    # one written ``P + " " * m + S`` with ``P`` or ``S`` empty, or ``m`` at least 12.
    literals = [*KEYWORDS, *(literal for _keywords, steps, _run in GATES for step in steps for literal in step)]
    assert all(literal.isascii() and literal == literal.lower() for literal in literals)
    from perth.redact.engine import _blank_edged

    def overlaps_blanks(literal: str) -> bool:
        return any(literal[i:j] == " " * (j - i) and (i == 0 or j == len(literal) or j - i >= 12)
                   for i in range(len(literal)) for j in range(i + 1, len(literal) + 1))

    edged = _blank_edged()
    assert edged  # " login" and the " " of the digest rule
    for order, (keywords, steps, _run) in enumerate(GATES):
        if order not in edged:
            assert not any(map(overlaps_blanks, [*keywords, *(literal for step in steps for literal in step)]))


def test_the_redacted_lines_remembered_as_clean_are_clean() -> None:
    # The second pass answers at once for a redacted line a pass found nothing in; every line
    # the engine remembers so must be one where a fresh engine's full pass finds nothing.
    engine = Engine()
    secrets = _filter(engine)
    lines = [*_SAMPLES, *(case.text for case in build_corpus() if case.labels)]
    secrets.redact_block("\n".join(lines) + "\n")
    for line in lines:
        secrets.redact(line)
    remembered = list(engine._clean)
    assert len(remembered) >= 200
    fresh = FullRescan()
    assert [line for line in remembered if fresh.regions(line)] == []
