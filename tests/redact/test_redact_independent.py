"""The independent corpus: large, deterministic, split by template, every secret in its line."""

from __future__ import annotations

from collections import Counter

from tests.fixtures.redact.independent import HELD_OUT_MODULUS, build, split_of


def test_the_corpus_is_large_deterministic_and_split_by_template() -> None:
    lines = build()
    assert len(lines) >= 1000
    assert build() == lines
    splits = Counter(line.split for line in lines)
    assert splits["held-out"] >= len(lines) // (HELD_OUT_MODULUS + 2)
    assert len([line for line in build(fresh=True) if line.split == "fresh"]) >= 400
    by_kind: dict[str, set[str]] = {}
    for line in lines:
        by_kind.setdefault(line.kind, set()).add(line.split)
        assert line.split == split_of(line.kind)
    assert all(len(splits_of_kind) == 1 for splits_of_kind in by_kind.values())


def test_every_class_has_lines_in_both_sets_and_every_secret_is_in_its_line() -> None:
    lines = build()
    classes = {line.klass for line in lines}
    for klass in classes:
        assert {line.split for line in lines if line.klass == klass} == {"dev", "held-out"}, klass
    for line in lines:
        assert all(secret and secret in line.text for secret in line.secrets), line.kind
        assert "\n" not in line.text


def test_the_split_is_a_fixed_function_of_the_kind() -> None:
    # Pinned: changing the hash or the modulus would move templates between the sets.
    kinds = ("url:postgres-env", "cli:ldapsearch", "placeholder:angle", "cli:smbclient", "config:php-define")
    assert [split_of(kind) for kind in kinds] == ["dev", "held-out", "dev", "held-out", "dev"]
    assert sum(split_of(f"kind-{n}") == "held-out" for n in range(3000)) in range(900, 1100)
