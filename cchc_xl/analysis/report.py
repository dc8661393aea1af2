"""The report model: every number the consolidated sheet, the gap analysis and the plan show.

Built once from (catalogue, state) and written three ways — into the master's sheets by the
headless sync, into an open workbook by the xlwings live mode, and into the remediation plan —
so the three can never disagree. Labels are derived from the numbers here, never typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ..criteria.catalogue import Catalogue, Group, Leaf, Node
from ..criteria.engine import Assessment, assess, index_of
from ..criteria.numbers import round_half_up, to_decimal, vn_number
from ..format.info import OrgSettings, Published, org_settings, published
from ..format.state import Entry, State, plain_value

ZERO = Decimal(0)
FULL_LABEL = "đạt điểm tối đa"
NA_LABEL = "không chấm điểm"
PENDING_LABEL = "chờ kết quả"


def lost_label(applicable_max: Decimal, lost: Decimal, pending: Decimal = ZERO) -> str:
    """'đạt điểm tối đa', 'trừ 1,5 điểm', 'không chấm điểm' or, while a survey result is not
    published, 'chờ kết quả' ('trừ 1,5 điểm; chờ kết quả 10 điểm') — from the numbers alone."""
    if applicable_max == 0:
        return NA_LABEL
    if pending > 0:
        waiting = f"{PENDING_LABEL} {vn_number(pending)} điểm"
        return f"trừ {vn_number(lost)} điểm; {waiting}" if lost > 0 else waiting
    if lost <= 0:
        return FULL_LABEL
    return f"trừ {vn_number(lost)} điểm"


INDEX_LABEL = "CHỈ SỐ CCHC (tổng điểm / điểm tối đa áp dụng)"


def index_label(report: Report) -> str:
    """The index row's label: provisional while survey results are pending."""
    if report.pending > 0:
        return (f"{INDEX_LABEL} — tạm tính, chưa gồm {vn_number(report.pending)} điểm chờ kết "
                "quả điều tra xã hội học")
    return INDEX_LABEL


def change_text(index: Decimal | None, previous: Decimal | None) -> str:
    """'tăng 0,34%' (percentage points, as the seeds say it), 'giảm …', 'bằng năm trước'."""
    if index is None or previous is None:
        return ""
    diff = round_half_up((index - previous) * 100)
    if diff > 0:
        return f"tăng {vn_number(diff)}%"
    if diff < 0:
        return f"giảm {vn_number(-diff)}%"
    return "bằng năm trước"


def number_or_none(value: Any) -> Decimal | None:
    value = plain_value(value)
    if value is None or isinstance(value, (bool, str)):
        return None
    try:
        return to_decimal(value)
    except ValueError:
        return None


@dataclass
class NodeReport:
    node: Node
    level: int  # 1 = field
    max: Decimal
    applicable_max: Decimal
    points: Decimal  # self-assessed
    appraised: Decimal | None  # None when nothing below it was appraised
    last_year: Decimal | None
    target: Decimal | None
    entry: Entry
    status: str = "ok"  # leaves: ok, missing, pending, na, error; groups: ok
    pending: Decimal = ZERO  # survey points not published yet (not appraised either)

    @property
    def code(self) -> str:
        return self.node.code

    @property
    def achieved(self) -> Decimal:
        """Appraised points where entered, else self-assessed."""
        return self.appraised if self.appraised is not None else self.points

    @property
    def lost(self) -> Decimal:
        """Points lost for good: what is pending is not lost."""
        return max(round_half_up(self.applicable_max - self.pending - self.achieved), ZERO)

    @property
    def target_or_max(self) -> Decimal:
        """The year's target; the applicable maximum when no target was entered."""
        return self.target if self.target is not None else self.applicable_max

    @property
    def needed(self) -> Decimal:
        return max(round_half_up(self.target_or_max - self.pending - self.achieved), ZERO)

    @property
    def label(self) -> str:
        return lost_label(self.applicable_max, self.lost, self.pending)

    @property
    def sub_index(self) -> Decimal | None:
        """Self-assessed points over the applicable maximum without what is pending (as the
        index is computed)."""
        return index_of(self.points, self.applicable_max - self.pending)


