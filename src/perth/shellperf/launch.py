"""How a shell is started for measurement: argv, a clean environment, a unique token, a work dir.

The environment is rebuilt from a short allow-list (HOME, USER, LOGNAME, PATH, LANG, TMPDIR) plus
fixed values (TERM, LINES, COLUMNS, SHELL) and ``--env K=V``; the working directory is a new
temporary folder named after a token unique to the run, and ``HOST`` carries the same token, so a
prompt that shows the directory or the host (zsh ``%m``) can be recognized on screen.  A fallback
``PS1`` showing the directory is exported for configurations that set no prompt.

``--rc FILE`` measures one rc file: zsh gets a generated ``ZDOTDIR`` whose ``.zshrc`` restores the
real ``ZDOTDIR`` and sources FILE; bash starts as a login shell with a generated home whose
``.bash_profile`` restores the real ``HOME`` and sources FILE; fish runs ``--no-config`` with
``--init-command 'source FILE'``.  ``--norc`` starts the shell with no start-up files at all.
"""

from __future__ import annotations

import os
import secrets
import shlex

from perth.errors import InvalidInputError, NotFoundError, UnavailableError
from perth.record import Record
from perth.shellperf.records import SHELLS, RunSpec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

KEPT_VARIABLES: tuple[str, ...] = ("HOME", "USER", "LOGNAME", "PATH", "LANG", "TMPDIR")
FALLBACK_PS1 = {"zsh": "%1~%# ", "bash": "\\W\\$ ", "fish": ""}


class LaunchPlan(Record):
    """Everything needed to start one sample of a run."""

    argv: tuple[str, ...]
    exit_argv: tuple[str, ...]
    env: Mapping[str, str]
    cwd: str
    workdir: str
    token: str
    prompt_tokens: tuple[str, ...]
    command_token: str
    typed_command: bytes
    shell: str = "zsh"
    branch_token: str = ""

    def segment_log(self, index: int) -> str:
        """Where sample ``index`` writes its ``SEGMENT`` lines."""
        return os.path.join(self.workdir, f"segments-{index}.log")

    def sample_env(self, index: int) -> dict[str, str]:
        """The environment of sample ``index`` (its own segment log)."""
        return {**self.env, "PERTH_SEGMENT_LOG": self.segment_log(index)}


def new_token() -> str:
    """A token that appears nowhere else on screen: ``PZ`` and six random hex digits.

    Eight characters, so that the typed-ahead `` echo "<token>""fc"`` is 20 characters long, as
    zsh-bench's `` "builtin" "." "./s"``: the line editor and the terminal handle as many bytes.
    """
    return "PZ" + secrets.token_hex(3).upper()


def resolve_shell(spec: RunSpec, environ: Mapping[str, str]) -> str:
    """The shell binary: ``spec.shell_path`` or the shell found on PATH (exit 4 when absent)."""
    import shutil

    if spec.shell not in SHELLS:
        raise InvalidInputError(f"unsupported shell {spec.shell!r}", f"use one of: {', '.join(SHELLS)}")
    if spec.shell_path:
        if not (os.path.isfile(spec.shell_path) and os.access(spec.shell_path, os.X_OK)):
            raise UnavailableError(f"{spec.shell_path} is not installed or not executable",
                                   "give the path of an installed shell to --shell-path")
        return os.path.abspath(spec.shell_path)
    path = shutil.which(spec.shell, path=environ.get("PATH", os.defpath))
    if not path:
        raise UnavailableError(f"{spec.shell} is not installed (not found on PATH)",
                               f"install it (e.g. apt-get install {spec.shell}) or give --shell-path")
    return os.path.abspath(path)


def parse_env(items: tuple[str, ...]) -> dict[str, str]:
    """``K=V`` strings from ``--env``."""
    parsed: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.replace("_", "").isalnum():
            raise InvalidInputError(f"invalid --env {item!r}", "write it as NAME=VALUE, e.g. --env LANG=C.UTF-8")
        parsed[key] = value
    return parsed


