"""Live mode (the buttons inside Excel) writes what the headless commands write.

Excel is not available here, so the open workbook is a `GridBook`: the cached values of a real
master file in memory, writable through the same protocol `XlwingsBook` implements for xlwings.
The checks compare it with the headless merge and sync run on a copy of the same file.
"""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest

from cchc_xl.excel.buttons import check_message, merge_message, sync_message
from cchc_xl.criteria.catalogue import load_catalogue
from cchc_xl.errors import Problem
from cchc_xl.format.layout import EVIDENCE_SHEET, GAP_SHEET, LOG_SHEET
from cchc_xl.excel.live import GridBook, literal, live_merge, live_sync, read_open_master
from cchc_xl.ops.master import Master
from cchc_xl.read.reader import read_master
from cchc_xl.sample_data import fill_with_openpyxl, sample_evidence, sample_state_entries
from cchc_xl.format.state import EvidenceRow

NOW = dt.datetime(2026, 12, 12, 8, 30)


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
            fill_with_openpyxl(path, returned / path.name,
                               sample_state_entries(catalogue, unit), evidence)
    return root, catalogue, master, returned


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
    _, got = read_open_master(book)
    assert got.state.entries == expected.state.entries
    assert got.state.evidence == expected.state.evidence
    assert got.state.log == expected.state.log
    # Only the sheets that changed were unprotected and written.
    assert set(book.unprotect_calls) >= {EVIDENCE_SHEET, LOG_SHEET}
    assert GAP_SHEET not in book.unprotect_calls
    assert (tmp_path / "l.nhat-ky-gop.jsonl").read_text(encoding="utf-8").count("\n") == 3


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
    sheet = openpyxl.load_workbook(synced)[GAP_SHEET]
    written = {(r, c): f for (s, r, c), f in book.formulas.items() if s == GAP_SHEET}
    assert written, "the live sync wrote formulas"
    for (r, c), formula in written.items():
        assert sheet.cell(row=r + 1, column=c + 1).value == formula, (r, c)
    # Text cells of the tables too (names, units): the same as the regenerated sheet.
    grid = book.grid(GAP_SHEET)
    for r in range(4, 12):
        assert grid[r][1] == sheet.cell(row=r + 1, column=2).value


def test_text_that_looks_like_a_formula_is_written_as_text():
    assert literal('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert literal("- Giải pháp") == "'- Giải pháp"
    assert literal("Kế hoạch") == "Kế hoạch"
    assert literal(3.5) == 3.5


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
    assert "Đơn vị chưa gửi tệp:" in text and "Kế toán Sở" in text


def test_sync_and_check_messages(setup):
    _, catalogue, master, _ = setup
    _, data = read_master(master)
    from cchc_xl.analysis.report import build_report

    text = sync_message(build_report(catalogue, data.state))
    assert "Chỉ số CCHC: 0,00%" in text and "xếp loại: Yếu" in text
    many = [Problem(f"vấn đề {i}", code=str(i)) for i in range(30)]
    clipped = check_message(many)
    assert clipped.count("\n") == 12 and "19 dòng nữa" in clipped
    assert check_message([]) == "Không phát hiện lỗi nào."
