"""Every document source memory search indexes: the built-in ones (commands, intents, journal
sessions, snapshots, code symbols) registered on first use, plus any a capability registered itself
(:func:`perth.search.sources.register_source`)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.search.sources import DocumentSource


def all_sources() -> dict[str, DocumentSource]:
    """The registered sources by kind, the built-in ones registered first."""
    from perth.search.code_source import CodeSource
    from perth.search.journal_source import JournalSource
    from perth.search.sources import CommandSource, EntrySource, SnapshotSource, clear_sources, register_source, sources

    found = sources()
    builtin = (CommandSource(), EntrySource(), JournalSource(), SnapshotSource(), CodeSource())
    if any(source.kind not in found for source in builtin):
        # the built-in ones first, in this order (journal sessions follow commands and intents); one a
        # capability registered for a built-in kind replaces it
        ordered = [found.pop(source.kind, source) for source in builtin] + list(found.values())
        clear_sources()
        for source in ordered:
            register_source(source)
        found = sources()
    return found
