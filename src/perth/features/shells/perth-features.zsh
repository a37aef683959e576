# perth-features.zsh — the runtime of a loader written by `perth features build --shell zsh`.
# The generated part after it sources each feature in order, twice over: untimed (when PERTH_SEGMENT_LOG
# is unset; it returns from the loader), then timed by "$_perth_b"/"$_perth_e" (the timing library of
# `perth shellperf instrument zsh`); the path of a sourced feature is in $_perth_f. Features load at the
# top level of the loader for preload and init features, and from one-shot `zle -F` handlers for deferred ones:
#   postprompt  once the line editor has drawn the first prompt and waits for input
#   idle        at the line editor's next wait after the postprompt features
# A feature that fails (non-zero status, missing file) or depends on one that did is reported once
# on stderr and skipped; the others load. compinit runs at most once whoever calls it.

typeset -gA _perth_feature_failed
typeset -gi _perth_compinit_runs=0
typeset -g _perth_features_phase=preload

# _perth_feature_report NAME WHY: say once that NAME is skipped, and remember it
_perth_feature_report() {
  _perth_feature_failed[$1]=1
  print -ru2 -- "perth: feature $1 $2; skipped"
}

# compinit, whoever asks and however often: the real one runs once, timed as segment
# perth:compinit (a name no feature can take); compinit unfunctions itself when done, so the guard
# is put back after it
_perth_compinit_guard() {
  compinit() {
    (( _perth_compinit_runs )) && return 0
    _perth_compinit_runs=1
    unfunction compinit
    builtin autoload -Uz compinit
    "$_perth_b" perth:compinit "$_perth_features_phase"
    compinit "$@"
    local _perth_rc=$?
    "$_perth_e" perth:compinit
    _perth_compinit_guard
    return $_perth_rc
  }
}
_perth_compinit_guard

# _perth_feature_fail NAME: report the status of the command run just before the call (source, eval)
_perth_feature_fail() {
  _perth_feature_report "$1" "failed (status $?)"
}

# _perth_feature_missing NAME: report that the file in $_perth_f cannot be read
_perth_feature_missing() {
  _perth_feature_report "$1" "has no readable file $_perth_f"
}

# section: dependencies (included when a feature has depends_on)

# _perth_feature_ready NAME DEPENDENCY...: whether every dependency loaded
_perth_feature_ready() {
  local _perth_dep
  for _perth_dep in "${@:2}"; do
    if (( ${+_perth_feature_failed[$_perth_dep]} )); then
      _perth_feature_report "$1" "not loaded: it depends on $_perth_dep, which failed"
      return 1
    fi
  done
  return 0
}

# section: deferred (included when a feature is postprompt or idle)

# _perth_features_defer PHASE: run _perth_features_PHASE once the line editor waits for input;
# without a line editor (unsetopt zle, a dumb terminal) run it now, before the prompt
_perth_features_defer() {
  local -i _perth_fd
  if [[ -o interactive && -o zle ]] && exec {_perth_fd}</dev/null; then
    typeset -gi "_perth_features_fd_$1=$_perth_fd"
    zle -N "_perth_features_$1"
    zle -F -w $_perth_fd "_perth_features_$1"
  else
    typeset -gi "_perth_features_fd_$1=-1"
    "_perth_features_$1"
  fi
}

# _perth_features_undefer PHASE: unregister and close PHASE's descriptor (in its handler)
_perth_features_undefer() {
  local _perth_var="_perth_features_fd_$1"
  local -i _perth_fd=${(P)_perth_var}
  if (( _perth_fd >= 0 )); then
    zle -F $_perth_fd
    exec {_perth_fd}<&-
  fi
  _perth_features_phase=$1
}
