"""The store's ports: one small Protocol per capability, in that capability's terms."""

#: The ports a Store may offer, by attribute name; an adapter declares the ones it supports.
PORTS: tuple[str, ...] = ("panes", "entries", "commands", "redaction_stats", "shellperf", "snapshots",
                          "breakers", "llm_calls", "code", "outbox", "search_index", "jobs", "job_logs",
                          "workflows", "users")
