"""The master's 'Thông tin chung' sheet: the organisation's settings and the published results.

Kept once in the master and used by every document it writes: who issues them (agency, its
abbreviation in "Số: …/KH-STP", the parent body above it, the place on the date line), who
signs and how ("KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC" when a deputy signs), the distribution list; the
deadline the units were given; and the results the province published, for this year and as
published last year (never recomputed from this year's rows).

Every value is a blue cell the Văn phòng types; each has a defined name (CCHC_ORG_…,
CCHC_PUBLISHED_…, CCHC_LAST_YEAR_…) for formulas and scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from ..criteria.catalogue import Catalogue
from .layout import INFO_SHEET, code_token

__all__ = ["INFO_SHEET", "InfoField", "OrgSettings", "Published", "info_cells", "org_settings",
           "published"]
InfoKind = Literal["text", "lines", "number", "percent", "rank", "date"]


@dataclass(frozen=True)
class InfoField:
    key: str  # the state's key: 'agency', 'published.total', 'last_year.rank', 'field.3' …
    label: str
    kind: InfoKind
    name: str  # the defined name of its cell
    hint: str = ""  # an example, shown beside the cell


ORG_FIELDS: tuple[InfoField, ...] = (
    InfoField("parent", "Cơ quan chủ quản (dòng trên tên cơ quan)", "text", "CCHC_ORG_PARENT",
              "UBND TỈNH LẠNG SƠN"),
    InfoField("agency", "Tên cơ quan ban hành văn bản", "text", "CCHC_ORG_AGENCY", "SỞ TƯ PHÁP"),
    InfoField("abbreviation", "Chữ viết tắt tên cơ quan (trong số, ký hiệu văn bản)", "text",
              "CCHC_ORG_ABBREVIATION", "STP"),
    InfoField("place", "Địa danh ghi ở dòng ngày tháng", "text", "CCHC_ORG_PLACE", "Lạng Sơn"),
    InfoField("head_title", "Chức vụ người đứng đầu cơ quan", "text", "CCHC_ORG_HEAD_TITLE",
              "GIÁM ĐỐC"),
    InfoField("signer_title", "Chức vụ người ký, nếu là cấp phó ký thay (văn bản ghi \"KT. "
              "GIÁM ĐỐC\" rồi chức vụ này); để trống nếu người đứng đầu ký", "text",
              "CCHC_ORG_SIGNER_TITLE", "PHÓ GIÁM ĐỐC"),
    InfoField("signer_name", "Họ và tên người ký", "text", "CCHC_ORG_SIGNER_NAME",
              "Nguyễn Văn An"),
    InfoField("recipients", "Nơi nhận (mỗi dòng một nơi, Alt+Enter để xuống dòng)", "lines",
              "CCHC_ORG_RECIPIENTS", "- UBND tỉnh (b/c);\n- Sở Nội vụ;\n- Lãnh đạo Sở;"),
    InfoField("return_deadline", "Hạn các phòng, đơn vị gửi tệp tự đánh giá về Văn phòng",
              "date", "CCHC_RETURN_DEADLINE", "05/12/2026"),
)
# Published results: one row each, this year in column B, last year (as published) in C.
PUBLISHED_ROWS: tuple[tuple[str, str, InfoKind], ...] = (
    ("decision", "Văn bản công bố kết quả (số, ngày, cơ quan ban hành)", "text"),
    ("total", "Tổng điểm", "number"),
    ("index", "Chỉ số CCHC (%)", "percent"),
    ("rating", "Xếp loại", "text"),
    ("rank", "Xếp hạng (ví dụ 8/21)", "rank"),
    ("survey_index", "Chỉ số hài lòng của người dân, tổ chức (%)", "percent"),
    ("survey_rank", "Xếp hạng chỉ số hài lòng (ví dụ 9/10)", "rank"),
)
PERIODS = (("published", "PUBLISHED"), ("last_year", "LAST_YEAR"))

DEFAULT_RECIPIENTS = ("- UBND tỉnh (b/c);", "- Sở Nội vụ;", "- Lãnh đạo Sở;",
                      "- Các phòng, đơn vị thuộc Sở;", "- Lưu: VT, VP.")

# Rows of the sheet, 0-based: title, note, then three blocks, each a heading and its rows.
TITLE_ROW, NOTE_ROW = 0, 1
ORG_HEADING_ROW = 3
ORG_FIRST_ROW = ORG_HEADING_ROW + 1
PUBLISHED_HEADING_ROW = ORG_FIRST_ROW + len(ORG_FIELDS) + 1
PUBLISHED_FIRST_ROW = PUBLISHED_HEADING_ROW + 1
FIELDS_HEADING_ROW = PUBLISHED_FIRST_ROW + len(PUBLISHED_ROWS) + 1
FIELDS_FIRST_ROW = FIELDS_HEADING_ROW + 1
LABEL_COL, VALUE_COL, OTHER_COL = 0, 1, 2


def published_fields() -> tuple[InfoField, ...]:
    """Both periods' published results, in the order of their cells."""
    return tuple(InfoField(f"{period}.{key}", label, kind, f"CCHC_{prefix}_{key.upper()}")
                 for key, label, kind in PUBLISHED_ROWS for period, prefix in PERIODS)


