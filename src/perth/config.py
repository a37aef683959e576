"""Typed, layered configuration.

Precedence, lowest first: built-in defaults < ``config.toml`` < environment
variables ``PERTH_<SECTION>__<KEY>`` < command-line flags (``--set KEY=VALUE``,
``--format``).  Every key is declared once in :data:`KEYS` with its type, default,
accepted values and help; loading validates every layer against it and names the
key, the accepted values and where the bad value came from.
"""

from __future__ import annotations

import os

from perth.errors import ConfigError, NotFoundError
from perth.paths import PerthPaths
from perth.record import Record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, Literal

    Source = Literal["default", "file", "env", "flag"]
    Kind = Literal["str", "int", "bool", "list", "choice"]
    ConfigValue = str | int | bool | tuple[str, ...]
ENV_PREFIX = "PERTH_"


class KeySpec(Record):
    """One configuration key: its type, default, constraints and help text."""

    key: str
    kind: Kind
    default: ConfigValue
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    secret: bool = False

    @property
    def section(self) -> str:
        """The TOML table the key lives in."""
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        """The key's name within its table."""
        return self.key.split(".", 1)[1]

    @property
    def env_var(self) -> str:
        """The environment variable that sets this key."""
        return f"{ENV_PREFIX}{self.section.upper()}__{self.name.upper()}"

    def accepted(self) -> str:
        """A human description of the accepted values."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "int":
            return "an integer" + (f" >= {self.minimum}" if self.minimum is not None else "")
        if self.kind == "bool":
            return "true or false"
        if self.kind == "list":
            return "a list of strings (TOML array; comma-separated in env and flags)"
        return "a string"


KEYS: tuple[KeySpec, ...] = (
    KeySpec("store.path", "str", "", "SQLite data file; empty means <data dir>/perth.db."),
    KeySpec("store.url", "str", "",
            "A shared store instead of the SQLite file: postgresql://user@host:5432/db or"
            " redis://host:6379/0 (perth[team]); a password in it is masked, $PGPASSWORD and ~/.pgpass work too."),
    KeySpec("store.pg_driver", "choice", "auto",
            "How Perth talks to a PostgreSQL store.url: wire (its own client of the protocol, standard library"
            " only, fast to start), psycopg (perth[team]; everything libpq does: service files, client"
            " certificates, several hosts, Unix sockets, GSSAPI), or auto (wire unless the URL needs libpq).",
            choices=("auto", "wire", "psycopg")),
    KeySpec("store.busy_timeout_ms", "int", 5000,
            "How long a writer waits for another writer before giving up.", minimum=0),
    KeySpec("store.encryption", "choice", "off",
            "Encryption at rest of the SQLite file: sqlcipher (perth[crypt]; key from $PERTH_STORE_KEY or the OS"
            " keyring; set by `perth store encrypt`) or off.", choices=("off", "sqlcipher")),
    KeySpec("store.multi_user", "bool", False,
            "The store is shared by several users (docs/team.md): every pane, entry and command carries its"
            " owner, each user reads their own and their teams' shared panes; every command needs store.token."),
    KeySpec("store.token", "str", "", "Your token on a multi-user store (`perth token create YOU`, from an"
            " admin); $PERTH_STORE__TOKEN works too.", secret=True),
    KeySpec("output.format", "choice", "text", "Default output format of read commands.",
            choices=("text", "json", "markdown", "llm")),
    KeySpec("panes.auto_create", "bool", True,
            "Create the automatic pane (named from repo and branch, or the cwd) on first use."),
    KeySpec("history.limit", "int", 20, "Default page size of `perth history`.", minimum=1),
    KeySpec("status.git_timeout_ms", "int", 2000,
            "Time limit for each git call made by `perth status`.", minimum=1),
    KeySpec("status.max_dirty_files", "int", 10, "Dirty files listed per pane in `perth status`.",
            minimum=0),
    KeySpec("status.next_steps", "int", 3, "Next-step entries shown per pane in `perth status`.",
            minimum=0),
    KeySpec("capture.ignore_commands", "list", (),
            "Regular expressions: matching commands are not stored (searched anywhere in the line)."),
    KeySpec("capture.ignore_dirs", "list", (),
            "Directories (and everything below them) whose commands are not stored; ~ is expanded."),
    KeySpec("capture.auto_ingest_budget_ms", "int", 250,
            "Time each perth command may spend ingesting waiting spool lines first; 0 turns it off.", minimum=0),
    KeySpec("capture.ingest_interval_s", "int", 5, "How often `perth daemon` ingests the spool.", minimum=1),
    KeySpec("daemon.command_server", "bool", True,
            "Whether `perth daemon` keeps a warm process that runs `perth search`, `history`, `show`, `status`"
            " and `log` for the shell (they then skip Python's imports); PERTH_COMMAND_SERVER=0 bypasses it."),
    KeySpec("capture.partial_grace_s", "int", 600,
            "How long an incomplete spool line may wait for its end before it is quarantined.", minimum=1),
    KeySpec("log.file", "str", "",
            "JSON-lines log file; empty disables file logging. Relative paths are under the state dir."),
    KeySpec("log.level", "choice", "info", "Lowest level written to the log file.",
            choices=("debug", "info", "warning", "error")),
    KeySpec("trace.exporter", "choice", "none",
            "OpenTelemetry spans of LLM calls and context collection: none, console (JSON on stderr) or otlp "
            "(OTLP/HTTP); console and otlp need perth[otel].", choices=("none", "console", "otlp")),
    KeySpec("trace.endpoint", "str", "",
            "OTLP/HTTP traces address; empty means $OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, "
            "$OTEL_EXPORTER_OTLP_ENDPOINT or http://localhost:4318/v1/traces."),
    KeySpec("redact.enabled", "bool", True,
            "Redact secrets before storing and displaying. LLM and event paths always redact."),
    KeySpec("redact.extra_patterns", "list", (),
            "Extra regular expressions treated as secrets (rule id custom-<n>)."),
    KeySpec("redact.allow_patterns", "list", (),
            "Regular expressions whose matches are never redacted."),
    # --- shellperf (C8: shell start-up performance)
    KeySpec("shellperf.shell", "choice", "zsh", "Shell measured by `perth shellperf` when --shell is not given.",
            choices=("zsh", "bash", "fish")),
    KeySpec("shellperf.samples", "int", 10, "Counted samples per run (-n).", minimum=1),
    KeySpec("shellperf.warmup", "int", 1, "Discarded warm-up starts before the samples.", minimum=0),
    KeySpec("shellperf.spawns", "int", 5,
            "Starts per sample (--spawns): each metric of a sample is the median of its starts.", minimum=1),
    KeySpec("shellperf.timeout_ms", "int", 10000,
            "Per-sample time limit; what is not seen by then is recorded as missing.", minimum=100),
    KeySpec("shellperf.warn_percent", "int", 10, "A slower median by more than this percent is WARN.", minimum=0),
    KeySpec("shellperf.fail_percent", "int", 25, "A slower median by more than this percent is FAIL.", minimum=0),
    KeySpec("shellperf.floor_ms", "int", 1,
            "Deltas at or below this many milliseconds are never WARN or FAIL.", minimum=0),
    KeySpec("shellperf.noise_factor", "int", 3,
            "Deltas at or below this many MADs (median absolute deviations) are noise.", minimum=0),
    KeySpec("shellperf.budget_stage", "choice", "final", "Which budgets gate: interim or final.",
            choices=("interim", "final")),
    KeySpec("shellperf.budgets_final", "list",
            ("first_prompt_ms=50", "first_command_ms=150", "command_lag_ms=10", "input_lag_ms=20"),
            "Final budgets in ms: METRIC=MS or segment:NAME=MS (perception thresholds by default)."),
    KeySpec("shellperf.budgets_interim", "list",
            ("first_prompt_ms=100", "first_command_ms=300", "command_lag_ms=20", "input_lag_ms=40"),
            "Interim budgets in ms while a configuration is being slimmed down (same syntax)."),
    KeySpec("shellperf.mode", "choice", "observe",
            "Governance: observe (exit 0), warn (exit 0, warnings), gate (exit 5), auto (the recommendation).",
            choices=("observe", "warn", "gate", "auto")),
    KeySpec("shellperf.profile", "choice", "streak",
            "Goal profile of `run`: explore (not recorded), streak, governance or ci (strict).",
            choices=("explore", "streak", "governance", "ci")),
    KeySpec("shellperf.stable_runs", "int", 3,
            "Stable runs in a row (RSD within stable_rsd_percent) before warn is recommended.", minimum=1),
    KeySpec("shellperf.clean_runs", "int", 3, "Clean runs in a row under warn before gate is recommended.",
            minimum=1),
    KeySpec("shellperf.stable_rsd_percent", "int", 5, "Largest RSD of a metric in a stable run.", minimum=0),
    KeySpec("shellperf.baseline", "str", "",
            "Baseline compared with by default; empty means the newest baseline of the run's scope."),
    # --- mux (C6: terminal workspaces)
    KeySpec("mux.driver", "choice", "auto", "Multiplexer used by snapshot/restore: auto (from the environment), tmux"
            " or zellij.", choices=("auto", "tmux", "zellij")),
    KeySpec("mux.tmux_socket_name", "str", "", "tmux -L socket name; empty means the default server."),
    KeySpec("mux.tmux_socket_path", "str", "", "tmux -S socket path (wins over the name)."),
    KeySpec("mux.timeout_ms", "int", 5000, "Time limit of each multiplexer call.", minimum=1),
    KeySpec("mux.scrollback_lines", "int", 0, "Scrollback lines kept per pane in a snapshot (0: none).", minimum=0),
    KeySpec("mux.restore_commands", "list",
            ("vim", "nvim", "vi", "emacs", "nano", "hx", "less", "more", "man", "tail -f", "tail -F", "htop", "top"),
            "Command prefixes re-run by `perth restore`; other commands are typed but not executed."),
    KeySpec("mux.autosave_interval_s", "int", 900, "How often `perth daemon` autosaves a snapshot (0: never).",
            minimum=0),
    KeySpec("mux.keep", "int", 20, "`perth snapshot prune` always keeps at least this many snapshots.", minimum=0),
    KeySpec("mux.prune_days", "int", 14, "`perth snapshot prune` drops automatic snapshots older than this.",
            minimum=0),
    KeySpec("context.commands", "int", 30, "Recent commands of the pane in a context block.", minimum=0),
    KeySpec("context.intents", "int", 10, "Recent intent entries of the pane in a context block.", minimum=0),
    KeySpec("context.commits", "int", 10, "Recent commits in a context block.", minimum=0),
    KeySpec("context.files", "int", 30, "Recently modified files listed in a context block.", minimum=0),
    KeySpec("context.file_depth", "int", 4, "How deep the recently-modified-files walk descends.", minimum=0),
    KeySpec("context.diff_bytes", "int", 24000, "Largest diff (bytes) a context block includes.", minimum=0),
    KeySpec("context.section_bytes", "int", 16000, "Largest size (bytes) of any other context section.",
            minimum=256),
    KeySpec("context.collector_timeout_ms", "int", 3000,
            "Time limit of context collection; a slower collector is cut off and reported.", minimum=1),
    KeySpec("llm.chain", "list", ("none",),
            "Providers tried in order (fallback chain), e.g. [\"anthropic\", \"ollama\", \"none\"]."
            " Known: anthropic, openai, ollama, none."),
    KeySpec("llm.connect_timeout_s", "int", 30, "Time limit to connect to a provider.", minimum=1),
    KeySpec("llm.read_timeout_s", "int", 30, "Time limit of each read from a provider.", minimum=1),
    KeySpec("llm.total_timeout_s", "int", 120, "Time limit of one whole provider request.", minimum=1),
    KeySpec("llm.retries", "int", 2, "Retries after a timeout, connection error, 429 or 5xx (never 400/401/403).",
            minimum=0),
    KeySpec("llm.backoff_ms", "int", 500, "First retry delay; doubles each retry, with jitter.", minimum=0),
    KeySpec("llm.backoff_max_ms", "int", 8000, "Longest retry delay (a longer Retry-After is not waited for).",
            minimum=0),
    KeySpec("llm.breaker_threshold", "int", 3, "Consecutive failures that open a provider's circuit breaker.",
            minimum=1),
    KeySpec("llm.breaker_cooldown_s", "int", 300, "How long an open breaker fails fast before one trial call.",
            minimum=0),
    KeySpec("llm.max_context_tokens", "int", 6000, "Token budget of the context sent to a provider.",
            minimum=200),
    KeySpec("llm.max_output_tokens", "int", 600, "Longest reply asked of a provider.", minimum=16),
    KeySpec("llm.anthropic_model", "str", "claude-sonnet-4-5", "Anthropic model."),
    KeySpec("llm.anthropic_base_url", "str", "https://api.anthropic.com", "Anthropic API address."),
    KeySpec("llm.anthropic_api_key", "str", "", "Anthropic API key; empty means $ANTHROPIC_API_KEY.", secret=True),
    KeySpec("llm.openai_model", "str", "gpt-4o-mini", "OpenAI (or compatible) model."),
    KeySpec("llm.openai_base_url", "str", "https://api.openai.com/v1",
            "OpenAI-compatible API address (vLLM, LM Studio, OpenRouter...), ending before /chat/completions."),
    KeySpec("llm.openai_api_key", "str", "", "OpenAI API key; empty means $OPENAI_API_KEY (none for local servers).",
            secret=True),
    KeySpec("llm.ollama_model", "str", "llama3.2", "Ollama model."),
    KeySpec("llm.ollama_base_url", "str", "http://127.0.0.1:11434", "Ollama server address."),
    KeySpec("code.max_file_bytes", "int", 1_000_000, "Files larger than this (bytes) are not indexed.", minimum=1),
    KeySpec("code.workers", "int", 0, "Worker processes that parse files (0: one per CPU).", minimum=0),
    KeySpec("code.poll_interval_s", "int", 60,
            "How often `perth daemon` checks each code repository for changes (0: never).", minimum=0),
    KeySpec("code.poll_jitter_pct", "int", 20,
            "Fixed per-repository shift of the polling times, in percent of the interval.", minimum=0),
    KeySpec("code.breaker_threshold", "int", 3, "Consecutive failed index runs that open a repository's breaker.",
            minimum=1),
    KeySpec("code.breaker_cooldown_s", "int", 600, "How long an open repository breaker skips the repository.",
            minimum=0),
    KeySpec("ops.concurrency", "int", 2, "Jobs `perth worker run` runs at once.", minimum=1),
    KeySpec("ops.daemon_concurrency", "int", 1, "Jobs `perth daemon` runs at once (0: the daemon runs no jobs).",
            minimum=0),
    KeySpec("ops.lease_s", "int", 30,
            "How long a job's lease lasts without a heartbeat; a dead worker's job is re-leased after it.",
            minimum=1),
    KeySpec("ops.poll_ms", "int", 500, "How often an idle worker looks for due jobs.", minimum=10),
    KeySpec("ops.max_attempts", "int", 3, "Attempts of a job before it is dead-lettered (1: no retry).", minimum=1),
    KeySpec("ops.timeout_s", "int", 3600, "Time limit of one attempt of a job.", minimum=1),
    KeySpec("ops.backoff_ms", "int", 1000, "First retry delay of a failed job; doubles each retry, with jitter.",
            minimum=0),
    KeySpec("ops.backoff_max_ms", "int", 60000, "Longest retry delay of a failed job.", minimum=0),
    KeySpec("ops.breaker_threshold", "int", 5, "Consecutive failures that open a job target's circuit breaker.",
            minimum=1),
    KeySpec("ops.breaker_cooldown_s", "int", 60, "How long an open target breaker fails fast.", minimum=0),
    KeySpec("ops.ssh_host_keys", "choice", "strict",
            "Unknown SSH host keys: strict refuses them, accept-new records them on first use.",
            choices=("strict", "accept-new")),
    KeySpec("ops.ssh_connect_timeout_s", "int", 10, "Time limit to connect to an SSH host.", minimum=1),
    KeySpec("ops.backup_dir", "str", "", "Where backup jobs keep backups; empty means <data dir>/backups."),
    KeySpec("ops.celery_broker", "str", "amqp://127.0.0.1:5672//",
            "Celery broker of `--engine celery` (RabbitMQ); a password in it is kept out of every display.",
            secret=True),
    KeySpec("ops.celery_backend", "str", "redis://127.0.0.1:6379/0",
            "Celery result backend (Redis, or db+postgresql://...).", secret=True),
    KeySpec("ops.celery_queue", "str", "perth.jobs", "Celery queue that jobs are sent to and workers consume."),
    KeySpec("ops.output_limit_kb", "int", 64,
            "Output a job record keeps (the tail); the full output goes to the job's private file.", minimum=1),
    KeySpec("ops.env_allow", "list", ("PATH", "HOME", "LANG", "LC_ALL", "TERM", "USER", "LOGNAME", "SHELL", "TMPDIR"),
            "Environment variables every local job gets; add more per job with --env NAME."),
    KeySpec("journal.idle_gap_min", "int", 30, "Idle minutes that end one work session and start the next.",
            minimum=1),
    KeySpec("events.transports", "list", (),
            "Where events are delivered: any of rabbitmq, nats, mqtt, redis, webhook (needs perth[brokers])."),
    KeySpec("events.max_attempts", "int", 10,
            "Attempts at an event a transport refuses before it moves to the dead-letter table.", minimum=1),
    KeySpec("events.batch_size", "int", 500, "Events published per batch (one confirm round).", minimum=1),
    KeySpec("events.flush_interval_s", "int", 2, "How often `perth daemon` drains the outbox.", minimum=1),
    KeySpec("events.retention_days", "int", 30,
            "Delivered events older than this are pruned from the outbox (replay reaches back this far).",
            minimum=1),
    KeySpec("events.retries", "int", 2, "Immediate retries of a failed batch (then the transport backs off).",
            minimum=0),
    KeySpec("events.backoff_ms", "int", 200, "First retry delay; doubles each retry, with full jitter.", minimum=0),
    KeySpec("events.backoff_max_ms", "int", 30000, "Longest delay between attempts at a transport.", minimum=0),
    KeySpec("events.breaker_threshold", "int", 3, "Consecutive failed rounds that open a transport's breaker.",
            minimum=1),
    KeySpec("events.breaker_cooldown_s", "int", 30, "How long an open transport breaker fails fast.", minimum=0),
    KeySpec("events.timeout_s", "int", 10, "Time limit to connect to a broker and for each confirm round.",
            minimum=1),
    KeySpec("events.rabbitmq_url", "str", "amqp://guest:guest@127.0.0.1:5672/",
            "RabbitMQ address (amqps:// for TLS); the password is masked by `perth config show`."),
    KeySpec("events.rabbitmq_exchange", "str", "perth.events",
            "Durable topic exchange; the routing key is the event type."),
    KeySpec("events.rabbitmq_tls_ca", "str", "", "CA file that signs the broker's certificate (amqps://)."),
    KeySpec("events.rabbitmq_tls_cert", "str", "", "Client certificate file for TLS client authentication."),
    KeySpec("events.rabbitmq_tls_key", "str", "", "Client key file for TLS client authentication."),
    KeySpec("events.nats_url", "str", "nats://127.0.0.1:4222", "NATS server address (JetStream enabled)."),
    KeySpec("events.nats_stream", "str", "perth-events", "JetStream stream, created when missing."),
    KeySpec("events.nats_subject", "str", "perth.events",
            "Subject prefix: an event goes to <prefix>.<type>; the stream takes <prefix>.>."),
    KeySpec("events.mqtt_url", "str", "mqtt://127.0.0.1:1883", "MQTT broker address (mqtts:// for TLS)."),
    KeySpec("events.mqtt_topic", "str", "perth/events",
            "Topic prefix: an event goes to <prefix>/<type with dots as slashes>, QoS 1."),
    KeySpec("events.redis_url", "str", "redis://127.0.0.1:6379/0", "Redis address (rediss:// for TLS)."),
    KeySpec("events.redis_stream", "str", "perth:events", "Redis stream key events are added to (XADD)."),
    KeySpec("events.redis_maxlen", "int", 100000, "Approximate length the stream is trimmed to (MAXLEN ~).",
            minimum=1),
    KeySpec("events.webhook_url", "str", "", "Address events are POSTed to, one request per event."),
    KeySpec("events.webhook_secret", "str", "",
            "HMAC-SHA256 key of the Perth-Signature header; required with the webhook transport.", secret=True),
    KeySpec("events.webhook_tolerance_s", "int", 300,
            "Replay window: receivers refuse signatures older than this.", minimum=1),
    KeySpec("search.mode", "choice", "fts", "Default ranking of `perth search`: fts (BM25), vector or hybrid.",
            choices=("fts", "vector", "hybrid")),
    KeySpec("search.recency_boost_pct", "int", 30,
            "Largest recency boost of a search hit in percent (a brand-new hit's BM25 x 1.30).", minimum=0),
    KeySpec("search.importance_boost_pct", "int", 50,
            "Largest importance boost in percent (milestones and decisions; blockers and failures get part).",
            minimum=0),
    KeySpec("search.decay_days", "int", 30, "Half-life in days of the recency boost (0: no recency boost).",
            minimum=0),
    *(KeySpec(f"search.decay_days_{kind}", "int", -1,
              f"Half-life of the recency boost of {kind} hits in days (-1: search.decay_days, 0: none).",
              minimum=-1) for kind in ("command", "intent", "journal", "snapshot", "code")),
    *(KeySpec(f"search.expire_days_{kind}", "int", 0,
              f"Leave {kind} hits older than this many days out of search (0: never; the store keeps them).",
              minimum=0) for kind in ("command", "intent", "journal", "snapshot", "code")),
    KeySpec("search.journal_days", "int", 365, "How many days of journal sessions the search index covers.",
            minimum=1),
    KeySpec("search.model_path", "str", "",
            "Directory of a model2vec static embedding model for vector and hybrid search ([semantic] extra)."),
    KeySpec("search.rrf_k", "int", 60, "The k of reciprocal rank fusion in hybrid search.", minimum=1),
    KeySpec("search.sync_interval_s", "int", 10,
            "How often `perth daemon` copies new records into the search index (0: only searches do).", minimum=0),
    KeySpec("mcp.host", "str", "127.0.0.1", "Address `perth mcp --http` binds to."),
    KeySpec("mcp.port", "int", 8765, "Port of `perth mcp --http`.", minimum=0),
    KeySpec("mcp.token", "str", "", "Bearer token of `perth mcp --http` (generated on first use).", secret=True),
    KeySpec("mcp.page_size", "int", 20, "Results per page of the MCP tools.", minimum=1),
    KeySpec("web.host", "str", "127.0.0.1", "Address `perth serve` binds to (beyond loopback every request needs"
            " the token)."),
    KeySpec("web.port", "int", 8766, "Port of `perth serve`.", minimum=0),
    KeySpec("web.token", "str", "", "Bearer token of `perth serve` (generated on first use).", secret=True),
)
KEY_INDEX: dict[str, KeySpec] = {spec.key: spec for spec in KEYS}
SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(spec.section for spec in KEYS))


class StoreSettings(Record):
    """``[store]``: where and how data is kept."""

    path: str
    busy_timeout_ms: int
    url: str = ""
    encryption: str = "off"
    multi_user: bool = False
    pg_driver: str = "auto"


class OutputSettings(Record):
    """``[output]``: how results are printed."""

    format: str


class RedactSettings(Record):
    """``[redact]``: the secret filter's user settings."""

    enabled: bool
    extra_patterns: tuple[str, ...]
    allow_patterns: tuple[str, ...]


