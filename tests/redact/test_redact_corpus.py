"""The labelled corpus: recall >= 98 % and false positives <= 2 %."""

from __future__ import annotations

from tests.fixtures.redact.corpus import Case, build_corpus

from perth.redact import SecretFilter


def detected(secrets: SecretFilter, case: Case) -> bool:
    """Every secret of the case is gone and every expected label is reported."""
    out = secrets.redact(case.text)
    labels = {finding.rule_id for finding in secrets.findings(case.text)}
    return all(secret not in out for secret in case.secrets) and set(case.labels) <= labels


def test_corpus_is_large_varied_and_deterministic() -> None:
    corpus = build_corpus()
    positives = [c for c in corpus if c.labels]
    negatives = [c for c in corpus if not c.labels]
    assert len(corpus) >= 300
    assert len({label for c in positives for label in c.labels}) >= 80
    assert len(negatives) >= 100
    assert len({c.context for c in corpus}) >= 10
    assert build_corpus() == corpus


def test_recall_and_false_positive_rate_meet_the_goals() -> None:
    secrets = SecretFilter()
    corpus = build_corpus()
    positives = [c for c in corpus if c.labels]
    negatives = [c for c in corpus if not c.labels]
    missed = [c for c in positives if not detected(secrets, c)]
    false_positives = [c for c in negatives if secrets.findings(c.text)]
    recall = 1 - len(missed) / len(positives)
    fpr = len(false_positives) / len(negatives)
    assert recall >= 0.98, [(c.labels, c.context) for c in missed[:10]]
    assert fpr <= 0.02, [c.text for c in false_positives[:10]]
