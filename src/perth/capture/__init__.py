"""Shell capture: integration scripts, the spool, ingestion and history importers (SPEC C2)."""

from __future__ import annotations
