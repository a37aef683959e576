# Perth shell integration for fish.  Install: `perth init fish --install`
# writes this script, filled in, to a file and prints the one `source` line to add
# to ~/.config/fish/config.fish (`perth init fish` alone prints it).
#
# Every finished command becomes one line appended to this shell's spool file
# (format: perth/capture/spool_format.py).  The handlers use builtins and
# functions only (fish runs both in-process): no fork, no external command, no
# Python, no network.  Sourcing twice is harmless.  fish has no clock builtin:
# the start is the time fish recorded in its history for the command (see
# _perth_start); only when that is unknown does the field stay empty and the
# ingester derive it from the time it reads the line minus $CMD_DURATION.

set -g _perth_spool_dir @PERTH_SPOOL_DIR@
set -g _perth_command @PERTH_COMMAND@

# _perth_esc TEXT: _perth_r = TEXT with backslash, TAB, LF and CR escaped.
function _perth_esc
    if builtin string match -q -r '[\\\\\t\n\r]' -- "$argv[1]"
        set -g _perth_r (builtin string replace -a -- \\ \\\\ "$argv[1]" | builtin string join -- \\n \
            | builtin string replace -a -- \t \\t | builtin string replace -a -- \r \\r)
    else
        set -g _perth_r "$argv[1]"
    end
end

# _perth_find_repo DIR: walk up from DIR to the directory holding .git (a
# directory, or a "gitdir:" file for worktrees and submodules).
function _perth_find_repo
    set -g _perth_repo ''
    set -g _perth_gitdir ''
    set -l dir $argv[1]
    while true
        if builtin test -d "$dir/.git"
            set _perth_repo $dir
            set _perth_gitdir "$dir/.git"
            return
        else if builtin test -f "$dir/.git" -a -r "$dir/.git"
            set -l line ''
            builtin read -l line <"$dir/.git"
            if builtin string match -q 'gitdir:*' -- "$line"
                set line (builtin string trim -l -- (builtin string sub -s 8 -- "$line"))
                builtin string match -q '/*' -- "$line"; or set line "$dir/$line"
                set _perth_repo $dir
                set _perth_gitdir $line
                return
            end
        end
        if builtin test -z "$dir" -o "$dir" = /
            return
        end
        set dir (builtin string replace -r -- '/[^/]*$' '' "$dir")
        builtin test -z "$dir"; and set dir /
    end
end

# _perth_context DIR: _perth_r = escaped "cwd<TAB>repo_root<TAB>branch" for DIR.
# The walk up to .git runs only when DIR changes; HEAD is re-read every time
# (with the builtin read) so that a checkout is noticed.
function _perth_context
    set -l dir $argv[1]
    if builtin test "$dir" != "$_perth_ctx_dir"; or begin
            builtin test -z "$_perth_repo"; and builtin test -e "$dir/.git"
        end
        set -g _perth_ctx_dir $dir
        _perth_find_repo $dir
        _perth_esc $dir
        set -g _perth_ctx_cwd $_perth_r
        _perth_esc $_perth_repo
        set -g _perth_ctx_repo $_perth_r
    end
    set -l branch ''
    if builtin test -n "$_perth_gitdir"
        if builtin test -f "$_perth_gitdir/HEAD" -a -r "$_perth_gitdir/HEAD"
            set -l head ''
            builtin read -l head <"$_perth_gitdir/HEAD"
            if builtin string match -q 'ref: refs/heads/*' -- "$head"
                set branch (builtin string sub -s 17 -- "$head")
            end
        else
            set -g _perth_ctx_dir ''  # the repository went away: walk again next time
        end
    end
    _perth_esc $branch
    set -g _perth_r "$_perth_ctx_cwd"\t"$_perth_ctx_repo"\t"$_perth_r"
end

# _perth_append LINE: append one line to the spool under umask 0077, so that a
# spool the ingester renamed away (even between a check and the append) is
# created with mode 0600; the user's umask is restored.
function _perth_append
    set -l mask $umask
    set umask 0077
    builtin printf '%s\n' $argv[1] >>"$_perth_spool"
    set umask $mask
end

