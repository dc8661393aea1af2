"""Parity: the native formulas of generated workbooks equal the Python engine, in LibreOffice.

Workbooks are built from the parity matrix (`tests/parity_cases.py`: one leaf per edge case,
every rule kind), from the tiny catalogue with the seeds' figures and from the bundled sample.
Two ways of getting inputs into a file:

* "state": the builder writes the inputs (`build_master` / `build_unit` from a `State`);
* "filled": the EMPTY unit workbook is built, then its input cells (found through the defined
  names CCHC_A_<code> …) are typed with openpyxl and saved as a copy. openpyxl drops every
  cached value, so only a recalculation can produce the numbers.

All files are recalculated in ONE LibreOffice run (vi-VN locale) and read with python-calamine.
For every file: the probe reads 2, no cell is an error, every leaf's points and applicable max,
every parent/field total and (masters) the summary, bonus/penalty, total, index, rating and the
gap-analysis labels equal the engine's. The cached values XlsxWriter wrote must equal what
LibreOffice computes. A second LibreOffice run prints the sample master and a unit workbook to
PDF; the pages are rendered and their text is checked.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from defusedxml.ElementTree import fromstring, iterparse
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from cchc_xl.criteria.catalogue import Catalogue, Group, load_catalogue, parse_catalogue
from cchc_xl.criteria.engine import LeafScore
from cchc_xl.format.layout import (
    COL,
    COVER_SHEET,
    EVIDENCE_SHEET,
    EXTRAS_SHEET,
    GAP_SHEET,
    INPUT_NAME,
    LOG_SHEET,
    META_MAP_FIRST_COL,
    META_SHEET,
    INFO_SHEET,
    SUMMARY_SHEET,
    defined_name,
    field_sheet_name,
)
from devtools.libreoffice import (
    convert,
    error_cells,
    read_values,
    recalculate,
    render_pdf,
)
from cchc_xl.criteria.numbers import round_half_up
from cchc_xl.analysis.report import Report, build_report, change_text, index_label, lost_label
from cchc_xl.format.state import Entry, State
from cchc_xl.build import build_master, build_unit
from cchc_xl.format.layout import GAP_HEADER_ROW
from cchc_xl.build.summary import LEAF_GAP_HEADERS, S

sys.path.insert(0, str(Path(__file__).resolve().parent))  # conftest and parity_cases, however run
from conftest import SAMPLE, needs_poppler, tiny_data  # noqa: E402
from parity_cases import (  # noqa: E402
    KNOWN_DIFFERENCES,
    as_decimal,
    cases_by_code,
    matrix_catalogue,
    matrix_state,
    quirks_data,
    quirks_state,
    tiny_boundary_state,
    tiny_pending_state,
    tiny_state,
)

# Every test that needs the recalculated or printed books is marked `libreoffice` and `slow`;
# the engine against the hand-worked answers runs everywhere.

LOCALE = "vi-VN"
PROBE = "CCHC_RECALC_PROBE"
TWO, FOUR = Decimal("0.01"), Decimal("0.0001")


# ---------------------------------------------------------------------------------------------
# The books


@dataclass
class Book:
    """One workbook under test and everything needed to predict its cells."""

    key: str  # also the file stem
    catalogue: Catalogue
    state: State  # exactly what the input cells hold (the engine scores this)
    kind: str  # master | unit
    unit: str | None = None
    filled: bool = False  # inputs typed with openpyxl into an empty workbook
    built: Path = Path()
    recalculated: Path = Path()
    report: Report | None = None
    names: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    fresh_values: dict[str, list[list[Any]]] = field(default_factory=dict)
    values: dict[str, list[list[Any]]] = field(default_factory=dict)

    def cell(self, name: str, values: dict[str, list[list[Any]]] | None = None) -> Any:
        sheet, row, col = self.names[name]
        return at(values if values is not None else self.values, sheet, row, col)


def _units(catalogue: Catalogue) -> list[str]:
    return [u.code for u in catalogue.units if catalogue.has_items(u.code)]


def _own_state(catalogue: Catalogue, state: State, unit: str) -> State:
    """What a filled unit workbook holds: the unit's own inputs, nothing else. Bonus and penalty
    items are the Văn phòng's (master only), even when a unit is named as their lead."""
    entries = {}
    for leaf in catalogue.leaves():
        if leaf.lead == unit and leaf.rule.unit_input and leaf.code in state.entries:
            e = state.entries[leaf.code]
            entries[leaf.code] = Entry(a=e.a, b=e.b, value=e.value, na=e.na, supp=e.supp)
    return State("unit", org=state.org, unit=unit, entries=entries)


