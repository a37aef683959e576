"""The token budget: cut a context to a model's budget by section priority.

Token counts come from a :class:`Tokenizer`.  :func:`default_tokenizer` uses ``tiktoken``
(``o200k_base``, else ``cl100k_base``) only when it is importable **and** its encoding file
is already in tiktoken's local cache: while the encoding loads, tiktoken's file reader is
swapped for one that refuses any ``scheme://`` address, so a missing (or corrupt) cache file
raises instead of being downloaded, and the estimate is used.  Perth never downloads at run time.

The estimate (:class:`EstimateTokenizer`) is ``ceil(utf8_bytes / 3) + newlines``.  BPE
tokenizers average about 4 bytes per token on English and 3 to 4 on source code; dividing by 3
and charging each line break (indentation and line starts rarely merge across lines) errs on
the side of too many tokens, so an estimated budget is not overrun by the real tokenizer.

:func:`fit_to_budget` counts each section as it appears in the context block
(:func:`perth.summarize.sections.render_section` plus its line break; the block's header and note
lines are outside the budget).  Sections are taken in priority order (lower first); the first
that does not fit whole is cut after a whole line with :data:`CUT_MARKER` when at least one line
fits, else dropped, and every section after it is dropped: a more important section is never
cut while a less important one is kept.
"""

from __future__ import annotations

import threading
from typing import Protocol

from perth.errors import InvalidInputError
from perth.record import replace
from perth.summarize.model import Budget, BudgetLine, Context, Section
from perth.summarize.sections import render_section

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from perth.redact import SecretFilter


class Tokenizer(Protocol):
    """Counts the tokens of a text; ``name`` is ``estimate`` or e.g. ``tiktoken:o200k_base``."""

    name: str

    def count(self, text: str) -> int:
        """Tokens in ``text``."""
        ...


#: Appended (after the last whole line kept) to a section cut to fit the budget.
CUT_MARKER = "[... cut to fit the token budget]"
#: Encodings tried, in order, when tiktoken is installed.
TIKTOKEN_ENCODINGS: tuple[str, ...] = ("o200k_base", "cl100k_base")


