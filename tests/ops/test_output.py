"""The output sink: whatever the pieces, the file holds all of the redacted output and the
stored tail is its end, never longer than the limit (plus the truncation mark)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from perth.ops.output import TRUNCATION_MARK, OutputSink
from perth.redact import SecretFilter

SECRET = "ghp_" + "Zq8rT2vW9xY4bN6mK1pL3sD5fG7hJ0aC2eE4"
pieces = st.lists(st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode),
                            st.just(f"token {SECRET}\n".encode())), max_size=30)


@settings(max_examples=150, deadline=None)
@given(pieces, st.integers(min_value=1, max_value=400))
def test_tail_is_the_bounded_end_of_the_redacted_file(chunks: list[bytes], limit: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "out" / "attempt-1.out")
        sink = OutputSink(path, limit, SecretFilter())
        for chunk in chunks:
            sink.write(chunk)
        tail = sink.close()
        stored = Path(path).read_bytes().decode()
    assert sink.bytes == sum(map(len, chunks))
    assert SECRET not in stored and SECRET not in tail
    body = tail.removeprefix(TRUNCATION_MARK)
    assert len(body) <= limit and stored.endswith(body)
    assert (tail.startswith(TRUNCATION_MARK)) == (len(stored) > limit)


def test_a_secret_split_across_writes_is_still_redacted(tmp_path: Path) -> None:
    sink = OutputSink(str(tmp_path / "o.out"), 1000, SecretFilter())
    line = f"export GITHUB_TOKEN={SECRET}\n".encode()
    for index in range(len(line)):
        sink.write(line[index:index + 1])
    assert sink.close() == "export GITHUB_TOKEN=[REDACTED:github-pat]\n"
