"""The macro-enabled master: points come from the Python UDF block, with the native formula as
fallback. Where the add-in is missing (here: LibreOffice, which cannot reach xlwings) every
points cell must still equal the engine over the whole parity matrix."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from cchc_xl.criteria.engine import assess
from cchc_xl.format.layout import UDF_COLUMN, col_letter, defined_name
from devtools.libreoffice import read_values, recalculate
from cchc_xl.ops.master import write_master
from parity_cases import matrix_catalogue, matrix_state

pytestmark = pytest.mark.libreoffice


def defined_names(path: Path) -> dict[str, tuple[str, str]]:
    """name → (sheet, cell) for single-cell workbook-level names."""
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/workbook.xml").decode("utf-8")
    names = {}
    for name, ref in re.findall(r'<definedName name="([^"]+)">([^<]+)</definedName>', xml):
        match = re.fullmatch(r"'?(.*?)'?!\$([A-Z]+)\$(\d+)", ref.replace("&apos;", "'"))
        if match:
            names[name] = (match.group(1).replace("''", "'"), match.group(2) + match.group(3))
    return names


def value_at(grids: dict, sheet: str, cell: str):
    letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()
    col = sum((ord(c) - 64) * 26 ** i for i, c in enumerate(reversed(letters))) - 1
    row = grids[sheet][int(digits) - 1]
    return row[col] if col < len(row) else ""


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    root = tmp_path_factory.mktemp("xlsm")
    catalogue, state = matrix_catalogue(), matrix_state()
    master = root / "master.xlsm"
    write_master(catalogue, state, master, recalc_probe=True)
    out = recalculate([master], root / "out", locale="vi-VN")[0]
    return catalogue, state, master, out


def test_points_cells_use_the_udf_block_and_fall_back_to_native(recalculated):
    catalogue, state, master, out = recalculated
    names = defined_names(master)
    with zipfile.ZipFile(master) as archive:
        sheet_xml = "".join(archive.read(n).decode() for n in archive.namelist()
                            if n.startswith("xl/worksheets/sheet"))
    assert "CCHC_DIEM_KHOI(" in sheet_xml and "ISERROR(" in sheet_xml
    grids = read_values(out)
    assert value_at(grids, "_cchc", "A100") == 2  # LibreOffice really recalculated
    expected = assess(catalogue, state.leaf_inputs())
    checked = 0
    for leaf in catalogue.all_leaves():
        sheet, cell = names[defined_name("POINTS", leaf.code)]
        got = value_at(grids, sheet, cell)
        score = expected.leaves[leaf.code]
        if score.status == "ok":
            assert Decimal(str(got)).quantize(Decimal("0.01")) == score.points, leaf.code
        else:
            assert got == score.cell_text, leaf.code
        checked += 1
    assert checked == sum(1 for _ in catalogue.all_leaves()) > 100


def test_udf_column_is_hidden_and_holds_one_array_call_per_sheet(recalculated):
    _, _, master, _ = recalculated
    letter = col_letter(UDF_COLUMN)
    with zipfile.ZipFile(master) as archive:
        for name in archive.namelist():
            if not name.startswith("xl/worksheets/sheet"):
                continue
            xml = archive.read(name).decode()
            calls = xml.count("CCHC_DIEM_KHOI(")
            assert calls in (0, 1), name
            if calls:
                assert 't="array"' in xml
                index = UDF_COLUMN + 1
                assert re.search(rf'<col min="{index}" max="{index}"[^>]*hidden="1"', xml), name
                assert re.search(rf'<c r="{letter}5"', xml)
