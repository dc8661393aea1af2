"""The catalogue: loading errors, the content hash, and the YAML and Excel round trips."""

from __future__ import annotations

import sys
from collections.abc import Callable
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))  # conftest's tiny_data, however run
from conftest import SAMPLE, tiny_data  # noqa: E402

from cchc_xl.criteria.catalogue import Catalogue, dump_catalogue, load_catalogue, parse_catalogue  # noqa: E402
from cchc_xl.criteria.catalogue_xlsx import COLUMNS, export_catalogue, import_catalogue  # noqa: E402
from cchc_xl.errors import CatalogueError, FileError, Problem  # noqa: E402

Data = dict[str, Any]


def node(data: Data, code: str) -> Data:
    """The node with `code` inside plain catalogue data (fields, bonus, penalty)."""
    stack = list(data["fields"]) + data["bonus"]["items"] + data["penalty"]["items"]
    while stack:
        item = stack.pop()
        if item.get("code") == code:
            return item
        stack.extend(item.get("children", []))
    raise KeyError(code)


def problems_of(data: Data) -> list[Problem]:
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(data, source="tiny.yaml")
    assert all(p.file == "tiny.yaml" for p in info.value.problems)
    return info.value.problems


def has(problems: list[Problem], code: str | None, words: str) -> bool:
    return any(p.code == code and words in p.message for p in problems)


# -- loading errors: each with its node code, all in one CatalogueError -------------------------

def duplicate(d: Data) -> None:
    node(d, "2.2")["code"] = "2.1"


def parent_max(d: Data) -> None:
    node(d, "3")["max"] = 3  # its only child 3.1 has max 2


def unknown_kind(d: Data) -> None:
    node(d, "2.6")["rule"] = {"kind": "bogus"}


def tiers_ascending(d: Data) -> None:
    node(d, "1.1")["rule"]["tiers"] = [[96, 2], [98, 2.5], [100, 3]]


def tier_above_max(d: Data) -> None:
    node(d, "2.1")["rule"]["tiers"] = [[100, 6], [99, 4.5]]


def choice_above_max(d: Data) -> None:
    node(d, "1.2")["rule"]["options"][0][1] = 2


def unknown_lead(d: Data) -> None:
    node(d, "2.4")["lead"] = "XX"


def unknown_support(d: Data) -> None:
    node(d, "2")["support"] = ["VP", "YY"]


def no_rule(d: Data) -> None:
    del node(d, "2.5")["rule"]


BROKEN: list[tuple[Callable[[Data], None], str | None, str]] = [
    (duplicate, "2.1", "bị trùng"),
    (parent_max, "3", "khác tổng điểm tối đa của các tiêu chí con (2)"),
    (unknown_kind, "2.6", "loại quy tắc không biết: 'bogus'"),
    (tiers_ascending, "1.1", "các mức phải giảm dần"),
    (tier_above_max, "2.1", "mức 100 cho 6 điểm, ngoài khoảng 0 đến điểm tối đa 5"),
    (choice_above_max, "1.2", "mức 'Ban hành kịp thời' cho 2 điểm"),
    (unknown_lead, "2.4", "đơn vị chủ trì 'XX' không có trong danh sách units"),
    (unknown_support, "2", "đơn vị phối hợp 'YY' không có trong danh sách units"),
    (no_rule, "2.5", "thiếu quy tắc chấm điểm"),
]


@pytest.mark.parametrize("mutate, code, words", BROKEN, ids=[b[0].__name__ for b in BROKEN])
def test_each_loading_error_names_its_node(mutate, code, words):
    data = tiny_data()
    mutate(data)
    problems = problems_of(data)
    assert has(problems, code, words), [str(p) for p in problems]


def test_every_loading_error_is_reported_at_once():
    data = tiny_data()
    for mutate, _, _ in BROKEN:
        if mutate is not duplicate:  # tier_above_max also uses 2.1: keep the two apart
            mutate(data)
    node(data, "2.3")["code"] = "2.2"
    node(data, "3.1")["code"] = 3.2  # a float, as unquoted 3.2 in YAML gives
    problems = problems_of(data)
    for mutate, code, words in BROKEN:
        if mutate is not duplicate:
            assert has(problems, code, words), (mutate.__name__, [str(p) for p in problems])
    assert has(problems, "2.2", "bị trùng")
    assert has(problems, None, "mã tiêu chí không hợp lệ: 3.2")


