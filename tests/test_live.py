"""Live mode (the buttons inside Excel) writes what the headless commands write.

Excel is not available here, so the open workbook is a `GridBook`: the cached values of a real
master file in memory, writable through the same protocol `XlwingsBook` implements for xlwings,
and parsing what it receives as Excel parses typed text. The checks compare it with the headless
merge and sync run on a copy of the same file; the lock is held by a real second process.

`XlwingsBook` itself needs Excel. Its calls to the xlwings API are checked against `FakeBook`, a
deliberately minimal stand-in that only records them (resizing, formulas, protection,
calculation and screen updating): it proves which calls are made, not that Excel honours them.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from cchc_xl.cli import main as cli_main
from cchc_xl.criteria.catalogue import load_catalogue
from cchc_xl.criteria.numbers import vn_number
from cchc_xl.documents.evidence import INDEX_NAME
from cchc_xl.errors import FileError, InputError, Problem
from cchc_xl.excel import buttons
from cchc_xl.excel.bridge import dispatch
from cchc_xl.excel.buttons import (
    EVIDENCE_FOLDER,
    MIN_XLWINGS,
    check_message,
    merge_message,
    sync_message,
    xlwings_message,
)
from cchc_xl.excel.live import (
    EXCEL_PROTECT_ARGS,
    GridBook,
    XlwingsBook,
    entered,
    excel_entry,
    excel_protect_args,
    excel_selection,
    live_appraisal,
    live_merge,
    live_sync,
    read_open_master,
)
from cchc_xl.files import lock
from cchc_xl.files.package import Package
from cchc_xl.format.layout import (
    COL,
    EVIDENCE_SHEET,
    EXPLANATION_COLUMNS,
    EXPLANATION_FIRST_ROW,
    EXPLANATION_SHEET,
    GAP_SHEET,
    LOG_FIRST_ROW,
    LOG_SHEET,
    PROTECTION,
    sheet_protection,
)
from cchc_xl.ops.master import Master
from cchc_xl.read.reader import read_master
from cchc_xl.sample_data import fill_with_openpyxl, sample_evidence, sample_state_entries
from cchc_xl.format.state import EvidenceRow, Explanation

NOW = dt.datetime(2026, 12, 12, 8, 30)
ROOT = Path(__file__).resolve().parent.parent
# Texts Excel would retype if written through Range.Value as they are.
RETYPED = ("2.10", "12/2026", "2026-12-12 08:30:00", "TRUE", "=1+1", "- Giải pháp", "08:30",
           "1e3", "50%", "'trích dẫn'")


@pytest.fixture(scope="module")
def setup(tmp_path_factory, sample_path):
    root = tmp_path_factory.mktemp("live")
    catalogue = load_catalogue(sample_path)
    master = root / "master.xlsx"
    Master.create(sample_path, master, org="Sở Tư pháp tỉnh Lạng Sơn")
    sent = Master.open(master).split(root / "gui").files
    returned = root / "nhan-ve"
    returned.mkdir()
    for path in sent:
        unit = path.stem.rsplit("-", 1)[1]
        if unit in ("NV1", "VP", "CC1"):
            evidence = sample_evidence(catalogue, unit, catalogue.year)
            if unit == "NV1":  # text that must stay text
                evidence.append(EvidenceRow(code="2.1.1", number="=1+1",
                                            subject='=HYPERLINK("http://x","y")'))
                evidence.append(EvidenceRow(code="2.1.1", number="12/2026", subject="2.10",
                                            issuer="TRUE", link="'trích dẫn'"))
            fill_with_openpyxl(path, returned / path.name,
                               sample_state_entries(catalogue, unit), evidence)
    return root, catalogue, master, returned


def _reads(book: GridBook) -> Counter[str]:
    return Counter(c[1] for c in book.calls if c[0] == "grid")


def _assert_written_while_editing_then_saved(book: GridBook) -> None:
    """Every write inside `editing()` (manual calculation in Excel), one save after it."""
    writes = [c for c in book.calls if c[0] == "write"]
    assert writes and all(c[5] for c in writes)
    kinds = [c[0] for c in book.calls if c[0] in ("editing", "save")]
    assert kinds == ["editing", "editing", "save"]


def test_live_merge_writes_the_same_state_as_the_headless_merge(setup, tmp_path):
    root, catalogue, master, returned = setup
    headless, live_file = tmp_path / "h.xlsx", tmp_path / "l.xlsx"
    shutil.copy(master, headless)
    shutil.copy(master, live_file)
    Master.open(headless).merge([returned], now=NOW)
    _, expected = read_master(headless)

    book = GridBook.from_file(live_file)
    result = live_merge(book, [returned], now=NOW)
    assert {f.data.unit for f in result.files if f.accepted} == {"NV1", "VP", "CC1"}
    assert max(_reads(book).values()) == 1, "each sheet is read once"
    _assert_written_while_editing_then_saved(book)
    _, got = read_open_master(book)
    assert got.state.entries == expected.state.entries
    assert got.state.evidence == expected.state.evidence
    assert got.state.log == expected.state.log
    assert {"12/2026", "2.10", "TRUE", "'trích dẫn'"} <= {
        v for e in got.state.evidence for v in (e.number, e.subject, e.issuer, e.link)}
    # The log times stay text (Excel would make them dates), as the headless merge writes them.
    times = [row[0] for row in book.grids[LOG_SHEET][LOG_FIRST_ROW:] if row and row[0]]
    assert times == ["2026-12-12 08:30:00"] * 3
    # Only the sheets that changed were unprotected and written.
    assert set(book.unprotect_calls) >= {EVIDENCE_SHEET, LOG_SHEET}
    assert GAP_SHEET not in book.unprotect_calls
    assert (tmp_path / "l.nhat-ky-gop.jsonl").read_text(encoding="utf-8").count("\n") == 3
    assert not lock.lock_path(live_file).exists()  # released


def test_live_merge_whose_json_log_cannot_be_written_still_reports_the_merge(setup, tmp_path):
    """The workbook is merged and saved; a log beside it that cannot be written is a warning,
    as in `cchc-xl merge` (the button used to report the whole merge as failed)."""
    _, _, master, returned = setup
    live_file = tmp_path / "l.xlsx"
    shutil.copy(master, live_file)
    (tmp_path / "l.nhat-ky-gop.jsonl").mkdir()  # a folder where the log file should be
    book = GridBook.from_file(live_file)
    result = live_merge(book, [returned], now=NOW)
    assert result.written and {f.data.unit for f in result.files if f.accepted} == {
        "NV1", "VP", "CC1"}
    assert any("nhật ký JSON" in p.message and p.severity == "warning" for p in result.skipped)


def test_live_sync_writes_the_gap_tables_sync_writes(setup, tmp_path):
    _, _, master, returned = setup
    merged = tmp_path / "m.xlsx"
    shutil.copy(master, merged)
    Master.open(merged).merge([returned], now=NOW)
    book = GridBook.from_file(merged)  # the open workbook after the merge, before any sync
    synced = tmp_path / "s.xlsx"
    shutil.copy(merged, synced)
    result = Master.open(synced).sync()

    report = live_sync(book)
    assert report.total == result.report.total
    assert max(_reads(book).values()) == 1, "each sheet is read once"
    _assert_written_while_editing_then_saved(book)
    sheet = openpyxl.load_workbook(synced)[GAP_SHEET]
    written = {(r, c): f for (s, r, c), f in book.formulas.items() if s == GAP_SHEET}
    assert written, "the live sync wrote formulas"
    for (r, c), formula in written.items():
        assert sheet.cell(row=r + 1, column=c + 1).value == formula, (r, c)
    # Text cells of the tables too (codes, names, units): the same as the regenerated sheet.
    grid = book.grid(GAP_SHEET)
    for r in range(4, 40):
        for c in (0, 1, 8):
            if (GAP_SHEET, r, c) not in book.formulas:
                assert (grid[r][c] or None) == sheet.cell(row=r + 1, column=c + 1).value, (r, c)


def test_text_is_written_as_text_and_everything_else_typed():
    for text in RETYPED:
        assert excel_entry(text) != (text, None), text  # Excel would not keep it as it is
        assert excel_entry(entered(text)) == (text, None), text
    assert excel_entry(entered("Kế hoạch")) == ("Kế hoạch", None)
    for value in (3.5, 0.0, True, dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 8, 30), None, ""):
        assert entered(value) == value
    assert excel_entry(entered(None)) == ("", None)
    # The emulation's own rules, where Excel is well known.
    assert excel_entry("2.10") == (2.1, None) and excel_entry("50%") == (0.5, None)
    assert excel_entry("=1+1") == ("", "=1+1")
    assert excel_entry("13/2026") == ("13/2026", None)  # no month 13: Excel keeps the text


def test_merge_message_names_refusals_and_missing_units(setup, tmp_path):
    _, _, master, returned = setup
    copy = tmp_path / "m.xlsx"
    shutil.copy(master, copy)
    result = Master.open(copy).merge([returned], now=NOW)
    text = merge_message(result)
    assert text.startswith("Đã đọc 3 tệp: gộp 3, không gộp 0.")
    fresh = tmp_path / "fresh.xlsx"
    shutil.copy(master, fresh)
    checked = merge_message(Master.open(fresh).merge([returned], now=NOW, dry_run=True))
    assert checked.startswith("Đã đọc 3 tệp: đạt kiểm tra (chưa gộp) 3, không gộp 0.")
    again = merge_message(Master.open(copy).merge([returned], now=NOW))
    assert again.startswith("Đã đọc 3 tệp: gộp 0, không gộp 0, đã gộp trước đó 3.")
    assert "Đơn vị chưa gửi tệp:" in text and "Trung tâm Trợ giúp pháp lý nhà nước" in text
    assert text.endswith("Chi tiết từng tệp: sheet 'Nhật ký gộp'.")  # no file name to decode


def test_sync_and_check_messages(setup):
    _, catalogue, master, _ = setup
    _, data = read_master(master)
    from cchc_xl.analysis.report import build_report

    report = build_report(catalogue, data.state)
    text = sync_message(report)
    assert "Chỉ số CCHC: 0,00%" in text and "xếp loại: Yếu" in text
    assert report.provisional and "tạm tính: chưa gồm" in text  # survey results not typed yet
    many = [Problem(f"vấn đề {i}", code=str(i)) for i in range(30)]
    clipped = check_message(many)
    assert clipped.count("\n") == 12 and "19 dòng nữa" in clipped
    assert clipped.split("\n")[1] == "- Lỗi (tiêu chí 0): vấn đề 0"  # no file: the one open
    located = check_message([Problem("sai", file="m.xlsm", sheet="2. Thể chế", cell="F7")])
    assert located.split("\n")[1] == "- Lỗi (sheet '2. Thể chế', ô F7): sai"
    assert check_message([]) == "Không phát hiện lỗi nào."


# --- XlwingsBook: the calls it makes to xlwings, recorded by a minimal fake -----------------


class FakeRange:
    """Records the address, resizes and what is assigned, and the two calls of `copy_formats`
    (AutoFill, Rows.AutoFit); nothing else of xlwings' Range."""

    def __init__(self, log: list[tuple[Any, ...]], sheet: str, row: int, col: int,
                 rows: int = 1, cols: int = 1) -> None:
        self.log, self.where = log, (sheet, row, col, rows, cols)

    def resize(self, rows: int, cols: int) -> FakeRange:
        sheet, row, col, _, _ = self.where
        return FakeRange(self.log, sheet, row, col, rows, cols)

    @property
    def api(self) -> FakeRangeApi:
        return FakeRangeApi(self.log, self.where)

    @property
    def rows(self) -> FakeRows:
        return FakeRows(self.log, self.where)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("value", "formula"):
            self.log.append((name, *self.where, value))
        else:
            object.__setattr__(self, name, value)


