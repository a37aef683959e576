"""The code index (C10): repositories parsed into a graph of files, symbols and edges.

``walker`` lists a working tree's files, ``indexer`` re-parses only what changed (``worker`` runs the
parsers, in worker processes for large runs: ``pyparse`` for Python through :mod:`ast`, ``tsparse``
with ``tsqueries`` for the tree-sitter languages), ``graph`` answers find/context/callers/callees/
impact, ``repomap`` ranks definitions into a map fitted to a token budget, ``service`` manages the
registry and status, ``poller`` and ``tasks`` re-index from ``perth daemon``.  The graph is stored
behind :class:`perth.store.ports.code.CodeIndexPort` (``rt.store.code``).
"""
