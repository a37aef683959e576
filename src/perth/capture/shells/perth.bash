# shellcheck shell=bash
# Perth shell integration for bash (5.0 or newer).  Install: `perth init bash --install`
# writes this script, filled in, to a file and prints the one `source` line to add
# to ~/.bashrc (`perth init bash` alone prints it).
#
# Every finished command becomes one line appended to this shell's spool file
# (format: perth/capture/spool_format.py).  The hooks use builtins only: no
# fork, no external command, no Python, no network.  Sourcing twice is harmless.
#
# How it hooks in:
# - PS0 (expanded by bash itself right before a command runs) records the start
#   time and the working directory through parameter expansion only.
# - _perth_precmd runs first in PROMPT_COMMAND (string or array); it reads the
#   command line from bash's history with `history 1` redirected to a scratch
#   file and the builtin `read`, then appends one line to the spool.
# - A command starting with a space is not recorded.  When HISTCONTROL asks bash
#   to drop such commands (ignorespace, ignoreboth), Perth takes that job over
#   (as bash-preexec does): it removes ignorespace from HISTCONTROL and deletes
#   those commands from the history itself, so that a repeated command (which
#   ignoredups keeps out of the history) can still be told apart from a hidden one.

# Filled in by `perth init` with single-quoted literals (a path may hold a "$"):
# shellcheck disable=SC2016
_perth_spool_dir=@PERTH_SPOOL_DIR@
# shellcheck disable=SC2016
_perth_command=@PERTH_COMMAND@

# PS0 fragment: assigns _perth_t0 (microseconds) and _perth_cwd, prints nothing.
# shellcheck disable=SC2016  # expanded later, by bash, each time PS0 is shown
_perth_ps0='${_perth_ps0_t[_perth_t0=${EPOCHREALTIME//[^0-9]/}]-}${_perth_ps0_d[${_perth_cwd:=$PWD}]-}'

