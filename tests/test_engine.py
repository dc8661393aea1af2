"""The scoring engine on the seeds' real figures, edge cases and properties."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_xl.criteria.catalogue import Catalogue
from cchc_xl.criteria.engine import LeafInput, assess, index_of, points, score_leaf
from cchc_xl.errors import ScoreError


def leaf(cat: Catalogue, code: str):
    return next(x for x in cat.all_leaves() if x.code == code)


# -- the seeds' figures -------------------------------------------------------------------------

def test_tasks_on_time_285_of_291_gives_2_points(tiny):
    # Khánh Hòa 2023, I.5: 285/291 = 97,94% → "từ 96% – dưới 98% được 2 điểm".
    assert points(leaf(tiny, "1.1"), a=291, b=285) == D("2")


def test_files_on_time_14673_of_14697_gives_4_5(tiny):
    # II.2.4.2.1: 14673/14697 = 99,84% → "từ 99% – dưới 100% được 4,5".
    assert points(leaf(tiny, "2.1"), a=14697, b=14673) == D("4.5")


@pytest.mark.parametrize("b", [9129, 9042])
def test_ratio_of_electronic_results_gives_0_31(tiny, b):
    # II.2.3.3.1 and II.2.3.3.2: (b/a)*0,5 with a = 14697.
    assert points(leaf(tiny, "2.2"), a=14697, b=b) == D("0.31")


def test_supplemented_item_loses_30_percent(tiny):
    # II.2.2.2.3: 0,5 → 0,35 after "giải trình bổ sung".
    assert points(leaf(tiny, "2.4"), value="Đạt", supp=True) == D("0.35")
    assert points(leaf(tiny, "2.4"), value="Đạt") == D("0.5")


# Khánh Hòa: 30% (supplement_deduction) of the points of the part supplemented late.
@pytest.mark.parametrize("code, kwargs, expected", [
    ("1.2", {"value": "Ban hành kịp thời", "supp": 0.5}, "0.85"),  # 1.6: 1 → 0,85 (−0,15)
    ("2.4", {"value": "Đạt", "supp": True}, "0.35"),                # 1.2: the whole 0,5
    ("2.4", {"value": "Đạt", "supp": 0.5}, "0.35"),                 # the whole, as a number
    ("2.4", {"value": "Đạt", "supp": "x"}, "0.35"),
    ("1.2", {"value": "Ban hành không kịp thời", "supp": 0.8}, "0.35"),  # part > earned 0,5
    ("2.2", {"a": 14697, "b": 9129, "supp": 0.25}, "0.24"),  # 0,3106 − 0,075, rounded once
    ("2.6", {"value": 0.45, "supp": D("0.45")}, "0.32"),      # 0,315 half up
])
def test_supplemented_part_loses_the_deduction_of_its_points(tiny, code, kwargs, expected):
    assert points(leaf(tiny, code), **kwargs) == D(expected)


@pytest.mark.parametrize("supp, fragment", [
    (0, "phải lớn hơn 0"), (-0.5, "phải lớn hơn 0"), (1.01, "vượt điểm tối đa 1"),
    ("0,5", "chỉ nhận chữ x (bổ sung cả tiêu chí), số điểm của phần phải bổ sung"),
    ("một nửa", "chỉ nhận chữ x"),
])
def test_supplemented_part_must_be_x_or_points_within_the_maximum(tiny, supp, fragment):
    with pytest.raises(ScoreError) as info:
        points(leaf(tiny, "1.2"), value="Ban hành kịp thời", supp=supp)
    assert fragment in str(info.value)


def test_index_84_27_over_94_5_is_89_17_percent():
    assert index_of(D("84.27"), D("94.5")) * 100 == D("89.17")


def test_not_applicable_item_leaves_the_denominator(tiny):
    filled = {"1.1": LeafInput(a=291, b=285), "1.2": LeafInput(value="Ban hành kịp thời")}
    before = assess(tiny, filled)
    after = assess(tiny, {**filled, "2.1": LeafInput(na="x")})
    assert before.applicable_max - after.applicable_max == D("5")
    assert before.total == after.total
    assert after.leaves["2.1"].status == "na" and after.leaves["2.1"].points is None


def test_ratio_against_target(tiny):
    # Khánh Hòa II.6.5.2: 3159/15047 = 21% against a 50% target, max 3 → 21/50 × 3 = 1,26.
    assert points(leaf(tiny, "2.3"), a=15047, b=3159) == D("1.26")
    assert points(leaf(tiny, "2.3"), a=100, b=60) == D("3")  # beyond the target: capped


# -- rules and modifiers ------------------------------------------------------------------------

@pytest.mark.parametrize("a,b,expected", [
    (100, 100, "3"), (100, 98, "2.5"), (100, 96, "2"), (100, 95, "0"),
    (50, 49, "2.5"),  # exactly 98%: inclusive lower bound
    (1000, 999, "2.5"), (0, None, "3"), (0, 0, "3"),
])
def test_rate_tiers_bounds_inclusive_below(tiny, a, b, expected):
    assert points(leaf(tiny, "1.1"), a=a, b=b) == D(expected)


@pytest.mark.parametrize("count,expected", [(0, "0"), (9, "0"), (10, "0.5"), (11, "0.5"),
                                            (12, "1"), (30, "1")])
def test_count_tiers(tiny, count, expected):
    assert points(leaf(tiny, "2.5"), value=count) == D(expected)


def test_choice_options(tiny):
    item = leaf(tiny, "1.2")
    assert points(item, value="Ban hành không kịp thời") == D("0.5")
    assert points(item, value="  ban hành kịp thời ") == D("1")  # trimmed, case-insensitive


def test_on_zero_na_takes_the_item_out(tiny):
    score = score_leaf(leaf(tiny, "2.3"), LeafInput(a=0), D("0.3"))
    assert score.status == "na" and score.applicable_max == 0


def test_blank_inputs_are_missing_not_zero_errors(tiny):
    score = score_leaf(leaf(tiny, "2.2"), LeafInput(a=100), D("0.3"))
    assert score.status == "missing" and score.points is None and score.applicable_max == D("0.5")


@pytest.mark.parametrize("code,kwargs,fragment", [
    ("2.2", {"a": 10, "b": 11}, "b không thể lớn hơn a"),
    ("2.2", {"a": -1, "b": 0}, "số âm"),
    ("2.5", {"value": -2}, "số âm"),
    ("2.6", {"value": 0.75}, "vượt điểm tối đa"),
    ("1.2", {"value": "Ban hành muộn"}, "một trong các mức"),
    ("2.4", {"value": "Có"}, "'Đạt' hoặc 'Không đạt'"),
    ("2.2", {"a": "mười", "b": 1}, "phải là một số"),
])
def test_impossible_inputs_raise_clear_errors(tiny, code, kwargs, fragment):
    with pytest.raises(ScoreError) as info:
        points(leaf(tiny, code), **kwargs)
    assert fragment in str(info.value)


def test_bad_flag_is_an_error_not_ignored(tiny):
    score = score_leaf(leaf(tiny, "2.4"), LeafInput(value="Đạt", supp="có"), D("0.3"))
    assert score.status == "error"


def test_bonus_and_penalty_are_capped(tiny):
    inputs = {"T.1": LeafInput(value=3), "T.2": LeafInput(value="Đạt"),
              "TR.1": LeafInput(value="Có vi phạm"), "TR.2": LeafInput(value="Có vi phạm"),
              "1.1": LeafInput(a=10, b=10)}
    result = assess(tiny, inputs)
    assert result.bonus_raw == D("1.5") and result.bonus == D("1")
    assert result.penalty_raw == D("1.5") and result.penalty == D("1")
    assert result.total == D("3")


def test_totals_index_and_rating(tiny):
    inputs = {
        "1.1": LeafInput(a=291, b=285),                  # 2
        "1.2": LeafInput(value="Ban hành kịp thời"),     # 1
        "2.1": LeafInput(a=14697, b=14673),              # 4.5
        "2.2": LeafInput(a=14697, b=9129),               # 0.31
        "2.3": LeafInput(a=15047, b=3159),               # 1.26
        "2.4": LeafInput(value="Đạt", supp="x"),         # 0.35
        "2.5": LeafInput(value=12),                      # 1
        "2.6": LeafInput(value=0.25),                    # 0.25
        "3.1": LeafInput(value=1.8),                     # 1.8
    }
    result = assess(tiny, inputs)
    assert result.nodes["1"].points == D("3")
    assert result.nodes["2"].points == D("7.67")
    assert result.total == D("12.47")
    assert result.applicable_max == D("16.5")
    assert result.index == D("0.7558")
    assert result.rating == "Trung bình"
    assert index_of(result.nodes["2"].points, result.nodes["2"].applicable_max) == D("0.7305")


# -- properties ---------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10**7)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=counts, b1=counts, b2=counts)
def test_rate_rules_are_monotonic_and_bounded(tiny, a, b1, b2):
    lo, hi = sorted((min(b1, a), min(b2, a)))
    for code in ("1.1", "2.1", "2.2", "2.3"):
        item = leaf(tiny, code)
        p_lo = score_leaf(item, LeafInput(a=a, b=lo), D("0.3"))
        p_hi = score_leaf(item, LeafInput(a=a, b=hi), D("0.3"))
        if p_lo.status == "na":
            continue
        assert D(0) <= p_lo.points <= p_hi.points <= item.max


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=st.integers(min_value=1, max_value=10**6), data=st.data())
def test_supplement_never_raises_points_and_takes_exactly_30_percent(tiny, a, data):
    b = data.draw(st.integers(min_value=0, max_value=a))
    item = leaf(tiny, "2.2")
    plain_points = score_leaf(item, LeafInput(a=a, b=b), D("0.3")).points
    late = score_leaf(item, LeafInput(a=a, b=b, supp="x"), D("0.3")).points
    assert late <= plain_points
    exact = (D(b) / D(a)) * D("0.5") * D("0.7")
    assert abs(late - exact) <= D("0.005")


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.integers(min_value=0, max_value=100), min_size=8, max_size=8))
def test_total_equals_sum_of_rounded_leaves_and_index_within_bounds(tiny, values):
    codes = ["1.1", "2.1", "2.2", "2.3"]
    inputs = {c: LeafInput(a=100, b=v) for c, v in zip(codes, values)}
    result = assess(tiny, inputs)
    assert result.tree_points == sum(result.leaves[c].earned for c in result.leaves
                                     if not c.startswith("T"))
    assert result.index is None or D(0) <= result.index <= D(1)


def test_points_lost_are_rounded_as_the_gap_sheet_rounds_them():
    """Appraised points typed with three decimals: the gap sheet's MAX(ROUND(…,2),0) and the
    bonus section's MIN(ROUND(SUM(…),2),cap) give two decimals; the report now agrees."""
    from decimal import Decimal

    from cchc_xl.analysis.report import build_report
    from cchc_xl.criteria.catalogue import parse_catalogue
    from cchc_xl.format.state import Entry, State
    from conftest import tiny_data

    catalogue = parse_catalogue(tiny_data())
    leaf = next(leaf for leaf in catalogue.leaves() if leaf.max >= Decimal("0.5"))
    bonus = next(item for _, item in catalogue.extra_items() if item.max >= Decimal("0.5"))
    state = State("master", entries={leaf.code: Entry(appraised=float(leaf.max) - 0.125),
                                     bonus.code: Entry(appraised=0.125)})
    report = build_report(catalogue, state)
    assert report.nodes[leaf.code].lost == Decimal("0.13")
    assert report.nodes[leaf.code].needed == Decimal("0.13")
    assert report.appraised_bonus == Decimal("0.13")
