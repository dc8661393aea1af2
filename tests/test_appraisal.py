"""After the self-assessment: the council's appraisal, explanations, published results (#13).

The Khánh Hòa 2023 figures end to end (seed khanh-hoa-2024-ke-hoach-khac-phuc-cchc.txt): the
Sở Tư pháp reached 84,27 of 94,5 applicable points (89,17%), rated TỐT, 8th of 21, up 0,34%
on the year before; item 1.6 (max 1) lost 0,15 for a report supplemented late worth 0,5, and
item 1.2 (max 0,5) supplemented whole ended at 0,35.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
import yaml

from conftest import type_inputs, type_names
from cchc_xl.analysis.report import change_text, result_of
from cchc_xl.errors import FileError, InputError
from cchc_xl.format.layout import COL, EXPLANATION_SHEET, cell_ref
from cchc_xl.ops.master import Master
from cchc_xl.read.reader import read_master

D = Decimal


def khanh_hoa() -> dict[str, Any]:
    """A catalogue shaped so that the seed's figures come out (manual points, one survey)."""
    def leaf(code: str, name: str, mx: float, kind: str = "manual", **rule: Any) -> dict[str, Any]:
        return {"code": code, "name": name, "max": mx, "rule": {"kind": kind, **rule}}

    return {
        "name": "Bộ tiêu chí thử (theo Khánh Hòa 2023)", "year": 2023,
        "rating": [{"min": 80, "label": "Tốt"}, {"min": 65, "label": "Khá"},
                   {"min": 50, "label": "Trung bình"}, {"min": 0, "label": "Yếu"}],
        "units": [{"code": "VP", "name": "Văn phòng Sở"},
                  {"code": "NV", "name": "Phòng Nghiệp vụ"}],
        "fields": [
            {"code": "1", "name": "Công tác chỉ đạo, điều hành CCHC", "lead": "VP", "children": [
                leaf("1.1", "Kế hoạch CCHC năm", 3),
                leaf("1.2", "Báo cáo CCHC định kỳ", 0.5, "yesno"),
                leaf("1.3", "Kiểm tra công tác CCHC", 2),
                leaf("1.4", "Nhiệm vụ được giao riêng", 2.5),
                leaf("1.5", "Tuyên truyền CCHC", 2),
                leaf("1.6", "Báo cáo đánh giá tác động", 1, "yesno")]},
            {"code": "2", "name": "Cải cách thể chế", "lead": "NV",
             "children": [leaf("2.1", "Xây dựng, kiểm tra văn bản", 8)]},
            {"code": "3", "name": "Cải cách thủ tục hành chính", "lead": "NV",
             "children": [leaf("3.1", "Giải quyết TTHC", 23)]},
            {"code": "4", "name": "Cải cách tổ chức bộ máy", "lead": "VP",
             "children": [leaf("4.1", "Tổ chức bộ máy", 10)]},
            {"code": "5", "name": "Cải cách chế độ công vụ", "lead": "VP", "children": [
                leaf("5.1", "Quản lý công chức", 10), leaf("5.2", "Thi tuyển", 3)]},
            {"code": "6", "name": "Cải cách tài chính công", "lead": "VP",
             "children": [leaf("6.1", "Tài chính", 11)]},
            {"code": "7", "name": "Chính quyền số", "lead": "VP",
             "children": [leaf("7.1", "Chuyển đổi số", 14)]},
            {"code": "8", "name": "Sự hài lòng", "children": [leaf("8.1", "SIPAS", 10, "survey")]},
        ],
    }


# Self-assessed by the units; 1.4 and 5.2 not applicable (5,5 points out of the denominator).
SELF = {"VP": {"1.1": {"value": 3}, "1.2": {"value": "Đạt"}, "1.3": {"value": 2},
               "1.4": {"na": "x"}, "1.5": {"value": 2}, "1.6": {"value": "Đạt"},
               "4.1": {"value": 10}, "5.1": {"value": 10}, "5.2": {"na": "x"},
               "6.1": {"value": 10.5}, "7.1": {"value": 13}},
        "NV": {"2.1": {"value": 7.5}, "3.1": {"value": 21}}}
# The council's points (what its spreadsheet holds; 1.2 and 1.6 after the deduction).
COUNCIL = {"1.1": 3, "1.2": 0.35, "1.3": 2, "1.5": 2, "1.6": 0.85, "2.1": 7, "3.1": 20.5,
           "4.1": 10, "5.1": 9.57, "6.1": 10.5, "7.1": 12}


@pytest.fixture
def catalogue_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "kh.yaml"
    path.write_text(yaml.safe_dump(khanh_hoa(), allow_unicode=True), encoding="utf-8")
    return path


def returned(master: Path, unit: str, folder: Path) -> Path:
    sent = Master.open(master).split(folder / "gui", units=[unit]).files[0]
    return type_inputs(sent, folder / "nhan-ve" / sent.name, SELF[unit])


def council_file(folder: Path, writer: str, points: dict[str, Any] = COUNCIL) -> Path:
    """The council's table as its own program writes it: a title, then STT/Mã/…/Điểm."""
    rows = [["KẾT QUẢ THẨM ĐỊNH CHỈ SỐ CCHC NĂM 2023"], [],
            ["STT", "Mã tiêu chí", "Tên tiêu chí", "Điểm tối đa", "Điểm tự chấm",
             "Điểm thẩm định"]]
    rows += [[i, "1", "Công tác chỉ đạo, điều hành CCHC", 11, 10.2, 8.7]
             for i in range(1, 2)]  # a field row: ignored, the master sums it
    rows += [[i, code, f"Tiêu chí {code}", None, None, value]
             for i, (code, value) in enumerate(points.items(), start=2)]
    path = folder / f"tham-dinh-{writer}.xlsx"
    folder.mkdir(parents=True, exist_ok=True)
    if writer == "openpyxl" or writer == "libreoffice":
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)
        if writer == "libreoffice":
            from devtools.libreoffice import convert

            out = convert([path], folder / "lo", "xlsx")[0]
            shutil.move(out, path)
    else:
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet("Kết quả")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        book.close()
    return path


type_info = type_names  # the Văn phòng types on 'Thông tin chung' by defined name


def type_cell(master: Path, code: str, key: str, value: Any) -> None:
    _, data = read_master(master)
    row = data.rows[code]
    book = openpyxl.load_workbook(master)
    book[row.sheet][cell_ref(row.row, COL[key])] = value
    book.save(master)


@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl", pytest.param(
    "libreoffice", marks=pytest.mark.libreoffice)])
def test_khanh_hoa_2023_end_to_end(catalogue_yaml, tmp_path, writer):
    master = tmp_path / "tong-hop.xlsx"
    Master.create(catalogue_yaml, master, org="Sở Tư pháp tỉnh Khánh Hòa")
    Master.open(master).merge([returned(master, u, tmp_path) for u in ("VP", "NV")])
    # Self-assessed, before the survey is published: a provisional index over 84,5 points.
    report = Master.open(master).report()
    assert report.pending == 10 and report.provisional
    assert report.index == (report.total / D("84.5")).quantize(D("0.0001"))
    assert report.nodes["8"].label == "chờ kết quả 10 điểm"

    # The council: items supplemented late (1.2 whole, 1.6 for a 0,5 part), its table imported.
    type_cell(master, "1.2", "supp", "x")
    type_cell(master, "1.6", "supp", 0.5)
    result = Master.open(master).import_appraisal(council_file(tmp_path / "hd", writer))
    assert result.points["1.6"] == D("0.85") and result.ignored == ["1"]
    type_cell(master, "8.1", "value", 6.5)  # SIPAS, as Sở Nội vụ published it
    type_info(master, {"CCHC_PUBLISHED_DECISION": "Quyết định số 91/QĐ-UBND ngày 11/01/2024 "
                                                  "của UBND tỉnh Khánh Hòa",
                       "CCHC_PUBLISHED_TOTAL": 84.27, "CCHC_PUBLISHED_INDEX": "89,17%",
                       "CCHC_PUBLISHED_RATING": "Tốt", "CCHC_PUBLISHED_RANK": "8/21",
                       "CCHC_LAST_YEAR_INDEX": 0.8883, "CCHC_LAST_YEAR_RANK": "9/21"})
    report = Master.open(master).sync().report

    # The engine: 1.6 and 1.2 after the deduction, the appraised and published figures.
    assert report.nodes["1.6"].points == D("0.85") and report.nodes["1.2"].points == D("0.35")
    assert report.applicable_max == D("94.5") and not report.provisional
    assert report.appraised_total == D("84.27")
    assert report.appraised_index == D("0.8917") and report.appraised_rating == "Tốt"
    published = report.published
    assert (published.total, published.index, published.rank) == (D("84.27"), D("0.8917"),
                                                                   "8/21")
    assert change_text(published.index, report.last_year_published.index) == "tăng 0,34%"
    basis = result_of(report)
    assert basis.basis == "appraised"  # fields' published points not typed: no mixing
    assert (basis.total, basis.index, basis.rating, basis.rank) == (D("84.27"), D("0.8917"),
                                                                    "Tốt", "8/21")
    # The first-round points are on the appraisal sheet for the items the council lowered.
    state = read_master(master)[1].state
    assert state.explanations["3.1"].first == 20.5
    assert "1.6" not in state.explanations  # 0,85 is what the Sở itself computed: not lowered
    lowered = {"2.1", "3.1", "5.1", "7.1"}
    book = openpyxl.load_workbook(master)
    codes = {row[0].value for row in book[EXPLANATION_SHEET].iter_rows(min_row=5)
             if row[0].value}
    assert codes == lowered


@pytest.mark.libreoffice
def test_khanh_hoa_figures_in_libreoffice(catalogue_yaml, tmp_path):
    """The same figures from the workbook's own formulas, recalculated by LibreOffice."""
    from devtools.libreoffice import recalculate

    master = tmp_path / "tong-hop.xlsx"
    Master.create(catalogue_yaml, master)
    Master.open(master).merge([returned(master, u, tmp_path) for u in ("VP", "NV")])
    type_cell(master, "1.2", "supp", "x")
    type_cell(master, "1.6", "supp", 0.5)
    type_cell(master, "8.1", "value", 6.5)
    Master.open(master).import_appraisal(council_file(tmp_path / "hd", "openpyxl"))
    type_info(master, {"CCHC_PUBLISHED_INDEX": 0.8917, "CCHC_LAST_YEAR_INDEX": 0.8883})
    Master.open(master).sync()
    values = openpyxl.load_workbook(recalculate([master], tmp_path / "lo")[0], data_only=True)

    def name(defined: str) -> Any:
        sheet, ref = next(iter(values.defined_names[defined].destinations))
        return values[sheet][ref.replace("$", "")].value

    assert name("CCHC_APPRAISED_TOTAL") == pytest.approx(84.27)
    assert name("CCHC_APPRAISED_INDEX") == pytest.approx(0.8917)
    assert name("CCHC_APPRAISED_RATING") == "Tốt"
    assert name("CCHC_POINTS_1_6") == pytest.approx(0.85)
    assert name("CCHC_POINTS_1_2") == pytest.approx(0.35)


def test_a_council_file_with_unknown_codes_or_text_points_is_refused_whole(catalogue_yaml,
                                                                            tmp_path):
    master = tmp_path / "tong-hop.xlsx"
    Master.create(catalogue_yaml, master)
    before = master.read_bytes()
    bad = council_file(tmp_path / "hd", "openpyxl",
                       {**COUNCIL, "9.9": 1, "2.1": "bảy", "3.1": 30, "4.1": "9,5"})
    with pytest.raises(InputError) as raised:
        Master.open(master).import_appraisal(bad)
    problems = {(p.code or "", p.cell): p.message for p in raised.value.problems}
    assert any("mã '9.9' không có" in m for m in problems.values())
    assert any(code == "2.1" and "không phải là số" in m for (code, _), m in problems.items())
    assert any(code == "3.1" and "ngoài khoảng" in m for (code, _), m in problems.items())
    assert all(p.file == bad.name and p.sheet and p.cell for p in raised.value.problems)
    assert ("4.1", "F12") not in problems  # '9,5' typed as text is read as 9,5
    assert master.read_bytes() == before  # nothing written