class FakeRangeApi:
    def __init__(self, log: list[tuple[Any, ...]], where: tuple[Any, ...]) -> None:
        self.log, self.where = log, where

    def AutoFill(self, destination: FakeRangeApi, kind: int) -> None:  # noqa: N802 - Excel's
        self.log.append(("AutoFill", self.where, destination.where, kind))


class FakeRows:
    def __init__(self, log: list[tuple[Any, ...]], where: tuple[Any, ...]) -> None:
        self.log, self.where = log, where

    def autofit(self) -> None:
        self.log.append(("Rows.AutoFit", self.where))


class FakeSheetApi:
    def __init__(self, log: list[tuple[Any, ...]], sheet: str) -> None:
        self.log, self.sheet = log, sheet

    def Unprotect(self, *args: Any) -> None:  # noqa: N802 - Excel's name
        self.log.append(("Unprotect", self.sheet, *args))

    def Protect(self, *args: Any) -> None:  # noqa: N802
        self.log.append(("Protect", self.sheet, *args))

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "EnableSelection":
            self.log.append((name, self.sheet, value))
        else:
            object.__setattr__(self, name, value)


class FakeSheet:
    def __init__(self, log: list[tuple[Any, ...]], name: str) -> None:
        self.name, self.log, self.api = name, log, FakeSheetApi(log, name)

    def range(self, cell: tuple[int, int]) -> FakeRange:
        return FakeRange(self.log, self.name, *cell)


