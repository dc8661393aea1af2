"""The code stays as clean as it is now: ruff's rules and mypy's types (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_mypy_finds_no_type_error_in_the_package():
    pytest.importorskip("mypy", reason="mypy is in the [test] extra")
    done = run("mypy", "cchc_xl")
    assert done.returncode == 0, done.stdout[-4000:]


def test_ruff_finds_nothing_in_the_package_and_the_tests():
    pytest.importorskip("ruff", reason="ruff is in the [test] extra")
    done = run("ruff", "check", "cchc_xl", "tests", "devtools", "bench", "docs/make_pictures.py")
    assert done.returncode == 0, done.stdout[-4000:]