def book_specs() -> list[Book]:
    matrix, tiny, sample = matrix_catalogue(), parse_catalogue(tiny_data()), load_catalogue(SAMPLE)
    m_state = matrix_state()
    books = [Book("matrix_master", matrix, m_state, "master")]
    for unit in _units(matrix):
        books.append(Book(f"matrix_unit_{unit}", matrix, m_state, "unit", unit))
        books.append(Book(f"matrix_filled_{unit}", matrix, _own_state(matrix, m_state, unit),
                          "unit", unit, filled=True))
    books += [
        Book("tiny_master", tiny, tiny_state(), "master"),
        Book("tiny_master_90", tiny, tiny_boundary_state(), "master"),
        Book("tiny_master_84", tiny, tiny_boundary_state(penalty=True), "master"),
        Book("tiny_master_pending", tiny, tiny_pending_state(), "master"),
        Book("tiny_unit_NV1", tiny, tiny_state(), "unit", "NV1"),
        Book("tiny_unit_VP", tiny, tiny_state(), "unit", "VP"),
        Book("tiny_filled_VP", tiny, _own_state(tiny, tiny_state(), "VP"), "unit", "VP",
             filled=True),
        Book("sample_master_empty", sample, State("master"), "master"),
        Book(QUIRKS, parse_catalogue(quirks_data()), quirks_state(), "master"),
    ]
    return books


QUIRKS = "quirks_master"  # known LibreOffice differences: checked on their own
BOOK_KEYS = [b.key for b in book_specs() if b.key != QUIRKS]
MASTER_KEYS = [k for k in BOOK_KEYS if "master" in k]
STATE_KEYS = [k for k in BOOK_KEYS if "filled" not in k]


@dataclass
class Run:
    books: dict[str, Book]
    build_seconds: float
    recalc_seconds: float


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Build every book, fill the 'filled' ones with openpyxl, recalculate all in one batch."""
    root = tmp_path_factory.mktemp("parity")
    built_dir, out_dir = root / "built", root / "recalculated"
    built_dir.mkdir()
    started = time.perf_counter()
    books = {b.key: b for b in book_specs()}
    for book in books.values():
        book.built = built_dir / f"{book.key}.xlsx"
        if book.filled:
            empty = built_dir / f"{book.key}_empty.xlsx"
            build_unit(book.catalogue, State("master", org=book.state.org), book.unit or "",
                       empty, recalc_probe=True)
            fill_with_openpyxl(empty, book.built, book.state)
        elif book.kind == "master":
            build_master(book.catalogue, book.state, book.built, recalc_probe=True)
        else:
            build_unit(book.catalogue, book.state, book.unit or "", book.built,
                       recalc_probe=True)
        book.report = build_report(book.catalogue, book.state)
        book.names = defined_names(book.built)
        book.fresh_values = read_values(book.built)
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    outputs = recalculate([b.built for b in books.values()], out_dir, locale=LOCALE)
    recalc_seconds = time.perf_counter() - started
    for book, out in zip(books.values(), outputs, strict=True):
        book.recalculated = out
        book.values = read_values(out)
    return Run(books, build_seconds, recalc_seconds)


def fill_with_openpyxl(empty: Path, target: Path, state: State) -> None:
    """Type a unit's inputs into its empty workbook, as a person (or another tool) would."""
    import openpyxl

    names = defined_names(empty)
    wb = openpyxl.load_workbook(empty)
    for code, entry in state.entries.items():
        for key, what in INPUT_NAME.items():
            value = getattr(entry, key)
            if value is None:
                continue
            name = defined_name(what, code)
            assert name in names, f"{name} missing in the unit workbook"
            sheet, row, col = names[name]
            wb[sheet].cell(row + 1, col + 1).value = (
                float(value) if isinstance(value, Decimal) else value)
    wb.save(target)


# ---------------------------------------------------------------------------------------------
# Reading helpers


def at(values: dict[str, list[list[Any]]], sheet: str, row: int, col: int) -> Any:
    rows = values[sheet]
    if row >= len(rows) or col >= len(rows[row]):
        return ""
    return rows[row][col]


def _parts(zf: zipfile.ZipFile) -> tuple[Any, dict[str, str]]:
    """workbook.xml's root and sheet name → worksheet part."""
    root = fromstring(zf.read("xl/workbook.xml"))
    rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target").lstrip("/") for r in rels}
    sheets = {}
    for el in root.iter():
        if el.tag.endswith("}sheet"):
            rid = next(v for k, v in el.attrib.items() if k.endswith("}id"))
            target = targets[rid]
            sheets[el.get("name")] = target if target.startswith("xl/") else "xl/" + target
    return root, sheets


