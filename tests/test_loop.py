"""The whole yearly loop on the sample, with two real writers of returned workbooks.

new → split → units type their returns with openpyxl → merge → sync → plan; the consolidated
numbers are checked against the engine run directly on the same inputs, with the merge log, the
backups and the evidence. The loop runs twice: with openpyxl-written returns only (everywhere,
in the inner loop) and, marked `libreoffice`, with some returns saved again by LibreOffice (which
recalculates them) as a unit using LibreOffice would send them. What only LibreOffice can show —
those returns really came from it, its recalculated points, the Word plan printed to PDF — is
checked by tests marked `libreoffice`, skipped without it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cchc_xl.criteria.catalogue import load_catalogue
from cchc_xl.build.summary import S
from cchc_xl.criteria.engine import assess
from cchc_xl.format.layout import defined_name
from cchc_xl.ops.master import Master
from cchc_xl.ops.merge import MERGED, REJECTED, SUPERSEDED, log_path
from cchc_xl.read.reader import read_master
from cchc_xl.sample_data import fill_with_openpyxl, sample_evidence, sample_state_entries
from conftest import needs_poppler
from devtools.libreoffice import read_values, recalculate

ORG = "Sở Tư pháp tỉnh Lạng Sơn"
LIBREOFFICE_UNITS = {"VP", "NV2", "CC1"}  # saved again by LibreOffice in the second run


def run_loop(root: Path, sample_path: Path, by_libreoffice: set[str]) -> dict[str, Any]:
    """new → split → units type (some returns saved again by LibreOffice) → merge → sync → plan."""
    catalogue = load_catalogue(sample_path)
    master = root / "tong-hop.xlsx"
    Master.create(sample_path, master, org=ORG)
    sent = Master.open(master).split(root / "gui").files
    typed, returned = root / "typed", root / "nhan-ve"
    typed.mkdir()
    returned.mkdir()
    units = {}
    for path in sent:
        unit = path.stem.rsplit("-", 1)[1]
        units[unit] = sample_state_entries(catalogue, unit)
        fill_with_openpyxl(path, typed / path.name, units[unit],
                           sample_evidence(catalogue, unit, catalogue.year))
    by_lo = [typed / p.name for p in sent if p.stem.rsplit("-", 1)[1] in by_libreoffice]
    assert len(by_lo) == len(by_libreoffice)
    if by_lo:
        recalculate(by_lo, returned)  # LibreOffice writes these returns
    for path in typed.iterdir():
        if not (returned / path.name).exists():
            shutil.copy(path, returned / path.name)
    before = {p.name: p.read_bytes() for p in returned.iterdir()}
    merged = Master.open(master).merge([returned], now=dt.datetime(2026, 12, 10, 9, 0))
    synced = Master.open(master).sync()
    plan_docx = Master.open(master).export_plan(root / "ke-hoach.docx")
    plan_xlsx = Master.open(master).export_plan(root / "ke-hoach.xlsx")
    return {"catalogue": catalogue, "master": master, "merged": merged, "synced": synced,
            "units": units, "returned": returned, "before": before, "docx": plan_docx,
            "xlsx": plan_xlsx, "root": root, "by_libreoffice": by_libreoffice}


@pytest.fixture(scope="module")
def openpyxl_loop(tmp_path_factory, sample_path):
    """Every return typed and saved by openpyxl."""
    return run_loop(tmp_path_factory.mktemp("loop"), sample_path, set())


@pytest.fixture(scope="module")
def libreoffice_loop(tmp_path_factory, sample_path):
    """Three of the returns typed by openpyxl, then opened and saved by LibreOffice."""
    return run_loop(tmp_path_factory.mktemp("loop-lo"), sample_path, LIBREOFFICE_UNITS)


@pytest.fixture(scope="module",
                params=["openpyxl", pytest.param("libreoffice", marks=pytest.mark.libreoffice)])
def loop(request):
    """The loop's outcome, once per writer of the returns."""
    return request.getfixturevalue(f"{request.param}_loop")


def test_every_unit_is_merged_and_nobody_is_missing(loop):
    merged = loop["merged"]
    assert {f.data.unit for f in merged.files} == set(loop["units"])
    assert all(f.outcome == MERGED for f in merged.files), [
        (f.data.path.name, [str(p) for p in f.errors]) for f in merged.files]
    assert merged.missing_units == []
    assert merged.exit_code == 0


