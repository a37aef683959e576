"""The secret filter: one gate for every text Perth stores, sends, publishes or displays.

::

    from perth.redact import SecretFilter, Redacted, Finding, REDACTION_PREFIX

    secrets = SecretFilter()
    safe: Redacted = secrets.redact("export GITHUB_TOKEN=ghp_...", source="log")
    # 'export GITHUB_TOKEN=[REDACTED:github-pat]'

Only the filter creates :class:`Redacted` values, so a function that takes ``Redacted`` cannot be
handed unfiltered text (mypy checks it; constructing one elsewhere raises ``TypeError``).

Large inputs go through ``SecretFilter.redact_block(text)`` or
``SecretFilter.redact_stream(pieces)`` (what ``perth redact`` uses): the same output as
``redact_lines``, a block of lines at a time.

Layout, top to bottom (an import-linter contract keeps the order): ``scan`` (``perth scan``),
``filter`` (the public class), ``stream`` (``redact_block``/``redact_stream``: chunks of lines,
key blocks across chunks), ``engine`` (gates, matching, the fixed point), ``lines`` (which lines
of a long text or batch may hold a secret), ``table`` and ``prefilter`` (compiled rules, re2
triggers and the pure-Python keyword index), ``regions`` (regions, merging, placeholders),
``redacted`` (the type).  Beside them: ``keywords`` (the import-free keyword list and rule
gates), ``ruleset`` (the rule table in runtime form), ``rules`` (the rule table as written, with
samples), ``derive`` (gates derived from the patterns), ``hoist`` (look-behinds moved so that
``re`` skips ahead), ``generate`` (writes ``keywords`` and ``ruleset``:
``python -m perth.redact.generate``), ``allow`` (the built-in allow-list), ``pem`` (private-key
blocks), ``lint`` (the linear-time rule linter).
Importing this package loads only ``redacted``, ``keywords``, ``finding`` and ``filter``; a text
with a keyword also loads ``engine`` and ``regions``, and only a text that passes a rule's gate
loads the rest (never ``rules``: the runtime reads ``ruleset``).
"""

from __future__ import annotations

from perth.redact.filter import SecretFilter
from perth.redact.redacted import REDACTION_PREFIX, Redacted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.redact.finding import Finding


def __getattr__(name: str) -> object:
    """``Finding`` loads on first use: one module less on the ``perth log`` path."""
    if name == "Finding":
        from perth.redact.finding import Finding

        return Finding
    raise AttributeError(f"module 'perth.redact' has no attribute {name!r}")

__all__ = ["REDACTION_PREFIX", "Finding", "Redacted", "SecretFilter"]
