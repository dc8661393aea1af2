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
from conftest import tiny_data
from devtools.libreoffice import recalculate

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
    book = openpyxl.load_workbook(scores)
    for code, values in NV1_INPUTS.items():
        for key, value in values.items():
            name = f"CCHC_{key.upper()}_{code.replace('.', '_')}"
            sheet, ref = next(iter(book.defined_names[name].destinations))
            book[sheet][ref.replace("$", "")] = value
    book.save(scores)
    set_saved(scores, "2027-01-10T08:00:00Z")
    assert Master.open(path).merge([scores], now=NOW).exit_code == 0
    return path


def set_saved(path: Path, stamp: str) -> None:
    """Rewrite docProps/core.xml's modified time, as a save at that moment would."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "docProps/core.xml":
                data = re.sub(r"(<dcterms:modified[^>]*>)[^<]*", rf"\g<1>{stamp}",
                              data.decode()).encode()
            dst.writestr(item, data)
    tmp.replace(path)


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
    causes = causes or {}
    book = openpyxl.load_workbook(sent)
    items = book[PLAN_ITEMS_SHEET]
    for r in range(ITEM_FIRST_ROW + 1, items.max_row + 1):
        code = items.cell(row=r, column=ITEM_COL["code"] + 1).value
        if code in causes:
            items.cell(row=r, column=ITEM_COL["cause"] + 1, value=causes[code][0])
            items.cell(row=r, column=ITEM_COL["remedy"] + 1, value=causes[code][1])
    sheet = book[PLAN_TASKS_SHEET]
    for i in range(clear):
        for key in ("code", "task", "deliverable", "support", "deadline", "status", "completed",
                    "evidence", "note"):
            sheet.cell(row=PLAN_TASK_FIRST_ROW + first + i + 1,
                       column=PLAN_TASK_COL[key] + 1).value = None  # cell(value=None) keeps it
    for i, row in enumerate(tasks):
        for key, value in row.items():
            sheet.cell(row=PLAN_TASK_FIRST_ROW + first + i + 1, column=PLAN_TASK_COL[key] + 1,
                       value=value)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
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


def test_the_merge_button_takes_plan_returns_and_says_so(master, tmp_path, monkeypatch):
    """The *Gộp dữ liệu* button (through `dispatch`, on the open master: a GridBook) routes a
    plan return to the tracker like the command, and its message says where the tasks went."""
    from cchc_xl.excel import buttons
    from cchc_xl.excel.bridge import dispatch
    from cchc_xl.excel.live import GridBook, read_open_master

    returned = fill_plan(plan_file(master, "NV1", tmp_path / "kh"), tmp_path / "ve" / "k.xlsx",
                         tasks=NV1_TASKS, causes={"2.2": ("Thiếu máy quét", "Trang bị máy quét")})
    headless = tmp_path / "h.xlsx"
    shutil.copy(master, headless)
    Master.open(headless).merge([returned], now=NOW)
    books: list[GridBook] = []

    def open_book(path: Path, password: str) -> GridBook:
        books.append(GridBook.from_file(path, password=password))
        return books[-1]

    monkeypatch.setattr(buttons, "_open", open_book)
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


def test_the_format_page_documents_the_tracker_and_the_plan_workbooks():
    from cchc_xl.format.tracker import ITEM_COLUMNS, PLAN_TASK_COLUMNS, TASK_COLUMNS

    root = Path(__file__).resolve().parent.parent
    text = (root / "docs" / "workbook-format.md").read_text(encoding="utf-8")
    for column in (*TASK_COLUMNS, *ITEM_COLUMNS, *PLAN_TASK_COLUMNS):
        assert f"`{column.key}`" in text and column.header in text, column.key
    for sheet in (TRACKER_SHEET, PLAN_ITEMS_SHEET, PLAN_TASKS_SHEET, ASSIGNED, PLAN_LOG_KIND):
        assert sheet in text, sheet
    assert (root / "docs" / "plan-round.md").is_file()