class FakeApp:
    def __init__(self, log: list[tuple[Any, ...]]) -> None:
        object.__setattr__(self, "log", log)
        object.__setattr__(self, "calculation", "semiautomatic")
        object.__setattr__(self, "screen_updating", True)

    def __setattr__(self, name: str, value: Any) -> None:
        self.log.append((name, value))
        object.__setattr__(self, name, value)


class FakeBook:
    def __init__(self, path: Path, sheets: list[str]) -> None:
        self.log: list[tuple[Any, ...]] = []
        self.fullname = str(path)
        self.sheets = {name: FakeSheet(self.log, name) for name in sheets}
        self.app = FakeApp(self.log)

    def save(self) -> None:
        self.log.append(("save",))


def test_xlwings_book_writes_each_block_to_a_range_of_its_shape(tmp_path):
    fake = FakeBook(tmp_path / "m.xlsm", [GAP_SHEET, LOG_SHEET])
    book = XlwingsBook(fake)
    block = [["=A1", "=B1"], ["=A2", None], ["'x", 3.0]]
    book.write(GAP_SHEET, 4, 0, block, formulas=True)
    book.write(LOG_SHEET, 3, 2, [["'08:30"]])
    book.write(LOG_SHEET, 3, 2, [])
    # A 3×2 block goes to A5:B7, not to the one cell A5 (which takes only the top-left formula
    # before xlwings 0.37.6); values likewise.
    assert fake.log == [("formula", GAP_SHEET, 5, 1, 3, 2, block),
                        ("value", LOG_SHEET, 4, 3, 1, 1, [["'08:30"]])]


def test_xlwings_book_restores_calculation_and_screen_updating_even_on_errors(tmp_path):
    fake = FakeBook(tmp_path / "m.xlsm", [GAP_SHEET])
    book = XlwingsBook(fake)
    with pytest.raises(ZeroDivisionError), book.editing():
        assert (fake.app.calculation, fake.app.screen_updating) == ("manual", False)
        book.write(GAP_SHEET, 0, 0, [[1.0]])
        raise ZeroDivisionError
    assert (fake.app.calculation, fake.app.screen_updating) == ("semiautomatic", True)
    assert fake.log == [("screen_updating", False), ("calculation", "manual"),
                        ("value", GAP_SHEET, 1, 1, 1, 1, [[1.0]]),
                        ("calculation", "semiautomatic"), ("screen_updating", True)]


def _excel_args_from_xml(attrs: dict[str, str]) -> tuple[dict[str, bool], int]:
    """Excel's Protect arguments for a <sheetProtection> element, read by ECMA-376 (Part 1,
    18.3.1.85): an attribute true means "protected", with the schema's defaults."""
    locked_by_default = ("formatCells", "formatColumns", "formatRows", "insertColumns",
                         "insertRows", "insertHyperlinks", "deleteColumns", "deleteRows", "sort",
                         "autoFilter", "pivotTables")

    def on(name: str, default: bool) -> bool:
        return attrs.get(name, "1" if default else "0") in ("1", "true")

    allow = {name: not on(name, True) for name in locked_by_default}
    args = {"DrawingObjects": on("objects", False), "Contents": on("sheet", False),
            "Scenarios": on("scenarios", False), "UserInterfaceOnly": False,
            "AllowFormattingCells": allow["formatCells"],
            "AllowFormattingColumns": allow["formatColumns"],
            "AllowFormattingRows": allow["formatRows"],
            "AllowInsertingColumns": allow["insertColumns"],
            "AllowInsertingRows": allow["insertRows"],
            "AllowInsertingHyperlinks": allow["insertHyperlinks"],
            "AllowDeletingColumns": allow["deleteColumns"],
            "AllowDeletingRows": allow["deleteRows"], "AllowSorting": allow["sort"],
            "AllowFiltering": allow["autoFilter"], "AllowUsingPivotTables": allow["pivotTables"]}
    locked, unlocked = not on("selectLockedCells", False), not on("selectUnlockedCells", False)
    selection = 0 if locked and unlocked else 1 if unlocked else -4142
    return args, selection


@pytest.fixture(scope="module")
def locked_master(tmp_path_factory, sample_path):
    path = tmp_path_factory.mktemp("locked") / "tong-hop.xlsm"
    Master.create(sample_path, path, org="Sở Tư pháp", password="Mật-khẩu 1")
    return path


