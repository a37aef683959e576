"""``perth features import --zshrc FILE``: declarations proposed from an existing ``.zshrc``.

One feature per top-level plugin-manager line (zinit/zi, zplug, antigen, antibody, zgen/zgenom,
znap), ``source``/``.`` line, ``eval "$(tool init zsh)"`` line and ``compinit`` line, in the file's
order: each depends on the one before it, so the loader keeps that order until the user relaxes
it. A plain ``source FILE`` becomes ``source``; anything else becomes a ``snippet`` of the line as
written. Lines inside blocks (``if``, functions, loops) and every other line stay in the .zshrc;
the proposal lists them as comments. The proposal passes through the secret filter.
"""

from __future__ import annotations

import re
import shlex

from perth.errors import ConfigError, NotFoundError
from perth.features.model import NAME, RESERVED, SOURCE
from perth.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from perth.redact import Redacted
    from perth.runtime import Runtime

MANAGERS: tuple[str, ...] = ("zinit", "zi", "zplug", "antigen", "antibody", "zgen", "zgenom", "znap")
_SOURCE = re.compile(r"^(?:source|\.)\s+(?P<arg>\S+)\s*$")
_EVAL_INIT = re.compile(r"^eval\s+[\"']?\$\(\s*(?P<tool>[A-Za-z0-9_.-]+)")
_OPEN = re.compile(r"^(?:if|for|while|until|case|select|repeat)\b|(?:\{|\(\))\s*$|^function\b")
_CLOSE = re.compile(r"^(?:fi|done|esac|\})\b")


class ProposedFeature(Record):
    """One declaration proposed from a line."""

    name: str
    line: int
    text: str
    source: str | None = None
    snippet: str | None = None
    depends_on: tuple[str, ...] = ()


class ImportProposal(Record):
    """The features proposed from a .zshrc and the lines left in it."""

    path: str
    features: tuple[ProposedFeature, ...]
    kept: tuple[tuple[int, str], ...]


def _slug(text: str) -> str:
    base = text.rstrip("/").rsplit("/", 1)[-1].strip("\"'")
    base = re.sub(r"\.(?:plugin\.)?(?:zsh|sh)$", "", base).lstrip(".")
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", base).strip("-._")[:40]
    return base or "feature"


def _unique(name: str, taken: set[str]) -> str:
    candidate, index = name, 2
    while candidate in taken or candidate in RESERVED or not NAME.fullmatch(candidate):
        candidate = f"{name}-{index}" if NAME.fullmatch(f"{name}-{index}") else f"feature-{index}"
        index += 1
    taken.add(candidate)
    return candidate


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError:
        return line.split()


def _classify(line: str) -> tuple[str, str | None] | None:
    """``(name, plain source path or None)`` for a line that becomes a feature, else ``None``."""
    words = _words(line)
    if not words:
        return None
    match = _SOURCE.match(line)
    if match:
        arg = match.group("arg").strip("\"'")
        return _slug(arg), (arg if SOURCE.fullmatch(arg) else None)
    if words[0] in MANAGERS:
        targets = [w for w in words[1:] if "/" in w or "::" in w] or words[1:] or [words[0]]
        return _slug(targets[-1].replace("::", "/")), None
    if "compinit" in words and words[0] in ("compinit", "autoload"):
        return "compinit", None
    init = _EVAL_INIT.match(line)
    if init:
        return _slug(init.group("tool")), None
    sourced = re.search(r"(?:^|&&|\|\||;)\s*(?:source|\.)\s", line)
    return (_slug(words[-1]), None) if sourced else None


def propose(path: str, text: str) -> ImportProposal:
    """Proposals from the text of a .zshrc (top-level lines only)."""
    features: list[ProposedFeature] = []
    kept: list[tuple[int, str]] = []
    taken: set[str] = set()
    depth = 0
    ice = ""  # `zinit ice ...` modifies the next zinit line: they become one snippet
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        words = _words(line) if depth == 0 else []
        if words[:2] in (["zinit", "ice"], ["zi", "ice"]):
            ice += line + "; "
            continue
        found = _classify(line) if depth == 0 and not line.endswith("\\") else None
        depth = max(0, depth + (1 if _OPEN.search(line) else 0) - (1 if _CLOSE.match(line) else 0))
        if found is None:
            if line and not line.startswith("#"):
                kept.append((number, raw))
            continue
        name, source = found
        previous = (features[-1].name,) if features else ()
        features.append(ProposedFeature(name=_unique(name, taken), line=number, text=line, source=source,
                                        snippet=None if source else ice + line, depends_on=previous))
        ice = ""
    return ImportProposal(path=path, features=tuple(features), kept=tuple(kept))


def read_zshrc(path: str) -> ImportProposal:
    """Read a .zshrc and propose declarations."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except FileNotFoundError as exc:
        raise NotFoundError(f"no file {path}", "give the path of your .zshrc to --zshrc") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {path} ({exc.strerror})", "check the file's permissions") from exc
    return propose(path, text)


def proposal_text(rt: Runtime, path: str) -> tuple[ImportProposal, Redacted]:
    """The proposal for the .zshrc at ``path`` as a declarations file, through the secret filter (a .zshrc
    often exports tokens: the lines left in it are quoted in the proposal)."""
    proposal = read_zshrc(path)
    return proposal, rt.redact(to_toml(proposal), "features")


def to_toml(proposal: ImportProposal) -> str:
    """The proposal as a declarations file (``features.toml``), with the lines left as comments."""
    import tomli_w

    tables: dict[str, dict[str, object]] = {}
    for feature in proposal.features:
        table: dict[str, object] = {"description": f"line {feature.line} of {proposal.path}", "phase": "init"}
        table["source" if feature.source else "snippet"] = feature.source or feature.snippet or ""
        if feature.depends_on:
            table["depends_on"] = list(feature.depends_on)
        tables[feature.name] = table
    head = [f"# Proposed by `perth features import --zshrc {proposal.path}`: {len(proposal.features)} feature(s).",
            "# Each depends on the one before it, as the .zshrc ordered them; remove the links that are not",
            "# needed and move slow features to phase \"postprompt\" or \"idle\".", ""]
    body = tomli_w.dumps({"features": tables}) if tables else ""
    tail = ["", f"# {len(proposal.kept)} line(s) stay in the .zshrc (keep them, then source the loader):"]
    tail += [f"#   {number}: {line}" for number, line in proposal.kept]
    return "\n".join(head) + body + "\n".join(tail) + "\n"
