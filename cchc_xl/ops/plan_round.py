"""Sending the remediation plan to the units (Tạo tệp kế hoạch cho đơn vị).

One plan workbook per lead unit that has an item below its maximum or its target, or tasks in
the tracker. The workbooks come back through `Master.merge` like score returns
(`ops/plan_return.py`); each new round carries the unit's current tasks, so the same
send-and-merge cycle updates their progress through the year.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..analysis.report import Report, build_report
from ..build.plan_workbook import build_plan_workbook, plan_items, plan_tasks
from ..criteria.catalogue import Catalogue
from ..files.atomic import atomic_write
from ..format.state import State
from .pool import run_all
from .split import prepare


def plan_file_name(catalogue: Catalogue, unit: str) -> str:
    """KHKP-2026-NV1.xlsx: kế hoạch khắc phục, the assessment year and the unit."""
    return f"KHKP-{catalogue.year}-{unit}.xlsx"


def plan_units(catalogue: Catalogue, state: State, report: Report) -> list[str]:
    """Units that lead an item to remedy or have tasks to report on, in catalogue order."""
    return [u.code for u in catalogue.units
            if plan_items(report, u.code) or any(plan_tasks(state, u.code))]


def write_plan_files(catalogue: Catalogue, state: State, outdir: Path, *,
                     units: list[str] | None = None, password: str = "",
                     today: dt.date | None = None, workers: int | None = None) -> list[Path]:
    report = build_report(catalogue, state)
    chosen = units or plan_units(catalogue, state, report)
    prepare(catalogue, chosen, outdir)
    context = {"catalogue": catalogue, "state": state, "report": report, "outdir": outdir,
               "password": password, "today": today or dt.date.today()}
    return run_all(_write_plan, list(dict.fromkeys(chosen)), context, workers=workers)


def _write_plan(unit: str, context: dict[str, Any]) -> Path:
    catalogue = context["catalogue"]
    target = context["outdir"] / plan_file_name(catalogue, unit)

    def write(tmp: Path) -> None:
        build_plan_workbook(catalogue, context["state"], context["report"], unit, tmp,
                            password=context["password"], today=context["today"])

    atomic_write(target, write)
    return target
