"""The remediation plan: one basis for every figure, totals that are the sums of their rows, the
seeds' sections and appendices, in Word and in Excel."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from document_cases import (docx_text, khanh_hoa_catalogue, khanh_hoa_report, khanh_hoa_state,
                            table_rows, tiny_state, vn)

from cchc_xl.analysis.report import build_report
from cchc_xl.documents.plan import build_plan, export_plan, printable, typed_text
from cchc_xl.documents.plan_xlsx import FIELDS_SHEET, ITEMS_SHEET, TASKS_SHEET
from cchc_xl.errors import FileError
from cchc_xl.files.grids import Book
from cchc_xl.format.state import TASK_STATUSES, Task


def _docx(report, tmp_path, name="kh.docx"):
    from docx import Document

    result = export_plan(report, tmp_path / name)
    return result, Document(str(result.path))


def _results_paragraph(doc) -> str:
    return next(p.text for p in doc.paragraphs if p.text.startswith("Theo kết quả"))


# ---------------------------------------------------------------------------------------------
# One basis


def test_khanh_hoa_figures_on_the_published_basis(tmp_path):
    """The seed's sentence: 84,27/94,5 (89,17%), Tốt, 8/21, tăng 0,34% over 88,83%."""
    result, doc = _docx(khanh_hoa_report(), tmp_path)
    text = _results_paragraph(doc)
    assert text.startswith("Theo kết quả được công bố, năm 2023 Sở Tư pháp tỉnh Khánh Hòa")
    assert "đạt 84,27/94,5 điểm (89,17%), xếp loại Tốt, xếp thứ 8/21" in text
    assert "tăng 0,34% so với năm trước" in text and "(năm 2022: 88,83%, xếp thứ 9/21)" in text
    # The appraisal (83,81; 88,69%) and the self-assessment (82,81) are never printed.
    whole = docx_text(result.path)
    for other in ("83,81", "88,69", "82,81", "87,63"):
        assert other not in whole, other
    assert any(p.text.startswith("Căn cứ Quyết định số 91/QĐ-UBND ngày 11/01/2024 của UBND tỉnh")
               for p in doc.paragraphs)


def test_the_published_satisfaction_index_is_said_with_last_years_rank(tmp_path):
    state = khanh_hoa_state()
    state.info.update({"published.survey_index": "85,5%", "published.survey_rank": "9/10",
                       "last_year.survey_rank": "11/15"})
    _, doc = _docx(build_report(khanh_hoa_catalogue(), state), tmp_path)
    assert ("Chỉ số hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan đạt 85,50%, "
            "xếp thứ 9/10 (năm 2022 xếp thứ 11/15).") in [p.text for p in doc.paragraphs]


def test_appendix_i_uses_the_published_field_points(tmp_path):
    _, doc = _docx(khanh_hoa_report(), tmp_path)
    rows = table_rows(_appendix_table(doc, "TỔNG ĐIỂM"))
    assert "được công bố" in rows[0][3]
    results = {r[1].split(" (")[0]: r[3] for r in rows[1:4]}
    assert results == {"Công tác chỉ đạo, điều hành": "9",
                       "Cải cách thủ tục hành chính": "66,27", "Sự hài lòng": "9"}
    assert "(Tiêu chí trừ 8,23 điểm)" in rows[2][1]  # 74,5 − 66,27, never typed


def test_without_published_field_points_everything_is_appraised(tmp_path):
    report = khanh_hoa_report(published_fields=False)
    result, doc = _docx(report, tmp_path)
    text = _results_paragraph(doc)
    assert text.startswith("Theo kết quả thẩm định")
    assert "đạt 83,81/94,5 điểm (88,69%), xếp loại Tốt" in text
    assert "giảm 0,14% so với năm trước" in text  # 88,69 − 88,83
    assert "8/21" not in text and "84,27" not in docx_text(result.path)
    rows = table_rows(_appendix_table(doc, "TỔNG ĐIỂM"))
    assert [r[3] for r in rows[1:4]] == ["9", "65,81", "9"]
    assert any(w.kind == "settings" and "lĩnh vực I, II, III" in w.message
               for w in result.warnings)


def test_without_appraisal_or_publication_it_is_self_assessed(tmp_path):
    report = khanh_hoa_report(published=False, appraised=False)
    result, doc = _docx(report, tmp_path)
    text = _results_paragraph(doc)
    assert text.startswith("Theo kết quả tự đánh giá") and "82,81/94,5" in text
    messages = " ".join(w.message for w in result.warnings)
    assert "chưa nhập kết quả được công bố" in messages
    assert "chưa nhập văn bản công bố kết quả" in messages


