"""Memory search: the application function ``perth search`` and the MCP ``search_memory`` tool call.

Full text: BM25 over every match (tantivy), recency and importance boosts applied with an exact
top-k threshold (:mod:`perth.search.ranking`).  Vector and hybrid modes live in
:mod:`perth.search.semantic` (the ``[semantic]`` extra).  Every hit's text passes the secret filter
before it is returned.
"""

from __future__ import annotations

from perth.search.query import SearchRequest, check, known_kinds
from perth.search.records import Hit, SearchPage

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.capture.query import CommandFilter
    from perth.runtime import Runtime
    from perth.search.ranking import Candidate

__all__ = ["SearchRequest", "reindex", "search", "search_memory", "to_hit"]


def search(rt: Runtime, text: str, flt: CommandFilter, kinds: tuple[str, ...] = (),
           mode: str | None = None) -> SearchPage:
    """``perth search`` and the MCP ``search_memory`` tool: :func:`search_memory` with the filters
    ``perth history --commands`` takes; ``--cursor`` is the offset of the page."""
    from perth.capture.query import search_filter
    from perth.errors import InvalidInputError

    if flt.cursor is not None and not flt.cursor.isdigit():
        raise InvalidInputError(f"bad cursor {flt.cursor!r}", "pass the next_cursor of the previous page")
    offset = int(flt.cursor) if flt.cursor is not None else flt.offset
    resolved = search_filter(rt, flt)
    request = SearchRequest(text=text, kinds=kinds, mode=mode, filter=resolved, limit=resolved.limit, offset=offset)
    return search_memory(rt, request)


def search_memory(rt: Runtime, request: SearchRequest, *, sync_first: bool = True) -> SearchPage:
    """One page of hits, best first (the index is brought up to date first)."""
    from perth.search.engine import query_terms
    from perth.search.sync import close_index, open_index, sync

    check(request)
    mode = request.mode or str(rt.settings.get("search.mode"))
    index = open_index(rt)
    try:
        synced = sync(rt, index).total if sync_first or rt.store.read_only else 0
        window = request.offset + request.limit + 1
        if mode == "fts":
            from perth.search.query import fulltext

            ranked = fulltext(rt, index, request, window)
        else:
            from perth.search.semantic import ranked_semantic

            ranked = ranked_semantic(rt, index, request, mode, window)
        page = ranked[request.offset:request.offset + request.limit]
        terms = query_terms(request.text)
        hits = tuple(to_hit(rt, request.text, score, c, terms) for score, c in page)
    finally:
        close_index(rt, index)
    more = len(ranked) > request.offset + request.limit
    return SearchPage(query=rt.redact(request.text, "search"), mode=mode, kinds=request.kinds or known_kinds(),
                      hits=hits, next_cursor=str(request.offset + request.limit) if more else None, synced=synced)


def to_hit(rt: Runtime, text: str, score: float, found: Candidate,
           terms: tuple[tuple[str, ...], tuple[str, ...]] | None = None) -> Hit:
    """A ranked candidate as a hit: its text filtered again, a snippet with the matches marked
    (``terms``: ``query_terms(text)``, when the caller has it)."""
    from perth.search.snippets import snippet

    fields = found.fields or {}
    body = rt.redact(str((fields.get("body") or [""])[0]), "search")
    pane = str((fields.get("pane_name") or [""])[0]) or None
    if terms is None:
        from perth.search.engine import query_terms

        terms = query_terms(text)
    exact, prefixes = terms
    marked, spans = snippet(body, exact, prefixes)
    return Hit(kind=found.kind, ref_id=found.ref_id, score=score, bm25=found.bm25, text=body, snippet=marked,
               highlights=spans, pane_name=rt.redact(pane, "search") if pane else None, at_ms=found.at_ms,
               importance=found.importance)


def reindex(rt: Runtime) -> dict[str, int]:
    """Rebuild the index from nothing (``perth search reindex``): documents per kind."""
    from perth.search.sync import sync

    report = sync(rt, rebuild=True, merge=True)
    if report.busy:
        from perth.errors import StoreBusyError

        raise StoreBusyError("another Perth process is updating the search index", "try again in a moment")
    return dict(report.written)
