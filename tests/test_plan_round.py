"""The remediation plan's round with the units and its tracking through the year (issue #14).

The master holds the tracker ('Theo dõi khắc phục'); each lead unit gets a plan workbook, types
its causes, solutions and tasks (openpyxl stands in for Excel; LibreOffice, in the tests marked
so, re-saves the file as a unit's spreadsheet program would), and `Master.merge` takes it back
like a score return. Then the same cycle updates the tasks' progress, and a progress report for
a date lists what is overdue first. Bad input is reported with file, sheet and cell, in
Vietnamese, and nothing already in the master is lost.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from cchc_xl.cli import main
from cchc_xl.analysis.requests import unit_requests, unit_statuses
from cchc_xl.files.grids import Book
from cchc_xl.format.layout import (
    FORMAT_VERSION,
    META_SHEET,
    READABLE_FORMATS,
    TRACKER_SHEET,
    cell_ref,
)
from cchc_xl.format.state import Formula, Task
from cchc_xl.format.tracker import (
    ASSIGNED,
    ITEM_COL,
    ITEM_FIRST_ROW,
    PLAN_ITEMS_SHEET,
    PLAN_LOG_KIND,
    PLAN_TASK_COL,
    PLAN_TASK_FIRST_ROW,
    PLAN_TASKS_SHEET,
    TASK_COL,
    TASK_FIRST_ROW,
)
from cchc_xl.ops.master import Master
from cchc_xl.ops.merge import ALREADY_MERGED, MERGED, OLDER, REJECTED
from cchc_xl.read.reader import read_master
from cchc_xl.sample_data import fill_plan_with_openpyxl
from conftest import needs_poppler, tiny_data, type_inputs
from devtools.libreoffice import recalculate
from devtools.saved import set_saved

ORG = "Sở Tư pháp tỉnh Lạng Sơn"
NOW = dt.datetime(2027, 7, 1, 9, 0)  # the merges happen mid-year: completion dates are past
NV1_INPUTS = {"2.1": {"a": 14697, "b": 14673}, "2.2": {"a": 14697, "b": 9129},
              "2.3": {"a": 100, "b": 60}, "2.5": {"value": 12}, "2.6": {"value": 0.5}}
OFFICE_TASK = Task(code="2", task="Văn phòng đôn đốc các phòng", lead="VP",
                   deadline=dt.date(2027, 12, 15), status="đang thực hiện")


# ---------------------------------------------------------------------------------------------
# Helpers: a tiny master with NV1's scores merged; typing as a person would


@pytest.fixture
def master(tmp_path: Path) -> Path:
    catalogue = tmp_path / "tiny.yaml"
    catalogue.write_text(yaml.safe_dump(tiny_data(), allow_unicode=True), encoding="utf-8")
    path = tmp_path / "tong-hop" / "tong-hop.xlsx"
    path.parent.mkdir()
    Master.create(catalogue, path, org=ORG)
    scores = Master.open(path).split(tmp_path / "gui", units=["NV1"]).files[0]
    type_inputs(scores, scores, NV1_INPUTS)
    set_saved(scores, "2027-01-10T08:00:00Z")
    assert Master.open(path).merge([scores], now=NOW).exit_code == 0
    return path




def type_tracker(master: Path, rows: list[dict[str, Any]], first: int = TASK_FIRST_ROW) -> None:
    """The Văn phòng types task rows into the master's tracker (openpyxl: nothing computed)."""
    book = openpyxl.load_workbook(master)
    sheet = book[TRACKER_SHEET]
    for i, row in enumerate(rows):
        for key, value in row.items():
            sheet.cell(row=first + i + 1, column=TASK_COL[key] + 1, value=value)
    book.save(master)


def plan_file(master: Path, unit: str, folder: Path) -> Path:
    return Master.open(master).split_plan(folder, units=[unit], today=NOW.date()).files[0]


def fill_plan(sent: Path, out: Path, *, causes: dict[str, tuple[str, str]] | None = None,
              tasks: list[dict[str, Any]] = (), first: int = 0, saved: str | None = None,
              clear: int = 0) -> Path:
    """A unit fills its plan workbook: causes and solutions by code, task rows from row
    `first` (0 = the first task row), `clear` rows emptied from there first."""
    fill_plan_with_openpyxl(sent, out, causes=causes, tasks=tasks, first=first, clear=clear)
    if saved:
        set_saved(out, saved)
    return out


def task_cell(key: str, i: int = 0) -> str:
    return cell_ref(PLAN_TASK_FIRST_ROW + i, PLAN_TASK_COL[key])


NV1_TASKS = [
    {"code": "2.2", "task": "Số hóa kết quả giải quyết TTHC ngay khi trả", "deliverable":
     "100% kết quả có bản điện tử", "support": "VP", "deadline": dt.datetime(2027, 3, 31),
     "status": "đang thực hiện"},
    {"code": "2.1", "task": "Rà soát hồ sơ sắp đến hạn hằng tuần", "deadline": "15/06/2027",
     "status": "Chưa thực hiện"},
]


def tasks_of(master: Path) -> list[Task]:
    return read_master(master)[1].state.tasks


# ---------------------------------------------------------------------------------------------
# The tracker sheet in the master


def test_the_format_is_version_3_and_still_reads_1_and_2():
    assert FORMAT_VERSION == 3 and set(READABLE_FORMATS) == {1, 2, 3}


def test_tasks_typed_in_the_tracker_keep_their_types_and_survive_sync(master):
    type_tracker(master, [
        {"code": "2.2", "task": "Số hóa kết quả", "lead": "NV1", "deadline": "15/03/2027",
         "status": "Hoàn thành ", "completed": dt.datetime(2027, 3, 10)},
        {"code": "1.1", "task": "Theo dõi iOffice", "lead": "VP",
         "deadline": dt.datetime(2027, 5, 31), "status": "xong"},
        {"task": "Quán triệt kỷ luật, kỷ cương", "deadline": "Thường xuyên"},  # a general task
    ])
    opened = Master.open(master)
    tasks = opened.state.tasks
    assert [t.deadline for t in tasks] == [dt.date(2027, 3, 15), dt.date(2027, 5, 31),
                                           "Thường xuyên"]
    assert tasks[0].status == "hoàn thành" and tasks[0].completed == dt.date(2027, 3, 10)
    assert all(t.origin is None for t in tasks)
    problems = {(p.cell, p.severity): p.message for p in opened.check(today=NOW.date()).problems
                if p.sheet == TRACKER_SHEET}
    status = cell_ref(TASK_FIRST_ROW + 1, TASK_COL["status"])
    deadline = cell_ref(TASK_FIRST_ROW + 2, TASK_COL["deadline"])
    assert "tình trạng 'xong' không có trong danh sách" in problems[(status, "error")]
    assert "'Thường xuyên' không phải một ngày" in problems[(deadline, "error")]
    assert opened.check(today=NOW.date()).exit_code == 1
    opened.sync()  # the tracker's rows are state: the drift check does not refuse them
    Master.open(master).sync()
    again = tasks_of(master)
    assert again == tasks
    grid = Book(master).grid(TRACKER_SHEET)
    assert grid[TASK_FIRST_ROW][TASK_COL["name"]] == "Kết quả điện tử"  # derived from the code
    assert grid[TASK_FIRST_ROW][TASK_COL["status"]] == "hoàn thành"  # written as listed