def defined_names(path: Path) -> dict[str, tuple[str, int, int]]:
    """Single-cell defined names of a workbook → (sheet, 0-based row, 0-based column)."""
    with zipfile.ZipFile(path) as zf:
        root, _ = _parts(zf)
    names = {}
    for el in root.iter():
        if el.tag.endswith("}definedName") and el.get("localSheetId") is None:
            found = _SINGLE_CELL.match(el.text or "")
            if found:
                quoted, bare, letters, row = found.groups()
                sheet = quoted.replace("''", "'") if quoted is not None else bare
                names[el.get("name")] = (sheet, int(row) - 1,
                                         column_index_from_string(letters) - 1)
    return names


# A quoted sheet name doubles its apostrophes: 'Thủ tục ''một cửa'!$E$5. (openpyxl's
# destinations and range_to_tuple leave them doubled, so they are parsed here.)
_SINGLE_CELL = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]+)\$?([0-9]+)$")


def formula_cells(path: Path) -> dict[str, list[tuple[int, int]]]:
    """Every cell holding a formula, by sheet (0-based row, column)."""
    result: dict[str, list[tuple[int, int]]] = {}
    with zipfile.ZipFile(path) as zf:
        _, sheets = _parts(zf)
        for sheet, part in sheets.items():
            cells = []
            with zf.open(part) as fh:
                for _, el in iterparse(fh):
                    if el.tag.endswith("}c"):
                        if any(ch.tag.endswith("}f") for ch in el):
                            letters, row = coordinate_from_string(el.get("r"))
                            cells.append((row - 1, column_index_from_string(letters) - 1))
                        el.clear()
            result[sheet] = cells
    return result


def row_map(values: dict[str, list[list[Any]]]) -> dict[str, tuple[str, int, str]]:
    """The metadata sheet's row map: code → (sheet, 0-based row, role)."""
    result = {}
    for r in values[META_SHEET][1:]:
        code = r[META_MAP_FIRST_COL] if len(r) > META_MAP_FIRST_COL else ""
        if code:
            sheet, row, role = r[META_MAP_FIRST_COL + 1:META_MAP_FIRST_COL + 4]
            result[str(code)] = (sheet, int(row) - 1, role)
    return result


# ---------------------------------------------------------------------------------------------
# Comparing


def expected_cell(score: LeafScore) -> Decimal | str:
    return score.points if score.status == "ok" and score.points is not None else score.cell_text


def blank_or(value: Decimal | None) -> Decimal | str:
    return "" if value is None else value


def matches(got: Any, expected: Decimal | str, places: Decimal = TWO) -> bool:
    """Numbers after rounding (2 decimals unless told), text exactly; '' means blank/empty text."""
    if isinstance(expected, str):
        return isinstance(got, str) and got == expected
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return False
    return round_half_up(Decimal(repr(got)), places) == round_half_up(expected, places)


