"""The year's result in one sentence, every figure from one basis.

"Theo kết quả được công bố, năm 2023 Sở Tư pháp đạt 84,27/94,5 điểm (89,17%), xếp loại Tốt,
xếp thứ 8/21, tăng 0,34% so với năm trước (năm 2022: 88,83%)." The points, the index and the
rating come from one `Result` (published, else appraised, else self-assessed); the rank is the
published one and is said only on the published basis; the change is this index against last
year's published index, in percentage points of the rounded figures the sentence prints (as
Khánh Hòa's "tăng 0,34%"), so the reader can check it.
"""

from __future__ import annotations

from decimal import Decimal

from ..analysis.report import Report, Result
from ..criteria.engine import index_of
from ..criteria.numbers import round_half_up, vn_number
from ..format.info import Published
from .outcome import Warnings
from .text import num, pct

INDEX_TOLERANCE = Decimal("0.0001")  # one hundredth of a percent: the published rounding


def change(index: Decimal | None, last_year: Published) -> Decimal | None:
    """This year's index minus last year's, in percentage points of the printed (rounded)
    figures; None when either is missing."""
    if index is None or last_year.index is None:
        return None
    return round_half_up(index * 100) - round_half_up(last_year.index * 100)


def change_text(delta: Decimal) -> str:
    """'tăng 0,34%', 'giảm 1,2%', 'bằng'."""
    if delta > 0:
        return f"tăng {vn_number(delta)}%"
    if delta < 0:
        return f"giảm {vn_number(-delta)}%"
    return "bằng"


def headline(report: Report, result: Result, org_name: str) -> str:
    """The results sentence of a plan or a report."""
    year = report.catalogue.year
    text = (f"Theo {result.basis_text}, năm {year} {org_name} đạt {num(result.total)}/"
            f"{num(report.applicable_max)} điểm")
    if result.index is not None:
        text += f" ({pct(result.index)})"
    if result.rating:
        text += f", xếp loại {result.rating}"
    if result.basis == "published" and result.rank:
        text += f", xếp thứ {result.rank}"
    delta = change(result.index, report.last_year_published)
    if delta is not None:
        said = change_text(delta)
        text += ", bằng năm trước" if said == "bằng" else f", {said} so với năm trước"
    return text + _last_year(report) + "."


def _last_year(report: Report) -> str:
    last = report.last_year_published
    parts = []
    if last.index is not None:
        parts.append(pct(last.index))
    if last.rank:
        parts.append(f"xếp thứ {last.rank}")
    if not parts:
        return ""
    return f" (năm {report.catalogue.year - 1}: " + ", ".join(parts) + ")"


def survey_sentence(report: Report, result: Result) -> str:
    """The satisfaction index as published, with last year's rank: '' when not entered."""
    published, last = report.published, report.last_year_published
    if result.basis != "published" or (published.survey_index is None
                                       and not published.survey_rank):
        return ""
    text = "Chỉ số hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan"
    if published.survey_index is not None:
        text += f" đạt {pct(published.survey_index)}"
    if published.survey_rank:
        text += f", xếp thứ {published.survey_rank}"
    if last.survey_rank:
        text += f" (năm {report.catalogue.year - 1} xếp thứ {last.survey_rank})"
    return text + "."


def check_basis(report: Report, result: Result, warnings: Warnings) -> None:
    """Warn when the published result cannot be used, or does not agree with itself."""
    catalogue = report.catalogue
    published = report.published
    if result.basis != "published":
        if published.total is None:
            warnings.setting(catalogue, "published.total",
                             f"chưa nhập kết quả được công bố (tổng điểm và điểm từng lĩnh vực): "
                             f"văn bản dùng {result.basis_text}.")
        else:
            missing = [f.code for f in report.fields
                       if report.state.info.get(f"field.{f.code}") in (None, "")]
            warnings.setting(catalogue, f"field.{missing[0]}" if missing else "published.total",
                             "đã nhập tổng điểm được công bố nhưng chưa nhập điểm của lĩnh vực "
                             + ", ".join(missing) + f": văn bản dùng {result.basis_text} cho mọi "
                             "số liệu (không dùng lẫn hai nguồn).")
    elif published.index is not None:
        computed = index_of(published.total or Decimal(0), report.applicable_max)
        if computed is not None and abs(computed - published.index) > INDEX_TOLERANCE:
            warnings.setting(catalogue, "published.index",
                             f"Chỉ số công bố {pct(published.index)} khác tổng điểm công bố "
                             f"chia điểm tối đa được chấm ({num(published.total)}/"
                             f"{num(report.applicable_max)} = {pct(computed)}): hãy kiểm tra "
                             "lại tổng điểm, chỉ số và các tiêu chí không chấm điểm.")
    if report.last_year_published.index is None:
        warnings.setting(catalogue, "last_year.index",
                         "chưa nhập Chỉ số CCHC năm trước (như đã công bố): văn bản không so "
                         "sánh được với năm trước.")
