"""The token budget: properties over arbitrary sections, and the offline-only tokenizer choice."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perth.errors import InvalidInputError
from perth.redact import SecretFilter
from perth.summarize import budget as budget_module
from perth.summarize.budget import (
    CUT_MARKER,
    EstimateTokenizer,
    default_tokenizer,
    fit_to_budget,
    line_prefixes,
    load_tiktoken,
    section_tokens,
)
from perth.summarize.model import Context, Section

SECRETS = SecretFilter()
ESTIMATE = EstimateTokenizer()

lines = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\n"), max_size=60)
texts = st.lists(lines, min_size=1, max_size=30).map("\n".join)
sections = st.lists(st.tuples(st.integers(0, 100), texts), max_size=8)


def make_context(specs: list[tuple[int, str]]) -> Context:
    made = tuple(Section(name=f"s{n}", title=f"Section {n}", priority=priority, text=SECRETS.redact_block(text))
                 for n, (priority, text) in enumerate(specs))
    return Context(pane_id=None, pane_name=None, cwd="/w", repo_root=None, branch=None, since_ms=None,
                   collected_at=0, sections=made, reports=())


@pytest.fixture(autouse=True)
def forget_tokenizer_choice() -> Any:
    """default_tokenizer() remembers its choice; tests that swap tiktoken must not leave theirs behind."""
    yield
    budget_module._CHOSEN.clear()


class Words:
    """A toy tokenizer: one token per whitespace-separated word (shows the tokenizer is pluggable)."""

    name = "words"

    def count(self, text: str) -> int:
        return len(text.split())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=sections, limit=st.integers(0, 1500))
def test_budget_properties(specs: list[tuple[int, str]], limit: int) -> None:
    context = make_context(specs)
    fitted, budget = fit_to_budget(context, limit, ESTIMATE, secret_filter=SECRETS)
    # never over the limit, and used_tokens is what the kept sections cost
    assert budget.used_tokens <= limit
    assert budget.used_tokens == sum(section_tokens(ESTIMATE, s) for s in fitted.sections)
    assert budget.tokenizer == "estimate" and budget.limit_tokens == limit
    # one line per section, in priority order: kept..., then at most one cut, then dropped...
    order = sorted(range(len(context.sections)), key=lambda i: (context.sections[i].priority, i))
    assert [line.section for line in budget.lines] == [context.sections[i].name for i in order]
    actions = "".join(line.action[0] for line in budget.lines)  # k, c, d
    assert actions == "k" * actions.count("k") + "c" * actions.count("c") + "d" * actions.count("d")
    assert actions.count("c") <= 1
    # a section with a lower number is never cut or dropped while one with a higher number is kept
    for early, late in zip(budget.lines, budget.lines[1:], strict=False):
        assert early.priority <= late.priority
        assert early.action == "kept" or late.action == "dropped"
    # kept sections are unchanged; a cut one is a whole-line prefix of the original plus the marker
    by_name = {s.name: s for s in context.sections}
    for line, kept in zip([b for b in budget.lines if b.action != "dropped"], fitted.sections, strict=True):
        original = by_name[kept.name]
        assert line.section == kept.name and line.tokens_after == section_tokens(ESTIMATE, kept)
        if line.action == "kept":
            assert kept == original
        else:
            assert kept.truncated and kept.text.endswith(CUT_MARKER)
            prefix = kept.text[: -len(CUT_MARKER)]
            assert original.text.startswith(prefix) and len(prefix) in line_prefixes(original.text)
            assert line.tokens_after < line.tokens_before
    # deterministic
    assert fit_to_budget(context, limit, ESTIMATE, secret_filter=SECRETS) == (fitted, budget)


@settings(max_examples=100, deadline=None)
@given(specs=sections)
def test_everything_fits_a_large_enough_budget(specs: list[tuple[int, str]]) -> None:
    context = make_context(specs)
    total = sum(section_tokens(ESTIMATE, s) for s in context.sections)
    fitted, budget = fit_to_budget(context, total, ESTIMATE, secret_filter=SECRETS)
    assert all(line.action == "kept" for line in budget.lines) and budget.used_tokens == total
    assert sorted(fitted.sections, key=lambda s: s.name) == sorted(context.sections, key=lambda s: s.name)


def test_cut_keeps_whole_lines_and_drops_what_cannot_fit() -> None:
    body = "\n".join(f"line {n:03d} of the diff" for n in range(200))
    context = make_context([(10, "short intent"), (60, body), (70, "files\nmore files")])
    fitted, budget = fit_to_budget(context, 300, ESTIMATE, secret_filter=SECRETS)
    assert [line.action for line in budget.lines] == ["kept", "cut", "dropped"]
    cut = fitted.sections[1].text
    assert cut.startswith("line 000 of the diff\n") and cut.endswith("of the diff\n" + CUT_MARKER)
    assert budget.used_tokens <= 300
    none_fit, tight = fit_to_budget(context, 3, ESTIMATE, secret_filter=SECRETS)
    assert none_fit.sections == () and [line.action for line in tight.lines] == ["dropped"] * 3
    assert tight.used_tokens == 0


def test_cutting_redacted_text_keeps_it_redacted() -> None:
    pem = "-----BEGIN RSA PRIVATE KEY-----\n" + "MIIEowIBAAKCAQEA7v1Yq0bXcK9sR2mN4pL8tQ3wZ6yH1jF5gD0aS9uV2xC7bE4n\n" * 20 \
        + "-----END RSA PRIVATE KEY-----\n"
    text = "export GITHUB_TOKEN=ghp_Zq8XwT3vLmN5bR7kYp2HsD4fGj6KcA9eUi1o\n" + pem + "plain line\n" * 200
    context = make_context([(10, text)])
    assert "BEGIN RSA" not in context.sections[0].text
    fitted, budget = fit_to_budget(context, 60, ESTIMATE, secret_filter=SECRETS)
    assert budget.lines[0].action == "cut"
    cut = fitted.sections[0].text
    assert cut.startswith("export GITHUB_TOKEN=[REDACTED:github-pat]\n[REDACTED:pem-private-key]")
    assert context.sections[0].text.startswith(cut[: -len(CUT_MARKER)])


def test_a_pluggable_tokenizer_is_named_in_the_budget() -> None:
    context = make_context([(10, "one two three"), (20, "four five six seven")])
    _, budget = fit_to_budget(context, 100, Words(), secret_filter=SECRETS)
    assert budget.tokenizer == "words" and budget.used_tokens == sum(line.tokens_after for line in budget.lines)


def test_negative_budget_is_rejected() -> None:
    with pytest.raises(InvalidInputError):
        fit_to_budget(make_context([]), -1, ESTIMATE)


def test_the_cut_marker_survives_the_secret_filter() -> None:
    assert SECRETS.redact("x\n" + CUT_MARKER, required=True) == "x\n" + CUT_MARKER


def test_estimate_is_ceil_bytes_over_three_plus_newlines() -> None:
    assert [ESTIMATE.count(t) for t in ("", "abc", "abcd", "a\nb", "é", "日本語")] == [0, 1, 2, 2, 1, 3]
    english = "The quick brown fox jumps over the lazy dog while the tests run in parallel."
    assert ESTIMATE.count(english) >= len(english) // 4 + 1  # at or above the usual ~4 chars per token


def test_line_prefixes() -> None:
    assert line_prefixes("a\nbb\nc") == [2, 5]
    assert line_prefixes("a\nb\n") == [2]  # the whole text is not a proper prefix
    assert line_prefixes("no newline") == []


# --- the tokenizer choice: tiktoken only when its files are already local ---------------------------

class FakeEncoding:
    def encode(self, text: str, disallowed_special: Any = "all") -> list[str]:
        assert disallowed_special == ()
        return text.split()


def fake_tiktoken(monkeypatch: pytest.MonkeyPatch, blobpath: str) -> list[str]:
    """Install a stand-in ``tiktoken`` whose get_encoding reads ``blobpath`` the way tiktoken does."""
    fetched: list[str] = []
    load = types.ModuleType("tiktoken.load")

    def read_file(path: str) -> bytes:
        fetched.append(path)
        return b"ranks"

    load.read_file = read_file  # type: ignore[attr-defined]
    package = types.ModuleType("tiktoken")

    def get_encoding(name: str) -> FakeEncoding:
        load.read_file(blobpath)
        return FakeEncoding()

    package.get_encoding = get_encoding  # type: ignore[attr-defined]
    package.load = load  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tiktoken", package)
    monkeypatch.setitem(sys.modules, "tiktoken.load", load)
    return fetched


def test_without_tiktoken_the_estimate_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tiktoken", None)  # import fails
    assert load_tiktoken("o200k_base") is None
    assert default_tokenizer(refresh=True).name == "estimate"


def test_tiktoken_never_downloads_a_missing_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    fetched = fake_tiktoken(monkeypatch, "https://example.invalid/encodings/o200k_base.tiktoken")
    original = sys.modules["tiktoken.load"].read_file
    assert load_tiktoken("o200k_base") is None
    assert fetched == []  # the download was refused before it started
    assert sys.modules["tiktoken.load"].read_file is original
    assert default_tokenizer(refresh=True).name == "estimate"


def test_tiktoken_is_used_when_its_encoding_is_cached(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    fetched = fake_tiktoken(monkeypatch, str(tmp_path / "cache-file"))
    tokenizer = load_tiktoken("o200k_base")
    assert tokenizer is not None and tokenizer.name == "tiktoken:o200k_base"
    assert tokenizer.count("three little words") == 3 and fetched == [str(tmp_path / "cache-file")]
    assert default_tokenizer(refresh=True).name == "tiktoken:o200k_base"
