"""The container check reads a file once, decides from the zip's central directory, and inflates
only the parts the reader parses, in bounded steps, right before it parses them.

The hostile corpus (tests/test_reliability.py) proves what is still refused; these tests pin
down what the new way of checking adds: sizes that lie, names that differ only in case, the
parts nobody reads, packages whose sheets cannot be mapped plainly, and that the reader gets the
bytes that were checked.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from broken_returns import BILLION_LAUGHS, deflated_parts, edit_zip, raw_zip, sheet_part
from cchc_xl import Master
from cchc_xl.errors import FileError
from cchc_xl.files.grids import Book
from cchc_xl.format.layout import COVER_SHEET, EVIDENCE_SHEET, META_SHEET
from cchc_xl.read import reader
from cchc_xl.read.untrusted import UnsafeFile, open_checked
from cchc_xl.sample_data import fill_with_openpyxl, sample_evidence, sample_state_entries
from devtools.libreoffice import recalculate


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, sample_path: Path) -> dict[str, Path]:
    """A master, NV1's workbook as sent (XlsxWriter) and as typed with openpyxl."""
    root = tmp_path_factory.mktemp("untrusted")
    master = Master.create(sample_path, root / "tong-hop.xlsx", org="Sở Tư pháp (thử)")
    sent = next(p for p in master.split(root / "gui").files if p.stem.endswith("-NV1"))
    typed = root / "typed" / sent.name
    typed.parent.mkdir()
    fill_with_openpyxl(sent, typed, sample_state_entries(master.catalogue, "NV1"),
                       sample_evidence(master.catalogue, "NV1", master.catalogue.year))
    return {"master": master.path, "sent": sent, "typed": typed}


def refused(path: Path, fragment: str, sheets: tuple[str, ...] = ()) -> None:
    """Refused on opening, or at the latest just before the reader parses one of `sheets`."""
    with pytest.raises(UnsafeFile, match=fragment):
        checked = open_checked(path)
        for sheet in sheets:
            checked.check_sheet(sheet)


def our_sheets(path: Path) -> list[str]:
    return list(CalamineWorkbook.from_path(str(path)).sheet_names)


def test_every_writer_maps_its_sheets_plainly(made: dict[str, Path], tmp_path: Path) -> None:
    """For our workbooks as XlsxWriter, openpyxl and LibreOffice write them, the parts of the
    sheets are found as calamine finds them, and nothing but what is read gets inflated."""
    files = [made["master"], made["sent"], made["typed"]]
    for path in files:
        checked = open_checked(path)
        assert checked._sheets is not None and not checked._everything, path
        assert list(checked._sheets) == our_sheets(path)
        assert all(checked._sheets[s] == sheet_part(path, s) for s in checked._sheets)
        assert not any(part.startswith("xl/worksheets/") for part in checked._checked)
        checked.check_sheet(META_SHEET)
        assert [p for p in checked._checked if p.startswith("xl/worksheets/")] == [
            sheet_part(path, META_SHEET)]


@pytest.mark.libreoffice
def test_libreoffice_returns_map_their_sheets_plainly(made: dict[str, Path],
                                                      tmp_path: Path) -> None:
    saved = recalculate([made["typed"]], tmp_path / "lo")[0]
    checked = open_checked(saved)
    assert checked._sheets is not None and not checked._everything
    assert list(checked._sheets) == our_sheets(saved)


def test_a_size_that_lies_is_refused(made: dict[str, Path], tmp_path: Path) -> None:
    """A part that inflates beyond the size the directory declares (checksum of the declared
    prefix, so a reader that stops there sees nothing wrong)."""
    parts = []
    for name, data, crc, size in deflated_parts(made["sent"]):
        if name == "xl/styles.xml":
            content = zlib.decompress(data, -15)
            size = len(content) - 100
            crc = zlib.crc32(content[:size])
        parts.append((name, data, crc, size))
    refused(raw_zip(tmp_path / "lies.xlsx", parts), "styles.xml không giải nén được")


