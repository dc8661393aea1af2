"""Scoring rules: parsed from the catalogue, written once as expressions.

Each rule kind is one class that says everything about itself: its catalogue keys (`params`,
which are also the columns of the catalogue's Excel form) and how they are parsed (`parse`), its
inputs and how the workbook shows and validates them (`input_cell`), which inputs are impossible
(`checks`), when nothing has been entered yet (`missing`), the points (`raw`), its Vietnamese
texts (`describe`, `help`) and plausible inputs (`sample_inputs`). Defining the class registers
it (`KINDS`); the catalogue parser, its Excel form, the workbook builder, the sample data and the
parity tests go through the registry, so a new kind is one class here.

`leaf_cases` wraps a rule with the per-item modifiers (not applicable, supplemented late) into
one ordered list of cases: the Python engine walks it and the workbook builder prints it as one
Excel formula, so the two cannot drift apart.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar, Literal

from .expr import Compare, Const, Expr, If, Ref, call, first_match
from .numbers import to_decimal, vn_number

A, B, VALUE, NA, SUPP = Ref("a"), Ref("b"), Ref("value"), Ref("na"), Ref("supp")
FLAG = "x"  # what a user types in a flag column (Không chấm điểm, Giải trình bổ sung)
ERROR_PREFIX = "Lỗi: "

# pending: a survey item before Sở Nội vụ publishes it (not a loss: it waits for its result)
Status = Literal["ok", "missing", "pending", "na", "error"]


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
# Catalogue keys of the rule kinds (each also a column of the catalogue's Excel form)

ParamForm = Literal["text", "number", "choice", "number_pairs", "label_pairs"]
PARAMS: dict[str, Param] = {}  # every key, in the order of the catalogue sheet's columns


@dataclass(frozen=True)
class Param:
    """A rule key in the catalogue and its column on the Excel form; defining one registers it.

    `meaning` is the column's help after "với <the kinds that use it>: "; `form` says how a cell
    is read (pairs are written `a=b; c=d`, `syntax` explains them on the help sheet and
    `example` in the message for a cell that cannot be read).
    """

    key: str
    header: str
    width: int
    meaning: str
    form: ParamForm = "text"
    choices: tuple[str, ...] = ()
    syntax: str = ""
    example: str = ""

    def __post_init__(self) -> None:
        if self.key in PARAMS or self.key in ("kind", "level", "code", "name", "max"):
            raise ValueError(f"rule key {self.key!r} defined twice")
        PARAMS[self.key] = self


OF = Param("of", "Tính trên", 10, "rate (tỷ lệ b/a, tính theo %) hoặc count (một số lượng)",
           "choice", ("rate", "count"))
A_LABEL = Param("a", "Nhãn a", 24, "tên số a (tổng số), không bắt buộc")
B_LABEL = Param("b", "Nhãn b", 24, "tên số b (số đạt), không bắt buộc")
VALUE_LABEL = Param("value", "Nhãn giá trị", 24, "tên số lượng, không bắt buộc")
TARGET = Param("target", "Chỉ tiêu %", 10,
               "chỉ tiêu được giao, theo phần trăm (gõ 50 cho 50%)", "number")
ON_ZERO = Param("on_zero", "Khi a = 0", 10, "full (đạt điểm tối đa, mặc định), zero (0 điểm) "
                "hoặc na (không chấm điểm)", "choice", ("full", "zero", "na"))
TIERS = Param("tiers", "Các mức", 28, "mức=điểm, cách nhau bằng dấu ; và xếp từ cao xuống "
              "thấp, ví dụ 100=3; 98=2,5; 96=2", "number_pairs",
              syntax="mức=điểm; mức=điểm … từ cao xuống thấp, ví dụ 100=3; 98=2,5; 96=2 nghĩa "
              "là: từ 100% được 3 điểm, từ 98% đến dưới 100% được 2,5, từ 96% đến dưới 98% "
              "được 2, dưới 96% được 0.",
              example="mức=điểm, ví dụ 100=3; 98=2,5; 96=2")
OPTIONS = Param("options", "Các lựa chọn", 40, "nhãn=điểm, cách nhau bằng dấu ;, ví dụ Ban hành "
                "kịp thời=1; Không kịp thời=0,5; nhãn không được chứa dấu = hoặc ;",
                "label_pairs",
                syntax="nhãn=điểm; nhãn=điểm …, ví dụ Ban hành kịp thời=1; Ban hành không kịp "
                "thời=0,5; Không ban hành=0.",
                example="nhãn=điểm, ví dụ Ban hành kịp thời=1; Không kịp thời=0,5")
YES = Param("yes", "Nhãn Có", 14, "nhãn được điểm tối đa (để trống = Đạt)")
NO = Param("no", "Nhãn Không", 14, "nhãn được 0 điểm (để trống = Không đạt)")
SOURCE = Param("source", "Nguồn", 24, "nơi công bố kết quả điều tra")


# ---------------------------------------------------------------------------------------------
# How the workbook shows an input cell

CellFormat = Literal["count", "number", "text", "flag"]


@dataclass(frozen=True)
class InputCell:
    """An input cell's look (a `Styles.cell` kind) and its data validation (XlsxWriter options).

    A dropdown of `options` gets its list source from the builder (the labels are kept on the
    metadata sheet, so long lists and any characters work); so does a custom `formula`, printed
    with the cell's own reference.
    """

    format: CellFormat
    validation: Mapping[str, Any] = field(default_factory=dict)
    options: tuple[str, ...] = ()
    formula: Expr | None = None  # a custom validation: the input is accepted where it is TRUE


def _count_cell(title: str = "", message: str = "") -> InputCell:
    validation = {"validate": "decimal", "criteria": ">=", "value": 0,
                  "error_title": "Số không hợp lệ",
                  "error_message": "Chỉ nhập số từ 0 trở lên (không nhập chữ)."}
    if title:
        validation |= {"input_title": title, "input_message": message}
    return InputCell("count", validation)


def _points_cell(max_points: Decimal) -> InputCell:
    return InputCell("number", {
        "validate": "decimal", "criteria": "between", "minimum": 0,
        "maximum": float(max_points), "error_title": "Điểm không hợp lệ",
        "error_message": f"Nhập số điểm từ 0 đến {vn_number(max_points)}."})


def _list_cell(options: tuple[str, ...]) -> InputCell:
    return InputCell("text", {"validate": "list", "error_title": "Chọn trong danh sách",
                              "error_message": "Hãy chọn một mức trong danh sách."}, options)


# ---------------------------------------------------------------------------------------------
# Rule kinds

KINDS: dict[str, type[Rule]] = {}  # the catalogue's kind name → the class that parses it
Pick = Callable[..., int]  # pick(n, salt="") → a stable number in [0, n) (sample data)


@dataclass(frozen=True)
class Rule(ABC):
    """A scoring rule. A class that sets `kind` (and `help`) is registered as that kind; its
    concrete subclasses that set `variant` are told apart by the catalogue key `of`."""

    kind: ClassVar[str]
    variant: ClassVar[str] = ""
    help: ClassVar[str]  # how points are computed, on the catalogue's help sheet
    params: ClassVar[tuple[Param, ...]] = ()
    inputs: ClassVar[tuple[str, ...]] = ("value",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in vars(cls):
            if cls.kind in KINDS or "help" not in vars(cls):
                raise TypeError(f"rule kind {cls.kind!r}: registered twice or without help")
            KINDS[cls.kind] = cls

    @classmethod
    def title(cls) -> str:
        """'ratio', 'tiers rate' …: how the catalogue names this class."""
        return f"{cls.kind} {cls.variant}".strip()

    @classmethod
    @abstractmethod
    def parse(cls, data: dict[str, Any], max_points: Decimal) -> Rule:
        """The rule from its catalogue mapping (keys already checked); RuleProblem if wrong."""

    @abstractmethod
    def checks(self, max_points: Decimal) -> list[Check]:
        """Impossible inputs, in the order they are reported."""

    def missing(self) -> Expr:
        return blank(VALUE)

    def excluded(self) -> Expr | None:
        """Besides the user's flag, when the item is not scored (e.g. a = 0 with on_zero: na)."""
        return None

    @abstractmethod
    def raw(self, max_points: Decimal) -> Expr:
        """The points before the late-evidence deduction and rounding."""

    @abstractmethod
    def describe(self, max_points: Decimal) -> str:
        """The rule in Vietnamese, for the workbook's 'Cách tính điểm' column."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """The catalogue mapping `parse` reads back."""

    @abstractmethod
    def input_cell(self, key: str, max_points: Decimal) -> InputCell:
        """How the workbook shows and validates the input `key` (one of `inputs`)."""

    @abstractmethod
    def sample_inputs(self, max_points: Decimal, pick: Pick) -> dict[str, Any]:
        """Plausible inputs, mostly full marks, some losses (demo, benchmarks, parity tests)."""

    def slips(self) -> list[str]:
        """Likely mistakes that are still valid (Vietnamese): warnings when loading."""
        return []

    @property
    def unit_input(self) -> bool:
        """Whether a unit enters this rule's inputs (False: only the Văn phòng does)."""
        return True

    @property
    def pending_when_blank(self) -> bool:
        """Whether a blank item waits for a result published later (surveys), not a loss."""
        return False