def test_protection_options_are_xlsxwriters_and_the_live_mode_reprotects_as_built(
        locked_master, tmp_path):
    ws = xlsxwriter.Workbook(str(tmp_path / "x.xlsx")).add_worksheet()
    ws.protect("", {})
    defaults = {k: v for k, v in ws.protect_options.items() if k != "password"}
    for kind, options in PROTECTION.items():
        assert set(options) == set(defaults), kind  # complete, and only XlsxWriter's names
    shipped = ROOT / "workbook_templates" / "CCHC-mau-tong-hop.xlsm"
    for path in (locked_master, shipped):
        with Package(path) as package:
            sheets = list(package.sheet_parts())
            stored = {sheet: package.protection(sheet) for sheet in sheets}
        fake = FakeBook(path, sheets)
        book = XlwingsBook(fake, "Mật-khẩu 1")
        for sheet in sheets:
            options = sheet_protection(sheet)
            if stored[sheet] is None:
                assert options is None, sheet
                continue
            expected, selection = _excel_args_from_xml(stored[sheet])
            assert excel_protect_args(options) == expected, sheet
            assert excel_selection(options) == selection, sheet
            fake.log.clear()
            with pytest.raises(KeyError), book.unprotected(sheet):
                raise KeyError("an error while writing")  # protected again all the same
            assert fake.log == [
                ("Unprotect", sheet, "Mật-khẩu 1"),
                ("Protect", sheet, "Mật-khẩu 1", *(expected[a] for a in EXCEL_PROTECT_ARGS)),
                ("EnableSelection", sheet, selection)], sheet
    assert tuple(expected) == EXCEL_PROTECT_ARGS


def test_xlwings_book_saves_after_a_backup(tmp_path):
    path = tmp_path / "tong-hop.xlsm"
    path.write_bytes(b"before")
    fake = FakeBook(path, [])
    XlwingsBook(fake).save()
    assert fake.log == [("save",)]
    assert [p.read_bytes() for p in (tmp_path / "sao-luu").iterdir()] == [b"before"]


# --- the write lock, held by a real second process ------------------------------------------

HOLD = """
import sys
from cchc_xl.files.lock import WriteLock
with WriteLock(sys.argv[1], command="merge --force"):
    print("held", flush=True)
    sys.stdin.read()
"""
TRY = """
import sys
from cchc_xl.errors import FileError
from cchc_xl.files.lock import WriteLock
try:
    with WriteLock(sys.argv[1], wait=0):
        print("free")
except FileError as exc:
    print("refused:", exc)
"""


def _python(code: str, path: Path, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, str(path)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, **kwargs)


def test_live_mode_waits_for_the_lock_another_process_holds(setup, tmp_path, monkeypatch):
    _, _, master, returned = setup
    path = tmp_path / "m.xlsx"
    shutil.copy(master, path)
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.5)
    holder = _python(HOLD, path, stdin=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == "held\n"
        for run in (lambda b: live_merge(b, [returned], now=NOW), live_sync,
                    lambda b: live_appraisal(b, tmp_path / "hd.xlsx")):
            book = GridBook.from_file(path)
            with pytest.raises(FileError, match=r"đang được ghi bởi .*lệnh: merge --force"):
                run(book)
            assert book.calls == []  # nothing read, nothing written, nothing saved
        assert not (tmp_path / "m.nhat-ky-gop.jsonl").exists()
    finally:
        holder.communicate("")
    book = GridBook.from_file(path)
    assert live_merge(book, [returned], now=NOW).written


class LockProbingBook(GridBook):
    """Asks a second process for the lock at the first read and at the save."""

    probes: list[str]

    def _probe(self) -> None:
        out = _python(TRY, self.path).communicate()[0]
        self.probes.append(out.split(":")[0].strip())

    def grid(self, sheet: str) -> Any:
        if not self.probes:
            self._probe()
        return super().grid(sheet)

    def save(self) -> None:
        self._probe()
        super().save()


@pytest.mark.parametrize("action", ["merge", "sync", "appraisal"])
def test_live_mode_holds_the_lock_from_the_first_read_to_the_save(setup, tmp_path, action):
    _, catalogue, master, returned = setup
    path = tmp_path / "m.xlsx"
    shutil.copy(master, path)
    book = LockProbingBook.from_file(path)
    book.probes = []
    if action == "merge":
        live_merge(book, [returned], now=NOW)
    elif action == "sync":
        live_sync(book)
    else:
        leaves = [leaf.code for leaf in catalogue.all_leaves()][:3]
        live_appraisal(book, council_file(tmp_path / "hd.xlsx", dict.fromkeys(leaves, 0)))
    assert book.probes == ["refused", "refused"]
    assert _python(TRY, path).communicate()[0].strip() == "free"


# --- passwords --------------------------------------------------------------------------------


def test_a_wrong_or_missing_password_writes_nothing(setup, locked_master, tmp_path):
    _, _, _, returned = setup
    path = tmp_path / "tong-hop.xlsm"
    shutil.copy(locked_master, path)
    cases = {"mật-khẩu 1": "Sai mật khẩu", "": "nút chưa nhận được mật khẩu"}
    for password, message in cases.items():
        for run in (lambda b: live_merge(b, [returned], now=NOW), live_sync,
                    lambda b: live_appraisal(b, tmp_path / "hd.xlsx")):
            book = GridBook.from_file(path, password=password)
            with pytest.raises(FileError, match=message) as info:
                run(book)
            assert "Tệp chưa bị thay đổi." in str(info.value)
            assert book.calls == []
    assert not (tmp_path / "tong-hop.nhat-ky-gop.jsonl").exists()
    # Without the check, Excel would refuse the wrong password at the first sheet, after the
    # merge had been computed: GridBook refuses it as Excel does.
    book = GridBook.from_file(path, password="sai")
    with pytest.raises(RuntimeError), book.unprotected(LOG_SHEET):
        pass


def test_no_password_needed_but_one_given(setup, tmp_path):
    _, _, master, returned = setup
    path = tmp_path / "m.xlsx"
    shutil.copy(master, path)
    with pytest.raises(FileError, match="không đặt mật khẩu"):
        live_sync(GridBook.from_file(path, password="x"))


def test_the_buttons_pass_the_password_to_the_live_mode(setup, locked_master, tmp_path,
                                                       open_in_excel):
    _, _, _, returned = setup
    path = tmp_path / "tong-hop.xlsm"
    shutil.copy(locked_master, path)
    opened = open_in_excel
    ok, text = dispatch("merge", path, (str(returned), "Mật-khẩu 1"))
    assert ok and text.startswith("Đã đọc 3 tệp: gộp 3"), text
    assert ("protect", LOG_SHEET, "Mật-khẩu 1") in opened[-1].calls
    ok, text = dispatch("sync", path, ("Mật-khẩu 1",))
    assert ok and text.startswith("Tổng điểm:"), text
    ok, text = dispatch("sync", path, ("mat khau",))
    assert not ok and text.startswith("Sai mật khẩu") and "Tệp chưa bị thay đổi." in text
    ok, text = dispatch("sync", path, ())  # an old master's VBA passes no password
    assert not ok and "bấm lại nút và gõ mật khẩu" in text
    council = council_file(tmp_path / "hd.xlsx", {"1.1.1": 0.5})
    ok, text = dispatch("appraisal", path, (str(council), "Mật-khẩu 1"))
    assert ok and text.startswith("Đã nhập điểm thẩm định của 1 tiêu chí"), text
    assert ("protect", EXPLANATION_SHEET, "Mật-khẩu 1") in opened[-1].calls
    ok, text = dispatch("appraisal", path, (str(council), "mat khau"))
    assert not ok and text.startswith("Sai mật khẩu"), text


def test_the_reading_buttons_need_no_password(locked_master, tmp_path):
    """Split, split-plan, report, plan, progress and check only read the saved master: they
    work on a password master, and leave it as it was."""
    before = locked_master.read_bytes()
    ok, text = dispatch("check", locked_master, ())
    assert ok and "xlwings" in text, text
    for name, out in (("plan", "ke-hoach.docx"), ("report", "bao-cao.docx"),
                      ("progress", "tien-do.xlsx")):
        ok, text = dispatch(name, locked_master, (str(tmp_path / out),))
        assert ok and (tmp_path / out).is_file(), text
    for name, folder in (("split", "gui"), ("split-plan", "ke-hoach")):
        ok, text = dispatch(name, locked_master, (str(tmp_path / folder),))
        assert ok and text.startswith("Đã tạo ") and any((tmp_path / folder).iterdir()), text
    assert locked_master.read_bytes() == before


# --- the Kiểm tra button: the installed xlwings ---------------------------------------------


def test_check_button_reports_the_xlwings_version(setup, monkeypatch):
    _, _, master, _ = setup
    import xlwings

    text = buttons.check(master)
    assert text.endswith(f"xlwings {xlwings.__version__}: đạt yêu cầu (cần 0.30.11 trở lên).")
    monkeypatch.setattr(xlwings, "__version__", "0.30.10")
    assert "xlwings 0.30.10 cũ hơn phiên bản tối thiểu 0.30.11" in buttons.check(master)
    assert xlwings_message("0.30.11").startswith("xlwings 0.30.11: đạt yêu cầu")
    assert xlwings_message("0.31.0rc1").startswith("xlwings 0.31.0rc1: đạt")
    assert "cũ hơn" in xlwings_message("0.4.1") and "cũ hơn" in xlwings_message("dev")
    assert "Không xác định được phiên bản xlwings" in xlwings_message(None)


def test_the_minimum_xlwings_is_stated_everywhere_and_has_xlpy():
    minimum = ".".join(map(str, MIN_XLWINGS))
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'"xlwings>=([\d.]+)"', pyproject).group(1) == minimum
    for doc in ("docs/windows-setup.md", "macros/README.md"):
        assert minimum in (ROOT / doc).read_text(encoding="utf-8"), doc
    # The installed add-in defines the function the worksheet functions call.
    import xlwings

    main_bas = Path(xlwings.__file__).parent / "addin" / "Main.bas"
    assert re.search(r"^Function XLPy\(\)", main_bas.read_text(encoding="utf-8", errors="replace"),
                     re.MULTILINE)


