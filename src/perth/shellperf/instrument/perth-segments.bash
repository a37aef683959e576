# perth-segments.bash — Perth's start-up timing library for bash (5.0 or later).
# Print it with `perth shellperf instrument bash` and source it at the very top of .bashrc.
#
#   perth_segment_begin NAME [PHASE]    start timing NAME (phase defaults to "init")
#   perth_segment_end NAME              stop timing NAME and write its line
#   perth_segment_wrap NAME CMD [ARG]   run CMD timed as NAME (inside a function: `declare` in a
#                                       sourced file becomes local there, so time `source` with
#                                       begin/end instead)
#   perth_segment_mark MARKER [PHASE]   a lifecycle marker: ms since this library was sourced;
#                                       use pre_plugin_total, post_plugin_total, deferred_total
#
# prompt_ready is marked by the first PROMPT_COMMAND run (append to PROMPT_COMMAND later in your
# rc instead of overwriting it).  Each value is written as
#   SEGMENT name=NAME ms=MS phase=PHASE at=EPOCH
# to $PERTH_SEGMENT_LOG, using the shell's own clock ($EPOCHREALTIME).  When PERTH_SEGMENT_LOG is
# unset (every normal start) the helpers are empty functions: no output, no work.

if [[ -z ${PERTH_SEGMENT_LOG-} ]]; then
  perth_segment_begin() { :; }
  perth_segment_end() { :; }
  perth_segment_mark() { :; }
  perth_segment_wrap() { shift; "$@"; }
else
  # microseconds since the epoch as an integer, whatever the locale's decimal separator
  _perth_seg_clock() { _perth_seg_now=${EPOCHREALTIME//[!0-9]/}; _perth_seg_now=$((10#$_perth_seg_now)); }
  _perth_seg_clock
  _perth_seg_t0=$_perth_seg_now
  declare -gA _perth_seg_begin=() _perth_seg_phase=()

  _perth_seg_write() {
    printf 'SEGMENT name=%s ms=%d.%03d phase=%s at=%s\n' "$1" $(($2 / 1000)) $(($2 % 1000)) "$3" \
      "$EPOCHREALTIME" >>"$PERTH_SEGMENT_LOG"
  }

  perth_segment_begin() {
    _perth_seg_phase[$1]=${2:-init}
    _perth_seg_clock
    _perth_seg_begin[$1]=$_perth_seg_now
  }

  perth_segment_end() {
    _perth_seg_clock
    [[ -n ${_perth_seg_begin[$1]-} ]] || return 1
    _perth_seg_write "$1" $((_perth_seg_now - _perth_seg_begin[$1])) "${_perth_seg_phase[$1]:-init}"
    unset "_perth_seg_begin[$1]"
  }

  perth_segment_mark() {
    _perth_seg_clock
    _perth_seg_write "$1" $((_perth_seg_now - _perth_seg_t0)) "${2:-lifecycle}"
  }

  perth_segment_wrap() {
    local _perth_name=$1
    shift
    perth_segment_begin "$_perth_name"
    "$@"
    local _perth_rc=$?
    perth_segment_end "$_perth_name"
    return $_perth_rc
  }

  _perth_seg_prompt_ready() {
    if [[ -z ${_perth_seg_prompted-} ]]; then
      _perth_seg_prompted=1
      perth_segment_mark prompt_ready prompt
    fi
  }
  PROMPT_COMMAND="_perth_seg_prompt_ready${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
