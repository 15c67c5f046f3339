"""The stubs type-check a user's script with mypy (and reject wrong code)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def mypy(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True,
        text=True,
        cwd=HERE,
    )


def test_mypy_accepts_a_typed_user_script():
    r = mypy(HERE / "typed_user.py")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_rejects_misuse():
    r = mypy(HERE / "typed_user_bad.py")
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.count("error:") == 3, r.stdout