# --- the appraisal button: the council's points into the open master -----------------------


def council_file(path: Path, points: dict[str, Any], groups: tuple[str, ...] = ("1",)) -> Path:
    """The council's table as its own spreadsheet has it: a title, then STT / Mã / Tên / Điểm."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["KẾT QUẢ THẨM ĐỊNH CHỈ SỐ CCHC"])
    sheet.append([])
    sheet.append(["STT", "Mã tiêu chí", "Tên tiêu chí", "Điểm thẩm định"])
    for group in groups:  # a field's row: the master sums it, the import ignores it
        sheet.append([None, group, "Lĩnh vực", 1])
    for i, (code, value) in enumerate(points.items(), start=1):
        sheet.append([i, code, f"Tiêu chí {code}", value])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def appraised(setup, tmp_path_factory):
    """The merged master with two explanations typed beforehand (one with a text Excel would
    retype), and the council's file: every item, 14 of them lowered to half their points — more
    rows than the appraisal sheet was built with."""
    _, catalogue, master, returned = setup
    folder = tmp_path_factory.mktemp("tham-dinh")
    path = folder / "tong-hop" / "tong-hop.xlsx"
    path.parent.mkdir()
    shutil.copy(master, path)
    opened = Master.open(path)
    opened.merge([returned], now=NOW)
    report = opened.report()
    leaves = [leaf.code for leaf in catalogue.all_leaves()]
    scored = [code for code in leaves if report.nodes[code].points > 0]
    lowered = {code: (report.nodes[code].points / 2).quantize(Decimal("0.01"))
               for code in scored[:14]}
    points = {code: float(lowered.get(code, report.nodes[code].points)) for code in leaves}
    explained = {scored[0]: Explanation(explanation="2.10"),  # lowered: its first points recorded
                 scored[20]: Explanation(explanation="Đã giải trình", decision="Chấp nhận")}
    opened.state = replace(opened.state, explanations=explained)
    opened.save()
    return path, council_file(folder / "hoi-dong" / "ket-qua.xlsx", points), lowered


def _cell_value(value: Any) -> Any:
    return None if value == "" else value


def test_live_appraisal_keeps_an_explanation_typed_under_an_unknown_code(appraised, tmp_path):
    """The button rewrites the appraisal table in the open workbook: a row it cannot place is
    refused with its cell, as `cchc-xl appraisal` refuses, and nothing is written."""
    path, council, _ = appraised
    live_file = tmp_path / "l.xlsx"
    shutil.copy(path, live_file)
    book = openpyxl.load_workbook(live_file)
    sheet = book[EXPLANATION_SHEET]
    row = next(r for r in range(EXPLANATION_FIRST_ROW + 1, sheet.max_row + 2)
               if sheet.cell(row=r, column=1).value is None)
    sheet.cell(row=row, column=1, value="9.9.9")
    sheet.cell(row=row, column=6, value="giải trình quan trọng")
    book.save(live_file)
    live = GridBook.from_file(live_file)
    with pytest.raises(InputError) as refused:
        live_appraisal(live, council)
    assert any(p.cell == f"A{row}" and "9.9.9" in p.message for p in refused.value.problems)
    assert not live.unprotect_calls and not lock.lock_path(live_file).exists()
    with pytest.raises(InputError):
        Master.open(live_file).import_appraisal(council)


def test_live_appraisal_writes_what_the_appraisal_command_writes(setup, appraised, tmp_path):
    catalogue = setup[1]
    path, council, lowered = appraised
    headless, live_file = tmp_path / "h.xlsx", tmp_path / "l.xlsx"
    shutil.copy(path, headless)
    shutil.copy(path, live_file)
    out = CliRunner().invoke(cli_main, ["appraisal", str(headless), str(council)])
    assert out.exit_code == 0, out.output
    _, expected = read_master(headless)

    book = GridBook.from_file(live_file)
    _, before = read_open_master(GridBook.from_file(live_file))
    result = live_appraisal(book, council)
    assert max(_reads(book).values()) == 1, "each sheet is read once"
    _assert_written_while_editing_then_saved(book)
    assert not lock.lock_path(live_file).exists()
    _, got = read_open_master(book)
    assert got.state.entries == expected.state.entries  # the appraised points, nothing else
    assert {c: e.appraised for c, e in got.state.entries.items() if e.appraised is not None} == \
        {c: float(p) for c, p in result.points.items()}
    assert got.state.explanations == expected.state.explanations
    assert set(result.lowered) == set(lowered) and result.ignored == ["1"]
    assert {c: given for c, (_, given) in result.lowered.items()} == lowered
    # Recorded: the lowered items, and the item explained beforehand (no first points yet).
    assert set(result.first_round) == set(expected.state.explanations) > set(lowered)

    # The appraisal sheet, cell by cell, as the command wrote it: values, texts, formulas.
    sheet = openpyxl.load_workbook(headless)[EXPLANATION_SHEET]
    grid = book.grids[EXPLANATION_SHEET]
    codes = [_cell_value(row[0]) for row in grid[EXPLANATION_FIRST_ROW:] if row]
    assert [c for c in codes if c] == [leaf.code for leaf in catalogue.all_leaves()
                                       if leaf.code in expected.state.explanations]  # in order
    assert len([c for c in codes if c]) == 15
    for r in range(EXPLANATION_FIRST_ROW, max(len(grid), sheet.max_row)):
        for c in range(len(EXPLANATION_COLUMNS)):
            want = sheet.cell(row=r + 1, column=c + 1).value
            if (EXPLANATION_SHEET, r, c) in book.formulas:
                assert book.formulas[(EXPLANATION_SHEET, r, c)] == want, (r, c)
            else:
                have = _cell_value(grid[r][c]) if r < len(grid) and c < len(grid[r]) else None
                assert have == want, (r, c, have, want)
    assert "2.10" in [row[5] for row in grid]  # typed text stays text
    # The gap tables: sorted by the appraised points, the same formulas as the command's.
    gap = openpyxl.load_workbook(headless)[GAP_SHEET]
    written = {(r, c): f for (s, r, c), f in book.formulas.items() if s == GAP_SHEET}
    assert written
    for (r, c), formula in written.items():
        assert gap.cell(row=r + 1, column=c + 1).value == formula, (r, c)

    # Parents' cells keep their sum formulas: only leaf rows of the appraised column written.
    leaf_rows = {(m.sheet, m.row) for m in before.rows.values() if m.kind != "group"}
    written = {(s, r) for s, r, c in _written_cells(book) if c == COL["appraised"]
               and s != EXPLANATION_SHEET and s != GAP_SHEET}
    assert len(written) >= len(lowered) and written <= leaf_rows


def _written_cells(book: GridBook) -> set[tuple[str, int, int]]:
    """Every cell the live mode wrote, from the block shapes GridBook recorded."""
    cells = set()
    for call, shape in zip([c for c in book.calls if c[0] == "write"], book.shapes, strict=True):
        _, sheet, row, col, _, _ = call
        rows, cols = shape
        cells |= {(sheet, row + i, col + j) for i in range(rows) for j in range(cols)}
    return cells


def test_rows_added_to_the_appraisal_sheet_are_typed_into_like_the_built_ones(appraised,
                                                                            tmp_path):
    """The builder formats the table and 10 blank rows after it, every row alike; the live mode
    gives the rows it writes beyond them, and 10 blank rows after, the first row's formats."""
    path, council, _ = appraised
    live_file = tmp_path / "l.xlsx"
    shutil.copy(path, live_file)
    sheet = openpyxl.load_workbook(live_file)[EXPLANATION_SHEET]

    def look(r: int) -> list[tuple[Any, ...]]:  # 0-based row: what a cell's format decides
        cells = [sheet.cell(row=r + 1, column=c + 1) for c in range(len(EXPLANATION_COLUMNS))]
        return [(c.protection.locked, c.fill.fgColor.rgb, c.number_format, c.font.name,
                 c.border.left.style) for c in cells]

    built = [r for r in range(EXPLANATION_FIRST_ROW, sheet.max_row)
             if look(r)[0] != look(sheet.max_row + 5)[0]]  # formatted, unlike rows below
    assert built == list(range(EXPLANATION_FIRST_ROW, EXPLANATION_FIRST_ROW + 2 + 10))
    assert all(look(r) == look(EXPLANATION_FIRST_ROW) for r in built)  # items and blank rows
    unlocked = {col for col, cell in enumerate(look(EXPLANATION_FIRST_ROW)) if not cell[0]}
    assert unlocked == {0, 4, 5, 6, 7}  # code, first points, explanation, supplement, decision

    book = GridBook.from_file(live_file)
    live_appraisal(book, council)
    [call] = [c for c in book.calls if c[0] == "copy_formats"]
    _, sheet_name, source, last, width, editing = call
    assert (sheet_name, source, width, editing) == (EXPLANATION_SHEET, EXPLANATION_FIRST_ROW,
                                                   len(EXPLANATION_COLUMNS), True)
    rows = {r for s, r, _ in _written_cells(book) if s == EXPLANATION_SHEET}
    assert max(rows) == EXPLANATION_FIRST_ROW + 14  # 15 rows, more than the 12 built
    assert rows <= set(range(source, last + 1))
    assert last == EXPLANATION_FIRST_ROW + 15 + 10 - 1  # and 10 blank rows after the table
    # The copy comes after the table was written, inside the same unprotected span.
    kinds = [(c[0], c[1]) for c in book.calls if c[0] in ("write", "copy_formats", "protect",
                                                          "unprotect")
             and c[1] == EXPLANATION_SHEET]
    assert kinds == [("unprotect", EXPLANATION_SHEET), ("write", EXPLANATION_SHEET),
                     ("copy_formats", EXPLANATION_SHEET), ("protect", EXPLANATION_SHEET)]