def test_the_tracker_has_a_table_filters_validation_and_overdue_formulas(master):
    Master.open(master).save()  # nothing typed: the blank rows are ready
    with zipfile.ZipFile(master) as package:
        tables = [n for n in package.namelist() if n.startswith("xl/tables/")]
        assert tables and b'autoFilter' in package.read(tables[0])
    book = openpyxl.load_workbook(master)
    sheet = book[TRACKER_SHEET]
    assert sheet.freeze_panes == cell_ref(TASK_FIRST_ROW, 2)
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    overdue = sheet.cell(row=TASK_FIRST_ROW + 1, column=TASK_COL["overdue"] + 1).value
    assert "TODAY()" in overdue and "quá hạn" in overdue
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    status_col = cell_ref(TASK_FIRST_ROW, TASK_COL["status"])[0]
    assert any(ref.startswith(status_col) and "hoàn thành" in formula
               for ref, formula in lists.items())
    assert sheet.protection.sheet and sheet.protection.autoFilter is False  # filters allowed
    fills = sheet.cell(row=TASK_FIRST_ROW + 1, column=TASK_COL["task"] + 1)
    assert fills.fill.fgColor.rgb.endswith("DDEBF7") and not fills.protection.locked
    origin = sheet.cell(row=TASK_FIRST_ROW + 1, column=TASK_COL["origin"] + 1)
    assert origin.protection.locked


def test_a_formula_typed_in_the_tracker_is_kept(master):
    type_tracker(master, [{"code": "2.2", "task": "Hạn theo công thức",
                           "deadline": "=DATE(2027,3,31)"}])
    opened = Master.open(master)
    (task,) = opened.state.tasks
    assert task.deadline == Formula("=DATE(2027,3,31)", None)  # openpyxl computed nothing
    assert any(p.kind == "formula-without-value" and p.sheet == TRACKER_SHEET
               for p in opened.notices)
    opened.sync()
    formula = openpyxl.load_workbook(master)[TRACKER_SHEET].cell(
        row=TASK_FIRST_ROW + 1, column=TASK_COL["deadline"] + 1).value
    assert formula == "=DATE(2027,3,31)"


def test_a_master_without_the_tracker_has_no_tasks_and_gets_one(master, tmp_path):
    """A master of format 2 (before the tracker) reads with no tasks; sync adds the sheet."""
    book = openpyxl.load_workbook(master)
    del book[TRACKER_SHEET]
    meta = book[META_SHEET]
    for row in meta.iter_rows(min_row=2, max_col=2):
        if row[0].value == "format_version":
            row[1].value = 2
    book.save(master)
    opened = Master.open(master)
    assert opened.state.tasks == []
    opened.sync()
    assert TRACKER_SHEET in Book(master).names and tasks_of(master) == []


# ---------------------------------------------------------------------------------------------
# The round: out to the units, back through merge


def test_a_units_plan_goes_out_comes_back_filled_and_the_tracker_shows_its_tasks(master,
                                                                                   tmp_path):
    type_tracker(master, [{"code": OFFICE_TASK.code, "task": OFFICE_TASK.task, "lead": "VP",
                           "deadline": dt.datetime(2027, 12, 15), "status": "đang thực hiện"}])
    sent = plan_file(master, "NV1", tmp_path / "kh")
    assert sent.name == "KHKP-2026-NV1.xlsx"
    book = Book(sent)
    meta = {row[0]: row[1] for row in book.grid(META_SHEET)[1:] if row and row[0]}
    assert meta["kind"] == "plan" and meta["unit_code"] == "NV1"
    items = book.grid(PLAN_ITEMS_SHEET)
    listed = {row[ITEM_COL["code"]]: row for row in items[ITEM_FIRST_ROW:] if row[0]}
    assert set(listed) == {"2.1", "2.2"}  # NV1's items below their maximum; VP's 2.4 is not
    row = listed["2.2"]
    assert (row[ITEM_COL["max"]], row[ITEM_COL["achieved"]], row[ITEM_COL["lost"]]) == (
        0.5, 0.31, 0.19)  # numbers, not text
    returned = fill_plan(sent, tmp_path / "ve" / sent.name, tasks=NV1_TASKS,
                         causes={"2.2": ("Thiếu máy quét", "Trang bị máy quét, số hóa ngay")})
    result = Master.open(master).merge([returned], now=NOW)
    assert [f.outcome for f in result.files] == [MERGED] and result.exit_code == 0
    assert result.missing_units == ["VP"]  # a plan return is not VP's missing score return
    state = read_master(master)[1].state
    assert state.entries["2.2"].cause == "Thiếu máy quét"
    assert state.entries["2.2"].remedy == "Trang bị máy quét, số hóa ngay"
    assert state.entries["2.2"].a == 14697  # the unit's scores untouched
    office, *theirs = state.tasks
    assert office.task == OFFICE_TASK.task and office.origin is None  # the Văn phòng's row stays
    assert [(t.code, t.lead, t.origin, t.deadline, t.status) for t in theirs] == [
        ("2.2", "NV1", "NV1", dt.date(2027, 3, 31), "đang thực hiện"),
        ("2.1", "NV1", "NV1", dt.date(2027, 6, 15), "chưa thực hiện")]  # text date → date
    assert state.log[-1].kind == PLAN_LOG_KIND and state.log[-1].outcome == MERGED
    grid = Book(master).grid(TRACKER_SHEET)
    assert grid[TASK_FIRST_ROW + 1][TASK_COL["origin"]] == "NV1"
    Master.open(master).sync()  # and the master still syncs with them
    assert tasks_of(master) == state.tasks


