"""The master in a Văn phòng's real year: typed into by people, saved by other programs,
merged by two people at once, sent files out of order. Nothing typed is lost.

Each test is one problem reproduced on the build before this work (issue #12). The master is
edited as a person would: openpyxl stands in for a program that saves without computing
formulas, LibreOffice for Excel (it re-saves the whole file and recalculates it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from cchc_xl.errors import FileError
from cchc_xl.files.grids import Book
from cchc_xl.format.layout import COL, EVIDENCE_FIRST_ROW, EVIDENCE_SHEET, cell_ref
from cchc_xl.format.state import Formula, as_date
from cchc_xl.ops.master import Master
from cchc_xl.ops.merge import ALREADY_MERGED, MERGED, OLDER, REJECTED, SUPERSEDED
from cchc_xl.read.reader import read_master
from conftest import tiny_data, type_inputs, type_names
from devtools.libreoffice import recalculate
from devtools.saved import set_saved

ORG = "Sở Tư pháp tỉnh Lạng Sơn"


# ---------------------------------------------------------------------------------------------
# Helpers: a tiny master, cells found by code, typing as a person would


@pytest.fixture
def tiny_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_data(), allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def master(tmp_path: Path, tiny_yaml: Path) -> Path:
    path = tmp_path / "tong-hop" / "tong-hop.xlsx"
    path.parent.mkdir()
    Master.create(tiny_yaml, path, org=ORG)
    return path


def where(master: Path, code: str, key: str) -> tuple[str, str]:
    _, data = read_master(master)
    row = data.rows[code]
    return row.sheet, cell_ref(row.row, COL[key])


def type_cells(path: Path, cells: dict[tuple[str, str], Any], out: Path | None = None) -> None:
    """Type values into cells with openpyxl and save (formulas' values are not computed)."""
    book = openpyxl.load_workbook(path)
    for (sheet, ref), value in cells.items():
        book[sheet][ref] = value
    book.save(out or path)


def type_into(master: Path, typed: dict[tuple[str, str], Any]) -> None:
    """typed: (code, column key) → value, typed into the master's cells."""
    type_cells(master, {where(master, code, key): value for (code, key), value in typed.items()})


def unit_return(master: Path, unit: str, folder: Path, inputs: dict[str, dict[str, Any]],
                evidence: list[dict[str, Any]] = (), saved: str | None = None,
                name: str | None = None) -> Path:
    """A unit's workbook from the master, typed with openpyxl, saved at `saved` (ISO)."""
    sent = Master.open(master).split(folder / "gui", units=[unit]).files[0]
    out = type_inputs(sent, folder / (name or sent.name), inputs, evidence)
    if saved:
        set_saved(out, saved)
    return out




VP_INPUTS = {"1.1": {"a": 291, "b": 285}, "1.2": {"value": "Ban hành kịp thời"},
             "2.4": {"value": "Đạt"}}
NV1_INPUTS = {"2.1": {"a": 14697, "b": 14673}, "2.2": {"a": 14697, "b": 9129},
              "2.3": {"a": 100, "b": 60}, "2.5": {"value": 12}, "2.6": {"value": 0.5}}


def libreoffice_resave(path: Path, folder: Path) -> Path:
    """The master as a spreadsheet program saves it (recalculated, re-written whole, .xlsx)."""
    out = recalculate([path], folder)[0]
    target = folder / (path.stem + ".xlsx")
    if out != target:
        shutil.move(out, target)
    return target


# ---------------------------------------------------------------------------------------------
# The Văn phòng's cells are data, kept whatever saved the file


def test_typing_in_blue_cells_then_sync_keeps_every_value_and_its_type(master):
    """Sync refused ('ô ngoài vùng nhập' on the gap sheet / 'Tổng hợp'!L7) after a person typed
    appraised points, causes, remedies and a field's deadline; a date came back as 46568."""
    Master.open(master).merge([unit_return(master, "NV1", master.parent.parent / "r1",
                                           NV1_INPUTS)])
    Master.open(master).sync()  # the gap sheet now lists 2.2 and 2.3
    typed = {("2.2", "appraised"): 0.2, ("2.2", "cause"): "Thiếu 5.568 kết quả điện tử",
             ("2.2", "remedy"): "Số hóa kết quả\nngay khi trả", ("2", "deadline"): "Quý III/2027",
             ("1", "deadline"): dt.datetime(2027, 9, 15),
             ("2.2", "deadline"): dt.datetime(2027, 6, 30),
             ("1", "target"): 3.5, ("2", "last_year"): 9}
    type_into(master, typed)
    result = Master.open(master).sync()
    assert result.report.nodes["2.2"].appraised == Decimal("0.2")
    Master.open(master).sync()  # and again: the derived cells changed, nothing is refused
    type_into(master, {("2", "deadline"): "Quý IV/2027"})  # a second edit of the same cell
    Master.open(master).sync()
    entries = read_master(master)[1].state.entries
    assert entries["2"].deadline == "Quý IV/2027"
    assert entries["2.2"].cause == "Thiếu 5.568 kết quả điện tử"
    assert entries["2.2"].remedy == "Số hóa kết quả\nngay khi trả"
    assert entries["1"].deadline == dt.date(2027, 9, 15)  # a date, not 46645
    assert entries["2.2"].deadline == dt.date(2027, 6, 30)
    assert entries["1"].target == 3.5 and entries["2"].last_year == 9
    # The Excel plan holds the date as a date (shown dd/mm/yyyy), not a serial number or text.
    out = master.parent / "kh.xlsx"
    Master.open(master).export_plan(out)
    texts = [c for row in Book(out).grids().values() for r in row for c in r]
    assert dt.date(2027, 6, 30) in texts and not any("46" in str(c) and "." in str(c) for c in texts
                                             if isinstance(c, str) and c.startswith("46"))


def test_a_number_typed_as_text_counts_and_is_reported(master):
    """'0,5' typed in an appraised cell was ignored in every total and check said nothing."""
    sheet, ref = where(master, "2.6", "appraised")
    type_cells(master, {(sheet, ref): "0,25"})
    opened = Master.open(master)
    assert opened.report().nodes["2.6"].appraised == Decimal("0.25")
    notices = opened.check().problems
    assert any(p.cell == ref and "0,25" in p.message and p.severity == "warning"
               for p in notices)
    opened.sync()
    assert read_master(master)[1].state.entries["2.6"].appraised == 0.25  # now a number


def test_a_formula_typed_in_a_blue_cell_is_kept(master):
    """A formula typed into a blue cell was silently replaced by its value."""
    sheet, ref = where(master, "2.6", "appraised")
    type_cells(master, {(sheet, ref): "=0.5*0.7"})  # openpyxl: no value computed
    opened = Master.open(master)
    assert opened.state.entries["2.6"].appraised == Formula("=0.5*0.7", None)
    assert any(p.kind == "formula-without-value" and p.cell == ref for p in opened.notices)
    opened.sync()
    package_formulas = _formulas(master, sheet)
    assert package_formulas[ref] == "0.5*0.7"


def test_a_formula_typed_in_the_master_reaches_a_unit_as_its_value(master, tmp_path):
    """A formula typed in the master (here the note of 2.1, then its figure a) points at the
    master's cells: the unit's workbook carries its value, whether the units are split together
    or one is built alone; and both ways give the unit the same requests."""
    from cchc_xl.build import build_unit
    from cchc_xl.format.layout import REQUESTS_SHEET

    Master.open(master).merge([unit_return(master, "NV1", tmp_path / "r", NV1_INPUTS)])
    type_cells(master, {where(master, "2.1", "note"): '="ghi chú của Văn phòng"',
                        where(master, "2.1", "a"): "=14000+697"})
    source = master
    split = Master.open(source).split(tmp_path / "gui", units=["NV1"]).files[0]
    opened = Master.open(source)
    alone = tmp_path / "alone.xlsx"
    build_unit(opened.catalogue, opened.state, "NV1", alone)
    for path in (split, alone):
        book = openpyxl.load_workbook(path)
        sheet, ref = next(iter(book.defined_names["CCHC_A_2_1"].destinations))
        cell = book[sheet][ref.replace("$", "")]
        assert not (isinstance(cell.value, str) and cell.value.startswith("=")), path.name
    requests = [[c for c in row if c is not None]
                for row in Book(split).grid(REQUESTS_SHEET)[4:]]
    assert requests == [[c for c in row if c is not None]
                        for row in Book(alone).grid(REQUESTS_SHEET)[4:]]


def _formulas(path: Path, sheet: str) -> dict[str, str]:
    book = openpyxl.load_workbook(path)
    return {c.coordinate: c.value[1:] for row in book[sheet].iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=")}


def test_appraised_bonus_and_penalty_count_in_the_appraised_total(master):
    """Appraised points typed on 'Điểm thưởng, điểm trừ' were ignored in the appraised totals."""
    type_into(master, {("T.1", "value"): 2, ("1.1", "appraised"): 2.5,
                       ("T.1", "appraised"): 0.5, ("TR.2", "appraised"): 0.5})
    report = Master.open(master).report()
    assert report.bonus == Decimal(1)  # self-assessed: 2 initiatives, capped at 1
    assert report.appraised_bonus == Decimal("0.5") and report.appraised_penalty == Decimal("0.5")
    assert report.appraised_total == report.appraised - Decimal(0)  # +0,5 − 0,5


@pytest.mark.libreoffice
def test_libreoffice_resaved_master_syncs_merges_and_keeps_typed_values(master, tmp_path):
    """A master saved as .xlsx by a spreadsheet program could not be synced (hidden column U),
    and the appraised total in the file now agrees with the engine, bonus included."""
    Master.open(master).merge([unit_return(master, "VP", tmp_path / "r0", VP_INPUTS)])
    typed = {("2.2", "cause"): "Nguyên nhân", ("1.1", "appraised"): 2.5,
             ("T.1", "value"): 1, ("T.1", "appraised"): 0.5, ("1", "deadline"): "Quý III/2027",
             ("2", "deadline"): dt.datetime(2027, 9, 15)}
    type_into(master, typed)
    type_cells(master, {where(master, "2.6", "appraised"): "=0.25*2"})
    resaved = libreoffice_resave(master, tmp_path / "lo")
    opened = Master.open(resaved)
    assert opened.state.entries["2.6"].appraised == Formula("=0.25*2", 0.5)
    assert as_date(opened.state.entries["2"].deadline) == dt.date(2027, 9, 15)
    opened.sync()
    reopened = Master.open(resaved)
    reopened.merge([unit_return(resaved, "NV1", tmp_path / "r1", NV1_INPUTS)])
    state = read_master(resaved)[1].state
    assert state.entries["2.2"].cause == "Nguyên nhân"
    assert state.entries["1"].deadline == "Quý III/2027"
    assert state.entries["2.6"].appraised == Formula("=0.25*2", 0.5)
    assert state.entries["1.1"].a == 291  # VP's earlier merge is still there
    # Recalculated by LibreOffice again: the appraised names equal the engine.
    final = recalculate([resaved], tmp_path / "lo2")[0]
    report = Master.open(resaved).report()
    assert _name_value(final, "CCHC_APPRAISED_TOTAL") == pytest.approx(float(
        report.appraised_total))


def _name_value(path: Path, name: str) -> Any:
    book = openpyxl.load_workbook(path, data_only=True)
    sheet, ref = next(iter(book.defined_names[name].destinations))
    return book[sheet][ref.replace("$", "")].value


# ---------------------------------------------------------------------------------------------
# Evidence ownership and returns in order


def test_evidence_the_office_typed_for_a_unit_survives_that_units_return(master, tmp_path):
    row = EVIDENCE_FIRST_ROW + 1
    type_cells(master, {(EVIDENCE_SHEET, f"A{row}"): "2.2",
                        (EVIDENCE_SHEET, f"B{row}"): "15/BC-STP",
                        (EVIDENCE_SHEET, f"D{row}"): "Báo cáo Văn phòng bổ sung",
                        (EVIDENCE_SHEET, f"G{row}"): "NV1"})
    evidence = [{"code": "2.1", "number": "12/BC-NV1", "subject": "Báo cáo hồ sơ đúng hạn"}]
    Master.open(master).merge([unit_return(master, "NV1", tmp_path / "r1", NV1_INPUTS, evidence,
                                           saved="2026-12-01T08:00:00Z")])
    second = [{"code": "2.1", "number": "13/BC-NV1", "subject": "Báo cáo thay thế"}]
    Master.open(master).merge([unit_return(master, "NV1", tmp_path / "r2", NV1_INPUTS, second,
                                           saved="2026-12-02T08:00:00Z")])
    rows = read_master(master)[1].state.evidence
    numbers = sorted(str(r.number) for r in rows)
    assert numbers == ["13/BC-NV1", "15/BC-STP"]  # the unit's first row replaced; ours kept
    ours = next(r for r in rows if r.number == "15/BC-STP")
    assert ours.origin is None and ours.unit == "NV1"


def test_an_older_return_after_a_newer_one_is_refused_unless_forced(master, tmp_path):
    new = unit_return(master, "NV1", tmp_path / "new", {**NV1_INPUTS, "2.5": {"value": 12}},
                      saved="2026-12-05T08:00:00Z")
    old = unit_return(master, "NV1", tmp_path / "old", {**NV1_INPUTS, "2.5": {"value": 10}},
                      saved="2026-12-01T08:00:00Z")
    assert Master.open(master).merge([new]).files[0].outcome == MERGED
    result = Master.open(master).merge([old])
    assert result.files[0].outcome == OLDER and result.exit_code == 1
    assert "--force" in result.files[0].errors[0].message
    assert read_master(master)[1].state.entries["2.5"].value == 12  # not rolled back
    again = Master.open(master).merge([new])
    assert again.files[0].outcome == ALREADY_MERGED and again.exit_code == 0
    forced = Master.open(master).merge([old], force=True)
    assert forced.files[0].outcome == MERGED
    assert read_master(master)[1].state.entries["2.5"].value == 10


def test_an_older_file_never_stands_in_for_a_rejected_newer_one(master, tmp_path):
    old = unit_return(master, "NV1", tmp_path / "a", NV1_INPUTS, saved="2026-12-01T08:00:00Z",
                      name="old.xlsx")
    bad_inputs = {**NV1_INPUTS, "2.2": {"a": 10, "b": 20}}  # b > a
    new = unit_return(master, "NV1", tmp_path / "a", bad_inputs, saved="2026-12-03T08:00:00Z",
                      name="new.xlsx")
    result = Master.open(master).merge([old, new])
    outcome = {f.data.path.name: f.outcome for f in result.files}
    assert outcome == {"new.xlsx": REJECTED, "old.xlsx": SUPERSEDED}
    message = next(f for f in result.files if f.data.path.name == "old.xlsx").errors[0].message
    assert "new.xlsx" in message and "bị từ chối" in message
    assert "2.1" not in read_master(master)[1].state.entries


# ---------------------------------------------------------------------------------------------
# Passwords


def test_a_wrong_password_is_refused_before_anything_is_written(tiny_yaml, tmp_path):
    path = tmp_path / "m.xlsx"
    Master.create(tiny_yaml, path, password="đúng-mật-khẩu")
    before = path.read_bytes()
    with pytest.raises(FileError, match="Sai mật khẩu"):
        Master.open(path, password="dung-mat-khau").sync()
    with pytest.raises(FileError, match="--password"):
        Master.open(path).sync()
    assert path.read_bytes() == before and not (tmp_path / "sao-luu").exists()
    Master.open(path, password="đúng-mật-khẩu").sync()  # the right one works
    unprotected = tmp_path / "u.xlsx"
    Master.create(tiny_yaml, unprotected)
    with pytest.raises(FileError, match="không đặt mật khẩu"):
        Master.open(unprotected, password="typo").sync()


@pytest.mark.libreoffice
def test_the_password_of_a_master_resaved_by_libreoffice_is_checked(tiny_yaml, tmp_path):
    path = tmp_path / "m.xlsx"
    Master.create(tiny_yaml, path, password="bí mật")
    resaved = libreoffice_resave(path, tmp_path / "lo")
    with pytest.raises(FileError, match="Sai mật khẩu"):
        Master.open(resaved, password="bi mat").sync()
    Master.open(resaved, password="bí mật").sync()


# ---------------------------------------------------------------------------------------------
# One writer at a time: real processes


RUN = "import sys; from cchc_xl.cli import run; sys.exit(run(sys.argv[1:]))"


def cchc(*args: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", RUN, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, **(env or {})}, **kwargs)


@pytest.mark.slow
def test_two_merges_at_once_keep_both_units(master, tmp_path):
    """Both said 'đã gộp' but one unit's change was missing in most runs."""
    vp = unit_return(master, "VP", tmp_path / "vp", VP_INPUTS)
    nv1 = unit_return(master, "NV1", tmp_path / "nv1", NV1_INPUTS)
    for attempt in range(3):
        copy = tmp_path / f"run{attempt}" / "m.xlsx"
        copy.parent.mkdir()
        shutil.copy(master, copy)
        first, second = cchc("merge", str(copy), str(vp)), cchc("merge", str(copy), str(nv1))
        assert first.wait(60) == 0 and second.wait(60) == 0, (first.stderr.read().decode(),
                                                              second.stderr.read().decode())
        entries = read_master(copy)[1].state.entries
        assert entries["1.1"].a == 291 and entries["2.1"].a == 14697, attempt


def test_a_write_between_reading_and_hashing_the_master_is_not_lost(master, tmp_path,
                                                                   monkeypatch):
    """The race behind the test above, made certain: someone else merges right after our read.
    The master remembers the hash of the bytes it read, so our write sees the change, reloads,
    and keeps their unit."""
    from cchc_xl.ops import master as master_module

    vp = unit_return(master, "VP", tmp_path / "vp", VP_INPUTS)
    nv1 = unit_return(master, "NV1", tmp_path / "nv1", NV1_INPUTS)
    real, others = master_module.read_master, []

    def read_then_someone_else_merges(path: Path):  # type: ignore[no-untyped-def]
        read = real(path)
        if not others:
            others.append(None)  # their own open reads plainly
            others[0] = Master.open(path).merge([vp])
        return read

    monkeypatch.setattr(master_module, "read_master", read_then_someone_else_merges)
    ours = Master.open(master)
    assert others[0].written and "1.1" not in ours.state.entries  # we read the file before
    ours.merge([nv1])
    entries = read_master(master)[1].state.entries
    assert entries["1.1"].a == 291 and entries["2.1"].a == 14697


@pytest.mark.slow
def test_an_appraisal_import_and_a_merge_at_once_keep_both(master, tmp_path):
    """The rounds after self-assessment write the master too: the council's points and a
    unit's late file, imported at the same moment by two people, both land."""
    Master.open(master).merge([unit_return(master, "NV1", tmp_path / "nv1", NV1_INPUTS)])
    own = Master.open(master).report().nodes["2.1"].points
    council = council_file(tmp_path / "hd", {"2.1": float(own) - 1})
    vp = unit_return(master, "VP", tmp_path / "vp", VP_INPUTS)
    importing, merging = cchc("appraisal", str(master), str(council)), cchc("merge", str(master),
                                                                           str(vp))
    assert importing.wait(60) == 0 and merging.wait(60) == 0, (
        importing.stderr.read().decode(), merging.stderr.read().decode())
    state = read_master(master)[1].state
    assert state.entries["2.1"].appraised == float(own) - 1 and state.entries["1.1"].a == 291
    assert state.explanations["2.1"].first == float(own) - 1


def test_merge_and_sync_at_once_lose_nothing(master, tmp_path):
    nv1 = unit_return(master, "NV1", tmp_path / "nv1", NV1_INPUTS)
    type_into(master, {("2", "cause"): "Văn phòng gõ trước khi đồng bộ"})
    merging, syncing = cchc("merge", str(master), str(nv1)), cchc("sync", str(master))
    assert merging.wait(60) == 0 and syncing.wait(60) == 0
    entries = read_master(master)[1].state.entries
    assert entries["2.1"].a == 14697 and entries["2"].cause == "Văn phòng gõ trước khi đồng bộ"


HOLD = """
import sys, time
from cchc_xl.files.lock import WriteLock
lock = WriteLock(sys.argv[1], command="merge").__enter__()
print("held", flush=True)
time.sleep(60)
"""


def test_a_busy_master_names_who_holds_it_and_a_killed_holder_never_blocks(master):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(master)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"held"
        from cchc_xl.files import lock as lock_module

        waiting = lock_module.WriteLock(master, wait=0.5)
        with pytest.raises(FileError) as raised:
            waiting.__enter__()
        assert f"tiến trình {holder.pid}" in raised.value.message
        assert "lệnh: merge" in raised.value.message and "Hãy chờ" in raised.value.message
    finally:
        holder.kill()
        holder.wait()
    # Killed with -9: the system released the lock; the next run takes over and says so.
    with lock_module.WriteLock(master) as taken:
        assert taken.cleared is not None and taken.cleared.pid == holder.pid
    Master.open(master).sync()
    assert not lock_module.lock_path(master).exists()


# ---------------------------------------------------------------------------------------------
# Every failure is a Vietnamese message, the right exit code, and the master intact


def test_a_full_disk_is_a_message_and_the_master_is_intact(tiny_yaml, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=120k", "tmpfs", str(small)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs root)")
    try:
        master = small / "m.xlsx"
        built = tmp_path / "m.xlsx"
        Master.create(tiny_yaml, built)
        shutil.copy(built, master)
        room = 120 * 1024 - 2 * master.stat().st_size + 4096  # less than one more copy
        with (small / "filler").open("wb") as handle, contextlib.suppress(OSError):
            handle.write(b"\0" * room)
        before = master.read_bytes()
        process = cchc("sync", str(master))
        out, err = process.communicate(timeout=60)
        text = err.decode("utf-8")
        assert process.returncode == 2, text
        assert "ổ đĩa đã đầy" in text and "Traceback" not in text
        assert master.read_bytes() == before
        assert [p.name for p in small.iterdir() if p.name.startswith(".~cchc")] == []
    finally:
        subprocess.run(["umount", str(small)], check=False)


def test_a_folder_without_write_permission_is_a_message(master, tmp_path):
    """As a user without the right to write the master's folder (root drops its override)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root ignores permissions and setpriv is not installed")
        caps = "-dac_override,-dac_read_search,-fowner"
        prefix = ["setpriv", "--bounding-set", caps, "--inh-caps", caps]
    before = master.read_bytes()
    os.chmod(master.parent, 0o555)
    try:
        process = subprocess.Popen([*prefix, sys.executable, "-c", RUN, "sync", str(master)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, err = process.communicate(timeout=60)
    finally:
        os.chmod(master.parent, 0o755)
    text = err.decode("utf-8")
    assert process.returncode == 2, text
    assert "quyền ghi" in text and "Traceback" not in text
    assert master.read_bytes() == before


def test_output_in_a_vietnamese_windows_code_page(master, tmp_path):
    """Output redirected in cp1258 (a Vietnamese Windows console) ended in a traceback."""
    process = cchc("sync", str(master), env={"PYTHONIOENCODING": "cp1258"})
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    import unicodedata

    text = unicodedata.normalize("NFC", out.decode("cp1258"))
    assert "Đã đồng bộ" in text and "Chỉ số CCHC" in text


def test_a_word_line_break_in_a_cause_goes_into_the_plan(master, tmp_path):
    opened = Master.open(master)
    from dataclasses import replace

    entries = dict(opened.state.entries)
    entries["2.6"] = replace(entries.get("2.6", opened.state.entry("2.6")), value=0.25,
                             cause="Dòng một\x0bDòng hai\x07", remedy="Giải pháp")
    opened.state = replace(opened.state, entries=entries)
    opened.save()
    out = tmp_path / "kh.docx"
    Master.open(master).export_plan(out)
    import docx

    text = "\n".join(c.text for t in docx.Document(str(out)).tables for r in t.rows
                     for c in r.cells)
    assert "Dòng một\nDòng hai" in text


def test_ctrl_c_leaves_the_master_as_it_was(master, tmp_path):
    import signal

    nv1 = unit_return(master, "NV1", tmp_path / "nv1", NV1_INPUTS)
    before = master.read_bytes()
    process = cchc("merge", str(master), str(nv1), env={"CCHC_XL_TEST_PAUSE": "after_write"})
    line = b""
    while b"CCHC_XL_PAUSED" not in line:
        line = process.stderr.readline()
        assert line, "the merge never reached the pause point"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    text = err.decode("utf-8")
    assert process.returncode == 130 and "Ctrl-C" in text and "Aborted" not in text, text
    assert master.read_bytes() == before
    leftovers = [p.name for p in master.parent.iterdir() if p.name.startswith(".~cchc")]
    assert leftovers == []


@pytest.mark.parametrize("args, expected", [
    (["merge"], "Thiếu tham số MASTER"),
    (["sync", "--pasword", "x", "m.xlsx"], "Không có tùy chọn --pasword. Có phải ý bạn là: "
                                          "--password?"),
    (["dongbo"], "Không có lệnh 'dongbo'"),
    (["sync", "a.xlsx", "b.xlsx"], "Thừa tham số trong câu lệnh: b.xlsx. Tên tệp có dấu cách"),
])
def test_usage_errors_are_vietnamese(args, expected, capsys):
    from cchc_xl.cli import run

    assert run(args) == 2
    err = capsys.readouterr().err
    assert expected in " ".join(err.split()) and "Usage" not in err and "Error:" not in err
    assert "Got unexpected" not in err  # click's English


def test_a_folder_or_a_missing_file_as_master_is_a_vietnamese_message(tmp_path, capsys):
    from cchc_xl.cli import run

    assert run(["sync", str(tmp_path)]) == 2
    assert "là một thư mục" in " ".join(capsys.readouterr().err.split())  # wherever it wraps
    assert run(["sync", str(tmp_path / "khong-co.xlsx")]) == 2
    assert "không tồn tại" in " ".join(capsys.readouterr().err.split())


# ---------------------------------------------------------------------------------------------
# Smaller problems


def test_only_b_missing_names_b_and_its_cell(master, tmp_path):
    ret = unit_return(master, "NV1", tmp_path / "r", {**NV1_INPUTS, "2.2": {"a": 14697}})
    result = Master.open(master).merge([ret], dry_run=True)
    problem = next(p for p in result.files[0].errors if p.code == "2.2")
    assert problem.message.startswith("chưa nhập b (số đạt);")
    sheet, ref = where(master, "2.2", "b")
    assert (problem.sheet, problem.cell) == (sheet, ref)


def test_an_evidence_date_typed_as_text_is_a_date(master, tmp_path):
    evidence = [{"code": "2.1", "number": "12/BC-NV1", "date": "15/03/2026",
                 "subject": "Báo cáo"}]
    ret = unit_return(master, "NV1", tmp_path / "r", NV1_INPUTS, evidence)
    result = Master.open(master).merge([ret])
    assert not [p for p in result.files[0].data.problems if "ngày" in p.message]
    row = read_master(master)[1].state.evidence[0]
    assert as_date(row.date) == dt.date(2026, 3, 15)


def test_file_names_with_brackets_are_shown_as_they_are(master, tmp_path):
    from click.testing import CliRunner

    from cchc_xl.cli import main

    ret = unit_return(master, "NV1", tmp_path / "r", {**NV1_INPUTS, "2.2": {"a": 1, "b": 2}},
                      name="CCHC-2026-NV1 [bản sửa].xlsx")
    output = CliRunner().invoke(main, ["merge", str(master), str(ret)],
                                env={"COLUMNS": "250"}).output
    assert "CCHC-2026-NV1 [bản sửa].xlsx" in output


@pytest.mark.libreoffice
def test_a_real_ods_return_is_told_to_save_as_xlsx(master, tmp_path):
    from devtools.libreoffice import convert

    ret = unit_return(master, "NV1", tmp_path / "r", NV1_INPUTS)
    ods = convert([ret], tmp_path / "ods", "ods")[0]
    result = Master.open(master).merge([ods], dry_run=True)
    message = result.files[0].errors[0].message
    assert "dạng .ods" in message and "đổi tên" not in message and ".xlsx" in message


def test_an_excel_lock_file_says_who_has_the_master_open(master):
    lock = master.with_name("~$" + master.name)
    name = "Nguyễn Văn A"
    ansi = name.encode("cp1252", "replace")
    data = bytes([len(name)]) + ansi + b"\x20" * (53 - len(ansi))
    data += bytes([len(name), 0]) + name.encode("utf-16-le") + b"\x20\x00" * 8
    lock.write_bytes(data)
    with pytest.raises(FileError) as raised:
        Master.open(master).sync()
    message = raised.value.message
    assert "đang được mở trong Excel" in message and name in message
    assert f"xóa tệp {lock.name}" in message


# ---------------------------------------------------------------------------------------------
# A year in the life of the master


@pytest.mark.parametrize("saver", ["openpyxl", pytest.param("libreoffice",
                                                            marks=pytest.mark.libreoffice)])
def test_a_year_in_the_life_of_the_master(saver, sample_path, tmp_path):
    """The Văn phòng types into every kind of blue cell; the file is saved by another program;
    units return, one twice and out of order; sync, merge, plan and check all run. Every typed
    value is still there afterwards, with its type."""
    from cchc_xl.criteria.catalogue import load_catalogue
    from cchc_xl.sample_data import sample_entry

    catalogue = load_catalogue(sample_path)
    path = tmp_path / "tong-hop" / "tong-hop.xlsx"
    path.parent.mkdir()
    Master.create(catalogue, path, org=ORG)
    leaf = next(f for f in catalogue.leaves() if f.rule.kind == "ratio" and f.rule.unit_input)
    unit = leaf.lead
    survey = next(f for f in catalogue.leaves() if f.rule.kind == "survey")
    bonus = next(item for _, item in catalogue.extra_items())
    field, group = catalogue.fields[0], catalogue.fields[1]
    sub_group = next(c for c in group.children if not c.is_leaf) if any(
        not c.is_leaf for c in group.children) else group

    # 1. Units return; the unit of `leaf` sends a first file.
    inputs = {f.code: {k: getattr(sample_entry(f), k) for k in f.rule.inputs
                       if getattr(sample_entry(f), k) is not None}
              for f in catalogue.unit_leaves(unit)}
    first = unit_return(path, unit, tmp_path / "lan-1", inputs, [
        {"code": leaf.code, "number": f"01/BC-{unit}", "date": "10/03/2026",
         "subject": "Báo cáo lần 1"}], saved="2026-12-01T08:00:00Z")
    assert Master.open(path).merge([first]).files[0].outcome == MERGED

    # 2. The Văn phòng types into every kind of blue cell, and adds an evidence row.
    typed: dict[tuple[str, str], Any] = {
        (leaf.code, "appraised"): "0,25", (leaf.code, "cause"): "Còn hồ sơ trễ hạn",
        (leaf.code, "remedy"): "Nhắc hạn từng hồ sơ", (leaf.code, "deadline"): dt.datetime(
            2027, 6, 30), (leaf.code, "last_year"): 0.3, (leaf.code, "target"): 0.5,
        (survey.code, "value"): 1.5, (bonus.code, "value"): 1, (bonus.code, "appraised"): 0.5,
        (field.code, "deadline"): "Quý III/2027", (field.code, "target"): float(field.max),
        (field.code, "last_year"): 9, (group.code, "note"): "Ghi chú lĩnh vực",
        (sub_group.code, "cause"): "Nguyên nhân chung của nhóm",
    }
    type_into(path, typed)
    appraised_formula = where(path, survey.code, "appraised")
    evidence_row = EVIDENCE_FIRST_ROW + len(read_master(path)[1].state.evidence) + 1
    type_cells(path, {appraised_formula: "=1+0.25",
                      (EVIDENCE_SHEET, f"A{evidence_row}"): leaf.code,
                      (EVIDENCE_SHEET, f"B{evidence_row}"): "99/TB-VP",
                      (EVIDENCE_SHEET, f"C{evidence_row}"): dt.datetime(2026, 4, 2),
                      (EVIDENCE_SHEET, f"D{evidence_row}"): "Thông báo do Văn phòng bổ sung",
                      (EVIDENCE_SHEET, f"G{evidence_row}"): unit})

    # 3. Another program saves the file.
    if saver == "libreoffice":
        path = libreoffice_resave(path, tmp_path / "lo")

    # 4. The unit sends a newer file, then its first one again; sync, check, plan.
    second = unit_return(path, unit, tmp_path / "lan-2", inputs, [
        {"code": leaf.code, "number": f"02/BC-{unit}", "date": dt.datetime(2026, 5, 5),
         "subject": "Báo cáo lần 2"}], saved="2026-12-08T08:00:00Z")
    outcomes = [f.outcome for f in Master.open(path).merge([second]).files]
    assert outcomes == [MERGED]
    late = Master.open(path).merge([first])
    assert [f.outcome for f in late.files] == [ALREADY_MERGED]
    older = unit_return(path, unit, tmp_path / "lan-0", inputs, saved="2026-11-20T08:00:00Z")
    assert [f.outcome for f in Master.open(path).merge([older]).files] == [OLDER]
    Master.open(path).sync()
    checked = Master.open(path).check()
    Master.open(path).export_plan(tmp_path / "kh.docx")
    Master.open(path).export_plan(tmp_path / "kh.xlsx")
    assert checked.exit_code in (0, 1)

    # 5. Everything typed is still there, with its type.
    state = read_master(path)[1].state
    entry = state.entries[leaf.code]
    assert entry.appraised == 0.25 and entry.cause == "Còn hồ sơ trễ hạn"
    assert entry.remedy == "Nhắc hạn từng hồ sơ" and as_date(entry.deadline) == dt.date(2027, 6, 30)
    assert entry.last_year == 0.3 and entry.target == 0.5
    assert state.entries[survey.code].value == 1.5
    assert state.entries[survey.code].appraised.text == "=1+0.25"
    assert state.entries[bonus.code].value == 1 and state.entries[bonus.code].appraised == 0.5
    assert state.entries[field.code].deadline == "Quý III/2027"
    assert state.entries[field.code].last_year == 9
    assert state.entries[group.code].note == "Ghi chú lĩnh vực"
    assert state.entries[sub_group.code].cause == "Nguyên nhân chung của nhóm"
    numbers = {str(r.number): r for r in state.evidence}
    assert "01/BC-" + unit not in numbers and "02/BC-" + unit in numbers  # replaced
    ours = numbers["99/TB-VP"]
    assert ours.origin is None and as_date(ours.date) == dt.date(2026, 4, 2)
    assert as_date(numbers["02/BC-" + unit].date) == dt.date(2026, 5, 5)
    report = Master.open(path).report()
    assert report.nodes[leaf.code].appraised == Decimal("0.25")
    assert report.appraised_bonus == Decimal("0.5")


def council_file(folder: Path, points: dict[str, float]) -> Path:
    """The appraisal council's own table: its header, code and points columns."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["TT", "Mã tiêu chí", "Nội dung", "Điểm thẩm định"])
    for i, (code, value) in enumerate(points.items(), start=1):
        sheet.append([i, code, f"tiêu chí {code}", value])
    folder.mkdir(parents=True, exist_ok=True)
    book.save(folder / "ket-qua-tham-dinh.xlsx")
    return folder / "ket-qua-tham-dinh.xlsx"


@pytest.mark.parametrize("saver", ["openpyxl", pytest.param("libreoffice",
                                                            marks=pytest.mark.libreoffice)])
def test_a_year_in_the_life_after_self_assessment(saver, master, tmp_path):
    """The rounds after self-assessment on one master: the Văn phòng types on 'Thông tin chung',
    the appraisal sheet and the tracker; another program saves the file; then appraisal, sync,
    check, report, the plan round (a unit's plan return merged), plan and progress all run, and
    every typed value is still there with its type."""
    from cchc_xl.format.layout import EXPLANATION_SHEET, TRACKER_SHEET
    from cchc_xl.format.tracker import TASK_COL, TASK_FIRST_ROW
    from cchc_xl.sample_data import fill_plan_with_openpyxl

    Master.open(master).merge([unit_return(master, u, tmp_path / "r", inputs)
                               for u, inputs in (("VP", VP_INPUTS), ("NV1", NV1_INPUTS))])
    own = Master.open(master).report().nodes["2.1"].points
    Master.open(master).import_appraisal(council_file(tmp_path / "hd", {"2.1": float(own) - 1}))

    # The Văn phòng types: settings and published results, an explanation, a task.
    type_names(master, {"CCHC_ORG_SIGNER_NAME": "Nguyễn Văn An",
                        "CCHC_RETURN_DEADLINE": dt.datetime(2026, 12, 5),
                        "CCHC_PUBLISHED_RANK": "8/21", "CCHC_PUBLISHED_INDEX": 0.8917})
    book = openpyxl.load_workbook(master)
    explanation = next(r for r in book[EXPLANATION_SHEET].iter_rows(min_row=5)
                       if r[0].value == "2.1")
    explanation[5].value = "Hồ sơ trễ hạn do chờ xác minh"
    tracker, row = book[TRACKER_SHEET], TASK_FIRST_ROW + 1
    for key, value in (("code", "2.2"), ("task", "Văn phòng đôn đốc số hóa"), ("lead", "VP"),
                       ("deadline", dt.datetime(2027, 9, 30)), ("status", "đang thực hiện")):
        tracker.cell(row=row, column=TASK_COL[key] + 1, value=value)
    book.save(master)
    path = libreoffice_resave(master, tmp_path / "lo") if saver == "libreoffice" else master

    # Every command of the rounds after self-assessment.
    Master.open(path).sync()
    Master.open(path).check()
    Master.open(path).export_report(tmp_path / "bc.docx", evidence_dir=tmp_path / "goi")
    sent = Master.open(path).split_plan(tmp_path / "kh", units=["NV1"]).files[0]
    plan = fill_plan_with_openpyxl(sent, tmp_path / "kh-ve" / sent.name, causes={
        "2.1": ("Chờ kết quả xác minh", "Nhắc hạn từng hồ sơ")}, tasks=[
        {"code": "2.1", "task": "Theo dõi hạn từng hồ sơ", "deadline": dt.datetime(2027, 3, 31),
         "status": "chưa thực hiện"}])
    assert Master.open(path).merge([plan]).files[0].outcome == MERGED
    Master.open(path).import_appraisal(council_file(tmp_path / "hd2", {"2.1": float(own) - 0.5}))
    Master.open(path).export_plan(tmp_path / "kh.docx")
    Master.open(path).export_progress(tmp_path / "td.xlsx", on=dt.date(2027, 6, 30))

    state = read_master(path)[1].state
    assert state.info["signer_name"] == "Nguyễn Văn An"
    assert as_date(state.info["return_deadline"]) == dt.date(2026, 12, 5)
    assert state.info["published.rank"] == "8/21" and state.info["published.index"] == 0.8917
    typed = state.explanations["2.1"]
    assert typed.explanation == "Hồ sơ trễ hạn do chờ xác minh"
    assert typed.first == float(own) - 1  # the first round stays; the final points moved on
    assert state.entries["2.1"].appraised == float(own) - 0.5
    assert state.entries["2.1"].cause == "Chờ kết quả xác minh"
    ours, theirs = state.tasks
    assert (ours.code, ours.lead, ours.origin, ours.status) == ("2.2", "VP", None,
                                                                 "đang thực hiện")
    assert as_date(ours.deadline) == dt.date(2027, 9, 30)
    assert (theirs.origin, theirs.task) == ("NV1", "Theo dõi hạn từng hồ sơ")
    assert as_date(theirs.deadline) == dt.date(2027, 3, 31)


def test_reading_a_password_master_needs_no_password(tiny_yaml, tmp_path, capsys):
    """check and plan have no --password option: they only read."""
    from cchc_xl.cli import run

    path = tmp_path / "m.xlsx"
    Master.create(tiny_yaml, path, password="bí mật")
    assert run(["check", str(path)]) == 0
    assert run(["plan", str(path), "--out", str(tmp_path / "kh.docx")]) == 0
    assert run(["split", str(path), "--out", str(tmp_path / "gui")]) == 0
    assert run(["sync", str(path)]) == 2
    assert "--password" in capsys.readouterr().err


def test_last_year_is_not_capped_by_this_years_maximum(master):
    """A field whose maximum fell keeps last year's published points (validation allows it)."""
    book = openpyxl.load_workbook(master)
    sheet, ref = where(master, "1", "last_year")
    rules = [dv for dv in book[sheet].data_validations.dataValidation if ref in str(dv.sqref)]
    assert rules and rules[0].operator == "greaterThanOrEqual"
    type_into(master, {("1", "last_year"): 4.5})  # field 1's maximum is 4 this year
    Master.open(master).sync()
    assert Master.open(master).report().nodes["1"].last_year == Decimal("4.5")


def test_messages_quote_cells_as_a_person_sees_them(master, tmp_path):
    """Cells are quoted as Excel shows them: a blank as 'ô trống', a date dd/mm/yyyy, never
    Python's None, datetime.datetime(…) or Formula(…); a date typed as a formula is a date."""
    sent = unit_return(master, "NV1", tmp_path / "r", NV1_INPUTS)
    book = openpyxl.load_workbook(sent)
    sheet, ref = where(master, "2.1", "code")
    book[sheet][ref] = None  # the code of a row deleted
    book.save(sent)
    problems = [p.message for p in Master.open(master).merge([sent], dry_run=True).files[0].errors]
    assert any("nhưng đang là ô trống" in m for m in problems), problems


@pytest.mark.libreoffice
def test_a_date_typed_as_a_formula_in_the_register_is_a_date(master, tmp_path):
    row = EVIDENCE_FIRST_ROW + 1
    type_cells(master, {(EVIDENCE_SHEET, f"A{row}"): "2.1", (EVIDENCE_SHEET, f"D{row}"): "Báo cáo",
                        (EVIDENCE_SHEET, f"C{row}"): "=DATE(2026,3,15)",
                        (EVIDENCE_SHEET, f"A{row + 1}"): "2.2",
                        (EVIDENCE_SHEET, f"D{row + 1}"): "Kế hoạch",
                        (EVIDENCE_SHEET, f"C{row + 1}"): "hôm qua"})
    path = libreoffice_resave(master, tmp_path / "lo")  # computes the formula's value
    messages = [str(p) for p in Master.open(path).check().problems]
    dates = [m for m in messages if "ngày ban hành" in m]
    assert dates == [m for m in dates if "'hôm qua' không phải ngày" in m] and dates, messages
    assert not any(word in m for m in messages for word in ("None", "Formula(", "datetime"))


@pytest.mark.parametrize("damage", ["empty", "truncated"])
def test_a_damaged_master_is_told_to_be_restored_from_its_backups(master, damage):
    """The checks' advice for a unit's return ('ask the unit to send it again') made no sense
    for the master: its previous version is in sao-luu."""
    data = master.read_bytes()
    master.write_bytes(b"" if damage == "empty" else data[: len(data) // 2])
    with pytest.raises(FileError) as refused:
        Master.open(master)
    text = " ".join(str(p) for p in refused.value.problems)
    assert "sao-luu" in text and "đơn vị" not in text and "gửi lại" not in text


def test_check_names_the_cell_of_a_wrong_register_row_before_and_after_a_write(master):
    """check() named only the sheet of a wrong evidence row; after a write the rows close up."""
    row = EVIDENCE_FIRST_ROW + 3  # two blank rows above it
    type_cells(master, {(EVIDENCE_SHEET, f"A{row}"): "2.1", (EVIDENCE_SHEET, f"D{row}"): "Báo cáo",
                        (EVIDENCE_SHEET, f"C{row}"): "hôm qua"})
    opened = Master.open(master)
    cells = [p.cell for p in opened.check().problems if p.sheet == EVIDENCE_SHEET]
    assert cells == [f"C{row}"]
    opened.sync()
    cells = [p.cell for p in opened.check().problems if p.sheet == EVIDENCE_SHEET]
    assert cells == [f"C{EVIDENCE_FIRST_ROW + 1}"]
    assert cells == [p.cell for p in Master.open(master).check().problems
                     if p.sheet == EVIDENCE_SHEET]