class LogSettings(Record):
    """``[log]``: the optional JSON-lines log file."""

    file: str
    level: str


class Settings(Record):
    """The effective configuration, one attribute per section."""

    values: Mapping[str, ConfigValue]
    sources: Mapping[str, Source]
    store: StoreSettings
    output: OutputSettings
    redact: RedactSettings
    log: LogSettings
    config_file: str
    paths: PerthPaths
    #: Keys (file) and variables (environment) this Perth does not know, each with how to fix it:
    #: ignored, so a typo or a newer version's key never stops a command; warned once on stderr by
    #: the CLI, and a failed check of ``perth doctor``.
    unknown: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> ConfigValue:
        """The effective value of a dotted key."""
        return self.values[spec_for(key).key]

    def get_int(self, key: str) -> int:
        """The effective value of an integer key."""
        value = self.get(key)
        assert isinstance(value, int)  # noqa: S101 - guaranteed by validation
        return value

    def get_bool(self, key: str) -> bool:
        """The effective value of a boolean key."""
        return bool(self.get(key))


def spec_for(key: str) -> KeySpec:
    """The spec of a dotted key, or a :class:`NotFoundError` suggesting the closest key."""
    spec = KEY_INDEX.get(key)
    if spec is None:
        raise NotFoundError(f"unknown config key {key!r}", _suggest(key))
    return spec


