"""The shipped template is exactly what the current code builds (the build is deterministic)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from cchc_xl.templates import TEMPLATE_NAME, build_template

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_template_equals_a_fresh_build(tmp_path):
    shipped = ROOT / "workbook_templates" / TEMPLATE_NAME
    fresh = build_template(tmp_path / TEMPLATE_NAME)
    with zipfile.ZipFile(shipped) as a, zipfile.ZipFile(fresh) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        stale = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert not stale, f"rebuild with: python -m cchc_xl.templates ({stale[:3]})"


def test_two_builds_are_byte_identical(tmp_path):
    one = build_template(tmp_path / "a.xlsm").read_bytes()
    two = build_template(tmp_path / "b.xlsm").read_bytes()
    assert one == two
