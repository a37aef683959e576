"""Step outputs passed between steps (redacted), ``when`` conditions, workflow outputs, nested workflows."""

from __future__ import annotations

from pathlib import Path

from perth.runtime import Runtime
from perth.workflows.loader import load
from perth.workflows.runner import drive
from perth.workflows.service import retry, start
from tests.workflows.conftest import sh, write_flow

AWS_KEY = "AKIA" + "QWERTYUIOPASDFGH"  # a made-up key of the AWS access-key shape


def _steps(rt: Runtime, run_id: str) -> dict[str, object]:
    return {s.step_id: s for s in rt.store.workflows.steps(run_id)}


def test_outputs_flow_into_arguments_conditions_and_the_runs_outputs(rt: Runtime, tmp_path: Path) -> None:
    flow = write_flow(tmp_path, f"""\
name: outputs
inputs: {{dest: {{default: {tmp_path}/out}}}}
steps:
  - id: build
    job: {sh("echo building; echo ::output path=${{ inputs.dest }}.tar; echo ::output changed=yes")}
  - id: ship
    needs: [build]
    when: steps.build.outputs.changed == 'yes'
    job: {{kind: shell, args: ["sh", "-c", "echo $1 > {tmp_path}/shipped", "sh", "${{{{ steps.build.outputs.path }}}}"]}}
  - id: skip-me
    needs: [build]
    when: steps.build.outputs.changed == 'no'
    job: {sh(f"touch {tmp_path}/never")}
  - id: after-skip
    needs: [skip-me]
    job: {sh(f"touch {tmp_path}/never-either")}
outputs:
  artifact: "${{{{ steps.build.outputs.path }}}}"
""")
    run = drive(rt, start(rt, load(flow), {"dest": f"{tmp_path}/given"}))
    steps = _steps(rt, run.id)
    assert run.status == "succeeded"  # a step skipped by its condition does not fail the run
    assert steps["build"].outputs == {"path": f"{tmp_path}/given.tar", "changed": "yes"}  # type: ignore[attr-defined]
    assert (tmp_path / "shipped").read_text() == f"{tmp_path}/given.tar\n"
    assert steps["skip-me"].status == "skipped" and "condition is false" in steps["skip-me"].error  # type: ignore[attr-defined]
    assert steps["after-skip"].status == "skipped"  # type: ignore[attr-defined]
    assert not (tmp_path / "never").exists() and not (tmp_path / "never-either").exists()
    assert run.outputs == {"artifact": f"{tmp_path}/given.tar"}
    assert rt.store.workflows.get(run.id).outputs == run.outputs  # type: ignore[union-attr]


def test_a_condition_sees_failed_steps_and_a_failure_handler_sees_outputs(rt: Runtime, tmp_path: Path) -> None:
    flow = write_flow(tmp_path, f"""\
name: conditions
steps:
  - id: test
    job: {sh("echo ::output failing=parser; exit 3")}
  - id: report
    needs: [test]
    when: steps.test.status == 'failed'
    job: {{kind: shell, args: ["sh", "-c", "echo $1 > {tmp_path}/report", "sh", "${{{{ steps.test.outputs.failing }}}}"]}}
on_failure:
  - id: notify
    job: {{kind: shell, args: ["sh", "-c", "echo $1 > {tmp_path}/notified", "sh", "${{{{ steps.test.status }}}}"]}}
""")
    run = drive(rt, start(rt, load(flow), {}))
    assert run.status == "failed"
    assert (tmp_path / "report").read_text() == "parser\n"  # outputs of a failed step are kept
    assert (tmp_path / "notified").read_text() == "failed\n"