def _suggest(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(KEY_INDEX), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return hint + "run `perth config show` to list every key"


def parse_text(spec: KeySpec, text: str, origin: str) -> ConfigValue:
    """Convert a string (environment variable or flag) into the key's type."""
    if spec.kind == "bool":
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise _bad(spec, text, origin)
    if spec.kind == "int":
        try:
            return check_value(spec, int(text.strip()), origin)
        except ValueError:
            raise _bad(spec, text, origin) from None
    if spec.kind == "list":
        stripped = text.strip()
        if stripped.startswith("["):
            import json

            try:
                loaded = json.loads(stripped)
            except json.JSONDecodeError:
                raise _bad(spec, text, origin) from None
            return check_value(spec, loaded, origin)
        return tuple(part.strip() for part in stripped.split(",") if part.strip())
    return check_value(spec, text, origin)


def check_value(spec: KeySpec, value: object, origin: str) -> ConfigValue:
    """Validate a typed value (from TOML or converted text) against the key's spec."""
    if spec.kind == "bool" and isinstance(value, bool):
        return value
    if spec.kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        if spec.minimum is not None and value < spec.minimum:
            raise _bad(spec, value, origin)
        return value
    if spec.kind == "list" and isinstance(value, list | tuple) and all(isinstance(i, str) for i in value):
        return tuple(value)
    if spec.kind == "str" and isinstance(value, str):
        return value
    if spec.kind == "choice" and value in spec.choices:
        assert isinstance(value, str)  # noqa: S101 - choices are strings
        return value
    raise _bad(spec, value, origin)


def _bad(spec: KeySpec, value: object, origin: str) -> ConfigError:
    import json

    shown = value if isinstance(value, str) else json.dumps(value, default=str)
    return ConfigError(
        f"{spec.key} must be {spec.accepted()} (got {shown!r} from {origin})",
        f"fix it with `perth config set {spec.key} VALUE` or `perth config unset {spec.key}`",
    )


def read_config_file(path: str) -> dict[str, Any]:
    """Parse ``config.toml``; a missing file is empty, an invalid one is a :class:`ConfigError`."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise ConfigError(f"{path} is a directory, not a config file", "remove or rename it") from None
    except PermissionError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}", "fix its permissions") from exc
    import tomllib

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text", "save it as UTF-8 or move it aside") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML ({exc})",
            "fix the file, or move it aside and use `perth config set`",
        ) from None


def _file_values(document: Mapping[str, Any], path: str,
                 unknown: list[tuple[str, str]]) -> dict[str, ConfigValue]:
    values: dict[str, ConfigValue] = {}
    for section, table in document.items():
        if not isinstance(table, dict):
            dotted = f"{section}.*" if section in SECTIONS else section
            raise ConfigError(
                f"{path}: {section!r} must be a table like [{section}]",
                f"move the setting under a section; valid keys look like {dotted}",
            )
        for name, value in table.items():
            key = f"{section}.{name}"
            if key not in KEY_INDEX:
                unknown.append((f"unknown config key {key!r} in {path} (ignored)", _suggest(key)))
                continue
            values[key] = check_value(KEY_INDEX[key], value, path)
    return values


def _env_values(environ: Mapping[str, str], unknown: list[tuple[str, str]]) -> dict[str, ConfigValue]:
    by_env = {spec.env_var: spec for spec in KEYS}
    values: dict[str, ConfigValue] = {}
    for name, text in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        spec = by_env.get(name)
        if spec is None:
            unknown.append((f"unknown configuration variable {name} (ignored)",
                            "unset it; variables are named PERTH_<SECTION>__<KEY>, e.g. PERTH_OUTPUT__FORMAT"))
            continue
        values[spec.key] = parse_text(spec, text, f"${name}")
    return values


def _flag_values(overrides: Mapping[str, str]) -> dict[str, ConfigValue]:
    return {spec_for(key).key: parse_text(spec_for(key), text, f"--set {key}")
            for key, text in overrides.items()}


def load_settings(
    paths: PerthPaths,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Settings:
    """Load and validate every layer, returning the effective settings."""
    env = os.environ if environ is None else environ
    config_file = paths.config_file
    values: dict[str, ConfigValue] = {spec.key: spec.default for spec in KEYS}
    sources: dict[str, Source] = dict.fromkeys(values, "default")
    unknown: list[tuple[str, str]] = []
    layers: tuple[tuple[Source, dict[str, ConfigValue]], ...] = (
        ("file", _file_values(read_config_file(config_file), config_file, unknown)),
        ("env", _env_values(env, unknown)),
        ("flag", _flag_values(overrides or {})),
    )
    for source, layer in layers:
        values.update(layer)
        sources.update(dict.fromkeys(layer, source))
    return replace(_build(values, sources, config_file, paths), unknown=tuple(unknown))


def _build(values: dict[str, ConfigValue], sources: dict[str, Source], config_file: str,
           paths: PerthPaths) -> Settings:
    def text(key: str) -> str:
        return str(values[key])

    def strings(key: str) -> tuple[str, ...]:
        value = values[key]
        return value if isinstance(value, tuple) else ()

    busy = values["store.busy_timeout_ms"]
    assert isinstance(busy, int)  # noqa: S101 - validated above
    return Settings(
        values=values,
        sources=sources,
        store=StoreSettings(path=text("store.path"), busy_timeout_ms=int(busy), url=text("store.url"),
                            encryption=text("store.encryption"), multi_user=bool(values["store.multi_user"]),
                            pg_driver=text("store.pg_driver")),
        output=OutputSettings(format=text("output.format")),
        redact=RedactSettings(enabled=bool(values["redact.enabled"]),
                              extra_patterns=strings("redact.extra_patterns"),
                              allow_patterns=strings("redact.allow_patterns")),
        log=LogSettings(file=text("log.file"), level=text("log.level")),
        config_file=config_file,
        paths=paths,
    )


def database_path(settings: Settings) -> str:
    """The SQLite data file the settings point at."""
    if settings.store.path:
        return os.path.abspath(os.path.expanduser(settings.store.path))
    return settings.paths.database


def _write_document(path: str, document: Mapping[str, Any]) -> None:
    import tomli_w

    from perth.files import write_atomic

    try:
        write_atomic(path, [tomli_w.dumps(dict(document))], mode=0o600)  # it may hold API keys
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}",
                          "check the directory's permissions and free space") from exc


def set_value(path: str, key: str, text: str) -> ConfigValue:
    """Validate ``text`` for ``key`` and write it to the config file atomically."""
    spec = spec_for(key)
    value = parse_text(spec, text, "the command line")
    document = read_config_file(path)
    _file_values(document, path, [])  # refuse to rewrite a file that is already invalid
    table = document.setdefault(spec.section, {})
    table[spec.name] = list(value) if isinstance(value, tuple) else value
    _write_document(path, document)
    return value


def unset_value(path: str, key: str) -> bool:
    """Remove ``key`` from the config file; returns whether it was there."""
    spec = spec_for(key)
    document = read_config_file(path)
    table = document.get(spec.section)
    if not isinstance(table, dict) or spec.name not in table:
        return False
    del table[spec.name]
    if not table:
        del document[spec.section]
    _write_document(path, document)
    return True
