"""The rule kinds' registry: each kind is one class, and everything else goes through it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path
from typing import Any, ClassVar

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # conftest and parity_cases
from conftest import tiny_data  # noqa: E402
from parity_cases import HAND_WRITTEN, cases_by_code  # noqa: E402

from cchc_xl.criteria.catalogue import parse_catalogue  # noqa: E402
from cchc_xl.criteria.catalogue_xlsx import CHOICES, COLUMNS, KINDS_HELP  # noqa: E402
from cchc_xl.criteria.engine import LeafInput, score_leaf  # noqa: E402
from cchc_xl.criteria.expr import Expr  # noqa: E402
from cchc_xl.criteria.rules import (  # noqa: E402
    KINDS,
    VALUE,
    Check,
    InputCell,
    Rule,
    RuleProblem,
    kind_keys,
    parse_rule,
    rule_classes,
)
from cchc_xl.sample_data import sample_entry  # noqa: E402


def test_registry_holds_every_kind_and_variant() -> None:
    assert list(KINDS) == ["ratio", "tiers", "yesno", "choice", "manual", "survey"]
    assert [c.title() for c in rule_classes()] == [
        "ratio", "tiers rate", "tiers count", "yesno", "choice", "manual", "survey"]
    # The keys each kind accepts, as the hand-kept table (ALLOWED_KEYS) had them.
    assert kind_keys("tiers") == {"kind", "of", "a", "b", "on_zero", "value", "tiers"}
    assert kind_keys("ratio") == {"kind", "a", "b", "target", "on_zero"}
    assert kind_keys("manual") == {"kind"} and kind_keys("survey") == {"kind", "source"}


def test_every_class_parses_back_from_its_catalogue_mapping() -> None:
    seen = set()
    for case in HAND_WRITTEN:
        rule = case.parsed_rule()
        again = parse_rule(rule.to_dict(), D(str(case.max)))
        assert again == rule and type(again) is type(rule)
        seen.add(type(rule))
    assert seen == set(rule_classes())


def test_every_class_has_a_hand_worked_case_in_the_parity_matrix() -> None:
    """A registered kind without a case worked out by hand in tests/parity_cases.py fails here:
    write its cases (seeds' figures, bounds, blanks, impossible inputs) before shipping it."""
    worked = {type(c.parsed_rule()) for c in cases_by_code().values() if c.expect != "unchecked"}
    missing = [c.title() for c in rule_classes() if c not in worked]
    assert missing == []


def test_every_class_sample_inputs_are_in_the_parity_matrix() -> None:
    sampled = {type(c.parsed_rule()) for c in cases_by_code().values()
               if c.name.startswith("sample_inputs of ")}
    assert sampled == set(rule_classes())


def test_catalogue_form_is_derived_from_the_registry() -> None:
    helps = {key: text for key, _, _, text in COLUMNS}
    assert helps["kind"] == ("chỉ ở tiêu chí lá: ratio, tiers, yesno, choice, manual, survey "
                             "(xem bảng bên dưới)")
    assert helps["a"].startswith("với ratio và tiers rate: ")
    assert helps["of"].startswith("với tiers: ") and helps["value"].startswith("với tiers count: ")
    assert CHOICES["of"] == ["rate", "count"] and CHOICES["kind"] == list(KINDS)
    assert [k for k, _ in KINDS_HELP] == list(KINDS)


@pytest.mark.parametrize("data, words", [
    ({"kind": ["ratio"]}, "loại quy tắc không biết: ['ratio']"),
    ({"kind": "tiers", "of": ["rate"], "tiers": [[1, 1]]}, "tiers cần 'of: rate' hoặc"),
    ({"kind": "tiers", "of": "count", "tiers": [[1, 1]], "a": "x"}, "count không dùng a"),
    ({"kind": "tiers", "of": "rate", "tiers": [[1, 1]], "value": "x"}, "không dùng 'value'"),
    ({"kind": "tiers", "of": "bogus", "tiers": [[1, 2]]}, "ngoài khoảng 0 đến"),
    ({"kind": "yesno", "maybe": 1}, "quy tắc yesno không có tham số: maybe"),
])
def test_parse_rule_reports_what_is_wrong(data: dict[str, Any], words: str) -> None:
    with pytest.raises(RuleProblem, match=words.replace("[", r"\[").replace("(", r"\(")):
        parse_rule(data, D(1))


# -- a new kind is one class ----------------------------------------------------------------------

@pytest.fixture
def percent_kind() -> Iterator[type[Rule]]:
    """A kind defined here, as a developer would add one: the unit types a percent."""

    @dataclass(frozen=True)
    class PercentRule(Rule):
        kind: ClassVar[str] = "percent"
        help: ClassVar[str] = "Điểm = phần trăm × điểm tối đa"

        @classmethod
        def parse(cls, data: dict[str, Any], max_points: D) -> Rule:
            return cls()

        def checks(self, max_points: D) -> list[Check]:
            return []

        def raw(self, max_points: D) -> Expr:
            return VALUE * max_points / 100

        def describe(self, max_points: D) -> str:
            return "Điểm theo phần trăm"

        def to_dict(self) -> dict[str, Any]:
            return {"kind": self.kind}

        def input_cell(self, key: str, max_points: D) -> InputCell:
            return InputCell("number", {"validate": "decimal", "criteria": "between",
                                        "minimum": 0, "maximum": 100})

        def sample_inputs(self, max_points: D, pick: Any) -> dict[str, Any]:
            return {"value": 90}

    try:
        yield PercentRule
    finally:
        del KINDS["percent"]


def test_a_new_kind_is_parsed_scored_sampled_and_built(percent_kind: type[Rule],
                                                        tmp_path: Path) -> None:
    from cchc_xl.build import build_master
    from cchc_xl.format.state import State

    assert percent_kind in rule_classes()
    data = tiny_data()
    data["fields"][1]["children"][5]["rule"] = {"kind": "percent"}  # 2.6, max 0,5
    cat = parse_catalogue(data)
    leaf = next(leaf for leaf in cat.leaves() if leaf.code == "2.6")
    assert isinstance(leaf.rule, percent_kind)
    assert score_leaf(leaf, LeafInput(value=D(90)), D("0.3")).points == D("0.45")
    assert sample_entry(leaf).value == 90
    with pytest.raises(RuleProblem, match="không có tham số: of"):
        parse_rule({"kind": "percent", "of": "rate"}, D(1))
    build_master(cat, State("master", entries={"2.6": sample_entry(leaf)}), tmp_path / "m.xlsx")
