"""README.md works as written (#16): its tested example, run as a user runs it
(`python example.py` with the wheel installed, outside the source tree), prints
what the README says it prints, and type-checks under mypy --strict."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def block(marker: str) -> str:
    """The body of the fenced block right after the `<!-- {marker}` comment."""
    text = README.read_text(encoding="utf-8")
    m = re.search(rf"<!-- {marker}[^>]*-->\r?\n```\w*\r?\n(.*?)```\r?\n", text, re.S)
    assert m, f"README.md has no fenced block marked <!-- {marker} -->"
    return m.group(1)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "example.py"
    path.write_text(block("tested example"), encoding="utf-8")
    return path


def test_readme_example_prints_what_the_readme_shows(example: Path) -> None:
    r = subprocess.run(
        [sys.executable, example.name], cwd=example.parent, capture_output=True, text=True, encoding="utf-8"
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    # The verdicts, whatever the README says: the lost AgentWrapup (acw) is inferred (SPEC §8).
    for expected in [
        "accepted eAgentOfferContact",
        "accepted CustAnswered",
        "accepted eAgentContactEnded",
        "illegal_transition eAgentContactWrappedUp in ended: repair infer [acw]",
        "  -> inferred acw wrapUp",
        "  -> event eAgentContactWrappedUp ready",
        "accepted AgentIdle",
        "a1 is idle",
    ]:
        assert expected in lines, r.stdout
    # And the README's "It prints:" block is exactly the output.
    assert r.stdout == block("tested output")


def test_readme_example_type_checks(example: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", example.name],
        cwd=example.parent,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