def test_the_appraisal_button(appraised, tmp_path, open_in_excel):
    path, council, lowered = appraised
    live_file = tmp_path / "tong-hop.xlsx"
    shutil.copy(path, live_file)
    opened = open_in_excel
    ok, text = dispatch("appraisal", live_file, (str(council),))
    assert ok, text
    lines = text.split("\n")
    state = read_open_master(opened[-1])[1].state
    count = len([e for e in state.entries.values() if e.appraised is not None])
    assert lines[0] == f"Đã nhập điểm thẩm định của {count} tiêu chí từ ket-qua.xlsx."
    assert lines[1] == ("Đã ghi điểm thẩm định lần đầu của 15 tiêu chí ở sheet 'Giải trình thẩm "
                        "định': ghi nội dung giải trình ở đó.")
    assert lines[2] == "Bỏ qua dòng của tiêu chí cha (tệp tổng hợp tự cộng): 1."
    assert lines[3] == "Hội đồng chấm thấp hơn điểm tự chấm ở 14 tiêu chí:"
    own = Master.open(path).report().nodes
    first = next(iter(lowered))
    assert lines[4] == (f"- {first}: tự chấm {vn_number(own[first].points)}, thẩm định "
                        f"{vn_number(lowered[first])}")
    assert lines[-1] == ("… và 6 dòng nữa (danh sách đủ: chạy lệnh cchc-xl cùng tên với nút, "
                         "Phần 2 của hướng dẫn sử dụng).")  # 18 lines, 12 shown
    assert state.entries[first].appraised == float(lowered[first])

    # A council file with problems: each with its sheet and cell, and nothing written.
    bad = council_file(tmp_path / "hd" / "sai.xlsx", {first: "bốn", "9.9": 1})
    ok, text = dispatch("appraisal", live_file, (str(bad),))
    assert not ok
    lines = text.split("\n")
    assert lines[0] == ("Tệp kết quả thẩm định sai.xlsx có 2 lỗi; chưa nhập điểm nào. Hãy sửa theo "
                        "danh sách rồi nhập lại.")
    assert lines[1].startswith("- sheet 'Sheet', ô D5") and "không phải là số" in lines[1], lines
    assert lines[2].startswith("- sheet 'Sheet', ô B6") and "9.9" in lines[2], lines
    assert not [c for c in opened[-1].calls if c[0] in ("write", "save", "copy_formats")]
    assert not lock.lock_path(live_file).exists()


