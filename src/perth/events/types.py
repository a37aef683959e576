"""Event types and the type of event data: text only as :class:`~perth.redact.Redacted`.

``EventData`` admits no plain ``str`` anywhere (``Redacted`` is a subclass of ``str``, not the
other way round), so mypy rejects a payload built from unfiltered text.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeAlias

    from perth.redact.redacted import Redacted

    #: A value inside ``data``: redacted text, numbers, booleans, null, lists and objects of them.
    EventValue: TypeAlias = Redacted | int | bool | list["EventValue"] | dict[str, "EventValue"] | None
    #: The ``data`` of an event.
    EventData: TypeAlias = dict[str, EventValue]
    #: Anything the wire encoder writes (the envelope's own attributes are plain strings).
    WireValue: TypeAlias = (str | int | bool | list["WireValue"] | tuple["WireValue", ...]
                            | dict[str, "WireValue"] | None)

#: Every event type Perth emits; each has ``schemas/<type>.json`` describing its ``data``.
EVENT_TYPES: tuple[str, ...] = (
    "perth.pane.created",
    "perth.pane.closed",
    "perth.intent.logged",
    "perth.command.captured",
    "perth.snapshot.created",
    "perth.session.restored",
    "perth.summary.created",
    "perth.journal.appended",
    "perth.shellperf.classified",
    "perth.code.indexed",
    "perth.job.finished",
)

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