@dataclass
class Report:
    catalogue: Catalogue
    state: State
    assessment: Assessment
    nodes: dict[str, NodeReport] = field(default_factory=dict)

    @property
    def fields(self) -> list[NodeReport]:
        return [self.nodes[f.code] for f in self.catalogue.fields]

    # The 'Thông tin chung' sheet -------------------------------------------------------
    @property
    def org(self) -> OrgSettings:
        return org_settings(self.state.info, self.state.org, self.catalogue.province)

    @property
    def published(self) -> Published:
        """This year's results as published (typed by the Văn phòng; never computed)."""
        return published(self.state.info, "published")

    def published_field(self, code: str) -> Decimal | None:
        """A field's points as published this year, if typed."""
        return number_or_none(self.state.info.get(f"field.{code}"))

    @property
    def published_fields_total(self) -> Decimal | None:
        """The fields' published points added up, once every field's are typed."""
        values = [self.published_field(f.code) for f in self.fields]
        if any(v is None for v in values):
            return None
        return round_half_up(sum((v for v in values if v is not None), ZERO))

    @property
    def published_rating(self) -> str:
        """As published; from the published index and the bands when only that was typed."""
        if self.published.rating:
            return self.published.rating
        index = self.published.index
        return self.catalogue.rating_for(round_half_up(index * 100)) if index is not None else ""

    @property
    def last_year_published(self) -> Published:
        """Last year's results as they were published (not recomputed, not capped)."""
        return published(self.state.info, "last_year")

    def leaves(self) -> list[NodeReport]:
        return [self.nodes[leaf.code] for leaf in self.catalogue.leaves()]

    def extras(self, kind: str) -> list[NodeReport]:
        return [self.nodes[item.code] for k, item in self.catalogue.extra_items() if k == kind]

    # Totals -----------------------------------------------------------------------------
    @property
    def max(self) -> Decimal:
        return self.assessment.max

    @property
    def applicable_max(self) -> Decimal:
        return self.assessment.applicable_max

    @property
    def points(self) -> Decimal:
        return self.assessment.tree_points

    @property
    def points_index(self) -> Decimal | None:
        """The fields' self-assessed points over the applicable maximum without what is
        pending, before bonus/penalty."""
        return index_of(self.points, self.applicable_max - self.pending)

    @property
    def appraisal_started(self) -> bool:
        """Whether any item, field or bonus/penalty, has appraised points."""
        return any(node.appraised is not None for node in self.nodes.values())

    @property
    def appraised(self) -> Decimal | None:
        """The fields' appraised points (self-assessed where not appraised), once appraisal
        has started; None before."""
        if not self.appraisal_started:
            return None
        return sum((f.achieved for f in self.fields), ZERO)

    @property
    def achieved(self) -> Decimal:
        return self.appraised if self.appraised is not None else self.points

    def _capped_extras(self, kind: str) -> Decimal:
        section = self.catalogue.bonus if kind == "bonus" else self.catalogue.penalty
        earned = sum((item.achieved for item in self.extras(kind)), ZERO)
        # As the section's formula: MIN(ROUND(SUM(…),2),cap).
        return min(round_half_up(earned), section.cap) if section is not None else ZERO

    @property
    def appraised_bonus(self) -> Decimal | None:
        return self._capped_extras("bonus") if self.appraisal_started else None

    @property
    def appraised_penalty(self) -> Decimal | None:
        return self._capped_extras("penalty") if self.appraisal_started else None

    @property
    def appraised_total(self) -> Decimal | None:
        if self.appraised is None:
            return None
        return self.appraised + self._capped_extras("bonus") - self._capped_extras("penalty")

    @property
    def appraised_index(self) -> Decimal | None:
        total = self.appraised_total
        return None if total is None else index_of(total, self.applicable_max - self.pending)

    @property
    def appraised_rating(self) -> str:
        index = self.appraised_index
        return "" if index is None else self.catalogue.rating_for(index * 100)

    @property
    def bonus(self) -> Decimal:
        return self.assessment.bonus

    @property
    def penalty(self) -> Decimal:
        return self.assessment.penalty

    @property
    def total(self) -> Decimal:
        """Self-assessed total with capped bonus and penalty (= assessment.total)."""
        return self.assessment.total

    @property
    def index(self) -> Decimal | None:
        """The self-assessed index; provisional while survey results are pending."""
        return self.assessment.index

    @property
    def rating(self) -> str:
        return self.assessment.rating

    @property
    def pending(self) -> Decimal:
        """Survey points not published yet (and not appraised): neither earned nor lost."""
        return sum((f.pending for f in self.fields), ZERO)

    @property
    def provisional(self) -> bool:
        return self.pending > 0

    @property
    def last_year(self) -> Decimal | None:
        return _sum_if_any(f.last_year for f in self.fields)

    @property
    def target(self) -> Decimal | None:
        return _sum_if_any(f.target for f in self.fields)

    def gap_leaves(self) -> list[NodeReport]:
        """Sub-criteria below their maximum, most points lost first (ties in catalogue order)."""
        order = {leaf.code: i for i, leaf in enumerate(self.catalogue.leaves())}
        rows = [r for r in self.leaves() if r.lost > 0 or r.needed > 0]
        return sorted(rows, key=lambda r: (-r.lost, order[r.code]))

    def to_json(self) -> dict[str, Any]:
        """The consolidated numbers as plain JSON (decimals as exact strings)."""
        def num(value: Any) -> str | None:
            return None if value is None else str(value)

        return {
            "year": self.catalogue.year,
            "max": num(self.max), "applicable_max": num(self.applicable_max),
            "points": num(self.points), "bonus": num(self.bonus),
            "penalty": num(self.penalty), "total": num(self.total),
            "index": num(self.index), "rating": self.rating,
            "pending": num(self.pending), "provisional": self.provisional,
            "appraised_total": num(self.appraised_total),
            "appraised_index": num(self.appraised_index),
            "published": {k: num(v) if isinstance(v, Decimal) else v
                          for k, v in self.published.__dict__.items()},
            "last_year_published": {k: num(v) if isinstance(v, Decimal) else v
                                    for k, v in self.last_year_published.__dict__.items()},
            "fields": [{"code": f.code, "name": f.node.name, "max": num(f.max),
                        "applicable_max": num(f.applicable_max), "points": num(f.points),
                        "appraised": num(f.appraised), "last_year": num(f.last_year),
                        "target": num(f.target), "lost": num(f.lost), "needed": num(f.needed),
                        "label": f.label} for f in self.fields],
            "gaps": [{"code": g.code, "name": g.node.name,
                      "applicable_max": num(g.applicable_max), "achieved": num(g.achieved),
                      "lost": num(g.lost), "needed": num(g.needed), "label": g.label,
                      "lead": g.node.lead} for g in self.gap_leaves()],
        }


