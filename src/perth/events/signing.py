"""Webhook signatures: HMAC-SHA256 over ``<timestamp>.<body>``, refused outside a replay window.

Headers of every webhook request::

    Perth-Event-Id: <the event id>
    Perth-Timestamp: <unix seconds when it was sent>
    Perth-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>

A receiver recomputes the HMAC over the raw body, compares in constant time, and refuses a
timestamp further than the tolerance from its own clock (a captured request cannot be replayed
later); it de-duplicates by event id within the window (:mod:`perth.events.consume`).
"""

from __future__ import annotations

import hashlib
import hmac

SCHEME = "v1"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Perth-Signature`` value of ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def headers(secret: str, timestamp: int, event_id: str, body: bytes) -> dict[str, str]:
    """Every header of one webhook request."""
    return {"Content-Type": "application/cloudevents+json; charset=utf-8", "Perth-Event-Id": event_id,
            "Perth-Timestamp": str(timestamp), "Perth-Signature": signature(secret, timestamp, body)}


def verify(secret: str, timestamp: str | None, given: str | None, body: bytes, *, now_s: int,
           tolerance_s: int) -> str | None:
    """Why a request must be refused, or None when its signature and timestamp hold."""
    if not timestamp or not given:
        return "missing Perth-Timestamp or Perth-Signature"
    if not timestamp.isdigit():
        return "Perth-Timestamp is not a number of seconds"
    if abs(now_s - int(timestamp)) > tolerance_s:
        return f"timestamp outside the {tolerance_s} s replay window"
    expected = signature(secret, int(timestamp), body)
    if not any(hmac.compare_digest(expected, part.strip()) for part in given.split(",")):
        return "signature does not match"
    return None