def field_points(catalogue: Catalogue) -> tuple[InfoField, ...]:
    """The points each field was published with this year."""
    return tuple(InfoField(f"field.{f.code}", f"{f.code}. {f.name}", "number",
                           f"CCHC_PUBLISHED_FIELD_{code_token(f.code)}")
                 for f in catalogue.fields)


def info_cells(catalogue: Catalogue) -> dict[str, tuple[int, int]]:
    """Every info key → its (row, column) on the sheet."""
    cells = {f.key: (ORG_FIRST_ROW + i, VALUE_COL) for i, f in enumerate(ORG_FIELDS)}
    for i, (key, _, _) in enumerate(PUBLISHED_ROWS):
        cells[f"published.{key}"] = (PUBLISHED_FIRST_ROW + i, VALUE_COL)
        cells[f"last_year.{key}"] = (PUBLISHED_FIRST_ROW + i, OTHER_COL)
    for i, f in enumerate(field_points(catalogue)):
        cells[f.key] = (FIELDS_FIRST_ROW + i, VALUE_COL)
    return cells


def all_fields(catalogue: Catalogue) -> tuple[InfoField, ...]:
    return ORG_FIELDS + published_fields() + field_points(catalogue)


# ---------------------------------------------------------------------------------------------
# What the documents use


@dataclass(frozen=True)
class OrgSettings:
    """Who issues the documents and who signs them (Nghị định 30/2020/NĐ-CP)."""

    parent: str
    agency: str
    abbreviation: str
    place: str
    head_title: str
    signer_title: str  # '' when the head signs
    signer_name: str
    recipients: tuple[str, ...]

    @property
    def signs_for_head(self) -> bool:
        """A deputy signs on the head's behalf: 'KT. GIÁM ĐỐC' over 'PHÓ GIÁM ĐỐC'."""
        return bool(self.signer_title) and self.signer_title.upper() != self.head_title.upper()

    def signature_lines(self) -> tuple[str, ...]:
        if self.signs_for_head:
            return (f"KT. {self.head_title.upper()}", self.signer_title.upper())
        return (self.head_title.upper(),)


@dataclass(frozen=True)
class Published:
    """Results as the province published them for one year (None where not entered)."""

    decision: str = ""
    total: Decimal | None = None
    index: Decimal | None = None  # a fraction, like CCHC_INDEX
    rating: str = ""
    rank: str = ""
    survey_index: Decimal | None = None
    survey_rank: str = ""

    @property
    def entered(self) -> bool:
        return self.total is not None or self.index is not None


def org_settings(info: dict[str, Any], org: str, province: str = "") -> OrgSettings:
    """The settings typed on the sheet, with what can be guessed from the organisation's name
    ('Sở Tư pháp tỉnh Lạng Sơn') where a cell is blank."""
    parent_guess, agency_guess, place_guess = guess_from_name(org, province)
    text = {f.key: _text(info.get(f.key)) for f in ORG_FIELDS}
    recipients = tuple(line.strip() for line in text["recipients"].splitlines() if line.strip())
    return OrgSettings(
        parent=text["parent"] or parent_guess, agency=text["agency"] or agency_guess,
        abbreviation=text["abbreviation"], place=text["place"] or place_guess,
        head_title=text["head_title"] or "GIÁM ĐỐC", signer_title=text["signer_title"],
        signer_name=text["signer_name"], recipients=recipients or DEFAULT_RECIPIENTS)


def published(info: dict[str, Any], period: str) -> Published:
    from ..criteria.numbers import to_decimal

    def number(key: str, percent: bool = False) -> Decimal | None:
        value = info.get(f"{period}.{key}")
        if value is None or isinstance(value, bool) or (isinstance(value, str)
                                                         and not _number_text(value)):
            return None
        try:
            number = to_decimal(value.strip().rstrip("%") if isinstance(value, str) else value)
        except (ValueError, AttributeError):
            return None
        # A percent typed as 89,17 (not 89,17%) is a percent, not 8917%.
        return number / 100 if percent and (number > 2 or isinstance(value, str)
                                            and "%" in value) else number

    return Published(decision=_text(info.get(f"{period}.decision")), total=number("total"),
                     index=number("index", True), rating=_text(info.get(f"{period}.rating")),
                     rank=_text(info.get(f"{period}.rank")),
                     survey_index=number("survey_index", True),
                     survey_rank=_text(info.get(f"{period}.survey_rank")))


def guess_from_name(org: str, province: str = "") -> tuple[str, str, str]:
    """('UBND TỈNH LẠNG SƠN', 'SỞ TƯ PHÁP', 'Lạng Sơn') from 'Sở Tư pháp tỉnh Lạng Sơn'."""
    import re

    match = re.match(r"(.*?)\s+(tỉnh|thành phố)\s+(.+)$", org.strip(), flags=re.IGNORECASE)
    if match:
        return (f"UBND {match.group(2).upper()} {match.group(3).upper()}",
                match.group(1).upper(), match.group(3))
    return "", org.upper(), province


def _text(value: Any) -> str:
    from .state import plain_value

    value = plain_value(value)
    return "" if value is None else str(value).strip()


def _number_text(value: str) -> bool:
    return any(ch.isdigit() for ch in value)
