"""The remediation plan (Kế hoạch khắc phục), as the seeds write it, in Word or Excel.

One model, two renderings (`plan_docx`, `plan_xlsx`). Its figures come from one `Result`
(published, else appraised, else self-assessed, never a mix); its labels ("trừ 3 điểm") and
totals are derived from the numbers, so the plan cannot disagree with itself:

- Phụ lục I, Lạng Sơn's table: per field the applicable maximum, the year's result, next year's
  target, the lead and supporting units and the deadline; rows for the bonus and the penalty
  (the penalty as a negative number), the total (the sum of the rows above it) and the index.
- Phụ lục II, Khánh Hòa's table: every sub-criterion below its maximum, grouped by field, with
  its points, cause, remedy, tasks (from the tracker `state.tasks`, else the item's remedy),
  deliverables, units and deadline; each field row and the total row sum the items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..analysis.report import NodeReport, Report, Result, lost_label, result_of
from ..criteria.catalogue import Catalogue, Leaf
from ..criteria.engine import index_of
from ..files.atomic import atomic_write
from ..format.layout import TRACKER_SHEET
from ..format.state import Task
from .admin import Frame, check_frame
from .figures import check_basis
from .outcome import DocumentResult, Warnings, output_suffix
from .text import agency_name, num, printable, typed_text, typed_value, unit_names

__all__ = ["PlanModel", "build_plan", "export_plan", "printable", "typed_text"]

ZERO = Decimal(0)
Deadline = dt.date | str


@dataclass(frozen=True)
class TaskLine:
    """A task of the plan: typed in the tracker, or derived from a lost item's remedy."""

    code: str
    task: str
    deliverable: str
    lead: str  # unit names
    support: str
    deadline: Deadline
    status: str = ""
    completed: Deadline = ""
    evidence: str = ""
    note: str = ""
    derived: bool = False  # the item's remedy standing in for a task nobody typed


@dataclass(frozen=True)
class PlanItem:
    """A sub-criterion below its maximum (or a penalty item that cost points)."""

    row: NodeReport
    cause: str
    remedy: str
    tasks: tuple[TaskLine, ...]
    penalty: bool = False

    @property
    def code(self) -> str:
        return self.row.code

    @property
    def lost(self) -> Decimal:
        """Points lost: below the maximum, or the penalty item's own points."""
        return self.row.achieved if self.penalty else self.row.lost

    @property
    def derived(self) -> bool:
        return all(t.derived for t in self.tasks)


@dataclass(frozen=True)
class FieldGroup:
    row: NodeReport
    points: Decimal  # on the result's basis
    items: tuple[PlanItem, ...]

    @property
    def lost(self) -> Decimal:
        return max(self.row.applicable_max - self.points, ZERO)

    @property
    def label(self) -> str:
        return lost_label(self.row.applicable_max, self.lost)


@dataclass(frozen=True)
class FieldRow:
    """A row of Phụ lục I. The penalty row's result and target are negative: every total is
    the plain sum of the rows above it."""

    number: str
    name: str
    max: Decimal | None
    result: Decimal | None
    target: Decimal | None
    lead: str
    support: str
    deadline: Deadline
    kind: str = "field"  # field, bonus, penalty


@dataclass
class PlanModel:
    report: Report
    result: Result
    frame: Frame
    year: int
    bases: list[str]
    groups: list[FieldGroup]  # every field, in catalogue order
    penalties: list[PlanItem]
    other_tasks: list[TaskLine]
    field_rows: list[FieldRow]
    warnings: Warnings = field(default_factory=Warnings)

    @property
    def next_year(self) -> int:
        return self.year + 1

    @property
    def org_name(self) -> str:
        return self.frame.agency_name

    @property
    def lost_groups(self) -> list[FieldGroup]:
        return [g for g in self.groups if g.items or g.lost > 0]

    @property
    def items(self) -> list[PlanItem]:
        return [item for g in self.groups for item in g.items]

    @property
    def tasks(self) -> list[TaskLine]:
        """Every task of the plan, for the tracker sheet: per item, then the others."""
        return [t for item in (*self.items, *self.penalties) for t in item.tasks] + \
            self.other_tasks

    @property
    def total(self) -> FieldRow:
        rows = self.field_rows
        return FieldRow("", "TỔNG ĐIỂM", _sum(r.max for r in rows), _sum(r.result for r in rows),
                        _sum(r.target for r in rows), "", "", "", "total")

    @property
    def target_index(self) -> Decimal | None:
        total = self.total
        if total.target is None or not total.max:
            return None
        return index_of(total.target, total.max)


