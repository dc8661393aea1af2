"""The parity matrix: one catalogue leaf per edge case, with the inputs typed into it.

`tests/test_parity.py` builds workbooks from these, recalculates them in LibreOffice and checks
every formula against the Python engine. Each case is a leaf of `matrix_catalogue()`; its
inputs are in `matrix_state()`. A case may also carry `expect`: the answer worked out by hand
(from the seeds or from decimal arithmetic), so rounding and tier bounds are checked against
a third opinion and not only engine against engine.

Fields are grouped by rule kind; one field has a sheet name with an apostrophe and one
leaf's choice label has a double quote, to exercise quoting in formulas and defined names.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from cchc_xl.criteria.catalogue import Catalogue, parse_catalogue
from cchc_xl.criteria.numbers import to_decimal
from cchc_xl.criteria.rules import Rule, parse_rule, rule_classes
from cchc_xl.format.state import Entry, State

ORG = "Sở Tư pháp (thử nghiệm parity)"
UNITS = {
    "VP": "Văn phòng Sở",
    "R1": "Phòng Tỷ lệ",
    "R2": "Phòng Mức",
    "R3": "Phòng Đếm",
    "Y1": "Phòng Đạt/Không đạt",
    "M1": "Phòng Tự chấm",
}


@dataclass(frozen=True)
class Case:
    """One leaf: what it tests, its rule and max, what is typed, and the hand-worked answer."""

    name: str
    max: Any
    rule: dict[str, Any]
    a: Any = None
    b: Any = None
    value: Any = None
    na: Any = None
    supp: Any = None
    # The Văn phòng's columns (master only: summary and gap analysis).
    office: dict[str, Any] = field(default_factory=dict)
    lead: str | None = None  # None: the field's lead
    support: tuple[str, ...] = ()
    # Hand-worked result: a number (points), "" (blank/not scored) or the cell text of an error.
    expect: Any = "unchecked"

    def entry(self) -> Entry:
        return Entry(a=self.a, b=self.b, value=self.value, na=self.na, supp=self.supp,
                     **self.office)

    def parsed_rule(self) -> Rule:
        return parse_rule(self.rule, to_decimal(self.max))


RATIO = {"kind": "ratio"}
TARGET50 = {"kind": "ratio", "target": 50}
TIERS_3 = {"kind": "tiers", "of": "rate", "tiers": [[100, 3], [98, 2.5], [96, 2]]}
TIERS_5 = {"kind": "tiers", "of": "rate", "tiers": [[100, 5], [99, 4.5]]}
TIERS_Q = {"kind": "tiers", "of": "rate", "tiers": [[100, 1], [90, 0.75], [80, 0.25]]}
COUNT = {"kind": "tiers", "of": "count", "tiers": [[12, 1], [10, 0.5]]}
YESNO = {"kind": "yesno"}
VIOLATION = {"kind": "yesno", "yes": "Có vi phạm", "no": "Không vi phạm"}
CHOICE = {"kind": "choice", "options": [["Ban hành kịp thời", 1], ["Ban hành không kịp thời", 0.5],
                                        ['Mức "C" (đặc biệt)', 0.25], ["Không ban hành", 0]]}
WILDCARDS = {"kind": "choice", "options": [["A*", 1], ["B?", 0.5]]}
MANUAL = {"kind": "manual"}
SURVEY = {"kind": "survey", "source": "Sở Nội vụ công bố"}

BA = "Lỗi: b lớn hơn a"


def _on_zero(rule: dict[str, Any], mode: str) -> dict[str, Any]:
    return {**rule, "on_zero": mode}


RATIO_CASES = [
    # The seeds' figures.
    Case("seed II.2.3.3.1: 9129/14697 × 0,5", 0.5, RATIO, a=14697, b=9129, expect="0.31"),
    Case("seed II.2.3.3.2: 9042/14697 × 0,5", 0.5, RATIO, a=14697, b=9042, expect="0.31"),
    Case("seed II.2.2.2.3: supplemented 0,5 → 0,35", 0.5, RATIO, a=10, b=10, supp="x",
         expect="0.35"),
    Case("seed 9129/14697 supplemented: rounded once, after the deduction", 0.5, RATIO,
         a=14697, b=9129, supp="x", expect="0.22"),
    Case("seed II.6.5.2: 3159/15047 against target 50%, max 3", 3, TARGET50, a=15047, b=3159,
         expect="1.26"),
    Case("target 50%: 60/100 is above the target, capped at max", 3, TARGET50, a=100, b=60,
         expect="3"),
    Case("target 50%: exactly 50/100", 3, TARGET50, a=100, b=50, expect="3"),
    Case("target 50%, a = 0, on_zero na", 3, _on_zero(TARGET50, "na"), a=0, expect=""),
    # Blanks and a = 0.
    Case("ratio: both blank", 1, RATIO, expect=""),
    Case("ratio: a blank, b typed", 1, RATIO, b=5, expect=""),
    Case("ratio: a typed, b blank", 1, RATIO, a=5, expect=""),
    Case("ratio: a = 0, b blank, on_zero full", 1, RATIO, a=0, expect="1"),
    Case("ratio: a = 0, b = 0, on_zero full", 1, RATIO, a=0, b=0, expect="1"),
    Case("ratio: a = 0, on_zero zero", 1, _on_zero(RATIO, "zero"), a=0, expect="0"),
    Case("ratio: a = 0, on_zero na", 1, _on_zero(RATIO, "na"), a=0, b=0, expect=""),
    Case("ratio: a = 0, b = 5 (b > a)", 1, RATIO, a=0, b=5, expect=BA),
    Case("ratio: a = 0.0 (float), on_zero na", 1, _on_zero(RATIO, "na"), a=0.0, expect=""),
    # Impossible inputs.
    Case("ratio: b = a", 1, RATIO, a=37, b=37, expect="1"),
    Case("ratio: b > a", 1, RATIO, a=10, b=11, expect=BA),
    Case("ratio: b negative", 1, RATIO, a=10, b=-1, expect="Lỗi: b âm"),
    Case("ratio: a negative", 1, RATIO, a=-10, b=1, expect="Lỗi: a âm"),
    Case("ratio: a is the text '10'", 1, RATIO, a="10", b=5, expect="Lỗi: a phải là số"),
    Case("ratio: b is the word 'mười'", 1, RATIO, a=10, b="mười", expect="Lỗi: b phải là số"),
    Case("ratio: b is the text '1,5'", 1, RATIO, a=10, b="1,5", expect="Lỗi: b phải là số"),
    Case("ratio: b is the text '  ' (spaces only: blank)", 1, RATIO, a=10, b="  ", expect=""),
    # Half-way rounding: the exact value ends in 5 at the third decimal.
    Case("ratio 1/8 × 1 = 0,125 → 0,13", 1, RATIO, a=8, b=1, expect="0.13"),
    Case("ratio 3/200 × 1 = 0,015 → 0,02", 1, RATIO, a=200, b=3, expect="0.02"),
    Case("ratio 57/200 × 1 = 0,285 → 0,29", 1, RATIO, a=200, b=57, expect="0.29"),
    Case("ratio 1/40 × 1 = 0,025 → 0,03", 1, RATIO, a=40, b=1, expect="0.03"),
    Case("ratio 1/2 × 2,01 = 1,005 → 1,01", 2.01, RATIO, a=2, b=1, expect="1.01"),
    Case("ratio 1/2 × 0,5 supplemented = 0,175 → 0,18", 0.5, RATIO, a=2, b=1, supp="x",
         expect="0.18"),
    Case("ratio 7/8 × 0,1 = 0,0875 → 0,09", 0.1, RATIO, a=8, b=7, expect="0.09"),
    Case("ratio 1/3 × 0,5 = 0,1666… → 0,17", 0.5, RATIO, a=3, b=1, expect="0.17"),
    # Floats and large numbers.
    Case("ratio: a = 14697.0, b = 9129.0 (floats)", 0.5, RATIO, a=14697.0, b=9129.0,
         expect="0.31"),
    # 0.1 + 0.2 = 0.30000000000000004: at a spreadsheet's 15 digits it IS 0.3, so b = a.
    Case("ratio: a = 0.3, b = 0.1 + 0.2", 1, RATIO, a=0.3, b=0.1 + 0.2, expect="1"),
    Case("ratio: a = 0.1 + 0.2, b = 0.3", 1, RATIO, a=0.1 + 0.2, b=0.3, expect="1"),
    Case("ratio: a = 1 234 567 890 123, b = half of it", 1, RATIO,
         a=1234567890124, b=617283945062, expect="0.5"),
    Case("ratio: 999 999 999 of 1 000 000 000", 1, RATIO, a=1000000000, b=999999999,
         expect="1"),
]

TIER_CASES = [
    Case("seed I.5: 285/291 = 97,94% → 2", 3, TIERS_3, a=291, b=285, expect="2"),
    Case("seed II.2.4.2.1: 14673/14697 = 99,84% → 4,5", 5, TIERS_5, a=14697, b=14673,
         expect="4.5"),
    Case("tiers: 291/291 = 100% → 3", 3, TIERS_3, a=291, b=291, expect="3"),
    Case("tiers: 98% exactly as 49/50", 3, TIERS_3, a=50, b=49, expect="2.5"),
    Case("tiers: 98% exactly as 490/500", 3, TIERS_3, a=500, b=490, expect="2.5"),
    Case("tiers: 98% exactly as 98/100", 3, TIERS_3, a=100, b=98, expect="2.5"),
    Case("tiers: 98% exactly as 9.8e11 of 1e12", 3, TIERS_3, a=10**12, b=98 * 10**10,
         expect="2.5"),
    Case("tiers: 97,9% (979/1000) just below 98%", 3, TIERS_3, a=1000, b=979, expect="2"),
    Case("tiers: 96% exactly as 24/25", 3, TIERS_3, a=25, b=24, expect="2"),
    Case("tiers: 95,9% (959/1000) below the last tier", 3, TIERS_3, a=1000, b=959,
         expect="0"),
    Case("tiers: 99,99% (9999/10000) just below 100%", 5, TIERS_5, a=10000, b=9999,
         expect="4.5"),
    Case("tiers: 98% as floats 49.0/50.0", 3, TIERS_3, a=50.0, b=49.0, expect="2.5"),
    Case("tiers: a = 0, on_zero full", 3, TIERS_3, a=0, expect="3"),
    Case("tiers: a = 0, on_zero zero", 3, _on_zero(TIERS_3, "zero"), a=0, expect="0"),
    Case("tiers: a = 0, on_zero na", 3, _on_zero(TIERS_3, "na"), a=0, expect=""),
    Case("tiers: b > a", 3, TIERS_3, a=50, b=51, expect=BA),
    Case("tiers: b blank", 3, TIERS_3, a=50, expect=""),
    Case("tiers: 98% supplemented: 2,5 × 0,7 = 1,75", 3, TIERS_3, a=50, b=49, supp="x",
         expect="1.75"),
    Case("tiers: 0,25 supplemented = 0,175 → 0,18", 1, TIERS_Q, a=10, b=8, supp="x",
         expect="0.18"),
    Case("tiers: 0,75 supplemented = 0,525 → 0,53", 1, TIERS_Q, a=10, b=9, supp="x",
         expect="0.53"),
    Case("tiers: 80% exactly as 4/5", 1, TIERS_Q, a=5, b=4, expect="0.25"),
    Case("tiers: 90% exactly as 0.9/1 (floats)", 1, TIERS_Q, a=1.0, b=0.9, expect="0.75"),
]

COUNT_CASES = [
    Case("count: 12 (at the top bound)", 1, COUNT, value=12, expect="1"),
    Case("count: 11", 1, COUNT, value=11, expect="0.5"),
    Case("count: 10 (at the lower bound)", 1, COUNT, value=10, expect="0.5"),
    Case("count: 9.99 (just under)", 1, COUNT, value=9.99, expect="0"),
    Case("count: 9", 1, COUNT, value=9, expect="0"),
    Case("count: 0", 1, COUNT, value=0, expect="0"),
    Case("count: 12.0 (float)", 1, COUNT, value=12.0, expect="1"),
    Case("count: 1e9", 1, COUNT, value=10**9, expect="1"),
    Case("count: text '12'", 1, COUNT, value="12", expect="Lỗi: số lượng phải là số"),
    Case("count: negative", 1, COUNT, value=-1, expect="Lỗi: số lượng âm"),
    Case("count: blank", 1, COUNT, expect=""),
    Case("count: 12 supplemented", 1, COUNT, value=12, supp="x", expect="0.7"),
]

LIST = "Lỗi: chọn trong danh sách"
YESNO_CASES = [
    Case("yes/no: Đạt", 0.5, YESNO, value="Đạt", expect="0.5"),
    Case("yes/no: Không đạt", 0.5, YESNO, value="Không đạt", expect="0"),
    Case("yes/no: 'đạt' in lower case", 0.5, YESNO, value="đạt", expect="0.5"),
    Case("yes/no: 'ĐẠT' in upper case", 0.5, YESNO, value="ĐẠT", expect="0.5"),
    Case("yes/no: '  Đạt ' with spaces", 0.5, YESNO, value="  Đạt ", expect="0.5"),
    Case("yes/no: 'Không  đạt' with a double inner space", 0.5, YESNO, value="Không  đạt",
         expect="0"),
    Case("yes/no: wrong label 'Có'", 0.5, YESNO, value="Có", expect=LIST),
    Case("yes/no: a number", 0.5, YESNO, value=1, expect=LIST),
    Case("yes/no: Đạt, supplemented", 0.5, YESNO, value="Đạt", supp="x", expect="0.35"),
    Case("yes/no: blank", 0.5, YESNO, expect=""),
    Case("yes/no custom labels: Có vi phạm", 1, VIOLATION, value="Có vi phạm", expect="1"),
    Case("yes/no custom labels: không vi phạm (lower case)", 1, VIOLATION,
         value="không vi phạm", expect="0"),
    # TRIM removes only U+0020; other spaces and decomposed letters are not the label.
    Case("yes/no: 'Đạt' + no-break space", 0.5, YESNO, value="Đạt\u00a0", expect=LIST),
    Case("yes/no: 'Đạt' + tab", 0.5, YESNO, value="Đạt\t", expect=LIST),
    Case("yes/no: 'Đạt' decomposed (NFD)", 0.5, YESNO,
         value=unicodedata.normalize("NFD", "Đạt"), expect=LIST),
]
CHOICE_CASES = [
    Case("choice: Ban hành kịp thời", 1, CHOICE, value="Ban hành kịp thời", expect="1"),
    Case("choice: Ban hành không kịp thời", 1, CHOICE, value="Ban hành không kịp thời",
         expect="0.5"),
    Case('choice: label with a double quote', 1, CHOICE, value='Mức "C" (đặc biệt)',
         expect="0.25"),
    Case("choice: Không ban hành", 1, CHOICE, value="Không ban hành", expect="0"),
    Case("choice: other case and spaces", 1, CHOICE, value=" ban hành KỊP THỜI ", expect="1"),
    Case("choice: wrong option", 1, CHOICE, value="Ban hành", expect=LIST),
    Case("choice: blank", 1, CHOICE, expect=""),
    # '=' compares text literally in both engines: no wildcards.
    Case("choice: options 'A*' / 'B?', typed 'Ax'", 1, WILDCARDS, value="Ax", expect=LIST),
    Case("choice: options 'A*' / 'B?', typed 'B?'", 1, WILDCARDS, value="B?", expect="0.5"),
]

NA_TEXT = "Lỗi: cột Không chấm điểm chỉ nhận x"
SUPP_TEXT = "Lỗi: cột Giải trình bổ sung chỉ nhận x hoặc số điểm"
PART_ZERO = "Lỗi: điểm phần bổ sung phải lớn hơn 0"
PART_OVER = "Lỗi: điểm phần bổ sung vượt điểm tối đa"
MANUAL_CASES = [
    Case("manual: 0", 0.5, MANUAL, value=0, expect="0"),
    Case("manual: max", 0.5, MANUAL, value=0.5, expect="0.5"),
    Case("manual: above max", 0.5, MANUAL, value=0.51, expect="Lỗi: vượt điểm tối đa"),
    Case("manual: negative", 0.5, MANUAL, value=-0.1, expect="Lỗi: điểm âm"),
    Case("manual: text '0,5'", 0.5, MANUAL, value="0,5", expect="Lỗi: điểm phải là số"),
    Case("manual: 0,125 typed → 0,13", 0.5, MANUAL, value=0.125, expect="0.13"),
    Case("manual: 0,333 typed → 0,33", 0.5, MANUAL, value=0.333, expect="0.33"),
    Case("manual: max supplemented → 0,35", 0.5, MANUAL, value=0.5, supp="x", expect="0.35"),
    Case("manual: blank", 0.5, MANUAL, expect=""),
    Case("manual: -0.0", 0.5, MANUAL, value=-0.0, expect="0"),
    Case("manual: 1e-16 typed → 0", 0.5, MANUAL, value=1e-16, expect="0"),
    Case("manual: 0,005 typed → 0,01", 0.5, MANUAL, value=0.005, expect="0.01"),
    # Half-way after the 30% deduction: 0,45 × 0,7 = 0,315 (0.31499999… in binary floating point).
    Case("manual 0,45 supplemented = 0,315 → 0,32", 1, MANUAL, value=0.45, supp="x",
         expect="0.32"),
    Case("manual 0,65 supplemented = 0,455 → 0,46", 1, MANUAL, value=0.65, supp="x",
         expect="0.46"),
    Case("manual 0,95 supplemented = 0,665 → 0,67", 1, MANUAL, value=0.95, supp="x",
         expect="0.67"),
    Case("manual 0,15 supplemented = 0,105 → 0,11", 1, MANUAL, value=0.15, supp="x",
         expect="0.11"),
    Case("manual 0,35 supplemented = 0,245 → 0,25", 1, MANUAL, value=0.35, supp="x",
         expect="0.25"),
    # The flags.
    Case("flag: na 'x'", 1, MANUAL, value=1, na="x", expect=""),
    Case("flag: na 'X'", 1, MANUAL, value=1, na="X", expect=""),
    Case("flag: na ' x '", 1, MANUAL, value=1, na=" x ", expect=""),
    Case("flag: na 'x' wins over bad inputs", 1, RATIO, a=1, b=5, na="x", expect=""),
    Case("flag: na 'có' (bad flag)", 1, MANUAL, value=1, na="có", expect=NA_TEXT),
    Case("flag: supp 'X'", 1, MANUAL, value=1, supp="X", expect="0.7"),
    Case("flag: supp 'có' (bad flag)", 1, MANUAL, value=1, supp="có", expect=SUPP_TEXT),
    Case("flag: supp alone, nothing typed", 1, RATIO, supp="x", expect=""),
    Case("flag: na and supp both", 1, MANUAL, value=1, na="x", supp="x", expect=""),
    # Part of an item supplemented late: 30% of the part's points, at most of those earned.
    Case("seed Khánh Hòa 1.6: 1 earned, the missing report worth 0,5 → 0,85", 1, MANUAL,
         value=1, supp=0.5, expect="0.85"),
    Case("seed Khánh Hòa 1.2: 0,5 supplemented whole as x → 0,35", 0.5, YESNO, value="Đạt",
         supp="x", expect="0.35"),
    Case("supp: the whole 0,5 typed as a number → 0,35", 0.5, YESNO, value="Đạt", supp=0.5,
         expect="0.35"),
    Case("supp: part 0,8 larger than the 0,4 earned: 0,4 − 0,12 = 0,28", 1, MANUAL, value=0.4,
         supp=0.8, expect="0.28"),
    Case("supp: part 0,5 of an item that earned 0 → 0", 1, YESNO, value="Không đạt", supp=0.5,
         expect="0"),
    Case("supp: 9129/14697 × 0,5 = 0,3106, part 0,25: − 0,075 = 0,2356 → 0,24", 0.5, RATIO,
         a=14697, b=9129, supp=0.25, expect="0.24"),
    Case("supp: count tiers, 1 earned, part 0,5 → 0,85", 1, COUNT, value=12, supp=0.5,
         expect="0.85"),
    Case("supp: half-way, 1 − 0,3 × 0,05 = 0,985 → 0,99", 1, MANUAL, value=1, supp=0.05,
         expect="0.99"),
    Case("supp: half-way, 0,45 with part 0,45 = 0,315 → 0,32", 1, MANUAL, value=0.45,
         supp=0.45, expect="0.32"),
    Case("supp: part exactly the max", 1, MANUAL, value=1, supp=1, expect="0.7"),
    Case("supp: part 0", 1, MANUAL, value=1, supp=0, expect=PART_ZERO),
    Case("supp: part negative", 1, MANUAL, value=1, supp=-0.5, expect=PART_ZERO),
    Case("supp: part above the max", 1, MANUAL, value=1, supp=1.5, expect=PART_OVER),
    Case("supp: part above the max on a blank leaf", 1, RATIO, supp=2, expect=PART_OVER),
    Case("supp: the text '0,5'", 1, MANUAL, value=1, supp="0,5", expect=SUPP_TEXT),
    Case("supp: the text 'một nửa'", 1, MANUAL, value=1, supp="một nửa", expect=SUPP_TEXT),
    Case("supp: part typed, nothing else", 1, RATIO, supp=0.5, expect=""),
    Case("supp: part with na", 1, MANUAL, value=1, na="x", supp=0.5, expect=""),
]

SURVEY_CASES = [
    Case("survey: entered by the Văn phòng", 2, SURVEY, value=1.57, expect="1.57"),
    Case("survey: not yet published (blank)", 1, SURVEY, expect=""),
    Case("survey: above max", 1, SURVEY, value=1.2, expect="Lỗi: vượt điểm tối đa"),
]

BONUS_CASES = [
    Case("bonus: two initiatives (count)", 1, {"kind": "tiers", "of": "count",
                                               "tiers": [[2, 1], [1, 0.5]]}, value=2,
         expect="1"),
    Case("bonus: ranking improved", 0.5, YESNO, value="Đạt", expect="0.5"),
    Case("bonus: manual", 0.5, MANUAL, value=0.3, expect="0.3"),
    Case("bonus: text where a number belongs", 0.5, MANUAL, value="mười",
         expect="Lỗi: điểm phải là số"),
]
PENALTY_CASES = [
    Case("penalty: late submission", 1, VIOLATION, value="Có vi phạm", expect="1"),
    Case("penalty: paper documents", 0.5, VIOLATION, value="Không vi phạm", expect="0"),
    Case("penalty: manual", 1, MANUAL, value=0.75, expect="0.75"),
]

HAND_WRITTEN = (RATIO_CASES + TIER_CASES + COUNT_CASES + YESNO_CASES + CHOICE_CASES
                + MANUAL_CASES + SURVEY_CASES + BONUS_CASES + PENALTY_CASES)


def _lowest(n: int, salt: str = "") -> int:
    return 0


def _highest(n: int, salt: str = "") -> int:
    return n - 1


def sample_cases() -> list[Case]:
    """Every rule class's own sample inputs (`Rule.sample_inputs`, what the demo and the
    benchmarks type), on the rule of its first hand-written case, with the lowest and the
    highest pick: a kind added to the registry is recalculated here without further work.
    (tests/test_rules.py requires a hand-written case for every class.)"""
    cases = []
    for cls in rule_classes():
        first = next((c for c in HAND_WRITTEN if type(c.parsed_rule()) is cls), None)
        if first is None:
            continue
        for what, pick in (("thấp nhất", _lowest), ("cao nhất", _highest)):
            inputs = first.parsed_rule().sample_inputs(to_decimal(first.max), pick)
            cases.append(Case(f"sample_inputs of {cls.title()}, pick {what}", first.max,
                              first.rule, **inputs))
    return cases


SAMPLE_CASES = sample_cases()

# (code, name, short name, lead, support, subgroups: [(name, cases)])
FIELDS: list[tuple[str, str, str, str, tuple[str, ...], list[tuple[str, list[Case]]]]] = [
    ("1", "Tỷ lệ (ratio) và tỷ lệ so với chỉ tiêu", "Tỷ lệ", "R1", ("VP",),
     [("Số liệu của các seed", RATIO_CASES[:8]), ("Ô trống, a = 0, ô sai", RATIO_CASES[8:25]),
      ("Làm tròn, số thực, số lớn", RATIO_CASES[25:])]),
    ("2", "Mức theo tỷ lệ (rate tiers)", "Mức theo tỷ lệ", "R2", ("R1",),
     [("Các mức", TIER_CASES)]),
    ("3", "Mức theo số lượng (count tiers), thủ tục 'một cửa'", "Thủ tục 'một cửa'", "R3", (),
     [("Số lượng", COUNT_CASES)]),
    ("4", "Đạt/Không đạt và lựa chọn", "Đạt, lựa chọn", "Y1", ("M1",),
     [("Đạt/Không đạt", YESNO_CASES), ("Lựa chọn", CHOICE_CASES)]),
    ("5", "Tự chấm và các cột đánh dấu", "Tự chấm, đánh dấu", "M1", (),
     [("Tự chấm", MANUAL_CASES[:17]),
      ("Không chấm điểm, giải trình bổ sung", MANUAL_CASES[17:])]),
    ("6", "Sự hài lòng (điều tra xã hội học)", "Sự hài lòng", "VP", (),
     [("Điều tra", SURVEY_CASES)]),
    ("7", "Dữ liệu mẫu của từng loại quy tắc", "Dữ liệu mẫu", "VP", (),
     [("Dữ liệu mẫu (sample_inputs)", SAMPLE_CASES)]),
]

# The Văn phòng's columns on a few leaves: appraised points (a number, a zero, text that must
# be ignored), last year's result and this year's target.
OFFICE: dict[str, dict[str, Any]] = {
    "1.1.1": {"appraised": 0.25, "target": 0.5, "cause": "Thiếu hồ sơ điện tử"},
    "1.1.5": {"appraised": 2, "last_year": 2.5},
    "2.1.1": {"appraised": 0, "remedy": "Theo dõi tiến độ hằng tháng"},
    "2.1.2": {"appraised": "chưa thẩm định", "target": 5},
    "4.1.1": {"target": 0.25},
    "5.1.2": {"appraised": 0.45},
}
FIELD_OFFICE: dict[str, dict[str, Any]] = {
    "1": {"last_year": 9.5, "target": 12},
    "2": {"last_year": 30},
    "6": {"target": 3},
}
# One leaf's lead differs from its field's, so units also meet leaves led by others in
# a field they otherwise own.
LEAD_OVERRIDES = {"2.1.3": "R1", "4.1.1": "M1", "1.2.1": "VP"}


def _leaf_dict(code: str, case: Case) -> dict[str, Any]:
    data: dict[str, Any] = {"code": code, "name": case.name, "max": case.max, "rule": case.rule}
    lead = LEAD_OVERRIDES.get(code, case.lead)
    if lead and case.rule["kind"] != "survey":
        data["lead"] = lead
    if case.support:
        data["support"] = list(case.support)
    return data


def cases_by_code() -> dict[str, Case]:
    """Every case by its leaf code (field.group.n; bonus T.n; penalty TR.n)."""
    result: dict[str, Case] = {}
    for code, _, _, _, _, groups in FIELDS:
        for g, (_, cases) in enumerate(groups, start=1):
            for n, case in enumerate(cases, start=1):
                result[f"{code}.{g}.{n}"] = case
    for n, case in enumerate(BONUS_CASES, start=1):
        result[f"T.{n}"] = case
    for n, case in enumerate(PENALTY_CASES, start=1):
        result[f"TR.{n}"] = case
    return result


def matrix_data() -> dict[str, Any]:
    fields = []
    for code, name, short, lead, support, groups in FIELDS:
        children = []
        for g, (group_name, cases) in enumerate(groups, start=1):
            leaves = [_leaf_dict(f"{code}.{g}.{n}", c) for n, c in enumerate(cases, start=1)]
            children.append({"code": f"{code}.{g}", "name": group_name, "children": leaves})
        node: dict[str, Any] = {"code": code, "name": name, "short_name": short,
                                "children": children}
        if code != "6":  # the survey field has no lead: only the Văn phòng enters it
            node["lead"] = lead
        if support:
            node["support"] = list(support)
        fields.append(node)
    return {
        "name": "Bộ tiêu chí parity",
        "year": 2026,
        "supplement_deduction": 0.3,
        "rating": [{"min": 90, "label": "Tốt"}, {"min": 80, "label": "Khá"},
                   {"min": 65, "label": "Trung bình"}, {"min": 0, "label": "Yếu"}],
        "units": [{"code": c, "name": n} for c, n in UNITS.items()],
        "fields": fields,
        "bonus": {"cap": 1, "items": [_leaf_dict(f"T.{n}", replace(c, lead="VP"))
                                      for n, c in enumerate(BONUS_CASES, start=1)]},
        "penalty": {"cap": 1.5, "items": [_leaf_dict(f"TR.{n}", replace(c, lead="VP"))
                                          for n, c in enumerate(PENALTY_CASES, start=1)]},
    }


def matrix_catalogue() -> Catalogue:
    return parse_catalogue(matrix_data(), source="parity.yaml")


def matrix_state() -> State:
    entries = {code: case.entry() for code, case in cases_by_code().items()}
    for code, office in OFFICE.items():
        entries[code] = replace(entries[code], **office)
    for code, office in FIELD_OFFICE.items():
        entries[code] = Entry(**office)
    return State("master", org=ORG, entries=entries)


def tiny_state() -> State:
    """Inputs for tests/conftest.py's tiny catalogue: the seeds' figures, bonus and penalty."""
    entries = {
        "1.1": Entry(a=291, b=285),
        "1.2": Entry(value="Ban hành không kịp thời"),
        "2.1": Entry(a=14697, b=14673),
        "2.2": Entry(a=14697, b=9129),
        "2.3": Entry(a=15047, b=3159),
        "2.4": Entry(value="Đạt", supp="x"),
        "2.5": Entry(value=11),
        "2.6": Entry(value=0.5),
        "3.1": Entry(value=1.8),
        "T.1": Entry(value=2),
        "T.2": Entry(value="Đạt"),
        "TR.1": Entry(value="Không vi phạm"),
        "TR.2": Entry(value="Có vi phạm"),
    }
    # Typed on 'Thông tin chung': results as published, this year and last year.
    info = {"published.total": 12.47, "published.index": 0.7558, "published.rank": "8/21",
            "published.rating": "", "last_year.total": 12.1, "last_year.index": 0.7524,
            "last_year.rating": "Trung bình", "last_year.rank": "9/21", "field.1": 3,
            "field.2": 7.67, "field.3": 1.8}
    return State("master", org="Sở Tư pháp", entries=entries, info=info)


def tiny_pending_state() -> State:
    """The survey item (3.1) not yet published: the index is provisional over 14,5 points; the
    appraised column is started by one item; last year as published is above this year."""
    state = tiny_state()
    entries = dict(state.entries)
    entries["3.1"] = Entry()
    entries["2.2"] = replace(entries["2.2"], appraised=0.25)
    info = {"last_year.index": 0.8917, "last_year.total": 14.5}
    return State("master", org="Sở Tư pháp", entries=entries, info=info)


def as_decimal(expect: Any) -> Decimal | str:
    """A hand-worked expectation as a Decimal (numbers) or the exact cell text."""
    if isinstance(expect, str):
        try:
            return Decimal(expect)
        except ArithmeticError:
            return expect
    return Decimal(str(expect))


def tiny_boundary_state(penalty: bool = False) -> State:
    """Tiny catalogue at exactly 14,85 / 16,5 = 90,00% ("Tốt" from its lower bound); with a
    1-point penalty 13,85 / 16,5 = 83,94% ("Khá")."""
    entries = {
        "1.1": Entry(a=291, b=291),
        "1.2": Entry(value="Ban hành kịp thời"),
        "2.1": Entry(a=14697, b=14673),
        "2.2": Entry(a=14697, b=14697),
        "2.3": Entry(a=100, b=50),
        "2.4": Entry(value="Đạt"),
        "2.5": Entry(value=11),
        "2.6": Entry(value=0.5, supp="x"),
        "3.1": Entry(value=1.5),
        "TR.1": Entry(value="Có vi phạm" if penalty else "Không vi phạm"),
    }
    return State("master", org="Sở Tư pháp", entries=entries)


# Known differences, kept out of the matrix: LibreOffice has no boolean or date type (TRUE is
# the number 1, a date is its serial number), so its ISNUMBER is TRUE for them. The engine
# (like Excel, whose ISNUMBER(TRUE) is FALSE) reports booleans as "not a number". For a date
# typed into a number cell Excel's ISNUMBER is TRUE too, so the workbook shows points where the
# engine reports an error. Each entry: the case (expect = the engine's answer) and what
# LibreOffice shows. tests/test_parity.py asserts both, so a change on either side is noticed.
KNOWN_DIFFERENCES: list[tuple[Case, Any]] = [
    (Case("manual: TRUE typed (a boolean)", 1, MANUAL, value=True,
          expect="Lỗi: điểm phải là số"), 1),
    (Case("manual: FALSE typed (a boolean)", 1, MANUAL, value=False,
          expect="Lỗi: điểm phải là số"), 0),
    (Case("ratio: a and b TRUE", 1, RATIO, a=True, b=True, expect="Lỗi: a phải là số"), 1),
    (Case("count: a date typed (12/03/2026)", 1, COUNT, value=dt.datetime(2026, 3, 12),
          expect="Lỗi: số lượng phải là số"), 1),
]


def quirks_data() -> dict[str, Any]:
    leaves = [_leaf_dict(f"1.{n}", replace(case, lead="VP"))
              for n, (case, _) in enumerate(KNOWN_DIFFERENCES, start=1)]
    return {"name": "Khác biệt đã biết", "year": 2026, "units": [{"code": "VP", "name": "VP"}],
            "fields": [{"code": "1", "name": "Khác biệt", "children": leaves}]}


def quirks_state() -> State:
    entries = {f"1.{n}": case.entry() for n, (case, _) in enumerate(KNOWN_DIFFERENCES, start=1)}
    return State("master", org=ORG, entries=entries)
