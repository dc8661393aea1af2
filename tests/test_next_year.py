"""Next year starts from this year: `cchc-xl new --from LAST_YEAR_MASTER` (#13, step 7)."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from cchc_xl.errors import InputError
from cchc_xl.ops.master import Master
from cchc_xl.read.reader import read_master
from conftest import tiny_data, type_names
from test_requests import NV1, fill


def catalogue_file(folder: Path, data: dict[str, Any], name: str) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def last_year(tmp_path: Path) -> Path:
    """A 2025 master: NV1 returned, the council lowered 2.2, results published."""
    data = tiny_data()
    data["year"] = 2025
    path = tmp_path / "2025" / "tong-hop.xlsx"
    path.parent.mkdir()
    Master.create(catalogue_file(tmp_path, data, "2025.yaml"), path,
                  org="Sở Tư pháp tỉnh Lạng Sơn")
    sent = Master.open(path).split(tmp_path / "gui", units=["NV1"]).files[0]
    inputs = {**NV1, "2.3": {"a": 100, "b": 60}}
    Master.open(path).merge([fill(sent, tmp_path / "nhan-ve" / sent.name, inputs)])
    book = openpyxl.load_workbook(path)
    _, data_ = read_master(path)
    row = data_.rows["2.2"]
    from cchc_xl.format.layout import COL, cell_ref

    book[row.sheet][cell_ref(row.row, COL["appraised"])] = 0.25
    book.save(path)
    type_names(path, {"CCHC_PUBLISHED_TOTAL": 12.47, "CCHC_PUBLISHED_INDEX": 0.8883,
                      "CCHC_PUBLISHED_RATING": "Tốt", "CCHC_PUBLISHED_RANK": "9/21",
                      "CCHC_PUBLISHED_FIELD_1": 0, "CCHC_ORG_ABBREVIATION": "STP",
                      "CCHC_ORG_SIGNER_NAME": "Phạm Hùng Trường"})
    Master.open(path).sync()
    return path


def this_year(tmp_path: Path, rename: bool = True) -> Path:
    data = tiny_data()
    data["fields"][1]["children"][5]["code"] = "2.7" if rename else "2.6"  # 2.6 renamed
    data["fields"][1]["children"][0]["max"] = 4  # 2.1's maximum fell from 5 to 4
    data["fields"][1]["max"] = 9.5
    data["fields"][1]["children"][0]["rule"]["tiers"] = [[100, 4], [99, 3.5]]
    return catalogue_file(tmp_path, data, "2026.yaml")


def test_new_from_last_year_carries_each_result_on_the_best_basis(last_year, tmp_path):
    master = tmp_path / "2026" / "tong-hop.xlsx"
    master.parent.mkdir()
    created = Master.create(this_year(tmp_path), master, last_year=last_year,
                            code_map={"2.6": "2.7"})
    state = read_master(master)[1].state
    assert state.entries["2.2"].last_year == 0.25  # appraised, not the self-assessed 0,31
    assert state.entries["2.1"].last_year == 4.5  # above this year's maximum 4: not capped
    assert state.entries["2.7"].last_year == 0.5  # matched through --map
    assert state.entries["1"].last_year == 0  # the field's published points
    assert state.entries["2"].last_year is not None  # the field: appraised where appraised
    assert state.entry("1.1").last_year is None  # VP never returned: nothing to carry
    published = Master.open(master).report().last_year_published
    assert (published.total, published.index, published.rank, published.rating) == (
        Decimal("12.47"), Decimal("0.8883"), "9/21", "Tốt")
    assert state.info["abbreviation"] == "STP" and state.info["signer_name"] == "Phạm Hùng Trường"
    assert "published.total" not in state.info  # this year's results are this year's
    assert not [p for p in created.warnings if p.kind == "unmatched"]


def test_changed_codes_are_reported_and_can_be_mapped(last_year, tmp_path):
    master = tmp_path / "m.xlsx"
    created = Master.create(this_year(tmp_path), master, last_year=last_year)
    unmatched = [p for p in created.warnings if p.kind == "unmatched"]
    assert [p.code for p in unmatched] == ["2.6"] and "--map 2.6=" in unmatched[0].message
    assert [p.code for p in created.warnings if p.kind == "new-code"] == ["2.7"]
    with pytest.raises(InputError, match="--map"):
        Master.create(this_year(tmp_path), tmp_path / "x.xlsx", last_year=last_year,
                      code_map={"9.9": "2.7"})


def test_a_last_year_master_of_another_catalogue_or_year_is_refused(last_year, tmp_path):
    other = copy.deepcopy(tiny_data())
    for i, field in enumerate(other["fields"]):
        field["code"] = f"L{i}"
        for j, child in enumerate(field["children"]):
            child["code"] = f"L{i}.{j}"
    with pytest.raises(InputError, match="bộ tiêu chí khác"):
        Master.create(catalogue_file(tmp_path, other, "other.yaml"), tmp_path / "a.xlsx",
                      last_year=last_year)
    same_year = tiny_data()
    same_year["year"] = 2025
    with pytest.raises(InputError, match="không phải năm 2024"):
        Master.create(catalogue_file(tmp_path, same_year, "s.yaml"), tmp_path / "b.xlsx",
                      last_year=last_year)


@pytest.mark.libreoffice
def test_from_a_last_year_master_saved_by_libreoffice(last_year, tmp_path):
    from test_real_life import libreoffice_resave

    resaved = libreoffice_resave(last_year, tmp_path / "lo")
    master = tmp_path / "m.xlsx"
    Master.create(this_year(tmp_path, rename=False), master, last_year=resaved)
    state = read_master(master)[1].state
    assert state.entries["2.2"].last_year == 0.25 and state.entries["2.6"].last_year == 0.5


def test_the_command_line(last_year, tmp_path, capsys):
    from cchc_xl.cli import run

    out = tmp_path / "cli.xlsx"
    code = run(["new", "--catalogue", str(this_year(tmp_path)), "--out", str(out), "--from",
                str(last_year), "--map", "2.6=2.7"])
    assert code == 0 and "kết quả năm trước lấy từ" in " ".join(capsys.readouterr().out.split())
    assert run(["new", "--catalogue", str(this_year(tmp_path)), "--out", str(tmp_path / "y.xlsx"),
                "--from", str(last_year), "--map", "2.6"]) == 2
    assert "MÃ_CŨ=MÃ_MỚI" in " ".join(capsys.readouterr().err.split())


def test_a_long_publishing_decision_gets_a_row_tall_enough_to_read(last_year):
    """The decision wraps in its cell; the row grows with it instead of hiding the next one."""
    decision = ("Quyết định số 88/QĐ-UBND ngày 15/01/2026 của Chủ tịch UBND tỉnh Lạng Sơn về "
                "việc công bố Chỉ số cải cách hành chính năm 2025")
    type_names(last_year, {"CCHC_PUBLISHED_DECISION": decision})
    Master.open(last_year).sync()
    book = openpyxl.load_workbook(last_year)
    sheet, ref = next(iter(book.defined_names["CCHC_PUBLISHED_DECISION"].destinations))
    row = int("".join(ch for ch in ref if ch.isdigit()))
    assert book[sheet][ref.replace("$", "")].value == decision
    assert book[sheet].row_dimensions[row].height >= 2 * 15


def test_a_published_index_typed_without_its_percent_sign_is_the_percent(last_year):
    """89,17 typed in the percent cell showed 8917 % on 'Tổng hợp' while the documents read
    89,17 %: it is read, and written back, as the fraction the cell's format means."""
    type_names(last_year, {"CCHC_PUBLISHED_INDEX": 89.17})
    opened = Master.open(last_year)
    assert opened.state.info["published.index"] == pytest.approx(0.8917)
    assert any(p.kind == "text-number" and "89,17%" in p.message for p in opened.notices)
    opened.sync()
    book = openpyxl.load_workbook(last_year)
    sheet, ref = next(iter(book.defined_names["CCHC_PUBLISHED_INDEX"].destinations))
    assert book[sheet][ref.replace("$", "")].value == pytest.approx(0.8917)


def test_the_plan_rates_a_published_index_at_a_band_edge_as_tong_hop_does():
    """79,995 % is 80,00 % on 'Tổng hợp' (two decimals) and rated 'Khá' there; the plan's basis
    rated the unrounded 79,995 a band lower."""
    from cchc_xl.analysis.report import build_report, result_of
    from cchc_xl.criteria.catalogue import parse_catalogue
    from cchc_xl.format.state import State

    catalogue = parse_catalogue(tiny_data())
    info = {"published.total": 10.0, "published.index": 0.79995,
            **{f"field.{f.code}": 5.0 for f in catalogue.fields}}
    report = build_report(catalogue, State("master", info=info))
    assert report.published_rating == "Khá"
    assert result_of(report).rating == report.published_rating
