"""Every document source memory search indexes: the built-in ones (commands, intents, journal
sessions, snapshots) registered on first use, plus any a capability registered itself
(:func:`perth.search.sources.register_source`)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.search.sources import DocumentSource


def all_sources() -> dict[str, DocumentSource]:
    """The registered sources by kind, the built-in ones registered first."""
    from perth.search.journal_source import JournalSource
    from perth.search.sources import CommandSource, EntrySource, SnapshotSource, register_source, sources

    found = sources()
    if not found:
        for source in (CommandSource(), EntrySource(), JournalSource(), SnapshotSource()):
            register_source(source)
        found = sources()
    return found