def test_published_fields_disagreeing_with_the_items_is_a_warning():
    model = build_plan(khanh_hoa_report())
    [warning] = [w for w in model.warnings if w.kind == "plan-basis"]
    assert warning.code == "II" and "8,23" in warning.message and "8,69" in warning.message


def test_a_published_index_that_does_not_match_the_total_is_a_warning():
    state = khanh_hoa_state()
    state.info["published.index"] = 0.8817
    model = build_plan(build_report(khanh_hoa_catalogue(), state))
    assert any("88,17%" in w.message and w.cell for w in model.warnings)


# ---------------------------------------------------------------------------------------------
# Totals are sums


def _appendix_table(doc, marker: str):
    """The table whose last or second last row holds `marker` ('TỔNG ĐIỂM', 'TỔNG CỘNG')."""
    return next(t for t in doc.tables if len(t.rows) > 2
                and any(marker == c.text for row in t.rows[-2:] for c in row.cells))


@pytest.mark.parametrize("case", ["tiny", "khanh_hoa_published", "khanh_hoa_appraised"])
def test_appendix_i_total_is_the_sum_of_its_rows_bonus_and_penalty_included(case, tmp_path,
                                                                            tiny):
    report = {"tiny": lambda: build_report(tiny, tiny_state()),
              "khanh_hoa_published": khanh_hoa_report,
              "khanh_hoa_appraised": lambda: khanh_hoa_report(published_fields=False)}[case]()
    _, doc = _docx(report, tmp_path)
    rows = table_rows(_appendix_table(doc, "TỔNG ĐIỂM"))
    body = rows[1:-2]
    total, index = rows[-2], rows[-1]
    assert total[0] == "TỔNG ĐIỂM" and index[0] == "Chỉ số CCHC"
    for col in (2, 3, 4):  # max, result, target
        values = [vn(r[col]) for r in body if vn(r[col]) is not None]
        assert vn(total[col]) == sum(values, Decimal(0)), (case, col)
    if case == "tiny":
        names = [r[1] for r in body]
        assert any(n.startswith("Điểm thưởng") for n in names)
        penalty = next(r for r in body if r[1].startswith("Điểm trừ"))
        assert vn(penalty[3]) == Decimal("-0.5")  # the penalty lowers the total
        bonus = next(r for r in body if r[1].startswith("Điểm thưởng"))
        assert vn(bonus[3]) == Decimal("1")
    points, applicable = vn(total[3]), vn(total[2])
    assert vn(index[3]) == (points / applicable * 100).quantize(Decimal("0.01"))


def test_appendix_ii_field_rows_and_total_are_sums_of_the_items(tmp_path, tiny):
    _, doc = _docx(build_report(tiny, tiny_state()), tmp_path)
    rows = table_rows(_appendix_table(doc, "TỔNG CỘNG"))
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert header == ["STT", "Mã", "Tiêu chí thành phần", "Điểm tối đa", "Điểm đạt",
                      "Điểm bị trừ", "Nguyên nhân", "Giải pháp khắc phục", "Sản phẩm", "Chủ trì",
                      "Phối hợp", "Thời hạn"]
    groups: list[tuple[list[str], list[list[str]]]] = []
    for row in body:
        if re.fullmatch(r"[IVX]+", row[0]):
            groups.append((row, []))
        else:
            groups[-1][1].append(row)
    assert [g[0][1] for g in groups] == ["Lĩnh vực 1. Chỉ đạo, điều hành",
                                         "Lĩnh vực 2. Thủ tục hành chính",
                                         "Lĩnh vực 3. Sự hài lòng"]
    for col in (3, 4, 5):
        for heading, items in groups:
            assert vn(heading[col]) == sum((vn(i[col]) for i in items), Decimal(0))
        assert vn(total[col]) == sum((vn(i[col]) for _, items in groups for i in items),
                                     Decimal(0))
    for _, items in groups:
        for item in items:
            assert vn(item[3]) - vn(item[4]) == vn(item[5])
    item_1_1 = next(i for _, items in groups for i in items if i[1] == "1.1")
    assert item_1_1[6] == "Trễ hạn 06 nhiệm vụ" and item_1_1[11] == "30/06/2027"