def _sum(values: object) -> Decimal | None:
    present = [v for v in values if v is not None]  # type: ignore[attr-defined]
    return sum(present, ZERO) if present else None


# ---------------------------------------------------------------------------------------------
# The model


def build_plan(report: Report) -> PlanModel:
    catalogue = report.catalogue
    year = catalogue.year
    org = report.org
    name = agency_name(report.state.org, org.agency)
    title = (f"Khắc phục hạn chế, tồn tại trong công tác CCHC năm {year}; nâng cao Chỉ số CCHC "
             f"năm {year + 1} của {name}")
    frame = Frame(org, "KH", "KẾ HOẠCH", title, year + 1, name)
    warnings = Warnings()
    result = result_of(report)
    tasks = _typed_tasks(report)
    groups = [_group(report, f, result, tasks, warnings) for f in report.fields]
    penalties = [_item(report, row, tasks, warnings, penalty=True)
                 for row in report.extras("penalty") if row.achieved > 0]
    used = {item.code for g in groups for item in g.items} | {p.code for p in penalties}
    other = [t for code, lines in tasks.items() if code not in used for t in lines]
    model = PlanModel(report, result, frame, year, _bases(report, result, name, warnings),
                      groups, penalties, other, _field_rows(report, result), warnings)
    check_frame(frame, catalogue, warnings)
    check_basis(report, result, warnings)
    _check_targets(report, warnings)
    _check_tasks(report, other, warnings)
    return model


def _bases(report: Report, result: Result, name: str, warnings: Warnings) -> list[str]:
    year = report.catalogue.year
    decision = report.published.decision
    if decision:
        tail = "" if "về việc" in decision.lower() else \
            f" công bố Chỉ số cải cách hành chính năm {year}"
        return [f"Căn cứ {decision.rstrip(' ;.')}{tail};"]
    warnings.setting(report.catalogue, "published.decision",
                     "chưa nhập văn bản công bố kết quả (số, ngày, cơ quan ban hành): kế hoạch "
                     f"chỉ căn cứ {result.basis_text}.")
    return [f"Căn cứ {result.basis_text} Chỉ số cải cách hành chính năm {year} của {name};"]


def _typed_tasks(report: Report) -> dict[str, list[TaskLine]]:
    """The tracker's tasks by the code they remedy ('' for none), in the order typed."""
    catalogue = report.catalogue
    found: dict[str, list[TaskLine]] = {}
    for task in report.state.tasks:
        if task.is_blank():
            continue
        line = _task_line(task, catalogue)
        found.setdefault(line.code, []).append(line)
    return found


def _task_line(task: Task, catalogue: Catalogue) -> TaskLine:
    text = {key: typed_text(getattr(task, key)) for key in
            ("code", "task", "deliverable", "status", "evidence", "note")}
    return TaskLine(text["code"], text["task"], text["deliverable"],
                    unit_names(catalogue, task.lead), unit_names(catalogue, task.support),
                    typed_value(task.deadline), text["status"], typed_value(task.completed),
                    text["evidence"], text["note"])


def _group(report: Report, f: NodeReport, result: Result, tasks: dict[str, list[TaskLine]],
           warnings: Warnings) -> FieldGroup:
    lost_rows = [report.nodes[leaf.code] for leaf in f.node.leaves()  # type: ignore[union-attr]
                 if report.nodes[leaf.code].lost > 0]
    items = tuple(_item(report, row, tasks, warnings) for row in lost_rows)
    group = FieldGroup(f, result.fields.get(f.code, f.achieved), items)
    items_lost = sum((i.lost for i in items), ZERO)
    if result.basis == "published" and items_lost != group.lost:
        warnings.add(f"lĩnh vực {f.code} bị trừ {num(group.lost)} điểm theo kết quả công bố, "
                     f"nhưng các tiêu chí thành phần (điểm thẩm định, tự đánh giá) bị trừ "
                     f"{num(items_lost)} điểm: hãy nhập điểm thẩm định của từng tiêu chí để Phụ "
                     "lục II khớp với kết quả công bố.", kind="plan-basis", code=f.code)
    return group


