# shellcheck shell=bash
# Appended by `perth init bash --install` to the script it writes (placeholders
# filled in like perth.bash's).  Upgrade check: `-nt` compares modification
# times with one stat each, builtins only.  When the installed Perth package is
# newer than this file, the file is rewritten in the background when this shell
# exits (an EXIT trap, chained before any EXIT trap already set): never at
# start-up, never on the prompt path.

# shellcheck disable=SC2034  # read by `perth doctor` and by users
_perth_installed_version=@PERTH_VERSION@

if [[ @PERTH_TEMPLATE@ -nt @PERTH_INSTALLED@ || @PERTH_VERSION_FILE@ -nt @PERTH_INSTALLED@ ]]; then
    # defined only here: a current file defines nothing more
    _perth_refresh() {
        { @PERTH_REGENERATE@ ; } </dev/null >/dev/null 2>&1 &
        builtin disown 2>/dev/null
    }
    # _perth_trap_body -- BODY EXIT: what `trap -p EXIT` prints, read back as arguments.
    _perth_trap_body() { _perth_exit_was=$2; }
    _perth_exit_was=
    _perth_r=$(builtin trap -p EXIT)  # a fork, but only in the first shells after an upgrade
    [[ $_perth_r == 'trap -- '* ]] && builtin eval "_perth_trap_body ${_perth_r#trap }"
    [[ $_perth_exit_was == *_perth_refresh* ]] || builtin trap -- "_perth_refresh${_perth_exit_was:+; $_perth_exit_was}" EXIT
fi
