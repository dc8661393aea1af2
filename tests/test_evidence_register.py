"""The evidence register formats and validates its empty rows by column, not with blank cells.

A unit workbook used to carry 200 pre-formatted blank rows (300 in the master): a third to three
quarters of its cells, each read and checked on every merge. Now the columns carry the yellow
fill, the unlocked state (so a protected sheet still takes typing there) and the date format,
and the validations reach Excel's last row. These tests read the workbooks the way Excel and
LibreOffice do, and merge rows typed far below the old 200.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cchc_xl import Master
from cchc_xl.build.styles import UNIT_INPUT
from cchc_xl.files.package import Package
from cchc_xl.format.layout import (
    EVIDENCE_COL,
    EVIDENCE_COLUMNS,
    EVIDENCE_FIRST_ROW,
    EVIDENCE_HEADER_ROW,
    EVIDENCE_LAST_ROW,
    EVIDENCE_SHEET,
    MASTER_EVIDENCE_COLUMNS,
)
from cchc_xl.read.reader import read_master
from cchc_xl.sample_data import fill_with_openpyxl, sample_state_entries
from devtools.libreoffice import convert

FAR = EVIDENCE_FIRST_ROW + 400  # 0-based: a row far below the old 200 pre-formatted ones
TYPED = {"number": "99/BC-NV1", "date": dt.datetime(2026, 3, 15),
         "subject": "Báo cáo gõ ở dòng xa", "issuer": "Phòng Nghiệp vụ I"}


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory, sample_path: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("register")
    master = Master.create(sample_path, root / "tong-hop.xlsx", org="Sở Tư pháp (thử)")
    files = {p.stem.rsplit("-", 1)[1]: p for p in master.split(root / "gui").files}
    return {"master": master.path, **files}


def column_look(ws: Any, col: int) -> Any:
    """The column dimension (openpyxl groups columns) that covers 0-based column `col`."""
    for dim in ws.column_dimensions.values():
        if dim.min <= col + 1 <= dim.max:
            return dim
    raise AssertionError(f"no format on column {col + 1}")


def assert_register_columns(path: Path, columns: tuple[Any, ...], rows_validated: int) -> None:
    """Empty register rows are yellow, unlocked and validated; cells above the header are not."""
    ws = openpyxl.load_workbook(path)[EVIDENCE_SHEET]
    assert ws.protection.sheet
    for column in columns:
        look = column_look(ws, EVIDENCE_COL[column.key])
        if column.key == "origin":  # written by the tool: locked, no fill
            assert look.protection.locked
            continue
        assert look.protection.locked is False, column.key
        assert look.fill.fgColor.rgb == "FF" + UNIT_INPUT.lstrip("#"), column.key
        assert (look.number_format == "dd/mm/yyyy") == (column.key == "date"), column.key
        for r in range(EVIDENCE_HEADER_ROW):
            above = ws.cell(row=r + 1, column=EVIDENCE_COL[column.key] + 1)
            assert above.protection.locked and above.fill.fgColor.rgb == "00000000"
    validated = {}
    for validation in ws.data_validations.dataValidation:
        for cells in validation.sqref.ranges:
            validated[cells.min_col - 1] = (cells.min_row - 1, cells.max_row - 1)
    for key in ("code", "date", "unit"):
        first, last = validated[EVIDENCE_COL[key]]
        assert first == EVIDENCE_FIRST_ROW and last >= FAR and last - first + 1 >= rows_validated


def type_far_row(src: Path, dst: Path, unit: str, master: Path) -> None:
    """The unit's figures and one evidence row typed with openpyxl, far down the register."""
    catalogue = Master.open(master).catalogue
    fill_with_openpyxl(src, dst, sample_state_entries(catalogue, unit), [])
    book = openpyxl.load_workbook(dst)
    register = book[EVIDENCE_SHEET]
    code = catalogue.unit_leaves(unit)[0].code
    for key, value in {"code": code, **TYPED}.items():
        register.cell(row=FAR + 1, column=EVIDENCE_COL[key] + 1, value=value)
    book.save(dst)


def merged_evidence(master: Path, returned: Path, tmp_path: Path, unit: str) -> list[Any]:
    copy = tmp_path / "tong-hop.xlsx"
    copy.write_bytes(master.read_bytes())
    result = Master.open(copy).merge([returned])
    problems = [str(p) for f in result.files for p in f.data.problems]
    assert [f.outcome for f in result.files] == ["đã gộp"], problems
    return [e for e in read_master(copy)[1].state.evidence if e.origin == unit]


def test_the_register_writes_no_blank_rows(sent: dict[str, Path]) -> None:
    with Package(sent["NV1"]) as package:
        xml = package.sheet_xml(EVIDENCE_SHEET) or b""
    rows = [int(r) for r in re.findall(rb'<row r="(\d+)"', xml)]
    assert max(rows) == EVIDENCE_HEADER_ROW + 1  # 1-based: the header is the last row written
    assert_register_columns(sent["NV1"], EVIDENCE_COLUMNS, EVIDENCE_LAST_ROW - EVIDENCE_FIRST_ROW)
    assert_register_columns(sent["master"], MASTER_EVIDENCE_COLUMNS,
                            EVIDENCE_LAST_ROW - EVIDENCE_FIRST_ROW)


def test_a_row_typed_far_down_with_openpyxl_is_merged(sent: dict[str, Path],
                                                      tmp_path: Path) -> None:
    returned = tmp_path / "in" / sent["NV1"].name
    returned.parent.mkdir()
    type_far_row(sent["NV1"], returned, "NV1", sent["master"])
    rows = merged_evidence(sent["master"], returned, tmp_path, "NV1")
    assert [(r.number, r.subject) for r in rows] == [(TYPED["number"], TYPED["subject"])]


@pytest.mark.libreoffice
def test_libreoffice_keeps_the_columns_formatted_unlocked_and_validated(
        sent: dict[str, Path], tmp_path: Path) -> None:
    """Saved again by LibreOffice (as a unit using it sends a return): the columns keep their
    look and their unlocked state under the sheet's protection, the validations still cover
    the empty rows (LibreOffice writes them for its first thousand rows), and the row typed
    far down is merged."""
    typed = tmp_path / "typed" / sent["NV1"].name
    typed.parent.mkdir()
    type_far_row(sent["NV1"], typed, "NV1", sent["master"])
    saved = convert([typed], tmp_path / "lo", "xlsx")[0]
    assert b"LibreOffice" in zipfile.ZipFile(saved).read("docProps/app.xml")
    assert_register_columns(saved, EVIDENCE_COLUMNS, 1000)
    rows = merged_evidence(sent["master"], saved, tmp_path, "NV1")
    assert [(r.number, r.subject) for r in rows] == [(TYPED["number"], TYPED["subject"])]
    master = convert([sent["master"]], tmp_path / "lo-master", "xlsx")[0]
    assert_register_columns(master, MASTER_EVIDENCE_COLUMNS, 1000)
