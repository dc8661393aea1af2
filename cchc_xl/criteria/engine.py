"""The scoring engine: a unit's numbers in, points for every leaf, node, field and the index out.

Exact decimal arithmetic throughout. Rounding (half up), where the official tables apply it:
- each leaf's points to 2 decimals, once, after the supplemented-late deduction of 30% (the
  catalogue's share) of the points of the part supplemented (0,31057 → 0,31; the whole 0,5
  → 0,35; 1 point of which a part worth 0,5 was supplemented → 0,85);
- parents, fields and the total are exact sums of rounded leaves (so they never disagree with
  their rows);
- the index to 2 decimals of a percent (84,27 / 94,5 → 89,17%), and the rating from that
  rounded index.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import Problem, ScoreError
from .catalogue import Catalogue, Leaf, Node
from .expr import ExprError, Value, evaluate
from .numbers import FOUR_PLACES, round_half_up, to_decimal
from .rules import Check, Status, applicable_max_expr, leaf_cases

INPUT_NAMES = ("a", "b", "value", "na", "supp")
ZERO = Decimal(0)


@dataclass(frozen=True)
class LeafInput:
    """The raw cell values of a leaf's inputs (None when blank), as read from a workbook."""

    a: object = None
    b: object = None
    value: object = None
    na: object = None
    supp: object = None

    def cells(self) -> dict[str, Value]:
        return {name: cell_value(getattr(self, name)) for name in INPUT_NAMES}

    def is_blank(self) -> bool:
        return all(cell_value(getattr(self, n)) in (None, "") for n in INPUT_NAMES)


def cell_value(raw: object) -> Value:
    """Normalise what a reader returns into the evaluator's types (Decimal, str, bool, None)."""
    if raw is None or isinstance(raw, (bool, Decimal)):
        return raw  # type: ignore[return-value]
    if isinstance(raw, float):
        # A spreadsheet number has 15 significant digits (XlsxWriter even writes only 16), and
        # LibreOffice compares at that precision: 0.1 + 0.2 equals 0.3 there. So must we.
        to_decimal(raw)  # rejects nan and infinities
        return Decimal(f"{raw:.15g}")
    if isinstance(raw, int):
        return to_decimal(raw)
    if isinstance(raw, str):
        return raw if raw.strip() else None
    return str(raw)  # dates and other objects count as text: not a valid number


@dataclass(frozen=True)
class LeafScore:
    code: str
    status: Status
    points: Decimal | None  # None unless status is "ok"
    applicable_max: Decimal
    max: Decimal
    cell_text: str = ""  # what the workbook's points cell shows when not a number
    check: Check | None = None  # the failed check when status is "error"

    @property
    def earned(self) -> Decimal:
        """Points that count in sums: 0 for missing, not-applicable and erroneous leaves."""
        return self.points if self.points is not None else ZERO


@dataclass(frozen=True)
class NodeScore:
    code: str
    max: Decimal
    applicable_max: Decimal
    points: Decimal
    pending: Decimal = ZERO  # survey points not published yet: neither earned nor lost


@dataclass
class Assessment:
    """Everything computed for one set of inputs."""

    catalogue: Catalogue
    leaves: dict[str, LeafScore] = field(default_factory=dict)
    nodes: dict[str, NodeScore] = field(default_factory=dict)
    bonus_raw: Decimal = ZERO
    penalty_raw: Decimal = ZERO

    @property
    def fields(self) -> list[NodeScore]:
        return [self.nodes[f.code] for f in self.catalogue.fields]

    @property
    def tree_points(self) -> Decimal:
        return sum((n.points for n in self.fields), ZERO)

    @property
    def max(self) -> Decimal:
        return sum((n.max for n in self.fields), ZERO)

    @property
    def applicable_max(self) -> Decimal:
        return sum((n.applicable_max for n in self.fields), ZERO)

    @property
    def pending(self) -> Decimal:
        """Survey points still to be published (blank survey items)."""
        return sum((n.pending for n in self.fields), ZERO)

    @property
    def provisional(self) -> bool:
        """The index covers only the self-assessable part until the surveys are published."""
        return self.pending > 0

    @property
    def bonus(self) -> Decimal:
        cap = self.catalogue.bonus.cap if self.catalogue.bonus else ZERO
        return min(self.bonus_raw, cap)

    @property
    def penalty(self) -> Decimal:
        cap = self.catalogue.penalty.cap if self.catalogue.penalty else ZERO
        return min(self.penalty_raw, cap)

    @property
    def total(self) -> Decimal:
        """Points achieved: the tree's points plus capped bonus minus capped penalty."""
        return self.tree_points + self.bonus - self.penalty

    @property
    def index(self) -> Decimal | None:
        """Chỉ số CCHC as a fraction rounded to 4 places (2 decimals of a percent); while survey
        results are pending, provisional: over the applicable maximum without them."""
        return index_of(self.total, self.applicable_max - self.pending)

    @property
    def index_percent(self) -> Decimal | None:
        return None if self.index is None else self.index * 100

    @property
    def rating(self) -> str:
        percent = self.index_percent
        return "" if percent is None else self.catalogue.rating_for(percent)

    def problems(self) -> list[Problem]:
        """Leaves whose inputs are impossible, with the rule's Vietnamese message."""
        return [Problem(s.check.message, code=s.code) for s in self.leaves.values()
                if s.status == "error" and s.check is not None]


