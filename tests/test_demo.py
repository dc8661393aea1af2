"""Smoke test of the README's first command, `cchc-xl demo`, as a user runs it.

The installed console script runs in a fresh process from an empty folder, with no options; the
checks are what a user would look at: the exit code, the printed total and index, the master
(it opens as a master), one workbook per unit, the plan in Word and Excel. With
PYTHONPROFILEIMPORTTIME the run also lists every module it imported: not xlwings (the [excel]
extra); pandas only for the plan's progress report, its last step.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cchc_xl.criteria.catalogue import load_catalogue
from cchc_xl.criteria.numbers import vn_percent
from cchc_xl.demo import LATE_PLAN_UNIT, sample_catalogue_path
from cchc_xl.ops.master import Master

# Not defusedxml: openpyxl imports it by itself whenever it is installed (the test extra has it);
# that no module of cchc_xl imports it is checked in test_dependencies.py.
NOT_NEEDED = {"xlwings"}


def demo_command() -> list[str]:
    """The `cchc-xl` console script of the environment running the tests (pip install -e .)."""
    script = shutil.which("cchc-xl", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("cchc-xl is not installed in this environment (pip install -e .)")
    return [script, "demo"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    cwd = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1", "COLUMNS": "200"}
    done = subprocess.run(demo_command(), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)
    imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:") and "|" in line}
    errors = "\n".join(line for line in done.stderr.splitlines()
                       if not line.startswith("import time:"))
    return {"done": done, "out": cwd / "cchc-demo", "imported": imported, "errors": errors,
            "catalogue": load_catalogue(sample_catalogue_path())}


def test_demo_exits_0_and_prints_the_index(demo: dict) -> None:
    done = demo["done"]
    assert done.returncode == 0, demo["errors"] or done.stdout
    assert demo["errors"] == ""
    said = " ".join(done.stdout.split())  # wherever the console wraps
    master = Master.open(demo["out"] / "tong-hop" / "CCHC-2026-tong-hop.xlsm")
    report = master.report()
    lines = re.findall(r"Chỉ số CCHC (\S+%); xếp loại (\S+)", said)
    assert len(lines) == 2, said  # self-assessed (provisional), then as published
    assert "tạm tính" in said and "xếp thứ 04/15" in said
    assert lines[-1] == (vn_percent(report.published.index), report.published_rating)
    assert "Kế hoạch khắc phục" in said and "Xong." in said


def test_demo_writes_the_master_the_units_and_the_plan(demo: dict) -> None:
    out, catalogue = demo["out"], demo["catalogue"]
    master = Master.open(out / "tong-hop" / "CCHC-2026-tong-hop.xlsm")
    assert master.path.suffix == ".xlsm"
    with zipfile.ZipFile(master.path) as archive:
        assert "xl/vbaProject.bin" in archive.namelist()  # the buttons' macros
    units = [u.code for u in catalogue.units if catalogue.unit_leaves(u.code)]
    assert sorted(p.name for p in (out / "gui-don-vi").glob("*.xlsx")) == sorted(
        f"CCHC-{catalogue.year}-{u}.xlsx" for u in units)
    returned = {p.stem.rsplit("-", 1)[1] for p in (out / "nhan-ve").rglob("*.xlsx")}
    assert returned == set(units)
    # Every unit's inputs reached the master: each unit's items hold a value.
    entries = master.state.entries
    for unit in units:
        assert any(not entries[leaf.code].leaf_input().is_blank()
                   for leaf in catalogue.unit_leaves(unit) if leaf.code in entries), unit
    assert list((out / "tong-hop" / "sao-luu").iterdir()), "no backup of the master"
    plan = out / "ke-hoach" / f"ke-hoach-khac-phuc-{catalogue.year}"
    with zipfile.ZipFile(plan.with_suffix(".docx")) as docx:
        assert "word/document.xml" in docx.namelist()
    with zipfile.ZipFile(plan.with_suffix(".xlsx")) as xlsx:
        assert "xl/workbook.xml" in xlsx.namelist()


def test_demo_imports_no_extra(demo: dict) -> None:
    assert demo["done"].returncode == 0
    assert {"cchc_xl.demo", "openpyxl", "docx"} <= demo["imported"]  # the list is real
    assert "pandas" in demo["imported"]  # the progress report aggregates with it
    top_level = {name.split(".")[0] for name in demo["imported"]}
    assert top_level & NOT_NEEDED == set()


def test_demo_runs_the_plan_round_and_tracks_it_to_mid_year(demo: dict) -> None:
    out, catalogue = demo["out"], demo["catalogue"]
    master = Master.open(out / "tong-hop" / "CCHC-2026-tong-hop.xlsm")
    tasks = master.state.tasks
    plan_units = {p.stem.rsplit("-", 1)[1] for p in (out / "ke-hoach" / "gui-don-vi").glob("*")
                  if p.is_file()}
    # Every lead unit that lost points got a plan workbook and every task came back from one.
    assert plan_units and {t.origin for t in tasks} == plan_units
    assert all(t.lead == t.origin for t in tasks)
    mid_year = dt.date(catalogue.year + 1, 6, 30)
    totals = master.progress(mid_year).totals
    said = " ".join(demo["done"].stdout.split())
    assert f"{totals['done']}/{len(tasks)} nhiệm vụ hoàn thành, {totals['overdue']} quá hạn" \
        in said
    # The late unit's tasks due before mid-year are the overdue ones (a task due on the day is
    # not late yet); the other units' tasks due by then are done.
    due = [t for t in tasks if t.deadline <= mid_year]
    late = [t for t in due if t.origin == LATE_PLAN_UNIT and t.deadline < mid_year]
    assert late and totals["overdue"] == len(late)
    assert all(t.status == "hoàn thành" for t in due if t.origin != LATE_PLAN_UNIT)
    assert (out / "ke-hoach" / f"bao-cao-tien-do-{mid_year:%Y-%m}.docx").stat().st_size > 0
