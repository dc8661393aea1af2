"""Sync: regenerate the master from its own inputs, with fresh consolidated and gap sheets.

Before replacing anything, the regenerated master is compared with the current one cell by
cell. Whatever the regeneration would lose — a value typed outside the input cells, a sheet
added by hand — makes sync refuse, list what it found, and leave the file untouched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.report import Report, build_report
from ..criteria.catalogue import Catalogue
from ..errors import InputError, Problem
from ..format.state import State
from ..read.reader import WorkbookData, read_master
from .master import save_master


@dataclass
class SyncResult:
    master: Path
    catalogue: Catalogue
    state: State
    report: Report
    backup: Path | None = None
    problems: list[Problem] = field(default_factory=list)


def load(master_path: Path) -> tuple[Catalogue, WorkbookData]:
    catalogue, data = read_master(Path(master_path))
    if data.problems:
        raise InputError(f"Tệp tổng hợp {Path(master_path).name} có lỗi cấu trúc, không đồng bộ "
                         "được; hãy sửa theo danh sách dưới đây hoặc khôi phục từ thư mục sao-luu.",
                         data.problems)
    return catalogue, data


def sync(master_path: Path, *, password: str = "", now: dt.datetime | None = None) -> SyncResult:
    """Regenerate the master in place (atomically, with a backup) after the drift check."""
    master_path = Path(master_path)
    catalogue, data = load(master_path)
    assert data.state is not None
    saved = save_master(catalogue, data.state, master_path, password=password, now=now,
                        current=data, action="đồng bộ")
    return SyncResult(master_path, catalogue, data.state, build_report(catalogue, data.state),
                      saved)


