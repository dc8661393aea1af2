"""Which rows a tree sheet has, computed without writing anything.

The builders write these rows and the readers check a returned workbook against them, so a
row inserted, deleted or moved by a user is found by comparing codes at the expected rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..criteria.catalogue import Catalogue, Group, Leaf, Node, Section
from .layout import EXTRAS_SHEET, FIRST_DATA_ROW, Kind, field_sheet_name


@dataclass(frozen=True)
class RowMapEntry:
    """Where a criterion's row is, written to the metadata sheet so readers can verify it."""

    code: str
    sheet: str
    row: int  # 0-based
    role: str  # own, support, office, group, field, section
    kind: str  # the rule kind for leaves, "group" otherwise


@dataclass(frozen=True)
class Audience:
    """Who a workbook is for: the master (Văn phòng) or one unit."""

    kind: Kind
    unit: str | None = None

    @property
    def is_master(self) -> bool:
        return self.kind == "master"


@dataclass
class PlannedRow:
    node: Node | None  # None for a bonus/penalty section heading
    role: str  # field, group, section, own, support, office
    depth: int
    row: int = 0
    children: list[PlannedRow] = field(default_factory=list)
    section: Section | None = None
    title: str = ""

    @property
    def is_leaf(self) -> bool:
        return isinstance(self.node, Leaf)

    def counted(self) -> list[PlannedRow]:
        """Children whose points count in this row's sums (support rows are someone else's)."""
        return [c for c in self.children if c.role != "support"]


# ---------------------------------------------------------------------------------------------
# Planning which rows a sheet has


def leaf_role(leaf: Leaf, ctx: Audience) -> str | None:
    if ctx.is_master:
        return "own" if leaf.rule.unit_input else "office"
    if not leaf.rule.unit_input:
        return None
    if leaf.lead == ctx.unit:
        return "own"
    if ctx.unit in leaf.support:
        return "support"
    return None


def plan_node(node: Node, ctx: Audience, depth: int) -> PlannedRow | None:
    if isinstance(node, Leaf):
        role = leaf_role(node, ctx)
        return PlannedRow(node, role, depth) if role else None
    children = [p for c in node.children if (p := plan_node(c, ctx, depth + 1)) is not None]
    if not children:
        return None
    return PlannedRow(node, "field" if depth == 0 else "group", depth, children=children)


def flatten(planned: PlannedRow) -> Iterable[PlannedRow]:
    yield planned
    for child in planned.children:
        yield from flatten(child)


def number_rows(rows: list[PlannedRow]) -> None:
    for i, planned in enumerate(rows):
        planned.row = FIRST_DATA_ROW + i




def plan_extras(catalogue: Catalogue) -> list[PlannedRow]:
    """The bonus/penalty sheet: a heading row per section, then its items (master only)."""
    rows: list[PlannedRow] = []
    for kind, section in (("bonus", catalogue.bonus), ("penalty", catalogue.penalty)):
        if section is None:
            continue
        title = ("A. ĐIỂM THƯỞNG" if kind == "bonus" else "B. ĐIỂM TRỪ")
        head = PlannedRow(None, "section", 0, section=section, title=title)
        # Bonus and penalty are entered by the Văn phòng (blue cells), never by units.
        head.children = [PlannedRow(item, "office", 1) for item in section.items]
        rows.extend([head, *head.children])
    number_rows(rows)
    return rows


def plan_fields(catalogue: Catalogue, audience: Audience) -> list[tuple[Group, list[PlannedRow]]]:
    """Each field that has rows for this audience, with its numbered rows."""
    result = []
    for field_node in catalogue.fields:
        planned = plan_node(field_node, audience, 0)
        if planned is None:
            continue
        rows = list(flatten(planned))
        number_rows(rows)
        result.append((field_node, rows))
    return result


# Readers check every returned file against its unit's row map: computed once per unit
# (catalogues are immutable, so each keeps its own maps in its memo).
def row_map(catalogue: Catalogue, audience: Audience) -> list[RowMapEntry]:
    """Where every criterion's row is in a workbook built for this audience (computed once)."""
    return list(catalogue.memo(("row_map", audience),
                               lambda: tuple(_row_map(catalogue, audience))))


def _row_map(catalogue: Catalogue, audience: Audience) -> list[RowMapEntry]:
    entries: list[RowMapEntry] = []
    for field_node, rows in plan_fields(catalogue, audience):
        sheet = field_sheet_name(field_node)
        entries.extend(_entry(p, sheet) for p in rows)
    if audience.is_master:
        entries.extend(_entry(p, EXTRAS_SHEET) for p in plan_extras(catalogue) if p.node)
    return entries


def _entry(planned: PlannedRow, sheet: str) -> RowMapEntry:
    node = planned.node
    assert node is not None
    kind = node.rule.kind if isinstance(node, Leaf) else "group"
    return RowMapEntry(node.code, sheet, planned.row, planned.role, kind)
