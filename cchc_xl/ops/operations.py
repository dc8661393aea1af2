"""The library API behind the commands that are not a module of their own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..analysis.checks import check_master
from ..analysis.report import Report
from ..criteria.catalogue import load_catalogue
from ..errors import FileError, Problem
from ..files.atomic import atomic_write
from ..format.state import State
from .master import write_master

MASTER_SUFFIXES = (".xlsm", ".xlsx")


def create_master(catalogue_file: Path, out: Path, *, org: str = "", password: str = "",
                  overwrite: bool = False) -> Path:
    """A new, empty master from a catalogue file; refuses to replace a master unless asked."""
    out = Path(out)
    if out.suffix.lower() not in MASTER_SUFFIXES:
        raise FileError(f"Tệp tổng hợp phải có đuôi .xlsm (có nút bấm) hoặc .xlsx, không phải "
                        f"'{out.suffix}'.")
    if out.exists() and not overwrite:
        raise FileError(f"{out} đã có; tạo mới sẽ xóa số liệu trong đó. Dùng --force nếu thật sự "
                        "muốn ghi đè (bản cũ được lưu trong thư mục sao-luu).")
    catalogue = load_catalogue(catalogue_file)
    state = State("master", org=org)
    atomic_write(out, lambda tmp: write_master(catalogue, state, tmp, password=password))
    return out


def check_master_file(master: Path, today: dt.date | None = None) -> list[Problem]:
    """Problems the Văn phòng should fix in the master before reporting (nothing is written)."""
    from .sync import load

    catalogue, data = load(Path(master))
    assert data.state is not None
    return check_master(catalogue, data.state, today or dt.date.today(), file=Path(master).name)


def report_json(report: Report) -> dict[str, Any]:
    """The consolidated numbers as plain JSON (decimals as strings, exact)."""
    def num(value: Any) -> str | None:
        return None if value is None else str(value)

    return {
        "year": report.catalogue.year,
        "max": num(report.max), "applicable_max": num(report.applicable_max),
        "points": num(report.points), "bonus": num(report.bonus),
        "penalty": num(report.penalty), "total": num(report.total),
        "index": num(report.index), "rating": report.rating,
        "fields": [{"code": f.code, "name": f.node.name, "max": num(f.max),
                    "applicable_max": num(f.applicable_max), "points": num(f.points),
                    "appraised": num(f.appraised), "last_year": num(f.last_year),
                    "target": num(f.target), "lost": num(f.lost), "needed": num(f.needed),
                    "label": f.label} for f in report.fields],
        "gaps": [{"code": g.code, "name": g.node.name, "applicable_max": num(g.applicable_max),
                  "achieved": num(g.achieved), "lost": num(g.lost), "needed": num(g.needed),
                  "label": g.label, "lead": g.node.lead} for g in report.gap_leaves()],
    }
