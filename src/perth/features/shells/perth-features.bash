# perth-features.bash — the runtime of a loader written by `perth features build --shell bash`.
# The generated part after it sources each feature in order, twice over: untimed (when PERTH_SEGMENT_LOG
# is unset; it returns from the loader), then timed by "$_perth_b"/"$_perth_e" (the timing library of
# `perth shellperf instrument bash`); the path of a sourced feature is in $_perth_f. Features load at the
# top level of the loader for preload and init features, and from PROMPT_COMMAND for deferred ones:
#   postprompt  at the first prompt: the prompt is drawn first (when it is one line), the
#               features load, then bash draws it again and reads what was typed meanwhile
#   idle        after the first command
# A feature that fails (non-zero status, missing file) or depends on one that did is reported once
# on stderr and skipped; the others load.

declare -gA _perth_feature_failed=()
_perth_features_phase=preload
_perth_features_stage=0

# _perth_feature_report NAME WHY: say once that NAME is skipped, and remember it
_perth_feature_report() {
  _perth_feature_failed[$1]=1
  printf 'perth: feature %s %s; skipped\n' "$1" "$2" >&2
}

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
    if [[ -n ${_perth_feature_failed[$_perth_dep]-} ]]; then
      _perth_feature_report "$1" "not loaded: it depends on $_perth_dep, which failed"
      return 1
    fi
  done
  return 0
}

# section: deferred (included when a feature is postprompt or idle)

# the prompt as bash will draw it, when it is a single line (else nothing)
_perth_features_prompt_line() {
  _perth_features_line=${PS1-}
  _perth_features_line=${_perth_features_line@P}
  _perth_features_line=${_perth_features_line//[$'\001\002']/}
  [[ $_perth_features_line == *$'\n'* ]] && _perth_features_line=
  return 0
}

# PROMPT_COMMAND: the postprompt features at the first prompt, the idle ones at the second
_perth_features_prompt() {
  local _perth_status=$?
  if (( _perth_features_stage == 0 )); then
    _perth_features_stage=1
    if declare -F _perth_features_postprompt >/dev/null; then
      _perth_features_prompt_line
      printf '%s' "$_perth_features_line"
      _perth_features_postprompt
      [[ -z $_perth_features_line ]] || printf '\r\033[K'
    fi
  elif (( _perth_features_stage == 1 )); then
    _perth_features_stage=2
    if declare -F _perth_features_idle >/dev/null; then
      _perth_features_idle
    fi
  fi
  return $_perth_status
}
