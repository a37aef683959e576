"""SecretFilter behaviour: placeholders, labels, allow-lists, user patterns, counts, streaming."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perth.errors import ConfigError
from perth.redact import REDACTION_PREFIX, Finding, Redacted, SecretFilter
from perth.redact.rules.model import ALNUM, BASE64, HEX, fake

GHP = "ghp_" + fake(ALNUM, 36, "test-ghp")
PASSWORD = fake(ALNUM, 12, "test-pw") + "!"


@pytest.fixture
def secrets() -> SecretFilter:
    return SecretFilter()


@pytest.mark.parametrize(("text", "expected"), [
    (f"export GITHUB_TOKEN={GHP}", "export GITHUB_TOKEN=[REDACTED:github-pat]"),
    (f"postgres://app:{PASSWORD}@db/x", "postgres://app:[REDACTED:url-password]@db/x"),
    (f"mysql -uroot -p{PASSWORD}", "mysql -uroot -p[REDACTED:mysql-password]"),
    (f"sshpass -p {PASSWORD} ssh host", "sshpass -p [REDACTED:sshpass-password] ssh host"),
    (f"docker login -u ci -p {PASSWORD} reg", "docker login -u ci -p [REDACTED:docker-login-password] reg"),
    (f"curl -u admin:{PASSWORD} https://x", "curl -u admin:[REDACTED:curl-user-password] https://x"),
    (f"psql --password {PASSWORD}", "psql --password [REDACTED:cli-password-flag]"),
    (f"tool --token={PASSWORD}", "tool --token=[REDACTED:cli-password-flag]"),
    (f'password = "{PASSWORD}"', 'password = "[REDACTED:password-assignment]"'),
    (f'  "password": "{PASSWORD}",', '  "password": "[REDACTED:password-assignment]",'),
    (f"DB_PASS={PASSWORD}", "DB_PASS=[REDACTED:password-assignment]"),
    (f"redis-cli -u rediss://:{PASSWORD}@cache:6380", "redis-cli -u rediss://:[REDACTED:url-password]@cache:6380"),
    (f"amqps://u:{PASSWORD}@mq/v", "amqps://u:[REDACTED:url-password]@mq/v"),
    ("Authorization: Basic " + fake(BASE64, 20, "basic") + "==", "Authorization: Basic [REDACTED:authorization-header]"),
])
def test_redaction_keeps_the_line_useful(secrets: SecretFilter, text: str, expected: str) -> None:
    assert secrets.redact(text) == expected


@pytest.mark.parametrize("text", [
    "mkdir -p build/out", "ssh -p 2222 deploy@host", "docker run -p 80:80 nginx", "mysql -u root -p app",
    "git show " + fake(HEX, 40, "sha"), "a short summary", "https://github.com/acme/app",
    "password: changeme", "export GITHUB_TOKEN=<your-token>", "token: ${TOKEN}",
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "CACHE_KEY=" + fake(HEX, 64, "cache"),
    "docker pull nginx@sha256:" + fake(HEX, 64, "digest"), "fixed the token refresh in auth.py",
])
def test_tricky_negatives_are_left_alone(secrets: SecretFilter, text: str) -> None:
    assert secrets.redact(text) == text
    assert secrets.findings(text) == []


def test_documented_example_keys_are_allowed(secrets: SecretFilter) -> None:
    stripe_docs = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"
    jwt_io = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Ikpva"
              "G4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ" + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
    for text in (f"stripe.api_key = '{stripe_docs}'", f"curl -H 'X-Id: {jwt_io}'"):
        assert secrets.findings(text) == []


def test_provider_rule_labels_a_span_a_generic_rule_also_matches(secrets: SecretFilter) -> None:
    assert secrets.redact(f"API_TOKEN={GHP}") == "API_TOKEN=[REDACTED:github-pat]"
    assert secrets.redact(f"https://x-access-token:{GHP}@github.com/a/b") == (
        "https://x-access-token:[REDACTED:github-pat]@github.com/a/b")


def test_placeholder_format_and_prefix(secrets: SecretFilter) -> None:
    assert REDACTION_PREFIX == "[REDACTED:"
    assert secrets.redact(GHP) == "[REDACTED:github-pat]"


@pytest.mark.parametrize("text", [
    f"export GITHUB_TOKEN={GHP}\npassword: {PASSWORD}\n",
    f"TOKEN=[REDACTED:github-pat]{PASSWORD}", f"curl -u a:{PASSWORD} -H 'Authorization: Bearer {GHP}'",
    "[REDACTED:jwt] password=[REDACTED:password-assignment]",
])
def test_redaction_is_idempotent(secrets: SecretFilter, text: str) -> None:
    once = secrets.redact(text)
    assert secrets.redact(once) == once


def test_disabled_filter_returns_text_unchanged_unless_required() -> None:
    off = SecretFilter(enabled=False)
    text = f"export GITHUB_TOKEN={GHP}"
    kept = off.redact(text)
    assert kept == text
    assert isinstance(kept, Redacted)
    assert off.redact(text, required=True) == "export GITHUB_TOKEN=[REDACTED:github-pat]"
    assert list(off.redact_lines([text])) == [text]
    assert list(off.redact_lines([text], required=True)) == ["export GITHUB_TOKEN=[REDACTED:github-pat]"]
    assert off.drain_counts() == {("github-pat", "unknown"): 2}


def test_counts_per_rule_and_source_are_drained(secrets: SecretFilter) -> None:
    secrets.redact(f"A={GHP} B={GHP}", source="log")
    secrets.redact(f"mysql -p{PASSWORD}", source="import")
    list(secrets.redact_lines([GHP, "clean"], source="scrollback"))
    counts = secrets.drain_counts()
    assert counts == {("github-pat", "log"): 2, ("mysql-password", "import"): 1,
                      ("github-pat", "scrollback"): 1}
    assert secrets.drain_counts() == {}
    assert GHP not in repr(counts)


def test_findings_locate_secrets_without_their_values(secrets: SecretFilter) -> None:
    text = f"first line\n  export GITHUB_TOKEN={GHP}\nthird mysql -p{PASSWORD}"
    found = secrets.findings(text)
    assert [(f.rule_id, f.line, f.column) for f in found] == [
        ("github-pat", 2, 23), ("mysql-password", 3, 15)]
    assert text[found[0].start:found[0].end] == GHP
    assert isinstance(found[0], Finding)
    assert GHP not in repr(found) and PASSWORD not in repr(found)


def test_extra_patterns_become_custom_rules_with_an_optional_secret_group() -> None:
    custom = SecretFilter(extra_patterns=[r"ACME-[0-9]{6}", r"pin=(?P<secret>[0-9]{4})"])
    assert custom.redact("ticket ACME-123456") == "ticket [REDACTED:custom-1]"
    assert custom.redact("door pin=4821 ok") == "door pin=[REDACTED:custom-2] ok"
    assert list(custom.redact_lines(["x", "ACME-654321 y"])) == ["x", "[REDACTED:custom-1] y"]


def test_allow_patterns_are_never_redacted() -> None:
    allowing = SecretFilter(allow_patterns=[r"ghp_[A-Za-z0-9]{36}(?=.*# test fixture)"])
    assert allowing.redact(f"{GHP}  # test fixture") == f"{GHP}  # test fixture"
    assert allowing.redact(GHP) == "[REDACTED:github-pat]"


def test_invalid_user_patterns_raise_config_error_naming_the_key() -> None:
    with pytest.raises(ConfigError) as raised:
        SecretFilter(extra_patterns=["ok", "fine", "(unclosed"])
    assert raised.value.message.startswith("redact.extra_patterns[2] is not a valid regular expression: ")
    assert raised.value.message.endswith("— fix or remove it in config.toml")
    with pytest.raises(ConfigError, match=r"redact.allow_patterns\[0\] matches the empty string"):
        SecretFilter(allow_patterns=["x*"])
    with pytest.raises(ConfigError, match="exponential"):
        SecretFilter(extra_patterns=["(a+)+b"])


def pem_block(kind: str = "RSA") -> list[str]:
    body = [fake(BASE64, 64, f"pem-test-{i}") for i in range(6)]
    return [f"-----BEGIN {kind} PRIVATE KEY-----", *body, f"-----END {kind} PRIVATE KEY-----"]


def test_multiline_private_key_block_becomes_one_placeholder(secrets: SecretFilter) -> None:
    block = "\n".join(pem_block())
    assert secrets.redact(f"key:\n{block}\ndone") == "key:\n[REDACTED:pem-private-key]\ndone"
    truncated = "\n".join(pem_block("OPENSSH")[:4]) + "\nnot base64 here!"
    assert secrets.redact(truncated) == "[REDACTED:pem-private-key]\nnot base64 here!"


def test_redact_lines_replaces_a_block_whole_and_keeps_the_line_count(secrets: SecretFilter) -> None:
    lines = ["before\n", *(line + "\n" for line in pem_block()), f"after {GHP}\n"]
    out = list(secrets.redact_lines(lines))
    assert len(out) == len(lines)
    assert out[0] == "before\n"
    assert out[1] == "[REDACTED:pem-private-key]\n"
    assert out[2:-1] == ["\n"] * (len(lines) - 3)
    assert out[-1] == "after [REDACTED:github-pat]\n"
    assert all(isinstance(line, Redacted) for line in out)


def test_redact_lines_handles_blocks_across_batches_and_crlf(secrets: SecretFilter) -> None:
    lines = ["x\r\n"] * 2047 + [line + "\r\n" for line in pem_block("EC")] + ["y\r\n"]
    out = list(secrets.redact_lines(iter(lines)))
    assert len(out) == len(lines)
    assert out[2047] == "[REDACTED:pem-private-key]\r\n"
    assert out[2048:-1] == ["\r\n"] * 7
    assert out[-1] == "y\r\n"


def test_long_text_is_redacted_like_its_lines(secrets: SecretFilter) -> None:
    lines = [f"line {i} mysql -p{PASSWORD}" if i % 97 == 0 else f"git show {i}" for i in range(2000)]
    text = "\n".join(lines)
    assert len(text) > 4096
    assert secrets.redact(text) == "\n".join(secrets.redact_lines(lines))


def test_redacted_cannot_be_made_outside_the_filter() -> None:
    with pytest.raises(TypeError, match="SecretFilter"):
        Redacted("x", object())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Redacted("x")  # type: ignore[call-arg]


def test_operations_on_redacted_text_give_plain_str(secrets: SecretFilter) -> None:
    safe = secrets.redact("hello")
    assert type(safe + "!") is str
    assert type(safe.upper()) is str
    assert type(safe[1:]) is str
    assert copy.copy(safe) is safe and copy.deepcopy(safe) is safe
    restored = pickle.loads(pickle.dumps(safe))  # noqa: S301 - our own bytes
    assert restored == "hello" and type(restored) is str


def test_the_prefilter_keeps_clean_short_text_off_the_engine() -> None:
    secrets = SecretFilter()
    secrets.redact("a short summary of the day")
    assert secrets._engine is None
    assert secrets.redact("the token was rotated") == "the token was rotated"  # a keyword, no gate
    assert secrets._engine is None
    assert secrets.findings("fixed the token refresh in auth.py") == []
    assert secrets._engine is None
    assert secrets.redact("token=ghp_" + "a1B2" * 9) != "token=ghp_" + "a1B2" * 9
    assert secrets._engine is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["token", "key", "=", ":", " ", "pass", "ghp_", "a1B2c3D4e5F6g7H8", "--password",
                                 "-p", "https://", "u:p@h", "secret", "'", "İ", "\u212a"]), max_size=12).map("".join))
def test_the_filter_gates_say_no_only_where_the_engine_finds_nothing(text: str) -> None:
    from perth.redact.engine import Engine

    if not SecretFilter()._may_hold_secret(text):
        assert Engine().regions(text) == []