def test_through_the_year_the_next_plan_carries_the_tasks_and_updates_replace_them(master,
                                                                                   tmp_path):
    type_tracker(master, [{"code": OFFICE_TASK.code, "task": OFFICE_TASK.task, "lead": "VP",
                           "deadline": dt.datetime(2027, 12, 15)}])
    first = fill_plan(plan_file(master, "NV1", tmp_path / "kh1"), tmp_path / "ve1" / "a.xlsx",
                      tasks=NV1_TASKS, saved="2027-02-01T08:00:00Z")
    assert Master.open(master).merge([first], now=NOW).exit_code == 0
    sent = plan_file(master, "NV1", tmp_path / "kh2")
    grid = Book(sent).grid(PLAN_TASKS_SHEET)
    carried = [row[PLAN_TASK_COL["task"]] for row in grid[PLAN_TASK_FIRST_ROW:]
               if row[PLAN_TASK_COL["task"]]]
    assert carried == [t["task"] for t in NV1_TASKS]  # prefilled: units correct, not retype
    assert isinstance(grid[PLAN_TASK_FIRST_ROW][PLAN_TASK_COL["deadline"]], (dt.date,
                                                                             dt.datetime))
    update = [{"status": "hoàn thành", "completed": dt.datetime(2027, 3, 28),
               "evidence": "Báo cáo số 15/BC-NV1"}]
    second = fill_plan(sent, tmp_path / "ve2" / "b.xlsx", tasks=update)
    second = fill_plan(second, second, clear=1, first=1,  # the second task is dropped
                       saved="2027-04-01T08:00:00Z")
    assert Master.open(master).merge([second], now=NOW).exit_code == 0
    office, done = tasks_of(master)
    assert office.task == OFFICE_TASK.task and office.origin is None
    assert (done.task, done.status, done.completed, done.evidence) == (
        NV1_TASKS[0]["task"], "hoàn thành", dt.date(2027, 3, 28), "Báo cáo số 15/BC-NV1")
    again = Master.open(master).merge([second], now=NOW)  # the same file sent again
    assert again.files[0].outcome == ALREADY_MERGED and tasks_of(master) == [office, done]


def test_a_task_the_office_assigned_comes_back_with_its_progress_only(master, tmp_path):
    type_tracker(master, [{"code": "2.5", "task": "Đăng 12 tin bài mỗi năm", "lead": "NV1",
                           "deadline": dt.datetime(2027, 6, 30)}])
    sent = plan_file(master, "NV1", tmp_path / "kh")
    grid = Book(sent).grid(PLAN_TASKS_SHEET)
    assert grid[PLAN_TASK_FIRST_ROW][PLAN_TASK_COL["source"]] == ASSIGNED
    sheet = openpyxl.load_workbook(sent)[PLAN_TASKS_SHEET]
    assert sheet[task_cell("task")].protection.locked  # the Văn phòng's text is not the unit's
    assert not sheet[task_cell("status")].protection.locked
    returned = fill_plan(sent, tmp_path / "ve" / sent.name, tasks=[
        {"status": "hoàn thành", "completed": dt.datetime(2027, 6, 20), "evidence": "12 tin"}])
    assert Master.open(master).merge([returned], now=NOW).exit_code == 0
    (task,) = tasks_of(master)
    assert (task.origin, task.lead, task.task, task.status, task.completed, task.evidence) == (
        None, "NV1", "Đăng 12 tin bài mỗi năm", "hoàn thành", dt.date(2027, 6, 20), "12 tin")
    # The Văn phòng rewords it meanwhile: the unit's stale row updates nothing, and says so.
    type_tracker(master, [{"task": "Đăng 15 tin bài mỗi năm"}])
    stale = fill_plan(sent, tmp_path / "ve2" / sent.name, tasks=[{"status": "đang thực hiện"}],
                      saved="2030-01-01T00:00:00Z")
    result = Master.open(master).merge([stale], now=NOW)
    warning = next(p for p in result.files[0].warnings if p.kind == "assigned-changed")
    assert warning.sheet == PLAN_TASKS_SHEET and warning.cell == task_cell("task")
    (task,) = tasks_of(master)
    assert task.task == "Đăng 15 tin bài mỗi năm" and task.status == "hoàn thành"


# ---------------------------------------------------------------------------------------------
# Bad input: a Vietnamese message with file, sheet and cell; nothing lost


BAD_ROWS = [
    ({"code": "2.2", "task": "Việc có thời hạn chữ", "deadline": "Thường xuyên"}, "deadline",
     "'Thường xuyên' không phải một ngày"),
    ({"code": "2.2", "task": "Việc có tình trạng lạ", "deadline": "30/06/2027",
      "status": "xong rồi"}, "status", "tình trạng 'xong rồi' không có trong danh sách"),
    ({"code": "1.1", "task": "Việc của Văn phòng", "deadline": "30/06/2027"}, "code",
     "tiêu chí 1.1 do Văn phòng Sở chủ trì, không phải Phòng Nghiệp vụ I"),
    ({"code": "9.9", "task": "Mã không có", "deadline": "30/06/2027"}, "code",
     "mã tiêu chí '9.9' không có trong bộ tiêu chí"),
]


@pytest.mark.parametrize("row, key, fragment", BAD_ROWS, ids=[r[1] + str(i) for i, r in
                                                               enumerate(BAD_ROWS)])
def test_a_bad_task_row_is_refused_with_its_cell_and_nothing_is_lost(master, tmp_path, row, key,
                                                                     fragment):
    good = fill_plan(plan_file(master, "NV1", tmp_path / "kh"), tmp_path / "ok" / "ok.xlsx",
                     tasks=NV1_TASKS, causes={"2.2": ("Nguyên nhân cũ", "Giải pháp cũ")},
                     saved="2027-02-01T08:00:00Z")
    Master.open(master).merge([good], now=NOW)
    before = read_master(master)[1].state
    bad = fill_plan(plan_file(master, "NV1", tmp_path / "kh2"), tmp_path / "bad" / "bad.xlsx",
                    tasks=[row], first=2, causes={"2.2": ("Nguyên nhân mới", "Giải pháp mới")},
                    saved="2027-03-01T08:00:00Z")
    result = Master.open(master).merge([bad], now=NOW)
    assert result.exit_code == 1 and result.files[0].outcome == REJECTED
    problem = next(p for p in result.files[0].errors if fragment in p.message)
    assert (problem.file, problem.sheet, problem.cell) == ("bad.xlsx", PLAN_TASKS_SHEET,
                                                           task_cell(key, 2))
    after = read_master(master)[1].state
    assert after.tasks == before.tasks and after.entries == before.entries
    assert after.log[-1].outcome == REJECTED and after.log[-1].kind == PLAN_LOG_KIND


