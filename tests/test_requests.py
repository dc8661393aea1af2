"""Supplement requests (step 4 of the year): what each unit must fix, sent back in its next
workbook; the units at a glance; supporting units that lead nothing send their evidence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import yaml

from cchc_xl.analysis.requests import unit_requests, unit_statuses
from cchc_xl.files.grids import Book
from cchc_xl.format.layout import EVIDENCE_SHEET
from cchc_xl.format.layout import COL, REQUESTS_SHEET, UNITS_SHEET
from cchc_xl.ops.master import Master
from cchc_xl.read.reader import read_master
from conftest import tiny_data, type_inputs


@pytest.fixture
def master(tmp_path: Path) -> Path:
    data = tiny_data()
    data["units"].append({"code": "PC", "name": "Phòng Công chứng số 1"})
    data["fields"][1]["support"] = ["VP", "PC"]  # PC supports field 2 and leads nothing
    yaml_path = tmp_path / "tiny.yaml"
    yaml_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    path = tmp_path / "tong-hop" / "m.xlsx"
    path.parent.mkdir()
    Master.create(yaml_path, path)
    return path


fill = type_inputs  # a unit types into the workbook it was sent (test_next_year uses it too)


NV1 = {"2.1": {"a": 14697, "b": 14673}, "2.2": {"a": 14697, "b": 9129},
       "2.3": {"a": 100}, "2.5": {"value": 12}, "2.6": {"value": 0.5}}


def test_a_supporting_unit_gets_a_workbook_and_its_evidence_is_merged(master, tmp_path):
    sent = {p.stem.rsplit("-", 1)[1]: p for p in Master.open(master).split(tmp_path / "gui").files}
    assert set(sent) == {"VP", "NV1", "PC"}
    # PC's workbook shows the items it supports, read-only, and takes evidence for them.
    book = Book(sent["PC"])
    assert "2. Thủ tục hành chính" in book.names and REQUESTS_SHEET in book.names
    ret = fill(sent["PC"], tmp_path / "nhan-ve" / sent["PC"].name, {}, [
        {"code": "2.2", "number": "15/BC-PCC1", "subject": "Báo cáo kết quả điện tử"}])
    result = Master.open(master).merge([ret])
    assert [f.outcome for f in result.files] == ["đã gộp"]
    assert "PC" not in result.missing_units  # leads nothing: never expected
    row = read_master(master)[1].state.evidence[0]
    assert (row.code, row.unit, row.origin) == ("2.2", "PC", "PC")


def test_requests_go_back_in_the_units_next_workbook(master, tmp_path):
    sent = {p.stem.rsplit("-", 1)[1]: p for p in Master.open(master).split(tmp_path / "gui").files}
    ret = fill(sent["NV1"], tmp_path / "nhan-ve" / sent["NV1"].name, NV1, [
        {"code": "2.1", "number": "12/BC-STP", "subject": "Báo cáo hồ sơ đúng hạn"}])
    Master.open(master).merge([ret], force=True)  # 2.3 has a but no b: merged with --force
    report = Master.open(master).report()
    requests = {(r.kind, r.code) for r in unit_requests(report, "NV1")}
    assert ("missing", "2.3") in requests  # b blank
    assert ("evidence", "2.2") in requests and ("evidence", "2.1") not in requests
    assert ("explanation", "2.2") in requests  # 0,31 of 0,5 and no note
    assert not unit_requests(report, "VP")  # VP has not sent anything yet: no list
    # The master's 'Đơn vị' sheet and NV1's next workbook show the same requests.
    master_sheet = [c for row in Book(master).grid(UNITS_SHEET) for c in row]
    assert "Thiếu tài liệu kiểm chứng" in master_sheet and "NV1" in master_sheet
    again = Master.open(master).split(tmp_path / "gui-2", units=["NV1"]).files[0]
    book = Book(again)
    listed = [row[1] for row in book.grid(REQUESTS_SHEET)[4:] if row[1]]
    assert {"2.3", "2.2"} <= set(listed)
    # … and carries what was merged, so the unit corrects instead of retyping.
    unit_book = openpyxl.load_workbook(again)
    sheet, ref = next(iter(unit_book.defined_names["CCHC_A_2_1"].destinations))
    assert unit_book[sheet][ref.replace("$", "")].value == 14697
    register = [c for row in book.grid(EVIDENCE_SHEET) for c in row]
    assert "12/BC-STP" in register


def test_units_at_a_glance_say_on_time_late_or_overdue(master, tmp_path):
    from test_real_life import set_saved

    book = openpyxl.load_workbook(master)
    sheet, ref = next(iter(book.defined_names["CCHC_RETURN_DEADLINE"].destinations))
    book[sheet][ref.replace("$", "")] = dt.datetime(2026, 12, 5)
    book.save(master)
    sent = {p.stem.rsplit("-", 1)[1]: p for p in Master.open(master).split(tmp_path / "gui").files}
    ret = fill(sent["NV1"], tmp_path / "nhan-ve" / sent["NV1"].name, NV1)
    set_saved(ret, "2026-12-08T09:00:00Z")
    Master.open(master).merge([ret], force=True)
    statuses = {s.code: s for s in unit_statuses(Master.open(master).report(),
                                                 dt.date(2026, 12, 10))}
    assert statuses["NV1"].timeliness == "muộn 3 ngày"
    assert statuses["VP"].timeliness == "quá hạn 5 ngày, chưa gửi"
    assert statuses["PC"].leads == 0 and statuses["PC"].supports == 6


def test_a_supporting_units_next_workbook_shows_the_leads_figures_and_merges_clean(master,
                                                                                   tmp_path):
    """Split after a merge shows the lead's figures in the supported rows (read-only): sent
    back untouched they are not 'typed over'; changed, they are refused with their cell."""
    sent = {p.stem.rsplit("-", 1)[1]: p for p in Master.open(master).split(tmp_path / "gui").files}
    Master.open(master).merge([fill(sent["NV1"], tmp_path / "a" / sent["NV1"].name, NV1)],
                              force=True)
    pc = Master.open(master).split(tmp_path / "gui-2", units=["PC"]).files[0]
    clean = fill(pc, tmp_path / "b" / pc.name, {}, [{"code": "2.1", "number": "3/BC-PCC1",
                                                    "subject": "Báo cáo"}])
    result = Master.open(master).merge([clean], dry_run=True)
    assert result.files[0].errors == []
    book = openpyxl.load_workbook(pc)  # supported rows have no input names: find the row
    sheet = book["2. Thủ tục hành chính"]
    row = next(r for r in sheet.iter_rows() if r[0].value == "2.1")
    row[COL["b"]].value = 14000
    changed = tmp_path / "c" / pc.name
    changed.parent.mkdir()
    book.save(changed)
    result = Master.open(master).merge([changed], dry_run=True)
    [error] = result.files[0].errors
    assert error.code == "2.1" and "chủ trì chấm điểm" in error.message


def test_on_time_or_late_is_judged_on_the_local_day_the_sheet_shows(monkeypatch):
    """A file saved at 03:00 on 16/03 in Vietnam (20:00 UTC on 15/03) was 'đúng hạn' for a
    15/03 deadline while 'Đơn vị' showed it saved on 16/03."""
    import datetime as dt
    import time

    from cchc_xl.analysis.requests import _timeliness
    from cchc_xl.format.state import LogRow

    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    try:
        saved = LogRow("", "f.xlsx", "", "NV1", "đã gộp", saved="2026-03-15T20:00:00Z").saved_at
        assert saved is not None and f"{saved.astimezone():%d/%m/%Y %H:%M}" == "16/03/2026 03:00"
        today = dt.date(2026, 4, 1)
        assert _timeliness(saved, dt.date(2026, 3, 15), today, True) == "muộn 1 ngày"
        assert _timeliness(saved, dt.date(2026, 3, 16), today, True) == "đúng hạn"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_refused_file_request_says_when_it_was_merged_as_people_write_dates():
    from cchc_xl.analysis.requests import _shown_time

    assert _shown_time("2026-12-12 08:30:00") == "12/12/2026 08:30"
    assert _shown_time("không rõ") == "không rõ"
