"""Scoring rules: parsed from the catalogue, written once as expressions.

A rule says which inputs a leaf has (`a`/`b` or one `value`), which inputs are impossible
(`checks`), when nothing has been entered yet (`missing`), and the points (`raw`). `leaf_cases`
wraps that with the per-item modifiers (not applicable, supplemented late) into one ordered list
of cases: the Python engine walks it and the workbook builder prints it as one Excel formula,
so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar, Literal

from .expr import Compare, Const, Expr, If, Ref, call, first_match
from .numbers import to_decimal, vn_number

A, B, VALUE, NA, SUPP = Ref("a"), Ref("b"), Ref("value"), Ref("na"), Ref("supp")
FLAG = "x"  # what a user types in a flag column (Không chấm điểm, Giải trình bổ sung)
ERROR_PREFIX = "Lỗi: "

Status = Literal["ok", "missing", "na", "error"]


def blank(x: Expr) -> Expr:
    return call("TRIM", x).eq("")


def filled(x: Expr) -> Expr:
    return Compare("<>", call("TRIM", x), Const(""))


def flag_set(x: Expr) -> Expr:
    return call("TRIM", x).eq(FLAG)


def flag_bad(x: Expr) -> Expr:
    return call("AND", filled(x), Compare("<>", call("TRIM", x), Const(FLAG)))


def not_number(x: Expr) -> Expr:
    return call("AND", filled(x), call("NOT", call("ISNUMBER", x)))


def negative(x: Expr) -> Expr:
    return call("AND", call("ISNUMBER", x), x < 0)


@dataclass(frozen=True)
class Check:
    """An impossible input: the cell shows `cell_text`, reports show `message`."""

    cond: Expr
    cell_text: str
    message: str
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    """One branch of a leaf's points: when `cond` holds, the leaf has `status` and `value`."""

    cond: Expr | None  # None: the default (last) case
    status: Status
    value: Expr
    check: Check | None = None


def _number_checks(name: str, label: str) -> list[Check]:
    ref = Ref(name)
    return [
        Check(not_number(ref), ERROR_PREFIX + f"{label} phải là số",
              f"Ô {label} phải là một số (không phải chữ); hãy gõ lại bằng số.", (name,)),
        Check(negative(ref), ERROR_PREFIX + f"{label} âm",
              f"Ô {label} không được là số âm; hãy sửa lại.", (name,)),
    ]


# ---------------------------------------------------------------------------------------------
# Rule kinds


@dataclass(frozen=True)
class Rule:
    kind: ClassVar[str]
    inputs: ClassVar[tuple[str, ...]] = ("value",)

    def checks(self, max_points: Decimal) -> list[Check]:
        raise NotImplementedError

    def missing(self) -> Expr:
        return blank(VALUE)

    def excluded(self) -> Expr | None:
        """Besides the user's flag, when the item is not scored (e.g. a = 0 with on_zero: na)."""
        return None

    def raw(self, max_points: Decimal) -> Expr:
        raise NotImplementedError

    def describe(self, max_points: Decimal) -> str:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def unit_input(self) -> bool:
        """Whether a unit enters this rule's inputs (False: only the Văn phòng does)."""
        return True


OnZero = Literal["full", "zero", "na"]
ON_ZERO_TEXT = {"full": "đạt điểm tối đa", "zero": "được 0 điểm", "na": "không chấm điểm"}