def test_a_plan_return_leaves_the_units_score_status_and_requests_alone(master, tmp_path):
    """The 'Đơn vị' sheet and the supplement requests follow the score returns only: a refused
    plan return is not a refused score file, and a merged one is not the unit's last return."""
    bad = fill_plan(plan_file(master, "NV1", tmp_path / "kh"), tmp_path / "bad" / "KH-NV1.xlsx",
                    tasks=[BAD_ROWS[0][0]], saved="2027-02-01T08:00:00Z")
    assert Master.open(master).merge([bad], now=NOW).files[0].outcome == REJECTED
    report = Master.open(master).report()
    assert [r.kind for r in unit_requests(report, "NV1")].count("file") == 0
    status = next(s for s in unit_statuses(report, NOW.date()) if s.code == "NV1")
    assert status.returned == "CCHC-2026-NV1.xlsx"
    good = fill_plan(plan_file(master, "NV1", tmp_path / "kh2"), tmp_path / "ok" / "KH-ok.xlsx",
                     tasks=NV1_TASKS, saved="2027-02-02T08:00:00Z")
    assert Master.open(master).merge([good], now=NOW).files[0].outcome == MERGED
    status = next(s for s in unit_statuses(Master.open(master).report(), NOW.date())
                  if s.code == "NV1")
    assert status.returned == "CCHC-2026-NV1.xlsx"


def test_the_command_line_names_file_sheet_and_cell(master, tmp_path):
    bad = fill_plan(plan_file(master, "NV1", tmp_path / "kh"), tmp_path / "bad" / "KH-NV1.xlsx",
                    tasks=[BAD_ROWS[0][0]])
    before = master.read_bytes()
    out = CliRunner().invoke(main, ["merge", str(master), str(bad)])
    assert out.exit_code == 1
    text = " ".join(out.output.split())
    assert "KH-NV1.xlsx" in text and f"sheet '{PLAN_TASKS_SHEET}'" in text
    assert f"ô {task_cell('deadline')}" in text and "không phải một ngày" in text
    assert tasks_of(master) == [] and master.read_bytes() != before  # logged, nothing merged


def test_split_plan_on_the_command_line(master, tmp_path):
    runner = CliRunner()
    out = runner.invoke(main, ["split-plan", str(master), "--out", str(tmp_path / "kh")])
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in (tmp_path / "kh").iterdir()) == ["KHKP-2026-NV1.xlsx",
                                                                   "KHKP-2026-VP.xlsx"]
    unknown = runner.invoke(main, ["split-plan", str(master), "--out", str(tmp_path / "x"),
                                   "--unit", "NV9"])
    assert unknown.exit_code == 2 and "NV9" in unknown.output
    returned = fill_plan(tmp_path / "kh" / "KHKP-2026-NV1.xlsx", tmp_path / "ve" / "k.xlsx",
                         tasks=NV1_TASKS)
    assert runner.invoke(main, ["merge", str(master), str(returned)]).exit_code == 0
    logged = (master.parent / "tong-hop.nhat-ky-gop.jsonl").read_text(encoding="utf-8")
    assert '"kind": "kế hoạch khắc phục"' in logged.splitlines()[-1]


def test_an_older_plan_return_after_a_newer_one_is_refused(master, tmp_path):
    sent = plan_file(master, "NV1", tmp_path / "kh")
    new = fill_plan(sent, tmp_path / "new" / "n.xlsx", tasks=NV1_TASKS,
                    saved="2027-03-05T08:00:00Z")
    old = fill_plan(sent, tmp_path / "old" / "o.xlsx", tasks=NV1_TASKS[:1],
                    saved="2027-03-01T08:00:00Z")
    assert Master.open(master).merge([new], now=NOW).files[0].outcome == MERGED
    result = Master.open(master).merge([old], now=NOW)
    assert result.files[0].outcome == OLDER and result.exit_code == 1
    assert "--force" in result.files[0].errors[0].message
    assert [t.task for t in tasks_of(master)] == [t["task"] for t in NV1_TASKS]


def test_plan_returns_and_score_returns_are_separate_streams(master, tmp_path):
    """The unit's score return was saved on 10/01; a plan return saved before it is not 'older
    than the file already merged' — it is the first of its own stream."""
    plan = fill_plan(plan_file(master, "NV1", tmp_path / "kh"), tmp_path / "ve" / "p.xlsx",
                     tasks=NV1_TASKS[:1], saved="2027-01-05T08:00:00Z")
    result = Master.open(master).merge([plan], now=NOW)
    assert result.files[0].outcome == MERGED and len(tasks_of(master)) == 1


def test_the_merge_button_in_excel_writes_what_the_command_writes(master, tmp_path):
    """Live mode (the open master in Excel, here a GridBook): the tracker's rows and the causes
    a plan return brings are written into the workbook, as the headless merge writes them."""
    from cchc_xl.excel.live import GridBook, live_merge, read_open_master

    type_tracker(master, [{"task": "Văn phòng ghi trước", "deadline": dt.datetime(2027, 9, 1)},
                          {}, {"code": "2.5", "task": "Giao NV1", "lead": "NV1"}])
    returned = fill_plan(plan_file(master, "NV1", tmp_path / "kh"), tmp_path / "ve" / "k.xlsx",
                         tasks=[{"status": "đang thực hiện"}, *NV1_TASKS],
                         causes={"2.2": ("Thiếu máy quét", "Trang bị máy quét")})
    headless = tmp_path / "h.xlsx"
    shutil.copy(master, headless)
    Master.open(headless).merge([returned], now=NOW)
    expected = read_master(headless)[1].state
    book = GridBook.from_file(master)
    assert live_merge(book, [returned], now=NOW).written
    got = read_open_master(book)[1].state
    assert got.tasks == expected.tasks and len(got.tasks) == 4
    assert got.entries["2.2"].cause == expected.entries["2.2"].cause == "Thiếu máy quét"
    assert got.tasks[1].status == "đang thực hiện" and got.tasks[1].origin is None


