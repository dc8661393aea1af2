"""Progress of the remediation plan on a date (báo cáo tiến độ thực hiện kế hoạch khắc phục).

For any date — today, the end of a quarter, a date in the past — each task is done (marked done
and completed by then), overdue (its deadline passed before that date and it was not done), in
progress or not started. From those: the share of tasks done per unit and per field, the
overdue tasks first, and the items whose points are at risk (items with overdue or not started
tasks, with the points they lost). pandas does the aggregation (imported here, lazily).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import FileError
from ..format.state import Task, plain_value
from ..format.tracker import DONE, NOT_STARTED, OVERDUE, STARTED
from .report import Report
from .tasks import GENERAL, days_late, field_of, node_name, state_on, task_code, task_date

if TYPE_CHECKING:
    import pandas

STATES = (OVERDUE, NOT_STARTED, STARTED, DONE)  # the order tasks are listed in
TASK_COLUMNS = ("code", "name", "field", "field_name", "lead", "lead_name", "support", "task",
                "deliverable", "deadline", "status", "completed", "state", "days_late",
                "evidence", "note", "origin", "lost")
COUNT_COLUMNS = ("total", "done", "started", "not_started", "overdue", "share_done")
RISK_COLUMNS = ("code", "name", "lead", "lead_name", "lost", "needed", "overdue", "not_started")
_QUARTER = re.compile(r"^\s*(\d{4})\s*[-/ ]?\s*[Qq]([1-4])\s*$"
                      r"|^\s*[Qq]([1-4])\s*[-/ ]\s*(\d{4})\s*$")


@dataclass
class Progress:
    """The plan's progress on `on`: every table the progress report shows."""

    on: dt.date
    tasks: pandas.DataFrame  # one row per task: overdue first (most days late first)
    by_unit: pandas.DataFrame  # per lead unit: counts and the share done
    by_field: pandas.DataFrame  # per field (bonus/penalty, general tasks last)
    at_risk: pandas.DataFrame  # items with overdue or not started tasks, most points lost first

    @property
    def overdue(self) -> pandas.DataFrame:
        return self.tasks[self.tasks["state"] == OVERDUE]

    @property
    def totals(self) -> dict[str, Any]:
        return _counts(self.tasks)


def quarter_end(text: str) -> dt.date:
    """'2027Q2' (or '2027-Q2', 'Q2/2027') → 30/06/2027."""
    match = _QUARTER.match(text)
    if not match:
        raise FileError(f"Quý '{text}' không đúng dạng; hãy ghi ví dụ 2027Q2 (quý II năm 2027).")
    year, quarter = (int(match.group(1)), int(match.group(2))) if match.group(1) else (
        int(match.group(4)), int(match.group(3)))
    month = quarter * 3
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def progress_on(report: Report, tasks: list[Task], on: dt.date) -> Progress:
    import pandas as pd

    frame = pd.DataFrame([_task_row(report, t, on) for t in tasks], columns=list(TASK_COLUMNS))
    frame["order"] = frame["state"].map({s: i for i, s in enumerate(STATES)})
    frame["late_sort"] = -pd.to_numeric(frame["days_late"]).fillna(0)
    frame["deadline_sort"] = frame["deadline"].map(lambda d: d or dt.date.max)
    frame = frame.sort_values(["order", "late_sort", "deadline_sort"], kind="stable")
    frame = frame.drop(columns=["order", "late_sort", "deadline_sort"]).reset_index(drop=True)
    return Progress(on, frame, _by_unit(report, frame), _by_field(report, frame),
                    _at_risk(report, frame))


def _task_row(report: Report, task: Task, on: dt.date) -> dict[str, Any]:
    cat = report.catalogue
    code = task_code(task)
    field, field_name = field_of(cat).get(code, ("", GENERAL))
    lead = _text(task.lead)
    node = report.nodes.get(code)
    return {"code": code, "name": node_name(cat, code), "field": field,
            "field_name": field_name, "lead": lead, "lead_name": cat.unit_name(lead),
            "support": _text(task.support), "task": _text(task.task),
            "deliverable": _text(task.deliverable), "deadline": task_date(task.deadline),
            "status": _text(task.status), "completed": task_date(task.completed),
            "state": state_on(task, on), "days_late": days_late(task, on),
            "evidence": _text(task.evidence), "note": _text(task.note),
            "origin": task.origin or "", "lost": float(node.lost) if node else None}


def _text(value: Any) -> str:
    value = plain_value(value)
    date = task_date(value)
    if date is not None:
        return f"{date:%d/%m/%Y}"
    return "" if value is None else str(value).strip()


def _counts(frame: pandas.DataFrame) -> dict[str, Any]:
    states = frame["state"]
    total = len(frame)
    done = int((states == DONE).sum())
    return {"total": total, "done": done, "started": int((states == STARTED).sum()),
            "not_started": int((states == NOT_STARTED).sum()),
            "overdue": int((states == OVERDUE).sum()),
            "share_done": done / total if total else None}


def _grouped(frame: pandas.DataFrame, key: str, order: list[str]) -> pandas.DataFrame:
    import pandas as pd

    rows = []
    for value, group in frame.groupby(key, sort=False):
        rows.append({key: value, **_counts(group)})
    result = pd.DataFrame(rows, columns=[key, *COUNT_COLUMNS])
    rank = {v: i for i, v in enumerate(order)}
    result["rank"] = result[key].map(lambda v: rank.get(v, len(rank)))
    return result.sort_values(["rank", key], kind="stable").drop(columns="rank").reset_index(
        drop=True)


def _by_unit(report: Report, frame: pandas.DataFrame) -> pandas.DataFrame:
    cat = report.catalogue
    result = _grouped(frame, "lead", [u.code for u in cat.units])
    result.insert(1, "lead_name", result["lead"].map(
        lambda u: cat.unit_name(u) if u else "(chưa giao đơn vị)"))
    return result


def _by_field(report: Report, frame: pandas.DataFrame) -> pandas.DataFrame:
    cat = report.catalogue
    result = _grouped(frame, "field_name", [f.name for f in cat.fields])
    codes = frame.drop_duplicates("field_name").set_index("field_name")["field"]
    result.insert(0, "field", result["field_name"].map(codes))
    return result


def _at_risk(report: Report, frame: pandas.DataFrame) -> pandas.DataFrame:
    import pandas as pd

    cat = report.catalogue
    open_tasks = frame[frame["state"].isin((OVERDUE, NOT_STARTED)) & (frame["code"] != "")]
    rows = []
    for code, group in open_tasks.groupby("code", sort=False):
        node = report.nodes.get(code)
        if node is None:
            continue
        lead = node.node.lead or ""
        rows.append({"code": code, "name": node.node.name, "lead": lead,
                     "lead_name": cat.unit_name(lead), "lost": float(node.lost),
                     "needed": float(node.needed),
                     "overdue": int((group["state"] == OVERDUE).sum()),
                     "not_started": int((group["state"] == NOT_STARTED).sum())})
    result = pd.DataFrame(rows, columns=list(RISK_COLUMNS))
    order = {n.code: i for i, n in enumerate(cat.nodes())}
    result["rank"] = result["code"].map(lambda c: order.get(c, len(order)))
    result = result.sort_values(["lost", "overdue", "rank"], ascending=[False, False, True],
                                kind="stable")
    return result.drop(columns="rank").reset_index(drop=True)
