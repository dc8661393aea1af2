"""Splitting the master into one workbook per unit (Tạo file cho đơn vị)."""

from __future__ import annotations

from pathlib import Path

from .catalogue import Catalogue
from .errors import FileError
from .reader import read_master
from .report import build_report
from .safeio import atomic_write
from .state import State
from .workbook import build_unit, unit_has_items


def unit_file_name(catalogue: Catalogue, unit: str) -> str:
    """CCHC-2026-NV1.xlsx: year and unit code, safe on every file system."""
    return f"CCHC-{catalogue.year}-{unit}.xlsx"


def split(master_path: Path, outdir: Path, *, password: str = "",
          units: list[str] | None = None) -> list[Path]:
    """Write one workbook per unit that leads at least one item; returns the paths written."""
    catalogue, data = read_master(Path(master_path))
    if data.problems:
        raise FileError(f"Tệp tổng hợp {Path(master_path).name} có lỗi cấu trúc; hãy khôi phục từ "
                        "thư mục sao-luu hoặc tạo lại.", data.problems)
    assert data.state is not None
    return write_unit_files(catalogue, data.state, Path(outdir), password=password, units=units)


def write_unit_files(catalogue: Catalogue, state: State, outdir: Path, *, password: str = "",
                     units: list[str] | None = None) -> list[Path]:
    chosen = units or [u.code for u in catalogue.units if unit_has_items(catalogue, u.code)]
    unknown = [u for u in chosen if catalogue.unit(u) is None]
    if unknown:
        raise FileError("Mã đơn vị không có trong bộ tiêu chí: " + ", ".join(unknown))
    outdir.mkdir(parents=True, exist_ok=True)
    report = build_report(catalogue, state)  # the same for every unit: scored once
    written = []
    for unit in chosen:
        target = outdir / unit_file_name(catalogue, unit)

        def write(tmp: Path, unit: str = unit) -> None:
            build_unit(catalogue, state, unit, tmp, password=password, report=report)

        atomic_write(target, write)
        written.append(target)
    return written
