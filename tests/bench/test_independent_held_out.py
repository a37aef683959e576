"""The fourth, fifth and sixth held-out sets of the secret filter's independent corpus ("sealed",
"sequestered" and "withheld", tests/fixtures/redact/independent/), checked for their structure only: each builds
after the other splits without changing them and the same on every run, is large, labelled consistently
(each class all positive or all negative), holds every secret verbatim in its line, draws secrets
that are not placeholders, draws provider tokens in their documented shapes and commits no literal
that looks like a secret.  None of these tests runs the filter: a held-out set's figures are read by
the benchmark, once."""

from __future__ import annotations

import base64
import itertools
import json
import random
import re
import string
import zlib
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures.redact import independent
from tests.fixtures.redact.independent import (
    VARIANTS,
    Labelled,
    blind,
    build,
    credentials,
    fresh,
    negatives,
    sealed,
    sequestered,
    tokens,
    withheld,
)

_FIELD = re.compile(r"\{\{|\}\}|\{[a-z0-9]+(?::[^{}]*)?\}")
#: Runs of token characters in a template's literal text ("/", "_", "-" and "=" end a run, so
#: paths, names and assignments do not count).
_RUN = re.compile(r"[A-Za-z0-9+]{16,}")
#: What a placeholder looks like: an ellipsis, a bracketed name, a template variable, a mask,
#: or the words people write instead of a value.
_PLACEHOLDER = re.compile(r"\.\.\.|…|<[A-Za-z_ -]+>|\$\{|\{\{|\*{3}|(?i:your[_-]|example|changeme|redacted|"
                          r"placeholder|replace[_-]?me|x{8})")
_ALL = {"fresh": True, "blind": True, "sealed": True, "sequestered": True, "withheld": True}
_LINES = build(**_ALL)
#: split -> (its module, the flags that build the splits before it)
SETS: dict[str, tuple[ModuleType, dict[str, bool]]] = {
    "sealed": (sealed, {"fresh": True, "blind": True}),
    "sequestered": (sequestered, {"fresh": True, "blind": True, "sealed": True}),
    "withheld": (withheld, {"fresh": True, "blind": True, "sealed": True, "sequestered": True}),
}
held_out = pytest.mark.parametrize("split", list(SETS))


def _lines(split: str) -> list[Labelled]:
    return [line for line in _LINES if line.split == split]


def _classes(module: ModuleType) -> tuple[set[str], set[str]]:
    """(positive classes, negative classes)."""
    return {klass for _, klass, _ in module.POSITIVES}, {klass for _, klass, _ in module.NEGATIVES}


def _class_of(char: str) -> int:
    return 0 if char.isupper() else 1 if char.islower() else 2 if char.isdigit() else 3


def _looks_random(run: str) -> bool:
    """Whether a run of token characters looks drawn at random: letters and digits that change
    class often (words, identifiers and version strings change rarely), or a long run whose
    case changes about every other character."""
    changes = sum(_class_of(a) != _class_of(b) for a, b in itertools.pairwise(run)) / (len(run) - 1)
    mixed = any(ch.isdigit() for ch in run) and any(ch.isalpha() for ch in run)
    return (mixed and changes >= 0.3) or (len(run) >= 20 and changes >= 0.5)


def _suspicious_literals(template: str, documented: tuple[str, ...] = ()) -> list[str]:
    literal = re.sub(r"\\[nrt]", " ", _FIELD.sub(" ", template))  # an escaped newline ends a run
    return [run.group() for run in _RUN.finditer(literal)
            if _looks_random(run.group()) and not any(run.group() in known for known in documented)]


@held_out
def test_a_held_out_split_builds_after_the_others_without_changing_them(split: str) -> None:
    module, before_flags = SETS[split]
    before = build(**before_flags)
    mine = _lines(split)
    assert _LINES[:len(before)] == before
    assert _LINES[len(before):len(before) + len(mine)] == mine
    assert len(mine) == VARIANTS * len(module.TEMPLATES)
    alone = [line for line in build(**{split: True}) if line.split == split]
    assert alone == mine, f"the {split} lines depend on which other sets are built"
    assert not any(line.split == split for line in build(**before_flags))


@held_out
def test_two_builds_are_equal_and_another_seed_draws_other_values(split: str) -> None:
    mine = _lines(split)
    again = [line for line in build(**_ALL) if line.split == split]
    assert again == mine
    other = [line for line in build(seed=7, **{split: True}) if line.split == split]
    assert [line.kind for line in other] == [line.kind for line in mine]
    changed = sum(a.secrets != b.secrets for a, b in zip(other, mine, strict=True) if a.positive)
    assert changed == sum(line.positive for line in mine)


