"""Realistic inputs for the sample catalogue, and a way to type them into unit workbooks.

Used by `cchc-xl demo`, the end-to-end tests and the benchmarks. The seeds' real figures are
used where the sample has the matching item (285/291 tasks on time, 14673/14697 files on time,
9129/14697 electronic results …); other items get deterministic plausible values, so a demo run
always shows the same numbers. Units "type" with openpyxl, as a script or another program would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .criteria.catalogue import Catalogue, Leaf
from .format.layout import (
    EVIDENCE_COL,
    EVIDENCE_FIRST_ROW,
    EVIDENCE_SHEET,
    INPUT_NAME,
    defined_name,
)
from .format.state import Entry, EvidenceRow

# The seeds' own figures, by the sample catalogue's codes.
SEED_FIGURES: dict[str, dict[str, Any]] = {
    "1.5": {"a": 291, "b": 285},          # Khánh Hòa I.5 → 2 points
    "3.3.2": {"a": 14697, "b": 9129},     # II.2.3.3.1 → 0,31
    "3.3.3": {"a": 14697, "b": 9042},     # II.2.3.3.2 → 0,31
    "3.4.1": {"a": 14697, "b": 14673},    # II.2.4.2.1 → 4,5
    "3.2.2": {"value": "Đạt", "supp": "x"},  # II.2.2.2.3 supplemented → 0,35
    "7.4.1": {"a": 15047, "b": 3159},     # II.6.5.2 against a 50% target
    "7.4.2": {"a": 15065, "b": 3158},     # II.6.6.2
}


def _pick(code: str, n: int) -> int:
    """A stable pseudo-random number in [0, n) from the code."""
    return int(hashlib.sha256(code.encode()).hexdigest()[:8], 16) % n


def sample_entry(leaf: Leaf) -> Entry:
    """Plausible inputs for one leaf (mostly full marks, some losses, like a real Sở)."""
    if leaf.code in SEED_FIGURES:
        return Entry(**SEED_FIGURES[leaf.code])
    return Entry(**leaf.rule.sample_inputs(leaf.max, lambda n, salt="": _pick(leaf.code + salt, n)))


def sample_state_entries(catalogue: Catalogue, unit: str | None = None) -> dict[str, Entry]:
    """Entries for every leaf a unit enters (or, with unit None, every leaf)."""
    if unit is None:
        return {leaf.code: sample_entry(leaf) for leaf in catalogue.all_leaves()}
    return {leaf.code: sample_entry(leaf) for leaf in catalogue.unit_leaves(unit)}


# How the sample's documents are numbered: by kind of document and by who issues them (a Sở
# numbers its documents "125/KH-STP"; its public-service units have their own symbol).
DOCUMENT_KINDS = (("kế hoạch", "KH"), ("báo cáo", "BC"), ("quyết định", "QĐ"),
                  ("thông báo", "TB"), ("biên bản", "BB"), ("quy chế", "QC"))
ISSUERS = {"TGPL": ("TTTGPL", "Trung tâm Trợ giúp pháp lý nhà nước tỉnh Lạng Sơn"),
           "CC1": ("PCC1", "Phòng Công chứng số 1 tỉnh Lạng Sơn")}
SO = ("STP", "Sở Tư pháp tỉnh Lạng Sơn")
UBND = ("UBND", "UBND tỉnh Lạng Sơn")


def sample_evidence(catalogue: Catalogue, unit: str, year: int) -> list[EvidenceRow]:
    """One evidence row per scored item of the unit, except a few (the 30% risk the demo shows).

    Numbered as a Sở's documents are: '127/KH-STP' (the Sở), '58/QĐ-UBND' (the province's
    decisions), '15/BC-TTTGPL' (a public-service unit's own reports).
    """
    rows = []
    for leaf in catalogue.unit_leaves(unit):
        if _pick(leaf.code + "ev", 8) == 0:
            continue  # missing evidence: merge warns about it
        text = leaf.evidence or f"Báo cáo kết quả thực hiện tiêu chí {leaf.code}"
        kind = next((k for word, k in DOCUMENT_KINDS if word in text.lower()), "BC")
        symbol, issuer = ISSUERS.get(unit, UBND if "UBND tỉnh" in text and kind == "QĐ" else SO)
        month, day = 1 + _pick(leaf.code, 11), 1 + _pick(leaf.code + "d", 27)
        number = 10 * month + _pick(leaf.code + "n", 10) + (0 if symbol in ("STP", "UBND") else -8)
        rows.append(EvidenceRow(
            code=leaf.code, number=f"{max(number, 1)}/{kind}-{symbol}",
            date=dt.date(year, month, day), subject=text[:200], issuer=issuer,
            link=f"\\\\may-chu\\CCHC\\{year}\\{unit}\\{leaf.code}.pdf"))
    return rows


def fill_with_openpyxl(src: Path, dst: Path, entries: dict[str, Entry],
                       evidence: list[EvidenceRow]) -> None:
    """Type entries into a unit workbook's input cells (found by defined names), save as dst."""
    import openpyxl

    book = openpyxl.load_workbook(src)
    names = book.defined_names

    def put(name: str, value: Any) -> None:
        if name not in names:
            return
        for sheet, ref in names[name].destinations:
            _set(book[sheet][ref.replace("$", "")], value)

    for code, entry in entries.items():
        for key, what in INPUT_NAME.items():
            value = getattr(entry, key)
            if value is not None:
                put(defined_name(what, code), value)
    register = book[EVIDENCE_SHEET]
    for i, row in enumerate(evidence):
        for key, col in EVIDENCE_COL.items():
            value = getattr(row, key)
            if value is not None:
                _set(register.cell(row=EVIDENCE_FIRST_ROW + i + 1, column=col + 1), value)
    book.save(dst)


def _set(cell: Any, value: Any) -> None:
    # openpyxl turns any text starting with "=" into a formula; what a user typed stays text.
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def fill_sample_returns(catalogue: Catalogue, sent: Iterable[Path], folder: Path) -> list[Path]:
    """Each unit workbook typed with the sample figures and evidence and saved into `folder`,
    as the units would send them back (the file names `split` gave them)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    returned = []
    for path in sent:
        unit = Path(path).stem.rsplit("-", 1)[1]
        fill_with_openpyxl(Path(path), folder / Path(path).name,
                           sample_state_entries(catalogue, unit),
                           sample_evidence(catalogue, unit, catalogue.year))
        returned.append(folder / Path(path).name)
    return returned


# ---------------------------------------------------------------------------------------------
# The remediation plan's round: a unit fills its plan workbook (causes, solutions, tasks), then
# updates the tasks' progress through the year.

# Plausible causes and remedies, picked by code so a demo run always shows the same text.
SAMPLE_CAUSES = (
    ("Một số hồ sơ giải quyết quá hạn do phải chờ kết quả xác minh của cơ quan khác.",
     "Theo dõi hạn giải quyết từng hồ sơ trên Hệ thống; nhắc việc trước hạn 3 ngày."),
    ("Tỷ lệ hồ sơ trực tuyến còn thấp; người dân chưa quen nộp hồ sơ trực tuyến.",
     "Hướng dẫn trực tiếp tại Bộ phận Một cửa; tuyên truyền trên Cổng thông tin điện tử."),
    ("Báo cáo gửi chưa đúng hạn theo quy định.",
     "Lập lịch báo cáo cả năm; phân công người theo dõi và đôn đốc."),
)
SAMPLE_DEADLINES = ((3, 31), (6, 30), (9, 30))


def fill_plan_with_openpyxl(src: Path, dst: Path, *,
                            causes: dict[str, tuple[str, str]] | None = None,
                            tasks: Iterable[dict[str, Any]] = (), first: int = 0,
                            clear: int = 0) -> Path:
    """A unit types into its plan workbook: causes and solutions by code, task rows from the
    `first` task row, after emptying `clear` rows from there. Saved as dst."""
    import openpyxl

    from .format.tracker import (ITEM_COL, ITEM_FIRST_ROW, PLAN_ITEMS_SHEET, PLAN_TASK_COL,
                                 PLAN_TASK_FIRST_ROW, PLAN_TASKS_SHEET)

    causes = causes or {}
    book = openpyxl.load_workbook(src)
    items = book[PLAN_ITEMS_SHEET]
    for r in range(ITEM_FIRST_ROW + 1, items.max_row + 1):
        code = items.cell(row=r, column=ITEM_COL["code"] + 1).value
        if code in causes:
            for key, text in zip(("cause", "remedy"), causes[code]):
                _set(items.cell(row=r, column=ITEM_COL[key] + 1), text)
    sheet = book[PLAN_TASKS_SHEET]
    typed = [key for key in PLAN_TASK_COL if key not in ("name", "overdue", "source")]
    for i in range(clear):
        for key in typed:  # `cell(value=None)` would keep the value: assign instead
            sheet.cell(row=PLAN_TASK_FIRST_ROW + first + i + 1,
                       column=PLAN_TASK_COL[key] + 1).value = None
    for i, row in enumerate(tasks):
        for key, value in row.items():
            _set(sheet.cell(row=PLAN_TASK_FIRST_ROW + first + i + 1,
                            column=PLAN_TASK_COL[key] + 1), value)
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    book.save(dst)
    return Path(dst)


def plan_items(path: Path) -> list[str]:
    """The codes a plan workbook asks its unit to remedy, in its order."""
    from .files.grids import Book, cell
    from .format.tracker import ITEM_COL, ITEM_FIRST_ROW, PLAN_ITEMS_SHEET

    grid = Book(Path(path)).grid(PLAN_ITEMS_SHEET) or []
    codes = (cell(grid, r, ITEM_COL["code"]) for r in range(ITEM_FIRST_ROW, len(grid)))
    return [str(code) for code in codes if code is not None]


def fill_sample_plan(src: Path, dst: Path, year: int) -> Path:
    """A unit's first plan return: a cause, a solution and one task for each item it lost
    points on, due at the end of a quarter of `year`."""
    causes, tasks = {}, []
    for code in plan_items(src):
        causes[code] = SAMPLE_CAUSES[_pick(code, len(SAMPLE_CAUSES))]
        month, day = SAMPLE_DEADLINES[_pick(code + "#", len(SAMPLE_DEADLINES))]
        tasks.append({"code": code, "task": f"Khắc phục tiêu chí {code}: {causes[code][1]}",
                      "deliverable": "Báo cáo kết quả khắc phục",
                      "deadline": dt.date(year, month, day), "status": "chưa thực hiện"})
    return fill_plan_with_openpyxl(src, dst, causes=causes, tasks=tasks)


def update_sample_plan(src: Path, dst: Path, on: dt.date, late: Iterable[str] = ()) -> Path:
    """A unit's progress update on `on`, typed into the plan workbook it was sent (prefilled with
    its tasks): every task due by then is done five days early, except those of the codes in
    `late`, still in progress."""
    from .files.grids import Book, cell
    from .format.tracker import PLAN_TASK_COL, PLAN_TASK_FIRST_ROW, PLAN_TASKS_SHEET

    grid = Book(Path(src)).grid(PLAN_TASKS_SHEET) or []
    late, col = set(late), PLAN_TASK_COL
    updates: list[dict[str, Any]] = []
    for r in range(PLAN_TASK_FIRST_ROW, len(grid)):
        code, deadline = cell(grid, r, col["code"]), cell(grid, r, col["deadline"])
        if code in (None, "") or not isinstance(deadline, dt.date):
            updates.append({})
            continue
        deadline = deadline.date() if isinstance(deadline, dt.datetime) else deadline
        if deadline > on:
            updates.append({})
        elif code in late:
            updates.append({"status": "đang thực hiện"})
        else:
            updates.append({"status": "hoàn thành", "completed": deadline - dt.timedelta(days=5),
                            "evidence": f"Báo cáo kết quả khắc phục tiêu chí {code}"})
    return _update_rows(src, dst, updates)


def _update_rows(src: Path, dst: Path, updates: list[dict[str, Any]]) -> Path:
    import openpyxl

    from .format.tracker import PLAN_TASK_COL, PLAN_TASK_FIRST_ROW, PLAN_TASKS_SHEET

    book = openpyxl.load_workbook(src)
    sheet = book[PLAN_TASKS_SHEET]
    for i, update in enumerate(updates):
        for key, value in update.items():
            _set(sheet.cell(row=PLAN_TASK_FIRST_ROW + i + 1, column=PLAN_TASK_COL[key] + 1),
                 value)
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    book.save(dst)
    return Path(dst)