def test_excel_totals_are_sums_and_formulas_with_their_values(tmp_path, tiny):
    import openpyxl

    out = tmp_path / "kh.xlsx"
    export_plan(build_report(tiny, tiny_state()), out)
    grids = Book(out).grids()
    fields = grids[FIELDS_SHEET]
    header = fields[3]
    assert header[:5] == ["STT", "Lĩnh vực", "Điểm tối đa (không tính tiêu chí không chấm "
                          "điểm)", "Kết quả năm 2026", "Mục tiêu năm 2027"]
    total_at = next(i for i, r in enumerate(fields) if r[1] == "TỔNG ĐIỂM")
    body = fields[4:total_at]
    for col in (2, 3, 4):
        assert fields[total_at][col] == pytest.approx(sum(r[col] for r in body
                                                          if isinstance(r[col], float)))
    assert [r[1] for r in body][-2:] == ["Điểm thưởng (tối đa 1 điểm)",
                                         "Điểm trừ (tối đa 1 điểm), ghi số âm"]
    assert body[-1][3] == -0.5
    index = fields[total_at + 1]
    assert index[1] == "Chỉ số CCHC"
    assert index[3] == pytest.approx(round(fields[total_at][3] / fields[total_at][2], 4))
    items = grids[ITEMS_SHEET]
    item_total = next(r for r in items if r[3] == "TỔNG CỘNG")
    rows = [r for r in items[4:] if isinstance(r[0], float)]
    for col in (4, 5, 6):
        assert item_total[col] == pytest.approx(sum(r[col] for r in rows))
    book = openpyxl.load_workbook(out)
    ws = book[FIELDS_SHEET]
    assert ws.cell(total_at + 1, 4).value.startswith("=SUBTOTAL(109,")
    assert ws.cell(total_at + 2, 4).value.startswith("=IF(")
    lost = book[ITEMS_SHEET].cell(5, 7).value
    assert lost == "=MAX(E5-F5,0)"


# ---------------------------------------------------------------------------------------------
# The Excel plan as Excel tables


