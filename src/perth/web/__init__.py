"""Perth's HTTP interface (``perth serve``): a JSON API over the functions the CLI calls."""

from __future__ import annotations
