# Appended by `perth init zsh --install` to the script it writes (placeholders
# filled in like perth.zsh's).  Upgrade check: `-nt` compares modification
# times with one stat each, builtins only.  When the installed Perth package is
# newer than this file, the file is rewritten in the background when this shell
# exits: never at start-up, never on the prompt path.

typeset -g _perth_installed_version=@PERTH_VERSION@

_perth_refresh() {
  { @PERTH_REGENERATE@ } </dev/null >/dev/null 2>&1 &!
}

if [[ @PERTH_TEMPLATE@ -nt @PERTH_INSTALLED@ || @PERTH_VERSION_FILE@ -nt @PERTH_INSTALLED@ ]]; then
  autoload -Uz add-zsh-hook
  add-zsh-hook zshexit _perth_refresh
fi
