"""The hand-written OpenAPI 3.1 description of the HTTP API (``/openapi.json``).

A test checks that it names every route of :mod:`perth.web.app` (reads and writes) and nothing else.
"""

from __future__ import annotations

from typing import Any


def _query(name: str, description: str, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": {"type": kind}, "description": description}


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


_LIMIT = {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1,
                                                                       "maximum": 500}}
_CURSOR = _query("cursor", "The next_cursor of the previous page.")
_NAME, _RUN, _STEP, _ID, _TRANSPORT = (_path(n) for n in ("name", "run", "step", "id", "transport"))
_REPO = _query("repo", "Repository name (default: the only one registered).")
_DOCUMENT = {"type": "object", "required": ["schema"], "properties": {
    "schema": {"type": "string", "description": "The versioned contract, e.g. perth.panes.v1."}}}
_READS: dict[str, tuple[str, str, list[dict[str, Any]]]] = {
    "/api/panes": ("listPanes", "Panes, most recently seen first (perth.pane_list.v1).", [_LIMIT, _CURSOR]),
    "/api/panes/{name}": ("getPane", "A pane and its recent intent entries (perth.pane.v1).", [_NAME]),
    "/api/panes/{name}/timeline": ("paneTimeline", "Intents and commands interleaved, newest first"
                                   " (perth.timeline.v1).", [
                                       _NAME, _LIMIT, _CURSOR, _query("kind", "intent or command (default: both)."),
                                       _query("failed", "1: only commands that failed."),
                                       _query("type", "Comma-separated intent types."),
                                       _query("since", "A time: 2h, yesterday, 2026-01-31..."),
                                       _query("until", "A time, as since.")]),
    "/api/search": ("search", "Memory search, BM25 (perth.search.v1).", [
        _query("q", "The words to look for."), _query("pane", "Only this pane."),
        _query("kind", "Comma-separated kinds: command, intent, session, snapshot."), _LIMIT, _CURSOR]),
    "/api/journal": ("journal", "The newest work sessions (perth.journal.v1).", [_LIMIT, _query("pane", "A pane.")]),
    "/api/handoff": ("handoff", "A pane's resume-here note (perth.handoff.v1).",
                     [_query("pane", "A pane (default: the one seen most recently).")]),
    "/api/snapshots": ("listSnapshots", "Workspace snapshots (perth.snapshot_list.v1).", [_LIMIT, _CURSOR]),
    "/api/snapshots/{name}": ("getSnapshot", "One snapshot (perth.snapshot.v1).", [_NAME]),
    "/api/snapshots/{name}/diff": ("diffSnapshots", "Changes from another snapshot (perth.snapshot_diff.v1).",
                                   [_NAME, _query("against", "The older snapshot (default: the previous one).")]),
    "/api/snapshots/{name}/restore-plan": ("restorePlan", "What `perth restore NAME` would do now, changing"
                                           " nothing (perth.restore.v1).", [_NAME]),
    "/api/shellperf": ("shellperfLedger", "Shell start-up runs and verdicts (perth.shellperf.ledger.v1).",
                       [_LIMIT, _CURSOR, _query("scope", "Only this scope.")]),
    "/api/jobs": ("listJobs", "Jobs, newest first (perth.job.list.v1).",
                  [_LIMIT, _CURSOR, _query("status", "Comma-separated statuses."), _query("kind", "A job kind.")]),
    "/api/jobs/{id}": ("getJob", "One job (perth.job.v1).", [_ID]),
    "/api/workflows": ("listWorkflowRuns", "Workflow runs, newest first (perth.workflow.list.v1).",
                       [_LIMIT, _CURSOR, _query("status", "Only this status.")]),
    "/api/workflows/{run}": ("getWorkflowRun", "A run and its steps (perth.workflow.run.v1).", [_RUN]),
    "/api/events": ("eventsStatus", "The events outbox and transports (perth.events.status.v1).", []),
    "/api/events/dead": ("deadLetters", "Dead-lettered events (perth.events.dlq.v1).",
                         [_query("transport", "Only this transport.")]),
    "/api/code/repos": ("codeRepos", "Indexed repositories (perth.code.status.v1).", []),
    "/api/code/find": ("codeFind", "Symbols by name or glob (perth.code.find.v1).",
                       [_REPO, _query("q", "A name, qualified name or glob."), _LIMIT]),
    "/api/code/symbol": ("codeSymbol", "A symbol, its callers and callees (perth.code.context.v1).",
                         [_REPO, _query("name", "A name or qualified name.")]),
    "/healthz": ("healthz", "The process answers.", []),
    "/readyz": ("readyz", "The store answers (503 when it does not).", []),
    "/metrics": ("metrics", "Prometheus text of what Perth records.", []),
}
_NOTE = {"type": "object", "properties": {"note": {"type": "string", "description": "Why (kept with the decision)."}}}
_WRITES: dict[str, tuple[str, str, str, list[dict[str, Any]]]] = {
    "/api/workflows/{run}/steps/{step}/approve": (
        "approveStep", "Approve a step waiting at its gate, as the token's user (perth.workflow.decision.v1).",
        "approve", [_RUN, _STEP]),
    "/api/workflows/{run}/steps/{step}/reject": (
        "rejectStep", "Reject a step waiting at its gate, as the token's user (perth.workflow.decision.v1).",
        "approve", [_RUN, _STEP]),
    "/api/jobs/{id}/retry": ("retryJob", "Queue a failed, dead or cancelled job again (perth.job.v1).", "operate",
                             [_ID]),
    "/api/events/dead/{transport}/{id}/retry": (
        "retryDeadLetter", "Publish a dead letter again (perth.events.dlq_change.v1).", "operate", [_TRANSPORT, _ID]),
    "/api/events/dead/{transport}/{id}/drop": (
        "dropDeadLetter", "Forget a dead letter (perth.events.dlq_change.v1).", "operate", [_TRANSPORT, _ID]),
}


