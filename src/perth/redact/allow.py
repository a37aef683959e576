"""The built-in allow-list: values a rule matched that are not secrets.

Each rule names a profile of checks (``Rule.value_checks``):

``exact``     provider formats: placeholders (``xxxx``, ``<YOUR_TOKEN>``, ``****``) and documented
              example keys (AWS's ``...EXAMPLE`` keys, Stripe's and jwt.io's published samples).
``assigned``  credential syntax: also variables (``$TOKEN``, ``${TOKEN}``, ``{{ .Values.x }}``),
              placeholder words (``changeme``, ``password``, ``secret``, ``dummy``, ``...``),
              code (``self.password``, ``os.environ[...]``), paths, YAML tags and aliases.
``token``     tokens and keys: also numbers and plain lowercase words (``same-origin``, ``none``).
``entropy``   keyword-adjacent values: also git SHAs, content hashes (``sha256:...``), UUIDs, and
              anything below the rule's Shannon-entropy threshold or without both a letter and
              a digit.
"""

from __future__ import annotations

import math
import re

PLACEHOLDER_WORDS = frozenset({
    "changeme", "change_me", "change-me", "changeit", "password", "passwd", "pass", "secret",
    "secrets", "token", "example", "dummy", "test", "testing", "sample", "placeholder",
    "redacted", "none", "null", "nil", "true", "false", "yes", "no", "on", "off", "undefined",
    "empty", "foo", "bar", "baz", "foobar", "todo", "tbd", "default", "your-api-key",
    "your_api_key", "yourapikey", "your-token", "your_token", "your-secret", "your_secret",
    "your-password", "your_password", "apikey", "api_key", "api-key", "mysecret", "mypassword",
    "my-secret", "my_secret", "secret_key", "str", "string", "int", "bool", "bytes", "optional",
    "any", "object", "number", "boolean", "required", "hidden", "masked", "env", "auto",
})
_PLACEHOLDER_CHARS = frozenset("xX*.•#_-0 ")
_PLACEHOLDER_PARTS = re.compile(
    r"(?i:example|placeholder|dummy|changeme|redacted|your[_ -]?(?:api|access|secret|token|key|pass"
    r"|auth|client|own)|x{4}|\*{3}|<|>)")
#: The branches of ``_PLACEHOLDER_PARTS`` but ``your...``, as lowercase literals.
_PLACEHOLDER_LITERALS = ("example", "placeholder", "dummy", "changeme", "redacted", "xxxx", "***",
                         "<", ">")
_VARIABLE = re.compile(r"[$%]\{|[$][A-Za-z_(]|%\(?[A-Za-z_]|\{\{|\$\$|#\{")
_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,60}(?:\.[A-Za-z_][A-Za-z0-9_]{0,60}){1,8}")
_PATH = re.compile(r"(?:~?/|\.\.?/|[A-Za-z]:\\)")
_WORDS = re.compile(r"[a-z]{1,40}(?:[-_. ][a-z]{1,40}){0,8}")
_HEX = re.compile(r"(?:0x)?(?:[0-9a-f]{1,256}|[0-9A-F]{1,256})")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DIGEST = re.compile(r"(?i:md5|sha1|sha224|sha256|sha384|sha512|blake2b|xxh64)[:-]")
_TAGGED_HASH = re.compile(r"[A-Za-z][A-Za-z0-9.]{0,30}[-_:@](?:[0-9a-f]{7,128}|[0-9A-F]{7,128})")
_OPTION_LIST = re.compile(r"(?:id|src|source|env|file|type|target|name|dst)=")
_HASH_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})

#: sha256 digests of example credentials published in vendor documentation.
DOCUMENTED_EXAMPLES = frozenset({
    # Stripe's documented test secret key (sk_test_4eC39...).
    "2cafc0970149a84f3b9e62eaf169f36f59907a3b3e31f7b82e68c69cd27f7326",
    # The HS256 sample token shown on jwt.io (subject 1234567890, "John Doe").
    "7f75367e7881255134e1375e723d1dea8ad5f6a4fdb79d938df1f1754a830606",
})


def strip_quotes(value: str) -> str:
    """The value without surrounding whitespace and quotes."""
    return value.strip().strip("\"'`").strip()


def shannon_entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    if not value:
        return 0.0
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in map(value.count, set(value)))


def is_placeholder(value: str) -> bool:
    """``xxxx``, ``<YOUR_TOKEN>``, ``****``, ``...``, an example or documented key."""
    if not value or value.lower() in PLACEHOLDER_WORDS:
        return True
    if set(value) <= _PLACEHOLDER_CHARS:
        return True
    if _has_placeholder_part(value):
        return True
    return is_documented_example(value)


def _has_placeholder_part(value: str) -> bool:
    """``_PLACEHOLDER_PARTS.search(value)``, answered with plain substring tests for ASCII
    values that cannot hold its only composite branch (``your...``)."""
    if not value.isascii():
        return _PLACEHOLDER_PARTS.search(value) is not None
    low = value.lower()
    if "your" in low:
        return _PLACEHOLDER_PARTS.search(value) is not None
    return any(part in low for part in _PLACEHOLDER_LITERALS)


def is_documented_example(value: str) -> bool:
    """True for the published example keys whose sha256 digest is in :data:`DOCUMENTED_EXAMPLES`."""
    if len(value) < 16:
        return False
    import hashlib

    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest() in DOCUMENTED_EXAMPLES


def is_reference(value: str) -> bool:
    """A variable, template, code expression, path, YAML tag or alias: not a literal secret."""
    if _VARIABLE.match(value) or value[0] in "!&*@" or _OPTION_LIST.match(value):
        return True
    if _CODE.fullmatch(value) or _PATH.match(value):
        return True
    return not any(char.isalnum() for char in value)


def is_hash_like(value: str) -> bool:
    """A git SHA, a content hash (hex or ``sha256:...``), or a UUID."""
    if _UUID.fullmatch(value) or _DIGEST.match(value) or _TAGGED_HASH.fullmatch(value):
        return True
    bare = value[2:] if value.startswith("0x") else value
    return bool(_HEX.fullmatch(value)) and (len(bare) in _HASH_LENGTHS or len(bare) < 20)


def accepts(profile: str, value: str, min_length: int, min_entropy: float) -> bool:
    """Whether a matched ``value`` is redacted under the rule's value-check ``profile``."""
    value = strip_quotes(value)
    if len(value) < min_length or is_placeholder(value):
        return False
    if profile == "exact":
        return True
    if is_reference(value):
        return False
    if profile == "assigned":
        return True
    return _looks_random(value, min_entropy if profile == "entropy" else None)


def _looks_random(value: str, min_entropy: float | None) -> bool:
    """Token checks (not a number or plain words) and, given a threshold, entropy checks."""
    if value.isdigit() or _WORDS.fullmatch(value):
        return False
    if min_entropy is None:
        return True
    if not _has_letter_and_digit(value) or is_hash_like(value):
        return False
    return shannon_entropy(value) >= min_entropy


def _has_letter_and_digit(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


__all__ = [
    "DOCUMENTED_EXAMPLES",
    "PLACEHOLDER_WORDS",
    "accepts",
    "is_hash_like",
    "is_placeholder",
    "is_reference",
    "shannon_entropy",
    "strip_quotes",
]
