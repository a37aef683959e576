"""Shell start-up performance (SPEC C8): measure, analyze and govern how fast a shell starts.

The pieces, each in its own module:

- :mod:`~perth.shellperf.terminal`: the pseudo-terminal port (a real pty and a scripted fake);
- :mod:`~perth.shellperf.escapes` and :mod:`~perth.shellperf.transcript`: the screen as text;
- :mod:`~perth.shellperf.launch` and :mod:`~perth.shellperf.harness`: spawning the shell and
  measuring ``first_prompt_ms``, ``first_command_ms``, ``command_lag_ms``, ``input_lag_ms`` and
  ``exit_ms`` per sample (definitions compatible with zsh-bench);
- :mod:`~perth.shellperf.segments` and ``instrument/``: the in-shell timing library and its lines;
- :mod:`~perth.shellperf.stats`, :mod:`~perth.shellperf.compare`, :mod:`~perth.shellperf.budgets`,
  :mod:`~perth.shellperf.governance`: statistics, classification, budgets and gates;
- :mod:`~perth.shellperf.ledger`: runs and baselines kept in the store;
- :mod:`~perth.shellperf.badges`, :mod:`~perth.shellperf.chart`, :mod:`~perth.shellperf.views`:
  what people and CI see.

Numbers are never invented: a value that was not observed is recorded as missing, with the
reason, and makes its run ``partial``.  Nothing here is imported by ``perth log``.
"""

from __future__ import annotations
