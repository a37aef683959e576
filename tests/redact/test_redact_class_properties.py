"""Properties over generated lines of every class the independent corpus covers (dev templates
only: the held-out ones stay unread).  Values come from hypothesis, not from the corpus seed.

* idempotence: redacting the output again changes nothing;
* no secret grows back: no secret value is left in the output, whichever entry point redacts
  it (``redact``, ``redact_lines``, ``redact_stream`` in small pieces) and whatever surrounds
  the line;
* negatives stay as they are, and redacting them is idempotent too.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fixtures.redact.independent import credentials, negatives, split_of, tokens
from tests.fixtures.redact.independent.values import fill

from perth.redact import SecretFilter

POSITIVE = [t for t in credentials.TEMPLATES + tokens.TEMPLATES if split_of(t[0]) == "dev"]
NEGATIVE = [t for t in negatives.TEMPLATES if split_of(t[0]) == "dev"]
SECRETS = SecretFilter()
#: Text a line may sit in: other commands, a prompt, a diff marker, a list item.
_AROUND = st.sampled_from(["", "$ ", "+", "  - ", "sudo ", "(cd /srv && ", "# "])
_AFTER = st.sampled_from(["", " && echo done", " # deploy", ")", "\n", " | tee log.txt"])


def _line(template: tuple[str, str, str], seed: int) -> tuple[str, tuple[str, ...]]:
    return fill(template[2], random.Random(seed))


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(POSITIVE), st.integers(0, 2**32))
def test_every_class_is_redacted_idempotently_and_no_secret_is_left(
        template: tuple[str, str, str], seed: int) -> None:
    text, secrets = _line(template, seed)
    out = SECRETS.redact(text)
    assert not any(secret in out for secret in secrets), (template[0], text, out)
    assert SECRETS.redact(out) == out, (template[0], text)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(POSITIVE), st.integers(0, 2**32), _AROUND, _AFTER)
def test_no_secret_grows_back_in_context_or_through_other_entry_points(
        template: tuple[str, str, str], seed: int, before: str, after: str) -> None:
    text, secrets = _line(template, seed)
    line = before + text + after
    outputs = [
        SECRETS.redact(line),
        "".join(SECRETS.redact_lines(line.splitlines(keepends=True))),
        "".join(SECRETS.redact_stream(iter([line[i:i + 7] for i in range(0, len(line), 7)]))),
        SECRETS.redact_block(("ls -la\n" * 700) + line),
    ]
    for out in outputs:
        assert not any(secret in out for secret in secrets), (template[0], line, out)
        assert SECRETS.redact(out) == out


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.sampled_from(NEGATIVE), st.integers(0, 2**32))
def test_lines_without_secrets_are_left_alone(template: tuple[str, str, str], seed: int) -> None:
    text, _ = _line(template, seed)
    assert SECRETS.findings(text) == [], (template[0], text)
    assert SECRETS.redact(text) == text
