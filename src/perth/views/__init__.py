"""Presentations of Perth's records, shared by every interface.

A view is a :class:`~perth.views.document.Document`: a JSON payload whose
``schema`` names a versioned contract (``perth.<thing>.v1``), plus blocks that
render to ``text``, ``markdown`` or ``llm`` (a compact block for AI tools).
"""

from __future__ import annotations

from perth.views.document import FORMATS, Document, render

__all__ = ["FORMATS", "Document", "render"]
