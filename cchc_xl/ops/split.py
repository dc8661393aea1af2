"""Splitting the master into one workbook per unit (Tạo file cho đơn vị)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..analysis.report import build_report
from ..build import build_unit
from ..criteria.catalogue import Catalogue
from ..errors import FileError
from ..files.atomic import atomic_write
from ..format.state import State
from .pool import run_all


def unit_file_name(catalogue: Catalogue, unit: str) -> str:
    """CCHC-2026-NV1.xlsx: year and unit code, safe on every file system."""
    return f"CCHC-{catalogue.year}-{unit}.xlsx"


def prepare(catalogue: Catalogue, units: list[str], outdir: Path) -> None:
    """Before writing one file per unit: every unit named is known; the folder exists."""
    unknown = [u for u in units if catalogue.unit(u) is None]
    if unknown:
        raise FileError("Mã đơn vị không có trong bộ tiêu chí: " + ", ".join(unknown) + ". Hãy "
                        "dùng mã trong danh sách đơn vị của bộ tiêu chí.")
    outdir.mkdir(parents=True, exist_ok=True)


def write_unit_files(catalogue: Catalogue, state: State, outdir: Path, *, password: str = "",
                     units: list[str] | None = None, workers: int | None = None) -> list[Path]:
    chosen = units or [u.code for u in catalogue.units if catalogue.gets_workbook(u.code)]
    prepare(catalogue, chosen, outdir)
    # The same for every unit, so scored once; on the values a unit's workbook carries (a formula
    # typed in the master refers to the master's cells).
    report = build_report(catalogue, state.without_formulas())
    context = {"catalogue": catalogue, "state": state, "report": report, "outdir": outdir,
               "password": password}
    return run_all(_write_unit, list(dict.fromkeys(chosen)), context, workers=workers)


def _write_unit(unit: str, context: dict[str, Any]) -> Path:
    catalogue = context["catalogue"]
    target = context["outdir"] / unit_file_name(catalogue, unit)

    def write(tmp: Path) -> None:
        build_unit(catalogue, context["state"], unit, tmp, password=context["password"],
                   report=context["report"])

    atomic_write(target, write)
    return target