def test_a_master_without_the_appraisal_sheet_is_refused(setup, tmp_path):
    """A master made by cchc-xl before the appraisal round (format 1) has no appraisal sheet,
    and Excel's open workbook cannot get one from the live mode: the button says what to do."""
    _, _, master, _ = setup
    path = tmp_path / "m.xlsx"
    shutil.copy(master, path)
    book = GridBook.from_file(path)
    del book.grids[EXPLANATION_SHEET]
    with pytest.raises(FileError, match="cchc-xl appraisal") as info:
        live_appraisal(book, tmp_path / "hd.xlsx")
    assert "Tệp chưa bị thay đổi." in str(info.value)
    assert not [c for c in book.calls if c[0] in ("write", "save")]


def test_xlwings_book_copies_formats_without_the_clipboard_and_fits_the_rows(tmp_path):
    fake = FakeBook(tmp_path / "m.xlsm", [EXPLANATION_SHEET])
    XlwingsBook(fake).copy_formats(EXPLANATION_SHEET, 4, 18, 10)
    XlwingsBook(fake).copy_formats(EXPLANATION_SHEET, 4, 4, 10)
    # Rows 5 (1-based) to 19: AutoFill of row 5's formats (xlFillFormats = 3) over all of them.
    assert fake.log == [("AutoFill", (EXPLANATION_SHEET, 5, 1, 1, 10),
                         (EXPLANATION_SHEET, 5, 1, 15, 10), 3),
                        ("Rows.AutoFit", (EXPLANATION_SHEET, 5, 1, 15, 10)),
                        ("Rows.AutoFit", (EXPLANATION_SHEET, 5, 1, 1, 10))]


# --- the buttons that only read the master: the same files as their commands ----------------