Basis = Literal["published", "appraised", "self"]
BASIS_TEXT = {"published": "kết quả được công bố", "appraised": "kết quả thẩm định",
              "self": "kết quả tự đánh giá"}


@dataclass(frozen=True)
class Result:
    """One year's result from one source only: published where entered, else appraised, else
    self-assessed. Documents take every figure from one Result, so they never mix scores."""

    basis: Basis
    total: Decimal
    index: Decimal | None
    rating: str
    rank: str  # as published ('' before publication), whatever the basis
    fields: dict[str, Decimal]  # field code → points on the same basis
    bonus: Decimal  # capped; total = Σ fields + bonus − penalty, exactly
    penalty: Decimal

    @property
    def basis_text(self) -> str:
        return BASIS_TEXT[self.basis]


def result_of(report: Report) -> Result:
    """The year's result on the best basis available (see `Result`).

    The published basis needs the published total and every field's published points; with any
    of them missing the whole result is the appraised one (or the self-assessed one), never a
    mix. The published rank is a fact, not a score: it is kept whatever the basis.
    """
    published = report.published
    fields = {f.code: report.published_field(f.code) for f in report.fields}
    if published.total is not None and all(v is not None for v in fields.values()):
        index = published.index if published.index is not None else index_of(
            published.total, report.applicable_max)
        # Rated as 'Tổng hợp' rates it: on the percent rounded to two decimals.
        rating = published.rating or (report.catalogue.rating_for(round_half_up(index * 100))
                                      if index is not None else "")
        points = {code: value for code, value in fields.items() if value is not None}
        # Publications give the total and the fields; bonus and penalty are what makes them meet.
        net = published.total - sum(points.values(), ZERO)
        return Result("published", published.total, index, rating, published.rank, points,
                      max(net, ZERO), max(-net, ZERO))
    if report.appraised_total is not None:
        assert report.appraised_bonus is not None and report.appraised_penalty is not None
        return Result("appraised", report.appraised_total, report.appraised_index,
                      report.appraised_rating, published.rank,
                      {f.code: f.achieved for f in report.fields}, report.appraised_bonus,
                      report.appraised_penalty)
    return Result("self", report.total, report.index, report.rating, published.rank,
                  {f.code: f.points for f in report.fields}, report.bonus, report.penalty)


def _sum_if_any(values: Any) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, ZERO) if present else None


def build_report(catalogue: Catalogue, state: State) -> Report:
    assessment = assess(catalogue, state.leaf_inputs())
    report = Report(catalogue, state, assessment)
    for f in catalogue.fields:
        _node_report(f, 1, report)
    for _, item in catalogue.extra_items():
        _node_report(item, 1, report)
    return report


def _node_report(node: Node, level: int, report: Report) -> NodeReport:
    entry = report.state.entry(node.code)
    scores = report.assessment
    if isinstance(node, Leaf):
        leaf = scores.leaves[node.code]
        appraised = number_or_none(entry.appraised)
        pending = leaf.applicable_max if leaf.status == "pending" else ZERO
        result = NodeReport(node, level, node.max, leaf.applicable_max, leaf.earned, appraised,
                            number_or_none(entry.last_year), number_or_none(entry.target),
                            entry, leaf.status, pending)
    else:
        assert isinstance(node, Group)
        children = [_node_report(c, level + 1, report) for c in node.children]
        score = scores.nodes[node.code]
        appraised = None
        if any(c.appraised is not None for c in children):
            appraised = round_half_up(sum((c.achieved for c in children), ZERO))
        result = NodeReport(node, level, node.max, score.applicable_max, score.points, appraised,
                            number_or_none(entry.last_year), number_or_none(entry.target), entry,
                            pending=sum((c.pending for c in children), ZERO))
    report.nodes[node.code] = result
    return result
