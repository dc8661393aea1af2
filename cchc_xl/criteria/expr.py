"""A tiny expression language: every scoring rule is written once in it and used twice.

`evaluate()` computes an expression in Python with exact decimals and Excel's semantics for the
few functions we use; `to_formula()` prints the same expression as a native Excel formula. The
parity tests recalculate those formulas in LibreOffice and compare with `evaluate()`.

The function whitelist is deliberately small (IF, AND, OR, NOT, MIN, ROUND, ISNUMBER, TRIM and
arithmetic/comparison operators): Excel, LibreOffice and WPS compute these the same way. Formulas
never rely on blank lookups or booleans inside ranges, where engines disagree.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any, Union

from .numbers import plain, round_half_up, to_decimal

Value = Union[Decimal, str, bool, None]
"""What a cell holds for the evaluator: a number, text, a boolean, or None when blank."""


class ExprError(Exception):
    """The expression would give an Excel error value (#VALUE!, #DIV/0!)."""

    def __init__(self, excel_error: str) -> None:
        super().__init__(excel_error)
        self.excel_error = excel_error


@dataclass(frozen=True)
class Expr:
    # Operator sugar keeps rule definitions readable: `b * 100 >= bound * a`.
    def __add__(self, other: object) -> Expr:
        return Arith("+", self, lift(other))

    def __sub__(self, other: object) -> Expr:
        return Arith("-", self, lift(other))

    def __mul__(self, other: object) -> Expr:
        return Arith("*", self, lift(other))

    def __truediv__(self, other: object) -> Expr:
        return Arith("/", self, lift(other))

    def __ge__(self, other: object) -> Expr:  # type: ignore[override]
        return Compare(">=", self, lift(other))

    def __gt__(self, other: object) -> Expr:  # type: ignore[override]
        return Compare(">", self, lift(other))

    def __le__(self, other: object) -> Expr:  # type: ignore[override]
        return Compare("<=", self, lift(other))

    def __lt__(self, other: object) -> Expr:  # type: ignore[override]
        return Compare("<", self, lift(other))

    def eq(self, other: object) -> Expr:
        return Compare("=", self, lift(other))


@dataclass(frozen=True)
class Const(Expr):
    value: Decimal | str | bool


@dataclass(frozen=True)
class Ref(Expr):
    """An input cell of the leaf: 'a', 'b', 'value', 'na' or 'supp'."""

    name: str


@dataclass(frozen=True)
class Arith(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Compare(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Call(Expr):
    fn: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class If(Expr):
    cond: Expr
    then: Expr
    otherwise: Expr


def depth(expr: Expr) -> int:
    """How deep the tree is, counted without recursion: printing and evaluating recurse, so a
    tree too deep for Python's stack is measured first and refused."""
    deepest, stack = 0, [(expr, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, (Arith, Compare)):
            stack += [(node.left, level + 1), (node.right, level + 1)]
        elif isinstance(node, Call):
            stack += [(arg, level + 1) for arg in node.args]
        elif isinstance(node, If):
            stack += [(node.cond, level + 1), (node.then, level + 1),
                      (node.otherwise, level + 1)]
    return deepest


def lift(value: object) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, (bool, str)):
        return Const(value)
    return Const(to_decimal(value))


def call(fn: str, *args: object) -> Call:
    return Call(fn, tuple(lift(a) for a in args))


def first_match(cases: list[tuple[Expr, Expr]], default: Expr) -> Expr:
    """IF(c1, v1, IF(c2, v2, … default)) — the cases are tried in order."""
    result = default
    for cond, value in reversed(cases):
        result = If(cond, value, result)
    return result


# ---------------------------------------------------------------------------------------------
# Python evaluation with Excel semantics


def _number(value: Value) -> Decimal:
    """Excel's implicit conversion in arithmetic: blank is 0, text is #VALUE!."""
    if value is None:
        return Decimal(0)
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, Decimal):
        return value
    raise ExprError("#VALUE!")


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return plain(value)
    return value


_RANK = {Decimal: 0, str: 1, bool: 2}
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "<>": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge}


def _compare(op: str, left: Value, right: Value) -> bool:
    # Excel: a blank takes the other side's type; numbers sort before text, text before
    # booleans; text compares case-insensitively.
    if left is None:
        left = "" if isinstance(right, str) else Decimal(0) if right is not None else ""
    if right is None:
        right = "" if isinstance(left, str) else Decimal(0)
    lk, rk = _RANK[type(left)], _RANK[type(right)]
    if lk != rk:
        return _COMPARISONS[op](lk, rk)
    if lk == 1:
        return _COMPARISONS[op](left.casefold(), right.casefold())  # type: ignore[union-attr]
    return _COMPARISONS[op](left, right)


def _truth(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, Decimal):
        return value != 0
    raise ExprError("#VALUE!")


def _excel_trim(value: Value) -> str:
    # Excel's TRIM removes leading/trailing spaces and collapses runs of spaces (only U+0020).
    if value is None:
        return ""
    return " ".join(filter(None, _text(value).split(" ")))


def _round(value: Value, digits: Value) -> Decimal:
    places = int(_number(digits))
    return round_half_up(_number(value), Decimal(1).scaleb(-places))


_FUNCTIONS: dict[str, Callable[..., Value]] = {
    "MIN": lambda *xs: min(_number(x) for x in xs),
    "MAX": lambda *xs: max(_number(x) for x in xs),
    "ROUND": _round,
    # Lists, not generators: Excel evaluates every argument (so errors propagate) before AND/OR.
    "AND": lambda *xs: all([_truth(x) for x in xs]),  # noqa: C419
    "OR": lambda *xs: any([_truth(x) for x in xs]),  # noqa: C419
    "NOT": lambda x: not _truth(x),
    "ISNUMBER": lambda x: isinstance(x, Decimal),
    "TRIM": _excel_trim,
}


def evaluate(expr: Expr, inputs: Mapping[str, Value]) -> Value:
    """Compute `expr` with the cell values in `inputs` (missing names are blank cells)."""
    try:
        step = _STEPS[type(expr)]
    except KeyError:
        raise TypeError(f"unknown expression node {expr!r}") from None
    return step(expr, inputs)


# One function per kind of node, found by the node's type: a scored leaf walks about a hundred
# nodes, and a chain of isinstance tests cost more than the work at each node.
def _const(expr: Const, inputs: Mapping[str, Value]) -> Value:
    return expr.value


def _ref(expr: Ref, inputs: Mapping[str, Value]) -> Value:
    return inputs.get(expr.name)


def _if(expr: If, inputs: Mapping[str, Value]) -> Value:
    cond = expr.cond
    branch = expr.then if _truth(_STEPS[type(cond)](cond, inputs)) else expr.otherwise
    return _STEPS[type(branch)](branch, inputs)


def _call(expr: Call, inputs: Mapping[str, Value]) -> Value:
    return _FUNCTIONS[expr.fn](*[_STEPS[type(a)](a, inputs) for a in expr.args])


def _comparison(expr: Compare, inputs: Mapping[str, Value]) -> Value:
    left, right = expr.left, expr.right
    return _compare(expr.op, _STEPS[type(left)](left, inputs),
                    _STEPS[type(right)](right, inputs))


def _arithmetic(expr: Arith, inputs: Mapping[str, Value]) -> Value:
    left, right = expr.left, expr.right
    number = _number(_STEPS[type(left)](left, inputs))  # converted before the right side runs
    return _arith(expr.op, number, _number(_STEPS[type(right)](right, inputs)))


_STEPS: dict[type, Callable[[Any, Mapping[str, Value]], Value]] = {
    Const: _const, Ref: _ref, If: _if, Call: _call, Compare: _comparison, Arith: _arithmetic}


def _arith(op: str, left: Decimal, right: Decimal) -> Decimal:
    try:
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        return left / right
    except (DivisionByZero, InvalidOperation):
        raise ExprError("#DIV/0!") from None


# ---------------------------------------------------------------------------------------------
# Excel formula printing

_PRECEDENCE = {"=": 1, "<>": 1, "<": 1, "<=": 1, ">": 1, ">=": 1, "+": 2, "-": 2, "*": 3, "/": 3}


def _const_formula(value: Decimal | str | bool) -> str:
    if isinstance(value, bool):
        return "TRUE()" if value else "FALSE()"
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return plain(value)


def to_formula(expr: Expr, refs: Mapping[str, str]) -> str:
    """The expression as an Excel formula (with the leading '='); `refs` maps inputs to cells."""
    return "=" + _formula(expr, refs, 0)


def _formula(expr: Expr, refs: Mapping[str, str], outer: int) -> str:
    if isinstance(expr, Const):
        return _const_formula(expr.value)
    if isinstance(expr, Ref):
        return refs[expr.name]
    if isinstance(expr, If):
        parts = (expr.cond, expr.then, expr.otherwise)
        return "IF(" + ",".join(_formula(p, refs, 0) for p in parts) + ")"
    if isinstance(expr, Call):
        return expr.fn + "(" + ",".join(_formula(a, refs, 0) for a in expr.args) + ")"
    if isinstance(expr, (Arith, Compare)):
        level = _PRECEDENCE[expr.op]
        # Right operands of - and / need brackets at equal precedence: a-(b-c), a/(b*c).
        right_outer = level + 1 if expr.op in ("-", "/") else level
        text = _formula(expr.left, refs, level) + expr.op + _formula(expr.right, refs, right_outer)
        return f"({text})" if level < outer or (level == 1 and outer == 1) else text
    raise TypeError(f"unknown expression node {expr!r}")