class Mismatches:
    """Collects every disagreement of a test, so one run shows them all."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.items: list[str] = []

    def check(self, what: str, got: Any, expected: Decimal | str, places: Decimal = TWO) -> None:
        if not matches(got, expected, places):
            self.items.append(f"{what}: LibreOffice {got!r} != engine {expected!r}")

    def assert_none(self) -> None:
        assert not self.items, (f"{self.book.key}: {len(self.items)} mismatches\n"
                                + "\n".join(self.items))


def case_label(code: str) -> str:
    case = cases_by_code().get(code)
    return f"{code} ({case.name})" if case else code


# ---------------------------------------------------------------------------------------------
# Python alone: the engine against the hand-worked answers (the third opinion)


def test_engine_matches_hand_worked_answers() -> None:
    report = build_report(matrix_catalogue(), matrix_state())
    wrong = []
    for code, case in cases_by_code().items():
        if case.expect == "unchecked":
            continue
        got = expected_cell(report.assessment.leaves[code])
        if got != as_decimal(case.expect):
            wrong.append(f"{case_label(code)}: engine {got!r}, by hand {case.expect!r}")
    assert not wrong, "\n".join(wrong)
    assert len(cases_by_code()) >= 100


# ---------------------------------------------------------------------------------------------
# Every book


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("key", BOOK_KEYS)
def test_recalculation_really_happened(run: Run, key: str) -> None:
    book = run.books[key]
    assert book.cell(PROBE) == 2
    if not book.filled:
        assert book.cell(PROBE, book.fresh_values) == 0  # XlsxWriter's deliberately wrong cache


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("key", BOOK_KEYS)
def test_no_cell_is_an_error(run: Run, key: str) -> None:
    book = run.books[key]
    errors = {}
    for path in (book.built, book.recalculated):
        for sheet in book.values:
            found = error_cells(path, sheet)
            if found:
                errors[f"{path.parent.name}/{sheet}"] = found
    assert errors == {}


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("key", BOOK_KEYS)
def test_leaf_cells_equal_engine(run: Run, key: str) -> None:
    book = run.books[key]
    assert book.report is not None
    scores = book.report.assessment.leaves
    bad = Mismatches(book)
    checked = 0
    for leaf in book.catalogue.all_leaves():
        name = defined_name("POINTS", leaf.code)
        if name not in book.names:
            continue
        score = scores[leaf.code]
        bad.check(f"points {case_label(leaf.code)}", book.cell(name), expected_cell(score))
        bad.check(f"applicable {case_label(leaf.code)}",
                  book.cell(defined_name("APPLICABLE", leaf.code)), score.applicable_max)
        checked += 1
    expected_count = len(list(book.catalogue.all_leaves())) if book.kind == "master" else \
        sum(1 for leaf in book.catalogue.leaves()
            if leaf.lead == book.unit and leaf.rule.unit_input)
    assert checked == expected_count
    bad.assert_none()


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("key", BOOK_KEYS)
def test_support_rows_equal_engine(run: Run, key: str) -> None:
    """Rows a unit supports show the lead's formula too (read-only); they must compute as well."""
    book = run.books[key]
    assert book.report is not None
    bad = Mismatches(book)
    for code, (sheet, row, role) in row_map(book.values).items():
        if role == "support":
            score = book.report.assessment.leaves[code]
            bad.check(f"support points {case_label(code)}",
                      at(book.values, sheet, row, COL["points"]), expected_cell(score))
    bad.assert_none()


def _unit_totals(node: Group, book: Book) -> tuple[Decimal, Decimal] | None:
    """A unit file's parent row: its own leaves' sums; None (blank) when nothing counts."""
    assert book.report is not None
    scores = book.report.assessment.leaves
    own = [leaf for leaf in node.leaves() if leaf.lead == book.unit and leaf.rule.unit_input]
    if not own:
        return None
    return (sum((scores[x.code].applicable_max for x in own), Decimal(0)),
            sum((scores[x.code].earned for x in own), Decimal(0)))


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("key", BOOK_KEYS)
def test_parent_and_field_totals_equal_engine(run: Run, key: str) -> None:
    book = run.books[key]
    assert book.report is not None
    nodes = book.report.nodes
    groups = {n.code: n for n in book.catalogue.nodes() if isinstance(n, Group)}
    bad = Mismatches(book)
    seen = 0
    for code, (sheet, row, role) in row_map(book.values).items():
        if role not in ("group", "field"):
            continue
        seen += 1
        applicable = at(book.values, sheet, row, COL["applicable"])
        points = at(book.values, sheet, row, COL["points"])
        if book.kind == "master":
            report = nodes[code]
            bad.check(f"group {code} applicable", applicable, report.applicable_max)
            bad.check(f"group {code} points", points, report.points)
            bad.check(f"group {code} appraised", at(book.values, sheet, row, COL["appraised"]),
                      blank_or(report.appraised))
        else:
            totals = _unit_totals(groups[code], book)
            bad.check(f"group {code} applicable", applicable, "" if totals is None else totals[0])
            bad.check(f"group {code} points", points, "" if totals is None else totals[1])
    if book.kind == "master":
        assert seen == len(groups)
        for f in book.report.fields:
            bad.check(f"field {f.code} applicable (name)",
                      book.cell(defined_name("FIELD_APPLICABLE", f.code)), f.applicable_max)
            bad.check(f"field {f.code} points (summary)",
                      book.cell(defined_name("FIELD_POINTS", f.code)), f.points)
    bad.assert_none()


# ---------------------------------------------------------------------------------------------
# Masters: summary, bonus/penalty, total, index, rating, gap analysis


