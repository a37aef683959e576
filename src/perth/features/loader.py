"""The loader: one shell file that sources the enabled features in order, timed and contained.

Layout: a header naming the declarations and every feature left out (with the reason), a guard
against being sourced twice, the runtime (``shells/perth-features.zsh|bash``, only the sections
this loader uses), then the load order twice: first untimed, in one ``if`` run when
``PERTH_SEGMENT_LOG`` is unset (every normal start) that ends with ``return 0``, so the shell never
reads what follows; then timed, after the timing library (the C8 library unless already defined),
every feature between ``"$_perth_b"`` and ``"$_perth_e"`` and the lifecycle markers. In each copy:
one block per feature, preload and init blocks at the top level of the loader or of that ``if``
(so a feature's ``typeset``/``declare`` stays global), postprompt and idle blocks in functions run
after the first prompt. Each block skips the feature when a dependency failed, and reports a
non-zero status or a missing file once on stderr. The same resolution gives the same file, byte
for byte; ``compile_zsh_loader`` writes the zsh wordcode beside it.
"""

from __future__ import annotations

import shlex

from perth.errors import InvalidInputError
from perth.features.model import DEFERRED_PHASES, PHASES, SHELLS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from perth.features.model import Feature
    from perth.features.resolve import Resolution


def runtime_source(shell: str) -> str:
    """The loader runtime for ``shell`` (a real shell file in the package)."""
    from importlib.resources import files

    return (files("perth.features") / "shells" / f"perth-features.{shell}").read_text(encoding="utf-8")


def runtime_sections(shell: str, wanted: set[str]) -> str:
    """The runtime's lines up to its first ``# section: NAME`` line, then the sections in ``wanted``."""
    kept: list[str] = []
    keep = True
    for line in runtime_source(shell).splitlines():
        if line.startswith("# section: "):
            keep = line.removeprefix("# section: ").split()[0] in wanted
        elif keep:
            kept.append(line)
    return "\n".join(kept) + "\n"


def shell_word(path: str) -> str:
    """A validated ``source`` path as one double-quoted shell word (``~`` becomes ``$HOME``)."""
    if path == "~" or path.startswith("~/"):
        path = "$HOME" + path[1:]
    return f'"{path}"'


def _body(feature: Feature, indent: str) -> list[str]:
    name = feature.name
    if feature.snippet is not None:
        return [f"{indent}eval {shlex.quote(feature.snippet)} || _perth_feature_fail {name}"]
    # the path once, in $_perth_f; one short list; the reports in runtime functions (they always succeed):
    # the shell parses these lines at every start, in a time that grows with their length
    return [f"{indent}_perth_f={shell_word(feature.source_path or '')}",
            f'{indent}[[ -r $_perth_f ]] && {{ source "$_perth_f" || _perth_feature_fail {name}; }} ||'
            f" _perth_feature_missing {name}"]


def feature_block(feature: Feature, shell: str, indent: str = "", *, timed: bool = True) -> list[str]:
    """The lines that load one feature; ``timed``: between ``"$_perth_b"`` and ``"$_perth_e"``, after a comment
    naming it (the untimed copy has no comment: the shell would read it at every start)."""
    inner = indent + ("  " if feature.depends_on else "")
    body = _body(feature, inner)
    lines = [f'{inner}"$_perth_b" {feature.name} {feature.phase}', *body, f'{inner}"$_perth_e" {feature.name}'] \
        if timed else body
    comment = [f"{indent}# {feature.name}"] if timed else []
    if not feature.depends_on:
        return [*comment, *lines]
    nothing_failed = "(( ! ${#_perth_feature_failed} ))" if shell == "zsh" else \
        "(( ${#_perth_feature_failed[@]} == 0 ))"
    test = f"{nothing_failed} || _perth_feature_ready {feature.name} {' '.join(feature.depends_on)}"
    return [*comment, f"{indent}if {test}; then", *lines, f"{indent}fi"]


def without_comments(source: str) -> str:
    """Shell source without its comment-only and blank lines (less for the shell to read at every start)."""
    return "\n".join(line for line in source.splitlines()
                     if line.strip() and not line.lstrip().startswith("#")) + "\n"


def _timing(shell: str) -> list[str]:
    """For the timed copy (PERTH_SEGMENT_LOG set): the C8 library, unless already defined, and its helpers in
    ``$_perth_b``, ``$_perth_e``, ``$_perth_m``."""
    from perth.shellperf.instrument import library_source

    defined = ("(( ${+functions[perth_segment_begin]} ))" if shell == "zsh"
               else "declare -F perth_segment_begin >/dev/null")
    library = shlex.quote(without_comments(library_source(shell)))
    return [f"{defined} || eval {library}",
            "_perth_b=perth_segment_begin _perth_e=perth_segment_end _perth_m=perth_segment_mark"]


