"""A unit's returned plan workbook: its checks and what merging it changes in the master.

A plan return is merged through `Master.merge` with the score returns (routed by its `kind`
meta): the same container checks, newest file per unit wins and an older file after a newer one
is refused — a unit's plan returns and its score returns are two separate streams.

Merging it, nothing is lost: the unit's causes and solutions update its items (a blank cell
keeps what the master has); its tasks replace exactly the tasks of its earlier plan returns, in
their place in the tracker; the tasks the Văn phòng typed stay, and of those assigned to the
unit only the progress (status, completion date, evidence, note) is taken from the return.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from ..analysis.tasks import led_codes, nodes_by_code, task_code, task_date, task_row_problems
from ..criteria.catalogue import Catalogue
from ..format.layout import META_SHEET, cell_ref
from ..format.state import EMPTY, Entry, State, Task, plain_value
from ..format.tracker import (
    ASSIGNED,
    ASSIGNED_KEYS,
    ITEM_COL,
    PLAN_COVER_SHEET,
    PLAN_ITEMS_SHEET,
    PLAN_TASK_COL,
    PLAN_TASKS_SHEET,
    PROGRESS_KEYS,
)
from ..read.reader import WorkbookData, container_warnings

PLAN_SHEETS = {PLAN_COVER_SHEET, PLAN_ITEMS_SHEET, PLAN_TASKS_SHEET, META_SHEET}


def check_plan_return(data: WorkbookData, catalogue: Catalogue, master: State,
                      today: dt.date) -> None:
    """Add every content problem of a readable plan return to `data.problems`."""
    assert data.state is not None
    _check_items(data, catalogue)
    matches = match_assigned(master.tasks, data)
    for i, (task, row) in enumerate(zip(data.state.tasks, data.task_rows)):
        if task.origin is None:
            _check_assigned(data, catalogue, task, row, i in matches, today)
            continue
        for key, message, severity in task_row_problems(task, catalogue, unit=data.unit,
                                                        today=today):
            data.problem(message, sheet=PLAN_TASKS_SHEET, cell=cell_ref(row, PLAN_TASK_COL[key]),
                         code=task_code(task) or None, severity=severity, kind=f"task-{key}")
    container_warnings(data, PLAN_SHEETS)


def _check_items(data: WorkbookData, catalogue: Catalogue) -> None:
    allowed, seen = led_codes(catalogue, data.unit), set[str]()
    for row, code, *_ in data.plan_rows:
        problem = _item_problem(catalogue, data.unit, code, allowed, seen)
        if problem:
            data.problem(problem, sheet=PLAN_ITEMS_SHEET, cell=cell_ref(row, ITEM_COL["code"]),
                         code=code or None)
        seen.add(code)


def _item_problem(catalogue: Catalogue, unit: str, code: Any, allowed: set[str],
                  seen: set[Any]) -> str:
    if not code:
        return ("dòng có nguyên nhân hoặc giải pháp nhưng không có mã tiêu chí; hãy dùng lại tệp "
                "gốc Văn phòng gửi.")
    node = nodes_by_code(catalogue).get(str(code))
    if node is None:
        return f"mã tiêu chí '{code}' không có trong bộ tiêu chí; hãy dùng lại tệp gốc."
    if code not in allowed:
        who = catalogue.unit_name(node.lead) if node.lead else "Văn phòng"
        return (f"tiêu chí {code} do {who} chủ trì, không phải {catalogue.unit_name(unit)}; "
                "nguyên nhân, giải pháp của tiêu chí này không được gộp.")
    if code in seen:
        return f"tiêu chí {code} có hai dòng; hãy giữ một dòng."
    return ""


def _check_assigned(data: WorkbookData, catalogue: Catalogue, task: Task, row: int,
                    matched: bool, today: dt.date) -> None:
    """A task the Văn phòng assigned: only its progress is the unit's."""
    if not matched:
        data.problem(f"nhiệm vụ '{_short(task.task)}' ({ASSIGNED}) không còn đúng như trong tệp "
                     "tổng hợp (Văn phòng đã sửa hoặc xóa, hoặc dòng bị sửa); tiến độ ghi ở dòng "
                     "này không được gộp. Hãy báo Văn phòng hoặc dùng tệp kế hoạch mới nhất.",
                     sheet=PLAN_TASKS_SHEET, cell=cell_ref(row, PLAN_TASK_COL["task"]),
                     code=task_code(task) or None, severity="warning", kind="assigned-changed")
        return
    for key, message, severity in task_row_problems(task, catalogue, unit=data.unit,
                                                    today=today):
        if key in PROGRESS_KEYS:
            data.problem(message, sheet=PLAN_TASKS_SHEET, cell=cell_ref(row, PLAN_TASK_COL[key]),
                         code=task_code(task) or None, severity=severity, kind=f"task-{key}")