def yaml_text(data: Data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_unquoted_float_code_in_yaml_asks_for_quotes(tmp_path):
    path = tmp_path / "bo.yaml"
    path.write_text(yaml_text(tiny_data()).replace("code: '2.2'", "code: 2.2"), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    [problem] = info.value.problems
    assert "2.2" in problem.message and "ngoặc kép" in problem.message
    assert problem.file == "bo.yaml"


def test_yaml_syntax_error_gives_the_line(tmp_path):
    lines = yaml_text(tiny_data()).splitlines()
    lines[5] = "  label: Tốt: Khá"  # line 6: "mapping values are not allowed here"
    path = tmp_path / "bo.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    assert "dòng 6" in info.value.message
    assert info.value.problems[0].file == "bo.yaml"


# -- identity -----------------------------------------------------------------------------------

def reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(v) for v in value]
    return value


def test_tiny_catalogue_parses():
    cat = parse_catalogue(tiny_data())
    assert cat.max == D("16.5")
    assert [f.code for f in cat.fields] == ["1", "2", "3"]
    assert len(list(cat.all_leaves())) == 13
    assert next(x for x in cat.leaves() if x.code == "2.1").support == ("VP",)


def test_content_hash_ignores_key_order_and_yaml_formatting():
    base = parse_catalogue(tiny_data()).content_hash
    assert parse_catalogue(reversed_keys(tiny_data())).content_hash == base
    for style in (True, False, None):
        text = yaml.safe_dump(tiny_data(), allow_unicode=True, default_flow_style=style)
        assert parse_catalogue(yaml.safe_load(text)).content_hash == base
    data = tiny_data()
    node(data, "2.2")["max"] = 0.50  # same number written another way
    assert parse_catalogue(data).content_hash == base


def test_content_hash_changes_with_a_max():
    data = tiny_data()
    node(data, "2.1")["max"] = 6
    node(data, "2")["max"] = 11.5
    assert parse_catalogue(data).content_hash != parse_catalogue(tiny_data()).content_hash


def catalogues() -> list[Any]:
    return [pytest.param(tiny_data, id="tiny"), pytest.param(None, id="sample")]


def load(source: Callable[[], Data] | None) -> Catalogue:
    if source is not None:
        return parse_catalogue(source())
    if not SAMPLE.exists():
        pytest.skip("the bundled sample catalogue is not there yet")
    return load_catalogue(SAMPLE)


@pytest.mark.parametrize("source", catalogues())
def test_dump_round_trip(source):
    cat = load(source)
    back = parse_catalogue(yaml.safe_load(dump_catalogue(cat)))
    assert back.to_dict() == cat.to_dict()
    assert back.content_hash == cat.content_hash


# -- Excel --------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", catalogues())
def test_xlsx_round_trip(source, tmp_path):
    cat = load(source)
    export_catalogue(cat, tmp_path / "bo.xlsx")
    back = import_catalogue(tmp_path / "bo.xlsx")
    assert back.to_dict() == cat.to_dict()
    assert back.content_hash == cat.content_hash


def test_xlsx_round_trip_keeps_what_is_easy_to_lose(tmp_path):
    data = tiny_data()
    data.update(province="An Giang", issued_by="Quyết định 2816/QĐ-UBND", note="dòng 1\ndòng 2")
    node(data, "2.4").update(support=[], name="=Quy trình nội bộ")  # declared none; not a formula
    node(data, "3.1").update(lead=None, rule={"kind": "survey", "source": "Sở Nội vụ"})
    node(data, "2.5")["rule"] = {"kind": "tiers", "of": "count", "value": "Số tin, bài",
                                  "tiers": [[1200, 1], [1000, 0.35]]}
    node(data, "2.2")["rule"] = {"kind": "ratio", "a": "Hồ sơ phải trả", "b": "Có kết quả điện tử",
                                  "on_zero": "zero"}
    node(data, "1.2")["rule"]["options"][1][0] = "Ban hành, nhưng không kịp thời"
    node(data, "1")["short_name"] = "Chỉ đạo"
    del node(data, "2")["max"]  # computed, and stays undeclared
    del data["penalty"]
    cat = parse_catalogue(data)
    export_catalogue(cat, tmp_path / "bo.xlsx")
    back = import_catalogue(tmp_path / "bo.xlsx")
    assert back.to_dict() == cat.to_dict()
    assert back.content_hash == cat.content_hash
    assert back.penalty is None and "max" not in back.to_dict()["fields"][1]


def test_exported_workbook_is_readable(tmp_path):
    import openpyxl

    export_catalogue(parse_catalogue(tiny_data()), tmp_path / "bo.xlsx")
    book = openpyxl.load_workbook(tmp_path / "bo.xlsx")
    assert book.sheetnames == ["Hướng dẫn", "Thông tin", "Xếp loại", "Đơn vị", "Tiêu chí",
                               "Điểm thưởng", "Điểm trừ"]
    sheet = book["Tiêu chí"]
    assert [c.value for c in sheet[1]] == [header for _, header, _, _ in COLUMNS]
    assert sheet.freeze_panes == "C2"
    assert sheet["B3"].value == "1.1" and sheet["B3"].data_type == "s"
    assert sheet["M3"].value == "100=3; 98=2,5; 96=2"
    assert sheet["N4"].value == "Ban hành kịp thời=1; Ban hành không kịp thời=0,5; Không ban hành=0"
    assert sheet["A1"].font.name == "Times New Roman"
    assert book["Điểm thưởng"]["B1"].value == 1


def test_export_refuses_labels_it_cannot_write(tmp_path):
    data = tiny_data()
    node(data, "1.2")["rule"]["options"][2][0] = "Không ban hành; hoặc trễ"
    with pytest.raises(CatalogueError) as info:
        export_catalogue(parse_catalogue(data), tmp_path / "bo.xlsx")
    [problem] = info.value.problems
    assert problem.code == "1.2" and "Không ban hành; hoặc trễ" in problem.message
    assert not (tmp_path / "bo.xlsx").exists()


def edit(tmp_path: Path, change: Callable[[Any], None]) -> Path:
    """Export the tiny catalogue, change it as a user would in Excel, save under a new name."""
    import openpyxl

    export_catalogue(parse_catalogue(tiny_data()), tmp_path / "bo.xlsx")
    book = openpyxl.load_workbook(tmp_path / "bo.xlsx")
    change(book)
    book.save(tmp_path / "sua.xlsx")
    return tmp_path / "sua.xlsx"


def row_of(sheet: Any, code: str) -> int:
    return next(c.row for c in sheet["B"] if c.value == code)


def import_problems(path: Path) -> list[Problem]:
    with pytest.raises(CatalogueError) as info:
        import_catalogue(path)
    assert "sua.xlsx" in info.value.message
    assert all(p.file == "sua.xlsx" for p in info.value.problems)
    return info.value.problems


def test_edited_workbook_reports_sheet_and_cell(tmp_path):
    def change(book: Any) -> None:
        sheet = book["Tiêu chí"]
        sheet.cell(row_of(sheet, "2.1"), 5).value = 6  # field 2 still declares 10,5
        sheet.cell(row_of(sheet, "1.1"), 13).value = "100=3; 98=hai; 96=2"

    problems = import_problems(edit(tmp_path, change))
    tiers = next(p for p in problems if "98=hai" in p.message)
    assert (tiers.sheet, tiers.cell, tiers.code) == ("Tiêu chí", "M3", "1.1")
    total = next(p for p in problems if "khác tổng" in p.message)
    assert (total.sheet, total.cell, total.code) == ("Tiêu chí", "B5", "2")
    assert "10,5" in total.message and "11,5" in total.message
    assert len(problems) == 2  # the placeholder rule of 1.1 adds no second message


def test_sheet_problems_are_located(tmp_path):
    def change(book: Any) -> None:
        sheet = book["Tiêu chí"]
        sheet.cell(row_of(sheet, "2.2"), 2).value = 2.2  # a number, not text
        sheet.cell(row_of(sheet, "2.3"), 1).value = 4  # level jump under 2.2 (level 2)
        sheet.cell(row_of(sheet, "2.6"), 6).value = "điểm"  # unknown kind
        sheet.cell(row_of(sheet, "1.2"), 14).value = "Kịp thời 1; Không kịp thời=0,5"
        book["Đơn vị"]["A3"].value = "Phòng 1"  # not a unit code
        book["Điểm thưởng"]["B4"].value = None  # bonus T.2 loses its code

    problems = import_problems(edit(tmp_path, change))

    def at(sheet: str, cell: str, words: str) -> Problem:
        return next(p for p in problems
                    if (p.sheet, p.cell) == (sheet, cell) and words in p.message)

    assert at("Tiêu chí", "B7", "định dạng ô là chữ (Text)").code == "2.2"
    assert at("Tiêu chí", "A8", "sâu hơn dòng trên (cấp 2) quá 1 cấp")
    # Read as a child of 2.2 instead, so 2.2 is now a parent: validation says so, at its row.
    assert at("Tiêu chí", "B7", "không thể vừa có children vừa có rule")
    assert at("Tiêu chí", "F11", "Loại quy tắc 'điểm' không có").code == "2.6"
    assert at("Tiêu chí", "N4", "'Kịp thời 1'").code == "1.2"
    bonus = at("Điểm thưởng", "B4", "thiếu Mã")
    assert bonus.code is None
    assert any("mã đơn vị 'Phòng 1'" in p.message for p in problems)


def test_import_accepts_dot_or_comma_and_numbers_as_text(tmp_path):
    def change(book: Any) -> None:
        sheet = book["Tiêu chí"]
        sheet.cell(row_of(sheet, "1.1"), 13).value = "100=3; 98=2.5; 96 = 2"
        sheet.cell(row_of(sheet, "2.2"), 5).value = "0,5"

    cat = import_catalogue(edit(tmp_path, change))
    assert cat.content_hash == parse_catalogue(tiny_data()).content_hash


@pytest.mark.parametrize("name, content", [("bo.xlsx", b"not a zip"), ("bo.csv", b"a,b")])
def test_unreadable_file_is_a_file_error(tmp_path, name, content):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(FileError) as info:
        import_catalogue(tmp_path / name)
    assert name in info.value.message and ".xlsx" in info.value.message


def test_missing_file_is_a_file_error(tmp_path):
    with pytest.raises(FileError, match="Không tìm thấy"):
        import_catalogue(tmp_path / "khong-co.xlsx")