def _label_row(values: dict[str, list[list[Any]]], sheet: str, label: str) -> int:
    rows = [i for i, r in enumerate(values[sheet]) if len(r) > 1 and r[1] == label]
    assert len(rows) == 1, f"{label!r} on {sheet}: rows {rows}"
    return rows[0]


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("key", MASTER_KEYS)
def test_summary_equals_engine(run: Run, key: str) -> None:
    book = run.books[key]
    report = book.report
    assert report is not None
    bad = Mismatches(book)
    for f in report.fields:
        sheet, row, _ = book.names[defined_name("FIELD_POINTS", f.code)]
        cells = book.values[sheet][row]
        for key, value, places in (
                ("max", f.max, TWO), ("applicable", f.applicable_max, TWO),
                ("pending", f.pending, TWO), ("points", f.points, TWO),
                ("appraised", blank_or(f.appraised), TWO),
                ("published", blank_or(report.published_field(f.code)), TWO),
                ("last_year", blank_or(f.last_year), TWO),
                ("target", blank_or(f.target), TWO),
                ("sub_index", blank_or(f.sub_index), FOUR)):
            bad.check(f"summary field {f.code} {key}", cells[S[key]], value, places)
    bad.check("CCHC_MAX", book.cell("CCHC_MAX"), report.max)
    bad.check("CCHC_APPLICABLE_MAX", book.cell("CCHC_APPLICABLE_MAX"), report.applicable_max)
    bad.check("CCHC_PENDING", book.cell("CCHC_PENDING"), report.pending)
    bad.check("CCHC_TREE_POINTS", book.cell("CCHC_TREE_POINTS"), report.points)
    sections = (("CCHC_BONUS", book.catalogue.bonus, report.bonus, "Điểm thưởng (trong giới hạn)"),
                ("CCHC_PENALTY", book.catalogue.penalty, report.penalty,
                 "Điểm trừ (trong giới hạn)"))
    for name, section, value, label in sections:
        if section is not None:
            bad.check(name, book.cell(name), value)
        row = _label_row(book.values, SUMMARY_SHEET, label)
        bad.check(f"summary {label}", at(book.values, SUMMARY_SHEET, row, S["points"]), value)
    bad.check("CCHC_TOTAL", book.cell("CCHC_TOTAL"), report.total)
    bad.check("CCHC_INDEX", book.cell("CCHC_INDEX"), blank_or(report.index), FOUR)
    bad.check("CCHC_RATING", book.cell("CCHC_RATING"), report.rating)
    # The appraised column of the totals: appraised where entered, else self-assessed.
    sum_row = book.names["CCHC_TREE_POINTS"][1]
    bad.check("summary appraised sum", at(book.values, SUMMARY_SHEET, sum_row, S["appraised"]),
              blank_or(report.appraised))
    bad.check("CCHC_APPRAISED_TOTAL", book.cell("CCHC_APPRAISED_TOTAL"),
              blank_or(report.appraised_total))
    bad.check("CCHC_APPRAISED_INDEX", book.cell("CCHC_APPRAISED_INDEX"),
              blank_or(report.appraised_index), FOUR)
    bad.check("CCHC_APPRAISED_RATING", book.cell("CCHC_APPRAISED_RATING"),
              report.appraised_rating)
    # The published and last year's columns show what was typed on 'Thông tin chung'; the index
    # row's label says 'tạm tính' while surveys are pending; the change from last year.
    index_row = book.names["CCHC_INDEX"][1]
    bad.check("index label", at(book.values, SUMMARY_SHEET, index_row, S["name"]),
              index_label(report))
    published, last_year = report.published, report.last_year_published
    for row_name, key, value, places in (
            ("CCHC_TOTAL", "published", blank_or(published.total), TWO),
            ("CCHC_TOTAL", "last_year", blank_or(last_year.total), TWO),
            ("CCHC_INDEX", "published", blank_or(published.index), FOUR),
            ("CCHC_INDEX", "last_year", blank_or(last_year.index), FOUR),
            ("CCHC_RATING", "published", report.published_rating, TWO),
            ("CCHC_RATING", "last_year", last_year.rating, TWO)):
        row = book.names[row_name][1]
        bad.check(f"summary {row_name} {key}", at(book.values, SUMMARY_SHEET, row, S[key]),
                  value, places)
    rank_row = _label_row(book.values, SUMMARY_SHEET, "Xếp hạng")
    bad.check("summary rank", at(book.values, SUMMARY_SHEET, rank_row, S["published"]),
              published.rank)
    change_row = _label_row(book.values, SUMMARY_SHEET, "Chỉ số CCHC so với năm trước")
    for key, value in (("points", report.index), ("appraised", report.appraised_index),
                       ("published", published.index)):
        bad.check(f"summary change {key}", at(book.values, SUMMARY_SHEET, change_row, S[key]),
                  change_text(value, last_year.index))
    bad.assert_none()


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("key", MASTER_KEYS)
def test_gap_analysis_equals_engine(run: Run, key: str) -> None:
    book = run.books[key]
    report = book.report
    assert report is not None
    rows = book.values[GAP_SHEET]
    bad = Mismatches(book)
    field_block = rows[:GAP_HEADER_ROW + 1 + len(report.fields)]
    field_rows = {r[1]: i for i, r in enumerate(field_block) if i > GAP_HEADER_ROW}
    assert set(field_rows) == {f.node.name for f in report.fields}
    leaf_header = next(i for i in range(len(field_block), len(rows))
                       if rows[i] and rows[i][0] == LEAF_GAP_HEADERS[0])
    leaf_rows = {}
    for i in range(leaf_header + 1, len(rows)):
        if not rows[i] or not rows[i][0]:
            break
        leaf_rows[rows[i][0]] = i
    assert list(leaf_rows) == [r.code for r in report.gap_leaves()]
    checked = [(f.code, field_rows[f.node.name], f) for f in report.fields]
    checked += [(r.code, leaf_rows[r.code], r) for r in report.gap_leaves()]
    for code, i, node in checked:
        cells = rows[i]
        for col, what, value in ((2, "applicable", node.applicable_max),
                                 (3, "achieved", node.achieved),
                                 (4, "target", node.target_or_max), (5, "lost", node.lost),
                                 (6, "needed", node.needed),
                                 (7, "label", lost_label(node.applicable_max, node.lost,
                                                         node.pending))):
            bad.check(f"gap {case_label(code)} {what}", cells[col], value)
    bad.assert_none()


