"""The 'Giải trình bổ sung' column in the workbooks: x or the points of the part supplemented.

The scoring itself is proven in tests/test_engine.py and, against LibreOffice, in the parity
matrix; here: what a unit sees (header, validation, input message, cover text), with a
catalogue whose deduction is not the usual 30%.
"""

from __future__ import annotations

import sys
from decimal import Decimal as D
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import tiny_data  # noqa: E402

from cchc_xl.build import build_unit  # noqa: E402
from cchc_xl.criteria.catalogue import parse_catalogue  # noqa: E402
from cchc_xl.criteria.engine import LeafInput  # noqa: E402
from cchc_xl.criteria.expr import evaluate  # noqa: E402
from cchc_xl.criteria.rules import supp_cell  # noqa: E402
from cchc_xl.format.layout import COL, COVER_SHEET, HEADER_ROW, defined_name  # noqa: E402
from cchc_xl.format.state import State  # noqa: E402


def test_unit_workbook_says_x_or_points_and_uses_the_catalogue_deduction(tmp_path: Path) -> None:
    data = tiny_data()
    data["supplement_deduction"] = 0.25
    cat = parse_catalogue(data)
    path = tmp_path / "NV1.xlsx"
    build_unit(cat, State("master"), "NV1", path)
    book = openpyxl.load_workbook(path)
    sheet_name, ref = next(iter(book.defined_names[defined_name("SUPP", "2.2")].destinations))
    sheet = book[sheet_name]
    assert sheet.cell(HEADER_ROW + 1, COL["supp"] + 1).value == \
        "Giải trình bổ sung (x hoặc số điểm)"
    [rule] = [v for v in sheet.data_validations.dataValidation
              if ref.replace("$", "") in str(v.sqref)]
    assert rule.type == "custom"
    cell = ref.replace("$", "")
    assert f"ISNUMBER({cell})" in rule.formula1 and f"{cell}>0.5" in rule.formula1  # max 0,5
    assert rule.promptTitle == "Gõ x hoặc số điểm"
    assert "số điểm của phần phải bổ sung" in rule.prompt and "25%" in rule.prompt
    cover = "\n".join(str(c.value) for row in book[COVER_SHEET].iter_rows() for c in row
                      if c.value)
    assert "gõ số điểm của phần phải bổ sung" in cover and "bị trừ 25% số điểm của phần đó" in cover
    assert "30%" not in cover


def test_validation_accepts_exactly_what_the_checks_accept() -> None:
    accepted = supp_cell(D("0.5"), D("0.3")).formula
    assert accepted is not None
    for value, ok in [(None, True), ("x", True), (" X ", True), (D("0.5"), True),
                      (D("0.01"), True), (D(0), False), (D("-1"), False), (D("0.51"), False),
                      ("0,5", False), ("có", False)]:
        assert evaluate(accepted, LeafInput(supp=value).cells()) is ok, value
