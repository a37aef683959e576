"""Memory search over everything Perth knows (C11).

Full text: a tantivy index beside the data file, BM25 over every match with an exact top k
(:mod:`perth.search.engine`), recency and importance as bounded boosts (:mod:`perth.search.ranking`).
Documents come from registered sources (:mod:`perth.search.sources`; code symbols:
:mod:`perth.search.code_source`), synced incrementally by ``perth daemon`` and at search time
(:mod:`perth.search.sync`, :mod:`perth.search.tasks`).  :func:`perth.search.service.search_memory` is
the one entry point the CLI and the MCP server call.
"""
