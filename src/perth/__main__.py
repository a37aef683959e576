"""``python -m perth``: the same entry point as the ``perth`` command."""

from __future__ import annotations

import gc

# Importing the CLI allocates thousands of objects that live until the process ends: collecting
# cycles among them only costs time (a few milliseconds of every command).  main() turns collection
# back on before the command runs.
gc.disable()

from perth.cli.main import run  # noqa: E402

run()