@dataclass(frozen=True)
class _TwoNumberRule(Rule):
    """Shared by ratio and rate tiers: inputs a (total) and b (achieved), b ≤ a."""

    inputs: ClassVar[tuple[str, ...]] = ("a", "b")
    a_label: str = ""
    b_label: str = ""
    on_zero: OnZero = "full"

    def checks(self, max_points: Decimal) -> list[Check]:
        return [
            *_number_checks("a", "a"),
            *_number_checks("b", "b"),
            Check(call("AND", call("ISNUMBER", A), call("ISNUMBER", B), B > A),
                  ERROR_PREFIX + "b lớn hơn a",
                  "Số b (số đạt) lớn hơn số a (tổng số): b không thể lớn hơn a; hãy kiểm tra lại.",
                  ("b", "a")),
        ]

    def missing(self) -> Expr:
        # With a = 0 nothing was due: b may stay blank.
        return call("OR", blank(A), call("AND", blank(B), Compare("<>", A, Const(Decimal(0)))))

    def excluded(self) -> Expr | None:
        if self.on_zero != "na":
            return None
        return call("AND", call("ISNUMBER", A), A.eq(Decimal(0)))

    def _on_zero_points(self, max_points: Decimal) -> Expr:
        return Const(max_points if self.on_zero == "full" else Decimal(0))

    def _labels(self) -> str:
        parts = []
        if self.a_label:
            parts.append(f"a: {self.a_label}")
        if self.b_label:
            parts.append(f"b: {self.b_label}")
        if self.on_zero != "full" or parts:
            parts.append(f"a = 0: {ON_ZERO_TEXT[self.on_zero]}")
        return "; ".join(parts)

    def _base_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.a_label:
            data["a"] = self.a_label
        if self.b_label:
            data["b"] = self.b_label
        if self.on_zero != "full":
            data["on_zero"] = self.on_zero
        return data


@dataclass(frozen=True)
class RatioRule(_TwoNumberRule):
    kind: ClassVar[str] = "ratio"
    target: Decimal | None = None  # percent

    def raw(self, max_points: Decimal) -> Expr:
        if self.target is None:
            share = call("MIN", B / A, 1)
        else:
            share = call("MIN", B * 100 / (A * self.target), 1)
        return If(A.eq(Decimal(0)), self._on_zero_points(max_points), share * max_points)

    def describe(self, max_points: Decimal) -> str:
        m = vn_number(max_points)
        if self.target is None:
            head = f"Điểm = (b/a) × {m}"
        else:
            head = f"Điểm = (b/a) ÷ {vn_number(self.target)}% × {m}, tối đa {m}"
        labels = self._labels()
        return f"{head}. {labels}" if labels else head

    def to_dict(self) -> dict[str, Any]:
        data = self._base_dict()
        if self.target is not None:
            data["target"] = self.target
        return data


Tier = tuple[Decimal, Decimal]


def _describe_tiers(tiers: tuple[Tier, ...], unit: str) -> str:
    parts = []
    upper: Decimal | None = None
    for bound, points in tiers:
        b = vn_number(bound) + unit
        if upper is None:
            parts.append(f"từ {b} trở lên: {vn_number(points)}")
        else:
            parts.append(f"từ {b} đến dưới {vn_number(upper)}{unit}: {vn_number(points)}")
        upper = bound
    if tiers:
        parts.append(f"dưới {vn_number(tiers[-1][0])}{unit}: 0")
    return "; ".join(parts)


def _tier_points(measure_at_least: Any, tiers: tuple[Tier, ...]) -> Expr:
    return first_match([(measure_at_least(bound), Const(pts)) for bound, pts in tiers],
                       Const(Decimal(0)))


@dataclass(frozen=True)
class RateTiersRule(_TwoNumberRule):
    kind: ClassVar[str] = "tiers"
    tiers: tuple[Tier, ...] = ()

    def raw(self, max_points: Decimal) -> Expr:
        # b*100 >= bound*a rather than b/a*100 >= bound: exact in floating point for whole
        # numbers, so Excel agrees with the exact Python result at the tier bounds.
        tier = _tier_points(lambda bound: B * 100 >= A * bound, self.tiers)
        return If(A.eq(Decimal(0)), self._on_zero_points(max_points), tier)

    def describe(self, max_points: Decimal) -> str:
        head = "Tỷ lệ b/a: " + _describe_tiers(self.tiers, "%")
        labels = self._labels()
        return f"{head}. {labels}" if labels else head

    def to_dict(self) -> dict[str, Any]:
        data = self._base_dict()
        data["of"] = "rate"
        data["tiers"] = [[b, p] for b, p in self.tiers]
        return data


