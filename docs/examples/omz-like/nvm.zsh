# Stands in for nvm.sh, whose start-up runs subprocesses (version lookups) for about 150 ms.
sleep 0.15
nvm() { print -r -- "nvm $*" }