def _deferred(shell: str, phases: list[str], features: Sequence[Feature], *, timed: bool) -> list[str]:
    """The functions of the deferred phases present, each handing over to the next."""
    lines: list[str] = []
    for position, phase in enumerate(phases):
        start = (f"  _perth_features_undefer {phase}" if shell == "zsh" else f"  _perth_features_phase={phase}")
        lines += ["", f"_perth_features_{phase}() {{", start]
        for feature in (f for f in features if f.phase == phase):
            lines += feature_block(feature, shell, "  ", timed=timed)
        if position + 1 < len(phases) and shell == "zsh":
            lines.append(f"  _perth_features_defer {phases[position + 1]}")
        elif position + 1 == len(phases) and timed:
            lines.append('  "$_perth_m" deferred_total deferred')
        if shell == "zsh":
            lines.append("  ! zle || zle reset-prompt")
        lines.append("}")
    if phases:
        lines.append("")
        lines.append(f"_perth_features_defer {phases[0]}" if shell == "zsh"
                     else 'PROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND;}_perth_features_prompt"')
    return lines


def _load_order(shell: str, loaded: Sequence[Feature], *, timed: bool) -> list[str]:
    """Every phase's blocks in order (with the lifecycle markers when ``timed``)."""
    lines = ['"$_perth_m" pre_plugin_total'] if timed else []
    for phase in PHASES[:2]:
        lines += ["", f"_perth_features_phase={phase}"]
        for feature in (f for f in loaded if f.phase == phase):
            lines += feature_block(feature, shell, timed=timed)
    if timed:
        lines += ["", '"$_perth_m" post_plugin_total']
    return lines + _deferred(shell, [p for p in DEFERRED_PHASES if any(f.phase == p for f in loaded)], loaded,
                             timed=timed)


def _untimed(shell: str, loaded: Sequence[Feature]) -> list[str]:
    """The load order without timing, in one ``if`` that returns from the loader: on a normal start the shell
    parses neither the timing library nor the timed copy after it, and runs no timing call per feature."""
    body = ["_perth_b=: _perth_e=: _perth_m=:", *_load_order(shell, loaded, timed=False), "", "return 0"]
    return ["if [[ -z ${PERTH_SEGMENT_LOG-} ]]; then", *(f"  {line}" if line else "" for line in body), "fi"]


def _header(resolution: Resolution, sources: Sequence[str]) -> list[str]:
    shell = resolution.shell
    loaded = resolution.loaded
    lines = [f"# Written by `perth features build --shell {shell}`: rebuild it rather than editing it.",
             f"# Declarations: {', '.join(sources) if sources else '(none)'}",
             f"# Load order: {' '.join(f.name for f in loaded) if loaded else '(nothing enabled)'}"]
    off = [s for s in resolution.states.values() if not s.enabled]
    lines += [f"# Not loaded: {s.name}: {s.reason}" for s in sorted(off, key=lambda s: s.name)]
    if shell == "bash":
        # SC2015: `A && { B || report; } || report` is meant (the report always succeeds);
        # SC1090: features are sourced from $_perth_f;
        # SC2317: the deferred functions are called from PROMPT_COMMAND, which shellcheck cannot see
        lines.append("# shellcheck shell=bash disable=SC2015,SC2317,SC1090")
    return lines


def _sections(loaded: Sequence[Feature]) -> set[str]:
    wanted = {"dependencies"} if any(f.depends_on for f in loaded) else set()
    return wanted | ({"deferred"} if any(f.phase in DEFERRED_PHASES for f in loaded) else set())


def build_loader(resolution: Resolution, sources: Sequence[str] = ()) -> str:
    """The loader for ``resolution.shell`` (the resolution must have no problem)."""
    shell = resolution.shell
    if shell not in SHELLS:
        raise InvalidInputError(f"no loader for {shell!r}", f"use one of: {', '.join(SHELLS)}")
    resolution.check()
    loaded = resolution.loaded
    guard = ("(( ${+_perth_features_loaded} )) && return 0" if shell == "zsh"
             else "[[ -n ${_perth_features_loaded-} ]] && return 0")
    runtime = without_comments(runtime_sections(shell, _sections(loaded))).rstrip("\n")
    lines = [*_header(resolution, sources), "", guard, "_perth_features_loaded=1", "", runtime, "",
             *_untimed(shell, loaded), "", "# PERTH_SEGMENT_LOG is set: the same, timed", *_timing(shell), "",
             *_load_order(shell, loaded, timed=True)]
    return "\n".join(lines) + "\n"


def compile_zsh_loader(path: str, zsh: str | None = None) -> str | None:
    """Compile a zsh loader to ``PATH.zwc`` (zsh then reads wordcode instead of parsing the loader at every
    start); the file appears whole or not at all. ``None`` when zsh is not installed or refuses."""
    import os
    import shutil
    import subprocess
    import tempfile

    zsh = zsh or shutil.which("zsh")
    if not zsh:
        return None
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".perth-loader-", suffix=".zwc")
    os.close(handle)
    os.unlink(temporary)  # zcompile creates it
    try:
        done = subprocess.run([zsh, "-fc", 'zcompile -U -- "$1" "$2"', "zsh", temporary, os.path.abspath(path)],
                              capture_output=True, text=True, timeout=30, check=False)
        if done.returncode != 0 or not os.path.exists(temporary):
            return None
        os.replace(temporary, path + ".zwc")
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path + ".zwc"
