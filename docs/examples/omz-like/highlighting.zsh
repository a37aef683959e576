# Stands in for zsh-syntax-highlighting, whose start-up costs about 50 ms.
sleep 0.05
typeset -gA EXAMPLE_HIGHLIGHT_STYLES=(command fg=green alias fg=cyan)