def test_the_merge_button_takes_plan_returns_and_says_so(master, tmp_path, open_in_excel):
    """The *Gộp dữ liệu* button (through `dispatch`, on the open master: a GridBook) routes a
    plan return to the tracker like the command, and its message says where the tasks went."""
    from cchc_xl.excel.bridge import dispatch
    from cchc_xl.excel.live import read_open_master

    returned = fill_plan(plan_file(master, "NV1", tmp_path / "kh"), tmp_path / "ve" / "k.xlsx",
                         tasks=NV1_TASKS, causes={"2.2": ("Thiếu máy quét", "Trang bị máy quét")})
    headless = tmp_path / "h.xlsx"
    shutil.copy(master, headless)
    Master.open(headless).merge([returned], now=NOW)
    books = open_in_excel
    ok, text = dispatch("merge", master, (str(tmp_path / "ve"),))
    assert ok, text
    assert text.startswith("Đã đọc 1 tệp: gộp 1, không gộp 0.")
    assert ("Trong đó 1 tệp kế hoạch khắc phục: nguyên nhân, giải pháp và nhiệm vụ đã ghi vào "
            "sheet 'Theo dõi khắc phục'.") in text.split("\n")
    got = read_open_master(books[-1])[1].state
    assert got.tasks == tasks_of(headless) and len(got.tasks) == len(NV1_TASKS)
    assert got.entries["2.2"].cause == "Thiếu máy quét"


# ---------------------------------------------------------------------------------------------
# Progress through the year


PROGRESS_TASKS = [
    {"code": "2.2", "task": "Số hóa kết quả", "lead": "NV1", "deadline": dt.datetime(2027, 3, 31),
     "status": "đang thực hiện"},  # overdue on 30/06 by 91 days
    {"code": "2.1", "task": "Rà soát hồ sơ", "lead": "NV1", "deadline": dt.datetime(2027, 9, 30)},
    {"code": "1.1", "task": "Theo dõi iOffice", "lead": "VP", "deadline": dt.datetime(2027, 5, 1),
     "status": "hoàn thành", "completed": dt.datetime(2027, 4, 20)},
    {"code": "1.2", "task": "Ban hành kế hoạch", "lead": "VP",
     "deadline": dt.datetime(2027, 6, 10)},  # overdue by 20 days
]


def test_progress_on_a_date_lists_overdue_tasks_first(master, tmp_path):
    type_tracker(master, PROGRESS_TASKS)
    progress = Master.open(master).progress(dt.date(2027, 6, 30))
    assert list(progress.tasks["task"][:2]) == ["Số hóa kết quả", "Ban hành kế hoạch"]
    assert list(progress.tasks["state"]) == ["quá hạn", "quá hạn", "chưa thực hiện",
                                             "hoàn thành"]
    assert list(progress.overdue["days_late"]) == [91, 20]
    units = progress.by_unit.set_index("lead")
    assert units.loc["VP", "share_done"] == 0.5 and units.loc["NV1", "overdue"] == 1
    assert list(progress.at_risk["code"]) == ["1.2", "2.1", "2.2"]  # most points lost first
    assert progress.at_risk.set_index("code").loc["2.2", "lost"] == pytest.approx(0.19)
    # Earlier in the year nothing was overdue and the done task was not done yet.
    early = Master.open(master).progress(dt.date(2027, 3, 1)).totals
    assert (early["overdue"], early["done"]) == (0, 0)


def test_the_progress_report_in_excel_and_word(master, tmp_path):
    type_tracker(master, PROGRESS_TASKS)
    runner = CliRunner()
    xlsx, docx = tmp_path / "bc.xlsx", tmp_path / "bc.docx"
    out = runner.invoke(main, ["progress", str(master), "--date", "30/06/2027", "--out",
                               str(xlsx)])
    assert out.exit_code == 0, out.output
    assert runner.invoke(main, ["progress", str(master), "--quarter", "2027Q2", "--out",
                                str(docx)]).exit_code == 0
    book = Book(xlsx)
    overdue = book.grid("Quá hạn")
    assert overdue[4][2] == "Số hóa kết quả" and overdue[5][2] == "Ban hành kế hoạch"
    assert isinstance(overdue[4][4], (dt.date, dt.datetime)) and overdue[4][5] == 91
    every = book.grid("Tất cả nhiệm vụ")
    assert [row[8] for row in every[4:8]] == ["quá hạn", "quá hạn", "chưa thực hiện",
                                              "hoàn thành"]
    units = book.grid("Theo đơn vị")
    assert units[4][:3] == ["VP", "Văn phòng Sở", 2] and units[4][7] == 0.5
    with zipfile.ZipFile(xlsx) as package:
        assert len([n for n in package.namelist() if n.startswith("xl/tables/")]) == 5
    sheet = openpyxl.load_workbook(xlsx)["Tất cả nhiệm vụ"]
    assert sheet.freeze_panes == "A5" and sheet.page_setup.paperSize == 9
    assert sheet.conditional_formatting  # overdue rows shaded
    import docx as python_docx

    document = python_docx.Document(str(docx))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "tính đến ngày 30/06/2027" in text and "quá hạn 2 nhiệm vụ" in text
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert cells.index("Số hóa kết quả") < cells.index("Ban hành kế hoạch") < cells.index(
        "Theo dõi iOffice")
    bad = runner.invoke(main, ["progress", str(master), "--quarter", "quý 2", "--out",
                               str(xlsx)])
    assert bad.exit_code == 2 and "2027Q2" in bad.output



def type_info(master: Path, values: dict[str, str]) -> None:
    """The Văn phòng types the organisation's settings on 'Thông tin chung' (by defined name)."""
    book = openpyxl.load_workbook(master)
    for key, value in values.items():
        sheet, ref = next(iter(book.defined_names[f"CCHC_ORG_{key.upper()}"].destinations))
        book[sheet][ref.replace("$", "")] = value
    book.save(master)


SETTINGS = {"parent": "UBND TỈNH LẠNG SƠN", "agency": "SỞ TƯ PHÁP", "abbreviation": "STP",
            "place": "Lạng Sơn", "head_title": "GIÁM ĐỐC", "signer_title": "Phó Giám đốc",
            "signer_name": "Hoàng Thị Mai",
            "recipients": "- Giám đốc Sở (b/c);\n- Các phòng, đơn vị thuộc Sở;\n- Lưu: VT, VP."}


def _appendix_reference(document: Any) -> str:
    return next(p.text for p in document.paragraphs if p.text.startswith("(Kèm theo"))


