"""Remediation tasks: where each belongs, its state on a date, and what is wrong with a row.

One place decides when a task is done, overdue or late, for the tracker's cached values, the
progress report and the checks; the tracker's formulas say the same in Excel (build/tracker.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..criteria.catalogue import Catalogue, Node
from ..errors import Problem
from ..format.layout import EXTRAS_SHEET, TRACKER_SHEET, cell_ref
from ..format.state import Task, as_date, plain_value, shown
from ..format.tracker import (
    DONE,
    NOT_STARTED,
    OVERDUE,
    STARTED,
    TASK_COL,
    TASK_STATUSES,
    normal_status,
)

GENERAL = "Chung"  # tasks not tied to a criterion
STATUS_LIST = ", ".join(TASK_STATUSES)


def nodes_by_code(catalogue: Catalogue) -> dict[str, Node]:
    """Every criterion a task may remedy: fields, criteria, sub-criteria, bonus and penalty."""
    def index() -> dict[str, Node]:
        found: dict[str, Node] = {node.code: node for node in catalogue.nodes()}
        found.update({item.code: item for _, item in catalogue.extra_items()})
        return found

    return catalogue.memo("task_nodes", index)  # type: ignore[no-any-return]


def field_of(catalogue: Catalogue) -> dict[str, tuple[str, str]]:
    """code → (field code, field name); bonus and penalty items under one heading."""
    def index() -> dict[str, tuple[str, str]]:
        found = {node.code: (f.code, f.name) for f in catalogue.fields for node in f.walk()}
        found.update({item.code: ("", EXTRAS_SHEET) for _, item in catalogue.extra_items()})
        return found

    return catalogue.memo("task_fields", index)  # type: ignore[no-any-return]


def task_code(task: Task) -> str:
    value = plain_value(task.code)
    return "" if value is None else str(value).strip()


def node_name(catalogue: Catalogue, code: str) -> str:
    node = nodes_by_code(catalogue).get(code)
    return node.name if node is not None else ""


def led_codes(catalogue: Catalogue, unit: str) -> set[str]:
    """The criteria a unit leads: the codes its plan's tasks may remedy."""
    return {code for code, node in nodes_by_code(catalogue).items() if node.lead == unit}


# ---------------------------------------------------------------------------------------------
# A task on a date


def task_date(value: Any) -> dt.date | None:
    return as_date(plain_value(value))


def is_done(task: Task, on: dt.date) -> bool:
    """Marked done, and not completed after `on` (a report for an earlier date)."""
    completed = task_date(task.completed)
    return normal_status(task.status) == DONE and (completed is None or completed <= on)


def is_overdue(task: Task, on: dt.date) -> bool:
    """Its deadline passed before `on` and it was not done by then."""
    deadline = task_date(task.deadline)
    return deadline is not None and deadline < on and not is_done(task, on)


def days_late(task: Task, on: dt.date) -> int | None:
    """Days past the deadline: of an overdue task on `on`, or of a task done late."""
    deadline = task_date(task.deadline)
    if deadline is None:
        return None
    if is_overdue(task, on):
        return (on - deadline).days
    completed = task_date(task.completed)
    if is_done(task, on) and completed is not None and completed > deadline:
        return (completed - deadline).days
    return None


def state_on(task: Task, on: dt.date) -> str:
    """hoàn thành, quá hạn, đang thực hiện or chưa thực hiện, on that date."""
    if is_done(task, on):
        return DONE
    if is_overdue(task, on):
        return OVERDUE
    return STARTED if normal_status(task.status) == STARTED else NOT_STARTED


# ---------------------------------------------------------------------------------------------
# What is wrong with a row (the master's tracker and the units' plan returns)


