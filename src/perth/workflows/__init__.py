"""Workflows: YAML DAGs of operations jobs with step-level retry and authenticated approvals (C12)."""
