# Stands in for oh-my-zsh's git plugin: about 150 aliases.
for _omz_i in {1..150}; do
  alias "g$_omz_i"="git status --short $_omz_i"
done
unset _omz_i
alias gst='git status'
