# The prompt: the directory, and the host name (Perth's harness recognizes either).
PROMPT='%m %1~ %# '
