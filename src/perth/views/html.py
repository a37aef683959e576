"""Any :class:`~perth.views.document.Document` as a server-rendered HTML page (the web dashboard)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import quote

from perth.views.document import Block, Document, Fields, Items, Table

NAV = (("/", "Panes"), ("/journal", "Journal"), ("/snapshots", "Snapshots"), ("/shellperf", "Shell start-up"),
       ("/jobs", "Jobs"), ("/workflows", "Workflows"), ("/events", "Events"), ("/code", "Code"), ("/docs", "API"))


def _table(table: Table, link: str | None) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)

    def cell(i: int, text: str) -> str:
        if i == 0 and link:
            return f'<td><a href="{escape(link.format(quote(text, safe="")))}">{escape(text)}</a></td>'
        return f"<td>{escape(text)}</td>"

    body = "".join("<tr>" + "".join(cell(i, str(c)) for i, c in enumerate(row)) + "</tr>" for row in table.rows)
    title = f"<h2>{escape(table.title)}</h2>" if table.title else ""
    return f"{title}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _block(block: Block, link: str | None) -> str:
    if isinstance(block, Table):
        return _table(block, link)
    if isinstance(block, Fields):
        rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in block.pairs)
        return (f"<h2>{escape(block.title)}</h2>" if block.title else "") + f"<dl>{rows}</dl>"
    if isinstance(block, Items):
        items = "".join(f"<li>{escape(i)}</li>" for i in block.items)
        return (f"<h2>{escape(block.title)}</h2>" if block.title else "") + f"<ul>{items}</ul>"
    return f'<p class="note">{escape(block.text)}</p>'


def html_page(doc: Document, *, link: str | None = None, extra: Sequence[str] = (), header: str = "") -> str:
    """The page: navigation (then ``header``), the document's title and blocks, then ``extra`` (already-safe HTML).

    ``link`` (a ``str.format`` pattern) turns the first column of tables into links.
    """
    nav = "".join(f'<a href="{href}">{escape(text)}</a>' for href, text in NAV)
    blocks = "".join(_block(b, link) for b in doc.blocks)
    title = escape(doc.title or "Perth")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} · Perth</title>'
            '<link rel="stylesheet" href="/static/perth.css"><link rel="icon" href="/static/favicon.svg">'
            f'</head><body><nav>{nav}{header}</nav><main>'
            f'<h1>{title}</h1>{blocks}{"".join(extra)}</main></body></html>')
