"""Shape checks for the bundled sample catalogue (cchc_xl/data/sample_catalogue.yaml).

Deliberately independent of the cchc_xl modules: the YAML is loaded with yaml.safe_load and
checked with Decimal arithmetic, following docs/catalogue.md.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from pathlib import Path

import pytest
import yaml

CATALOGUE = Path(__file__).resolve().parents[1] / "cchc_xl" / "data" / "sample_catalogue.yaml"

FIELD_MAXIMA = {
    "1": ("Công tác chỉ đạo, điều hành CCHC", "11"),
    "2": ("Cải cách thể chế", "8"),
    "3": ("Cải cách thủ tục hành chính", "23"),
    "4": ("Cải cách tổ chức bộ máy hành chính", "10"),
    "5": ("Cải cách chế độ công vụ", "13"),
    "6": ("Cải cách tài chính công", "11"),
    "7": ("Xây dựng và phát triển chính quyền điện tử, chính quyền số", "14"),
    "8": ("Kết quả đo lường sự hài lòng của người dân, tổ chức", "10"),
}
RULE_KINDS = {"ratio", "tiers", "yesno", "choice", "manual", "survey"}


def dec(value: object) -> Decimal:
    assert isinstance(value, (int, float, str)) and not isinstance(value, bool), value
    return Decimal(str(value))


@pytest.fixture(scope="module")
def cat() -> dict:
    with CATALOGUE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict)
    return data


def iter_nodes(node: dict, parent: dict | None = None, inherited: dict | None = None):
    """Yield (node, parent, effective lead, effective support) depth-first."""
    inherited = dict(inherited or {})
    if "lead" in node:
        inherited["lead"] = node["lead"]
    if "support" in node:
        inherited["support"] = node["support"]
    yield node, parent, inherited.get("lead"), inherited.get("support", [])
    for child in node.get("children", []):
        yield from iter_nodes(child, node, inherited)


def all_nodes(cat: dict):
    for field in cat["fields"]:
        yield from iter_nodes(field)
    for section in ("bonus", "penalty"):
        for item in cat.get(section, {}).get("items", []):
            yield from iter_nodes(item)


def tree_leaves(cat: dict) -> list[tuple[str, dict]]:
    out = []
    for field in cat["fields"]:
        for node, _parent, _lead, _support in iter_nodes(field):
            if "children" not in node:
                out.append((field["code"], node))
    return out


def by_code(cat: dict) -> dict[str, dict]:
    return {node["code"]: node for node, *_ in all_nodes(cat)}


def tier_points(tiers: list, value: Decimal) -> Decimal:
    for bound, points in tiers:
        if dec(bound) <= value:
            return dec(points)
    return Decimal(0)


def rate(a: int, b: int) -> Decimal:
    return Decimal(b) / Decimal(a) * 100


def round2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------- top


def test_top_level(cat: dict) -> None:
    assert isinstance(cat["name"], str) and "mẫu" in cat["name"].lower()
    assert cat["year"] == 2026
    # One Sở of one province: its cover cites no other province's decision.
    assert cat["province"] == "Lạng Sơn"
    issued_by = cat["issued_by"]
    assert "Lạng Sơn" in issued_by and "mẫu" in issued_by
    for other in ("An Giang", "Khánh Hòa", "Quyết định số"):
        assert other not in issued_by
    note = cat["note"].lower()
    assert "mẫu" in note and "mỗi tỉnh" in note
    assert dec(cat["supplement_deduction"]) == Decimal("0.3")
    # The seeds: Khánh Hòa rated 89,17% "TỐT". The common scale.
    assert [(r["min"], r["label"]) for r in cat["rating"]] == [
        (80, "Tốt"),
        (65, "Khá"),
        (50, "Trung bình"),
        (0, "Yếu"),
    ]
    from cchc_xl.criteria.catalogue import load_catalogue

    assert load_catalogue(CATALOGUE).rating_for(Decimal("89.17")) == "Tốt"


def test_english_comment_at_top() -> None:
    first = CATALOGUE.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#") and "SAMPLE" in first


def test_units(cat: dict) -> None:
    units = {u["code"]: u["name"] for u in cat["units"]}
    # The units of Lạng Sơn's Sở Tư pháp (seed): accounting is part of the Văn phòng, not a unit.
    assert units == {
        "VP": "Văn phòng Sở",
        "NV1": "Phòng Nghiệp vụ I",
        "NV2": "Phòng Nghiệp vụ II",
        "TGPL": "Trung tâm Trợ giúp pháp lý nhà nước",
        "CC1": "Phòng Công chứng số 1",
    }
    for code in units:
        assert code.isascii() and code.isalnum() and code.isupper()


# ------------------------------------------------------------------------------------------- tree


def test_fields_and_grand_total(cat: dict) -> None:
    fields = cat["fields"]
    assert [f["code"] for f in fields] == list(FIELD_MAXIMA)
    for field in fields:
        name, maximum = FIELD_MAXIMA[field["code"]]
        assert field["name"] == name
        assert dec(field["max"]) == Decimal(maximum)
        assert len(f"{field['code']}. {field['short_name']}") <= 31
    assert sum(dec(f["max"]) for f in fields) == Decimal(100)


def test_every_parent_max_is_sum_of_children(cat: dict) -> None:
    def check(node: dict) -> Decimal:
        if "children" in node:
            assert "rule" not in node, node["code"]
            assert node["children"], node["code"]
            total = sum((check(c) for c in node["children"]), Decimal(0))
            assert dec(node["max"]) == total, f"{node['code']}: {node['max']} != {total}"
            return total
        assert "rule" in node, node["code"]
        return dec(node["max"])

    assert sum((check(f) for f in cat["fields"]), Decimal(0)) == Decimal(100)


def test_codes_unique_quoted_and_hierarchical(cat: dict) -> None:
    codes = [node["code"] for node, *_ in all_nodes(cat)]
    assert all(isinstance(c, str) for c in codes)
    assert len(codes) == len(set(codes))
    for node, parent, *_ in all_nodes(cat):
        if parent is not None:
            assert node["code"].startswith(parent["code"] + "."), node["code"]
    for item in cat["bonus"]["items"]:
        assert item["code"].startswith("T.")
    for item in cat["penalty"]["items"]:
        assert item["code"].startswith("TR.")


def test_leaf_count(cat: dict) -> None:
    assert len(tree_leaves(cat)) >= 60


def test_texts_are_strings(cat: dict) -> None:
    for node, *_ in all_nodes(cat):
        assert isinstance(node["name"], str) and node["name"].strip()
        if "children" not in node:
            assert isinstance(node.get("evidence"), str) and node["evidence"].strip(), node["code"]


# ------------------------------------------------------------------------------------------ rules


def test_rules_are_well_formed(cat: dict) -> None:
    for node, *_ in all_nodes(cat):
        if "children" in node:
            continue
        rule, maximum = node["rule"], dec(node["max"])
        kind = rule["kind"]
        assert kind in RULE_KINDS, node["code"]
        assert maximum > 0
        if kind == "ratio":
            assert isinstance(rule["a"], str) and isinstance(rule["b"], str)
            if "target" in rule:
                assert Decimal(0) < dec(rule["target"]) <= Decimal(100)
        if kind in ("ratio", "tiers") and "on_zero" in rule:
            assert rule["on_zero"] in ("full", "zero", "na")
        if kind == "tiers":
            assert rule["of"] in ("rate", "count")
            if rule["of"] == "rate":
                assert isinstance(rule["a"], str) and isinstance(rule["b"], str)
            else:
                assert isinstance(rule["value"], str)
            bounds = [dec(b) for b, _ in rule["tiers"]]
            points = [dec(p) for _, p in rule["tiers"]]
            assert all(x > y for x, y in pairwise(bounds)), node["code"]
            assert all(x >= y for x, y in pairwise(points)), node["code"]
            assert all(p <= maximum for p in points), node["code"]
        if kind == "choice":
            labels = [label for label, _ in rule["options"]]
            assert all(isinstance(label, str) for label in labels)
            assert len(labels) == len(set(labels)), node["code"]
            assert all(dec(p) <= maximum for _, p in rule["options"]), node["code"]
        if kind == "yesno":
            # An unquoted `yes:`/`no:` key would load as a YAML 1.1 boolean.
            assert True not in rule and False not in rule, f"{node['code']}: quote yes/no keys"
            assert all(isinstance(rule.get(key, ""), str) for key in ("yes", "no"))
        if kind == "survey":
            assert isinstance(rule.get("source", ""), str)


def test_every_rule_kind_present(cat: dict) -> None:
    rules = [n["rule"] for _f, n in tree_leaves(cat)]
    kinds = Counter(r["kind"] for r in rules)
    for kind in RULE_KINDS:
        assert kinds[kind] >= 2, kind
    assert any(r["kind"] == "tiers" and r["of"] == "rate" for r in rules)
    assert any(r["kind"] == "tiers" and r["of"] == "count" for r in rules)
    assert any(r["kind"] == "ratio" and "target" in r for r in rules)
    assert any(r.get("on_zero") == "na" for r in rules)


def test_field_8_is_all_survey(cat: dict) -> None:
    leaves = [n for f, n in tree_leaves(cat) if f == "8"]
    assert leaves and all(n["rule"]["kind"] == "survey" for n in leaves)
    assert any(n["rule"]["kind"] == "survey" for f, n in tree_leaves(cat) if f != "8")


# -------------------------------------------------------------------------------------- lead units


def test_leads_and_supports_are_declared_units(cat: dict) -> None:
    units = {u["code"] for u in cat["units"]}
    for node, _parent, lead, support in all_nodes(cat):
        if "lead" in node:
            assert node["lead"] in units, node["code"]
        for code in node.get("support", []):
            assert code in units, node["code"]
        if "children" not in node and node["rule"]["kind"] != "survey":
            assert lead in units, f"{node['code']} has no lead unit"
        assert isinstance(support, list)


def test_field_leads(cat: dict) -> None:
    leads = {f["code"]: f["lead"] for f in cat["fields"]}
    assert leads == {
        "1": "VP",
        "2": "NV1",
        "3": "VP",
        "4": "VP",
        "5": "VP",
        "6": "VP",
        "7": "VP",
        "8": "VP",
    }


def test_leaf_lead_overrides(cat: dict) -> None:
    effective = {node["code"]: lead for node, _p, lead, _s in all_nodes(cat)}
    assert effective["1.4.3"] == "NV1"
    assert effective["2.4.2"] == "NV1"
    assert effective["2.2.3"] == "NV2"
    assert effective["3.5.1"] == "NV2"
    assert effective["3.5.3"] == "NV2"
    assert effective["3.7.1"] == "CC1"
    assert effective["3.7.2"] == "TGPL"


# ------------------------------------------------------------------------------------ bonus/penalty


def test_bonus_and_penalty(cat: dict) -> None:
    units = {u["code"] for u in cat["units"]}
    bonus, penalty = cat["bonus"], cat["penalty"]
    assert dec(bonus["cap"]) == 2 and 2 <= len(bonus["items"]) <= 4
    assert dec(penalty["cap"]) == 3 and 3 <= len(penalty["items"]) <= 5
    for item in bonus["items"] + penalty["items"]:
        assert "children" not in item and "rule" in item
        assert item["lead"] in units
    for item in penalty["items"]:
        rule = item["rule"]
        if rule["kind"] == "yesno":
            assert rule["yes"] == "Có vi phạm" and rule["no"] == "Không vi phạm"
    names = [i["name"] for i in penalty["items"]]
    assert "Gửi hồ sơ đề nghị thẩm định không đúng thời hạn" in names
    assert any(
        n.startswith("Có công chức, viên chức vi phạm quy định về giải quyết TTHC") for n in names
    )
    assert (
        "Gửi văn bản giấy đối với văn bản thuộc danh mục trao đổi hoàn toàn dưới dạng điện tử"
        in names
    )


# -------------------------------------------------------------------------------------- seed items


def find_by_name(cat: dict, name: str) -> dict:
    hits = [n for n, *_ in all_nodes(cat) if n["name"] == name]
    assert len(hits) == 1, f"{name!r}: {len(hits)} matches"
    return hits[0]


def test_seed_tasks_assigned_by_province(cat: dict) -> None:
    node = find_by_name(cat, "Thực hiện các nhiệm vụ UBND tỉnh giao trong năm")
    rule = node["rule"]
    assert dec(node["max"]) == 3
    assert (rule["kind"], rule["of"]) == ("tiers", "rate")
    assert [[dec(b), dec(p)] for b, p in rule["tiers"]] == [
        [100, 3],
        [98, Decimal("2.5")],
        [96, 2],
        [94, Decimal("1.5")],
        [90, 1],
    ]
    assert rule["a"] and rule["b"]
    # Khánh Hòa 2023: 285/291 on time = 97.94% -> "từ 96% - dưới 98%" -> 2 points.
    assert tier_points(rule["tiers"], rate(291, 285)) == 2


def test_seed_on_time_records(cat: dict) -> None:
    node = find_by_name(cat, "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn")
    rule = node["rule"]
    assert dec(node["max"]) == 5
    assert (rule["kind"], rule["of"]) == ("tiers", "rate")
    assert [[dec(b), dec(p)] for b, p in rule["tiers"]] == [
        [100, 5],
        [99, Decimal("4.5")],
        [97, 4],
        [95, 3],
        [90, 2],
    ]
    assert rule["a"] and rule["b"]
    # 14673/14697 = 99.84% -> 4.5 points.
    assert tier_points(rule["tiers"], rate(14697, 14673)) == Decimal("4.5")
    assert tier_points(rule["tiers"], Decimal(100)) == 5


def test_seed_electronic_results_ratio(cat: dict) -> None:
    node = find_by_name(cat, "Tỷ lệ hồ sơ TTHC có cấp kết quả giải quyết TTHC điện tử")
    assert node["rule"]["kind"] == "ratio" and "target" not in node["rule"]
    assert dec(node["max"]) == Decimal("0.5")
    # (b/a)*0,5 with 9129/14697 -> 0,31.
    points = min(Decimal(9129) / Decimal(14697), Decimal(1)) * dec(node["max"])
    assert round2(points) == Decimal("0.31")


def test_seed_ratios(cat: dict) -> None:
    node = find_by_name(cat, "Tỷ lệ hồ sơ TTHC thực hiện số hóa")
    assert node["rule"]["kind"] == "ratio" and dec(node["max"]) == Decimal("0.5")

    node = find_by_name(cat, "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị")
    assert node["rule"]["kind"] == "ratio" and dec(node["max"]) == 1
    assert node["rule"]["on_zero"] == "full"

    node = find_by_name(
        cat,
        "Tỷ lệ hồ sơ trực tuyến được tiếp nhận, giải quyết thành công so với chỉ tiêu được "
        "UBND tỉnh giao",
    )
    assert node["rule"]["kind"] == "ratio" and dec(node["max"]) == 3
    assert dec(node["rule"]["target"]) == 50

    node = find_by_name(cat, "Tỷ lệ hồ sơ có phát sinh giao dịch thanh toán trực tuyến")
    assert node["rule"]["kind"] == "ratio" and dec(node["max"]) == 3
    assert dec(node["rule"]["target"]) == 30


def test_seed_count_tiers(cat: dict) -> None:
    node = find_by_name(cat, "Trang thông tin điện tử: mỗi tháng có từ 07 tin, bài trở lên")
    rule = node["rule"]
    assert (rule["kind"], rule["of"]) == ("tiers", "count") and isinstance(rule["value"], str)
    assert [[dec(b), dec(p)] for b, p in rule["tiers"]] == [[12, 1], [10, Decimal("0.5")]]
    assert tier_points(rule["tiers"], Decimal(11)) == Decimal("0.5")
    assert tier_points(rule["tiers"], Decimal(9)) == 0


def test_innovation_is_scored_once() -> None:
    """Sáng kiến was both criterion 1.6 and bonus T.1: it is only the bonus now."""
    from cchc_xl.criteria.catalogue import load_catalogue

    sample = load_catalogue(CATALOGUE)
    innovation = [leaf.code for leaf in sample.all_leaves() if "sáng kiến" in leaf.name.lower()]
    assert innovation == ["T.1"]


def test_no_item_names_its_lead_as_a_supporting_unit() -> None:
    from cchc_xl.criteria.catalogue import load_catalogue

    sample = load_catalogue(CATALOGUE)
    assert [leaf.code for leaf in sample.all_leaves() if leaf.lead in leaf.support] == []


def test_seed_yesno_and_choice(cat: dict) -> None:
    node = find_by_name(cat, "Tỷ lệ giảm biên chế công chức so với năm 2021")
    assert node["rule"]["kind"] == "yesno" and dec(node["max"]) == 1

    node = find_by_name(
        cat, "Quy trình nội bộ giải quyết TTHC được cập nhật trên Hệ thống một cửa điện tử"
    )
    assert node["rule"]["kind"] == "yesno" and dec(node["max"]) == Decimal("0.5")

    node = find_by_name(cat, "Ban hành kế hoạch CCHC năm")
    assert node["rule"]["kind"] == "choice"
    assert [[label, dec(p)] for label, p in node["rule"]["options"]] == [
        ["Ban hành kịp thời", 1],
        ["Ban hành không kịp thời", Decimal("0.5")],
        ["Không ban hành", 0],
    ]

    node = find_by_name(cat, "Đánh giá của người dân về công khai TTHC")
    assert node["rule"]["kind"] == "survey"


def test_supplement_deduction_example(cat: dict) -> None:
    # Khánh Hòa II.2.2.2.3: 0,5 with evidence supplemented late -> 0,35.
    node = find_by_name(
        cat, "Quy trình nội bộ giải quyết TTHC được cập nhật trên Hệ thống một cửa điện tử"
    )
    deducted = dec(node["max"]) * (1 - dec(cat["supplement_deduction"]))
    assert deducted == Decimal("0.35")
