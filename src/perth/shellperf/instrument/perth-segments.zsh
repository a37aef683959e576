# perth-segments.zsh — Perth's start-up timing library for zsh.
# Print it with `perth shellperf instrument zsh` and source it at the very top of .zshrc.
#
#   perth_segment_begin NAME [PHASE]    start timing NAME (phase defaults to "init")
#   perth_segment_end NAME              stop timing NAME and write its line
#   perth_segment_wrap NAME CMD [ARG]   run CMD timed as NAME (inside a function: `typeset` in a
#                                       sourced file becomes local there, so time `source` with
#                                       begin/end instead)
#   perth_segment_mark MARKER [PHASE]   a lifecycle marker: ms since this library was sourced;
#                                       use pre_plugin_total, post_plugin_total, deferred_total
#
# prompt_ready is marked automatically by the first precmd.  Each value is written as
#   SEGMENT name=NAME ms=MS phase=PHASE at=EPOCH
# to $PERTH_SEGMENT_LOG, using the shell's own clock ($EPOCHREALTIME).  When PERTH_SEGMENT_LOG is
# unset (every normal start) the helpers are empty functions: no output, no module loaded.

if [[ -z ${PERTH_SEGMENT_LOG-} ]]; then
  perth_segment_begin() { : }
  perth_segment_end() { : }
  perth_segment_mark() { : }
  perth_segment_wrap() { shift; "$@" }
else
  zmodload zsh/datetime
  typeset -gF _perth_seg_t0=$EPOCHREALTIME
  typeset -gA _perth_seg_begin _perth_seg_phase

  _perth_seg_write() {
    print -r -- "SEGMENT name=$1 ms=$2 phase=$3 at=$EPOCHREALTIME" >>| $PERTH_SEGMENT_LOG
  }

  perth_segment_begin() {
    _perth_seg_phase[$1]=${2:-init}
    _perth_seg_begin[$1]=$EPOCHREALTIME
  }

  perth_segment_end() {
    local -F _perth_now=$EPOCHREALTIME
    [[ -n ${_perth_seg_begin[$1]-} ]] || return 1
    local -F3 _perth_ms=$(( (_perth_now - _perth_seg_begin[$1]) * 1000 ))
    _perth_seg_write $1 $_perth_ms ${_perth_seg_phase[$1]:-init}
    unset "_perth_seg_begin[$1]"
  }

  perth_segment_mark() {
    local -F3 _perth_ms=$(( (EPOCHREALTIME - _perth_seg_t0) * 1000 ))
    _perth_seg_write $1 $_perth_ms ${2:-lifecycle}
  }

  perth_segment_wrap() {
    local _perth_name=$1
    shift
    perth_segment_begin $_perth_name
    "$@"
    local _perth_rc=$?
    perth_segment_end $_perth_name
    return $_perth_rc
  }

  _perth_seg_precmd() {
    perth_segment_mark prompt_ready prompt
    precmd_functions=(${precmd_functions:#_perth_seg_precmd})
  }
  typeset -ga precmd_functions
  precmd_functions+=(_perth_seg_precmd)
fi
