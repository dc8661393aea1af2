"""The master's Excel side: UDFs against the engine and the native formulas, VBA, buttons, config.

* The UDFs (`cchc_xl.excel.udfs`, plain functions here) give exactly what `engine.score_leaf` gives,
  for a matrix of inputs in Python, and exactly what LibreOffice computes for the native
  formulas of masters built by `write_master` (the parity matrix and the tiny catalogue), with
  the codes, inputs and catalogue chunks read back from the files as Excel would pass them.
* The .xlsm from `write_master`: olevba reads every ``macros/*.bas`` back verbatim; LibreOffice
  imports each module and binds every button to its macro (it does only for macros that
  exist) and places the cover's buttons in their groups; the hidden ``xlwings.conf`` sheet
  names the UDF module.
* The buttons' VBA: each cover button runs the handler of its `cchc-xl` command
  (`BUTTON_HANDLERS`), and the command line it builds, run by LibreOffice Basic, reaches the
  Python handlers with every argument intact.

One LibreOffice run converts both masters to .ods with recalculation on load; the .ods holds the
Basic modules, the buttons and the recalculated values. The checks of the .xlsm alone (olevba,
the catalogue chunks, xlwings.conf) do not need LibreOffice; the others are marked `libreoffice`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from defusedxml.ElementTree import fromstring

from cchc_xl.excel import udfs
from cchc_xl.criteria.catalogue import Catalogue, Leaf, dump_catalogue, parse_catalogue
from cchc_xl.criteria.engine import LeafInput, score_leaf
from cchc_xl.criteria.rules import rule_classes
from cchc_xl.errors import FileError, InputError, ScoreError
from cchc_xl.build.macros import (
    CATALOGUE_NAME,
    COVER_BUTTONS,
    COVER_GROUPS,
    FIELD_BUTTONS,
    UDF_MODULE,
    macros_folder,
    master_vba_project,
    vba_text,
)
from cchc_xl.excel.bridge import BUTTON_HANDLERS, dispatch
from cchc_xl.excel.buttons import EVIDENCE_FOLDER
from cchc_xl.format.layout import (
    COL,
    COVER_SHEET,
    EXTRAS_SHEET,
    FIRST_DATA_ROW,
    INPUT_KEYS,
    META_SHEET,
    XLWINGS_CONF_SHEET,
    defined_name,
    field_sheet_name,
)
from devtools.libreoffice import call_vba, convert, find_soffice, read_values
from cchc_xl.ops.master import write_master
from cchc_xl.vba import read_bas_modules
from tests.conftest import tiny_data
from tests.parity_cases import matrix_catalogue, matrix_state, tiny_state

with warnings.catch_warnings():  # oletools uses deprecated pyparsing names at import
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser


def tiny() -> Catalogue:
    return parse_catalogue(tiny_data(), source="tiny.yaml")


def diem(code: Any, inputs: tuple[Any, ...] | list[Any], catalogue: Any) -> Any:
    a, b, value, na, supp = inputs
    return udfs.CCHC_DIEM(code, a, b, value, na, supp, catalogue)


def shown(leaf: Leaf, inputs: tuple[Any, ...], catalogue: Catalogue) -> float | str:
    """What the engine says the points cell shows."""
    score = score_leaf(leaf, LeafInput(*inputs), catalogue.supplement_deduction)
    return float(score.points) if score.status == "ok" and score.points is not None \
        else score.cell_text


# --- UDFs as plain functions ---------------------------------------------------------------

# (a, b, value, na, supp) as Excel sends them: floats, text, None for an empty cell.
BLANK = (None, None, None, None, None)
MATRIX: dict[str, list[tuple[Any, ...]]] = {
    "1.1": [BLANK, (291.0, 285.0, None, None, None), (50.0, 49.0, None, None, None),
            (100.0, 96.0, None, None, None), (1000.0, 959.0, None, None, None),
            (50.0, 51.0, None, None, None), (0.0, None, None, None, None),
            (50.0, 49.0, None, None, "x"), (50.0, 49.0, None, "x", None),
            (50.0, 49.0, None, "có", None), (50.0, 49.0, None, None, "X "),
            ("50", 49.0, None, None, None), (50.0, -1.0, None, None, None),
            (50.0, "  ", None, None, None)],
    "1.2": [BLANK, (None, None, "Ban hành kịp thời", None, None),
            (None, None, " ban hành KHÔNG kịp thời ", None, None),
            (None, None, "Ban hành", None, None), (None, None, 1.0, None, None),
            (None, None, "Không ban hành", None, "x"),
            (None, None, "Ban hành kịp thời", None, 0.5),
            (None, None, "Ban hành kịp thời", None, 0.0),
            (None, None, "Ban hành kịp thời", None, 1.5),
            (None, None, "Ban hành kịp thời", None, "0,5"),
            (None, None, "Ban hành không kịp thời", None, 0.8)],
    "2.2": [(14697.0, 9129.0, None, None, None), (14697.0, 9129.0, None, None, "x"),
            (8.0, 1.0, None, None, None), (0.30000000000000004, 0.3, None, None, None),
            (0.0, 0.0, None, None, None), (0.0, 5.0, None, None, None),
            (5.0, None, None, None, None)],
    "2.3": [(15047.0, 3159.0, None, None, None), (100.0, 60.0, None, None, None),
            (0.0, None, None, None, None), (0.0, 0.0, None, None, "x")],
    "2.4": [(None, None, "Đạt", None, None), (None, None, "Không đạt", None, None),
            (None, None, "Có", None, None), (None, None, "Đạt", None, "x")],
    "2.5": [(None, None, 12.0, None, None), (None, None, 9.99, None, None),
            (None, None, "12", None, None), (None, None, -1.0, None, None),
            (None, None, 0.0, None, None), (None, None, 1e9, None, None),
            (None, None, True, None, None)],
    "2.6": [(None, None, 0.5, None, None), (None, None, 0.51, None, None),
            (None, None, 0.125, None, None), (None, None, "0,5", None, None),
            (None, None, 0.5, None, "x"), (None, None, 0.45, None, 0.45),
            (None, None, 0.5, None, -0.25)],
    "3.1": [(None, None, 1.57, None, None), (None, None, 2.5, None, None), BLANK],
    "T.1": [(None, None, 2.0, None, None), (None, None, 1.0, None, None)],
    "TR.1": [(None, None, "Có vi phạm", None, None), (None, None, "không vi phạm", None, None)],
}


def test_matrix_covers_every_rule_kind() -> None:
    cat = tiny()
    leaves = {leaf.code: leaf for leaf in cat.all_leaves()}
    kinds = {type(leaves[code].rule) for code in MATRIX}
    assert kinds == set(rule_classes())


@pytest.mark.parametrize("code", MATRIX)
def test_diem_equals_engine(code: str) -> None:
    cat = tiny()
    text = dump_catalogue(cat)
    leaf = next(leaf for leaf in cat.all_leaves() if leaf.code == code)
    seen = set()
    for inputs in MATRIX[code]:
        expected = shown(leaf, inputs, cat)
        assert diem(code, inputs, [text]) == expected, inputs
        seen.add(type(expected))
    if code in ("1.1", "2.2", "2.5", "2.6"):
        assert seen == {float, str}  # numbers, blanks and "Lỗi: …" all met


def test_diem_known_answers() -> None:
    text = dump_catalogue(tiny())
    assert udfs.CCHC_DIEM("2.2", 14697.0, 9129.0, None, None, None, text) == 0.31
    assert udfs.CCHC_DIEM("2.2", 10.0, 10.0, None, None, "x", text) == 0.35
    # Khánh Hòa 1.6: max 1, earned 1, the supplemented part worth 0,5 → 0,85.
    assert udfs.CCHC_DIEM("1.2", None, None, "Ban hành kịp thời", None, 0.5, text) == 0.85
    assert udfs.CCHC_DIEM("2.2", 14697.0, 9129.0, None, None, 0.25, text) == 0.24
    assert udfs.CCHC_DIEM("1.2", None, None, "Ban hành kịp thời", None, 0.0, text) == \
        "Lỗi: điểm phần bổ sung phải lớn hơn 0"
    assert udfs.CCHC_DIEM("1.2", None, None, "Ban hành kịp thời", None, "nửa", text) == \
        "Lỗi: cột Giải trình bổ sung chỉ nhận x hoặc số điểm"
    assert udfs.CCHC_DIEM("1.1", 291.0, 285.0, None, None, None, text) == 2.0
    assert udfs.CCHC_DIEM("2.2", 10.0, 11.0, None, None, None, text) == "Lỗi: b lớn hơn a"
    assert udfs.CCHC_DIEM("2.3", 0.0, None, None, None, None, text) == ""  # on_zero: na
    assert udfs.CCHC_DIEM(" 2.2 ", 5.0, None, None, None, None, text) == ""


def test_dates_count_as_their_serial_number_as_in_excel() -> None:
    # A date-formatted cell holds a number (ISNUMBER is TRUE in the native formula). COM sends
    # it as an OLE date, day 0 = 30 Dec 1899, so the number comes back exactly: 11 Jan 1900 is 12.
    text = dump_catalogue(tiny())
    assert udfs.CCHC_DIEM("2.5", None, None, dt.datetime(1900, 1, 10), None, None, text) == 0.5
    assert udfs.CCHC_DIEM("2.5", None, None, dt.date(1900, 1, 11), None, None, text) == 1.0


@pytest.mark.parametrize("error", ["#N/A", "#DIV/0!", " #VALUE! ", -2146826246, -2146826200])
def test_excel_errors_in_inputs_raise_so_the_native_formula_shows(error: object) -> None:
    text = dump_catalogue(tiny())
    with pytest.raises(udfs.ExcelErrorInput):
        udfs.CCHC_DIEM("2.2", error, 1.0, None, None, None, text)
    with pytest.raises(udfs.ExcelErrorInput):
        udfs.CCHC_DIEM_KHOI([["2.2"]], [[10.0, 1.0, None, error, None]], text)


def test_diem_refuses_unknown_and_group_codes() -> None:
    text = dump_catalogue(tiny())
    for code in ("9.9", "2", None):
        with pytest.raises(InputError, match="Không có tiêu chí"):
            udfs.CCHC_DIEM(code, None, None, None, None, None, text)


def test_khoi_block_equals_per_leaf_results_and_sums_groups() -> None:
    cat = tiny()
    text = dump_catalogue(cat)
    rows = [("2", BLANK), ("2.1", (14697.0, 14673.0, None, None, None)),
            ("2.2", (14697.0, 9129.0, None, None, None)), ("2.3", (100.0, 60.0, None, None, "x")),
            ("2.4", (None, None, "Có", None, None)), ("2.5", (None, None, 11.0, None, None)),
            ("2.6", (None, None, None, None, None)), (None, BLANK), ("", BLANK),
            ("không có", (1.0, 1.0, None, None, None)), ("1", BLANK),
            ("1.2", (None, None, "Ban hành kịp thời", None, None)), ("TR.2", BLANK)]
    got = udfs.CCHC_DIEM_KHOI([[c] for c, _ in rows], [list(i) for _, i in rows], [text, None])
    assert len(got) == len(rows) and all(len(r) == 1 for r in got)
    leaves = {leaf.code: leaf for leaf in cat.all_leaves()}
    for (code, inputs), [value] in zip(rows, got, strict=True):
        if code in leaves:
            assert value == shown(leaves[code], inputs, cat) == \
                diem(code, inputs, text), code
    values = {code: v for (code, _), [v] in zip(rows, got, strict=True)}
    # 4,5 + 0,31 + 2,1 (3 × 0,7) + error (0) + 0,5 + blank (0)
    assert values["2"] == 7.41
    assert values["1"] == 1.0  # only 1.2 is in the block
    assert values["2.4"] == "Lỗi: chọn trong danh sách"
    assert values[None] == values[""] == values["không có"] == values["TR.2"] == ""


def test_khoi_groups_without_leaves_in_the_block_and_repeated_codes() -> None:
    text = dump_catalogue(tiny())
    got = udfs.CCHC_DIEM_KHOI([["3"], ["1"], ["1.2"], ["1.2"]],
                              [list(BLANK), list(BLANK),
                               [None, None, "Ban hành kịp thời", None, None],
                               [None, None, "Không ban hành", None, None]], text)
    assert got == [[""], [1.0], [1.0], [1.0]]  # a repeated code is scored once, from its first row
    na = udfs.CCHC_DIEM_KHOI([["1"], ["1.1"], ["1.2"]],
                             [list(BLANK), [1.0, 1.0, None, "x", None],
                              [None, None, "Ban hành", None, None]], text)
    assert na == [[0.0], [""], ["Lỗi: chọn trong danh sách"]]  # SUM of texts is 0


def test_khoi_accepts_excel_shapes_and_checks_them() -> None:
    text = dump_catalogue(tiny())
    inputs = [14697.0, 9129.0, None, None, None]
    assert udfs.CCHC_DIEM_KHOI("2.2", [inputs], text) == [[0.31]]  # one cell, one row
    assert udfs.CCHC_DIEM_KHOI(["2.2", "2.5"], [inputs, [None, None, 12.0, None, None]],
                               text) == [[0.31], [1.0]]  # a flat column of codes
    assert udfs.CCHC_DIEM_KHOI([[2.5]], [[None, None, 12.0, None, None]], text) == [[1.0]]
    with pytest.raises(InputError, match="5 cột"):
        udfs.CCHC_DIEM_KHOI([["2.2"]], [[1.0, 1.0]], text)
    with pytest.raises(InputError, match="cùng số dòng"):
        udfs.CCHC_DIEM_KHOI([["2.2"], ["2.5"]], [inputs], text)


def test_catalogue_argument_chunks_cache_and_errors() -> None:
    cat = tiny()
    text = dump_catalogue(cat)
    chunks = [[text[:700]], [None], [text[700:1500]], [text[1500:]], [""]]
    assert udfs.catalogue_text(chunks) == text
    first = udfs.load_catalogue_text(text)
    assert first.content_hash == cat.content_hash
    assert udfs.load_catalogue_text(udfs.catalogue_text(chunks)) is first  # parsed once
    with pytest.raises(InputError, match="trống"):
        udfs.catalogue_text([None, "  "])
    with pytest.raises(InputError, match="văn bản YAML"):
        udfs.catalogue_text([text, 3.0])
    with pytest.raises(InputError):  # broken YAML
        udfs.CCHC_DIEM("2.2", 1.0, 1.0, None, None, None, "fields: [")
    with pytest.raises(InputError):  # valid YAML, not a catalogue
        udfs.CCHC_DIEM("2.2", 1.0, 1.0, None, None, None, "name: x")


def test_udf_metadata_for_the_function_wizard() -> None:
    for func in (udfs.CCHC_DIEM, udfs.CCHC_DIEM_KHOI):
        doc = func.__doc__ or ""
        assert "Điểm tự chấm" in doc and unicodedata.is_normalized("NFC", doc)
        # xlwings turns annotations into converters on Windows: none may be present.
        assert func.__annotations__ == {}
    assert udfs.CATEGORY == "cchc-xl: Chỉ số CCHC"


# --- dispatch (the testable part of run_button) --------------------------------------------


def test_dispatch() -> None:
    calls: list[tuple[Any, ...]] = []

    def ok(master: Path, *args: str) -> str:
        calls.append((master, *args))
        return "Đã tạo 3 tệp."

    def user_error(master: Path) -> None:
        raise ScoreError("Tiêu chí 2.2: b lớn hơn a")

    def crash(master: Path) -> None:
        raise ZeroDivisionError("division by zero")

    handlers: dict[str, Any] = {"split": ok, "sync": lambda m: None, "check": user_error,
                                "plan": crash, "merge": "cchc_xl.khong_co_module:merge"}
    master = Path("D:/CCHC/2026/tong-hop/tong-hop.xlsm")
    emoji = "\ud83d\ude00"  # what VBA's \uXXXX escapes of one emoji give: a surrogate pair
    assert dispatch("split", master, (f"D:\\nhận về {emoji}",), handlers) == (True, "Đã tạo 3 tệp.")
    assert calls == [(master, "D:\\nhận về \U0001f600")]
    assert dispatch("sync", master, (), handlers) == (True, "Đã xong.")
    assert dispatch("check", master, (), handlers) == (False, "Tiêu chí 2.2: b lớn hơn a")
    ok_flag, message = dispatch("plan", master, (), handlers)
    assert not ok_flag and "ZeroDivisionError" in message and "hỗ trợ" in message
    for missing in ("merge", "xoa"):  # a handler not importable, a button not known
        ok, message = dispatch(missing, master, (), handlers)
        assert not ok and message.startswith("Nút này cần bản cchc-xl mới hơn")
        assert missing not in message  # the clerk never sees the internal key


# --- the VBA sources -------------------------------------------------------------------------

VN_LITERAL = re.compile(r'VN\("((?:[^"]|"")*)"\)')
VN_CONTINUED = re.compile(r'"\) & _[ \t]*\r?\n[ \t]*VN\("')  # one text split over lines


def decode_vn(literal: str) -> str:
    """What VN() in CchcCommon.bas makes of a literal (written here independently)."""
    def unit(m: re.Match[str]) -> str:
        return "\n" if m.group(0) == "\\n" else chr(int(m.group(1), 16))

    raw = re.sub(r"\\u([0-9a-fA-F]{4})|\\n", unit, literal.replace('""', '"'))
    return raw.encode("utf-16-le", "surrogatepass").decode("utf-16-le")


def test_macro_sources() -> None:
    modules = read_bas_modules(macros_folder())
    assert set(modules) == {"CchcButtons", "CchcCommon", "CchcUdfs", "ThisWorkbook"}
    buttons = modules["CchcButtons"]
    for button in COVER_BUTTONS:
        assert re.search(rf"^Public Sub {button.macro}\(\)$", buttons, re.MULTILINE)
    assert re.search(r"^Public Function CCHC_DIEM_KHOI\(codes As Variant, inputs As Variant, "
                     r"catalogue As Variant\)", modules["CchcUdfs"], re.MULTILINE)
    assert f'"{UDF_MODULE}"' in modules["CchcUdfs"]
    literals = [lit for source in modules.values()
                for lit in VN_LITERAL.findall(VN_CONTINUED.sub("", source))]
    assert len(literals) > 20
    for literal in literals:
        text = decode_vn(literal)
        assert "\\" not in text.replace("D:\\CCHC\\2026\\tong-hop", ""), literal
        assert unicodedata.is_normalized("NFC", text)
        assert vba_text(text) == literal  # the escaping helper gives back the same literal
    messages = " ".join(decode_vn(lit) for lit in literals)
    assert "Chưa cài xlwings add-in: mở Command Prompt và chạy: xlwings addin install" in messages
    assert "Gõ mật khẩu để nút ghi được dữ liệu (phân biệt chữ hoa, chữ thường):" in messages


# Each cover button, the `cchc-xl` command (= handler name) it runs, and the arguments it passes
# after the master's path, as VBA expressions.
BUTTON_ACTIONS = {
    "CchcTaoFileDonVi": ("split", "Array(folder)"),
    "CchcGopDuLieu": ("merge", "Array(folder), password"),
    "CchcKiemTra": ("check", "Array()"),
    "CchcDongBo": ("sync", "Array(), password"),
    "CchcBaoCaoTuDanhGia": ("report", "Array(CStr(target), evidence)"),
    "CchcNhapDiemThamDinh": ("appraisal", "Array(council), password"),
    "CchcXuatKeHoach": ("plan", "Array(CStr(target))"),
    "CchcTaoFileKeHoach": ("split-plan", "Array(folder)"),
    "CchcBaoCaoTienDo": ("progress", "Array(CStr(target))"),
}


def test_every_cover_button_runs_its_command_s_handler() -> None:
    source = read_bas_modules(macros_folder())["CchcButtons"]
    assert [b.macro for b in COVER_BUTTONS] == list(BUTTON_ACTIONS)  # in the order of the year
    assert [[b.macro for b in group] for group in COVER_GROUPS] == [
        ["CchcTaoFileDonVi", "CchcGopDuLieu", "CchcKiemTra", "CchcDongBo"],
        ["CchcBaoCaoTuDanhGia", "CchcNhapDiemThamDinh"],
        ["CchcXuatKeHoach", "CchcTaoFileKeHoach", "CchcBaoCaoTienDo"]]
    assert [b.macro for b in FIELD_BUTTONS] == ["CchcDongBo", "CchcKiemTra"]
    run = re.compile(r'^\s*(?:If .* Then )?RunButton "([^"]+)", (.*)$', re.MULTILINE)
    for macro, (action, arguments) in BUTTON_ACTIONS.items():
        assert run.findall(_sub(source, macro)) == [(action, arguments)], macro
    assert sorted(action for action, _ in BUTTON_ACTIONS.values()) == sorted(BUTTON_HANDLERS)
    assert len(run.findall(source)) == len(BUTTON_ACTIONS)  # no other caller
    # Every handler exists, and takes the master and the arguments the button passes.
    import inspect

    from cchc_xl.excel.bridge import _resolve

    for action, arguments in BUTTON_ACTIONS.values():
        params = inspect.signature(_resolve(BUTTON_HANDLERS[action])).parameters
        inner, password = re.fullmatch(r"Array\((.*)\)(, password)?", arguments).groups()
        passed = 1 + len(inner.split(", ") if inner else [])  # the master, then the arguments
        positional = [p for name, p in params.items() if name != "password"]
        needed = sum(p.default is inspect.Parameter.empty for p in positional)
        assert needed <= passed <= len(positional), action
        assert bool(password) == ("password" in params), action  # and then it comes last
        assert not password or list(params)[-1] == "password", action

    # The report's question names the folder Python puts the evidence package in.
    report = VN_CONTINUED.sub("", _sub(source, "CchcBaoCaoTuDanhGia"))
    question = decode_vn("".join(VN_LITERAL.findall(report.split("AskYesNo(")[1])))
    assert f"thư mục {EVIDENCE_FOLDER} cạnh tệp báo cáo" in question
    assert 'Then evidence = "1"' in report
    # The council's file: the picker shows every kind of file the appraisal reader takes.
    from cchc_xl.read.appraisal import SUFFIXES

    appraisal = _sub(source, "CchcNhapDiemThamDinh")
    patterns = re.search(r'"(\*\.[^"]+)"', appraisal).group(1).split(";")
    assert sorted(patterns) == sorted(f"*{suffix}" for suffix in SUFFIXES)
    common = read_bas_modules(macros_folder())["CchcCommon"]
    ask = _sub(common, "AskYesNo")
    assert "wsh.Popup(question, 0, CCHC_TITLE, vbYesNo + vbQuestion + POPUP_SYSTEM_MODAL)" in ask
    assert "AskYesNo = (answer = vbYes)" in ask


def _sub(source: str, name: str) -> str:
    """The text of one Sub or Function of a module."""
    m = re.search(rf"^(?:Public |Private )?(Sub|Function) {name}\(.*?^End \1$", source,
                  re.MULTILINE | re.DOTALL)
    assert m, name
    return m.group(0)


def test_the_cover_steps_follow_the_groups_of_buttons(built: dict[str, Master]) -> None:
    """The cover's steps come in the three phases of the buttons' groups, and name each button
    and its command in its phase; the built cover has the headings and the numbered steps."""
    from cchc_xl.build.sheets import MASTER_PHASES

    assert [heading for heading, _ in MASTER_PHASES] == ["Tự đánh giá", "Báo cáo, thẩm định",
                                                         "Khắc phục"]
    for (_, steps), group in zip(MASTER_PHASES, COVER_GROUPS, strict=True):
        text = " ".join(steps)
        for button in group:
            assert f"'{button.caption}'" in text or f"{button.caption} (nút" in text, button
            assert f"cchc-xl {BUTTON_ACTIONS[button.macro][0]}" in text, button
    cover = [row[:2] for row in built["tiny"].given[COVER_SHEET]]
    expected, number = [], 1
    for heading, steps in MASTER_PHASES:
        expected.append(["", heading])
        for step in steps:
            expected.append([number, step])
            number += 1
    start = cover.index(["", MASTER_PHASES[0][0]])
    assert cover[start:start + len(expected)] == expected


def test_only_the_writing_buttons_ask_for_the_password_and_pass_it_last() -> None:
    source = read_bas_modules(macros_folder())["CchcButtons"]
    writing = {"CchcGopDuLieu": "merge", "CchcDongBo": "sync", "CchcNhapDiemThamDinh": "appraisal"}
    for macro, action in writing.items():
        sub = _sub(source, macro)
        # Asked after the folder or file, before anything runs; passed last.
        assert "If Not AskPassword(password) Then Exit Sub" in sub, macro
        assert sub.index("AskPassword") < sub.index("RunButton")
        assert re.search(rf'RunButton "{action}", Array\([^)]*\), password$', sub, re.MULTILINE)
    for macro in set(BUTTON_ACTIONS) - set(writing):
        assert "password" not in _sub(source, macro).lower(), macro  # they only read the file
    run = _sub(source, "RunButton")
    assert "Application.Run XLWINGS_ADDIN & \"!RunPython\", PythonCommand(action, arguments, " \
        "password)" in run
    command = _sub(source, "PythonCommand")
    # b.run_button(action, argument..., [password]): the handlers' (master, arguments, password).
    assert command.index("For i = LBound(arguments) To UBound(arguments)") < command.index(
        'command = command & ", " & PyLiteral(CStr(arguments(i)))') < command.index(
        'If password <> "" Then command = command & ", " & PyLiteral(password)') < command.index(
        'PythonCommand = command & ")"')
    ask = _sub(source, "AskPassword")
    assert "If Not HasSheetPassword() Then Exit Function" in ask
    assert re.search(r"Application\.InputBox\(VN\(.*Type:=2\)", VN_CONTINUED.sub("", ask),
                     re.DOTALL)  # Excel's InputBox (Unicode); False when cancelled
    assert "If VarType(answer) = vbBoolean Then" in ask
    probe = _sub(source, "UnprotectsWithoutPassword")
    # Unprotect "" in an error handler; a sheet that had no password is protected again with
    # the options it had, and the workbook's saved state is kept.
    assert probe.index("On Error GoTo HasPassword") < probe.index('ws.Unprotect ""') < \
        probe.index('ws.Protect "", drawing, True, scenarios, False, fCells') < \
        probe.index("ws.EnableSelection = selectable") < \
        probe.index("ThisWorkbook.Saved = wasSaved")


# Appended to the standard modules for the LibreOffice run only (ASCII, like the modules): the
# call compiles the whole module, CchcCommon's probe runs VN and PyLiteral, and CchcButtons'
# probe builds the Python commands of buttons with no argument, one, two and a password, from
# Vietnamese text, with the function RunButton hands to the add-in.
PROBE_TEXT = "D:\\nhận về\\ 'Mật-khẩu 1' & % \" ^ \U0001f600"
PROBE_REPORT = "D:\\CCHC\\2026\\báo cáo tự đánh giá.docx"
PROBE_COUNCIL = "\\\\máy-chủ\\thẩm định\\kết quả (HĐTĐ) 100%.xlsx"
COMPILED = 'Public Function CchcProbe() As String\n    CchcProbe = "compiled"\nEnd Function\n'
VBA_PROBES = {
    "CchcButtons": ('Public Function CchcProbe() As String\n'
                    '    CchcProbe = PythonCommand("check", Array(), "") & "|" & _\n'
                    f'        PythonCommand("report", Array(VN("{vba_text(PROBE_REPORT)}"), "1"), '
                    '"") & "|" & _\n'
                    f'        PythonCommand("appraisal", Array(VN("{vba_text(PROBE_COUNCIL)}")), '
                    f'VN("{vba_text(PROBE_TEXT)}"))\n'
                    'End Function\n'),
    "CchcUdfs": COMPILED,
    "CchcCommon": ('Public Function CchcProbe() As String\n'
                   f'    CchcProbe = PyLiteral(VN("{vba_text(PROBE_TEXT)}"))\nEnd Function\n'),
}


def _run_button_call(command: str) -> tuple[str, ...]:
    """The arguments of the run_button call in a command the buttons give RunPython."""
    import ast

    tree = ast.parse(command)
    assert isinstance(tree.body[0], ast.Import) and len(tree.body) == 2, command
    call = tree.body[1].value
    assert isinstance(call, ast.Call) and ast.unparse(call.func) == "b.run_button", command
    return tuple(ast.literal_eval(arg) for arg in call.args)


@pytest.mark.libreoffice
def test_libreoffice_compiles_every_module_and_runs_the_command_builder(tmp_path: Path) -> None:
    import ast
    import io

    import xlsxwriter

    from cchc_xl.excel.bridge import _whole
    from cchc_xl.vba import build_vba_project

    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    modules = read_bas_modules(macros_folder())
    assert set(VBA_PROBES) == set(modules) - {"ThisWorkbook"}  # every standard module
    probed = {name: source + ("\n" + VBA_PROBES[name] if name in VBA_PROBES else "")
              for name, source in modules.items()}
    path = tmp_path / "probe.xlsm"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet()
    workbook.add_vba_project(io.BytesIO(build_vba_project(probed, sheet_code_names=["Sheet1"])),
                             is_stream=True)
    workbook.close()
    results = call_vba(path, "CchcProbe")
    assert results["CchcUdfs"] == "compiled", results
    literal = results["CchcCommon"]
    assert literal.isascii() and re.fullmatch(r"'[0-9A-Za-z .:_\\-]*'", literal), literal
    assert _whole(ast.literal_eval(literal)) == PROBE_TEXT
    # The buttons' commands: ASCII (the add-in puts them on a cmd.exe command line inside
    # double quotes), one run_button call each, and through `dispatch` every handler receives
    # exactly the texts the button had, surrogate pairs joined.
    commands = results["CchcButtons"].split("|")
    assert all(c.isascii() and '"' not in c for c in commands), commands
    calls = [_run_button_call(c) for c in commands]
    assert [call[0] for call in calls] == ["check", "report", "appraisal"]
    received: list[tuple[Any, ...]] = []
    handlers = {name: (lambda master, *args: received.append(args)) for name in BUTTON_HANDLERS}
    for name, *args in calls:
        assert dispatch(name, Path("tong-hop.xlsm"), args, handlers)[0]
    assert received == [(), (PROBE_REPORT, "1"), (PROBE_COUNCIL, PROBE_TEXT)]


def test_vba_text_escapes() -> None:
    assert vba_text("Đồng bộ") == "\\u0110\\u1ed3ng b\\u1ed9"
    assert vba_text('a "b"\nD:\\x') == 'a ""b""\\nD:\\u005cx'
    assert vba_text("\U0001f600") == "\\ud83d\\ude00"
    assert vba_text("Đo\u0302̀") == vba_text("Đồ")  # decomposed input is composed first


def test_master_vba_project_sheet_modules() -> None:
    blob = master_vba_project(3)
    parser = VBA_Parser("vbaProject.bin", data=blob)
    try:
        names = {name for _, _, name, _ in parser.extract_macros()}
    finally:
        parser.close()
    assert names == {"CchcButtons.bas", "CchcCommon.bas", "CchcUdfs.bas", "ThisWorkbook.cls",
                     "Sheet1.cls", "Sheet2.cls", "Sheet3.cls"}
    assert master_vba_project() == master_vba_project(None)  # deterministic


def test_macros_folder(tmp_path: Path) -> None:
    assert (macros_folder() / "CchcButtons.bas").is_file()
    package = tmp_path / "site-packages" / "cchc_xl"
    with pytest.raises(FileError, match=r"pip install --force-reinstall \"cchc-xl\[excel\]\""):
        macros_folder(package)
    (package / "macros").mkdir(parents=True)  # installed: the .bas files as package data
    (package / "macros" / "CchcButtons.bas").write_text("Option Explicit\n", encoding="ascii")
    assert macros_folder(package) == package / "macros"


def test_field_buttons_only_where_they_fit() -> None:
    import io

    import xlsxwriter

    from cchc_xl.build.macros import _field_buttons
    from cchc_xl.analysis.report import build_report
    from cchc_xl.format.state import State
    from cchc_xl.build.context import Context
    from cchc_xl.build.styles import Styles

    data = tiny_data()
    data["fields"][0]["short_name"] = "Chỉ đạo"
    data["fields"][0]["name"] = "Công tác chỉ đạo, điều hành " * 12  # a 336-character name
    cat = parse_catalogue(data)
    state = State("master", org="Sở Tư pháp")
    workbook = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    ctx = Context(workbook, Styles(workbook), cat, state, build_report(cat, state), "master")
    placed = []
    for field in cat.fields:
        ws = workbook.add_worksheet(field_sheet_name(field))
        placed.append((_field_buttons(ctx, ws, field), len(ws.buttons_list)))
    workbook.close()
    assert placed == [(False, 0), (True, 2), (True, 2)]


# --- the built masters, read by independent tools ------------------------------------------


@dataclass
class Master:
    catalogue: Catalogue
    xlsm: Path
    given: dict[str, list[list[Any]]]  # the .xlsm's cells (constants, as written)
    names: dict[str, str]  # defined name -> reference, from the .xlsm
    ods: Path | None = None  # the .xlsm converted by LibreOffice (fixture `masters`)
    computed: dict[str, list[list[Any]]] = dataclasses.field(default_factory=dict)  # its cells


MASTERS = {"matrix": (matrix_catalogue, matrix_state), "tiny": (tiny, tiny_state)}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Master]:
    """The .xlsm masters as written, read without LibreOffice."""
    folder = tmp_path_factory.mktemp("masters")
    result = {}
    for key, (catalogue, state) in MASTERS.items():
        path = folder / f"{key}.xlsm"
        write_master(catalogue(), state(), path, recalc_probe=True)
        with zipfile.ZipFile(path) as zf:
            workbook = fromstring(zf.read("xl/workbook.xml"))
        names = {el.get("name"): el.text for el in workbook.iter()
                 if el.tag.endswith("}definedName")}
        result[key] = Master(catalogue(), path, read_values(path), names)
    return result


@pytest.fixture(scope="module")
def masters(built: dict[str, Master]) -> dict[str, Master]:
    """The same masters, also converted to .ods by LibreOffice with recalculation on load."""
    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = next(iter(built.values())).xlsm.parent / "ods"
    odss = convert([m.xlsm for m in built.values()], folder, "ods", recalc=True)
    return {key: replace(master, ods=ods, computed=read_values(ods))
            for (key, master), ods in zip(built.items(), odss, strict=True)}


def _cell(ref: str) -> tuple[str, int, int]:
    """"'1. Tỷ lệ'!$K$6" → (sheet, row, col), 0-based."""
    sheet, cell = ref.lstrip("=").rsplit("!", 1)
    if sheet.startswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    m = re.fullmatch(r"\$([A-Z]+)\$(\d+)", cell)
    assert m, ref
    col = 0
    for letter in m.group(1):
        col = col * 26 + ord(letter) - 64
    return sheet, int(m.group(2)) - 1, col - 1


def _at(values: dict[str, list[list[Any]]], sheet: str, row: int, col: int) -> Any:
    rows = values[sheet]
    return rows[row][col] if row < len(rows) and col < len(rows[row]) else ""


def _excel(value: Any) -> Any:
    """A cell as Excel passes it to a UDF: None for an empty cell."""
    return None if value == "" else value


def _catalogue_chunks(master: Master) -> list[Any]:
    sheet, first, col = _cell(master.names[CATALOGUE_NAME].split(":")[0])
    last = int(master.names[CATALOGUE_NAME].rsplit("$", 1)[1]) - 1
    return [_excel(_at(master.given, sheet, r, col)) for r in range(first, last + 1)]


def _tree_sheets(master: Master) -> list[str]:
    sheets = [field_sheet_name(f) for f in master.catalogue.fields]
    if master.catalogue.bonus or master.catalogue.penalty:
        sheets.append(EXTRAS_SHEET)
    return sheets


def _same(got: Any, expected: Any) -> bool:
    if isinstance(expected, float) or isinstance(got, float):
        return isinstance(got, float) and isinstance(expected, float) and \
            abs(got - expected) < 1e-9
    return got == expected


@pytest.mark.libreoffice
@pytest.mark.parametrize("key", MASTERS)
def test_recalculated(masters: dict[str, Master], key: str) -> None:
    master = masters[key]
    sheet, row, col = _cell(master.names["CCHC_RECALC_PROBE"])
    assert _at(master.computed, sheet, row, col) == 2


@pytest.mark.parametrize("key", MASTERS)
def test_catalogue_name_covers_the_yaml_chunks(built: dict[str, Master], key: str) -> None:
    master = built[key]
    sheet, first, col = _cell(master.names[CATALOGUE_NAME].split(":")[0])
    assert sheet == META_SHEET and col == 1
    keys = [row[0] for row in master.given[META_SHEET]]
    yaml_rows = [r for r, k in enumerate(keys) if str(k).startswith("catalogue_yaml_")]
    last = int(master.names[CATALOGUE_NAME].rsplit("$", 1)[1]) - 1
    assert yaml_rows == list(range(first, last + 1))
    assert udfs.catalogue_text(_catalogue_chunks(master)) == dump_catalogue(master.catalogue)


@pytest.mark.libreoffice
@pytest.mark.parametrize("key", MASTERS)
def test_block_udf_equals_libreoffice_and_engine(masters: dict[str, Master], key: str) -> None:
    """Every tree sheet as one block: CCHC_DIEM_KHOI = the native formulas, row by row."""
    master = masters[key]
    catalogue_arg = _catalogue_chunks(master)
    leaves = {leaf.code: leaf for leaf in master.catalogue.all_leaves()}
    checked_leaves, checked_groups = set(), 0
    input_cols = [COL[k] for k in INPUT_KEYS]
    for sheet in _tree_sheets(master):
        rows = range(FIRST_DATA_ROW, len(master.given[sheet]))
        codes = [[_excel(_at(master.given, sheet, r, COL["code"]))] for r in rows]
        inputs = [[_excel(_at(master.given, sheet, r, c)) for c in input_cols] for r in rows]
        block = udfs.CCHC_DIEM_KHOI(codes, inputs, catalogue_arg)
        for r, [code], row_inputs, [got] in zip(rows, codes, inputs, block, strict=True):
            native = _at(master.computed, sheet, r, COL["points"])
            if code is None:  # bonus/penalty headings: capped sums, not the UDF's business
                assert got == ""
                continue
            assert _same(got, native), (sheet, r + 1, code, got, native)
            if code in leaves:
                expected = shown(leaves[code], tuple(row_inputs), master.catalogue)
                assert _same(got, expected), (code, got, expected)
                assert _same(diem(code, row_inputs, catalogue_arg), got)
                # The defined name of the leaf's points cell is this very cell.
                assert _cell(master.names[defined_name("POINTS", code)]) == \
                    (sheet, r, COL["points"])
                checked_leaves.add(code)
            else:
                checked_groups += 1
    assert checked_leaves == set(leaves)
    assert checked_groups >= len(master.catalogue.fields)
    if key == "matrix":  # the edge cases really produced numbers, blanks and error texts
        values = [_at(master.computed, *_cell(master.names[defined_name("POINTS", c)]))
                  for c in leaves]
        assert any(isinstance(v, float) and v > 0 for v in values)
        assert "" in values and any(str(v).startswith("Lỗi: ") for v in values)


@pytest.mark.parametrize("key", MASTERS)
def test_olevba_reads_every_macro_source(built: dict[str, Master], key: str) -> None:
    parser = VBA_Parser(str(built[key].xlsm))
    try:
        found = {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    bodies = {}
    for name, source in read_bas_modules(macros_folder()).items():
        suffix = ".cls" if name == "ThisWorkbook" else ".bas"
        code = _lf(found.pop(f"{name}{suffix}"))
        bodies[name] = "\n".join(line for line in code.split("\n")
                                 if not line.startswith("Attribute "))
        assert bodies[name] == _lf(source), name
    for function in ("AskPassword", "HasSheetPassword", "UnprotectsWithoutPassword", "PickFile",
                     "PythonCommand"):
        assert f"Private Function {function}(" in bodies["CchcButtons"]  # the password prompt
    for button in COVER_BUTTONS:
        assert f"Public Sub {button.macro}()" in bodies["CchcButtons"]
    assert "Public Function AskYesNo(" in bodies["CchcCommon"]
    # Sheet document modules, if any, are exactly the code names XlsxWriter gave the sheets.
    with zipfile.ZipFile(built[key].xlsm) as zf:
        parts = [zf.read(n).decode() for n in zf.namelist()
                 if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
    code_names = {m.group(1) for part in parts if (m := re.search(r'codeName="([^"]+)"', part))}
    assert len(code_names) == len(parts)
    assert {name.removesuffix(".cls") for name in found} in (set(), code_names)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _content(master: Master) -> Any:
    assert master.ods is not None
    with zipfile.ZipFile(master.ods) as ods:
        return fromstring(ods.read("content.xml"))


ODF = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "form": "urn:oasis:names:tc:opendocument:xmlns:form:1.0",
    "script": "urn:oasis:names:tc:opendocument:xmlns:script:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
}


def _buttons(master: Master) -> dict[str, list[tuple[str, str]]]:
    """Sheet -> [(caption, macro URL without its query)] of the buttons LibreOffice bound."""
    result: dict[str, list[tuple[str, str]]] = {}
    for table in _content(master).iter(f"{{{ODF['table']}}}table"):
        found = []
        for button in table.iter(f"{{{ODF['form']}}}button"):
            urls = [el.get(f"{{{ODF['xlink']}}}href", "")
                    for el in button.iter(f"{{{ODF['script']}}}event-listener")
                    if el.get(f"{{{ODF['script']}}}event-name") == "form:performaction"]
            found += [(button.get(f"{{{ODF['form']}}}label"), url.split("?")[0]) for url in urls]
        result[table.get(f"{{{ODF['table']}}}name")] = found
    return result


@pytest.mark.libreoffice
@pytest.mark.parametrize("key", MASTERS)
def test_libreoffice_imports_modules_and_binds_every_button(
        masters: dict[str, Master], key: str) -> None:
    master = masters[key]
    assert master.ods is not None
    with zipfile.ZipFile(master.ods) as ods:
        for name, source in read_bas_modules(macros_folder()).items():
            basic = fromstring(ods.read(f"Basic/VBAProject/{name}.xml")).text or ""
            assert _lf(source).rstrip("\n") in _lf(basic), name
        # The password prompt and probe live in CchcButtons, so the bound buttons below also
        # prove LibreOffice parsed them (a module it cannot parse has no macros to bind).
        basic = fromstring(ods.read("Basic/VBAProject/CchcButtons.xml")).text or ""
        for function in ("AskPassword", "HasSheetPassword", "UnprotectsWithoutPassword"):
            assert f"Private Function {function}(" in basic
    buttons = _buttons(master)
    url = "vnd.sun.star.script:VBAProject.CchcButtons.{}".format
    assert buttons[COVER_SHEET] == [(b.caption, url(b.macro)) for b in COVER_BUTTONS]
    assert len(COVER_BUTTONS) == 9
    for field in master.catalogue.fields:
        assert buttons[field_sheet_name(field)] == [(b.caption, url(b.macro))
                                                    for b in FIELD_BUTTONS]
    others = set(buttons) - {COVER_SHEET, *(field_sheet_name(f) for f in master.catalogue.fields)}
    assert all(buttons[s] == [] for s in others)


def _inches(length: str) -> float:
    assert length.endswith("in"), length
    return float(length[:-2])


@pytest.mark.libreoffice
@pytest.mark.parametrize("key", MASTERS)
def test_libreoffice_places_the_cover_buttons_in_their_groups(
        masters: dict[str, Master], key: str) -> None:
    """As LibreOffice lays the cover out: one column right of the text, top to bottom in the
    order of the year, none overlapping, a wider gap between two groups than inside one."""
    content = _content(masters[key])
    cover = next(t for t in content.iter(f"{{{ODF['table']}}}table")
                 if t.get(f"{{{ODF['table']}}}name") == COVER_SHEET)
    labels = {b.get(f"{{{ODF['form']}}}id"): b.get(f"{{{ODF['form']}}}label")
              for b in cover.iter(f"{{{ODF['form']}}}button")}
    draw, svg = ("urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
                 "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0")
    boxes = {labels[c.get(f"{{{draw}}}control")]: tuple(
        _inches(c.get(f"{{{svg}}}{a}")) for a in ("x", "y", "width", "height"))
        for c in cover.iter(f"{{{draw}}}control")}
    placed = [boxes[b.caption] for b in COVER_BUTTONS]
    assert len({round(x, 3) for x, _, _, _ in placed}) == 1
    style = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
    widths = {s.get(f"{{{style}}}name"): _inches(props.get(f"{{{style}}}column-width"))
              for s in content.iter(f"{{{style}}}style")
              if (props := s.find(f"{{{style}}}table-column-properties")) is not None}
    columns = []
    for column in cover.findall(f"{{{ODF['table']}}}table-column"):
        repeated = int(column.get(f"{{{ODF['table']}}}number-columns-repeated", "1"))
        columns += [widths[column.get(f"{{{ODF['table']}}}style-name")]] * min(repeated, 3)
    assert placed[0][0] >= columns[0] + columns[1]  # right of the text in column B
    gaps = [b[1] - (a[1] + a[3]) for a, b in zip(placed, placed[1:])]
    assert all(gap > 0 for gap in gaps), gaps
    ends = {sum(len(g) for g in COVER_GROUPS[:i + 1]) - 1 for i in range(len(COVER_GROUPS) - 1)}
    inside = [g for i, g in enumerate(gaps) if i not in ends]
    between = [g for i, g in enumerate(gaps) if i in ends]
    assert max(inside) < min(between) - 0.1, gaps  # a tenth of an inch more, at least


@pytest.mark.parametrize("key", MASTERS)
def test_xlwings_conf_sheet(built: dict[str, Master], key: str) -> None:
    master = built[key]
    assert master.given[XLWINGS_CONF_SHEET] == [["UDF Modules", UDF_MODULE]]
    with zipfile.ZipFile(master.xlsm) as zf:
        workbook = fromstring(zf.read("xl/workbook.xml"))
    states = {el.get("name"): el.get("state") for el in workbook.iter()
              if el.tag.endswith("}sheet")}
    assert states[XLWINGS_CONF_SHEET] == "hidden"
    assert states[META_SHEET] == "veryHidden"