def test_the_word_progress_report_is_in_the_administrative_frame(master, tmp_path):
    """The heading, số/ký hiệu, date line, Nơi nhận and signature come from 'Thông tin chung';
    page numbers from page 2; the appendix on a landscape page says which report it belongs to."""
    import docx as python_docx

    from cchc_xl.documents.outcome import DocumentResult

    type_info(master, SETTINGS)
    type_tracker(master, PROGRESS_TASKS)
    result = Master.open(master).export_progress(tmp_path / "bc.docx", on=dt.date(2027, 6, 30))
    assert isinstance(result, DocumentResult) and result.path == tmp_path / "bc.docx"
    assert not [w for w in result.warnings if w.kind == "settings"]  # everything was typed
    document = python_docx.Document(str(result.path))
    heading = document.tables[0]
    (left, right), (number, date) = (row.cells for row in heading.rows)
    assert [p.text for p in left.paragraphs if p.text] == ["UBND TỈNH LẠNG SƠN", "SỞ TƯ PHÁP"]
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert number.text == "Số:      /BC-STP"
    assert date.text == "Lạng Sơn, ngày      tháng      năm 2027"
    texts = [p.text for p in document.paragraphs]
    kind = texts.index("BÁO CÁO")
    assert texts[kind + 1] == ("Tình hình thực hiện Kế hoạch khắc phục hạn chế, tồn tại trong "
                               "công tác CCHC năm 2026; nâng cao Chỉ số CCHC năm 2027, tính đến "
                               "ngày 30/06/2027")
    signature = next(t for t in document.tables
                     if t.rows[0].cells[0].text.startswith("Nơi nhận:"))
    sent_to, signer = signature.rows[0].cells
    assert [p.text for p in sent_to.paragraphs] == [
        "Nơi nhận:", "- Giám đốc Sở (b/c);", "- Các phòng, đơn vị thuộc Sở;", "- Lưu: VT, VP."]
    assert [p.text for p in signer.paragraphs if p.text] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC",
                                                             "Hoàng Thị Mai"]
    first, appendix = document.sections
    assert first.different_first_page_header_footer  # no number on page 1
    assert " PAGE " in first.header._element.xml
    assert appendix.orientation == 1 and appendix.header.is_linked_to_previous
    assert _appendix_reference(document) == ("(Kèm theo Báo cáo số      /BC-STP ngày      /     "
                                             "/2027 của Sở Tư pháp tỉnh Lạng Sơn)")
    # The body's tables: overdue tasks first; the counts per unit add up to the total row.
    overdue = next(t for t in document.tables if t.rows[0].cells[-1].text == "Ghi chú")
    assert [[c.text for c in row.cells][3:7] for row in overdue.rows[1:]] == [
        ["Số hóa kết quả", "Phòng Nghiệp vụ I", "31/03/2027", "91"],
        ["Ban hành kế hoạch", "Văn phòng Sở", "10/06/2027", "20"]]
    units = next(t for t in document.tables if t.rows[0].cells[1].text == "Đơn vị chủ trì")
    rows = [[c.text for c in row.cells] for row in units.rows]
    assert rows[1][1:] == ["Văn phòng Sở", "2", "1", "0", "0", "1", "50,0%"]
    assert rows[-1] == ["Tổng cộng", "Tổng cộng", "4", "1", "0", "1", "2", "25,0%"]
    assert sum(int(r[2]) for r in rows[1:-1]) == 4
    # No minimal frame of its own is left: the progress report uses the shared one.
    source = (Path(__file__).resolve().parent.parent / "cchc_xl" / "documents"
              / "progress_docx.py").read_text(encoding="utf-8")
    assert "AdminDocument" in source and "Document()" not in source


def test_progress_warnings_name_the_cells_to_complete(master, tmp_path):
    """A blank signer is a warning on 'Thông tin chung' B11 and a dotted line in the report; a
    task without a deadline names its tracker cell; the command prints both like `plan`."""
    import docx as python_docx

    from cchc_xl.documents.outcome import DocumentResult
    from cchc_xl.documents.text import DOTS

    empty = Master.open(master).export_progress(tmp_path / "trong.xlsx")
    assert isinstance(empty, DocumentResult)
    assert [(w.kind, w.sheet) for w in empty.warnings] == [("progress-empty", TRACKER_SHEET)]
    type_info(master, {**SETTINGS, "signer_name": "", "signer_title": ""})
    type_tracker(master, [*PROGRESS_TASKS, {"task": "Quán triệt kỷ luật, kỷ cương",
                                            "lead": "VP"}])
    no_deadline = cell_ref(TASK_FIRST_ROW + 4, TASK_COL["deadline"])
    assert no_deadline == "G9"
    result = Master.open(master).export_progress(tmp_path / "bc.docx", on=dt.date(2027, 6, 30))
    where = {(w.sheet, w.cell, w.kind) for w in result.warnings}
    assert where == {("Thông tin chung", "B11", "settings"),
                     (TRACKER_SHEET, "G9", "task-deadline")}
    assert all(w.severity == "warning" for w in result.warnings)
    signature = next(t for t in python_docx.Document(str(result.path)).tables
                     if t.rows[0].cells[0].text.startswith("Nơi nhận:"))
    assert [p.text for p in signature.rows[0].cells[1].paragraphs if p.text] == ["GIÁM ĐỐC",
                                                                                DOTS]
    # The Excel report has no signature: only the tracker's warning.
    xlsx = Master.open(master).export_progress(tmp_path / "bc.xlsx", on=dt.date(2027, 6, 30))
    assert [(w.sheet, w.cell) for w in xlsx.warnings] == [(TRACKER_SHEET, "G9")]
    out = CliRunner().invoke(main, ["progress", str(master), "--date", "30/06/2027", "--out",
                                    str(tmp_path / "cli.docx")])
    assert out.exit_code == 0, out.output
    printed = " ".join(out.output.split())
    assert "5 nhiệm vụ, hoàn thành 1, quá hạn 2" in printed
    assert "Cần bổ sung hoặc xem lại:" in printed
    assert "sheet 'Thông tin chung', ô B11" in printed and "họ và tên người ký" in printed
    assert f"sheet '{TRACKER_SHEET}', ô G9" in printed and "chưa có thời hạn" in printed



# ---------------------------------------------------------------------------------------------
# The plan shows the tracker's tasks


PLAN_TASKS = [
    {"code": "2.2", "task": "Số hóa kết quả giải quyết TTHC ngay khi trả",
     "deliverable": "100% kết quả có bản điện tử", "lead": "NV1", "support": "VP",
     "deadline": dt.datetime(2027, 3, 31)},
    {"task": "Quán triệt kỷ luật, kỷ cương hành chính", "lead": "VP",
     "deadline": "30/06/2027"},  # a general task, its date typed as text
]
TASK_LINE = ("+ Số hóa kết quả giải quyết TTHC ngay khi trả; sản phẩm: 100% kết quả có bản điện "
             "tử; chủ trì: Phòng Nghiệp vụ I; phối hợp: Văn phòng Sở; thời hạn: 31/03/2027.")
