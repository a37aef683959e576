"""Realistic shell history for the benchmarks, generated (deterministically) at run time.

Real histories are not uniform: a few programs (``git``, ``cd``, ``ls``, ``vim``) make most of the
lines and a long tail appears once; arguments repeat (the same paths, branches and hosts come back)
yet most distinct words are rare; lines run from one word to long pipelines; some are multi-line
(heredocs, ``\\`` continuations); a few carry secrets; imported history is years old and mixed
with new lines.  :class:`HistoryCorpus` draws each of these from Zipf-like distributions so
that every benchmark measures the shape of text a user's history has, not a short list of words.
"""

from __future__ import annotations

import bisect
import itertools
import random
import string
import time

#: Programs by rough popularity (rank 1 first), each with subcommands or typical arguments.
PROGRAMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("git", ("status", "diff", "add", "commit -m", "push", "pull --rebase", "checkout", "switch", "log --oneline",
             "rebase -i", "stash", "stash pop", "fetch", "branch -d", "cherry-pick", "reset --hard", "blame",
             "show", "merge", "tag", "remote -v", "bisect", "worktree add")),
    ("cd", ()), ("ls", ("-la", "-lh", "-1", "-R")), ("vim", ()), ("make", ("test", "build", "lint", "run", "clean")),
    ("docker", ("ps", "compose up -d", "compose logs -f", "build -t", "run --rm -it", "exec -it", "images",
                "system prune", "pull", "push")),
    ("python", ("-m pytest -q", "-m pip install", "manage.py migrate", "manage.py runserver", "-c", "-m venv .venv")),
    ("kubectl", ("get pods", "get svc", "describe pod", "logs -f", "apply -f", "delete pod", "rollout status",
                 "port-forward", "config use-context", "exec -it")),
    ("grep", ("-rn", "-ri", "-l", "-v")), ("cat", ()), ("ssh", ()), ("npm", ("install", "run dev", "run build",
                                                                           "test", "ci", "outdated")),
    ("cargo", ("build", "test", "run", "clippy", "fmt", "add")), ("curl", ("-sS", "-fsSL", "-X POST", "-I")),
    ("rg", ()), ("tail", ("-f", "-n 200")), ("less", ()), ("rm", ("-rf", "-f")), ("mkdir", ("-p",)),
    ("terraform", ("plan", "apply", "init", "fmt", "validate", "state list")), ("go", ("test ./...", "build", "run",
                                                                                      "mod tidy")),
    ("pytest", ("-q", "-x", "-k", "--lf")), ("code", ()), ("htop", ()), ("tmux", ("attach", "ls", "new -s")),
    ("ansible-playbook", ("-i",)), ("psql", ("-h", "-c")), ("brew", ("install", "upgrade")), ("aws", (
        "s3 ls", "s3 cp", "ec2 describe-instances", "sts get-caller-identity", "logs tail")),
    ("helm", ("upgrade --install", "list", "template")), ("jq", ()), ("find", ()), ("sed", ("-i", "-n")),
    ("awk", ()), ("scp", ()), ("rsync", ("-avz", "-a --delete")), ("systemctl", ("status", "restart", "--user")),
    ("journalctl", ("-u", "-f")), ("gh", ("pr create", "pr view", "pr checkout", "run watch", "issue list")),
)

_SYLLABLES = ("ka", "to", "ri", "mo", "na", "le", "su", "pa", "de", "vi", "zo", "ex", "ar", "in", "on", "ul", "ch",
              "st", "tr", "pl", "bo", "ge", "fi", "nu", "ty", "ro", "mi", "sa", "qu", "ho")
_EXTENSIONS = (".py", ".ts", ".go", ".rs", ".md", ".yaml", ".json", ".toml", ".sh", ".sql", ".log", ".txt", "")
_SECRET_ALPHABET = string.ascii_letters + string.digits


class Zipf:
    """Ranks 1..n drawn with probability proportional to 1 / (rank + q)**s (Zipf-Mandelbrot; ``q``
    flattens the head), by inverse-CDF sampling."""

    def __init__(self, n: int, s: float, rng: random.Random, q: float = 0.0) -> None:
        self._rng = rng
        self._cumulative = list(itertools.accumulate(1.0 / (rank + q) ** s for rank in range(1, n + 1)))

    def draw(self) -> int:
        """A rank, 0-based."""
        return bisect.bisect_left(self._cumulative, self._rng.random() * self._cumulative[-1])