@held_out
def test_at_least_700_templates_with_kinds_of_their_own_and_no_repeated_template(split: str) -> None:
    module = SETS[split][0]
    kinds = [kind for kind, _, _ in module.TEMPLATES]
    assert len(kinds) >= 700
    assert len(set(kinds)) == len(kinds)
    assert all(kind.startswith(f"{split}/") for kind in kinds)
    others = {line.kind for line in _LINES if line.split != split}
    assert not set(kinds) & others
    texts = [template for _, _, template in module.TEMPLATES]
    assert len(set(texts)) == len(texts), "two kinds with the same template"
    earlier = {template for other, (mod, _) in SETS.items() if other != split for _, _, template in mod.TEMPLATES}
    assert not set(texts) & earlier, "a template repeats one of another held-out set"


@held_out
def test_each_class_is_all_positive_or_all_negative_and_negatives_are_over_a_third(split: str) -> None:
    module = SETS[split][0]
    positive, negative = _classes(module)
    assert not negative & positive
    assert all(klass.startswith("not-") for klass in negative)
    assert not any(klass.startswith("not-") for klass in positive)
    assert len(positive) >= 15 and len(negative) >= 10
    share = len(module.NEGATIVES) / len(module.TEMPLATES)
    assert 0.33 <= share <= 0.45
    for klass in positive | negative:
        assert sum(k == klass for _, k, _ in module.TEMPLATES) >= 15, klass


@held_out
def test_every_positive_line_holds_its_secrets_verbatim_and_no_negative_line_has_any(split: str) -> None:
    negative = _classes(SETS[split][0])[1]
    by_kind: dict[str, set[tuple[str, ...]]] = {}
    for line in _lines(split):
        if line.klass in negative:
            assert not line.secrets, line.kind
            continue
        assert line.secrets, line.kind
        for secret in line.secrets:
            assert secret in line.text, line.kind
            assert len(secret) >= 8, (line.kind, secret)
            assert len(set(secret)) >= 4, (line.kind, secret)
            assert not _PLACEHOLDER.search(secret), (line.kind, secret)
        by_kind.setdefault(line.kind, set()).add(line.secrets)
    assert all(len(variants) == VARIANTS for variants in by_kind.values()), "a template repeats its secrets"


@settings(max_examples=300, deadline=None)
@given(split=st.sampled_from(list(SETS)), seed=st.integers(), index=st.integers(min_value=0))
def test_any_seed_fills_any_template_the_same_way_twice_with_its_secrets_in_the_line(split: str, seed: int,
                                                                                      index: int) -> None:
    module = SETS[split][0]
    _, klass, template = module.TEMPLATES[index % len(module.TEMPLATES)]
    text, secrets = module.fill(template, random.Random(seed))
    assert (text, secrets) == module.fill(template, random.Random(seed))
    assert bool(secrets) == (klass in _classes(module)[0])
    assert all(secret in text and len(secret) >= 8 for secret in secrets)
    assert "{" not in _FIELD.sub("", template.replace("{{", "").replace("}}", ""))


@held_out
def test_no_committed_literal_looks_like_a_secret(split: str) -> None:
    module = SETS[split][0]
    documented = tuple(module.DOCUMENTED_LITERALS)
    suspicious = {kind: found for kind, _, template in module.TEMPLATES
                  if (found := _suspicious_literals(template, documented))}
    assert suspicious == {}
    literal_text = "\n".join(_FIELD.sub(" ", template) for _, _, template in module.TEMPLATES)
    assert all(known in literal_text for known in documented), "a documented literal is unused"


