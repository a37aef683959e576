"""The code index's persistence port: repositories, files, symbols and edges, in its own terms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.codeindex.model import CodeRepo, Edge, FileGraph, FileState, Symbol


class CodeIndexPort(Protocol):
    """Where the code graph lives (``rt.store.code``)."""

    def add_repo(self, repo: CodeRepo) -> None:
        """Register a repository; a name or root already registered is a conflict."""

    def update_repo(self, repo: CodeRepo) -> None:
        """Replace a repository's fields by id."""

    def get_repo(self, *, repo_id: str | None = None, name: str | None = None,
                 root: str | None = None) -> CodeRepo | None:
        """One repository by id, name or root."""

    def list_repos(self) -> list[CodeRepo]:
        """Every repository, by name."""

    def remove_repo(self, repo_id: str) -> bool:
        """Forget a repository and its graph; whether it existed."""

    def file_states(self, repo_id: str) -> dict[str, FileState]:
        """What the index holds of each file, by path."""

    def apply(self, repo_id: str, graphs: Sequence[FileGraph], deleted: Sequence[str],
              touched: Sequence[FileState]) -> None:
        """Replace the graphs of re-parsed files, drop deleted ones, refresh unchanged files' stats."""

    def graphs(self, repo_id: str) -> list[FileGraph]:
        """Every file of a repository with its symbols and edges, by path (for copying a store)."""

    def counts(self, repo_id: str) -> tuple[int, int, int]:
        """Files, symbols and edges held for a repository."""

    def find_symbols(self, repo_id: str, *, name: str | None = None, pattern: str | None = None,
                     kinds: Sequence[str] = (), limit: int = 50) -> list[Symbol]:
        """Symbols by exact name (or qualified name), or by a glob over names and qualified names."""

    def symbols(self, repo_id: str, qualnames: Sequence[str]) -> list[Symbol]:
        """Symbols with these qualified names."""

    def file_symbols(self, repo_id: str, path: str) -> list[Symbol]:
        """Symbols defined in one file, in line order."""

    def edges_to(self, repo_id: str, dsts: Sequence[str], kinds: Sequence[str]) -> list[Edge]:
        """Edges whose target is one of ``dsts``."""

    def edges_from(self, repo_id: str, srcs: Sequence[str], kinds: Sequence[str]) -> list[Edge]:
        """Edges whose source is one of ``srcs``."""

    def edges_named(self, repo_id: str, names: Sequence[str], kinds: Sequence[str],
                    confidence: str) -> list[Edge]:
        """Edges of one confidence whose written name is one of ``names``."""

    def definitions(self, repo_id: str) -> list[Symbol]:
        """Every symbol of a repository (the repo map ranks them)."""

    def references(self, repo_id: str) -> list[tuple[str, str, str, int]]:
        """``(file path, target, written name, count)`` of every call, import and inherits edge."""