@dataclass(frozen=True)
class CountTiersRule(Rule):
    kind: ClassVar[str] = "tiers"
    value_label: str = ""
    tiers: tuple[Tier, ...] = ()

    def checks(self, max_points: Decimal) -> list[Check]:
        return _number_checks("value", "số lượng")

    def raw(self, max_points: Decimal) -> Expr:
        return _tier_points(lambda bound: VALUE >= bound, self.tiers)

    def describe(self, max_points: Decimal) -> str:
        head = (self.value_label + ": ") if self.value_label else "Số lượng: "
        return head + _describe_tiers(self.tiers, "")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "of": "count"}
        if self.value_label:
            data["value"] = self.value_label
        data["tiers"] = [[b, p] for b, p in self.tiers]
        return data


@dataclass(frozen=True)
class YesNoRule(Rule):
    kind: ClassVar[str] = "yesno"
    yes: str = "Đạt"
    no: str = "Không đạt"

    @property
    def options(self) -> tuple[str, str]:
        return (self.yes, self.no)

    def checks(self, max_points: Decimal) -> list[Check]:
        value = call("TRIM", VALUE)
        cond = call("AND", filled(VALUE), Compare("<>", value, Const(self.yes)),
                    Compare("<>", value, Const(self.no)))
        return [Check(cond, ERROR_PREFIX + "chọn trong danh sách",
                      f"Ô giá trị chỉ nhận '{self.yes}' hoặc '{self.no}'; hãy chọn trong danh "
                      "sách.",
                      ("value",))]

    def raw(self, max_points: Decimal) -> Expr:
        return If(call("TRIM", VALUE).eq(self.yes), Const(max_points), Const(Decimal(0)))

    def describe(self, max_points: Decimal) -> str:
        return f"{self.yes}: {vn_number(max_points)} điểm; {self.no}: 0 điểm"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.yes != "Đạt":
            data["yes"] = self.yes
        if self.no != "Không đạt":
            data["no"] = self.no
        return data


@dataclass(frozen=True)
class ChoiceRule(Rule):
    kind: ClassVar[str] = "choice"
    choices: tuple[tuple[str, Decimal], ...] = ()

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(label for label, _ in self.choices)

    def checks(self, max_points: Decimal) -> list[Check]:
        value = call("TRIM", VALUE)
        unknown = [Compare("<>", value, Const(label)) for label in self.options]
        return [Check(call("AND", filled(VALUE), *unknown), ERROR_PREFIX + "chọn trong danh sách",
                      "Ô giá trị phải là một trong các mức: "
                      + "; ".join(f"'{label}'" for label in self.options)
                      + ". Hãy chọn trong danh sách.", ("value",))]

    def raw(self, max_points: Decimal) -> Expr:
        value = call("TRIM", VALUE)
        return first_match([(value.eq(label), Const(pts)) for label, pts in self.choices],
                           Const(Decimal(0)))

    def describe(self, max_points: Decimal) -> str:
        return "; ".join(f"{label}: {vn_number(pts)}" for label, pts in self.choices)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "options": [[label, pts] for label, pts in self.choices]}


@dataclass(frozen=True)
class ManualRule(Rule):
    kind: ClassVar[str] = "manual"

    def checks(self, max_points: Decimal) -> list[Check]:
        return [
            *_number_checks("value", "điểm"),
            Check(call("AND", call("ISNUMBER", VALUE), VALUE > max_points),
                  ERROR_PREFIX + "vượt điểm tối đa",
                  f"Điểm nhập vượt điểm tối đa {vn_number(max_points)}; hãy sửa lại.", ("value",)),
        ]

    def raw(self, max_points: Decimal) -> Expr:
        return VALUE

    def describe(self, max_points: Decimal) -> str:
        return f"Chấm theo mức độ thực hiện, từ 0 đến {vn_number(max_points)} điểm"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind}


@dataclass(frozen=True)
class SurveyRule(ManualRule):
    kind: ClassVar[str] = "survey"
    source: str = ""

    @property
    def unit_input(self) -> bool:
        return False

    def describe(self, max_points: Decimal) -> str:
        text = f"Theo kết quả điều tra xã hội học, Văn phòng nhập (0 đến {vn_number(max_points)})"
        return f"{text}; nguồn: {self.source}" if self.source else text

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.source:
            data["source"] = self.source
        return data


# ---------------------------------------------------------------------------------------------
# The leaf's cases, shared by the Python engine and the Excel formula