GENERAL_LINE = ("- Quán triệt kỷ luật, kỷ cương hành chính; chủ trì: Văn phòng Sở; thời hạn: "
                "30/06/2027.")


def _plan_docx(master: Path, out: Path) -> tuple[list[str], list[list[list[str]]]]:
    """The plan's paragraphs and its two appendices' rows, read back with python-docx."""
    import docx as python_docx

    result = Master.open(master).export_plan(out)
    document = python_docx.Document(str(result.path))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables[-2:]]
    return [p.text for p in document.paragraphs], tables


def test_the_plan_lists_the_trackers_tasks_and_is_otherwise_unchanged(master, tmp_path):
    """Typed in 'Theo dõi khắc phục', a task stands under its item (body and Phụ lục II) instead
    of the item's own units and deadline, a general task under 'Các nhiệm vụ khác'; everything
    else is the plan the master gave without tasks."""
    import difflib

    clean = master.with_name("khong-nhiem-vu.xlsx")
    shutil.copy(master, clean)
    type_tracker(master, PLAN_TASKS)
    before, (fields_before, items_before) = _plan_docx(clean, tmp_path / "truoc.docx")
    after, (fields_after, items_after) = _plan_docx(master, tmp_path / "sau.docx")
    assert "- Nhiệm vụ cụ thể:" not in before and "3. Các nhiệm vụ khác" not in before
    item = next(i for i, text in enumerate(after) if "Tiêu chí thành phần 2.2:" in text)
    following = after[item + 1:]
    end = next(i for i, text in enumerate(following) if re.match(r"[a-z]\) ", text))
    assert following[:end][-2:] == ["- Nhiệm vụ cụ thể:", TASK_LINE]
    assert after[after.index("3. Các nhiệm vụ khác") + 1] == GENERAL_LINE
    changes = [(tag, before[i1:i2], after[j1:j2]) for tag, i1, i2, j1, j2 in
               difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
               if tag != "equal"]
    assert changes == [
        ("replace", ["- Giải pháp khắc phục: ……………",
                     "- Đơn vị chủ trì: Phòng Nghiệp vụ I; đơn vị phối hợp: Văn phòng Sở.",
                     "- Thời hạn: Trong năm 2027."], ["- Nhiệm vụ cụ thể:", TASK_LINE]),
        ("insert", [], ["3. Các nhiệm vụ khác", GENERAL_LINE])]
    # Phụ lục I is the same; in Phụ lục II only item 2.2's row changes, so the sums stay.
    assert fields_after == fields_before
    assert len(items_after) == len(items_before) and items_after[-1] == items_before[-1]
    changed = [(old, new) for old, new in zip(items_before, items_after) if old != new]
    [(old, new)] = changed
    assert new[1] == "2.2" and new[:7] == old[:7]  # code, name, points and cause as they were
    assert new[7:] == ["- Số hóa kết quả giải quyết TTHC ngay khi trả",
                       "100% kết quả có bản điện tử", "Phòng Nghiệp vụ I", "Văn phòng Sở",
                       "31/03/2027"]


def test_the_excel_plan_holds_the_trackers_tasks_with_their_dates(master, tmp_path):
    type_tracker(master, PLAN_TASKS)
    out = Master.open(master).export_plan(tmp_path / "kh.xlsx").path
    book = Book(out)
    items = {row[1]: row for row in book.grid("Phụ lục II - Tiêu chí")[4:] if row[1]}
    assert items["2.2"][8] == "- Số hóa kết quả giải quyết TTHC ngay khi trả"
    assert items["2.2"][12] == dt.date(2027, 3, 31)  # a date, shown dd/mm/yyyy
    tasks = {row[2]: row for row in book.grid("Nhiệm vụ")[4:] if row[2]}
    general = tasks["Quán triệt kỷ luật, kỷ cương hành chính"]
    assert general[1] in ("", None) and general[6] == dt.date(2027, 6, 30)
    sheet = openpyxl.load_workbook(out)["Nhiệm vụ"]
    [row] = [r for r in sheet.iter_rows(min_row=5) if r[2].value == PLAN_TASKS[0]["task"]]
    assert row[6].number_format == "dd/mm/yyyy"


def test_only_the_progress_report_and_the_scores_frame_import_pandas():
    from test_dependencies import PACKAGE, third_party

    users = third_party(sorted(PACKAGE.rglob("*.py")))["pandas"]  # not type-checking imports
    assert sorted(set(users)) == ["cchc_xl/analysis/frame.py", "cchc_xl/analysis/progress.py"]


# ---------------------------------------------------------------------------------------------
# Real spreadsheet programs


@pytest.mark.libreoffice
def test_a_plan_return_saved_by_libreoffice_merges(master, tmp_path):
    typed = fill_plan(plan_file(master, "NV1", tmp_path / "kh"), tmp_path / "typed" / "k.xlsx",
                      tasks=NV1_TASKS, causes={"2.1": ("Hồ sơ trễ", "Nhắc hạn tự động")})
    resaved = recalculate([typed], tmp_path / "lo")[0]
    result = Master.open(master).merge([resaved], now=NOW)
    assert result.files[0].outcome == MERGED, [str(p) for p in result.files[0].data.problems]
    state = read_master(master)[1].state
    assert [(t.code, t.deadline) for t in state.tasks] == [("2.2", dt.date(2027, 3, 31)),
                                                           ("2.1", dt.date(2027, 6, 15))]
    assert state.entries["2.1"].cause == "Hồ sơ trễ"


