"""The :class:`Rule` record and the helpers the rule tables use to build fake samples.

Samples are assembled at import time from a prefix and deterministic pseudo-random characters
(``random.Random(seed).randbytes`` mapped onto the alphabet: no Python loop per character),
so that no string in this repository has the shape of a real credential (hosted secret
scanners stay quiet) while every sample still has the exact shape its rule detects.
"""

from __future__ import annotations

import random

from perth.record import Record

PROVIDER = "provider"
SYNTAX = "syntax"
GENERIC = "generic"

#: Priority by category: when matches overlap, the region is labelled with the highest.
PRIORITY = {"custom": 40, PROVIDER: 30, SYNTAX: 20, GENERIC: 10}
_DEFAULT_VALUES = {"custom": "exact", PROVIDER: "exact", SYNTAX: "assigned", GENERIC: "entropy"}

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LOWER = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"
ALNUM = UPPER + LOWER + DIGITS
HEX = "0123456789abcdef"
HEX_UPPER = "0123456789ABCDEF"
URLSAFE = ALNUM + "_-"
BASE64 = ALNUM + "+/"
BASE32 = UPPER + "234567"

#: Horizontal whitespace: rules never match across a line break (except private-key blocks).
SP = r"[ \t]"
#: An assignment operator between a key and its value (shell, .env, YAML, TOML, JSON, code),
#: with the closing quote of a quoted key before it and an opening quote of the value after it.
ASSIGN = r"""["']?[ \t]{0,4}(?:=>|:=|=|:)[ \t]{0,4}["'`]?"""
#: Left and right word boundaries that also treat ``-`` as part of a token.
LB = r"(?<![A-Za-z0-9_-])"
RB = r"(?![A-Za-z0-9_-])"


class Rule(Record):
    """One detector.

    ``pattern`` is a Python regular expression (compiled with ``re.ASCII``); when it has groups
    whose names start with ``secret`` only the one that took part in the match is replaced,
    otherwise the whole match.  ``keywords`` are lowercase literals, one of which appears in any
    text the pattern can match: the prefilter runs a rule only on lines containing one.
    ``samples`` must be detected and labelled with this rule; ``near_misses`` must not match.
    The filter runs from generated runtime tables (``keywords.py``, ``ruleset.py``, with each
    rule's gate derived from its pattern): after changing a rule, run
    ``.venv/bin/python -m perth.redact.generate`` (a test fails until they are up to date).
    """

    id: str
    description: str
    pattern: str
    keywords: tuple[str, ...]
    samples: tuple[str, ...]
    near_misses: tuple[str, ...]
    category: str = PROVIDER
    #: Minimum Shannon entropy (bits per character) of the secret; 0 disables the check.
    entropy: float = 0.0
    #: Minimum length of the secret after surrounding quotes are removed.
    min_length: int = 1
    #: Which value checks apply (see :mod:`perth.redact.allow`); empty: the category's default.
    values: str = ""
    #: ``"regex"``, or ``"pem-block"``: the match is a BEGIN line that extends to its END line.
    kind: str = "regex"
    ignore_case: bool = False

    @property
    def value_checks(self) -> str:
        """``exact`` (provider formats), ``assigned``, ``token`` or ``entropy`` (see allow.py)."""
        return self.values or _DEFAULT_VALUES[self.category]

    @property
    def priority(self) -> int:
        """Overlapping matches are labelled with the rule of the highest priority."""
        return PRIORITY[self.category]


def fake(alphabet: str, length: int, seed: str) -> str:
    """Deterministic pseudo-random text over ``alphabet`` (an ASCII string), seeded by ``seed``."""
    table = _TABLES.get(alphabet)
    if table is None:
        table = _TABLES[alphabet] = bytes(ord(alphabet[i % len(alphabet)]) for i in range(256))
    generator = random.Random(seed)  # noqa: S311 - fake samples, not secrets
    return generator.randbytes(length).translate(table).decode("ascii")


_TABLES: dict[str, bytes] = {}


def uuid_like(seed: str) -> str:
    """A fake UUID-shaped value."""
    raw = fake(HEX, 32, seed)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def join(*parts: str) -> str:
    """Concatenate fragments (keeps real-looking prefixes apart in the source)."""
    return "".join(parts)


def assigned(name: str, value: str, right: str = RB) -> str:
    """A ``name ... = value`` pattern: ``name`` (case-insensitive) starts the key, ``value``
    (case-sensitive) is the ``secret`` group, ``right`` is the boundary after it."""
    return rf"(?<![A-Za-z0-9])(?i:{name})[A-Za-z0-9_.-]{{0,30}}{ASSIGN}(?P<secret>{value}){right}"
