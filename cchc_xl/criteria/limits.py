"""Excel's hard limits, checked when the catalogue is loaded, so no workbook breaks them.

A formula Excel cannot hold makes it "repair" the file on opening (dropping formulas or whole
sheets), long after the catalogue was accepted. Each leaf's formulas are compiled here as the
builder writes them and measured against the limits Excel documents: a text constant in a
formula at most 255 characters (a long option label), functions nested at most 64 levels (each
option or tier adds an IF), a formula at most 8,192 characters, a function at most 255
arguments, and a data validation's list or formula at most 255 characters (with its titles and
messages, which XlsxWriter would otherwise drop). Lengths count UTF-16 code units, as Excel does.
"""

from __future__ import annotations

from decimal import Decimal

from .expr import depth, to_formula
from .numbers import vn_number
from .rules import Rule, applicable_max_expr, input_cell, points_expr

MAX_TEXT = 255
MAX_NESTING = 64
# An expression tree this deep has far more than MAX_NESTING nested functions; printing it
# would recurse deeper than Python's stack allows in a worker or an Excel callback.
MAX_TREE_DEPTH = 3 * MAX_NESTING
MAX_FORMULA = 8192
MAX_ARGUMENTS = 255
MAX_VALIDATION = 255
MAX_TITLE = 32

# The builder's columns on a tree sheet: inputs in E–I, the Python UDF block in U
# (tests/test_limits.py checks them against format.layout).
COLUMNS = {"a": "E", "b": "F", "value": "G", "na": "H", "supp": "I"}
UDF_COLUMN = "U"
HEADER_ROWS = 10  # more than the rows above a sheet's first criterion


def cell_refs(last_row: int) -> dict[str, str]:
    """The input cells on `last_row`: no sheet of the catalogue has a longer row number, so a
    formula is measured at least as long as the builder writes it."""
    return {key: f"{column}{last_row}" for key, column in COLUMNS.items()}


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def scan(formula: str) -> tuple[list[str], int, int]:
    """A formula's text constants, its deepest function nesting and the most arguments any one
    of its functions takes."""
    texts: list[str] = []
    stack: list[list[int] | None] = []  # per open bracket: [arguments] of a function, or None
    depth = most = 0
    i = 0
    while i < len(formula):
        ch = formula[i]
        if ch == '"':
            end = i + 1
            while True:
                end = formula.index('"', end)
                if formula.startswith('""', end):
                    end += 2
                    continue
                break
            texts.append(formula[i + 1:end].replace('""', '"'))
            i = end + 1
            continue
        if ch == "(":
            function = i > 0 and (formula[i - 1].isalnum() or formula[i - 1] in "._")
            stack.append([1] if function else None)
            depth = max(depth, sum(1 for s in stack if s is not None))
        elif ch == ")":
            top = stack.pop()
            if top is not None:
                most = max(most, top[0])
        elif ch == "," and stack and stack[-1] is not None:
            stack[-1][0] += 1
        i += 1
    return texts, depth, most


def _preview(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


def _formula_problems(what: str, formula: str, limit: int) -> list[str]:
    texts, depth, arguments = scan(formula)
    problems = [f"chữ \"{_preview(t)}\" dài {_units(t)} ký tự, nhưng Excel không nhận chữ dài "
                f"quá {MAX_TEXT} ký tự trong công thức: hãy rút gọn nhãn này còn tối đa "
                f"{MAX_TEXT} ký tự" for t in dict.fromkeys(texts) if _units(t) > MAX_TEXT]
    if depth > MAX_NESTING:
        problems.append(f"{what} cần {depth} cấp hàm lồng nhau, Excel chỉ cho phép "
                        f"{MAX_NESTING} (mỗi mức hoặc lựa chọn thêm một cấp): hãy bớt ít nhất "
                        f"{depth - MAX_NESTING} mức hoặc lựa chọn, hoặc tách tiêu chí thành "
                        "nhiều tiêu chí thành phần")
    if arguments > MAX_ARGUMENTS:
        problems.append(f"{what} có một hàm với {arguments} đối số, Excel chỉ cho phép "
                        f"{MAX_ARGUMENTS}: hãy bớt lựa chọn hoặc tách tiêu chí")
    if _units(formula) > limit:
        problems.append(f"{what} dài {vn_number(Decimal(_units(formula)))} ký tự, Excel chỉ cho "
                        f"phép {vn_number(Decimal(limit))}: hãy rút gọn các nhãn, bớt mức hoặc "
                        "lựa chọn, hoặc tách tiêu chí thành nhiều tiêu chí thành phần")
    return problems


def leaf_limit_problems(rule: Rule, max_points: Decimal, deduction: Decimal,
                        nodes: int) -> list[str]:
    """What in a leaf's workbook cells Excel would refuse (Vietnamese, saying what to do).

    `nodes`: how many criteria the catalogue has, which bounds the row numbers of every sheet.
    The points formula is measured in its longest form, inside the UDF fallback of a master
    with macros."""
    refs = cell_refs(nodes + HEADER_ROWS)
    udf = f"{UDF_COLUMN}{nodes + HEADER_ROWS}"
    expr = points_expr(rule, max_points, deduction)
    if depth(expr) > MAX_TREE_DEPTH:  # far past Excel's nesting: not even printed
        return [f"công thức tính điểm cần hơn {MAX_NESTING} cấp hàm lồng nhau, Excel chỉ cho "
                f"phép {MAX_NESTING} (mỗi mức hoặc lựa chọn thêm một cấp): hãy bớt mức hoặc lựa "
                "chọn, hoặc tách tiêu chí thành nhiều tiêu chí thành phần"]
    points = to_formula(expr, refs)
    checked = [("công thức tính điểm", f"=IF(ISERROR({udf}),{points[1:]},{udf})", MAX_FORMULA),
               ("công thức điểm tối đa áp dụng",
                to_formula(applicable_max_expr(rule, max_points), refs), MAX_FORMULA)]
    problems: list[str] = []
    for key in (*rule.inputs, "na", "supp"):
        cell = input_cell(rule, key, max_points, deduction)
        what = f"điều kiện kiểm tra ô nhập {key}"
        source = cell.validation.get("source")
        if isinstance(source, (list, tuple)) and _units(",".join(source)) > MAX_VALIDATION:
            problems.append(f"danh sách chọn của ô nhập {key} dài "
                            f"{_units(','.join(source))} ký tự, Excel chỉ cho phép "
                            f"{MAX_VALIDATION}: hãy rút gọn các nhãn")
        if cell.formula is not None:
            checked.append((what, to_formula(cell.formula, refs)[1:], MAX_VALIDATION))
        for field, limit in (("input_title", MAX_TITLE), ("error_title", MAX_TITLE),
                             ("input_message", MAX_VALIDATION),
                             ("error_message", MAX_VALIDATION)):
            text = str(cell.validation.get(field, ""))
            if _units(text) > limit:
                problems.append(f"lời nhắc của ô nhập {key} dài {_units(text)} ký tự, Excel chỉ "
                                f"cho phép {limit}: hãy rút gọn các nhãn")
    for what, formula, limit in checked:
        problems += _formula_problems(what, formula, limit)
    return list(dict.fromkeys(problems))
