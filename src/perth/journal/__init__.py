"""The work journal and handoff (C5).

``activity`` gathers the facts of a window (captured commands, intent entries, and the
commits of the repositories seen in them, read by ``facts``); ``sessions`` splits them at
idle gaps into :class:`~perth.journal.model.Session` records whose every claim names its
source; ``service`` chooses the window; ``narrate`` adds optional generated narratives;
``markdown`` is the SESSIONS.md layout; ``append`` inserts new sessions into such a file
idempotently; ``logparse`` and ``verify`` check a hand-written log against git;
``handoff`` writes the "resume here" note of a pane.
"""