NA_CHECK = Check(flag_bad(NA), ERROR_PREFIX + "cột Không chấm điểm chỉ nhận x",
                 "Cột 'Không chấm điểm' chỉ nhận chữ x hoặc để trống.", ("na",))
SUPP_CHECK = Check(flag_bad(SUPP), ERROR_PREFIX + "cột Giải trình bổ sung chỉ nhận x",
                   "Cột 'Giải trình bổ sung' chỉ nhận chữ x hoặc để trống.", ("supp",))


@lru_cache(maxsize=4096)
def leaf_cases(rule: Rule, max_points: Decimal, deduction: Decimal) -> tuple[Case, ...]:
    """The ordered cases of a leaf's points; the last one (cond None) is the default."""
    cases = [Case(flag_set(NA), "na", Const(""))]
    for check in [NA_CHECK, SUPP_CHECK, *rule.checks(max_points)]:
        cases.append(Case(check.cond, "error", Const(check.cell_text), check))
    cases.append(Case(rule.missing(), "missing", Const("")))
    excluded = rule.excluded()
    if excluded is not None:
        cases.append(Case(excluded, "na", Const("")))
    factor = If(flag_set(SUPP), Const(1 - deduction), Const(Decimal(1)))
    cases.append(Case(None, "ok", call("ROUND", rule.raw(max_points) * factor, 2)))
    return tuple(cases)


def points_expr(rule: Rule, max_points: Decimal, deduction: Decimal) -> Expr:
    """The whole points computation of a leaf as one expression (one Excel formula)."""
    cases = leaf_cases(rule, max_points, deduction)
    *branches, default = cases
    return first_match([(c.cond, c.value) for c in branches if c.cond is not None], default.value)


@lru_cache(maxsize=4096)
def applicable_max_expr(rule: Rule, max_points: Decimal) -> Expr:
    """The leaf's share of the denominator: 0 when not scored, else its maximum."""
    cases: list[tuple[Expr, Expr]] = [(flag_set(NA), Const(Decimal(0)))]
    excluded = rule.excluded()
    if excluded is not None:
        cases.append((excluded, Const(Decimal(0))))
    return first_match(cases, Const(max_points))


# ---------------------------------------------------------------------------------------------
# Parsing from the catalogue


class RuleProblem(ValueError):
    """A rule's parameters are wrong; the message is Vietnamese, for the catalogue report."""


def _num(value: Any, what: str) -> Decimal:
    try:
        return to_decimal(value)
    except ValueError:
        raise RuleProblem(f"{what} phải là số (đang là {value!r})") from None


def _label(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, (str, int, float)):
        raise RuleProblem(f"'{key}' phải là chữ")
    return str(value).strip()


def _pairs(raw: Any, what: str) -> list[tuple[Any, Any]]:
    if not isinstance(raw, list) or not raw:
        raise RuleProblem(f"'{what}' phải là danh sách các cặp [.., ..] và không được rỗng")
    pairs = []
    for item in raw:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise RuleProblem(f"mỗi phần tử của '{what}' phải là một cặp [.., ..] "
                              f"(đang là {item!r})")
        pairs.append((item[0], item[1]))
    return pairs


def _parse_tiers(raw: Any, max_points: Decimal) -> tuple[Tier, ...]:
    tiers = tuple((_num(b, "mức"), _num(p, "điểm của mức")) for b, p in _pairs(raw, "tiers"))
    for (b1, p1), (b2, p2) in zip(tiers, tiers[1:]):
        if not b2 < b1:
            raise RuleProblem(f"các mức phải giảm dần (mức {vn_number(b2)} đứng sau mức "
                              f"{vn_number(b1)})")
        if p2 > p1:
            raise RuleProblem(f"điểm các mức phải giảm dần (mức {vn_number(b2)} được "
                              f"{vn_number(p2)} "
                              f"điểm, nhiều hơn mức {vn_number(b1)})")
    for bound, points in tiers:
        if points > max_points or points < 0:
            raise RuleProblem(f"mức {vn_number(bound)} cho {vn_number(points)} điểm, ngoài "
                              "khoảng 0 đến "
                              f"điểm tối đa {vn_number(max_points)}")
        if bound < 0:
            raise RuleProblem(f"mức {vn_number(bound)} không được âm")
    return tiers