def test_excel_plan_is_made_of_typed_excel_tables(tmp_path, tiny):
    import openpyxl

    state = tiny_state()
    state.tasks = [
        Task(code="1.1", task="Nhắc việc", deliverable="Kết luận giao ban", lead="VP",
             support="NV1", deadline=dt.date(2020, 1, 31), status="đang thực hiện"),
        Task(code="1.1", task="Báo cáo", lead="VP", deadline=dt.date(2020, 1, 31),
             status="hoàn thành", completed=dt.date(2020, 1, 20)),
        Task(code="2.2", task="Số hóa", lead="NV1", deadline="Quý IV/2027"),
    ]
    out = tmp_path / "kh.xlsx"
    export_plan(build_report(tiny, state), out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [FIELDS_SHEET, ITEMS_SHEET, TASKS_SHEET]
    for ws in book.worksheets:
        [name] = list(ws.tables)
        table = ws.tables[name]
        assert table.ref.startswith("A4:") and table.autoFilter is not None
        assert ws.freeze_panes == "A5"
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.print_title_rows == "$4:$4"
    fields = book[FIELDS_SHEET]
    assert fields["C5"].number_format == "#,##0.00" and isinstance(fields["C5"].value, float | int)
    items = book[ITEMS_SHEET]
    # Item 1.1: both its tasks are due 31/01/2020, so its deadline is that date.
    deadline = next(c for c in items["M"] if c.row > 4 and c.value == dt.datetime(2020, 1, 31))
    assert deadline.number_format == "dd/mm/yyyy"
    tasks = book[TASKS_SHEET]
    header = [c.value for c in tasks[4]]
    assert header == ["STT", "Mã tiêu chí", "Nhiệm vụ", "Sản phẩm", "Đơn vị chủ trì",
                      "Đơn vị phối hợp", "Thời hạn", "Trạng thái", "Ngày hoàn thành",
                      "Minh chứng", "Ghi chú", "Quá hạn"]
    rows = {r[2].value: r for r in tasks.iter_rows(min_row=5) if r[2].value}
    assert rows["Nhắc việc"][6].value == dt.datetime(2020, 1, 31)
    assert rows["Nhắc việc"][6].number_format == "dd/mm/yyyy"
    assert rows["Nhắc việc"][4].value == "Văn phòng Sở"  # the unit's name, not its code
    formula = rows["Nhắc việc"][11].value
    assert "TODAY()" in formula and '"hoàn thành"' in formula and "quá hạn" in formula
    assert rows["Số hóa"][6].value == "Quý IV/2027"  # a typed text deadline stays text
    [validation] = tasks.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"' + ",".join(TASK_STATUSES) + '"'
    assert "H5" in str(validation.sqref)
    [rule] = [r for rng in tasks.conditional_formatting for r in rng.rules]
    assert rule.type == "expression" and '$L5="quá hạn"' in rule.formula[0]
    # What a reader without a calculation engine sees: the formula's cached value.
    grid = Book(out).grids()[TASKS_SHEET]
    cached = {r[2]: r[11] for r in grid[4:] if r[2]}
    assert cached == {"Nhắc việc": "quá hạn", "Báo cáo": "", "Số hóa": "", "Rà soát": ""}


def test_tasks_go_under_their_item_else_the_remedy_stands_in(tmp_path, tiny):
    state = tiny_state()
    state.tasks = [Task(code="1.1", task="Nhắc việc trong giao ban tuần",
                        deliverable="Kết luận giao ban", lead="VP", support="NV1",
                        deadline=dt.date(2027, 3, 31)),
                   Task(code="9.9", task="Một việc ghi sai mã", lead="VP")]
    model = build_plan(build_report(tiny, state))
    item = next(i for i in model.items if i.code == "1.1")
    assert [t.task for t in item.tasks] == ["Nhắc việc trong giao ban tuần"]
    assert item.tasks[0].lead == "Văn phòng Sở" and item.tasks[0].support == "Phòng Nghiệp vụ I"
    other = next(i for i in model.items if i.code == "2.2")
    assert other.derived and other.tasks[0].lead == "Phòng Nghiệp vụ I"
    assert [t.task for t in model.other_tasks] == ["Một việc ghi sai mã"]
    assert any(w.kind == "plan-task" and w.code == "9.9" for w in model.warnings)
    _, doc = _docx(build_report(tiny, state), tmp_path)
    texts = [p.text for p in doc.paragraphs]
    assert ("+ Nhắc việc trong giao ban tuần; sản phẩm: Kết luận giao ban; chủ trì: Văn phòng "
            "Sở; phối hợp: Phòng Nghiệp vụ I; thời hạn: 31/03/2027.") in texts


# ---------------------------------------------------------------------------------------------
# Sections, warnings, the seeds' shape


def test_plan_sections_follow_the_seeds(tmp_path, tiny):
    result, doc = _docx(build_report(tiny, tiny_state()), tmp_path)
    texts = [p.text for p in doc.paragraphs]
    title = ("Khắc phục hạn chế, tồn tại trong công tác CCHC năm 2026; nâng cao Chỉ số CCHC năm "
             "2027 của Sở Tư pháp tỉnh Lạng Sơn")
    assert "KẾ HOẠCH" in texts and title in texts
    for heading in ("I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "2. Yêu cầu",
                    "II. KẾT QUẢ CHỈ SỐ CCHC NĂM 2026 VÀ NHỮNG HẠN CHẾ, TỒN TẠI",
                    "III. NHIỆM VỤ, GIẢI PHÁP", "IV. TỔ CHỨC THỰC HIỆN"):
        assert heading in texts, heading
    shortcoming = next(t for t in texts if t.startswith("- Lĩnh vực 2"))
    assert ("đạt 9,81/10,5 điểm, bị trừ 0,69 điểm ở các tiêu chí thành phần: 2.1 Hồ sơ đúng hạn "
            "(đạt 4,5/5 điểm); 2.2 Kết quả điện tử (đạt 0,31/0,5 điểm).") in shortcoming
    assert any("Văn phòng Sở theo dõi, đôn đốc" in t and "hằng tháng" in t and "hằng quý" in t
               for t in texts)
    assert "Số liệu tự đánh giá: đạt 9.129/14.697 (62,11%)." in texts
    reference = ("(Kèm theo Kế hoạch số      /KH-STP ngày      /     /2027 của Sở Tư pháp tỉnh "
                 "Lạng Sơn)")
    assert texts.count(reference) == 2  # on both appendices
    assert not result.warnings or all(w.severity == "warning" for w in result.warnings)


def test_blank_causes_and_settings_are_warnings(tmp_path, tiny):
    state = tiny_state(signer_name="", abbreviation="")
    result, doc = _docx(build_report(tiny, state), tmp_path)
    blank = {w.code for w in result.warnings if w.kind == "plan-blank"}
    assert "2.2" in blank and "1.1" not in blank  # 1.1 has its cause and remedy
    cells = {w.cell for w in result.warnings if w.kind == "settings"}
    assert {"B7", "B11"} <= cells  # abbreviation, signer's name on 'Thông tin chung'
    assert "Số:      /KH-……………" in docx_text(result.path)
    assert result.to_json()["warnings"][0]["severity"] == "warning"


def test_lang_son_shape_of_appendix_i(tmp_path, tiny):
    """Lạng Sơn's columns: STT, Lĩnh vực (with its derived label), Điểm tối đa (applicable),
    Kết quả năm N, Mục tiêu năm N+1, Đơn vị chủ trì, Đơn vị phối hợp, Thời gian hoàn thành."""
    _, doc = _docx(build_report(tiny, tiny_state()), tmp_path)
    rows = table_rows(_appendix_table(doc, "TỔNG ĐIỂM"))
    assert rows[0] == ["STT", "Lĩnh vực", "Điểm tối đa (không tính tiêu chí không chấm điểm)",
                       "Kết quả năm 2026 (kết quả tự đánh giá)", "Mục tiêu năm 2027",
                       "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành"]
    assert rows[1][:2] == ["1", "Chỉ đạo, điều hành (Tiêu chí trừ 1 điểm)"]
    assert rows[2][1] == "Thủ tục hành chính (Tiêu chí trừ 0,69 điểm)"
    assert rows[3][1] == "Sự hài lòng (Tiêu chí trừ 0,5 điểm)"
    assert rows[2][5:7] == ["Phòng Nghiệp vụ I", "Văn phòng Sở"]
    assert rows[1][7] == "Tháng 12/2027" and rows[1][4] == "4"


def test_full_marks_are_labelled_from_the_numbers(tiny):
    state = tiny_state()
    entries = dict(state.entries)
    entries["1.1"] = replace(entries["1.1"], b=291)
    state.entries = entries
    model = build_plan(build_report(tiny, state))
    assert model.field_rows[0].name == "Chỉ đạo, điều hành (Tiêu chí đạt điểm tối đa)"


def test_output_kind_and_typed_text_helpers(tmp_path, tiny):
    with pytest.raises(FileError, match=r"\.docx \(Word\) hoặc \.xlsx \(Excel\)"):
        export_plan(build_report(tiny, tiny_state()), tmp_path / "kh.pdf")
    assert typed_text(dt.date(2027, 6, 30)) == "30/06/2027"
    assert printable("Dòng một\x0bDòng hai\x07") == "Dòng một\nDòng hai"


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_an_empty_master_and_a_perfect_one_still_make_documents(suffix, tmp_path, tiny):
    """Nothing typed: every item is lost and warned; everything at its maximum: no item."""
    from cchc_xl.documents.report import export_report
    from cchc_xl.format.state import Entry, State

    empty = build_report(tiny, State(kind="master"))
    plan = export_plan(empty, tmp_path / f"trong{suffix}")
    assert any(w.kind == "plan-data" for w in plan.warnings)
    assert export_report(empty, tmp_path / f"bc-trong{suffix}").path.exists()
    full = {"1.1": Entry(a=10, b=10), "1.2": Entry(value="Ban hành kịp thời"),
            "2.1": Entry(a=5, b=5), "2.2": Entry(a=5, b=5), "2.3": Entry(a=0),
            "2.4": Entry(value="Đạt"), "2.5": Entry(value=12), "2.6": Entry(value=0.5),
            "3.1": Entry(value=2)}
    perfect = build_report(tiny, State(kind="master", org="Sở Tư pháp", entries=full))
    model = build_plan(perfect)
    assert model.items == [] and not [w for w in model.warnings if w.kind == "plan-blank"]
    assert export_plan(perfect, tmp_path / f"du{suffix}").path.exists()
    if suffix == ".docx":
        texts = docx_text(tmp_path / "du.docx")
        assert "Không có lĩnh vực, tiêu chí thành phần nào bị trừ điểm." in texts
        assert "Có 3/3 lĩnh vực đạt điểm tối đa" in texts


def test_section_three_letters_every_item_of_a_field_past_the_alphabet():
    """zip() over the 23 letters dropped the 24th lost item of a field from section III."""
    from cchc_xl.documents.plan_docx import item_letter

    letters = [item_letter(i) for i in range(60)]
    assert len(set(letters)) == 60 and letters[:3] == ["a", "b", "c"]
    assert letters[22:25] == ["y", "aa", "ab"] and not any(c in "jwz" for c in "".join(letters))