# _perth_esc TEXT: _perth_r=TEXT with backslash, TAB, LF and CR escaped.
_perth_esc() {
    _perth_r=$1
    if [[ $_perth_r == *[$'\\\t\n\r']* ]]; then
        _perth_r=${_perth_r//"\\"/"\\\\"}
        _perth_r=${_perth_r//$'\t'/"\\t"}
        _perth_r=${_perth_r//$'\n'/"\\n"}
        _perth_r=${_perth_r//$'\r'/"\\r"}
    fi
}

# _perth_find_repo DIR: walk up from DIR to the directory holding .git (a
# directory, or a "gitdir:" file for worktrees and submodules).
_perth_find_repo() {
    local dir=$1 line
    _perth_repo='' _perth_gitdir=''
    while :; do
        if [[ -d $dir/.git ]]; then
            _perth_repo=${dir:-/} _perth_gitdir=$dir/.git
            return
        elif [[ -f $dir/.git && -r $dir/.git ]]; then
            line=
            IFS= builtin read -r line < "$dir/.git"
            if [[ $line == gitdir:* ]]; then
                line=${line#gitdir:}
                line=${line#"${line%%[! ]*}"}
                [[ $line == /* ]] || line=$dir/$line
                _perth_repo=${dir:-/} _perth_gitdir=$line
                return
            fi
        fi
        [[ -z $dir || $dir == / ]] && return
        dir=${dir%/*}
    done
}

# _perth_context DIR: _perth_r=escaped "cwd<TAB>repo_root<TAB>branch" for DIR.
# The walk up to .git runs only when DIR changes; HEAD is re-read every time
# (with the builtin read) so that a checkout is noticed.
_perth_context() {
    local head='' branch=''
    if [[ $1 != "${_perth_ctx_dir-}" || ( -z ${_perth_repo-} && -e $1/.git ) ]]; then
        _perth_ctx_dir=$1
        _perth_find_repo "$1"
        _perth_esc "$1"; _perth_ctx_cwd=$_perth_r
        _perth_esc "$_perth_repo"; _perth_ctx_repo=$_perth_r
    fi
    if [[ -n $_perth_gitdir ]]; then
        if [[ -f $_perth_gitdir/HEAD && -r $_perth_gitdir/HEAD ]]; then
            IFS= builtin read -r head < "$_perth_gitdir/HEAD"
            [[ $head == 'ref: refs/heads/'* ]] && branch=${head#ref: refs/heads/}
        else
            _perth_ctx_dir=  # the repository went away: walk again next time
        fi
    fi
    _perth_esc "$branch"
    _perth_r=$_perth_ctx_cwd$'\t'$_perth_ctx_repo$'\t'$_perth_r
}

# _perth_scratch_run COMMAND...: _perth_r = the output of a builtin, captured
# without a fork: written over the start of the scratch file (opened with <>,
# no truncation: truncating costs a file system transaction on every prompt)
# after a line naming this shell and ended by a NUL, then read back up to that
# NUL, then blanked with spaces at once (4 bytes a character at most): the
# scratch file never keeps a command line, which may hold a secret the ingester
# has not redacted yet.  The scratch file of a terminal is kept for the next
# shell on it (creating a file costs more than the rest of the start-up): when
# the first line is not this shell's, another shell wrote in between, and the
# output is dropped (status 1).
_perth_scratch_run() {
    _perth_r=''
    { builtin printf '%s\n' "$PERTH_SESSION"; "$@"; builtin printf '\0'; } 1<> "$_perth_scratch" 2>/dev/null || return 1
    IFS= builtin read -r -d '' _perth_r < "$_perth_scratch"
    builtin printf '%*s' $(( ${#_perth_r} * 4 + 1 )) '' 1<> "$_perth_scratch" 2>/dev/null
    [[ $_perth_r == "$PERTH_SESSION"$'\n'* ]] || { _perth_r=''; return 1; }
    _perth_r=${_perth_r#*$'\n'}
    return 0
}

# _perth_umask_and_history: the umask, then the newest history entry.
_perth_umask_and_history() {
    builtin umask
    builtin history 1
}

# _perth_last_history: _perth_hn/_perth_ht = number and text of the newest history entry;
# _perth_umask = the shell's umask (read in the same pass, for _perth_append).
_perth_last_history() {
    local h HISTTIMEFORMAT=''  # no time stamps in the output
    _perth_hn='' _perth_ht=''
    _perth_scratch_run _perth_umask_and_history || return 1
    _perth_umask=${_perth_r%%$'\n'*}
    h=${_perth_r#*$'\n'}
    h=${h%$'\n'}
    h=${h#"${h%%[! ]*}"}
    _perth_hn=${h%%[!0-9]*}
    [[ -n $_perth_hn ]] && _perth_ht=${h:${#_perth_hn}+2}
    _perth_r=""  # the raw output is not a command line
    return 0
}

# _perth_command_line: _perth_r = the command that just ran, or empty when it
# cannot be known (history disabled, HISTIGNORE) or must not be recorded.
_perth_command_line() {
    local old_n=${_perth_last_n-} old_t=${_perth_last_t-}
    _perth_r=''
    _perth_last_history || return
    _perth_last_n=$_perth_hn _perth_last_t=$_perth_ht
    if [[ $_perth_hn != "$old_n" || $_perth_ht != "$old_t" ]]; then
        if [[ $_perth_ht == ' '* ]]; then
            if [[ -n ${_perth_drop_space-} ]]; then
                builtin history -d "$_perth_hn" 2>/dev/null
                _perth_last_history && _perth_last_n=$_perth_hn _perth_last_t=$_perth_ht
            fi
            _perth_r=''
            return
        fi
        _perth_r=$_perth_ht
    elif [[ -o history && -z ${HISTIGNORE-} ]] && _perth_only_repeats_dropped; then
        _perth_r=$_perth_ht  # ignoredups kept an identical repeat out of the history
    fi
}

# True when the only commands bash keeps out of its history are identical repeats.
_perth_only_repeats_dropped() {
    local hc=${HISTCONTROL-}
    [[ $hc != *ignorespace* && $hc != *ignoreboth* ]] && [[ $hc == *ignoredups* || $hc == *erasedups* ]]
}

# _perth_take_ignorespace: move "ignorespace" out of HISTCONTROL (see the top).
_perth_take_ignorespace() {
    local hc=":${HISTCONTROL-}:"
    [[ $hc == *:ignorespace:* || $hc == *:ignoreboth:* ]] || return 0
    [[ ${HISTCONTROL@a} == *r* ]] && return 0  # read-only: bash keeps dropping them itself
    _perth_drop_space=1
    while [[ $hc == *:ignorespace:* ]]; do hc=${hc//:ignorespace:/:}; done
    while [[ $hc == *:ignoreboth:* ]]; do hc=${hc//:ignoreboth:/:ignoredups:}; done
    hc=${hc#:}
    HISTCONTROL=${hc%:}
}

# _perth_hook: keep PS0 and PROMPT_COMMAND wired (other tools may rewrite them
# after us); _perth_precmd must run first to see the command's exit status.
# Nothing to do when PS0, PROMPT_COMMAND (its first element, for an array) and
# HISTCONTROL are as this function left them (_perth_hooked): the usual case,
# at every prompt.
_perth_hook() {
    [[ ${_perth_hooked-} == "${PS0-}"$'\n'"${PROMPT_COMMAND-}"$'\n'"${HISTCONTROL-}" ]] && return 0
    _perth_hook_wire || return 1
    _perth_hooked=${PS0-}$'\n'${PROMPT_COMMAND-}$'\n'${HISTCONTROL-}
}

_perth_hook_wire() {
    [[ ${PS0@a} == *r* || ${PROMPT_COMMAND@a} == *r* ]] && return 1
    [[ ${PS0-} == *_perth_t0=* ]] || PS0=$_perth_ps0${PS0-}
    _perth_take_ignorespace
    if [[ ${PROMPT_COMMAND@a} == *a* ]]; then
        [[ ${PROMPT_COMMAND[0]-} == _perth_precmd ]] && return
        local item
        local -a rest=()
        for item in "${PROMPT_COMMAND[@]}"; do
            [[ $item == _perth_precmd ]] && continue
            item=${item//_perth_precmd;/}
            rest+=("${item//_perth_precmd/:}")
        done
        PROMPT_COMMAND=(_perth_precmd "${rest[@]}")
    else
        local pc=${PROMPT_COMMAND-}
        [[ $pc == _perth_precmd || $pc == "_perth_precmd;"* ]] && return
        pc=${pc//_perth_precmd;/}
        pc=${pc//_perth_precmd/:}
        # shellcheck disable=SC2178  # PROMPT_COMMAND is a string here (the array case is above)
        PROMPT_COMMAND=_perth_precmd${pc:+;$pc}
    fi
}

# _perth_append LINE: append one line to the spool under umask 077, so that a
# spool the ingester renamed away (even between a check and the append) is
# created with mode 0600; the user's umask (read with the history) is restored.
_perth_append() {
    if [[ ${_perth_umask-} == [0-7][0-7][0-7][0-7] ]]; then
        builtin umask 077
        builtin printf '%s\n' "$1" >> "$_perth_spool"
        builtin umask "$_perth_umask"
    else
        (builtin umask 077 && builtin printf '%s\n' "$1" >> "$_perth_spool")
    fi
}

_perth_precmd() {
    local _perth_status=$?
    local -
    set +eux
    local start=${_perth_t0-} now=${EPOCHREALTIME//[^0-9]/} cwd=${_perth_cwd:-$PWD}
    _perth_t0='' _perth_cwd=''
    if [[ -z $start ]]; then  # no command ran: an empty line, Ctrl-C, the first prompt
        _perth_last_history && _perth_last_n=$_perth_hn _perth_last_t=$_perth_ht
    else
        _perth_command_line
        [[ -n $_perth_r ]] && _perth_record "$start" "$(( now - start ))" "$_perth_status" "$cwd" "$_perth_r"
    fi
    _perth_hook
    return "$_perth_status"
}

# _perth_record START DURATION STATUS CWD COMMAND: append the spool line.
_perth_record() {
    local line
    [[ $5 == ' '* || -e $_perth_pause_all || -e $_perth_pause_self ]] && return
    line=1$'\t'$1$'\t'$2$'\t'$3$'\t'$_perth_ident$'\t'
    _perth_esc "${PERTH_PANE-}"; line+=$_perth_r$'\t'
    _perth_esc "${TMUX_PANE-}"; line+=$_perth_r$'\t'
    _perth_esc "${ZELLIJ_PANE_ID-}"; line+=$_perth_r$'\t'
    _perth_context "$4"; line+=$_perth_r$'\t'$_perth_host_user$'\t'
    _perth_esc "$5"; line+=$_perth_r
    _perth_append "$line"
}

# _perth_private_file PATH: create PATH with mode 0600.  The umask is read from /proc (Linux)
# with the builtin read and restored after: no fork at start-up; elsewhere a subshell.
_perth_private_file() {
    local key value mask=''
    if [[ -r /proc/$$/status ]]; then
        while IFS=$':\t ' builtin read -r key value; do
            [[ $key == Umask ]] && { mask=$value; break; }
        done < "/proc/$$/status"
    fi
    if [[ $mask == [0-7][0-7][0-7][0-7] ]]; then
        builtin umask 077
        : >> "$1" 2>/dev/null
        builtin umask "$mask"
    else
        (builtin umask 077 && : >> "$1") 2>/dev/null
    fi
}

_perth_install() {
    if [[ -z ${EPOCHREALTIME-} ]] || (( BASH_VERSINFO[0] < 5 )); then
        builtin printf 'perth: bash %s is too old for shell capture (5.0 or newer is needed); commands are not recorded (see: %s doctor)\n' \
            "${BASH_VERSION-}" "$_perth_command" >&2
        return 1
    fi
    if [[ ${_perth_session_pid-} != "$$" || -z ${PERTH_SESSION-} ]]; then
        _perth_session_pid=$$
        PERTH_SESSION=$$-${EPOCHREALTIME//[^0-9]/}
        export PERTH_SESSION
    fi
    declare -gA _perth_ps0_d=()  # string keys: PS0 looks up the cwd without arithmetic
    _perth_spool=$_perth_spool_dir/bash-$PERTH_SESSION.spool
    local user='\u' tty='\l'  # prompt escapes: the user name, the terminal's name ("tty": none); no fork
    tty=${tty@P}
    if [[ $tty == tty ]]; then
        _perth_scratch=$_perth_spool_dir/.bash-$PERTH_SESSION.tmp
    else  # one per host and terminal, kept: the next shell on this terminal reuses it
        _perth_scratch=$_perth_spool_dir/.bash-tty-${HOSTNAME//[!A-Za-z0-9._-]/_}-${tty//[!A-Za-z0-9._-]/_}.tmp
    fi
    _perth_pause_all=$_perth_spool_dir/paused
    _perth_pause_self=$_perth_spool_dir/paused.$PERTH_SESSION
    _perth_esc "$PERTH_SESSION"; _perth_ident=bash$'\t'$_perth_r
    _perth_esc "${HOSTNAME-}"; _perth_host_user=$_perth_r$'\t'
    _perth_esc "${USER:-${user@P}}"; _perth_host_user+=$_perth_r
    [[ -d $_perth_spool_dir ]] || command mkdir -p -m 700 -- "$_perth_spool_dir" 2>/dev/null
    [[ -e $_perth_scratch ]] || _perth_private_file "$_perth_scratch"
    if ! _perth_hook; then
        builtin printf 'perth: PS0 or PROMPT_COMMAND is read-only; commands are not recorded\n' >&2
        return 1
    fi
}

_perth_install