@pytest.mark.libreoffice
def test_libreoffice_written_returns_really_came_from_libreoffice(libreoffice_loop):
    for path in libreoffice_loop["returned"].iterdir():
        with zipfile.ZipFile(path) as archive:
            app = archive.read("docProps/app.xml").decode()
        unit = path.stem.rsplit("-", 1)[1]
        assert ("LibreOffice" in app) == (unit in LIBREOFFICE_UNITS), path.name


@pytest.mark.libreoffice
def test_libreoffice_written_returns_hold_the_engine_points(libreoffice_loop):
    """LibreOffice recalculated the returns it saved (openpyxl leaves no cached values): each
    own item's points cell shows what the engine gives for the unit's inputs."""
    loop = libreoffice_loop
    checked = 0
    for unit in LIBREOFFICE_UNITS:
        path = loop["returned"] / f"CCHC-2026-{unit}.xlsx"
        entries = loop["units"][unit]
        expected = assess(loop["catalogue"], {c: e.leaf_input() for c, e in entries.items()})
        names = openpyxl.load_workbook(path, read_only=True).defined_names
        values = read_values(path)
        for code in entries:
            score = expected.leaves[code]
            sheet, ref = next(iter(names[defined_name("POINTS", code)].destinations))
            column, row = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", ref).groups()
            got = _at(values[sheet], int(row), column)
            if score.status == "ok" and score.points is not None:
                assert isinstance(got, (int, float)), (unit, code, got)
                assert Decimal(str(got)).quantize(Decimal("0.01")) == score.points, (unit, code)
                checked += 1
            else:
                assert got in ("", score.cell_text), (unit, code, got, score.cell_text)
    assert checked >= 10


def test_returned_files_are_never_modified(loop):
    for path in loop["returned"].iterdir():
        assert path.read_bytes() == loop["before"][path.name]


def test_consolidated_numbers_equal_the_engine(loop):
    catalogue = loop["catalogue"]
    inputs = {}
    for entries in loop["units"].values():
        inputs.update({code: e.leaf_input() for code, e in entries.items()})
    expected = assess(catalogue, inputs)
    report = loop["synced"].report
    assert report.points == expected.tree_points
    assert report.applicable_max == expected.applicable_max
    for f in report.fields:
        assert f.points == expected.nodes[f.code].points
    # And the master file itself, read without recalculation, shows the same numbers.
    values = read_values(loop["master"])["Tổng hợp"]
    total_row = next(r for r in values if r[1] == "Cộng các lĩnh vực")
    assert Decimal(str(total_row[S["points"]])) == expected.tree_points
    seed = {"1.5": "2", "3.3.2": "0.31", "3.3.3": "0.31", "3.4.1": "4.5", "3.2.2": "0.35"}
    for code, points in seed.items():
        assert expected.leaves[code].points == Decimal(points), code


def test_master_keeps_merged_inputs_and_evidence(loop):
    catalogue, data = read_master(loop["master"])
    state = data.state
    for unit, entries in loop["units"].items():
        for code, entry in entries.items():
            got = state.entry(code).leaf_input()
            want = entry.leaf_input()
            for key in ("a", "b", "value", "na", "supp"):
                assert _same(getattr(got, key), getattr(want, key)), (unit, code, key)
    units_with_evidence = {str(e.unit) for e in state.evidence}
    assert units_with_evidence == set(loop["units"])
    assert all(e.code for e in state.evidence)


def test_merge_log_sheet_and_json_lines(loop):
    _, data = read_master(loop["master"])
    assert len(data.state.log) == len(loop["units"])
    assert {row.outcome for row in data.state.log} == {MERGED}
    lines = log_path(loop["master"]).read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(loop["units"])
    assert all(len(json.loads(line)["sha256"]) == 64 for line in lines)


def test_backup_kept_for_every_write(loop):
    backups = list((loop["master"].parent / "sao-luu").iterdir())
    assert len(backups) >= 2  # merge and sync each replaced the master


def test_plan_files_hold_the_lost_items(loop):
    report = loop["synced"].report
    lost = [g for g in report.gap_leaves() if g.lost > 0]
    assert lost, "the sample data loses points somewhere"
    from docx import Document

    text = "\n".join(cell.text for table in Document(str(loop["docx"])).tables
                     for row in table.rows for cell in row.cells)
    for item in lost:
        assert item.code in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    values = read_values(loop["xlsx"])
    codes = {row[1] for row in values["Phụ lục II - Tiêu chí"][4:]}
    assert {item.code for item in lost} <= codes


