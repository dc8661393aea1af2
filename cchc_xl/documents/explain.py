"""The figures behind an item's points, said in words: "Số nhiệm vụ hoàn thành đúng hạn:
285/291 (97,94%)", as the seeds explain a lost item (Khánh Hòa: "285/291 nhiệm vụ đúng hạn").

Used where nobody typed an explanation: the self-assessment report's giải trình and the plan's
figures under each lost item. Built from the leaf's inputs and its rule, never from free text.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..analysis.report import NodeReport, number_or_none
from ..criteria.catalogue import Catalogue, Leaf
from ..criteria.numbers import vn_number, vn_percent
from ..format.state import plain_value
from .text import num, typed_text


def inputs_text(row: NodeReport, catalogue: Catalogue) -> str:
    """What the leaf's inputs say, or '' when they say nothing useful."""
    leaf = row.node
    if not isinstance(leaf, Leaf):
        return ""
    if row.status == "missing":
        return "chưa nhập số liệu"
    if row.status == "pending":
        return "chờ kết quả điều tra xã hội học"
    if row.status == "error":
        return "số liệu đã nhập chưa hợp lệ"
    entry = row.entry
    rule: Any = leaf.rule
    if "a" in rule.inputs:
        return _rate_text(rule, number_or_none(entry.a), number_or_none(entry.b))
    value = typed_text(entry.value)
    if rule.kind == "tiers":  # a count
        label = getattr(rule, "value_label", "") or "Số lượng"
        return f"{label}: {value}" if value else ""
    if rule.kind in ("yesno", "choice"):
        return value
    if rule.kind == "survey":
        return f"điểm điều tra xã hội học {num(row.points)}/{num(row.applicable_max)}"
    return f"tự chấm {num(row.points)}/{num(row.applicable_max)} điểm"


def _rate_text(rule: Any, a: Decimal | None, b: Decimal | None) -> str:
    if a is None or b is None:
        return ""
    if a == 0:
        return f"không phát sinh ({getattr(rule, 'a_label', '') or 'a'} bằng 0)"
    share = vn_percent(b / a)
    head = f"{rule.b_label}: " if rule.b_label else "đạt "
    text = f"{head}{vn_number(b)}/{vn_number(a)} ({share})"
    target = getattr(rule, "target", None)
    if target is not None:
        text += f", chỉ tiêu được giao {vn_number(target)}%"
    return text


def explanation(row: NodeReport, catalogue: Catalogue) -> str:
    """A sentence for an item below its maximum nobody explained: its figures, its appraised
    points and the late-evidence deduction, if any ("Số nhiệm vụ …: 285/291 (97,94%).")."""
    parts = []
    figures = inputs_text(row, catalogue)
    if figures:
        parts.append(figures)
    if row.appraised is not None and row.appraised != row.points:
        parts.append(f"điểm thẩm định {num(row.appraised)}")
    if plain_value(row.entry.supp) not in (None, ""):
        share = vn_percent(catalogue.supplement_deduction, 0)
        parts.append(f"phải giải trình bổ sung tài liệu kiểm chứng nên bị trừ {share} số điểm "
                     "của phần bổ sung")
    if not parts:
        parts.append(f"đạt {num(row.points)}/{num(row.applicable_max)} điểm")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