def test_an_output_holding_a_secret_is_redacted_before_it_is_stored_or_passed_on(rt: Runtime, tmp_path: Path) -> None:
    flow = write_flow(tmp_path, f"""\
name: leaky-output
steps:
  - id: leak
    job: {sh("echo ::output key=AKIA$(printf QWERTYUIOPASDFGH)")}  # the key is made when it runs
  - id: use
    needs: [leak]
    job: {{kind: shell, args: ["sh", "-c", "echo \\"$1\\" > {tmp_path}/got", "sh", "${{{{ steps.leak.outputs.key }}}}"]}}
outputs: {{key: "${{{{ steps.leak.outputs.key }}}}"}}
""")
    run = drive(rt, start(rt, load(flow), {}))
    stored = _steps(rt, run.id)["leak"].outputs  # type: ignore[attr-defined]
    assert AWS_KEY not in str(stored) and "[REDACTED:" in stored["key"]
    assert AWS_KEY not in (tmp_path / "got").read_text()
    assert AWS_KEY not in str(run.outputs)
    rt.close()
    from perth.config import database_path

    for path in Path(database_path(rt.settings)).parent.glob("perth.db*"):
        assert AWS_KEY.encode() not in path.read_bytes()


def test_a_nested_workflow_is_a_step_with_inputs_and_outputs_and_retries_only_its_failed_step(
        rt: Runtime, tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    write_flow(tmp_path / "lib", f"""\
name: child
inputs: {{n: {{default: "0"}}}}
steps:
  - id: prepare
    job: {sh(f"echo prepared >> {tmp_path}/prepare.count")}
  - id: compute
    needs: [prepare]
    job: {{kind: shell, args: ["sh", "-c", "test -f {tmp_path}/ok || exit 1; echo ::output v=$(($1 * 2))", "sh", "${{{{ inputs.n }}}}"]}}
outputs: {{doubled: "${{{{ steps.compute.outputs.v }}}}"}}
""", "child.yml")
    flow = write_flow(tmp_path, f"""\
name: parent
steps:
  - id: seed
    job: {sh("echo ::output n=21")}
  - id: nested
    needs: [seed]
    workflow: lib/child.yml
    with: {{n: "${{{{ steps.seed.outputs.n }}}}"}}
  - id: last
    needs: [nested]
    job: {{kind: shell, args: ["sh", "-c", "echo $1 > {tmp_path}/last", "sh", "${{{{ steps.nested.outputs.doubled }}}}"]}}
""")
    run = drive(rt, start(rt, load(flow), {}))
    steps = _steps(rt, run.id)
    assert run.status == "failed" and steps["nested"].status == "failed"  # type: ignore[attr-defined]
    child = rt.store.workflows.get(steps["nested"].child_run_id)  # type: ignore[attr-defined,arg-type]
    assert child is not None and child.status == "failed" and child.parent_run_id == run.id
    assert child.started_by == run.started_by and child.trigger == f"workflow:{run.id}:nested"
    (tmp_path / "ok").touch()
    run = drive(rt, retry(rt, run, "nested"))
    steps = _steps(rt, run.id)
    assert run.status == "succeeded"
    assert steps["nested"].outputs == {"doubled": "42"}  # type: ignore[attr-defined]
    assert steps["nested"].child_run_id == child.id  # type: ignore[attr-defined]  # the same child run, retried
    assert (tmp_path / "last").read_text() == "42\n"
    assert (tmp_path / "prepare.count").read_text().splitlines() == ["prepared"]  # its first step ran once
    assert steps["seed"].attempts == 1  # type: ignore[attr-defined]


def test_a_nested_step_retries_its_child_by_its_retry_policy(rt: Runtime, tmp_path: Path) -> None:
    write_flow(tmp_path, f"""\
name: flaky-child
steps:
  - id: once
    job: {sh(f"echo x >> {tmp_path}/once.count")}
  - id: flaky
    needs: [once]
    job: {sh(f"echo x >> {tmp_path}/flaky.count; test $(wc -l < {tmp_path}/flaky.count) -ge 2")}
""", "child.yml")
    flow = write_flow(tmp_path, "name: p\nsteps:\n  - id: n\n    workflow: child.yml\n    retry: {attempts: 2}\n")
    run = drive(rt, start(rt, load(flow), {}))
    assert run.status == "succeeded"
    assert _steps(rt, run.id)["n"].attempts == 2  # type: ignore[attr-defined]
    assert (tmp_path / "once.count").read_text().count("x") == 1 and (tmp_path / "flaky.count").read_text().count("x") == 2
