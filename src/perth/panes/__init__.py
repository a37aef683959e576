"""Panes, intent entries, "where was I" status, export and import (SPEC C1)."""

from __future__ import annotations