# ---------------------------------------------------------------------------------------------
# The cached values XlsxWriter wrote are what a spreadsheet computes


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("key", STATE_KEYS)
def test_cached_values_equal_recalculated(run: Run, key: str) -> None:
    book = run.books[key]
    probe = book.names[PROBE]
    bad = Mismatches(book)
    count = 0
    for sheet, cells in formula_cells(book.built).items():
        for row, col in cells:
            if (sheet, row, col) == probe:
                continue
            count += 1
            cached = at(book.fresh_values, sheet, row, col)
            computed = at(book.values, sheet, row, col)
            expected = Decimal(repr(computed)) if isinstance(computed, (int, float)) \
                and not isinstance(computed, bool) else computed
            if not isinstance(expected, (Decimal, str)) or not matches(cached, expected,
                                                                        Decimal("1e-9")):
                bad.items.append(f"{sheet}!{_a1(row, col)}: cached {cached!r}, "
                                 f"LibreOffice {computed!r}")
    assert count > 0
    bad.assert_none()


def _a1(row: int, col: int) -> str:
    from openpyxl.utils.cell import get_column_letter

    return f"{get_column_letter(col + 1)}{row + 1}"


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("key", [k for k in BOOK_KEYS if "filled" in k])
def test_filled_workbook_equals_builder_workbook(run: Run, key: str) -> None:
    """Typing into an empty unit workbook gives the same own-leaf points as building it filled."""
    filled = run.books[key]
    built = run.books.get(key.replace("filled", "unit"))
    if built is None:
        pytest.skip("no builder-filled twin for this unit")
    bad = Mismatches(filled)
    for name in filled.names:
        if name.startswith(("CCHC_POINTS_", "CCHC_APPLICABLE_")):
            got, twin = filled.cell(name), built.cell(name)
            expected = Decimal(repr(twin)) if isinstance(twin, (int, float)) else twin
            bad.check(name, got, expected)
    bad.assert_none()


@pytest.mark.libreoffice
@pytest.mark.slow
def test_known_libreoffice_differences(run: Run) -> None:
    """Booleans and dates in number cells: LibreOffice computes points, the engine reports an
    error (see parity_cases.KNOWN_DIFFERENCES). If this fails, one side changed: move the case
    into the matrix if they now agree."""
    book = run.books[QUIRKS]
    assert book.report is not None and book.cell(PROBE) == 2
    for n, (case, libreoffice) in enumerate(KNOWN_DIFFERENCES, start=1):
        code = f"1.{n}"
        assert expected_cell(book.report.assessment.leaves[code]) == as_decimal(case.expect)
        assert matches(book.cell(defined_name("POINTS", code)), as_decimal(libreoffice)), case.name


@pytest.mark.libreoffice
@pytest.mark.slow
def test_whole_run_is_fast(run: Run) -> None:
    print(f"build {run.build_seconds:.1f} s, LibreOffice recalculation {run.recalc_seconds:.1f} s")
    assert run.recalc_seconds < 45, f"one LibreOffice batch took {run.recalc_seconds:.1f} s"
    assert run.build_seconds < 15, f"building the workbooks took {run.build_seconds:.1f} s"


# ---------------------------------------------------------------------------------------------
# Rendering: the sample master and one unit workbook, printed to PDF


