"""Shared fixtures of the summarize tests."""

from __future__ import annotations

import subprocess

import pytest

#: Names the test certificate is valid for (not the address 127.0.0.1).
CERT_NAMES = ("localhost", "llm.internal.test")


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate (cert file, key file) for :data:`CERT_NAMES`, made by openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    names = ",".join(f"DNS:{name}" for name in CERT_NAMES)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", f"/CN={CERT_NAMES[0]}", "-addext", f"subjectAltName={names}"],
                   check=True, capture_output=True)
    return cert, key