def _short(value: Any) -> str:
    text = str(plain_value(value) or "")
    return text if len(text) <= 60 else text[:59] + "…"


# ---------------------------------------------------------------------------------------------
# Tasks the Văn phòng assigned, found again in the return


def _assigned_key(task: Task) -> tuple[Any, ...]:
    def value(key: str) -> Any:
        if key == "deadline":
            return task_date(task.deadline) or plain_value(task.deadline)
        raw = plain_value(getattr(task, key))
        return task_code(task) if key == "code" else ("" if raw is None else str(raw).strip())

    return tuple(value(key) for key in ASSIGNED_KEYS)


def match_assigned(tasks: list[Task], data: WorkbookData) -> dict[int, int]:
    """Returned row index → index in `tasks` (the master's), for the returned rows the Văn
    phòng assigned whose own cells still equal one of its tasks (each matched once)."""
    assert data.state is not None
    unit = data.unit
    free: dict[tuple[Any, ...], list[int]] = {}
    for i, task in enumerate(tasks):
        if task.origin is None and str(plain_value(task.lead) or "").strip() == unit:
            free.setdefault(_assigned_key(task), []).append(i)
    found = {}
    for j, task in enumerate(data.state.tasks):
        if task.origin is None and free.get(_assigned_key(task)):
            found[j] = free[_assigned_key(task)].pop(0)
    return found


# ---------------------------------------------------------------------------------------------
# Applying an accepted return


def apply_plan_return(catalogue: Catalogue, entries: dict[str, Entry], tasks: list[Task],
                      data: WorkbookData) -> tuple[dict[str, Entry], list[Task]]:
    """The master's entries and tasks after merging one unit's plan return."""
    assert data.state is not None
    unit, allowed = data.unit, led_codes(catalogue, data.unit)
    entries = dict(entries)
    for _, code, cause, remedy in data.plan_rows:
        if code in allowed:
            entry = entries.get(code, EMPTY)
            changes = {k: v for k, v in (("cause", cause), ("remedy", remedy))
                       if v not in (None, "")}
            entries[code] = replace(entry, **changes)
    updated = list(tasks)
    for j, i in match_assigned(tasks, data).items():
        progress = {key: getattr(data.state.tasks[j], key) for key in PROGRESS_KEYS}
        updated[i] = replace(updated[i], **progress)
    own = [replace(t, lead=unit, origin=unit) for t in data.state.tasks
           if t.origin == unit and task_code(t) in allowed]
    return entries, _replace_own(updated, own, unit)


def _replace_own(tasks: list[Task], own: list[Task], unit: str) -> list[Task]:
    """The unit's earlier tasks replaced by `own`, where the first of them was."""
    first = next((i for i, t in enumerate(tasks) if t.origin == unit), None)
    kept = [t for t in tasks if t.origin != unit]
    if first is None:
        return kept + own
    position = sum(1 for t in tasks[:first] if t.origin != unit)
    return kept[:position] + own + kept[position:]
