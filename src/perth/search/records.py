"""Records of memory search: documents, requests, hits and pages.

Texts in these records come from the store (redacted at capture) or from the
secret filter at indexing time; a :class:`Hit` is filtered again before it is shown.
"""

from __future__ import annotations

from perth.capture.records import CommandQuery
from perth.record import Record

#: Every built-in kind of document search knows (a registered source may add another).
KINDS: tuple[str, ...] = ("command", "intent", "journal", "snapshot", "code")
MODES: tuple[str, ...] = ("fts", "vector", "hybrid")


class SearchDoc(Record):
    """One searchable document, as a source hands it to the index.

    Attributes:
        kind: ``command``, ``intent``, ``journal``, ``snapshot``, ``code`` (or a registered source's kind).
        ref_id: the id of the record it stands for (command id, entry id, session id, snapshot name,
            ``repo:path:line:qualname`` of a symbol).
        text: the searchable text (redacted).
        at_ms: when it happened (UTC ms): recency boost, ``--since``/``--until`` and expiry use it.
        importance: 0..100: milestones and decisions 100, blockers 70, failed commands 50, others 0.
        pane_id, pane_name, cwd, repo_root, host, exit: filter fields (empty when they do not apply).
    """

    kind: str
    ref_id: str
    text: str
    at_ms: int
    importance: int = 0
    pane_id: str = ""
    pane_name: str = ""
    cwd: str = ""
    repo_root: str = ""
    host: str = ""
    exit: int | None = None

    @property
    def key(self) -> str:
        """The index-wide identity: ``kind:ref_id``."""
        return f"{self.kind}:{self.ref_id}"


class SourceState(Record):
    """How far one document source has been copied into the search index."""

    source: str
    cursor: str
    docs: int
    synced_at: int


#: The filters of a search are those of ``perth history --commands``: pane ids, absolute paths and UTC ms
#: (``limit``, ``offset``, ``cursor`` and ``oldest_first`` are not used by search).
SearchFilter = CommandQuery


class Hit(Record):
    """One search result.

    Attributes:
        score: the final score (BM25 x boosts for ``fts``; fused reciprocal ranks for ``hybrid``;
            cosine similarity for ``vector``).
        bm25: the raw BM25 score (0.0 when the hit came from vectors only).
        snippet: the text around the matches, matches wrapped in ``**``.
        highlights: character ranges ``[start, end)`` of the matches in ``snippet`` (without markers).
    """

    kind: str
    ref_id: str
    score: float
    bm25: float
    text: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    pane_name: str | None
    at_ms: int
    importance: int = 0


class SearchPage(Record):
    """One page of results, best first, and the cursor of the next page."""

    query: str
    mode: str
    kinds: tuple[str, ...]
    hits: tuple[Hit, ...]
    next_cursor: str | None
    synced: int = 0
