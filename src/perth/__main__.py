"""``python -m perth``: the same entry point as the ``perth`` command."""

from __future__ import annotations

from perth.cli.launch import run

run()
