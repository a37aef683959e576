"""Operations jobs and the workers that run them (SPEC C12).

``model`` holds the records, ``port`` the worker port (what every worker kind implements),
``output`` the bounded, redacted output of a job, ``service`` submitting and managing jobs,
``executor`` leasing and running them (the embedded worker pool), and one module per worker
kind (``shell``, ``pty``...), each with a fake in ``fake``.  The queue itself is the store's
``jobs`` port; see docs/ops.md.
"""