# _perth_start DURATION_MS: _perth_r = the command's start in microseconds.  fish has no clock
# builtin: on Linux the preexec handler reads /proc/uptime (centiseconds since boot; the boot
# time was read once from /proc/stat), elsewhere it writes one byte to a clock file and `path
# mtime` reads the time back (whole seconds); builtins only.  The start is moved after the
# previous command's end so that commands keep their order.  Empty when no clock could be read
# (the ingester then derives the start from the time it reads the line).
function _perth_start
    set -g _perth_r ''
    builtin test -n "$_perth_t0"; or return
    set -l start (math -s0 "($_perth_t0) * 1000000")
    if set -q _perth_next_us[1]; and builtin test "$start" -lt "$_perth_next_us"
        set start $_perth_next_us
    end
    set -g _perth_next_us (math -s0 "$start + $argv[1] * 1000 + 1")
    set -g _perth_r $start
end

function _perth_preexec --on-event fish_preexec
    set -g _perth_cwd $PWD
    set -g _perth_t0 ''
    if builtin test -n "$_perth_btime"
        builtin read -l up _rest </proc/uptime 2>/dev/null; and set -g _perth_t0 "$_perth_btime+$up"
    # the clock file was created 0600 by _perth_install; rewriting it keeps its mode (it holds one '.')
    else if builtin printf . 2>/dev/null >"$_perth_clock"
        set -g _perth_t0 (builtin path mtime -- "$_perth_clock" 2>/dev/null)
    end
end

function _perth_postexec --on-event fish_postexec
    set -l exit_status $status
    set -l duration_ms $CMD_DURATION
    set -l cwd $_perth_cwd
    set -e _perth_cwd
    set -l cmd $argv[1]
    if builtin test -z "$cmd"; or builtin string match -q -- ' *' "$cmd"
        return
    end
    if builtin test -e "$_perth_pause_all" -o -e "$_perth_pause_self"
        return
    end
    builtin test -n "$cwd"; or set cwd $PWD
    _perth_start $duration_ms
    # CMD_DURATION is in milliseconds: appending 000 makes microseconds without arithmetic
    set -l line 1\t"$_perth_r"\t"$duration_ms"000\t"$exit_status"\t"$_perth_ident"\t
    _perth_esc "$PERTH_PANE"
    set line "$line$_perth_r"\t
    _perth_esc "$TMUX_PANE"
    set line "$line$_perth_r"\t
    _perth_esc "$ZELLIJ_PANE_ID"
    set line "$line$_perth_r"\t
    _perth_context $cwd
    set line "$line$_perth_r"\t"$_perth_host_user"\t
    _perth_esc $cmd
    _perth_append "$line$_perth_r"
end

function _perth_install
    if not set -q PERTH_SESSION[1]; or builtin test "$_perth_session_pid" != "$fish_pid"
        set -g _perth_session_pid $fish_pid
        set -gx PERTH_SESSION "$fish_pid-"(random 1 2147483647)
    end
    set -g _perth_spool "$_perth_spool_dir/fish-$PERTH_SESSION.spool"
    set -g _perth_clock "$_perth_spool_dir/.fish-$PERTH_SESSION.clock"
    set -g _perth_pause_all "$_perth_spool_dir/paused"
    set -g _perth_pause_self "$_perth_spool_dir/paused.$PERTH_SESSION"
    _perth_esc $PERTH_SESSION
    set -g _perth_ident fish\t"$_perth_r"
    set -l user $USER
    builtin test -n "$user"; or set user $LOGNAME
    _perth_esc $hostname
    set -g _perth_host_user "$_perth_r"
    _perth_esc "$user"
    set _perth_host_user "$_perth_host_user"\t"$_perth_r"
    if not builtin test -d "$_perth_spool_dir"
        command mkdir -p -m 700 -- "$_perth_spool_dir" 2>/dev/null
    end
    set -g _perth_btime ''
    if builtin test -r /proc/uptime -a -r /proc/stat
        set -g _perth_btime (builtin string replace -rf '^btime ' '' </proc/stat 2>/dev/null)
    end
    if builtin test -z "$_perth_btime"
        set -l mask $umask
        set umask 0077
        builtin printf . 2>/dev/null >"$_perth_clock"  # created private once; each command rewrites it
        set umask $mask
    end
end

_perth_install
