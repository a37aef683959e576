"""One section of the context block as text: its heading and its content in a code fence.

Shared by the prompt builder (which assembles the block) and the token budget (which measures
each section exactly as the prompt will carry it).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.summarize.model import Section


def fence_for(text: str, char: str = "`") -> str:
    """A code fence longer than any run of ``char`` that starts a line of ``text`` (at least 3)."""
    longest = 0
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        run = len(stripped) - len(stripped.lstrip(char))
        longest = max(longest, run)
    return char * max(3, longest + 1)


def section_heading(section: Section) -> str:
    """``## Title`` (``(truncated)`` when the content was cut)."""
    return f"## {section.title}" + (" (truncated)" if section.truncated else "")


def render_section(section: Section) -> str:
    """One section of the context block: its heading and its text in a code fence."""
    fence = fence_for(section.text)
    return f"{section_heading(section)}\n{fence}\n{section.text.rstrip(chr(10))}\n{fence}"