def test_the_literal_check_flags_random_tokens_and_not_alphabets_or_paths() -> None:
    rng = random.Random(2027)
    for alphabet in (string.ascii_letters + string.digits, "0123456789abcdef"):
        values = ["".join(rng.choice(alphabet) for _ in range(40)) for _ in range(200)]
        assert sum(bool(_suspicious_literals(value)) for value in values) >= 0.95 * len(values)
    assert not _suspicious_literals("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    assert not _suspicious_literals("https://gitlab.acme.test/api/v4/projects/12/packages/pypi/simple")


def _base62(number: int) -> str:
    digits = string.digits + string.ascii_uppercase + string.ascii_lowercase
    out = ""
    while number:
        number, rest = divmod(number, 62)
        out = digits[rest] + out
    return out.rjust(6, "0")


def test_provider_tokens_have_their_documented_shapes() -> None:
    rng = random.Random(11)
    shapes = {
        "github_pat": r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}",
        "glpat": r"glpat-[A-Za-z0-9_-]{20}",
        "slack_bot": r"xoxb-\d{12}-\d{13}-[A-Za-z0-9]{24}",
        "slack_hook": r"T[A-Z0-9]{10}/B[A-Z0-9]{10}/[A-Za-z0-9]{24}",
        "stripe_sk": r"sk_live_[A-Za-z0-9]{99}",
        "sendgrid": r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}",
        "npm": r"npm_[A-Za-z0-9]{36}",
        "azcs": r"[A-Za-z0-9]{3}\dQ~[A-Za-z0-9]{34}",
        "age": r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
        "aws_secret": r"[A-Za-z0-9+/]{40}",
        "anthropic": r"sk-ant-api03-[A-Za-z0-9_-]{93}AA",
        "openai_legacy": r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}",
        "telegram": r"\d{9,11}:AA[A-Za-z0-9_-]{33}",
        "dop": r"dop_v1_[0-9a-f]{64}",
        "eth": r"0x[0-9a-f]{64}",
    }
    for _ in range(20):
        for prefix in ("ghp", "gho", "ghu", "ghs", "ghr"):
            token = sealed.TOKENS[prefix](rng)
            assert re.fullmatch(prefix + r"_[A-Za-z0-9]{36}", token)
            body, checksum = token[4:34], token[34:]
            assert checksum == _base62(zlib.crc32(body.encode())), "a GitHub token's CRC32 does not match"
        for name, shape in shapes.items():
            assert re.fullmatch(shape, sealed.TOKENS[name](rng)), name
        assert len(base64.b64decode(sealed.TOKENS["wg"](rng))) == 32
        assert len(base64.b64decode(sealed.TOKENS["azure_storage"](rng))) == 64
        pk = sealed.PUBLIC["mapbox_pk"](rng)
        payload = pk.split(".")[1]
        assert pk.startswith("pk.") and set(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))) == {"u", "a"}
        clerk = sealed.PUBLIC["clerk_pk"](rng).removeprefix("pk_live_")
        assert base64.b64decode(clerk + "=" * (-len(clerk) % 4)).decode().endswith("$")


def test_the_sixth_set_is_large_varied_and_about_two_fifths_negatives() -> None:
    positive, negative = _classes(withheld)
    assert len(withheld.TEMPLATES) >= 2000
    assert len(positive | negative) >= 25
    assert 0.35 <= len(withheld.NEGATIVES) / len(withheld.TEMPLATES) <= 0.45
    assert [line.split for line in _LINES].count("withheld") == VARIANTS * len(withheld.TEMPLATES)


def _shape(template: str) -> str:
    """A template's text with its fields blanked, spaces collapsed and letters in lower case: two templates
    with the same shape differ only in which values fill them."""
    return " ".join(_FIELD.sub("{}", template).split()).lower()


def test_the_sixth_set_repeats_no_template_of_any_earlier_set_even_with_other_fields() -> None:
    earlier = {_shape(template) for module in (credentials, tokens, negatives, fresh, blind, sealed, sequestered)
               for _, _, template in module.TEMPLATES}
    repeated = {kind: template for kind, _, template in withheld.TEMPLATES if _shape(template) in earlier}
    assert repeated == {}