@dataclass
class Printed:
    pdf: Path
    pages: list[str]  # pdftotext -layout, one string per page
    pngs: list[Path]


PDF_UNIT = "NV1"


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Printed]:
    root = tmp_path_factory.mktemp("pdf")
    sample = load_catalogue(SAMPLE)
    master, unit = root / "sample_master.xlsx", root / f"sample_unit_{PDF_UNIT}.xlsx"
    build_master(sample, State("master"), master)
    build_unit(sample, State("master"), PDF_UNIT, unit)
    canary = make_clipped_canary(root / "canary.xlsx")
    pdfs = convert([master, unit, canary], root / "pdf", "pdf", recalc=True, locale=LOCALE)
    result = {}
    for key, pdf in zip(("master", "unit", "canary"), pdfs, strict=True):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
        pages = text.split("\f")
        if pages and not pages[-1].strip():
            pages.pop()
        pngs = render_pdf(pdf, root / "png", dpi=40)
        result[key] = Printed(pdf, pages, pngs)
    return result


def make_clipped_canary(path: Path) -> Path:
    """A sheet whose wrapped text is too tall for its row: the overprint check must flag it."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Canary")
    ws.set_column(0, 0, 20)
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "font_name": "Times New Roman"})
    ws.write_string(0, 0, "Ban hành kịp thời: 1; Ban hành không kịp thời: 0,5; Không ban "
                          "hành: 0", wrap)
    ws.write_string(1, 0, "Tỷ lệ b/a: từ 100% trở lên: 1", wrap)
    ws.set_row(0, 15)
    wb.close()
    return path


def overprinted(pdf: Path) -> list[tuple[int, str, str]]:
    """Words drawn over words of another line: a wrapped cell taller than its row (clipped
    text runs into the next row) or two overflowing cells. From `pdftotext -bbox` boxes: the
    two words overlap across and their tops are closer than 0.8 of a line but not on one line
    (pdftotext splits some Vietnamese words into touching pieces on the same line)."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    found = []
    for number, page in enumerate(xml.split("<page ")[1:], start=1):
        words = sorted(((float(x0), float(y0), float(x1), float(y1), text) for x0, y0, x1, y1, text
                        in _WORD.findall(page)), key=lambda w: w[1])
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                if b[1] >= a[3]:
                    break
                across = min(a[2], b[2]) - max(a[0], b[0])
                height = min(a[3] - a[1], b[3] - b[1])
                if across > 1 and height > 0 and 0.1 < (b[1] - a[1]) / height < 0.8:
                    found.append((number, a[4], b[4]))
    return found


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r"(.*?)</word>")


def png_ink_rows(path: Path) -> tuple[int, int, float]:
    """(width, height, share of pixel rows that are not one flat colour) of an 8-bit PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 3
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            assert body[8] == 8, "8-bit PNG expected"
            channels = {0: 1, 2: 3, 4: 2, 6: 4}[body[9]]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels + 1
    # A flat row filters to one repeated byte whatever the filter; any ink breaks that.
    inked = sum(1 for y in range(height) if len(set(raw[y * stride + 1:(y + 1) * stride])) > 1)
    return width, height, inked / height


def sheet_segments(pages: list[str], markers: dict[str, str]) -> dict[str, str]:
    """Page texts grouped by sheet: a page starts a sheet when it shows that sheet's marker."""
    segments: dict[str, str] = {}
    current = None
    for page in pages:
        starts = [key for key, marker in markers.items()
                  if key not in segments and unspaced(marker) in unspaced(page)]
        if starts:
            current = starts[0]
            segments[current] = ""
        if current is not None:
            segments[current] += "\n" + page
    return segments


def unspaced(text: str) -> str:
    """pdftotext splits words at some Vietnamese diacritics ('t ối đa'): compare without spaces."""
    return re.sub(r"\s+", "", text)


def has_code(text: str, code: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text) is not None


