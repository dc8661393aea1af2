"""Supplement requests (yêu cầu bổ sung): what each unit must still fix or send, after a merge.

Step 4 of the yearly cycle: the Văn phòng reviews what came back and asks each unit for what is
missing. Computed from the master's state, never typed: the same list shows on the master's
'Đơn vị' sheet and on each unit's next workbook ('Yêu cầu bổ sung'), so the unit corrects its
workbook instead of retyping it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..criteria.numbers import vn_number
from ..format.state import OLDER, REJECTED, SCORE_LOG_KIND, as_date
from .checks import covered_codes, missing_evidence_message
from .report import Report

# What a request is about, in the order a unit should work through them.
KINDS = {
    "file": "Tệp gửi về không được gộp",
    "error": "Số liệu sai",
    "missing": "Chưa nhập số liệu",
    "evidence": "Thiếu tài liệu kiểm chứng",
    "explanation": "Chưa giải trình",
    "below": "Thấp hơn năm trước hoặc mục tiêu",
}
REFUSED = (REJECTED, OLDER)


@dataclass(frozen=True)
class Request:
    unit: str
    kind: str  # a key of KINDS
    code: str  # the criterion, '' for a whole file
    message: str

    @property
    def kind_text(self) -> str:
        return KINDS[self.kind]


@dataclass(frozen=True)
class UnitStatus:
    """One unit at a glance: what it leads and supports, what came back, what is still open."""

    code: str
    name: str
    leads: int
    supports: int
    returned: str  # the last merged file's name, '' if none
    saved: dt.datetime | None
    timeliness: str  # 'đúng hạn', 'muộn 3 ngày', 'quá hạn, chưa gửi', 'chưa gửi' or ''
    requests: tuple[Request, ...]


def unit_requests(report: Report, unit: str) -> list[Request]:
    """Every open request for one unit, in the order of KINDS then of the catalogue."""
    cat, state = report.catalogue, report.state
    found: list[Request] = []
    last = _last_file(report, unit)
    if last is not None and last.outcome in REFUSED:
        found.append(Request(unit, "file", "", (
            f"tệp {last.file} (gộp lúc {_shown_time(last.time)}) {last.outcome}: "
            f"{last.problems[:300] or 'xem sheet Nhật ký gộp'}. Hãy sửa và gửi lại.")))
    if not any(row.unit == unit and row.merged and row.stream == SCORE_LOG_KIND
               for row in state.log):
        return found  # nothing merged yet: the unit's workbook itself is the request
    covered = covered_codes(state.evidence)
    for leaf in cat.unit_leaves(unit):
        node = report.nodes[leaf.code]
        if node.status == "error":
            found.append(Request(unit, "error", leaf.code, "số liệu nhập không hợp lệ (ô điểm báo "
                                 "'Lỗi'); hãy sửa theo hướng dẫn trong ô."))
        elif node.status == "missing":
            found.append(Request(unit, "missing", leaf.code, "chưa nhập số liệu; nếu đơn vị không "
                                 "được giao nhiệm vụ này, gõ x ở cột 'Không chấm điểm'."))
        if node.status == "ok" and node.points > 0 and leaf.code not in covered:
            found.append(Request(unit, "evidence", leaf.code, missing_evidence_message(
                node.points, cat.supplement_deduction)))
        if node.status == "ok" and node.points < node.applicable_max and not _typed(
                node.entry.note):
            found.append(Request(unit, "explanation", leaf.code, (
                f"được {vn_number(node.points)}/{vn_number(node.applicable_max)} điểm; hãy ghi "
                "giải trình ở cột 'Giải trình, ghi chú'.")))
        found += _below(unit, leaf.code, node.achieved, node.last_year, node.target)
    for leaf in cat.supported_leaves(unit):
        node = report.nodes[leaf.code]
        if node.status == "ok" and node.points > 0 and leaf.code not in covered:
            found.append(Request(unit, "evidence", leaf.code, (
                f"đơn vị phối hợp: tiêu chí do {cat.unit_name(leaf.lead)} chủ trì chưa có tài "
                "liệu kiểm chứng nào; hãy gửi tài liệu đơn vị đang giữ.")))
    order = list(KINDS)
    return sorted(found, key=lambda r: order.index(r.kind))


def _below(unit: str, code: str, achieved: Decimal, last_year: Decimal | None,
           target: Decimal | None) -> list[Request]:
    parts = []
    if last_year is not None and achieved < last_year:
        parts.append(f"năm trước {vn_number(last_year)}")
    if target is not None and achieved < target:
        parts.append(f"mục tiêu {vn_number(target)}")
    if not parts:
        return []
    return [Request(unit, "below", code, f"đạt {vn_number(achieved)} điểm, thấp hơn "
                    + " và ".join(parts) + "; hãy rà soát số liệu, tài liệu và giải trình.")]


def _shown_time(text: str) -> str:
    """The merge log's '2026-12-12 08:30:00' as people write it: 12/12/2026 08:30."""
    try:
        return f"{dt.datetime.strptime(text, '%Y-%m-%d %H:%M:%S'):%d/%m/%Y %H:%M}"
    except ValueError:
        return text


def _typed(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _last_file(report: Report, unit: str):  # type: ignore[no-untyped-def]
    rows = [row for row in report.state.log if row.unit == unit and row.stream == SCORE_LOG_KIND]
    return rows[-1] if rows else None


def unit_statuses(report: Report, today: dt.date) -> list[UnitStatus]:
    """Every unit with a workbook: returned or not, on time or late, its open requests."""
    cat = report.catalogue
    deadline = as_date(report.state.info.get("return_deadline"))
    statuses = []
    for unit in cat.units:
        leads, supports = len(cat.unit_leaves(unit.code)), len(cat.supported_leaves(unit.code))
        if not leads and not supports:
            continue
        merged = [row for row in report.state.log if row.unit == unit.code
                  and row.merged and row.stream == SCORE_LOG_KIND]
        last = merged[-1] if merged else None
        saved = last.saved_at if last else None
        statuses.append(UnitStatus(unit.code, unit.name, leads, supports,
                                   last.file if last else "", saved,
                                   _timeliness(saved, deadline, today, bool(last)),
                                   tuple(unit_requests(report, unit.code))))
    return statuses


def _timeliness(saved: dt.datetime | None, deadline: dt.date | None, today: dt.date,
                returned: bool) -> str:
    if not returned:
        if deadline is not None and today > deadline:
            return f"quá hạn {(today - deadline).days} ngày, chưa gửi"
        return "chưa gửi"
    if deadline is None or saved is None:
        return "đã gửi"
    late = (saved.astimezone().date() - deadline).days  # the day as shown: local time
    return "đúng hạn" if late <= 0 else f"muộn {late} ngày"