def test_a_file_without_code_and_points_columns_says_what_to_add(catalogue_yaml, tmp_path):
    master = tmp_path / "tong-hop.xlsx"
    Master.create(catalogue_yaml, master)
    other = tmp_path / "khac.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Tên", "Ghi chú"])
    book.save(other)
    with pytest.raises(FileError, match="cột mã tiêu chí"):
        Master.open(master).import_appraisal(other)


def test_explanations_typed_with_openpyxl_survive_sync(catalogue_yaml, tmp_path):
    master = tmp_path / "tong-hop.xlsx"
    Master.create(catalogue_yaml, master)
    Master.open(master).merge([returned(master, u, tmp_path) for u in ("VP", "NV")])
    Master.open(master).import_appraisal(council_file(tmp_path / "hd", "openpyxl"))
    book = openpyxl.load_workbook(master)
    sheet = book[EXPLANATION_SHEET]
    row = next(r for r in sheet.iter_rows(min_row=5) if r[0].value == "3.1")
    row[5].value = "Đã bổ sung báo cáo tổng hợp hồ sơ trễ hạn"
    row[6].value = "Báo cáo số 12/BC-STP ngày 15/01/2024"
    row[7].value = "Chấp nhận một phần"
    book.save(master)
    Master.open(master).sync()
    type_cell(master, "3.1", "appraised", 20.75)  # the council's final points after it
    Master.open(master).sync()
    explanation = read_master(master)[1].state.explanations["3.1"]
    assert explanation.first == 20.5 and explanation.decision == "Chấp nhận một phần"
    assert explanation.supplement == "Báo cáo số 12/BC-STP ngày 15/01/2024"
    assert Master.open(master).report().nodes["3.1"].appraised == D("20.75")


def test_an_explanation_typed_with_an_unknown_code_is_never_dropped_silently(catalogue_yaml,
                                                                              tmp_path):
    """A rewrite would lose the row (the sheet lists the catalogue's items): sync refuses and
    names the cell, and the file stays as the Văn phòng saved it."""
    master = tmp_path / "tong-hop.xlsx"
    Master.create(catalogue_yaml, master)
    book = openpyxl.load_workbook(master)
    sheet = book[EXPLANATION_SHEET]
    sheet["A5"], sheet["F5"] = "9.9", "Giải trình gõ nhầm mã"
    book.save(master)
    before = master.read_bytes()
    with pytest.raises(InputError) as refused:
        Master.open(master).sync()
    problem = next(p for p in refused.value.problems if p.sheet == EXPLANATION_SHEET)
    assert problem.cell == "A5" and "9.9" in problem.message
    assert master.read_bytes() == before
    assert "9.9" in str(Master.open(master).check().problems)  # check names it too


def test_a_council_file_gets_the_checks_a_units_return_gets(catalogue_yaml, tmp_path):
    """It arrives by email too: a cell at the far corner of a sheet (calamine would allocate
    the whole grid) is refused in words, as in a unit's return, before any sheet is read."""
    master = tmp_path / "tong-hop.xlsx"
    Master.create(catalogue_yaml, master)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã tiêu chí", "Điểm thẩm định"])
    sheet.append(["3.1", 20.5])
    sheet["XFD1048576"] = "x"
    book.save(tmp_path / "hd.xlsx")
    before = master.read_bytes()
    with pytest.raises(FileError) as refused:
        Master.open(master).import_appraisal(tmp_path / "hd.xlsx")
    assert "hd.xlsx" in refused.value.message and "ô ở rất xa" in refused.value.message
    assert "đơn vị" not in refused.value.message  # the advice is not a unit's
    assert master.read_bytes() == before
