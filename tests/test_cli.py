"""The command line, in-process: exit codes, messages and the JSON report."""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from cchc_xl.cli import main
from conftest import tiny_data


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def tiny_yaml(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_data(), allow_unicode=True), encoding="utf-8")
    return path


def test_catalogue_check_ok_and_broken(runner, tiny_yaml, tmp_path):
    ok = runner.invoke(main, ["catalogue", "check", str(tiny_yaml)])
    assert ok.exit_code == 0 and "hợp lệ" in ok.output
    data = tiny_data()
    data["fields"][0]["max"] = 5  # children sum to 4
    data["fields"][1]["children"][0]["lead"] = "XX"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    bad = runner.invoke(main, ["catalogue", "check", str(broken)])
    assert bad.exit_code == 1
    assert "tiêu chí 1" in bad.output and "XX" in bad.output  # both problems, one run


def test_missing_file_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(main, ["catalogue", "check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2


def test_new_refuses_to_overwrite_a_master(runner, tiny_yaml, tmp_path):
    master = tmp_path / "m.xlsx"
    assert runner.invoke(main, ["new", "--catalogue", str(tiny_yaml), "--out", str(master)]
                         ).exit_code == 0
    again = runner.invoke(main, ["new", "--catalogue", str(tiny_yaml), "--out", str(master)])
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(main, ["new", "--catalogue", str(tiny_yaml), "--out", str(master),
                                "--force"]).exit_code == 0
    assert len(list((tmp_path / "sao-luu").iterdir())) == 1


def test_split_merge_sync_plan_json(runner, tiny_yaml, tmp_path):
    master, units = tmp_path / "m.xlsx", tmp_path / "units"
    runner.invoke(main, ["new", "--catalogue", str(tiny_yaml), "--out", str(master),
                         "--org", "Sở Tư pháp tỉnh Lạng Sơn"])
    result = runner.invoke(main, ["split", str(master), "--out", str(units)])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in units.glob("*.xlsx"))
    assert files == ["CCHC-2026-NV1.xlsx", "CCHC-2026-VP.xlsx"]
    book = openpyxl.load_workbook(units / "CCHC-2026-VP.xlsx")
    for name, value in (("CCHC_A_1_1", 291), ("CCHC_B_1_1", 285),
                        ("CCHC_VALUE_1_2", "Ban hành kịp thời"), ("CCHC_VALUE_2_4", "Đạt")):
        sheet, ref = next(iter(book.defined_names[name].destinations))
        book[sheet][ref.replace("$", "")] = value
    returned = tmp_path / "returned"
    returned.mkdir()
    book.save(returned / "CCHC-2026-VP.xlsx")
    merged = runner.invoke(main, ["merge", str(master), str(returned), "--json"])
    report = json.loads(merged.output)
    assert report["files"][0]["outcome"] == "đã gộp"
    assert [u["code"] for u in report["missing_units"]] == ["NV1"]
    # No evidence rows: merged, with warnings about the 30% risk; warnings do not fail the run.
    problems = report["files"][0]["problems"]
    assert problems and {p["severity"] for p in problems} == {"warning"}
    assert merged.exit_code == report["exit_code"] == 0
    synced = runner.invoke(main, ["sync", str(master), "--json"])
    assert synced.exit_code == 0, synced.output
    plan = runner.invoke(main, ["plan", str(master), "--out", str(tmp_path / "kh.docx")])
    assert plan.exit_code == 0 and (tmp_path / "kh.docx").exists()
    wrong = runner.invoke(main, ["plan", str(master), "--out", str(tmp_path / "kh.pdf")])
    assert wrong.exit_code == 2


def test_check_reports_master_problems(runner, tiny_yaml, tmp_path):
    master = tmp_path / "m.xlsx"
    runner.invoke(main, ["new", "--catalogue", str(tiny_yaml), "--out", str(master)])
    result = runner.invoke(main, ["check", str(master), "--json"])
    data = json.loads(result.output)
    assert result.exit_code == 0  # an empty master has gaps (warnings), no errors
    assert {p["severity"] for p in data["master"]} == {"warning"}
    assert any(p["code"] == "1.1" for p in data["master"])


def test_help_starts_without_heavy_imports():
    code = ("import sys, cchc_xl.cli; heavy = {'pandas', 'xlsxwriter', 'openpyxl', "
            "'python_calamine', 'docx', 'yaml', 'rich', 'xlwings', 'defusedxml'}; "
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_console_at_all_is_not_an_error(monkeypatch):
    """pythonw and some launchers give no stream (or one without an encoding)."""
    import sys

    from cchc_xl.console import prepare_streams

    monkeypatch.setattr(sys, "stdout", None)
    prepare_streams()  # raised LookupError: unknown encoding ''
    assert sys.stdout is None