def _read(operation_id: str, summary: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Document"}}}}}
    if parameters:
        responses["400"] = {"description": "Bad parameter (one-line error)."}
    if any(p["in"] == "path" for p in parameters):
        responses["404"] = {"description": "Not found."}
    responses["401"] = {"description": "A token is required (server bound beyond loopback)."}
    return {"get": {"operationId": operation_id, "summary": summary, "parameters": parameters,
                    "responses": responses}}


def _write(operation_id: str, summary: str, permission: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    return {"post": {
        "operationId": operation_id, "summary": f"{summary} Needs the {permission} permission.",
        "parameters": parameters, "security": [{"bearer": []}],
        "requestBody": {"required": False, "content": {"application/json": {"schema": _NOTE}}},
        "responses": {
            "200": {"description": "Done", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Document"}}}},
            "303": {"description": "A dashboard form: back to the page it came from."},
            "400": {"description": "A body that is not a JSON object."},
            "401": {"description": "No valid token."},
            "403": {"description": "The user's role lacks the permission, a missing CSRF token (cookie sign-in),"
                                   " or a cross-site request."},
            "404": {"description": "Not found."},
            "409": {"description": "Not in a state that allows it (already decided, not an approver, four eyes)."}}}}


def openapi() -> dict[str, Any]:
    """The OpenAPI document."""
    from perth import __version__

    return {
        "openapi": "3.1.0",
        "info": {"title": "Perth", "version": __version__,
                 "description": "Perth's HTTP API: the same JSON contracts as the CLI's --format json. Writes need"
                                " a bearer token whose user's role grants them (viewer, operator, approver,"
                                " admin; `perth user`, `perth token`)."},
        "paths": {**{path: _read(*spec) for path, spec in _READS.items()},
                  **{path: _write(*spec) for path, spec in _WRITES.items()}},
        "components": {"schemas": {"Document": _DOCUMENT},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{}, {"bearer": []}],
    }