@pytest.mark.libreoffice
def test_a_master_with_tasks_resaved_by_libreoffice_still_syncs(master, tmp_path):
    type_tracker(master, PROGRESS_TASKS)
    out = recalculate([master], tmp_path / "lo")[0]
    resaved = master.parent / "lo.xlsx"
    shutil.move(out, resaved)
    grid = Book(resaved).grid(TRACKER_SHEET)  # LibreOffice computed the overdue flags today
    flags = [grid[TASK_FIRST_ROW + i][TASK_COL["overdue"]] for i in range(4)]
    expected = Master.open(resaved).progress(dt.date.today()).tasks
    assert flags.count("quá hạn") == int((expected["state"] == "quá hạn").sum())
    opened = Master.open(resaved)
    assert [t.deadline for t in opened.state.tasks] == [t["deadline"].date()
                                                        for t in PROGRESS_TASKS]
    opened.sync()
    again = Master.open(resaved)
    assert again.state.tasks == opened.state.tasks
    sent = again.split_plan(tmp_path / "kh", units=["NV1"], today=NOW.date()).files[0]
    update = fill_plan(sent, tmp_path / "ve" / sent.name, tasks=[], causes={
        "2.2": ("Sau LibreOffice", "Vẫn gộp được")})
    assert Master.open(resaved).merge([update], now=NOW).exit_code == 0
    assert read_master(resaved)[1].state.entries["2.2"].cause == "Sau LibreOffice"


@pytest.mark.libreoffice
@needs_poppler
def test_the_word_progress_report_renders_with_page_numbers_and_its_appendix(master, tmp_path):
    from devtools.libreoffice import convert
    from document_cases import pdf_pages, squeeze

    type_info(master, SETTINGS)
    type_tracker(master, PROGRESS_TASKS * 6)  # enough tasks for the appendix to need pages
    result = Master.open(master).export_progress(tmp_path / "bc.docx", on=dt.date(2027, 6, 30))
    pages = pdf_pages(convert([result.path], tmp_path / "pdf", "pdf")[0])
    assert len(pages) >= 3
    first_lines = [next((ln.strip() for ln in page.splitlines() if ln.strip()), "")
                   for page in pages]
    assert squeeze(first_lines[0]).startswith("UBNDTỈNHLẠNGSƠN")  # no number on page 1
    assert first_lines[1:] == [str(n) for n in range(2, len(pages) + 1)]
    whole = squeeze("".join(pages))
    for phrase in ("Số: /BC-STP", "BÁO CÁO", "I. TÌNH HÌNH CHUNG", "II. NHIỆM VỤ QUÁ HẠN",
                   "Nơi nhận:", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Hoàng Thị Mai",
                   "DANH SÁCH NHIỆM VỤ KHẮC PHỤC", "(Kèm theo Báo cáo số"):
        assert squeeze(phrase) in whole, phrase


def test_the_format_page_documents_the_tracker_and_the_plan_workbooks():
    from cchc_xl.format.tracker import ITEM_COLUMNS, PLAN_TASK_COLUMNS, TASK_COLUMNS

    root = Path(__file__).resolve().parent.parent
    text = (root / "docs" / "workbook-format.md").read_text(encoding="utf-8")
    for column in (*TASK_COLUMNS, *ITEM_COLUMNS, *PLAN_TASK_COLUMNS):
        assert f"`{column.key}`" in text and column.header in text, column.key
    for sheet in (TRACKER_SHEET, PLAN_ITEMS_SHEET, PLAN_TASKS_SHEET, ASSIGNED, PLAN_LOG_KIND):
        assert sheet in text, sheet
    assert (root / "docs" / "plan-round.md").is_file()


def test_a_plan_workbook_leaves_room_to_type_causes_and_tasks(master, tmp_path):
    """Excel keeps a row's height while one types: the rows a unit writes into show three lines."""
    book = openpyxl.load_workbook(plan_file(master, "NV1", tmp_path / "kh"))
    items, tasks = book[PLAN_ITEMS_SHEET], book[PLAN_TASKS_SHEET]
    first_item = ITEM_FIRST_ROW + 1
    assert items.cell(row=first_item, column=ITEM_COL["cause"] + 1).protection.locked is False
    assert items.row_dimensions[first_item].height >= 3 * 15
    blank = PLAN_TASK_FIRST_ROW + 1
    assert tasks.cell(row=blank, column=PLAN_TASK_COL["task"] + 1).value is None
    assert tasks.row_dimensions[blank].height >= 3 * 15


def test_a_score_return_and_a_plan_return_of_one_unit_in_one_batch_both_merge(master, tmp_path):
    """The newest-wins choice is made per stream: the later plan return does not supersede the
    unit's score return sent with it (nor the other way round)."""
    scores = Master.open(master).split(tmp_path / "gui2", units=["NV1"]).files[0]
    set_saved(scores, "2027-02-01T08:00:00Z")
    plan = fill_plan(plan_file(master, "NV1", tmp_path / "kh"), tmp_path / "ve" / "KH-NV1.xlsx",
                     tasks=NV1_TASKS, saved="2027-02-05T08:00:00Z")
    result = Master.open(master).merge([scores, plan], now=NOW)
    assert {f.data.path.name: f.outcome for f in result.files} == {
        scores.name: MERGED, plan.name: MERGED}
    assert all(f.full for f in result.files)  # both read and checked in full
    assert [t.task for t in tasks_of(master)] == [t["task"] for t in NV1_TASKS]


def test_a_done_task_typed_in_capitals_is_not_overdue_in_the_excel_plan():
    """'Hoàn thành ' as a person types it is done: no cached 'quá hạn' for previews and readers
    that show the cached value before Excel recalculates."""
    from cchc_xl.documents.plan import TaskLine
    from cchc_xl.documents.plan_xlsx import overdue

    def line(status: str) -> TaskLine:
        return TaskLine("2.1", "Nhiệm vụ", "", "NV1", "", dt.date(2027, 3, 31), status)

    on = dt.date(2027, 6, 30)
    assert not overdue(line("Hoàn thành "), on) and not overdue(line("hoàn thành"), on)
    assert overdue(line("Đang thực hiện"), on) and overdue(line(""), on)


def test_check_after_a_write_names_the_row_the_task_is_now_on(master):
    """Blank rows between tasks close up when the master is written: check() on the same
    object named the row the task had before (G7 instead of G6)."""
    type_tracker(master, [{"code": "2.2", "task": "Nhiệm vụ thứ nhất", "lead": "NV1",
                           "deadline": dt.datetime(2027, 3, 31)}])
    type_tracker(master, [{"code": "2.2", "task": "Thiếu thời hạn", "lead": "NV1"}],
                 first=TASK_FIRST_ROW + 2)  # one blank row between them
    opened = Master.open(master)
    opened.sync()
    fresh = [p.cell for p in Master.open(master).check().problems if p.sheet == TRACKER_SHEET]
    deadline = cell_ref(TASK_FIRST_ROW + 1, TASK_COL["deadline"])  # the second task's, G6
    assert deadline in fresh
    assert [p.cell for p in opened.check().problems if p.sheet == TRACKER_SHEET] == fresh