def _descendants(cls: type[Rule]) -> list[type[Rule]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_descendants(sub)]
    return found


def rule_classes() -> tuple[type[Rule], ...]:
    """Every concrete rule class (what a leaf's rule can be), by kind in registry order."""
    return tuple(cls for base in KINDS.values() for cls in (base, *_descendants(base))
                 if cls.kind == base.kind and not inspect.isabstract(cls))


def rule_params() -> tuple[Param, ...]:
    """The keys the registered kinds use, in the order of the catalogue sheet's columns."""
    used = {p for cls in rule_classes() for p in cls.params}
    return tuple(p for p in PARAMS.values() if p in used)


def kind_keys(kind: str) -> frozenset[str]:
    """Every key a rule of this kind may have in the catalogue."""
    classes = [c for c in rule_classes() if c.kind == kind]
    return frozenset({"kind"}).union(p.key for c in classes for p in c.params)


OnZero = Literal["full", "zero", "na"]
ON_ZERO_TEXT = {"full": "đạt điểm tối đa", "zero": "được 0 điểm", "na": "không chấm điểm"}


@dataclass(frozen=True)
class _TwoNumberRule(Rule):
    """Shared by ratio and rate tiers: inputs a (total) and b (achieved), b ≤ a."""

    params: ClassVar[tuple[Param, ...]] = (A_LABEL, B_LABEL, ON_ZERO)
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

    def input_cell(self, key: str, max_points: Decimal) -> InputCell:
        if key == "b":
            return _count_cell("b không lớn hơn a", "Số đạt (b) không được lớn hơn tổng số (a).")
        return _count_cell()

    def sample_inputs(self, max_points: Decimal, pick: Pick) -> dict[str, Any]:
        total = 50 + pick(950, "a")
        done = total if pick(10) < 6 else total - 1 - pick(max(total // 20, 1), "b")
        return {"a": total, "b": done}


@dataclass(frozen=True)
class RatioRule(_TwoNumberRule):
    kind: ClassVar[str] = "ratio"
    help: ClassVar[str] = ("Điểm = (b/a) × điểm tối đa; có Chỉ tiêu %: (b/a) ÷ chỉ tiêu × điểm "
                           "tối đa, tối đa bằng điểm tối đa")
    params: ClassVar[tuple[Param, ...]] = (A_LABEL, B_LABEL, TARGET, ON_ZERO)
    target: Decimal | None = None  # percent

    @classmethod
    def parse(cls, data: dict[str, Any], max_points: Decimal) -> RatioRule:
        target = data.get("target")
        target_value = None if target is None else _num(target, "target")
        if target_value is not None and not (0 < target_value <= 100):
            raise RuleProblem("target (phần trăm) phải lớn hơn 0 và không quá 100")
        return cls(a_label=_label(data, "a"), b_label=_label(data, "b"), on_zero=_on_zero(data),
                   target=target_value)

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

    def slips(self) -> list[str]:
        if self.target is None or self.target > 1:
            return []
        target = vn_number(self.target)
        return [f"chỉ tiêu target: {target} tính theo phần trăm ({target}%), nên gần như mọi tỷ "
                f"lệ đều đạt điểm tối đa. Nếu ý là {vn_number(self.target * 100)}%, hãy viết "
                f"target: {vn_number(self.target * 100)}."]


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
class TiersRule(Rule):
    """The kind 'tiers': points by the first tier reached, on a rate or a count (`of`)."""

    kind: ClassVar[str] = "tiers"
    help: ClassVar[str] = ("Điểm theo mức: lấy mức đầu tiên có mức ≤ tỷ lệ (rate, theo %) hoặc "
                           "≤ số lượng (count); dưới mức thấp nhất: 0 điểm")

    @classmethod
    def parse(cls, data: dict[str, Any], max_points: Decimal) -> Rule:
        of = data.get("of")
        variants = {c.variant: c for c in rule_classes() if c.kind == cls.kind}
        variant = variants.get(of) if isinstance(of, str) else None
        if variant is None:
            _parse_tiers(data.get("tiers"), max_points)  # its problem is reported first
            raise RuleProblem(f"tiers cần 'of: rate' hoặc 'of: count' (đang là {of!r})")
        return variant.parse(data, max_points)


@dataclass(frozen=True)
class RateTiersRule(TiersRule, _TwoNumberRule):
    variant: ClassVar[str] = "rate"
    params: ClassVar[tuple[Param, ...]] = (OF, A_LABEL, B_LABEL, ON_ZERO, TIERS)
    tiers: tuple[Tier, ...] = ()

    @classmethod
    def parse(cls, data: dict[str, Any], max_points: Decimal) -> RateTiersRule:
        tiers = _parse_tiers(data.get("tiers"), max_points)
        if "value" in data:
            raise RuleProblem("tiers of: rate dùng a và b, không dùng 'value'")
        return cls(a_label=_label(data, "a"), b_label=_label(data, "b"), on_zero=_on_zero(data),
                   tiers=tiers)

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

    def slips(self) -> list[str]:
        if not all(bound <= 1 for bound, _ in self.tiers):
            return []
        bounds = "; ".join(vn_number(bound) for bound, _ in self.tiers)
        top = vn_number(self.tiers[0][0])
        return [f"các mức của tỷ lệ đều không quá 1 ({bounds}), nhưng mức tính theo phần trăm "
                f"(mức {top} nghĩa là {top}%), nên hầu như mọi tỷ lệ đều đạt mức cao nhất. Nếu "
                "ý là 100%, 98% … hãy viết 100, 98 … thay cho 1; 0,98 …"]


@dataclass(frozen=True)
class CountTiersRule(TiersRule):
    variant: ClassVar[str] = "count"
    params: ClassVar[tuple[Param, ...]] = (OF, VALUE_LABEL, TIERS)
    value_label: str = ""
    tiers: tuple[Tier, ...] = ()

    @classmethod
    def parse(cls, data: dict[str, Any], max_points: Decimal) -> CountTiersRule:
        tiers = _parse_tiers(data.get("tiers"), max_points)
        extra = {"a", "b", "on_zero"} & set(data)
        if extra:
            raise RuleProblem("tiers of: count không dùng " + ", ".join(sorted(extra)))
        return cls(value_label=_label(data, "value"), tiers=tiers)

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

    def input_cell(self, key: str, max_points: Decimal) -> InputCell:
        return _count_cell()

    def sample_inputs(self, max_points: Decimal, pick: Pick) -> dict[str, Any]:
        top = self.tiers[0][0]
        return {"value": int(top) if pick(10) < 7 else int(self.tiers[-1][0])}


@dataclass(frozen=True)
class YesNoRule(Rule):
    kind: ClassVar[str] = "yesno"
    help: ClassVar[str] = "Có/Không: nhãn Có được điểm tối đa, nhãn Không được 0 điểm"
    params: ClassVar[tuple[Param, ...]] = (YES, NO)
    yes: str = "Đạt"
    no: str = "Không đạt"

    @classmethod
    def parse(cls, data: dict[str, Any], max_points: Decimal) -> YesNoRule:
        yes, no = _label(data, "yes", "Đạt"), _label(data, "no", "Không đạt")
        if not yes or not no or yes.casefold() == no.casefold():
            raise RuleProblem("hai nhãn yes/no phải khác nhau và không rỗng")
        return cls(yes=yes, no=no)

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

    def input_cell(self, key: str, max_points: Decimal) -> InputCell:
        return _list_cell(self.options)

    def sample_inputs(self, max_points: Decimal, pick: Pick) -> dict[str, Any]:
        return {"value": self.yes if pick(10) < 8 else self.no}


@dataclass(frozen=True)
class ChoiceRule(Rule):
    kind: ClassVar[str] = "choice"
    help: ClassVar[str] = "Chọn một trong các lựa chọn, mỗi lựa chọn một số điểm"
    params: ClassVar[tuple[Param, ...]] = (OPTIONS,)
    choices: tuple[tuple[str, Decimal], ...] = ()

    @classmethod
    def parse(cls, data: dict[str, Any], max_points: Decimal) -> ChoiceRule:
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
        return cls(choices=tuple(choices))

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

    def input_cell(self, key: str, max_points: Decimal) -> InputCell:
        return _list_cell(self.options)

    def sample_inputs(self, max_points: Decimal, pick: Pick) -> dict[str, Any]:
        second = self.options[min(1, len(self.options) - 1)]
        return {"value": self.options[0] if pick(10) < 7 else second}


@dataclass(frozen=True)
class ManualRule(Rule):
    kind: ClassVar[str] = "manual"
    help: ClassVar[str] = "Đơn vị tự chấm, từ 0 đến điểm tối đa"

    @classmethod
    def parse(cls, data: dict[str, Any], max_points: Decimal) -> ManualRule:
        return cls()

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

    def input_cell(self, key: str, max_points: Decimal) -> InputCell:
        return _points_cell(max_points)

    def sample_inputs(self, max_points: Decimal, pick: Pick) -> dict[str, Any]:
        share = Decimal(1) if pick(10) < 6 else Decimal("0.75")
        return {"value": float(max_points * share)}


@dataclass(frozen=True)
class SurveyRule(ManualRule):
    kind: ClassVar[str] = "survey"
    help: ClassVar[str] = "Điều tra xã hội học: Văn phòng nhập điểm khi Sở Nội vụ công bố"
    params: ClassVar[tuple[Param, ...]] = (SOURCE,)
    source: str = ""

    @classmethod
    def parse(cls, data: dict[str, Any], max_points: Decimal) -> SurveyRule:
        return cls(source=_label(data, "source"))

    @property
    def unit_input(self) -> bool:
        return False

    @property
    def pending_when_blank(self) -> bool:
        return True

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


@lru_cache(maxsize=1024)
def supp_checks(max_points: Decimal) -> tuple[Check, ...]:
    """The column 'Giải trình bổ sung' takes x (the whole item was supplemented late), the
    points of the part that was (more than 0, at most the item's maximum), or nothing."""
    number = call("ISNUMBER", SUPP)
    m = vn_number(max_points)
    return (
        Check(call("AND", filled(SUPP), Compare("<>", call("TRIM", SUPP), Const(FLAG)),
                   call("NOT", number)),
              ERROR_PREFIX + "cột Giải trình bổ sung chỉ nhận x hoặc số điểm",
              "Cột 'Giải trình bổ sung' chỉ nhận chữ x (bổ sung cả tiêu chí), số điểm của phần "
              f"phải bổ sung (lớn hơn 0, không quá {m}) hoặc để trống.", ("supp",)),
        Check(call("AND", number, SUPP <= 0), ERROR_PREFIX + "điểm phần bổ sung phải lớn hơn 0",
              "Số điểm của phần phải giải trình bổ sung phải lớn hơn 0; gõ x nếu bổ sung cả "
              "tiêu chí, để trống nếu không phải bổ sung.", ("supp",)),
        Check(call("AND", number, SUPP > max_points),
              ERROR_PREFIX + "điểm phần bổ sung vượt điểm tối đa",
              f"Số điểm của phần phải giải trình bổ sung vượt điểm tối đa {m} của tiêu chí; hãy "
              "sửa lại (gõ x nếu bổ sung cả tiêu chí).", ("supp",)),
    )


def supplemented(raw: Expr, max_points: Decimal, deduction: Decimal) -> Expr:
    """Points after the late-evidence deduction: `deduction` × the points of the supplemented
    part, at most the points earned. x is the whole item: its maximum, never below `raw`, so
    min(maximum, raw) is raw itself. Blank: no deduction."""
    part = If(call("ISNUMBER", SUPP), SUPP,
              If(flag_set(SUPP), Const(max_points), Const(Decimal(0))))
    return raw - Const(deduction) * call("MIN", part, raw)


@lru_cache(maxsize=4096)
def leaf_cases(rule: Rule, max_points: Decimal, deduction: Decimal) -> tuple[Case, ...]:
    """The ordered cases of a leaf's points; the last one (cond None) is the default."""
    cases = [Case(flag_set(NA), "na", Const(""))]
    for check in [NA_CHECK, *supp_checks(max_points), *rule.checks(max_points)]:
        cases.append(Case(check.cond, "error", Const(check.cell_text), check))
    cases.append(Case(rule.missing(), "pending" if rule.pending_when_blank else "missing",
                      Const("")))
    excluded = rule.excluded()
    if excluded is not None:
        cases.append(Case(excluded, "na", Const("")))
    points = supplemented(rule.raw(max_points), max_points, deduction)
    cases.append(Case(None, "ok", call("ROUND", points, 2)))
    return tuple(cases)


def points_expr(rule: Rule, max_points: Decimal, deduction: Decimal) -> Expr:
    """The whole points computation of a leaf as one expression (one Excel formula)."""
    cases = leaf_cases(rule, max_points, deduction)
    *branches, default = cases
    return first_match([(c.cond, c.value) for c in branches if c.cond is not None], default.value)


@lru_cache(maxsize=4096)
def pending_max_expr(rule: Rule, max_points: Decimal) -> Expr | None:
    """The points a leaf still waits for (its maximum while a survey result is blank, else 0);
    None for rules that never wait."""
    if not rule.pending_when_blank:
        return None
    return first_match([(flag_set(NA), Const(Decimal(0))), (rule.missing(), Const(max_points))],
                       Const(Decimal(0)))


@lru_cache(maxsize=4096)
def applicable_max_expr(rule: Rule, max_points: Decimal) -> Expr:
    """The leaf's share of the denominator: 0 when not scored, else its maximum."""
    cases: list[tuple[Expr, Expr]] = [(flag_set(NA), Const(Decimal(0)))]
    excluded = rule.excluded()
    if excluded is not None:
        cases.append((excluded, Const(Decimal(0))))
    return first_match(cases, Const(max_points))


NA_CELL = InputCell("flag", {
    "validate": "list", "source": [FLAG], "input_title": "Gõ x hoặc để trống",
    "input_message": "Gõ x nếu tiêu chí không được giao nhiệm vụ (không chấm điểm).",
    "error_title": "Chỉ nhận x", "error_message": "Chỉ gõ x hoặc để trống."})


@lru_cache(maxsize=1024)
def supp_cell(max_points: Decimal, deduction: Decimal) -> InputCell:
    """The 'Giải trình bổ sung' cell accepts what its checks accept (one definition)."""
    m, share = vn_number(max_points), vn_number(deduction * 100)
    accepted = call("NOT", call("OR", *(c.cond for c in supp_checks(max_points))))
    return InputCell("flag", {
        "validate": "custom", "input_title": "Gõ x hoặc số điểm",
        "input_message": "Nếu tài liệu kiểm chứng phải giải trình bổ sung: gõ x khi bổ sung cả "
                         "tiêu chí, hoặc gõ số điểm của phần phải bổ sung (lớn hơn 0, không quá "
                         f"{m}). Bị trừ {share}% số điểm của phần đó.",
        "error_title": "Chỉ nhận x hoặc số điểm",
        "error_message": f"Gõ x (cả tiêu chí), số điểm của phần phải bổ sung (lớn hơn 0, không "
                         f"quá {m}) hoặc để trống."}, formula=accepted)


def input_cell(rule: Rule, key: str, max_points: Decimal, deduction: Decimal) -> InputCell:
    """How the workbook shows and validates a leaf's input: the rule's own, or a flag column."""
    if key == "na":
        return NA_CELL
    if key == "supp":
        return supp_cell(max_points, deduction)
    return rule.input_cell(key, max_points)


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


def parse_rule(data: Any, max_points: Decimal) -> Rule:
    """A rule from its catalogue mapping; RuleProblem (Vietnamese) when it is wrong."""
    if not isinstance(data, dict):
        raise RuleProblem("'rule' phải là một bảng có khóa 'kind'")
    kind = data.get("kind")
    cls = KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None or not isinstance(kind, str):
        raise RuleProblem(f"loại quy tắc không biết: {kind!r} (chỉ nhận: "
                          + ", ".join(KINDS) + ")")
    if True in data or False in data:
        raise RuleProblem("khóa yes/no phải đặt trong ngoặc kép (\"yes\": …, \"no\": …); "
                          "YAML hiểu yes/no không ngoặc là đúng/sai")
    unknown = set(data) - kind_keys(kind)
    if unknown:
        raise RuleProblem(f"quy tắc {kind} không có tham số: "
                          + ", ".join(sorted(map(str, unknown))))
    return cls.parse(data, max_points)
