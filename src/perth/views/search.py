"""Views of memory search: ``perth search`` and ``perth search reindex``."""

from __future__ import annotations

from perth.clock import to_iso, to_local
from perth.views.document import Block, Document, Note, Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.search.records import Hit, SearchPage


def hit_json(hit: Hit) -> dict[str, object]:
    """One result inside ``perth.search.v1`` (and the MCP ``search_memory`` tool)."""
    return {"kind": hit.kind, "id": hit.ref_id, "score": round(hit.score, 6), "bm25": round(hit.bm25, 6),
            "text": hit.text, "snippet": hit.snippet, "highlights": [list(span) for span in hit.highlights],
            "pane": hit.pane_name, "at": to_iso(hit.at_ms), "importance": hit.importance}


def search_data(page: SearchPage) -> dict[str, object]:
    """The ``perth.search.v1`` fields (without ``schema``)."""
    return {"query": page.query, "mode": page.mode, "kinds": list(page.kinds), "count": len(page.hits),
            "results": [hit_json(h) for h in page.hits], "next_cursor": page.next_cursor}


def short_id(hit: Hit) -> str:
    """The id column: the end of a record's id; the repository of a code symbol (its text names the rest)."""
    return hit.ref_id.split(":", 1)[0] if hit.kind == "code" else hit.ref_id[-8:]


def search_view(page: SearchPage) -> Document:
    """``perth search``."""
    rows = [(hit.kind, to_local(hit.at_ms), hit.pane_name or "-", short_id(hit), hit.snippet) for hit in page.hits]
    blocks: list[Block] = [Table(("kind", "time", "pane", "id", "match"), rows)] if rows else [
        Note(f"Nothing matches {page.query!r}.")]
    if page.next_cursor:
        blocks.append(Note(f"More: perth search {page.query} --cursor {page.next_cursor}"))
    return Document("perth.search.v1", search_data(page), title=f"Search: {page.query}", blocks=blocks)


def reindex_view(written: dict[str, int]) -> Document:
    """``perth search reindex``."""
    rows = [(kind, str(count)) for kind, count in written.items()]
    return Document("perth.search_reindex.v1", {"documents": written, "total": sum(written.values())},
                    title="Search index rebuilt", blocks=[Table(("kind", "documents"), rows)])
