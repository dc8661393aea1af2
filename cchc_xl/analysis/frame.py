"""The scores as a pandas DataFrame, for analysts who script (`Master.scores()`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .report import Report

if TYPE_CHECKING:
    import pandas

COLUMNS = ("field", "code", "name", "lead", "support", "rule", "max", "applicable_max", "a", "b",
           "value", "not_applicable", "supplemented", "status", "points", "appraised", "achieved",
           "last_year", "target", "lost", "evidence")


def scores_frame(report: Report) -> pandas.DataFrame:
    """One row per sub-criterion (bonus and penalty items included), in catalogue order.

    Points are floats (exact to the 2 decimals the engine rounds to); blanks are NaN/None.
    `evidence` counts the register rows that cite the item.
    """
    import pandas as pd

    cat = report.catalogue
    evidence: dict[str, int] = {}
    for row in report.state.evidence:
        code = str(row.code or "").strip()
        evidence[code] = evidence.get(code, 0) + 1
    fields = {leaf.code: f.code for f in cat.fields for leaf in f.leaves()}
    rows: list[dict[str, Any]] = []
    for leaf in cat.all_leaves():
        node = report.nodes[leaf.code]
        entry = node.entry
        rows.append({
            "field": fields.get(leaf.code, "bonus" if leaf in _extras(report, "bonus")
                                else "penalty"),
            "code": leaf.code, "name": leaf.name, "lead": leaf.lead,
            "support": ", ".join(leaf.support), "rule": leaf.rule.kind,
            "max": float(leaf.max), "applicable_max": float(node.applicable_max),
            "a": entry.a, "b": entry.b, "value": entry.value,
            "not_applicable": entry.na is not None, "supplemented": entry.supp,
            "status": node.status,
            "points": float(node.points) if node.status == "ok" else None,
            "appraised": _float(node.appraised), "achieved": float(node.achieved),
            "last_year": _float(node.last_year), "target": _float(node.target),
            "lost": float(node.lost), "evidence": evidence.get(leaf.code, 0),
        })
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _extras(report: Report, kind: str) -> list[Any]:
    return [item for k, item in report.catalogue.extra_items() if k == kind]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