def _markers(catalogue: Catalogue, master: bool) -> dict[str, str]:
    markers = {COVER_SHEET: "TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM"}
    if master:
        markers[INFO_SHEET] = "THÔNG TIN CHUNG"
    for f in catalogue.fields:
        markers[field_sheet_name(f)] = f"Lĩnh vực {f.code}: {f.name}"
    if master:
        markers[EXTRAS_SHEET] = "Điểm thưởng và điểm trừ — cộng/trừ sau tổng điểm các lĩnh vực"
    markers[EVIDENCE_SHEET] = "SỔ TÀI LIỆU KIỂM CHỨNG"
    if master:
        markers[SUMMARY_SHEET] = "TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM"
        markers[GAP_SHEET] = "PHÂN TÍCH CHÊNH LỆCH CHỈ SỐ CCHC NĂM"
        markers[LOG_SHEET] = "NHẬT KÝ GỘP DỮ LIỆU"
    return markers


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_poppler
@pytest.mark.parametrize("key", ["master", "unit"])
def test_pdf_pages_are_rendered(printed: dict[str, Printed], key: str) -> None:
    result = printed[key]
    assert len(result.pngs) == len(result.pages) >= 2
    for png, text in zip(result.pngs, result.pages, strict=True):
        width, height, inked = png_ink_rows(png)
        assert width > 300 and height > 300, png  # A4 at 40 dpi is 331 × 468
        assert inked > 0.02, f"{png.name}: almost blank ({inked:.1%} of rows have ink)"
        lines = [line for line in text.splitlines() if line.strip()]
        assert len(lines) >= 2, f"{png.name} prints only {lines}"


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_poppler
@pytest.mark.parametrize("key", ["master", "unit"])
def test_pdf_no_text_is_clipped_or_overprinted(printed: dict[str, Printed], key: str) -> None:
    assert overprinted(printed["canary"].pdf), "the overprint check no longer sees a clipped cell"
    found = overprinted(printed[key].pdf)
    pages = sorted({page for page, _, _ in found})
    assert found == [], f"text drawn over other text on pages {pages}: {found[:10]}"


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_poppler
def test_pdf_master_shows_every_sheet_and_code(printed: dict[str, Printed]) -> None:
    sample = load_catalogue(SAMPLE)
    markers = _markers(sample, master=True)
    segments = sheet_segments(printed["master"].pages, markers)
    assert list(segments) == list(markers), "sheets missing or out of order in the PDF"
    missing = []
    for f in sample.fields:
        text = segments[field_sheet_name(f)]
        missing += [leaf.code for leaf in f.leaves() if not has_code(text, leaf.code)]
        missing += [g.code for g in f.walk() if not has_code(text, g.code)]
    extras = segments[EXTRAS_SHEET]
    missing += [item.code for _, item in sample.extra_items() if not has_code(extras, item.code)]
    # Empty state: every leaf lost points and is listed, except the survey items, which wait for
    # their published result (not a loss).
    gap = segments[GAP_SHEET]
    missing += [leaf.code for leaf in sample.leaves()
                if not leaf.rule.pending_when_blank and not has_code(gap, leaf.code)]
    assert not any(has_code(gap, leaf.code) for leaf in sample.leaves()
                   if leaf.rule.pending_when_blank and leaf.code.count(".") > 1)
    assert missing == [], f"codes cut off the printed pages: {missing}"
    summary = segments[SUMMARY_SHEET]
    for label in ("Cộng các lĩnh vực", "TỔNG ĐIỂM ĐẠT ĐƯỢC", "CHỈ SỐ CCHC", "Xếp loại"):
        assert unspaced(label) in unspaced(summary)
    for f in sample.fields:  # names wrap in their cells: the first words suffice
        assert unspaced(" ".join(f.name.split()[:3])) in unspaced(summary), f.code
    # Both page columns of the field sheets are printed: the Văn phòng's columns too.
    first = unspaced(segments[field_sheet_name(sample.fields[0])])
    assert unspaced("Giải trình, ghi chú") in first and unspaced("Nguyên nhân chưa đạt") in first


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_poppler
def test_pdf_unit_shows_its_sheets_and_codes(printed: dict[str, Printed]) -> None:
    sample = load_catalogue(SAMPLE)
    markers = _markers(sample, master=False)
    segments = sheet_segments(printed["unit"].pages, markers)
    own = list(sample.unit_leaves(PDF_UNIT))
    supported = list(sample.supported_leaves(PDF_UNIT))
    assert own
    field_of = {leaf.code: f for f in sample.fields for leaf in f.leaves()}
    missing = []
    for leaf in own + supported:
        sheet = field_sheet_name(field_of[leaf.code])
        if sheet not in segments or not has_code(segments[sheet], leaf.code):
            missing.append(leaf.code)
    assert missing == [], f"codes cut off the unit's printed pages: {missing}"
    assert list(segments)[0] == COVER_SHEET and list(segments)[-1] == EVIDENCE_SHEET
    # The unit's print area ends with the note column, before the Văn phòng's columns.
    for sheet, text in segments.items():
        if sheet not in (COVER_SHEET, EVIDENCE_SHEET):
            assert unspaced("Giải trình, ghi chú") in unspaced(text), sheet
            assert unspaced("Nguyên nhân chưa đạt") not in unspaced(text), sheet
