"""The hand-written OpenAPI 3.1 description of the JSON API (``/openapi.json``)."""

from __future__ import annotations

from typing import Any

_LIMIT = {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1,
                                                                       "maximum": 500}}
_CURSOR = {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
           "description": "The next_cursor of the previous page."}
_NAME = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
_DOCUMENT = {"type": "object", "required": ["schema"], "properties": {
    "schema": {"type": "string", "description": "The versioned contract, e.g. perth.panes.v1."}}}
_PATHS: dict[str, tuple[str, str, list[dict[str, Any]]]] = {
    "/api/panes": ("listPanes", "Panes, most recently seen first (perth.pane_list.v1).", [_LIMIT, _CURSOR]),
    "/api/panes/{name}": ("getPane", "A pane and its recent intent entries (perth.pane.v1).", [_NAME]),
    "/api/panes/{name}/timeline": ("paneTimeline", "Intents and commands interleaved, newest first"
                                   " (perth.timeline.v1).", [_NAME, _LIMIT, _CURSOR]),
    "/api/journal": ("journal", "The newest work sessions (perth.journal.v1).",
                     [_LIMIT, {"name": "pane", "in": "query", "required": False, "schema": {"type": "string"}}]),
    "/api/snapshots": ("listSnapshots", "Workspace snapshots (perth.snapshot_list.v1).", [_LIMIT, _CURSOR]),
    "/api/shellperf": ("shellperfLedger", "Shell start-up runs and verdicts (perth.shellperf.ledger.v1).",
                       [_LIMIT, _CURSOR, {"name": "scope", "in": "query", "required": False,
                                          "schema": {"type": "string"}}]),
    "/api/jobs": ("listJobs", "Jobs, newest first (perth.job.list.v1).",
                  [_LIMIT, _CURSOR, {"name": "status", "in": "query", "required": False,
                                     "schema": {"type": "string"}, "description": "Comma-separated statuses."}]),
    "/api/events": ("eventsStatus", "The events outbox and transports (perth.events.status.v1).", []),
    "/healthz": ("healthz", "The process answers.", []),
    "/readyz": ("readyz", "The store answers (503 when it does not).", []),
}


def _operation(operation_id: str, summary: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Document"}}}}}
    if parameters:
        responses["400"] = {"description": "Bad parameter (one-line error)."}
    if any(p["in"] == "path" for p in parameters):
        responses["404"] = {"description": "No such pane."}
    return {"get": {"operationId": operation_id, "summary": summary, "parameters": parameters,
                    "responses": responses}}


def openapi() -> dict[str, Any]:
    """The OpenAPI document."""
    from perth import __version__

    return {
        "openapi": "3.1.0",
        "info": {"title": "Perth", "version": __version__,
                 "description": "Perth's read API: the same JSON contracts as the CLI's --format json."},
        "paths": {path: _operation(*spec) for path, spec in _PATHS.items()},
        "components": {"schemas": {"Document": _DOCUMENT},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{}, {"bearer": []}],
    }
