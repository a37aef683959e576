"""The CloudEvents 1.0 envelope in JSON structured mode, built by hand for the hot path.

Attributes: ``specversion``, ``id`` (UUIDv7), ``source`` (``perth://<host>/<user>``), ``type``,
``time`` (RFC 3339, UTC, milliseconds), ``datacontenttype`` (``application/json``), ``data`` and the
extensions ``correlationid`` (one per Perth process, or ``$PERTH_CORRELATION_ID``) and
``sourceversion`` (Perth's version).

Why not the ``cloudevents`` SDK: ``perth log`` emits an event and must not import :mod:`json`,
pydantic or the SDK's modules (tests/e2e/test_hot_path.py); the envelope is eight fixed
attributes, so it is written here with :mod:`perth.events.wire`.  The tests parse every emitted
envelope with the SDK (``cloudevents.v1.http.from_json``) and check ``data`` against the type's
JSON Schema.
"""

from __future__ import annotations

import os
import time

from perth import __version__
from perth.events import wire
from perth.events.records import StoredEvent
from perth.events.types import CONTENT_TYPE, SPEC_VERSION
from perth.ids import uuid7

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from perth.events.types import EventData

_process: dict[str, str] = {}
_URI_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_~")


def _uri_part(text: str) -> str:
    return "".join(c if c in _URI_SAFE else "-" for c in text) or "unknown"


def _account() -> str:
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def source_uri(environ: Mapping[str, str]) -> str:
    """``perth://<host>/<user>``: the machine and account the event comes from."""
    user = environ.get("USER") or environ.get("LOGNAME") or _account()
    return f"perth://{_uri_part(os.uname().nodename)}/{_uri_part(user)}"


def correlation_id(environ: Mapping[str, str]) -> str:
    """``$PERTH_CORRELATION_ID``, else one id shared by every event of this process."""
    given = environ.get("PERTH_CORRELATION_ID")
    if given:
        return given
    return _process.setdefault("correlation", uuid7()) if "correlation" not in _process else _process["correlation"]


def rfc3339(ms: int) -> str:
    """UTC time with milliseconds: ``2026-12-03T07:51:57.123Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def build(event_type: str, data: EventData, *, at: int, environ: Mapping[str, str]) -> StoredEvent:
    """A new event of ``event_type`` carrying ``data``, with its envelope serialized."""
    event_id = uuid7()
    source = source_uri(environ)
    body = wire.dumps({
        "specversion": SPEC_VERSION, "id": event_id, "source": source, "type": event_type, "time": rfc3339(at),
        "datacontenttype": CONTENT_TYPE, "correlationid": correlation_id(environ),
        "sourceversion": __version__, "data": data,  # type: ignore[dict-item]  # Redacted values are str
    })
    return StoredEvent(id=event_id, type=event_type, source=source, time_ms=at, body=body)
