"""Checks shared by the merge of returns and the check of the master (Kiểm tra).

One place decides what is wrong with an evidence row and which scored items lack evidence, so
the report a unit gets at merge time and the one the Văn phòng gets from "Kiểm tra" agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from decimal import Decimal

from ..criteria.catalogue import Catalogue, Leaf
from ..criteria.engine import LeafScore, score_leaf
from ..criteria.numbers import vn_number
from ..errors import Problem
from ..format.layout import EVIDENCE_COL, EVIDENCE_SHEET, cell_ref
from ..format.state import EvidenceRow, State, as_date, plain_value, shown


def evidence_row_problems(row: EvidenceRow, known: AbstractSet[str],
                          allowed: AbstractSet[str] | None,
                          catalogue: Catalogue, today: dt.date) -> list[tuple[str, str]]:
    """(column key, Vietnamese message) for each problem of one evidence register row."""
    found: list[tuple[str, str]] = []
    code = str(plain_value(row.code) or "").strip()
    if not code:
        found.append(("code", "dòng tài liệu kiểm chứng chưa có mã tiêu chí; hãy chọn mã trong "
                              "danh sách."))
    elif code not in known:
        found.append(("code", f"mã tiêu chí '{code}' không có trong bộ tiêu chí; hãy chọn mã "
                              "trong danh sách."))
    elif allowed is not None and code not in allowed:
        found.append(("code", f"tiêu chí {code} không do đơn vị chủ trì hoặc phối hợp; hãy kiểm "
                              "tra lại mã."))
    if row.number is None and row.subject is None:
        found.append(("number", "dòng tài liệu kiểm chứng thiếu cả số/ký hiệu và trích yếu."))
    if plain_value(row.date) is not None:
        date = as_date(plain_value(row.date))
        if date is None:
            found.append(("date", f"ngày ban hành {shown(row.date)} không phải ngày; hãy gõ dạng "
                                  "dd/mm/yyyy."))
        elif date > today:
            found.append(("date", f"ngày ban hành {date:%d/%m/%Y} ở tương lai; hãy kiểm tra lại."))
    unit = str(row.unit or "").strip()
    if unit and catalogue.unit(unit) is None:
        found.append(("unit", f"mã đơn vị '{unit}' không có trong danh sách."))
    return found


def covered_codes(rows: Iterable[EvidenceRow]) -> set[str]:
    return {str(plain_value(r.code) or "").strip() for r in rows}


def missing_evidence_message(points: Decimal, deduction: Decimal) -> str:
    return (f"tiêu chí được {vn_number(points)} điểm nhưng chưa có tài liệu kiểm chứng nào: nguy "
            f"cơ bị trừ {vn_number(deduction * 100)}% khi phải giải trình bổ sung. Hãy ghi tài "
            "liệu ở sheet 'Tài liệu kiểm chứng'.")


def scored_without_evidence(leaves: Iterable[Leaf], state: State, covered: set[str],
                            deduction: Decimal,
                            scores: Mapping[str, LeafScore] | None = None) -> list[LeafScore]:
    """Leaves with points but no evidence row: each is a 30% deduction waiting to happen.

    `scores`: leaves already scored for these inputs (the merge scores each leaf once)."""
    result = []
    for leaf in leaves:
        if leaf.code in covered:
            continue
        score = scores.get(leaf.code) if scores else None
        if score is None:
            score = score_leaf(leaf, state.entry(leaf.code).leaf_input(), deduction)
        if score.status == "ok" and score.points and score.points > 0:
            result.append(score)
    return result


def check_master(catalogue: Catalogue, state: State, today: dt.date,
                 file: str | None = None, evidence_rows: list[int] | None = None
                 ) -> list[Problem]:
    """What the Văn phòng should fix before reporting: errors, gaps and missing evidence.

    `evidence_rows`: the sheet row of each register row as read, to name each problem's cell."""
    problems: list[Problem] = []
    deduction = catalogue.supplement_deduction
    scores: dict[str, LeafScore] = {}
    for leaf in catalogue.all_leaves():
        score = scores[leaf.code] = score_leaf(leaf, state.entry(leaf.code).leaf_input(),
                                               deduction)
        if score.status == "error" and score.check is not None:
            problems.append(Problem(score.check.message, file=file, code=leaf.code,
                                    unit=leaf.lead))
        elif score.status == "pending":
            problems.append(Problem("chờ kết quả điều tra xã hội học: Văn phòng nhập khi Sở Nội "
                                    "vụ công bố; đến lúc đó Chỉ số CCHC là tạm tính, chưa gồm "
                                    "tiêu chí này.", file=file, code=leaf.code,
                                    severity="warning", kind="pending"))
        elif score.status == "missing":
            who = catalogue.unit_name(leaf.lead) if leaf.rule.unit_input else "Văn phòng"
            problems.append(Problem(f"chưa có số liệu (do {who} nhập).", file=file,
                                    code=leaf.code, unit=leaf.lead, severity="warning"))
    known = {leaf.code for leaf in catalogue.all_leaves()}
    rows = evidence_rows if evidence_rows and len(evidence_rows) == len(state.evidence) else None
    for i, row in enumerate(state.evidence):
        for key, message in evidence_row_problems(row, known, None, catalogue, today):
            cell = cell_ref(rows[i], EVIDENCE_COL[key]) if rows else None
            problems.append(Problem(message, file=file, sheet=EVIDENCE_SHEET, cell=cell,
                                    code=str(plain_value(row.code) or "") or None,
                                    unit=str(row.unit or "") or None))
    covered = covered_codes(state.evidence)
    for score in scored_without_evidence(catalogue.all_leaves(), state, covered, deduction,
                                         scores):
        problems.append(Problem(missing_evidence_message(score.points or Decimal(0), deduction),
                                file=file, code=score.code, severity="warning"))
    return problems
