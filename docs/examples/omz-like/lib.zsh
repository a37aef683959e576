# Stands in for oh-my-zsh's lib/*.zsh: options, history settings and a few hundred small functions.
setopt auto_cd auto_pushd pushd_ignore_dups interactive_comments extended_history share_history
HISTSIZE=50000
SAVEHIST=10000
for _omz_i in {1..300}; do
  eval "omz_helper_$_omz_i() { print -r -- \$1 }"
done
unset _omz_i