def task_row_problems(task: Task, catalogue: Catalogue, *, unit: str | None = None,
                      today: dt.date | None = None) -> list[tuple[str, str, str]]:
    """(column key, Vietnamese message, severity) for each problem of one task row.

    `unit`: the row comes from that unit's plan return, so it must name one of the unit's own
    criteria; without it (the master's tracker) a row without a code is a general task.
    """
    found: list[tuple[str, str, str]] = []
    found += _code_problems(task, catalogue, unit)
    if plain_value(task.task) in (None, ""):
        found.append(("task", "dòng nhiệm vụ chưa ghi nội dung nhiệm vụ.",
                      "error" if unit else "warning"))
    found += _date_problems(task, catalogue, today)
    status = normal_status(task.status)
    if status is not None and status not in TASK_STATUSES:
        found.append(("status", f"tình trạng '{status}' không có trong danh sách; hãy chọn một "
                                f"trong: {STATUS_LIST}.", "error"))
    if unit is None:
        lead = plain_value(task.lead)
        if lead not in (None, "") and catalogue.unit(str(lead).strip()) is None:
            found.append(("lead", f"mã đơn vị '{lead}' không có trong danh sách đơn vị.",
                          "error"))
    return found


def _code_problems(task: Task, catalogue: Catalogue, unit: str | None) -> list[tuple[str, str,
                                                                                   str]]:
    code = task_code(task)
    if not code:
        if unit:
            return [("code", "dòng nhiệm vụ chưa có mã tiêu chí; hãy chọn mã trong danh sách.",
                     "error")]
        return []
    node = nodes_by_code(catalogue).get(code)
    if node is None:
        return [("code", f"mã tiêu chí '{code}' không có trong bộ tiêu chí; hãy chọn mã trong "
                         "danh sách.", "error")]
    if unit and node.lead != unit:
        who = catalogue.unit_name(node.lead) if node.lead else "Văn phòng"
        return [("code", f"tiêu chí {code} do {who} chủ trì, không phải {catalogue.unit_name(unit)}"
                         ": nhiệm vụ của tiêu chí này do đơn vị chủ trì đề xuất. Hãy xóa dòng này "
                         "hoặc chọn mã tiêu chí của đơn vị; dòng không được gộp.", "error")]
    return []


def _date_problems(task: Task, catalogue: Catalogue,
                   today: dt.date | None) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    example = f"30/06/{catalogue.year + 1}"
    deadline = plain_value(task.deadline)
    if deadline in (None, ""):
        found.append(("deadline", "nhiệm vụ chưa có thời hạn nên không theo dõi được quá hạn; "
                                  "hãy ghi ngày dạng dd/mm/yyyy.", "warning"))
    elif task_date(deadline) is None:
        found.append(("deadline", f"thời hạn {shown(deadline)} không phải một ngày; hãy gõ ngày "
                                  f"dạng dd/mm/yyyy (ví dụ {example}). Nhiệm vụ làm thường "
                                  "xuyên: ghi ngày cuối kỳ và ghi 'thường xuyên' ở cột Ghi chú.",
                      "error"))
    completed = plain_value(task.completed)
    if completed not in (None, ""):
        date = task_date(completed)
        if date is None:
            found.append(("completed", f"ngày hoàn thành {shown(completed)} không phải một "
                                       "ngày; hãy gõ dạng dd/mm/yyyy.", "error"))
        elif today is not None and date > today:
            found.append(("completed", f"ngày hoàn thành {date:%d/%m/%Y} ở tương lai; hãy kiểm "
                                       "tra lại.", "error"))
        elif normal_status(task.status) != DONE:
            found.append(("status", "có ngày hoàn thành nhưng tình trạng chưa phải 'hoàn "
                                    "thành'; hãy chọn lại tình trạng.", "warning"))
    return found


def tracker_problems(catalogue: Catalogue, tasks: list[Task], rows: list[int], today: dt.date,
                     file: str | None = None) -> list[Problem]:
    """What `Master.check()` reports about the tracker, each with its cell (`rows`: the sheet
    row of each task as read; without them, when a script changed the tasks, no cell)."""
    located = len(rows) == len(tasks)
    problems = []
    for i, task in enumerate(tasks):
        code = task_code(task) or None
        for key, message, severity in task_row_problems(task, catalogue, today=today):
            ref = cell_ref(rows[i], TASK_COL[key]) if located else None
            problems.append(Problem(message, file=file, sheet=TRACKER_SHEET, cell=ref, code=code,
                                    severity=severity, kind=f"task-{key}"))  # type: ignore[arg-type]
    return problems
