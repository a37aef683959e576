"""SSH and SFTP jobs against a real OpenSSH server on 127.0.0.1 (started by the tests), and the
faults: target down (retried, then dead-lettered), authentication failure and unknown host key
(never retried), timeout; and the workers' logic on the shipped fake host."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from perth.errors import ProviderRejectedError, TransientError
from perth.ops.remote import FakeRemoteHost, SftpWorker, SshWorker
from perth.ops.service import JobSpec, find, submit, wait
from perth.ops.sshpool import parse_target
from perth.runtime import Runtime
from tests.ops.sshd import Sshd, free_port
from tests.ops.test_pty import _IO


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    server = Sshd(tmp_path_factory.mktemp("sshd")).start()
    yield server
    server.stop()


def remote(rt: Runtime, sshd: Sshd, kind: str, *args: str, **spec: object) -> str:
    options = {"identity": str(sshd.identity), "known_hosts": str(sshd.known_hosts), **spec.pop("options", {})}  # type: ignore[dict-item]
    target = str(spec.pop("target", sshd.target))
    return submit(rt, JobSpec(kind=kind, args=args, target=target, options=options, **spec)).id  # type: ignore[arg-type]


def test_a_command_runs_on_the_host(rt: Runtime, sshd: Sshd) -> None:
    job = wait(rt, find(rt, remote(rt, sshd, "ssh", "echo remote $((6 * 7)); echo oops >&2; exit 4")))
    assert (job.status, job.exit_code) == ("failed", 4)
    assert job.output == "remote 42\noops\n"
    quoted = wait(rt, find(rt, remote(rt, sshd, "ssh", "printf", "%s|", "a b", "$HOME")))
    assert (quoted.status, quoted.output) == ("succeeded", "a b|$HOME|")


def test_files_go_up_and_down_and_are_listed_and_deleted(rt: Runtime, sshd: Sshd, tmp_path: Path) -> None:
    local = tmp_path / "dist.bin"
    local.write_bytes(os.urandom(300_000))
    folder = tmp_path / "remote"
    folder.mkdir()
    put = wait(rt, find(rt, remote(rt, sshd, "sftp", "put", str(local), str(folder / "up.bin"))))
    assert (put.status, put.result) == ("succeeded", {"bytes": 300_000})
    assert (folder / "up.bin").read_bytes() == local.read_bytes()
    back = tmp_path / "back.bin"
    got = wait(rt, find(rt, remote(rt, sshd, "sftp", "get", str(folder / "up.bin"), str(back))))
    assert got.status == "succeeded" and back.read_bytes() == local.read_bytes()
    listed = wait(rt, find(rt, remote(rt, sshd, "sftp", "ls", str(folder))))
    assert listed.output == "file\t300000\tup.bin\n"
    assert wait(rt, find(rt, remote(rt, sshd, "sftp", "rm", str(folder / "up.bin")))).status == "succeeded"
    assert not (folder / "up.bin").exists()
    missing = wait(rt, find(rt, remote(rt, sshd, "sftp", "rm", str(folder / "up.bin"))))
    assert (missing.status, missing.attempt, missing.error_kind) == ("dead", 1, "error")


def test_an_authentication_failure_is_never_retried(rt: Runtime, sshd: Sshd) -> None:
    job = wait(rt, find(rt, remote(rt, sshd, "ssh", "true", options={"identity": str(sshd.other_identity)})))
    assert (job.status, job.attempt, job.error_kind) == ("dead", 1, "rejected")
    assert "authentication" in (job.error or "")


def test_an_unknown_host_key_is_refused_unless_accept_new(make_rt, sshd: Sshd, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "known_hosts"
    strict = make_rt(backoff_ms=0)
    job = wait(strict, find(strict, remote(strict, sshd, "ssh", "true", options={"known_hosts": str(empty)})))
    assert (job.status, job.attempt, job.error_kind) == ("dead", 1, "rejected")
    assert "host key" in (job.error or "")
    trusting = make_rt(backoff_ms=0, ssh_host_keys="accept-new")
    job = wait(trusting, find(trusting, remote(trusting, sshd, "ssh", "true", options={"known_hosts": str(empty)})))
    assert job.status == "succeeded"
    assert f"[127.0.0.1]:{sshd.port} ssh-ed25519 " in empty.read_text()


def test_a_host_that_is_down_is_retried_then_dead_lettered(rt: Runtime, sshd: Sshd) -> None:
    target = f"{sshd.user}@127.0.0.1:{free_port()}"
    job = wait(rt, find(rt, remote(rt, sshd, "ssh", "true", target=target, max_attempts=2)))
    assert (job.status, job.attempt, job.error_kind) == ("dead", 2, "transient")
    assert "cannot connect" in (job.error or "")


def test_a_slow_command_times_out(rt: Runtime, sshd: Sshd) -> None:
    job = wait(rt, find(rt, remote(rt, sshd, "ssh", "sleep 30", timeout_s=1, max_attempts=1)))
    assert (job.status, job.error_kind) == ("dead", "timeout")


def test_targets_parse() -> None:
    assert parse_target("deploy@web-1:2222") == ("deploy", "web-1", 2222)
    assert parse_target("web-1") == (None, "web-1", 22)


def test_the_workers_on_the_fake_host(tmp_path: Path) -> None:
    from perth.ops.model import Job

    class IO(_IO):
        def setting(self, key: str) -> object:
            return {"ops.ssh_host_keys": "strict", "ops.ssh_connect_timeout_s": 5}[key]

    host = FakeRemoteHost(replies={"uptime": ("up 3 days\n", 0)})
    io = IO()
    result = SshWorker(host).run(Job(id="j", kind="ssh", target="me@h", args=("uptime",)), io)  # type: ignore[arg-type]
    assert (result.exit_code, io.output.close()) == (0, "up 3 days\n")
    local = tmp_path / "f"
    local.write_text("data")
    SftpWorker(host).run(Job(id="j", kind="sftp", target="h", args=("put", str(local), "/srv/f")), IO())  # type: ignore[arg-type]
    assert host.files == {"/srv/f": b"data"}
    for fault, error in (("down", TransientError), ("auth", ProviderRejectedError)):
        with pytest.raises(error):
            SshWorker(FakeRemoteHost(fault=fault)).run(Job(id="j", kind="ssh", target="h", args=("x",)), IO())  # type: ignore[arg-type]


def test_keys_come_from_the_ssh_agent(rt: Runtime, sshd: Sshd, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import time

    socket_path = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(socket_path)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not socket_path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        monkeypatch.setenv("SSH_AUTH_SOCK", str(socket_path))
        subprocess.run(["ssh-add", "-q", str(sshd.identity)], check=True, capture_output=True)
        job_id = submit(rt, JobSpec(kind="ssh", target=sshd.target, args=("echo via agent",),
                                    options={"known_hosts": str(sshd.known_hosts)})).id
        job = wait(rt, find(rt, job_id))
        assert (job.status, job.output) == ("succeeded", "via agent\n"), job.error
    finally:
        agent.terminate()
        agent.wait(timeout=10)
