# Perth shell integration for zsh.  Install: `perth init zsh --install`
# writes this script, filled in, to a file and prints the one `source` line to add
# to ~/.zshrc (`perth init zsh` alone prints it).
#
# Every finished command becomes one line appended to this shell's spool file
# (format: perth/capture/spool_format.py).  The hooks use builtins only: no
# fork, no external command, no Python, no network.  Sourcing twice is harmless.
# A command starting with a space is not recorded; nothing is recorded while a
# pause flag exists (`perth pause`, `perth pause --global`).

typeset -g _perth_spool_dir=@PERTH_SPOOL_DIR@
typeset -g _perth_command=@PERTH_COMMAND@

# _perth_esc TEXT: REPLY=TEXT with backslash, TAB, LF and CR escaped.
_perth_esc() {
  REPLY=$1
  if [[ $REPLY == *[$'\\\t\n\r']* ]]; then
    REPLY=${REPLY//\\/\\\\}
    REPLY=${REPLY//$'\t'/\\t}
    REPLY=${REPLY//$'\n'/\\n}
    REPLY=${REPLY//$'\r'/\\r}
  fi
}

# _perth_find_repo DIR: walk up from DIR to the directory holding .git (a
# directory, or a "gitdir:" file for worktrees and submodules).
_perth_find_repo() {
  local dir=$1 line
  typeset -g _perth_repo= _perth_gitdir=
  while :; do
    if [[ -d $dir/.git ]]; then
      _perth_repo=${dir:-/} _perth_gitdir=$dir/.git
      return
    elif [[ -f $dir/.git && -r $dir/.git ]]; then
      line=
      builtin read -r line < $dir/.git
      if [[ $line == gitdir:* ]]; then
        line=${line#gitdir:}
        while [[ $line == ' '* ]]; do line=${line# }; done
        [[ $line == /* ]] || line=$dir/$line
        _perth_repo=${dir:-/} _perth_gitdir=$line
        return
      fi
    fi
    [[ -z $dir || $dir == / ]] && return
    dir=${dir%/*}
  done
}

# _perth_context DIR: REPLY=escaped "cwd<TAB>repo_root<TAB>branch" for DIR.
# The walk up to .git runs only when DIR changes; HEAD is re-read every time
# (with the builtin read) so that a checkout is noticed.
_perth_context() {
  local head= branch=
  if [[ $1 != $_perth_ctx_dir || ( -z $_perth_repo && -e $1/.git ) ]]; then
    typeset -g _perth_ctx_dir=$1
    _perth_find_repo $1
    _perth_esc $1; typeset -g _perth_ctx_cwd=$REPLY
    _perth_esc $_perth_repo; typeset -g _perth_ctx_repo=$REPLY
  fi
  if [[ -n $_perth_gitdir ]]; then
    if [[ -f $_perth_gitdir/HEAD && -r $_perth_gitdir/HEAD ]]; then
      builtin read -r head < $_perth_gitdir/HEAD
      [[ $head == 'ref: refs/heads/'* ]] && branch=${head#ref: refs/heads/}
    else
      typeset -g _perth_ctx_dir=  # the repository went away: walk again next time
    fi
  fi
  _perth_esc $branch
  REPLY=$_perth_ctx_cwd$'\t'$_perth_ctx_repo$'\t'$REPLY
}

_perth_preexec() {
  emulate -L zsh
  local -a now
  now=($epochtime)
  typeset -g _perth_cmd=$1 _perth_cwd=$PWD
  typeset -gi _perth_t0=$(( now[1] * 1000000 + now[2] / 1000 ))
}

_perth_precmd() {
  local -i _perth_status=$?
  emulate -L zsh
  local -a now
  now=($epochtime)
  (( ${+_perth_t0} )) || return $_perth_status
  local -i start=$_perth_t0 dur=$(( now[1] * 1000000 + now[2] / 1000 - _perth_t0 ))
  unset _perth_t0
  [[ -z $_perth_cmd || $_perth_cmd == ' '* ]] && return $_perth_status
  [[ -e $_perth_pause_all || -e $_perth_pause_self ]] && return $_perth_status
  local line
  line=$'1\t'$start$'\t'$dur$'\t'$_perth_status$'\t'$_perth_ident$'\t'
  _perth_esc $PERTH_PANE; line+=$REPLY$'\t'
  _perth_esc $TMUX_PANE; line+=$REPLY$'\t'
  _perth_esc $ZELLIJ_PANE_ID; line+=$REPLY$'\t'
  _perth_context $_perth_cwd; line+=$REPLY$'\t'$_perth_host_user$'\t'
  _perth_esc $_perth_cmd; line+=$REPLY$'\n'
  _perth_append $line
  return $_perth_status
}

# _perth_append LINE: one write(2) to the spool, creating it with mode 0600
# (sysopen from zsh/system); plain >> when that module is missing.
_perth_append() {
  local fd
  if (( ${+builtins[sysopen]} )); then
    builtin sysopen -a -m 600 -o creat,cloexec -u fd -- $_perth_spool 2>/dev/null || return
    builtin syswrite -o $fd -- $1 2>/dev/null
    exec {fd}>&-
  else
    builtin print -rn -- $1 >> $_perth_spool
  fi
}

_perth_install() {
  emulate -L zsh
  if ! zmodload zsh/datetime 2>/dev/null; then
    builtin print -ru2 -- "perth: zsh/datetime is missing; commands are not recorded (see: $_perth_command doctor)"
    return 1
  fi
  zmodload zsh/system 2>/dev/null
  local -a now
  now=($epochtime)
  if [[ $_perth_session_pid != $$ || -z $PERTH_SESSION ]]; then
    typeset -g _perth_session_pid=$$
    export PERTH_SESSION=$$-$(( now[1] * 1000000 + now[2] / 1000 ))
  fi
  typeset -g _perth_spool=$_perth_spool_dir/zsh-$PERTH_SESSION.spool
  typeset -g _perth_pause_all=$_perth_spool_dir/paused
  typeset -g _perth_pause_self=$_perth_spool_dir/paused.$PERTH_SESSION
  _perth_esc $PERTH_SESSION; typeset -g _perth_ident=zsh$'\t'$REPLY
  _perth_esc ${HOST:-$HOSTNAME}; typeset -g _perth_host_user=$REPLY$'\t'
  _perth_esc ${USER:-$USERNAME}; _perth_host_user+=$REPLY
  [[ -d $_perth_spool_dir ]] || command mkdir -p -m 700 -- $_perth_spool_dir 2>/dev/null
  autoload -Uz add-zsh-hook
  add-zsh-hook preexec _perth_preexec
  add-zsh-hook precmd _perth_precmd
}

_perth_install
