"""Documents and their renderers: text, markdown, llm and json."""

from __future__ import annotations

from collections.abc import Sequence

from perth.record import Record
from perth.text import escape_strings, is_clean, json_printable, printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMATS: tuple[str, ...] = ("text", "json", "markdown", "llm")


class Table(Record):
    """Rows under column headings."""

    columns: tuple[str, ...]
    rows: Sequence[Sequence[str]]
    title: str = ""


class Fields(Record):
    """``key: value`` pairs."""

    pairs: Sequence[tuple[str, str]]
    title: str = ""


class Items(Record):
    """A bulleted list; ``level`` is its heading's depth in markdown (3: part of the block above)."""

    items: Sequence[str]
    title: str = ""
    level: int = 2


class Note(Record):
    """A sentence: a hint, a count, a warning."""

    text: str


Block = Table | Fields | Items | Note


class Document(Record):
    """A view: ``data`` is the JSON contract (``schema`` is added), ``blocks`` the human form."""

    schema: str
    data: dict[str, Any]
    title: str = ""
    blocks: Sequence[Block] = ()

    def to_json(self) -> dict[str, Any]:
        """The JSON contract, ``schema`` first."""
        return {"schema": self.schema, **self.data}


def _text_table(table: Table) -> list[str]:
    widths = [len(c) for c in table.columns]
    rows = [[cell.replace("\n", " ") for cell in row] for row in table.rows]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=False)]
    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=False)).rstrip()
    return [line([c.upper() for c in table.columns]), *(line(r) for r in rows)]


def _text(doc: Document) -> str:
    out: list[str] = [doc.title] if doc.title else []
    for block in doc.blocks:
        if out and out[-1] != "":
            out.append("")
        if getattr(block, "title", ""):
            out.append(f"{block.title}:")  # type: ignore[union-attr]
        if isinstance(block, Table):
            out.extend(_text_table(block) if block.rows else ["(none)"])
        elif isinstance(block, Fields):
            width = max((len(k) for k, _ in block.pairs), default=0)
            out.extend(f"{(k + ':').ljust(width + 1)} {v}" for k, v in block.pairs)
        elif isinstance(block, Items):
            out.extend(f"  - {item}" for item in block.items) if block.items else out.append("  (none)")
        else:
            out.append(block.text)
    return "\n".join(out).rstrip()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(doc: Document) -> str:
    out: list[str] = [f"# {doc.title}", ""] if doc.title else []
    for block in doc.blocks:
        if getattr(block, "title", ""):
            out += [f"{'#' * getattr(block, 'level', 2)} {block.title}", ""]  # type: ignore[union-attr]
        if isinstance(block, Table):
            if block.rows:
                out.append("| " + " | ".join(block.columns) + " |")
                out.append("|" + "|".join("---" for _ in block.columns) + "|")
                out.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows)
            else:
                out.append("_none_")
        elif isinstance(block, Fields):
            out.extend(f"- **{k}**: {_md_cell(v)}" for k, v in block.pairs)
        elif isinstance(block, Items):
            out.extend(f"- {_md_cell(item)}" for item in block.items) if block.items else out.append("_none_")
        else:
            out.append(block.text)
        out.append("")
    return "\n".join(out).rstrip()


def _llm(doc: Document) -> str:
    out: list[str] = [f"## {doc.title}"] if doc.title else []
    for block in doc.blocks:
        title = getattr(block, "title", "")
        if isinstance(block, Table):
            if title:
                out.append(f"{title}:")
            keys = [c.lower().replace(" ", "_") for c in block.columns]
            out.extend("- " + "; ".join(f"{k}={v}" for k, v in zip(keys, row, strict=False) if v)
                       for row in block.rows)
        elif isinstance(block, Fields):
            out.append((f"{title}: " if title else "") + "; ".join(f"{k}={v}" for k, v in block.pairs if v))
        elif isinstance(block, Items):
            if block.items:
                out.append(f"{title}:" if title else "")
                out.extend(f"- {item}" for item in block.items)
        else:
            out.append(block.text)
    return "\n".join(line for line in out if line).rstrip()


def render(doc: Document, fmt: str) -> str:
    """Render a document in one of :data:`FORMATS`; no format passes a terminal control through
    (text, markdown and llm show them as ``\\xNN``, JSON as ``\\uNNNN`` escapes)."""
    if fmt == "json":
        import json  # only for this format: a text view does without it

        text = json.dumps(doc.to_json(), ensure_ascii=False, indent=2)
        if not is_clean(text):
            text = json.dumps(escape_strings(doc.to_json()), ensure_ascii=False, indent=2)
        return json_printable(text)
    if fmt == "markdown":
        return printable(_markdown(doc))
    if fmt == "llm":
        return printable(_llm(doc))
    return printable(_text(doc))