def test_the_report_button_writes_what_the_report_command_writes(setup, tmp_path):
    _, _, master, returned = setup
    folder = tmp_path / "tong-hop"
    folder.mkdir()
    path = folder / "tong-hop.xlsx"
    shutil.copy(master, path)
    opened = Master.open(path)
    opened.merge([returned], now=NOW)
    documents = tmp_path / "tai-lieu"
    documents.mkdir()
    evidence = list(opened.state.evidence)
    for i in range(6):  # five files (two rows cite the same one), and one missing
        (documents / f"van-ban-{i % 5}.pdf").write_bytes(b"%PDF-1.4 " + bytes([i % 5]))
        evidence[i] = replace(evidence[i], link=f"../tai-lieu/van-ban-{i % 5}.pdf")
    evidence[6] = replace(evidence[6], link="../tai-lieu/khong-co.pdf")
    opened.state = replace(opened.state, evidence=evidence)
    opened.save()

    out = tmp_path / "bao-cao" / "bao-cao-tu-danh-gia.docx"
    out.parent.mkdir()
    ok, text = dispatch("report", path, (str(out), "1"))
    assert ok, text
    package = out.parent / EVIDENCE_FOLDER
    assert out.is_file() and (package / INDEX_NAME).is_file()
    copied = sorted(p.relative_to(package) for p in package.rglob("*")
                    if p.is_file() and p.name != INDEX_NAME)
    assert len(copied) == 6  # one file cited for two codes is in both codes' folders
    # The command, on the same master: the same package, the same warnings.
    cli_out = tmp_path / "lenh" / "bao-cao.docx"
    cli_out.parent.mkdir()
    run = CliRunner().invoke(cli_main, ["report", str(path), "--out", str(cli_out),
                                        "--evidence-dir", str(tmp_path / "lenh" / "tl")])
    assert run.exit_code == 0, run.output
    assert "(6 tệp;" in " ".join(run.output.split())  # the same count as the button's
    assert copied == sorted(p.relative_to(tmp_path / "lenh" / "tl")
                            for p in (tmp_path / "lenh" / "tl").rglob("*")
                            if p.is_file() and p.name != INDEX_NAME)
    warnings = Master.open(path).export_report(tmp_path / "x.docx",
                                               evidence_dir=tmp_path / "x").warnings
    assert run.output.count("\n") > len(warnings)  # the command printed them all
    lines = text.split("\n")
    assert lines[:2] == ["Đã xuất báo cáo tự đánh giá:", str(out)]
    assert lines[2:5] == ["Gói tài liệu kiểm chứng: 6 tệp trong thư mục", str(package),
                          f"(danh mục: {INDEX_NAME})."]
    assert lines[5] == f"Cần bổ sung hoặc xem lại ({len(warnings)}):"
    assert lines[6] == f"- {warnings[0].where(with_file=False)}: {warnings[0].message}"
    # Clipped like the plan's message: 12 entries (the first two take several lines).
    assert sum(line.startswith("- ") for line in lines) == 9
    assert lines[-1] == (f"… và {len(warnings) - 9} dòng nữa (danh sách đủ: chạy lệnh cchc-xl "
                         "cùng tên với nút, Phần 2 của hướng dẫn sử dụng).")
    assert any("khong-co.pdf" in w.message and w.cell for w in warnings)

    # No: the report only.
    alone = tmp_path / "chi-bao-cao" / "bao-cao.xlsx"
    alone.parent.mkdir()
    ok, text = dispatch("report", path, (str(alone), ""))
    assert ok and alone.is_file() and "Gói tài liệu" not in text, text
    assert not (alone.parent / EVIDENCE_FOLDER).exists()


def test_the_split_plan_button_writes_the_plan_workbooks_the_command_writes(setup, tmp_path):
    from cchc_xl.format.tracker import PLAN_KIND
    from cchc_xl.read.reader import read_return

    _, catalogue, master, returned = setup
    path = tmp_path / "tong-hop.xlsx"
    shutil.copy(master, path)
    Master.open(path).merge([returned], now=NOW)
    ok, text = dispatch("split-plan", path, (str(tmp_path / "ke-hoach"),))
    assert ok, text
    written = sorted(p.name for p in (tmp_path / "ke-hoach").iterdir())
    run = CliRunner().invoke(cli_main, ["split-plan", str(path), "--out", str(tmp_path / "kh")])
    assert run.exit_code == 0, run.output
    assert written == sorted(p.name for p in (tmp_path / "kh").iterdir()) and written
    assert text.startswith(f"Đã tạo {len(written)} tệp kế hoạch khắc phục cho các đơn vị trong "
                           f"thư mục:\n{tmp_path / 'ke-hoach'}\n")
    assert "nút 'Gộp dữ liệu'" in text
    for name in written:  # plan workbooks, that the merge takes back
        data = read_return(tmp_path / "ke-hoach" / name, catalogue)
        assert data.kind == PLAN_KIND and not data.problems, name


def test_the_progress_button_reports_today(setup, tmp_path):
    from cchc_xl.format.state import Task

    _, _, master, _ = setup
    path = tmp_path / "tong-hop.xlsx"
    shutil.copy(master, path)
    today = dt.date.today()
    opened = Master.open(path)
    opened.state = replace(opened.state, tasks=[
        Task(code="1.1", task="Ban hành kế hoạch", lead="VP",
             deadline=today - dt.timedelta(days=10), status="đang thực hiện"),
        Task(code="2.1.1", task="Rà soát hồ sơ", lead="NV1",
             deadline=today + dt.timedelta(days=30)),
        Task(code="1.1", task="Họp giao ban", lead="VP", deadline=today,
             status="hoàn thành", completed=today - dt.timedelta(days=1))])
    opened.save()
    totals = Master.open(path).progress(today).totals
    assert (totals["total"], totals["done"], totals["overdue"]) == (3, 1, 1)
    for name in ("tien-do.docx", "tien-do.xlsx"):
        out = tmp_path / name
        ok, text = dispatch("progress", path, (str(out),))
        assert ok, text
        assert text.split("\n")[:3] == [
            f"Đã xuất báo cáo tiến độ khắc phục (tính đến ngày {today:%d/%m/%Y}):", str(out),
            "3 nhiệm vụ: hoàn thành 1, quá hạn 1."]
        assert out.is_file()
    with zipfile.ZipFile(tmp_path / "tien-do.docx") as docx:
        assert f"tính đến ngày {today:%d/%m/%Y}" in docx.read("word/document.xml").decode()