def _item(report: Report, row: NodeReport, tasks: dict[str, list[TaskLine]],
          warnings: Warnings, penalty: bool = False) -> PlanItem:
    catalogue = report.catalogue
    entry = row.entry
    cause, remedy = typed_text(entry.cause), typed_text(entry.remedy)
    typed = tasks.get(row.code, [])
    lead = catalogue.unit_name(row.node.lead)
    support = unit_names(catalogue, row.node.support)
    deadline = typed_value(entry.deadline) or f"Trong năm {catalogue.year + 1}"
    derived = TaskLine(row.code, remedy, "", lead, support, deadline, derived=True)
    item = PlanItem(row, cause, remedy, tuple(typed) or (derived,), penalty)
    blank = [what for what, missing in (("nguyên nhân", not cause),
                                        ("giải pháp khắc phục", not remedy and not typed))
             if missing]
    if blank:
        warnings.add(f"bị trừ {num(item.lost)} điểm nhưng chưa nêu " + " và ".join(blank)
                     + f" (cột 'Nguyên nhân chưa đạt', 'Giải pháp khắc phục' hoặc sheet "
                     f"'{TRACKER_SHEET}'): kế hoạch để dòng chấm cho Văn phòng, đơn vị chủ trì "
                     "bổ sung.",
                     kind="plan-blank", code=row.code)
    if isinstance(row.node, Leaf) and row.status in ("missing", "error"):
        said = "chưa có số liệu" if row.status == "missing" else "có số liệu chưa hợp lệ"
        warnings.add(f"{said}: kế hoạch tính là bị trừ toàn bộ điểm.", kind="plan-data",
                     code=row.code)
    return item


def _field_rows(report: Report, result: Result) -> list[FieldRow]:
    catalogue = report.catalogue
    default = f"Tháng 12/{catalogue.year + 1}"
    rows = []
    for i, f in enumerate(report.fields, start=1):
        points = result.fields.get(f.code, f.achieved)
        label = lost_label(f.applicable_max, max(f.applicable_max - points, ZERO))
        suffix = f"(Tiêu chí {label})" if f.applicable_max else f"({label})"
        rows.append(FieldRow(str(i), f"{f.node.name} {suffix}", f.applicable_max, points,
                             f.target, catalogue.unit_name(f.node.lead),
                             unit_names(catalogue, f.node.support),
                             typed_value(f.entry.deadline) or default))
    for kind, section in (("bonus", catalogue.bonus), ("penalty", catalogue.penalty)):
        value = result.bonus if kind == "bonus" else result.penalty
        if section is None and not value:
            continue
        rows.append(_extra_row(report, kind, value, default))
    return rows


def _extra_row(report: Report, kind: str, value: Decimal, deadline: str) -> FieldRow:
    catalogue = report.catalogue
    section = catalogue.bonus if kind == "bonus" else catalogue.penalty
    items = report.extras(kind)
    targets = [i.target for i in items if i.target is not None]
    target = min(sum(targets, ZERO), section.cap) if targets and section else None
    cap = f" (tối đa {num(section.cap)} điểm)" if section is not None else ""
    leads = unit_names(catalogue, tuple(i.node.lead for i in items if i.node.lead))
    if kind == "bonus":
        return FieldRow("", f"Điểm thưởng{cap}", None, value, target, leads, "", deadline,
                        "bonus")
    return FieldRow("", f"Điểm trừ{cap}, ghi số âm", None, -value,
                    None if target is None else -target, leads, "", deadline, "penalty")


def _check_targets(report: Report, warnings: Warnings) -> None:
    missing = [f.code for f in report.fields if f.target is None and f.applicable_max]
    if missing:
        warnings.add("chưa nhập mục tiêu năm " f"{report.catalogue.year + 1} của lĩnh vực "
                     + ", ".join(missing) + ": cột Mục tiêu của Phụ lục I để trống các dòng đó "
                     "và dòng tổng chỉ cộng các lĩnh vực đã nhập.", kind="plan-target")


def _check_tasks(report: Report, other: list[TaskLine], warnings: Warnings) -> None:
    known = {n.code for n in report.nodes.values()} | {n.code for n in report.catalogue.nodes()}
    for task in other:
        if task.code and task.code not in known:
            warnings.add(f"nhiệm vụ khắc phục ghi mã tiêu chí không có trong bộ tiêu chí; kế "
                         f"hoạch xếp vào mục nhiệm vụ khác. Hãy sửa mã ở sheet "
                         f"'{TRACKER_SHEET}'.", kind="plan-task", code=task.code)


# ---------------------------------------------------------------------------------------------
# Writing


def export_plan(report: Report, out: Path) -> DocumentResult:
    """Write the plan for a master's report to `out` (.docx or .xlsx), atomically; returns the
    path and the warnings the person should see (blank causes, no signer, no published result …).
    """
    out = Path(out)
    suffix = output_suffix(out, (".docx", ".xlsx"), "kế hoạch")
    model = build_plan(report)
    if suffix == ".docx":
        from .plan_docx import write_docx as writer
    else:
        from .plan_xlsx import write_xlsx as writer
    atomic_write(out, lambda tmp: writer(model, tmp))
    return DocumentResult(out, list(model.warnings))