def index_of(points: Decimal, applicable_max: Decimal) -> Decimal | None:
    if applicable_max == 0:
        return None
    return round_half_up(points / applicable_max, FOUR_PLACES)


def score_leaf(leaf: Leaf, inputs: LeafInput | None, deduction: Decimal) -> LeafScore:
    """Walk the leaf's cases in order, exactly as its Excel formula does."""
    cells = (inputs or LeafInput()).cells()
    applicable = evaluate(applicable_max_expr(leaf.rule, leaf.max), cells)
    assert isinstance(applicable, Decimal)
    for case in leaf_cases(leaf.rule, leaf.max, deduction):
        if case.cond is not None and not evaluate(case.cond, cells):
            continue
        if case.status != "ok":
            text = evaluate(case.value, cells)
            return LeafScore(leaf.code, case.status, None, applicable, leaf.max, str(text),
                             case.check)
        try:
            points = evaluate(case.value, cells)
        except ExprError as exc:  # cannot happen after the checks; keep it loud if it does
            raise AssertionError(f"{leaf.code}: {exc.excel_error} after checks") from exc
        assert isinstance(points, Decimal)
        return LeafScore(leaf.code, "ok", points, applicable, leaf.max)
    raise AssertionError("the last case always matches")


def assess(catalogue: Catalogue, inputs: Mapping[str, LeafInput]) -> Assessment:
    """Score every leaf, node and field, and the bonus and penalty items."""
    result = Assessment(catalogue)
    deduction = catalogue.supplement_deduction
    for leaf in catalogue.all_leaves():
        result.leaves[leaf.code] = score_leaf(leaf, inputs.get(leaf.code), deduction)
    for f in catalogue.fields:
        _score_node(f, result)
    for kind, item in catalogue.extra_items():
        earned = result.leaves[item.code].earned
        if kind == "bonus":
            result.bonus_raw += earned
        else:
            result.penalty_raw += earned
    return result


def _score_node(node: Node, result: Assessment) -> NodeScore:
    if isinstance(node, Leaf):
        leaf = result.leaves[node.code]
        pending = leaf.applicable_max if leaf.status == "pending" else ZERO
        score = NodeScore(node.code, node.max, leaf.applicable_max, leaf.earned, pending)
    else:
        children = [_score_node(c, result) for c in node.children]
        score = NodeScore(node.code, node.max,
                          sum((c.applicable_max for c in children), ZERO),
                          sum((c.points for c in children), ZERO),
                          sum((c.pending for c in children), ZERO))
    result.nodes[node.code] = score
    return score


def points(leaf: Leaf, *, a: object = None, b: object = None, value: object = None,
           na: bool = False, supp: object = False,
           deduction: Decimal = Decimal("0.3")) -> Decimal | None:
    """Points of one leaf; ScoreError for impossible inputs, None when not scored or blank.

    `supp`: True for the whole item supplemented late, or the points of the part that was."""
    flag = "x" if supp is True else None if supp is False else supp
    inputs = LeafInput(a, b, value, "x" if na else None, flag)
    score = score_leaf(leaf, inputs, deduction)
    if score.status == "error":
        message = score.check.message if score.check else score.cell_text
        raise ScoreError(f"Tiêu chí {leaf.code}: {message}", [Problem(message, code=leaf.code)])
    return score.points


