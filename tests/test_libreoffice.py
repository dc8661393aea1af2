"""Real (unmocked) tests of the LibreOffice driver; each soffice start costs ~1.5 s.

The tests that start soffice are marked `libreoffice` (skipped without it); the checks done
before soffice starts, and `error_cells`, run everywhere.
"""

from __future__ import annotations

import struct
import subprocess
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from devtools.libreoffice import (
    LibreOfficeError,
    convert,
    error_cells,
    read_values,
    recalculate,
    render_pdf,
)

from conftest import needs_poppler


def make_book(path: Path, marker: float) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.set_column("A:F", 18)
    ws.write_formula("A1", "=1+1", None, 5)  # wrong cached value: only a recalc fixes it
    ws.write_number("B1", marker)  # tells outputs apart, to check their order
    ws.write_number("C1", 1234567.891, wb.add_format({"num_format": "#,##0.00"}))
    ws.write_formula("D1", "=ROUND(2.5,0)")
    ws.write_formula("E1", '=IF(A2="","blank","x")')  # A2 stays empty
    ws.write_formula("M7", "=1/0")
    wb.add_worksheet("Khác").write_formula("B3", "=Data!B1/0")
    wb.close()
    return path


@pytest.mark.libreoffice
def test_recalculate_batch_in_one_call(tmp_path: Path) -> None:
    # Names out of alphabetical order, so sorted output would be caught.
    names = ["c_first", "a_second", "b_third", "d_fourth"]
    inputs = [make_book(tmp_path / f"{n}.xlsx", i + 0.5) for i, n in enumerate(names)]
    assert read_values(inputs[0])["Data"][0][0] == 5  # the stale value really is there

    outdir = tmp_path / "out"
    outputs = recalculate(inputs, outdir)

    assert outputs == [outdir / f"{n}.xlsx" for n in names]
    for i, out in enumerate(outputs):
        data = read_values(out)["Data"]
        assert data[0][:5] == [2, i + 0.5, 1234567.891, 3, "blank"]
        assert data[6][12] == ""  # calamine hides errors ...
        assert error_cells(out, "Data") == {"M7": "#DIV/0!"}  # ... error_cells does not
        assert error_cells(out, "Khác") == {"B3": "#DIV/0!"}


@pytest.mark.libreoffice
def test_recalculate_in_place_and_missing_output(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx", 1)
    # outdir == input folder: the input is replaced only after soffice is done with it.
    assert recalculate([book], tmp_path) == [book]
    assert read_values(book)["Data"][0][0] == 2

    # A file soffice cannot load: soffice still exits 0, the missing output is what fails.
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(LibreOfficeError, match="produced no xlsx"):
        recalculate([bad], tmp_path / "out")


@pytest.mark.libreoffice
def test_timeout_raises(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx", 1)
    with pytest.raises(LibreOfficeError, match="timed out"):
        recalculate([book], tmp_path / "out", timeout=0.2)


@pytest.mark.libreoffice
@needs_poppler
def test_convert_pdf_render_png_and_locale(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book.xlsx", 1)
    (pdf_vi,) = convert([book], tmp_path / "vi", "pdf", recalc=True, locale="vi-VN")
    (pdf_us,) = convert([book], tmp_path / "us", "pdf:calc_pdf_Export", recalc=True, locale="en-US")

    def text(pdf: Path) -> str:
        return subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout

    assert "1.234.567,89" in text(pdf_vi) and "1,234,567.89" in text(pdf_us)

    pngs = render_pdf(pdf_vi, tmp_path / "png", dpi=50, first=1, last=1)
    assert pngs == [tmp_path / "png" / "book-1.png"]
    head = pngs[0].read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    # An A4/Letter page at 50 dpi is ~413-425 px wide, ~550-585 px tall.
    assert 380 < width < 450 and 520 < height < 620
    assert 1_000 < pngs[0].stat().st_size < 500_000


@pytest.mark.libreoffice
def test_convert_docx_to_pdf(tmp_path: Path) -> None:
    docx = tmp_path / "note.docx"
    with zipfile.ZipFile(docx, "w") as z:  # smallest valid WordprocessingML package
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Override PartName="/word/document.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Xin chào</w:t></w:r></w:p></w:body></w:document>",
        )
    (pdf,) = convert([docx], tmp_path / "out", "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_same_stem_collision_is_rejected(tmp_path: Path) -> None:
    a = make_book(tmp_path / "book.xlsx", 1)
    (tmp_path / "other").mkdir()
    b = make_book(tmp_path / "other" / "book.xlsx", 2)
    c = make_book(tmp_path / "book.xlsm", 3)  # different extension, same output name
    outdir = tmp_path / "out"
    with pytest.raises(ValueError, match="collision") as exc:
        recalculate([a, b, c], outdir)
    assert str(b) in str(exc.value) and str(c) in str(exc.value)
    assert not outdir.exists()  # rejected before anything ran or was written


def test_error_cells_follows_relationships(tmp_path: Path) -> None:
    # Swap the two sheet parts and their rels targets: sheet "Data" now lives in
    # sheet2.xml, so guessing "sheetN.xml from sheet order" would read the wrong part.
    src = tmp_path / "src.xlsx"
    wb = xlsxwriter.Workbook(str(src))  # XlsxWriter writes error cached values as t="e"
    ws = wb.add_worksheet("Data")
    ws.write_number("B1", 1)
    ws.write_formula("M7", "=1/0", None, "#DIV/0!")
    wb.add_worksheet("Khác").write_formula("B3", "=NA()", None, "#N/A")
    wb.close()
    dst = tmp_path / "swapped.xlsx"
    swap = {"xl/worksheets/sheet1.xml": "xl/worksheets/sheet2.xml"}
    swap.update({v: k for k, v in swap.items()})
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = (
                    data.replace(b"worksheets/sheet1.xml", b"@")
                    .replace(b"worksheets/sheet2.xml", b"worksheets/sheet1.xml")
                    .replace(b"@", b"worksheets/sheet2.xml")
                )
            zout.writestr(swap.get(item.filename, item.filename), data)
    assert read_values(dst)["Data"][0][1] == 1  # still a valid workbook
    assert error_cells(dst, "Data") == {"M7": "#DIV/0!"}
    assert error_cells(dst, "Khác") == {"B3": "#N/A"}
    with pytest.raises(KeyError, match="Nope"):
        error_cells(dst, "Nope")
