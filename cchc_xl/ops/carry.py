"""Next year starts from this year: last year's results carried into a new master.

`cchc-xl new --from LAST_YEAR_MASTER` fills each sub-criterion's 'Kết quả năm trước' from last
year's master, matched by code: its appraised points where the council appraised it, else the
self-assessed ones (items are not published one by one); each field from the points published
for it, else appraised, else self-assessed; and last year's published total, index, rating and
rank on 'Thông tin chung'. Nothing is capped by this year's maxima. Codes that changed between
the two criteria sets are reported; `--map OLD=NEW` matches them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from ..analysis.report import NodeReport, Report, number_or_none
from ..criteria.catalogue import Catalogue
from ..errors import InputError, Problem
from ..format.state import Entry

# Below this share of last year's codes found this year, the file is another catalogue.
MIN_SHARED = 0.5


@dataclass
class CarriedOver:
    entries: dict[str, Entry] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # warnings: codes not matched


def carry_over(last: Report, catalogue: Catalogue, code_map: dict[str, str] | None = None,
               file: str = "") -> CarriedOver:
    """Last year's results for this year's catalogue; InputError for another catalogue."""
    code_map = dict(code_map or {})
    _check_map(code_map, last.catalogue, catalogue, file)
    if last.catalogue.year != catalogue.year - 1:
        raise InputError(f"{file} là tệp tổng hợp năm {last.catalogue.year}, không phải năm "
                         f"{catalogue.year - 1}; hãy chọn tệp tổng hợp của năm trước.")
    result = CarriedOver()
    now_codes = {node.code for node in catalogue.nodes()} | catalogue.leaf_codes
    matched = 0
    for code, node in last.nodes.items():
        new = code_map.get(code, code)
        if new not in now_codes:
            result.problems.append(Problem(
                f"mã {code} của năm trước không có trong bộ tiêu chí năm nay; kết quả của nó không "
                f"được chuyển. Nếu tiêu chí đổi mã, chạy lại với --map {code}=<mã mới>.",
                file=file, code=code, severity="warning", kind="unmatched"))
            continue
        matched += 1
        value = _last_points(last, node)
        if value is not None:
            result.entries[new] = Entry(last_year=float(value))
    if matched < MIN_SHARED * len(last.nodes):
        raise InputError(f"{file} được lập theo bộ tiêu chí khác ({last.catalogue.name}): chỉ "
                         f"{matched}/{len(last.nodes)} mã trùng với bộ tiêu chí năm nay. Hãy "
                         "chọn đúng tệp tổng hợp năm trước, hoặc ghi các mã đã đổi bằng --map "
                         "CŨ=MỚI.", result.problems[:20])
    carried = {code_map.get(c, c) for c in last.nodes}
    for leaf in catalogue.all_leaves():
        if leaf.code not in carried:
            result.problems.append(Problem(
                "tiêu chí mới năm nay (không có trong tệp năm trước): 'Kết quả năm trước' để "
                "trống.", file=file, code=leaf.code, severity="warning", kind="new-code"))
    published = last.published
    for key in ("decision", "total", "index", "rating", "rank", "survey_index", "survey_rank"):
        value = getattr(published, key)
        if value not in (None, ""):
            result.info[f"last_year.{key}"] = float(value) if isinstance(value, Decimal) else value
    return result


def _last_points(last: Report, node: NodeReport) -> Decimal | None:
    """Published (fields), else appraised, else self-assessed; None when not scored."""
    if node.level == 1 and node.code in {f.code for f in last.catalogue.fields}:
        published = number_or_none(last.state.info.get(f"field.{node.code}"))
        if published is not None:
            return published
    if node.applicable_max == 0 or node.status in ("missing", "error", "pending"):
        return node.appraised
    return node.achieved


def _check_map(code_map: dict[str, str], last: Catalogue, now: Catalogue, file: str) -> None:
    last_codes = {n.code for n in last.nodes()} | last.leaf_codes
    now_codes = {n.code for n in now.nodes()} | now.leaf_codes
    problems = []
    for old, new in code_map.items():
        if old not in last_codes:
            problems.append(Problem(f"--map {old}={new}: mã {old} không có trong tệp năm trước.",
                                    file=file, code=old))
        if new not in now_codes:
            problems.append(Problem(f"--map {old}={new}: mã {new} không có trong bộ tiêu chí "
                                    "năm nay.", code=new))
    if problems:
        raise InputError("Cách ghép mã (--map) có mã không tồn tại; hãy sửa rồi chạy lại.",
                         problems)


def with_carried(entries: dict[str, Entry], carried: CarriedOver) -> dict[str, Entry]:
    merged = dict(entries)
    for code, entry in carried.entries.items():
        merged[code] = replace(merged.get(code, Entry()), last_year=entry.last_year)
    return merged
