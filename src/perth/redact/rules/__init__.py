"""The rule table: every detector the secret filter runs, each with samples and near misses.

``RULES`` is ordered: when two rules of the same priority claim the same text, the earlier one
labels it.  Provider formats come first, then credential syntax, then the entropy rule.
"""

from __future__ import annotations

from perth.redact.rules import (
                           clients,
                           cloud,
                           devtools,
                           files,
                           formats,
                           manuals,
                           material,
                           saas,
                           settings,
                           syntax,
                           tools,
)
from perth.redact.rules.model import GENERIC, PROVIDER, SYNTAX, Rule

RULES: tuple[Rule, ...] = (cloud.RULES + devtools.RULES + saas.RULES + formats.RULES + syntax.RULES + clients.RULES
                           + files.RULES + material.RULES + tools.RULES + manuals.RULES + settings.RULES
                           + formats.BODIES)

__all__ = ["GENERIC", "PROVIDER", "RULES", "SYNTAX", "Rule"]
