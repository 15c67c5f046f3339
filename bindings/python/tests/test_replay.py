"""callstate.replay gives exactly what `callstate replay --json` prints:
compared with tests/fixtures/*.expected.jsonl (strict) and
*.resync.expected.jsonl (resync), v2's reports, with SPEC v3 §10's changes from
tests/fixtures/v3-changes.jsonl (the CLI's test holds that file to
`replay --json`'s output line by line)."""

import gzip
import json
from pathlib import Path

import pytest

import callstate
from callstate import CallstateError, RejectionKind

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures"


def cases():
    for log in sorted(FIXTURES.glob("*.jsonl")):
        if ".expected" in log.name:
            continue
        for mode, suffix in [("strict", ".expected.jsonl"), ("resync", ".resync.expected.jsonl")]:
            expected = log.with_name(log.name[: -len(".jsonl")] + suffix)
            if expected.exists():
                yield pytest.param(log, mode, expected, id=f"{log.stem}-{mode}")


def json_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def expected_of(path, mode):
    """v2's report, with v3's line (or none) where v3-changes.jsonl lists one."""
    objects = json_lines(path)
    by_line = {o["line"]: o for o in objects[:-1]}
    summary = objects[-1]["summary"]
    fixture = path.name.split(".")[0]
    for c in json_lines(FIXTURES / "v3-changes.jsonl"):
        if (c["fixture"], c["mode"]) != (fixture, mode):
            continue
        if c["line"] is None:
            assert summary == c["v2"], f"{fixture} {mode}: the v2 summary in v3-changes.jsonl"
            summary = c["v3"]
            continue
        assert by_line.get(c["line"]) == c["v2"], f"{fixture} {mode} line {c['line']}: v2 in v3-changes.jsonl"
        if c["v3"] is None:
            del by_line[c["line"]]
        else:
            by_line[c["line"]] = c["v3"]
    return [by_line[n] for n in sorted(by_line)], summary


def without_message(lines):
    return [{k: v for k, v in line.items() if k != "message"} for line in lines]


def test_there_are_fixtures_of_both_modes():
    modes = [c.values[1] for c in cases()]
    assert modes.count("strict") >= 3 and modes.count("resync") >= 3


@pytest.mark.parametrize("log,mode,expected", list(cases()))
def test_replay_equals_the_cli_json(log, mode, expected):
    lines, summary = expected_of(expected, mode)
    for jobs in (1, 2):
        report = callstate.replay(log, mode=mode, jobs=jobs)
        got = list(report)
        assert without_message([line.to_dict() for line in got]) == lines
        assert report.summary.to_dict() == summary
        for line, want in zip(got, lines):
            assert line.line == want["line"] and line.kind is RejectionKind(want["kind"])
            assert (line.agent, line.interaction, line.event, line.state) == (want["agent"], want["interaction"], want["event"], want["state"])
            assert line.repair == want.get("repair") and line.inferred == want.get("inferred")
            assert isinstance(line.message, str) and line.message
        s = report.summary
        assert (s.records, s.accepted, s.rejected, s.open_calls, s.repaired) == (
            summary["records"], summary["accepted"], summary["rejected"], summary["open_calls"], summary.get("repaired"),
        )


@pytest.mark.parametrize("log,mode,expected", list(cases()))
def test_replay_of_an_iterable_of_lines_agrees(log, mode, expected):
    lines, summary = expected_of(expected, mode)
    with open(log, "rb") as f:  # bytes lines, with their newlines
        report = callstate.replay(f, mode=mode)
        assert report.summary.to_dict() == summary  # early: reads ahead, keeps the lines
        assert without_message([line.to_dict() for line in report]) == lines
    text_lines = (line for line in log.read_bytes().decode("utf-8", "replace").split("\n"))
    if b"\xff" not in log.read_bytes() and b"\r" not in log.read_bytes():
        report = callstate.replay(text_lines, mode=mode)
        assert without_message([line.to_dict() for line in report]) == lines


def test_several_files_and_gzip(tmp_path):
    log = FIXTURES / "lossy.jsonl"
    once = callstate.replay(log, mode="strict").summary
    gz = tmp_path / "lossy.jsonl.gz"
    gz.write_bytes(gzip.compress(log.read_bytes()))
    twice = callstate.replay([str(log), gz], mode="strict").summary
    assert twice.records == 2 * once.records


def test_dropping_a_report_early_stops_its_thread():
    report = callstate.replay(FIXTURES / "lossy.jsonl", jobs=1)
    assert next(report).line > 0
    del report  # the thread sees the closed channel and stops


def test_replay_errors(tmp_path):
    with pytest.raises(CallstateError, match="cannot open /nonexistent/log.jsonl"):
        callstate.replay("/nonexistent/log.jsonl")
    with pytest.raises(CallstateError, match="is a directory"):
        callstate.replay(FIXTURES)
    with pytest.raises(CallstateError, match="cannot open"):
        callstate.replay("x" * (2 << 20))
    with pytest.raises(CallstateError, match="at least one path"):
        callstate.replay([])
    with pytest.raises(CallstateError, match="mode must be"):
        callstate.replay(FIXTURES / "lossy.jsonl", mode="loose")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        callstate.replay(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="log lines must be str or bytes"):
        list(callstate.replay(iter([1, 2])))
    long = tmp_path / "long.jsonl"
    long.write_text('{"agent":"a","event":"AgentIdle"}\n' + "x" * (3 << 20) + "\n\n")
    report = callstate.replay(long, max_line_bytes=1 << 20)
    assert [(line.line, line.kind) for line in report] == [(2, RejectionKind.MALFORMED)]
    assert report.summary.records == 2
