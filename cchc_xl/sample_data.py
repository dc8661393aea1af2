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
