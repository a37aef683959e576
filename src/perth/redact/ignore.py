"""Path patterns for ``perth scan``: ``.gitignore`` files (outside git) and the ``.perthallow`` file.

Patterns follow gitignore rules: ``*`` and ``?`` stay within a path segment, ``**`` spans
segments, a pattern without a slash matches a name at any depth, a leading slash anchors it to
the folder of the file that defines it, a trailing slash matches folders only, ``!`` re-includes,
and the last matching pattern wins.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

_FINGERPRINT = re.compile(r"(?:fingerprint:|fp:)?([0-9a-f]{16})")
_RULE_GLOB = re.compile(r"([a-z0-9]+(?:-[a-z0-9]+){0,8}):(.+)")


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A gitignore-style glob as a regular expression over ``/``-separated relative paths."""
    anchored = "/" in pattern.rstrip("/")
    body = pattern.strip("/")
    out = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif body.startswith("/**", i) and i + 3 == len(body):
            out.append("/.*")
            i += 3
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        elif body[i] == "[" and "]" in body[i + 1:]:
            end = body.index("]", i + 1)
            content = body[i + 1:end].replace("\\", "\\\\")
            out.append("[" + ("^" + content[1:] if content.startswith("!") else content) + "]")
            i = end + 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(prefix + "".join(out) + "(?:/.*)?")


@dataclass(frozen=True)
class IgnorePattern:
    """One line of a ``.gitignore`` file."""

    base: str
    regex: re.Pattern[str]
    negate: bool
    directory_only: bool

    def matches(self, relative: str, is_dir: bool) -> bool:
        """Whether the pattern applies to ``relative`` (a path relative to the scan root)."""
        if self.base:
            if not relative.startswith(self.base + "/"):
                return False
            relative = relative[len(self.base) + 1:]
        if self.directory_only and not is_dir:
            return False
        return bool(self.regex.fullmatch(relative))


@dataclass
class GitIgnore:
    """The ``.gitignore`` patterns met while walking a tree outside a git repository."""

    patterns: list[IgnorePattern] = field(default_factory=list)

    def add_file(self, path: Path, base: str) -> None:
        """Read the patterns of ``path``; ``base`` is its folder relative to the scan root."""
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        for raw in lines:
            line = raw.rstrip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            line = line[1:] if negate else line
            if line.startswith(("\\#", "\\!")):
                line = line[1:]
            self.patterns.append(IgnorePattern(base, glob_regex(line), negate, line.endswith("/")))

    def ignored(self, relative: str, is_dir: bool) -> bool:
        """Whether ``relative`` or one of its folders is ignored (the last match decides)."""
        parts = relative.split("/")
        for depth in range(1, len(parts)):
            if self._decide("/".join(parts[:depth]), True):
                return True
        return self._decide(relative, is_dir)

    def _decide(self, relative: str, is_dir: bool) -> bool:
        verdict = False
        for pattern in self.patterns:
            if pattern.matches(relative, is_dir):
                verdict = not pattern.negate
        return verdict


@dataclass
class Allowlist:
    """The ``.perthallow`` file: which findings ``perth scan`` does not report.

    Each line is one of ``path-glob`` (skip matching files), ``rule-id:path-glob`` (skip that
    rule in matching files), or a 16-hex-digit fingerprint printed by ``perth scan`` (optionally
    written ``fingerprint:<hex>``).  ``#`` starts a comment."""

    paths: list[re.Pattern[str]] = field(default_factory=list)
    rules: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    fingerprints: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path | None) -> Allowlist:
        """Parse an allow-list file; a missing file allows nothing."""
        allow = cls()
        if path is None or not path.is_file():
            return allow
        for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
            allow.add(raw.split(" #", 1)[0].strip())
        return allow

    def add(self, line: str) -> None:
        """Add one entry (blank lines and comments are ignored)."""
        if not line or line.startswith("#"):
            return
        fingerprint = _FINGERPRINT.fullmatch(line)
        rule_glob = _RULE_GLOB.fullmatch(line)
        if fingerprint:
            self.fingerprints.add(fingerprint.group(1))
        elif rule_glob:
            self.rules.append((rule_glob.group(1), glob_regex(rule_glob.group(2))))
        else:
            self.paths.append(glob_regex(line))

    def skips_file(self, relative: str) -> bool:
        """Whether the whole file is allow-listed."""
        return any(regex.fullmatch(relative) for regex in self.paths)

    def permits(self, relative: str, rule_id: str, fingerprint: str) -> bool:
        """Whether a finding is allow-listed."""
        if fingerprint in self.fingerprints:
            return True
        return any(rule == rule_id and regex.fullmatch(relative) for rule, regex in self.rules)


def fingerprint(rule_id: str, relative: str, redacted_line: str) -> str:
    """A stable id for a finding, computed from its *redacted* line: it holds no secret."""
    digest = hashlib.sha256(f"{rule_id}\0{relative}\0{redacted_line.strip()}".encode())
    return digest.hexdigest()[:16]


__all__ = ["Allowlist", "GitIgnore", "IgnorePattern", "fingerprint", "glob_regex"]