def test_names_that_differ_only_in_case_are_refused(made: dict[str, Path],
                                                    tmp_path: Path) -> None:
    """calamine finds parts whatever their case: it could read the copy that was not checked."""
    path = edit_zip(made["sent"], tmp_path / "twice.xlsx",
                    add={"XL/sharedStrings.xml": BILLION_LAUGHS + b"<sst/>"})
    refused(path, "hai thành phần cùng tên")


def test_a_part_nobody_reads_is_not_inflated(made: dict[str, Path], tmp_path: Path) -> None:
    """The cover sheet is never parsed: damage or a DTD there does not stop the merge."""
    cover = sheet_part(made["typed"], COVER_SHEET)
    path = edit_zip(made["typed"], tmp_path / "cover.xlsx",
                    lambda name, data: BILLION_LAUGHS + data if name == cover else None)
    data = reader.read_return(path, Master.open(made["master"]).catalogue)
    assert not data.problems and data.state is not None and data.state.entries


def test_a_sheet_is_checked_before_the_reader_parses_it(made: dict[str, Path],
                                                        tmp_path: Path) -> None:
    register = sheet_part(made["typed"], EVIDENCE_SHEET)
    path = edit_zip(made["typed"], tmp_path / "far.xlsx", lambda name, data: data.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
        if name == register else None)
    checked = open_checked(path)  # the package itself is fine
    book = Book(checked.data, guard=checked.check_sheet)
    assert book.grid(META_SHEET)
    with pytest.raises(UnsafeFile, match="có ô ở rất xa"):
        book.grid(EVIDENCE_SHEET)
    data = reader.read_return(path, Master.open(made["master"]).catalogue)
    assert [p.message for p in data.problems] == [str(_unsafe(path, EVIDENCE_SHEET))]
    assert data.unreadable and data.state is None


def _unsafe(path: Path, sheet: str) -> UnsafeFile:
    try:
        open_checked(path).check_sheet(sheet)
    except UnsafeFile as exc:
        return exc
    raise AssertionError("not refused")


def test_a_package_that_hides_its_sheets_has_every_part_checked(made: dict[str, Path],
                                                                tmp_path: Path) -> None:
    """A comment in workbook.xml could hide a <sheet> from a pattern but not from a parser:
    then every part is checked, as before, and the DTD in the cover sheet is found."""
    cover = sheet_part(made["typed"], COVER_SHEET)

    def edit(name: str, data: bytes) -> bytes | None:
        if name == "xl/workbook.xml":
            return data.replace(b"<sheets>", b"<!-- x --><sheets>")
        return BILLION_LAUGHS + data if name == cover else None
    refused(edit_zip(made["typed"], tmp_path / "hidden.xlsx", edit), "khai báo thực thể XML")


def test_the_reader_gets_the_bytes_that_were_checked(made: dict[str, Path],
                                                     tmp_path: Path) -> None:
    path = tmp_path / "swapped.xlsx"
    path.write_bytes(made["typed"].read_bytes())
    checked = open_checked(path)
    path.write_bytes(made["master"].read_bytes())  # replaced after the check
    book = Book(checked.data, guard=checked.check_sheet)
    assert book.names == our_sheets(made["typed"])


def test_a_master_damaged_where_only_raw_reads_look_is_a_file_error(made: dict[str, Path],
                                                                    tmp_path: Path) -> None:
    """docProps/core.xml is read for the save time, not by calamine: damage there is reported
    like any damaged master (exit code 2), not as a crash."""
    data = bytearray(made["master"].read_bytes())
    with zipfile.ZipFile(made["master"]) as archive:
        info = archive.getinfo("docProps/core.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(min(40, info.compress_size - 6)):
        data[start + 5 + k] ^= 0x5A
    damaged = tmp_path / "tong-hop.xlsx"
    damaged.write_bytes(bytes(data))
    with pytest.raises(FileError, match="Không đọc được tệp tổng hợp"):
        Master.open(damaged)
