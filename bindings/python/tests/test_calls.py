"""callstate.replay(..., calls=path) writes what `callstate replay --calls FILE`
writes (SPEC §12): compared with tests/fixtures/clean.calls.expected.jsonl."""

from pathlib import Path

import pytest

import callstate

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures"


def test_replay_writes_every_call_as_the_command_line_does(tmp_path):
    out = tmp_path / "calls.jsonl"
    report = callstate.replay(FIXTURES / "clean.jsonl", jobs=1, calls=out)
    lines = list(report)
    plain = callstate.replay(FIXTURES / "clean.jsonl", jobs=1)
    assert lines == list(plain)
    assert report.summary.to_dict() == plain.summary.to_dict()
    assert out.read_text() == (FIXTURES / "clean.calls.expected.jsonl").read_text()


def test_calls_needs_a_path_source(tmp_path):
    with pytest.raises(TypeError):
        callstate.replay(iter(['{"agent":"a","event":"AgentAvailable"}']), calls=tmp_path / "c.jsonl")