def test_same_unit_twice_keeps_the_newest(openpyxl_loop, tmp_path):
    loop = openpyxl_loop
    master = tmp_path / "m.xlsx"
    shutil.copy(loop["master"], master)
    src = loop["returned"] / "CCHC-2026-NV1.xlsx"
    old, new = tmp_path / "a-old.xlsx", tmp_path / "b-new.xlsx"
    shutil.copy(src, old)
    shutil.copy(src, new)
    _set_modified(old, "2026-11-01T08:00:00Z")
    _set_modified(new, "2026-12-01T08:00:00Z")
    result = Master.open(master).merge([old, new])
    outcome = {f.data.path.name: f.outcome for f in result.files}
    assert outcome == {"a-old.xlsx": SUPERSEDED, "b-new.xlsx": MERGED}


def test_a_broken_return_is_rejected_and_nothing_else_is_lost(openpyxl_loop, tmp_path):
    loop = openpyxl_loop
    master = tmp_path / "m.xlsx"
    shutil.copy(loop["master"], master)
    _, before = read_master(master)
    bad = tmp_path / "bad.xlsx"
    book = openpyxl.load_workbook(loop["returned"] / "CCHC-2026-NV1.xlsx")
    name = next(n for n in book.defined_names if n.startswith("CCHC_B_"))
    sheet, ref = next(iter(book.defined_names[name].destinations))
    book[sheet][ref.replace("$", "")] = 10**9  # b far above a
    book.save(bad)
    result = Master.open(master).merge([bad])
    assert result.files[0].outcome == REJECTED
    assert result.exit_code == 1
    assert any("b không thể lớn hơn a" in p.message for p in result.files[0].errors)
    _, after = read_master(master)
    assert after.state.entries == before.state.entries
    assert after.state.evidence == before.state.evidence


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return str(a).strip() == str(b).strip()
    return abs(float(a) - float(b)) < 1e-9


def _at(rows: list[list[Any]], row: int, column: str) -> Any:
    """The cell at a 1-based row and a column letter of read_values' grid ('' past its end)."""
    col = 0
    for letter in column:
        col = col * 26 + ord(letter) - 64
    line = rows[row - 1] if row <= len(rows) else []
    return line[col - 1] if col <= len(line) else ""


def _set_modified(path: Path, stamp: str) -> None:
    """Rewrite docProps/core.xml's modified time, as a save at that moment would."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "docProps/core.xml":
                text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*", rf"\g<1>{stamp}",
                              data.decode())
                data = text.encode()
            dst.writestr(item, data)
    tmp.replace(path)


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_poppler
def test_word_plan_renders_in_libreoffice(openpyxl_loop):
    """The Word plan opens in a real word processor and prints both appendices.

    The text is compared word by word, whitespace and line breaks ignored: where a heading
    wraps depends on the fonts installed (with and without fonts-liberation, say; see
    devtools/fonts-without-liberation.conf).
    """
    from devtools.libreoffice import convert, render_pdf

    loop = openpyxl_loop
    pdf = convert([loop["docx"]], loop["root"] / "pdf", "pdf")[0]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    words = " ".join(text.split())
    for phrase in ("KẾ HOẠCH", "Phụ lục I", "Phụ lục II", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"):
        assert _in_text(phrase, text), phrase
    for g in (g for g in loop["synced"].report.gap_leaves() if g.lost > 0):
        assert re.search(rf"(?<![\w.]){re.escape(g.code)}(?![\w.])", words), g.code
    pages = render_pdf(pdf, loop["root"] / "png", dpi=40)
    assert len(pages) >= 2 and all(p.stat().st_size > 2000 for p in pages)


def _in_text(phrase: str, text: str) -> bool:
    """Whether the phrase is in pdftotext's output, wherever lines wrap. pdftotext also splits
    some Vietnamese words at diacritics ('t ối đa'), so all whitespace is dropped."""
    return re.sub(r"\s+", "", phrase) in re.sub(r"\s+", "", text)


def test_merge_refuses_to_drop_what_was_typed_outside_the_inputs(openpyxl_loop, tmp_path):
    loop = openpyxl_loop
    """A merge regenerates the master too, so it must refuse just like sync."""
    from cchc_xl.errors import InputError

    master = tmp_path / "m.xlsx"
    synced = loop["master"]
    book = openpyxl.load_workbook(synced)
    book["Tổng hợp"]["N2"] = "ghi chú của Văn phòng"  # outside every input cell
    book.save(master)
    before = master.read_bytes()
    with pytest.raises(InputError) as info:
        Master.open(master).merge([loop["returned"] / "CCHC-2026-NV1.xlsx"])
    assert "Không gộp dữ liệu" in str(info.value) and "ô N2" in str(info.value)
    assert master.read_bytes() == before
    assert not (tmp_path / "sao-luu").exists()