class EstimateTokenizer:
    """``ceil(utf8_bytes / 3) + newlines``: a deliberate over-estimate (see the module docstring)."""

    name = "estimate"

    def count(self, text: str) -> int:
        """Estimated tokens in ``text``."""
        return -(-len(text.encode("utf-8", "replace")) // 3) + text.count("\n")


class TiktokenTokenizer:
    """An exact count with a loaded tiktoken encoding."""

    def __init__(self, encoding: Any, encoding_name: str) -> None:
        self._encoding = encoding
        self.name = f"tiktoken:{encoding_name}"

    def count(self, text: str) -> int:
        """Tokens in ``text`` (special-token strings count as ordinary text)."""
        return len(self._encoding.encode(text, disallowed_special=()))


_LOCK = threading.Lock()
_CHOSEN: list[Tokenizer] = []


def _refuse_download(original: Any) -> Any:
    def read_local_only(blobpath: str) -> bytes:
        if "://" in blobpath:
            raise OSError(f"perth does not download tokenizer files ({blobpath})")
        return bytes(original(blobpath))

    return read_local_only


def load_tiktoken(encoding_name: str) -> Tokenizer | None:
    """A tiktoken tokenizer if tiktoken is installed and the encoding is cached locally, else ``None``."""
    import importlib

    try:
        tiktoken = importlib.import_module("tiktoken")
        loader = importlib.import_module("tiktoken.load")
    except ImportError:
        return None
    original = getattr(loader, "read_file", None)
    if original is None:  # an unknown tiktoken layout: downloads could not be ruled out
        return None
    setattr(loader, "read_file", _refuse_download(original))  # noqa: B010 - swapped back below
    try:
        encoding = tiktoken.get_encoding(encoding_name)
    except Exception:  # a missing cache file, an unknown encoding, a broken install: estimate instead
        return None
    finally:
        setattr(loader, "read_file", original)  # noqa: B010
    return TiktokenTokenizer(encoding, encoding_name)


def default_tokenizer(*, refresh: bool = False) -> Tokenizer:
    """The exact tokenizer when available offline, else the estimate (chosen once per process)."""
    with _LOCK:
        if refresh:
            _CHOSEN.clear()
        if not _CHOSEN:
            found = next(filter(None, (load_tiktoken(name) for name in TIKTOKEN_ENCODINGS)), None)
            _CHOSEN.append(found or EstimateTokenizer())
        return _CHOSEN[0]


def section_tokens(tokenizer: Tokenizer, section: Section) -> int:
    """What a section costs in the context block: its rendering and the line break after it."""
    return tokenizer.count(render_section(section) + "\n")


def line_prefixes(text: str) -> list[int]:
    """Lengths of the proper prefixes of ``text`` that end just after a line break."""
    ends, start = [], text.find("\n")
    while 0 <= start < len(text) - 1:
        ends.append(start + 1)
        start = text.find("\n", start + 1)
    return ends


def _cut(section: Section, room: int, tokenizer: Tokenizer,
         secrets: SecretFilter) -> tuple[Section, int] | None:
    """The longest line-prefix of ``section`` (with the marker) that fits ``room`` tokens, if any."""
    ends = line_prefixes(section.text)
    best: tuple[Section, int] | None = None
    low, high = 0, len(ends) - 1
    while low <= high:
        middle = (low + high) // 2
        text = secrets.redact(section.text[: ends[middle]] + CUT_MARKER, source="context")
        candidate = replace(section, text=text, truncated=True)
        cost = section_tokens(tokenizer, candidate)
        if cost <= room:
            best, low = (candidate, cost), middle + 1
        else:
            high = middle - 1
    return best


def fit_to_budget(context: Context, limit_tokens: int, tokenizer: Tokenizer | None = None, *,
                  secret_filter: SecretFilter | None = None) -> tuple[Context, Budget]:
    """Keep, cut or drop sections (by priority) so that they fit ``limit_tokens``.

    ``secret_filter`` re-mints the cut texts as :class:`~perth.redact.Redacted` (a line-prefix of
    redacted text; default: a filter with the built-in rules).
    """
    if limit_tokens < 0:
        raise InvalidInputError(f"invalid token budget {limit_tokens}", "use zero or a positive number of tokens")
    counter = tokenizer or default_tokenizer()
    if secret_filter is None:
        from perth.redact import SecretFilter

        secret_filter = SecretFilter()
    ordered = sorted(enumerate(context.sections), key=lambda pair: (pair[1].priority, pair[0]))
    room, whole, kept, lines = limit_tokens, True, [], []
    for _, section in ordered:
        cost = section_tokens(counter, section)
        if whole and cost <= room:
            kept.append(section)
            lines.append(BudgetLine(section=section.name, priority=section.priority, tokens_before=cost,
                                    tokens_after=cost, action="kept"))
            room -= cost
            continue
        cut = _cut(section, room, counter, secret_filter) if whole else None
        whole = False
        if cut is not None:
            kept.append(cut[0])
            room -= cut[1]
        lines.append(BudgetLine(section=section.name, priority=section.priority, tokens_before=cost,
                                tokens_after=cut[1] if cut else 0, action="cut" if cut else "dropped"))
    budget = Budget(limit_tokens=limit_tokens, used_tokens=limit_tokens - room, tokenizer=counter.name,
                    lines=tuple(lines))
    return replace(context, sections=tuple(kept)), budget


__all__ = ["CUT_MARKER", "EstimateTokenizer", "TiktokenTokenizer", "Tokenizer", "default_tokenizer", "fit_to_budget",
           "line_prefixes", "load_tiktoken", "section_tokens"]
