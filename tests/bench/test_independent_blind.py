"""The third held-out set of the secret filter's independent corpus ("blind",
tests/fixtures/redact/independent/blind.py): it builds after the other splits without changing
them, is large and labelled consistently, holds its secrets in its lines, and commits no literal
that looks like a secret.  None of these tests runs the filter."""

from __future__ import annotations

import base64
import itertools
import json
import random
import re
import string

from tests.fixtures.redact.independent import VARIANTS, blind, build, credentials, fresh, negatives, tokens
from tests.fixtures.redact.independent import credentials as c
from tests.fixtures.redact.independent import negatives as n
from tests.fixtures.redact.independent import tokens as t
from tests.fixtures.redact.independent.values import USERS, fill

NEGATIVE_CLASSES = {n.PLACEHOLDER, n.PROMPT, n.PUBLIC, n.CHARSET, n.DIGEST, n.MENTION}
POSITIVE_CLASSES = {c.URL, c.CONN, c.FILE, c.CLI, c.SET, c.CONFIG, c.ENV, c.BODY, c.HEADER,
                    t.PROVIDER, t.PAT, t.WEBHOOK, t.KEYWORDED}

_FIELD = re.compile(r"\{\{|\}\}|\{[a-z]+(?::[^{}]*)?\}")
#: Runs of token characters in a template's literal text; "/" ends a run, so paths do not count.
_RUN = re.compile(r"[A-Za-z0-9+]{16,}")


def _class_of(char: str) -> int:
    return 0 if char.isupper() else 1 if char.islower() else 2 if char.isdigit() else 3


def _looks_secret(run: str) -> bool:
    """Whether a run of token characters looks random: letters and digits changing often
    (identifiers, words and paths change class rarely; random tokens about every other
    character), or a long run of mixed-case letters changing case about every other one."""
    changes = sum(_class_of(a) != _class_of(b) for a, b in itertools.pairwise(run)) / (len(run) - 1)
    has_digit = any(ch.isdigit() for ch in run)
    has_letter = any(ch.isalpha() for ch in run)
    return (has_digit and has_letter and changes >= 0.3) or (len(run) >= 20 and changes >= 0.5)


def _suspicious_literals(template: str) -> list[str]:
    literal = _FIELD.sub(" ", template)
    return [run.group() for run in _RUN.finditer(literal)
            if _looks_secret(run.group()) and not any(run.group() in known for known in blind.DOCUMENTED_LITERALS)]


def test_the_blind_split_builds_after_the_others_without_changing_them() -> None:
    plain = build()
    with_blind = build(blind=True)
    assert with_blind[:len(plain)] == plain
    added = with_blind[len(plain):]
    assert {line.split for line in added} == {"blind"}
    assert len(added) == VARIANTS * len(blind.TEMPLATES)
    with_fresh = build(fresh=True)
    with_both = build(fresh=True, blind=True)
    assert with_both[:len(with_fresh)] == with_fresh
    assert [line.text for line in with_both if line.split == "blind"] == [line.text for line in added]


def test_the_blind_set_has_at_least_300_templates_with_unique_kinds_of_its_own() -> None:
    kinds = [kind for kind, _, _ in blind.TEMPLATES]
    assert len(kinds) >= 300
    assert len(set(kinds)) == len(kinds)
    assert all(kind.startswith("blind:") for kind in kinds)
    others = {kind for kind, _, _ in credentials.TEMPLATES + tokens.TEMPLATES + negatives.TEMPLATES + fresh.TEMPLATES}
    assert not set(kinds) & others
    texts = [template for _, _, template in blind.TEMPLATES]
    assert len(set(texts)) == len(texts), "two kinds with the same template"


def test_classes_are_the_corpus_classes_and_negatives_are_a_third() -> None:
    for kind, klass, _ in blind.TEMPLATES:
        assert klass in NEGATIVE_CLASSES | POSITIVE_CLASSES, kind
        assert kind.startswith("blind:neg:") == (klass in NEGATIVE_CLASSES), kind
    negative = sum(klass in NEGATIVE_CLASSES for _, klass, _ in blind.TEMPLATES)
    assert 0.30 <= negative / len(blind.TEMPLATES) <= 0.40
    assert {klass for _, klass, _ in blind.TEMPLATES} == NEGATIVE_CLASSES | POSITIVE_CLASSES


def test_every_positive_line_holds_its_secrets_and_no_negative_line_has_any() -> None:
    lines = [line for line in build(blind=True) if line.split == "blind"]
    for line in lines:
        if line.klass in NEGATIVE_CLASSES:
            assert not line.secrets, line.kind
            continue
        assert line.secrets, line.kind
        for secret in line.secrets:
            assert len(secret) >= 5, (line.kind, secret)
            assert secret in line.text, line.kind
    by_kind: dict[str, set[tuple[str, ...]]] = {}
    for line in lines:
        if line.positive:
            by_kind.setdefault(line.kind, set()).add(line.secrets)
    assert all(len(variants) == VARIANTS for variants in by_kind.values()), "a template repeats its secrets"


def test_no_committed_literal_looks_like_a_secret() -> None:
    suspicious = {kind: found for kind, _, template in blind.TEMPLATES if (found := _suspicious_literals(template))}
    assert suspicious == {}
    literal_text = "\n".join(template for _, _, template in blind.TEMPLATES)
    assert all(known in literal_text for known in blind.DOCUMENTED_LITERALS), "a documented literal is unused"


def test_the_literal_check_flags_random_tokens() -> None:
    rng = random.Random(2026)
    for alphabet in (string.ascii_letters + string.digits, "0123456789abcdef"):
        values = ["".join(rng.choice(alphabet) for _ in range(40)) for _ in range(200)]
        flagged = sum(bool(_suspicious_literals(value)) for value in values)
        assert flagged >= 0.95 * len(values)
    assert _suspicious_literals("token = '" + "".join(rng.choice(string.hexdigits) for _ in range(32)) + "'")
    assert not _suspicious_literals("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    assert not _suspicious_literals("https://gitlab.acme.test/api/v4/projects/12/packages/pypi/simple")


def test_the_placeholders_added_for_the_blind_set_have_their_documented_shapes() -> None:
    rng = random.Random(7)
    for _ in range(50):
        _, (basic,) = fill("{basic}", rng)
        user, _, password = base64.b64decode(basic).decode().partition(":")
        assert user in USERS and len(password) >= 8
        _, (encoded,) = fill("{bpw}", rng)
        assert len(base64.b64decode(encoded).decode()) >= 8
        _, (secret,) = fill("{azcs}", rng)
        assert re.fullmatch(r"[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{34}", secret)
        _, (pw,) = fill("{pwp}", rng)
        assert not set(pw) & set(":;@%,=&/ '\"")
        text, secrets = fill("{pjwt}", rng)
        assert not secrets
        head, body, _ = text.split(".")
        assert json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["role"] == "anon"
        assert json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["typ"] == "JWT"
        text, secrets = fill("age1{rand:q:58}", rng)
        assert not secrets and re.fullmatch(r"age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}", text)
