"""Shared fixtures (the bundled sample catalogue, small hand-made catalogues) and the markers.

A bare `pytest` is the inner loop: it deselects the tests marked `slow` or `libreoffice`.
`pytest --all` (the README's and CI's command) runs everything; `-m EXPRESSION` selects by marker
instead. Tests marked `libreoffice` skip when soffice is not installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from cchc_xl.criteria.catalogue import Catalogue, parse_catalogue
from devtools.libreoffice import find_soffice

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "cchc_xl" / "data" / "sample_catalogue.yaml"
OUTSIDE_INNER_LOOP = ("slow", "libreoffice")

# ---------------------------------------------------------------------------------------------
# Typing into workbooks as a person would (openpyxl: nothing is computed)


def type_names(path: Path, values: dict[str, Any], out: Path | None = None) -> Path:
    """Type each value into the cell its defined name points to; save (as `out`)."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    for name, value in values.items():
        sheet, ref = next(iter(book.defined_names[name].destinations))
        book[sheet][ref.replace("$", "")] = value
    out = Path(out or path)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def type_inputs(sent: Path, out: Path, inputs: dict[str, dict[str, Any]],
                evidence: list[dict[str, Any]] | tuple[()] = ()) -> Path:
    """A unit types its inputs ({code: {key: value}}) and evidence rows into the workbook it was
    sent, and saves it as `out`."""
    from cchc_xl.format.layout import EVIDENCE_COL, EVIDENCE_FIRST_ROW, EVIDENCE_SHEET

    names = {f"CCHC_{key.upper()}_{code.replace('.', '_')}": value
             for code, values in inputs.items() for key, value in values.items()}
    type_names(sent, names, out)
    if evidence:
        import openpyxl

        book = openpyxl.load_workbook(out)
        register = book[EVIDENCE_SHEET]
        for i, row in enumerate(evidence):
            for key, value in row.items():
                register.cell(row=EVIDENCE_FIRST_ROW + i + 1, column=EVIDENCE_COL[key] + 1,
                              value=value)
        book.save(out)
    return out


@pytest.fixture
def open_in_excel(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The buttons' seam: the workbook 'open in Excel' is a GridBook read from the file (the
    only part of the button path not run here). Returns the books opened, in order."""
    from cchc_xl.excel import buttons
    from cchc_xl.excel.live import GridBook

    opened: list[Any] = []

    def open_book(master: Path, password: str) -> GridBook:
        opened.append(GridBook.from_file(master, password=password))
        return opened[-1]

    monkeypatch.setattr(buttons, "_open", open_book)
    return opened


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftotext, pdftoppm) not installed")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--all", action="store_true", dest="run_all",
                     help="run every test, also those marked " + " and ".join(OUTSIDE_INNER_LOOP)
                     + " (left out of a bare `pytest`)")


def pytest_report_header(config: pytest.Config) -> list[str]:
    if config.getoption("run_all") or config.getoption("markexpr"):
        return []
    return ["inner loop: tests marked " + " or ".join(OUTSIDE_INNER_LOOP)
            + " are deselected; `pytest --all` runs everything"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("run_all") and not config.getoption("markexpr"):
        kept, dropped = [], []
        for item in items:
            outside = any(item.get_closest_marker(m) for m in OUTSIDE_INNER_LOOP)
            (dropped if outside else kept).append(item)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
    if find_soffice() is None:
        skip = pytest.mark.skip(reason="LibreOffice (soffice) not installed")
        for item in items:
            if item.get_closest_marker("libreoffice"):
                item.add_marker(skip)


def tiny_data() -> dict[str, Any]:
    """A small catalogue with every rule kind, built on the seeds' real figures."""
    return {
        "name": "Bộ tiêu chí thử",
        "year": 2026,
        "supplement_deduction": 0.3,
        "rating": [{"min": 90, "label": "Tốt"}, {"min": 80, "label": "Khá"},
                   {"min": 0, "label": "Trung bình"}],
        "units": [{"code": "VP", "name": "Văn phòng Sở"},
                  {"code": "NV1", "name": "Phòng Nghiệp vụ I"}],
        "fields": [
            {"code": "1", "name": "Chỉ đạo, điều hành", "max": 4, "lead": "VP", "children": [
                {"code": "1.1", "name": "Nhiệm vụ UBND tỉnh giao", "max": 3,
                 "rule": {"kind": "tiers", "of": "rate", "tiers": [[100, 3], [98, 2.5], [96, 2]]}},
                {"code": "1.2", "name": "Kế hoạch CCHC", "max": 1,
                 "rule": {"kind": "choice", "options": [["Ban hành kịp thời", 1],
                                                        ["Ban hành không kịp thời", 0.5],
                                                        ["Không ban hành", 0]]}},
            ]},
            {"code": "2", "name": "Thủ tục hành chính", "max": 10.5, "lead": "NV1",
             "support": ["VP"], "children": [
                {"code": "2.1", "name": "Hồ sơ đúng hạn", "max": 5,
                 "rule": {"kind": "tiers", "of": "rate", "tiers": [[100, 5], [99, 4.5]]}},
                {"code": "2.2", "name": "Kết quả điện tử", "max": 0.5, "rule": {"kind": "ratio"}},
                {"code": "2.3", "name": "Hồ sơ trực tuyến so với chỉ tiêu", "max": 3,
                 "rule": {"kind": "ratio", "target": 50, "on_zero": "na"}},
                {"code": "2.4", "name": "Quy trình nội bộ", "max": 0.5, "lead": "VP",
                 "rule": {"kind": "yesno"}},
                {"code": "2.5", "name": "Tin bài", "max": 1,
                 "rule": {"kind": "tiers", "of": "count", "tiers": [[12, 1], [10, 0.5]]}},
                {"code": "2.6", "name": "Chấm theo mức độ", "max": 0.5, "rule": {"kind": "manual"}},
            ]},
            {"code": "3", "name": "Sự hài lòng", "max": 2, "children": [
                {"code": "3.1", "name": "SIPAS", "max": 2, "rule": {"kind": "survey"}},
            ]},
        ],
        "bonus": {"cap": 1, "items": [
            {"code": "T.1", "name": "Sáng kiến", "max": 1, "lead": "VP",
             "rule": {"kind": "tiers", "of": "count", "tiers": [[2, 1], [1, 0.5]]}},
            {"code": "T.2", "name": "Thứ hạng tăng", "max": 0.5, "lead": "VP",
             "rule": {"kind": "yesno"}}]},
        "penalty": {"cap": 1, "items": [
            {"code": "TR.1", "name": "Gửi hồ sơ trễ hạn", "max": 1, "lead": "VP",
             "rule": {"kind": "yesno", "yes": "Có vi phạm", "no": "Không vi phạm"}},
            {"code": "TR.2", "name": "Văn bản giấy", "max": 0.5, "lead": "VP",
             "rule": {"kind": "yesno", "yes": "Có vi phạm", "no": "Không vi phạm"}}]},
    }


@pytest.fixture
def tiny() -> Catalogue:
    return parse_catalogue(tiny_data(), source="tiny.yaml")


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE
