"""The council's appraisal applied to a master's state: one rule for the command and the button.

`Master.import_appraisal` (the `cchc-xl appraisal` command, which rebuilds the file) and the
live mode (the *Nhập điểm thẩm định* button, which writes into the workbook open in Excel) both
read the council's file with `read_council_file` and change the state with `apply_appraisal`, so
the two write the same appraised points and the same rows of 'Giải trình thẩm định'.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from ..analysis.report import build_report
from ..criteria.catalogue import Catalogue
from ..errors import InputError
from ..format.state import Explanation, State
from ..read.appraisal import Appraisal, read_appraisal


@dataclass
class Applied:
    """The state after an appraisal, and what the message of the import says about it."""

    state: State
    first_round: list[str]  # codes whose first-round points were recorded
    lowered: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    # code → (self-assessed points, the council's points) for the items the council lowered


def read_council_file(path: Path, catalogue: Catalogue) -> Appraisal:
    """The council's points; InputError listing every problem (with its sheet and cell) when the
    file has any, so that nothing is imported from a file that is partly wrong."""
    appraisal = read_appraisal(Path(path), catalogue)
    if appraisal.problems:
        raise InputError(f"Tệp kết quả thẩm định {Path(path).name} có "
                         f"{len(appraisal.problems)} lỗi; chưa nhập điểm nào. Hãy sửa theo "
                         "danh sách rồi nhập lại.", appraisal.problems)
    return appraisal


def apply_appraisal(catalogue: Catalogue, state: State, points: dict[str, Decimal], *,
                    first_round: bool = False) -> Applied:
    """The council's points into the items' appraised points. An item the council lowered below
    its self-assessed points (or that already has a row on the appraisal sheet) gets its
    first-round points recorded there, unless they already are; `first_round` records them
    again."""
    entries, explanations = dict(state.entries), dict(state.explanations)
    own = build_report(catalogue, state).nodes  # the self-assessed points
    recorded, lowered = [], {}
    for code, given in points.items():
        entries[code] = replace(state.entry(code), appraised=float(given))
        old = explanations.get(code, Explanation())
        is_lower = given < own[code].points
        if is_lower:
            lowered[code] = (own[code].points, given)
        if (is_lower or code in explanations) and (first_round or old.first in (None, "")):
            explanations[code] = replace(old, first=float(given))
            recorded.append(code)
    return Applied(replace(state, entries=entries, explanations=explanations), recorded, lowered)