class HistoryCorpus:
    """Command lines, their start times and imported-history lines, reproducible from a seed."""

    def __init__(self, seed: int = 7, vocabulary: int = 50_000, multiline: float = 0.02) -> None:
        """``multiline``: the share of commands written on several lines (heredocs, ``\\``
        continuations); a shell user who never writes one has 0."""
        self.rng = random.Random(seed)
        self.multiline = multiline
        self.words = self._vocabulary(vocabulary)
        self._word = Zipf(len(self.words), 1.07, self.rng, q=20.0)
        self._program = Zipf(len(PROGRAMS), 1.2, self.rng)
        self._length = Zipf(24, 1.3, self.rng)

    def _vocabulary(self, size: int) -> list[str]:
        """Distinct words: identifiers, paths, branches, hosts, numbers (rank order is random)."""
        words: set[str] = set()
        while len(words) < size:
            stem = "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(1, 4)))
            shape = self.rng.random()
            if shape < 0.35:
                word = f"{stem}{self.rng.choice(_EXTENSIONS)}"
            elif shape < 0.55:
                word = "/".join(["src", stem, f"{self.rng.choice(_SYLLABLES)}{self.rng.choice(_EXTENSIONS)}"])
            elif shape < 0.65:
                word = f"feature/{stem}-{self.rng.randint(1, 999)}"
            elif shape < 0.72:
                word = f"{stem}-{self.rng.randint(1, 40)}.internal"
            elif shape < 0.80:
                word = str(self.rng.randint(1, 99_999))
            else:
                word = stem
            words.add(word)
        ordered = sorted(words)
        self.rng.shuffle(ordered)
        return ordered

    def word(self) -> str:
        """One argument word, Zipf-distributed over the vocabulary."""
        return self.words[self._word.draw()]

    def secret(self) -> str:
        """A credential-bearing fragment in one of the shapes people paste into a shell."""
        token = "".join(self.rng.choice(_SECRET_ALPHABET) for _ in range(36))
        shape = self.rng.randrange(5)
        if shape == 0:
            return f"GITHUB_TOKEN=ghp_{token}"
        if shape == 1:
            return f"-H 'Authorization: Bearer {token}'"
        if shape == 2:
            return f"postgres://app:{token[:16]}@db.internal:5432/app"
        if shape == 3:
            return f"AWS_SECRET_ACCESS_KEY={token}{token[:4]}"
        return f"--password {token[:20]}"

    def command(self) -> str:
        """One command line: a program, maybe a subcommand, Zipf-many words, sometimes piped,
        multi-line (``multiline``, 2% by default) or holding a secret (about 1%)."""
        program, subcommands = PROGRAMS[self._program.draw()]
        parts = [program]
        if subcommands and self.rng.random() < 0.85:
            parts.append(self.rng.choice(subcommands))
        parts.extend(self.word() for _ in range(self._length.draw()))
        if self.rng.random() < 0.08:
            parts += ["|", self.rng.choice(("grep", "head", "wc -l", "sort", "less", "jq .")), self.word()]
        if self.rng.random() < 0.01:
            parts.append(self.secret())
        line = " ".join(parts)
        roll = self.rng.random()
        if roll < self.multiline / 2:
            line = f"cat <<'EOF' > {self.word()}\n{self.word()} {self.word()}\n{self.word()}\nEOF"
        elif roll < self.multiline:
            line = f"{line} \\\n  --{self.word()} {self.word()}"
        return line

    def commands(self, count: int) -> list[str]:
        """``count`` command lines."""
        return [self.command() for _ in range(count)]

    def start_times_ms(self, count: int, *, now_ms: int | None = None, old_share: float = 0.5) -> list[int]:
        """Start times, oldest first, the newest a minute before ``now_ms`` (default: now): ``old_share``
        spread over three years before the rest, which come in bursts of work (imported history mixed
        with new)."""
        end = (int(time.time() * 1000) if now_ms is None else now_ms) - 60_000
        old = int(count * old_share)
        steps = [self.rng.choice((1_000, 3_000, 8_000, 30_000, 120_000, 1_800_000)) for _ in range(count - old)]
        first_new = end - sum(steps)
        three_years = 3 * 365 * 86_400_000
        times = sorted(first_new - 1 - self.rng.randrange(three_years) for _ in range(old))
        at = first_new
        for step in steps:
            times.append(at)
            at += step
        return times

    def zsh_extended_history(self, count: int) -> bytes:
        """A zsh ``EXTENDED_HISTORY`` file of ``count`` commands (multi-line ones continued with ``\\``)."""
        lines = []
        for at, command in zip(self.start_times_ms(count, old_share=1.0), self.commands(count), strict=True):
            body = command.replace("\n", "\\\n")
            lines.append(f": {at // 1000}:{self.rng.choice((0, 0, 0, 1, 2, 13))};{body}\n")
        return "".join(lines).encode()