def _on_zero(data: dict[str, Any]) -> OnZero:
    value = data.get("on_zero", "full")
    if value not in ("full", "zero", "na"):
        raise RuleProblem(f"on_zero chỉ nhận full, zero hoặc na (đang là {value!r})")
    return value  # type: ignore[no-any-return]


ALLOWED_KEYS = {
    "ratio": {"kind", "a", "b", "target", "on_zero"},
    "tiers": {"kind", "of", "a", "b", "on_zero", "value", "tiers"},
    "yesno": {"kind", "yes", "no"},
    "choice": {"kind", "options"},
    "manual": {"kind"},
    "survey": {"kind", "source"},
}


def parse_rule(data: Any, max_points: Decimal) -> Rule:
    """A rule from its catalogue mapping; RuleProblem (Vietnamese) when it is wrong."""
    if not isinstance(data, dict):
        raise RuleProblem("'rule' phải là một bảng có khóa 'kind'")
    kind = data.get("kind")
    if kind not in ALLOWED_KEYS:
        raise RuleProblem(f"loại quy tắc không biết: {kind!r} (chỉ nhận: "
                          + ", ".join(ALLOWED_KEYS) + ")")
    if True in data or False in data:
        raise RuleProblem("khóa yes/no phải đặt trong ngoặc kép (\"yes\": …, \"no\": …); "
                          "YAML hiểu yes/no không ngoặc là đúng/sai")
    unknown = set(data) - ALLOWED_KEYS[kind]
    if unknown:
        raise RuleProblem(f"quy tắc {kind} không có tham số: "
                          + ", ".join(sorted(map(str, unknown))))
    if kind == "ratio":
        target = data.get("target")
        target_value = None if target is None else _num(target, "target")
        if target_value is not None and not (0 < target_value <= 100):
            raise RuleProblem("target (phần trăm) phải lớn hơn 0 và không quá 100")
        return RatioRule(a_label=_label(data, "a"), b_label=_label(data, "b"),
                         on_zero=_on_zero(data), target=target_value)
    if kind == "tiers":
        of = data.get("of")
        tiers = _parse_tiers(data.get("tiers"), max_points)
        if of == "rate":
            if "value" in data:
                raise RuleProblem("tiers of: rate dùng a và b, không dùng 'value'")
            return RateTiersRule(a_label=_label(data, "a"), b_label=_label(data, "b"),
                                 on_zero=_on_zero(data), tiers=tiers)
        if of == "count":
            extra = {"a", "b", "on_zero"} & set(data)
            if extra:
                raise RuleProblem("tiers of: count không dùng " + ", ".join(sorted(extra)))
            return CountTiersRule(value_label=_label(data, "value"), tiers=tiers)
        raise RuleProblem(f"tiers cần 'of: rate' hoặc 'of: count' (đang là {of!r})")
    if kind == "yesno":
        yes, no = _label(data, "yes", "Đạt"), _label(data, "no", "Không đạt")
        if not yes or not no or yes.casefold() == no.casefold():
            raise RuleProblem("hai nhãn yes/no phải khác nhau và không rỗng")
        return YesNoRule(yes=yes, no=no)
    if kind == "choice":
        choices = []
        for label, pts in _pairs(data.get("options"), "options"):
            text = str(label).strip() if label is not None else ""
            if not text:
                raise RuleProblem("nhãn của một mức lựa chọn bị trống")
            points = _num(pts, f"điểm của mức '{text}'")
            if points > max_points or points < 0:
                raise RuleProblem(f"mức '{text}' cho {vn_number(points)} điểm, ngoài khoảng 0 đến "
                                  f"điểm tối đa {vn_number(max_points)}")
            choices.append((text, points))
        folded = [label.casefold() for label, _ in choices]
        if len(set(folded)) != len(folded):
            raise RuleProblem("các nhãn lựa chọn bị trùng nhau")
        return ChoiceRule(choices=tuple(choices))
    if kind == "manual":
        return ManualRule()
    return SurveyRule(source=_label(data, "source"))
