"""The ``perth`` command line: thin adapters over the capability packages."""

from __future__ import annotations