def _check_config(spec: RunSpec) -> None:
    if sum((bool(spec.rc), bool(spec.zdotdir), spec.norc)) > 1:
        raise InvalidInputError("more than one of --rc, --zdotdir and --norc given",
                                "measure one configuration at a time")
    if spec.zdotdir and spec.shell != "zsh":
        raise InvalidInputError("--zdotdir is for zsh only", "use --rc FILE for bash and fish")
    if spec.rc and not os.path.isfile(spec.rc):
        raise NotFoundError(f"no rc file {spec.rc}", "give an existing file to --rc")
    if spec.zdotdir and not os.path.isdir(spec.zdotdir):
        raise NotFoundError(f"no directory {spec.zdotdir}", "give an existing directory to --zdotdir")


def _base_env(spec: RunSpec, shell_path: str, environ: Mapping[str, str], token: str) -> dict[str, str]:
    env = {name: environ[name] for name in KEPT_VARIABLES if environ.get(name)}
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    env.update({"TERM": "xterm-256color", "LINES": str(spec.rows), "COLUMNS": str(spec.cols),
                "SHELL": shell_path, "HOST": f"{token}host"})
    if FALLBACK_PS1[spec.shell]:
        env["PS1"] = FALLBACK_PS1[spec.shell]
    return env


def _zsh_rc_dir(workdir: str, rc: str, environ: Mapping[str, str]) -> str:
    zdotdir = os.path.join(workdir, "zdotdir")
    os.makedirs(zdotdir)
    original = environ.get("ZDOTDIR")
    restore = f"ZDOTDIR={shlex.quote(original)}" if original else "unset ZDOTDIR"
    with open(os.path.join(zdotdir, ".zshrc"), "w", encoding="utf-8") as handle:
        handle.write(f"# generated by perth shellperf\n{restore}\nsource {shlex.quote(os.path.abspath(rc))}\n")
    return zdotdir


def _bash_rc_home(workdir: str, rc: str, home: str) -> str:
    fake_home = os.path.join(workdir, "home")
    os.makedirs(fake_home)
    with open(os.path.join(fake_home, ".bash_profile"), "w", encoding="utf-8") as handle:
        handle.write(f"# generated by perth shellperf\nHOME={shlex.quote(home)}\nexport HOME\n"
                     f". {shlex.quote(os.path.abspath(rc))}\n")
    return fake_home


def _shell_args(spec: RunSpec, env: dict[str, str], workdir: str, environ: Mapping[str, str]) -> list[str]:
    """Start-up flags (before ``-i``), adjusting ``env`` for the configuration under test."""
    if spec.norc:
        return {"zsh": ["-f"], "bash": ["--noprofile", "--norc"], "fish": ["--no-config"]}[spec.shell]
    if spec.shell == "fish":
        if spec.rc:
            if "'" in spec.rc:
                raise InvalidInputError("fish rc paths may not contain a single quote", "rename the file")
            return ["--login", "--no-config", "--init-command", f"source '{os.path.abspath(spec.rc)}'"]
        return ["--login"]
    if spec.zdotdir:
        env["ZDOTDIR"] = os.path.abspath(spec.zdotdir)
    elif spec.rc and spec.shell == "zsh":
        env["ZDOTDIR"] = _zsh_rc_dir(workdir, spec.rc, environ)
    elif spec.rc:
        env["HOME"] = _bash_rc_home(workdir, spec.rc, env.get("HOME", workdir))
    return ["-l"]


def plan_launch(spec: RunSpec, shell_path: str, environ: Mapping[str, str], workdir: str) -> LaunchPlan:
    """Prepare the work dir, the environment and the command lines of a run."""
    _check_config(spec)
    token = new_token()
    cwd = os.path.join(workdir, f"{token}cwd")
    os.makedirs(cwd)
    env = _base_env(spec, shell_path, environ, token)
    env["HISTFILE"] = os.path.join(workdir, "history")
    flags = _shell_args(spec, env, workdir, environ)
    env.update(parse_env(spec.env))
    branch = ""
    if spec.git != "no":
        from perth.shellperf.capabilities import make_git_fixture

        branch = f"{token}branch"
        make_git_fixture(cwd, spec.git, branch, environ)
    return LaunchPlan(
        argv=(shell_path, *flags, "-i"), exit_argv=(shell_path, *flags, "-i", "-c", "exit"), env=env, cwd=cwd,
        workdir=workdir, token=token, prompt_tokens=(f"{token}cwd", f"{token}host"),
        command_token=f"{token}fc", typed_command=f' echo "{token}""fc"\r'.encode(), shell=spec.shell,
        branch_token=branch,
    )
