"""Excel's hard limits and the percent slip, checked where the catalogue is loaded.

Each limit just under and just over. "Just under" is the largest catalogue `parse_catalogue`
accepts; the formula the builder then writes (a macro-enabled master: the points formula inside
its UDF fallback, the longest form) is measured here independently and must sit at the limit,
so the check is not stricter than Excel. "Just over" is one step more; its formula, measured the
same way, breaks the limit, and loading refuses it naming the criterion.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import tiny_data  # noqa: E402

from cchc_xl.cli import main  # noqa: E402
from cchc_xl.criteria.catalogue import parse_catalogue  # noqa: E402
from cchc_xl.criteria.expr import Expr, to_formula  # noqa: E402
from cchc_xl.criteria.limits import COLUMNS, cell_refs, leaf_limit_problems  # noqa: E402
from cchc_xl.criteria.limits import UDF_COLUMN as UDF  # noqa: E402
from cchc_xl.criteria.rules import Check, InputCell, Rule, parse_rule, points_expr  # noqa: E402
from cchc_xl.errors import CatalogueError, Problem  # noqa: E402
from cchc_xl.format.layout import COL, UDF_COLUMN, col_letter, defined_name  # noqa: E402
from cchc_xl.format.state import State  # noqa: E402
from cchc_xl.ops.master import write_master  # noqa: E402

CODE = "1.2"  # the tiny catalogue's choice item, max 1
Data = dict[str, Any]


def with_rule(rule: Data) -> Data:
    data = tiny_data()
    data["fields"][0]["children"][1]["rule"] = rule
    return data


def choice_labels(n: int) -> Data:
    return with_rule({"kind": "choice", "options": [["A" * n, 1], ["Không đạt", 0]]})


def yes_label(n: int) -> Data:
    return with_rule({"kind": "yesno", "yes": "Đ" * n})


def choice_options(n: int) -> Data:
    return with_rule({"kind": "choice", "options": [[f"Mức {i}", 1] for i in range(n)]})


def count_tiers(n: int) -> Data:
    return with_rule({"kind": "tiers", "of": "count", "tiers": [[n - i, 1] for i in range(n)]})


def rate_tiers(n: int) -> Data:
    return with_rule({"kind": "tiers", "of": "rate",
                      "tiers": [[100 - D(i) / 10, 1] for i in range(n)]})


def long_options(n: int) -> Data:
    """Nine options of 250 characters and one that grows: the formula's length, not a label's."""
    options = [[f"{i:02d}" + "Ư" * 248, 1] for i in range(9)]
    return with_rule({"kind": "choice", "options": [*options, ["B" * n, 0]]})


# -- measured independently of cchc_xl.criteria.limits -------------------------------------------

_STRING = re.compile(r'"(?:[^"]|"")*"')


def nesting(formula: str) -> int:
    """Deepest function call: strings blanked, then NAME( opens a level and ( a plain bracket."""
    stack: list[bool] = []
    deepest = 0
    for token in re.findall(r"[A-Z][A-Z0-9.]*\(|\(|\)", _STRING.sub('""', formula)):
        if token == ")":
            stack.pop()
        else:
            stack.append(token != "(")
            deepest = max(deepest, stack.count(True))
    return deepest


def longest_text(formula: str) -> int:
    return max((len(s[1:-1].replace('""', '"')) for s in _STRING.findall(formula)), default=0)


def as_checked(data: Data) -> str:
    """The points formula of CODE as the check sees it: on row 26 (the tiny catalogue's 16 codes
    and 10 header rows bound every row number), inside the UDF fallback."""
    leaf = next(n for n in data["fields"][0]["children"] if n["code"] == CODE)
    rule = parse_rule(leaf["rule"], D(leaf["max"]))
    body = to_formula(points_expr(rule, D(leaf["max"]), D("0.3")), cell_refs(26))[1:]
    return f"=IF(ISERROR({UDF}26),{body},{UDF}26)"


@dataclass(frozen=True)
class Limit:
    name: str
    build: Callable[[int], Data]
    measure: Callable[[str], int]
    limit: int
    words: str  # in the refusal


LIMITS = [
    Limit("text constant: an option label", choice_labels, longest_text, 255, "dài 256 ký tự"),
    Limit("text constant: a yes label", yes_label, longest_text, 255, "dài 256 ký tự"),
    Limit("nesting: choice options", choice_options, nesting, 64, "cấp hàm lồng nhau"),
    Limit("nesting: count tiers", count_tiers, nesting, 64, "cấp hàm lồng nhau"),
    Limit("nesting: rate tiers", rate_tiers, nesting, 64, "cấp hàm lồng nhau"),
    Limit("formula length: long option labels", long_options, len, 8192, "8.192"),
]


def accepted(data: Data) -> bool:
    try:
        parse_catalogue(data)
    except CatalogueError:
        return False
    return True


def boundary(limit: Limit) -> int:
    """The largest parameter the loader accepts (it accepts 1 and refuses 300)."""
    low, high = 1, 300
    assert accepted(limit.build(low)) and not accepted(limit.build(high))
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if accepted(limit.build(mid)) else (low, mid)
    return low


def written_points_formula(data: Data, tmp_path: Path) -> str:
    path = tmp_path / "m.xlsm"
    write_master(parse_catalogue(data), State("master"), path)
    book = openpyxl.load_workbook(path, keep_vba=True)
    sheet, ref = next(iter(book.defined_names[defined_name("POINTS", CODE)].destinations))
    return str(book[sheet][ref.replace("$", "")].value)


@pytest.mark.parametrize("limit", LIMITS, ids=[x.name for x in LIMITS])
def test_each_limit_just_under_and_just_over(limit: Limit, tmp_path: Path) -> None:
    n = boundary(limit)
    # Just under: written as is, at the limit (the fallback form of an .xlsm is the longest).
    written = written_points_formula(limit.build(n), tmp_path)
    assert "CCHC_DIEM_KHOI" not in written and written.startswith("=IF(ISERROR(")
    checked = as_checked(limit.build(n))
    assert limit.measure(checked) <= limit.limit
    if limit.measure is len:  # the same formula; row 26 is one digit longer than row 7
        assert re.sub(r"\b([A-Z])26\b", r"\g<1>7", checked) == written
        assert limit.limit - 60 < len(written)
    else:
        assert limit.measure(written) == limit.measure(checked) == limit.limit
    # Just over: one more breaks the limit, and loading says so for the criterion.
    over = limit.build(n + 1)
    assert limit.measure(as_checked(over)) > limit.limit
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(over, source="bo.yaml")
    problems = [p for p in info.value.problems if p.code == CODE]
    assert problems and all("vượt giới hạn của Excel" in p.message for p in problems)
    assert any(limit.words in p.message for p in problems), [p.message for p in problems]
    assert all(p.severity == "error" and p.file == "bo.yaml" for p in problems)


def test_the_checked_cells_are_the_builders() -> None:
    assert COLUMNS == {k: col_letter(COL[k]) for k in COLUMNS}
    assert UDF == col_letter(UDF_COLUMN)


def test_a_validation_list_too_long_for_excel_is_refused() -> None:
    """No kind shipped today writes its list inline (labels live on the metadata sheet), but a
    kind that did is checked: Excel takes at most 255 characters of list source."""

    @dataclass(frozen=True)
    class InlineList(Rule):  # not registered: no 'kind' of its own
        labels: tuple[str, ...] = ()

        @classmethod
        def parse(cls, data: Data, max_points: D) -> Rule:
            raise NotImplementedError

        def checks(self, max_points: D) -> list[Check]:
            return []

        def raw(self, max_points: D) -> Expr:
            return to_expr_zero()

        def describe(self, max_points: D) -> str:
            return ""

        def to_dict(self) -> Data:
            return {}

        def input_cell(self, key: str, max_points: D) -> InputCell:
            return InputCell("text", {"validate": "list", "source": list(self.labels)})

        def sample_inputs(self, max_points: D, pick: Any) -> Data:
            return {}

    def problems(width: int) -> list[str]:
        return leaf_limit_problems(InlineList(("a" * 127, "b" * width)), D(1), D("0.3"), 10)

    assert problems(127) == []  # 127 + 1 + 127 = 255
    [message] = problems(128)
    assert "danh sách chọn của ô nhập value dài 256 ký tự" in message


def to_expr_zero() -> Expr:
    from cchc_xl.criteria.expr import Const

    return Const(D(0))


# -- the slip: rate tier bounds written as fractions ----------------------------------------------

@pytest.mark.parametrize("tiers, warned", [
    ([[1.0, 3], [0.98, 2.5]], True),  # meant 100%, 98%
    ([[1, 3], [0.98, 2.5], [0.96, 2]], True),
    ([[100, 3], [98, 2.5], [96, 2]], False),  # the seeds' tiers, Khánh Hòa I.5
    ([[1.5, 3], [0.98, 2.5]], False),
])
def test_rate_tiers_all_at_most_1_are_a_warning(tiers: list[list[float]], warned: bool) -> None:
    data = tiny_data()
    data["fields"][0]["children"][0]["rule"]["tiers"] = tiers  # 1.1: tiers of: rate, max 3
    cat = parse_catalogue(data, source="bo.yaml")
    if not warned:
        assert cat.warnings == ()
        return
    [warning] = cat.warnings
    assert warning == Problem(warning.message, file="bo.yaml", code="1.1", severity="warning")
    assert "theo phần trăm" in warning.message and "hãy viết 100, 98" in warning.message
    assert cat.content_hash == parse_catalogue(data).content_hash


def test_count_tiers_at_most_1_are_not_a_slip() -> None:
    cat = parse_catalogue(with_rule({"kind": "tiers", "of": "count", "tiers": [[1, 1]]}))
    assert cat.warnings == ()


# -- through the command line ---------------------------------------------------------------------

def cli(tmp_path: Path, data: Data, *args: str) -> tuple[int, str, Path]:
    path = tmp_path / "bo.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "m.xlsm"
    result = CliRunner().invoke(main, [a.format(yaml=path, out=out) for a in args])
    return result.exit_code, " ".join(result.output.split()), out


@pytest.mark.parametrize("limit", [LIMITS[0], LIMITS[2], LIMITS[5]], ids=lambda x: x.name)
def test_cli_check_and_new_refuse_what_excel_would_repair(limit: Limit, tmp_path: Path) -> None:
    n = boundary(limit)
    code, out, _ = cli(tmp_path, limit.build(n), "catalogue", "check", "{yaml}")
    assert code == 0 and "hợp lệ" in out
    code, out, master = cli(tmp_path, limit.build(n), "new", "--catalogue", "{yaml}", "--out",
                            "{out}")
    assert code == 0 and master.exists()
    master.unlink()
    code, out, _ = cli(tmp_path, limit.build(n + 1), "catalogue", "check", "{yaml}")
    assert code == 1 and "tiêu chí 1.2" in out and "vượt giới hạn của Excel" in out
    code, out, master = cli(tmp_path, limit.build(n + 1), "new", "--catalogue", "{yaml}",
                            "--out", "{out}")
    assert code == 1 and "vượt giới hạn của Excel" in out and not master.exists()


def test_cli_check_prints_the_tier_slip_and_exits_0(tmp_path: Path) -> None:
    data = tiny_data()
    data["fields"][0]["children"][0]["rule"]["tiers"] = [[1.0, 3], [0.98, 2.5]]
    code, out, _ = cli(tmp_path, data, "catalogue", "check", "{yaml}")
    assert code == 0 and "hợp lệ" in out and "Cần xem lại:" in out
    assert "Cảnh báo" in out and "tiêu chí 1.1" in out and "theo phần trăm" in out


@pytest.mark.parametrize("target, warned", [(0.5, True), (1, True), (50, False), (1.5, False)])
def test_a_ratio_target_written_as_a_fraction_is_a_warning(target: float, warned: bool) -> None:
    data = tiny_data()
    data["fields"][1]["children"][2]["rule"]["target"] = target  # 2.3: ratio against 50%
    warnings = parse_catalogue(data, source="bo.yaml").warnings
    assert bool(warnings) == warned
    if warned:
        assert warnings[0].code == "2.3" and "theo phần trăm" in warnings[0].message


def test_cli_new_prints_the_catalogue_warnings(tmp_path: Path) -> None:
    data = tiny_data()
    data["fields"][0]["children"][0]["rule"]["tiers"] = [[1.0, 3], [0.98, 2.5]]
    code, out, master = cli(tmp_path, data, "new", "--catalogue", "{yaml}", "--out", "{out}")
    assert code == 0 and master.exists() and "cần xem lại" in out and "tiêu chí 1.1" in out


def test_far_too_many_tiers_are_refused_in_words_even_on_a_shallow_stack():
    """300 tiers nest far past Excel's 64 levels; the loader says so instead of recursing out of
    Python's stack (an xdist worker, an Excel callback thread run with less to spare)."""
    import inspect

    limit = next(x for x in LIMITS if x.name == "nesting: rate tiers")
    data = limit.build(300)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 200)
    try:
        with pytest.raises(CatalogueError) as refused:
            parse_catalogue(data)
    finally:
        sys.setrecursionlimit(old)
    assert "cấp hàm lồng nhau" in str(refused.value.problems)
