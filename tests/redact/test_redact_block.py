"""The block API (``redact_block``, ``redact_stream``): line for line what ``redact_lines`` gives,
private-key blocks included, with google-re2's triggers and with the pure-Python prefilter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.fixtures.redact.corpus import build_corpus
from tests.fixtures.redact.history import history_lines

from perth.redact import Redacted, SecretFilter
from perth.redact.rules.model import ALNUM, BASE64, fake
from perth.redact.table import RuleTable

CORPUS = build_corpus()
SECRET_LINES = [c.text for c in CORPUS if c.labels and "\n" not in c.text]
TEXTS = [c.text for c in CORPUS]
GHP = "ghp_" + fake(ALNUM, 36, "block-ghp")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def pem_lines(kind: str = "RSA", end: str = "\n") -> list[str]:
    body = [fake(BASE64, 64, f"block-pem-{i}") + end for i in range(5)]
    return [f"-----BEGIN {kind} PRIVATE KEY-----{end}", *body, f"-----END {kind} PRIVATE KEY-----{end}"]


def split_lines(text: str) -> list[str]:
    """Lines as a text file iterates them (split after each \\n only)."""
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def by_lines(text: str, **options: object) -> tuple[str, dict[tuple[str, str], int]]:
    secrets = SecretFilter(**options)  # type: ignore[arg-type]
    out = "".join(secrets.redact_lines(split_lines(text)))
    return out, secrets.drain_counts()


def by_block(text: str, **options: object) -> tuple[str, dict[tuple[str, str], int]]:
    secrets = SecretFilter(**options)  # type: ignore[arg-type]
    out = secrets.redact_block(text)
    assert isinstance(out, Redacted)
    return out, secrets.drain_counts()


@pytest.fixture(params=["re2", "python"])
def prefilter(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test runs with google-re2's triggers (when installed) and without them."""
    if request.param == "python":
        monkeypatch.setattr(RuleTable, "triggers", property(lambda self: None))
        monkeypatch.setattr(RuleTable, "line_starts", lambda self, low: None)
    yield request.param


def history(size: int, seed: int = 5) -> str:
    return "".join(history_lines(size, SECRET_LINES, seed=seed, secret_rate=0.05))


@pytest.mark.usefixtures("prefilter")
def test_a_block_is_redacted_as_its_lines_are() -> None:
    text = history(120_000) + "".join(t + "\n" for t in TEXTS)
    assert by_block(text) == by_lines(text)
    assert by_block(text)[0] != text


@pytest.mark.usefixtures("prefilter")
@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_private_key_blocks_keep_the_line_count(end: str) -> None:
    lines = [f"before {GHP}{end}", *pem_lines("RSA", end), "middle\n", *pem_lines("OPENSSH", end)[:4],
             "not base64 here!\n", "-----BEGIN EC PRIVATE KEY-----\n", "last line without newline"]
    text = "".join(lines)
    out, counts = by_block(text)
    assert (out, counts) == by_lines(text)
    assert out.count("\n") == text.count("\n")
    assert counts[("pem-private-key", "unknown")] == 3


@pytest.mark.usefixtures("prefilter")
def test_custom_and_allow_patterns_apply_to_blocks() -> None:
    options = {"extra_patterns": [r"ACME-[0-9]{6}"], "allow_patterns": [r"ghp_\w+(?=.*# fixture)"]}
    text = history(30_000) + f"ticket ACME-123456\n{GHP} # fixture\n{GHP}\n" + history(30_000, seed=6)
    out, counts = by_block(text, **options)
    assert (out, counts) == by_lines(text, **options)
    assert "[REDACTED:custom-1]" in out and f"{GHP} # fixture" in out


@SETTINGS
@given(cuts=st.lists(st.integers(0, 6000), max_size=12), parts=st.lists(
    st.sampled_from([*TEXTS[:200], *("".join(pem_lines()[:k]) for k in range(1, 8)), "\n", "\r\n", "x"]),
    max_size=30))
def test_a_stream_cut_anywhere_gives_the_same_text(cuts: list[int], parts: list[str]) -> None:
    text = "\n".join(parts)
    points = sorted({min(c, len(text)) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    secrets = SecretFilter()
    streamed = list(secrets.redact_stream(iter(pieces)))
    assert all(isinstance(part, Redacted) and part for part in streamed)
    assert "".join(streamed) == by_lines(text)[0]
    assert secrets.drain_counts() == by_lines(text)[1]


def test_a_key_block_split_across_pieces_is_still_replaced_whole() -> None:
    text = "".join(["head\n", *pem_lines(), "tail\n"])
    pieces = [text[:40], text[40:200], text[200:]]
    out = "".join(SecretFilter().redact_stream(pieces))
    assert out == "head\n[REDACTED:pem-private-key]\n" + "\n" * 6 + "tail\n"


def test_disabled_filter_passes_blocks_through_unless_required() -> None:
    off = SecretFilter(enabled=False)
    text = f"export GITHUB_TOKEN={GHP}\n"
    assert off.redact_block(text) == text
    assert list(off.redact_stream([text])) == [text]
    assert off.redact_block(text, required=True) == "export GITHUB_TOKEN=[REDACTED:github-pat]\n"
    assert "".join(off.redact_stream([text], required=True)) == "export GITHUB_TOKEN=[REDACTED:github-pat]\n"


@pytest.mark.usefixtures("prefilter")
def test_lines_holding_line_breaks_are_still_matched_whole() -> None:
    items = ["filler line\n"] * 600 + [f"two\nexport GITHUB_TOKEN={GHP}\n", "x"]
    out = list(SecretFilter().redact_lines(items))
    assert out[600] == "two\nexport GITHUB_TOKEN=[REDACTED:github-pat]\n"
    assert out[:600] == items[:600] and out[-1] == "x"
