# Stands in for zsh-autosuggestions: widgets and a key binding.
_example_suggest() { zle autosuggest-accept 2>/dev/null || zle forward-char }
zle -N example-suggest _example_suggest
bindkey '^F' example-suggest
