"""Splitting the master into one workbook per unit (Tạo file cho đơn vị)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..analysis.report import Report, build_report
from ..build import build_unit, unit_has_items
from ..criteria.catalogue import Catalogue
from ..errors import FileError
from ..files.atomic import atomic_write
from ..format.state import State
from ..read.reader import read_master


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
                     units: list[str] | None = None, workers: int | None = None) -> list[Path]:
    chosen = units or [u.code for u in catalogue.units if unit_has_items(catalogue, u.code)]
    unknown = [u for u in chosen if catalogue.unit(u) is None]
    if unknown:
        raise FileError("Mã đơn vị không có trong bộ tiêu chí: " + ", ".join(unknown))
    outdir.mkdir(parents=True, exist_ok=True)
    report = build_report(catalogue, state)  # the same for every unit: scored once
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(chosen) < POOL_THRESHOLD or len(set(chosen)) < len(chosen):
        return [_write_unit(catalogue, state, report, outdir, unit, password) for unit in chosen]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(workers, len(chosen)), initializer=_init_worker,
                             initargs=(catalogue, state, report, outdir, password)) as pool:
        return list(pool.map(_write_one, chosen))


def _write_unit(catalogue: Catalogue, state: State, report: Report, outdir: Path, unit: str,
                password: str) -> Path:
    target = outdir / unit_file_name(catalogue, unit)

    def write(tmp: Path) -> None:
        build_unit(catalogue, state, unit, tmp, password=password, report=report)

    atomic_write(target, write)
    return target


# Many units pay for a process pool (building a workbook is pure Python), as in merge: each file
# is independent and built the same way, so the files are the same, written in parallel.
POOL_THRESHOLD = 24
_WORKER: dict[str, Any] = {}


def _init_worker(catalogue: Catalogue, state: State, report: Report, outdir: Path,
                 password: str) -> None:
    _WORKER.update(catalogue=catalogue, state=state, report=report, outdir=outdir,
                   password=password)


def _write_one(unit: str) -> Path:
    w = _WORKER
    return _write_unit(w["catalogue"], w["state"], w["report"], w["outdir"], unit, w["password"])