def test_the_sixth_sets_provider_tokens_have_their_documented_shapes() -> None:
    rng = random.Random(12)
    shapes = {
        "github_pat": r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}",
        "glpat": r"glpat-[A-Za-z0-9_-]{20}", "glptt": r"glptt-[0-9a-f]{40}", "gloas": r"gloas-[0-9a-f]{64}",
        "slack_bot": r"xoxb-\d{12}-\d{13}-[A-Za-z0-9]{24}", "slack_app": r"xapp-1-A[A-Z0-9]{10}-\d{13}-[0-9a-f]{64}",
        "stripe_sk": r"sk_live_[A-Za-z0-9]{99}", "stripe_whsec": r"whsec_[A-Za-z0-9]{32}",
        "sendgrid": r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}", "shopify": r"shpat_[0-9a-f]{32}",
        "azcs": r"[A-Za-z0-9]{3}\dQ~[A-Za-z0-9]{34}", "age": r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
        "aws_secret": r"[A-Za-z0-9+/]{40}", "anthropic": r"sk-ant-api03-[A-Za-z0-9_-]{93}AA",
        "openai_legacy": r"sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}", "telegram": r"\d{9,11}:AA[A-Za-z0-9_-]{33}",
        "dop": r"dop_v1_[0-9a-f]{64}", "eth": r"0x[0-9a-f]{64}", "hf": r"hf_[A-Za-z]{34}", "dockerhub": r"dckr_pat_[A-Za-z0-9_-]{27}",
        "pypi": r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{150}", "databricks": r"dapi[0-9a-f]{32}",
        "mailchimp": r"[0-9a-f]{32}-us\d{1,2}", "tfc": r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9]{67}",
        "grafana_sa": r"glsa_[A-Za-z0-9]{32}_[0-9a-f]{8}", "postman": r"PMAK-[0-9a-f]{24}-[0-9a-f]{34}",
        "apple_asp": r"[a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4}",
        "braintree": r"access_token\$production\$[a-z0-9]{16}\$[0-9a-f]{32}",
        "packagist": r"packagist_uut_[0-9a-f]{68}", "ngrok": r"\d[A-Za-z0-9]{26}_\d[A-Za-z0-9]{20}",
        "heroku": r"HRKU-AA[A-Za-z0-9_-]{58}", "zapier": r"\d{8}/[a-z0-9]{7}", "ntfy": r"tk_[a-z0-9]{29}",
    }
    for _ in range(20):
        for prefix in ("ghp", "gho", "ghu", "ghs", "ghr", "npm"):
            token = withheld.TOKENS[prefix](rng)
            assert re.fullmatch(prefix + r"_[A-Za-z0-9]{36}", token)
            body, checksum = token[len(prefix) + 1:-6], token[-6:]
            assert checksum == _base62(zlib.crc32(body.encode())), f"a {prefix} token's CRC32 does not match"
        for name, shape in shapes.items():
            assert re.fullmatch(shape, withheld.TOKENS[name](rng)), name
        assert len(base64.b64decode(withheld.TOKENS["wg"](rng))) == 32
        assert len(base64.b64decode(withheld.TOKENS["azure_storage"](rng))) == 64
        laravel = withheld.TOKENS["laravel"](rng)
        assert laravel.startswith("base64:") and len(base64.b64decode(laravel.removeprefix("base64:"))) == 32
        discord = withheld.TOKENS["discord_bot"](rng).split(".")
        assert len(discord) == 3 and base64.urlsafe_b64decode(discord[0] + "=" * (-len(discord[0]) % 4)).isdigit()
        for public, secret in (("mapbox_pk", "mapbox_secret"),):
            for name, start in ((public, "pk."), (secret, "sk.")):
                value = (withheld.PUBLIC if name == public else withheld.TOKENS)[name](rng)
                payload = value.split(".")[1]
                assert value.startswith(start)
                assert set(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))) == {"u", "a"}
        clerk = withheld.PUBLIC["clerk_pk"](rng).removeprefix("pk_live_")
        assert base64.b64decode(clerk + "=" * (-len(clerk) % 4)).decode().endswith("$")


def test_the_sixth_set_uses_every_token_and_public_value_it_defines_and_its_docstring_counts_it() -> None:
    text = "\n".join(template for _, _, template in withheld.TEMPLATES)
    assert set(re.findall(r"\{tok:([a-z0-9_]+)\}", text)) == set(withheld.TOKENS)
    assert set(re.findall(r"\{pub:([a-z0-9_]+)\}", text)) == set(withheld.PUBLIC)
    doc = " ".join((independent.__doc__ or "").split())
    positive, negative = _classes(withheld)
    share = round(100 * len(withheld.NEGATIVES) / len(withheld.TEMPLATES))
    assert (f"Its {len(withheld.TEMPLATES):,} templates in {len(positive | negative)} classes "
            f"({len(withheld.NEGATIVES):,} of them, {share} %, negatives)") in doc
    own = " ".join((withheld.__doc__ or "").split())
    assert (f"Its {len(withheld.TEMPLATES):,} templates ({len(withheld.POSITIVES):,} positive, "
            f"{len(withheld.NEGATIVES):,} negative) fall in {len(positive | negative)} classes: "
            f"{len(positive)} positive") in own


def test_the_sixth_sets_placeholders_keep_their_providers_prefix_and_mask_the_rest() -> None:
    assert withheld._prefix_of("ghp") == "ghp_" and withheld._prefix_of("stripe_sk") == "sk_live_"
    assert withheld._prefix_of("aws_secret") == ""
    assert withheld.base62_crc32("") == "000000"
