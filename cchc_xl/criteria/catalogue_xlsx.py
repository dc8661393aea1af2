"""The criteria catalogue as an Excel workbook, so the Văn phòng can edit it without YAML.

The workbook is a view of `Catalogue.to_dict()`: one row per node, one column per node or rule
key, tiers and options as short text (`100=3; 98=2,5`). Import rebuilds exactly that plain data
and hands it to `parse_catalogue`, so a catalogue edited in Excel is validated like one edited in
YAML, and an unedited export imports back to the same content hash.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import CatalogueError, FileError, Problem
from .catalogue import Catalogue, parse_catalogue
from .numbers import plain, to_decimal
from .rules import KINDS, Param, rule_classes, rule_params

HELP, INFO, RATING, UNITS, TREE = "Hướng dẫn", "Thông tin", "Xếp loại", "Đơn vị", "Tiêu chí"
SECTIONS = {"bonus": "Điểm thưởng", "penalty": "Điểm trừ"}
NONE = "-"  # in Chủ trì / Phối hợp: "declared empty", which overrides what a parent declares
FONT = "Times New Roman"
LAST_ROW = 2000  # how far down the dropdowns reach, so rows the Văn phòng adds get them too

INFO_ROWS = {"name": "Tên bộ tiêu chí", "year": "Năm đánh giá", "province": "Tỉnh",
             "issued_by": "Văn bản ban hành",
             "note": "Ghi chú", "supplement_deduction": "Tỷ lệ trừ khi giải trình bổ sung"}


def _users(param: Param) -> str:
    """The kinds that use a key, as the help says it: 'ratio và tiers rate', 'tiers' …"""
    names = []
    for kind in KINDS:
        classes = [c for c in rule_classes() if c.kind == kind]
        using = [c for c in classes if param in c.params]
        names += [kind] if using and len(using) == len(classes) else [c.title() for c in using]
    return ", ".join(names[:-1]) + " và " + names[-1] if len(names) > 1 else names[0]


RULE_PARAMS = rule_params()
# (key, header, width, help): every key a node or its rule can have in to_dict() has a column.
COLUMNS: list[tuple[str, str, int, str]] = [
    ("level", "Cấp", 6, "1 = lĩnh vực, 2 = tiêu chí, 3 = tiêu chí thành phần …; một dòng chỉ được "
     "sâu hơn dòng ngay trên nó 1 cấp, và là con của dòng gần nhất phía trên có cấp nhỏ hơn"),
    ("code", "Mã", 10, "mã duy nhất, ví dụ 3.2.1 hoặc II.2.3; ô phải định dạng chữ (Text), nếu "
     "không Excel đổi 3.10 thành số 3,1"),
    ("name", "Tên", 60, "nội dung tiêu chí"),
    ("short_name", "Tên ngắn", 20, "chỉ cho lĩnh vực (cấp 1): tên ngắn dùng làm tên sheet"),
    ("max", "Điểm tối đa", 10, "bắt buộc ở tiêu chí lá; ở tiêu chí có con: để trống (tự cộng) "
     "hoặc ghi đúng tổng điểm tối đa của các tiêu chí con"),
    ("kind", "Loại quy tắc", 12, "chỉ ở tiêu chí lá: " + ", ".join(KINDS)
     + " (xem bảng bên dưới)"),
    *[(p.key, p.header, p.width, f"với {_users(p)}: {p.meaning}") for p in RULE_PARAMS],
    ("lead", "Chủ trì", 10, "mã đơn vị chủ trì (sheet Đơn vị); để trống = theo cấp trên; "
     f"{NONE} = không có"),
    ("support", "Phối hợp", 16, "mã các đơn vị phối hợp, cách nhau bằng dấu ;; để trống = theo "
     f"cấp trên; {NONE} = không có"),
    ("evidence", "Tài liệu kiểm chứng", 40, "tài liệu chứng minh: kế hoạch, báo cáo, quyết định …"),
]
NODE_KEYS = {"code", "name", "short_name", "max", "lead", "support", "evidence"}
CHOICES = {"kind": list(KINDS), **{p.key: list(p.choices) for p in RULE_PARAMS if p.choices}}
PAIRS = {p.key: p for p in RULE_PARAMS if p.form in ("number_pairs", "label_pairs")}
NUMBERS = {"max"} | {p.key for p in RULE_PARAMS if p.form == "number"}
KINDS_HELP = [(kind, cls.help) for kind, cls in KINDS.items()]


def _vn(value: Decimal) -> str:
    # plain(), not vn_number(): no thousands separator, so a bound of 1000 does not read as 1,000.
    return plain(value).replace(".", ",")


def _key(text: Any) -> str:
    """Sheet names, headers and fixed words compared loosely: Unikey may type decomposed Unicode."""
    return unicodedata.normalize("NFC", str(text)).strip().casefold()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    # A whole number typed in a text column (a label "2021") comes back as 2021.0.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: Any) -> Any:
    """A Decimal when the cell holds a number; else the raw text, which parse_catalogue reports."""
    try:
        return to_decimal(value)
    except ValueError:
        return _text(value)


# ---------------------------------------------------------------------------------------------
# Export


def export_catalogue(catalogue: Catalogue, path: Path) -> None:
    """Write the catalogue as an .xlsx the Văn phòng can edit and import back unchanged."""
    import xlsxwriter
    from xlsxwriter.exceptions import XlsxFileError

    path = Path(path)
    data = catalogue.to_dict()
    labels = [key for key, param in PAIRS.items() if param.form == "label_pairs"]
    bad = [Problem(f"nhãn lựa chọn '{label}' chứa dấu = hoặc ;, không ghi được vào ô "
                   f"{PAIRS[key].header}; hãy đổi nhãn trong bộ tiêu chí", file=path.name,
                   code=node["code"])
           for node in _all_nodes(data) for key in labels
           for label, _ in node.get("rule", {}).get(key, []) if "=" in label or ";" in label]
    if bad:
        raise CatalogueError(f"Không xuất được bộ tiêu chí ra {path.name}: có {len(bad)} nhãn "
                             "không hợp lệ.", bad)
    # strings_to_formulas off: a criterion name starting with "=" must stay text.
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    try:
        _Writer(book).write(data)
        book.close()
    except (OSError, XlsxFileError) as exc:
        raise FileError(f"Không ghi được tệp {path} ({exc}). Nếu tệp đang mở trong Excel, hãy "
                        "đóng lại rồi thử lại; nếu không, hãy chọn thư mục khác.") from None


def _all_nodes(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    stack = list(data["fields"]) + [i for k in SECTIONS if k in data for i in data[k]["items"]]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.get("children", []))


def _rows(nodes: list[dict[str, Any]], level: int = 1) -> Iterator[dict[str, Any]]:
    """The tree flattened in order: one dict per row, keyed like COLUMNS."""
    for node in nodes:
        row: dict[str, Any] = {"level": level, **node.get("rule", {})}
        row.update({k: v for k, v in node.items() if k in NODE_KEYS})
        if "lead" in node:
            row["lead"] = node["lead"] or NONE
        if "support" in node:
            row["support"] = "; ".join(node["support"]) or NONE
        for key, param in PAIRS.items():
            if key in row:
                row[key] = "; ".join(f"{_vn(left) if param.form == 'number_pairs' else left}="
                                     f"{_vn(right)}" for left, right in row[key])
        yield row
        yield from _rows(node.get("children", []), level + 1)


class _Writer:
    def __init__(self, book: Any) -> None:
        self.book = book
        base = {"font_name": FONT, "font_size": 12, "valign": "top"}
        self.head = book.add_format({**base, "bold": True, "text_wrap": True, "border": 1,
                                     "bg_color": "#DDEBF7", "align": "center"})
        self.text = book.add_format({**base, "text_wrap": True})
        self.bold = book.add_format({**base, "text_wrap": True, "bold": True})
        self.code = book.add_format({**base, "num_format": "@"})  # typed codes stay text

    def write(self, data: dict[str, Any]) -> None:
        self.help()
        self.table(INFO, ["Mục", "Giá trị"], [30, 70],
                   [[label, data.get(key, "")] for key, label in INFO_ROWS.items()])
        self.table(RATING, ["Từ (% chỉ số)", "Xếp loại"], [14, 30],
                   [[b["min"], b["label"]] for b in data.get("rating", [])])
        self.table(UNITS, ["Mã đơn vị", "Tên đơn vị"], [14, 50],
                   [[u["code"], u["name"]] for u in data["units"]], text_cols=frozenset({0}))
        self.tree(self.book.add_worksheet(TREE), data["fields"], 0)
        for key, title in SECTIONS.items():
            sheet = self.book.add_worksheet(title)
            sheet.write_string(0, 0, "Tổng điểm tối đa của mục này (cap)", self.bold)
            self.cell(sheet, 0, 1, data[key]["cap"] if key in data else "")
            self.tree(sheet, data[key]["items"] if key in data else [], 1)

    def cell(self, sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
        fmt = fmt or self.text
        if isinstance(value, (Decimal, int)):
            # A number cell when the float is exact (calamine gives it back via repr), else text.
            if to_decimal(float(value)) == value:
                sheet.write_number(row, col, float(value), fmt)
                return
            value = plain(Decimal(value))
        sheet.write_string(row, col, str(value), fmt)

    def table(self, name: str, headers: list[str], widths: list[int], rows: list[list[Any]],
              text_cols: frozenset[int] = frozenset()) -> None:
        sheet = self.book.add_worksheet(name)
        for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
            sheet.write_string(0, col, header, self.head)
            sheet.set_column(col, col, width, self.code if col in text_cols else self.text)
        for r, values in enumerate(rows, start=1):
            for col, value in enumerate(values):
                self.cell(sheet, r, col, value, self.code if col in text_cols else None)
        sheet.freeze_panes(1, 0)

    def tree(self, sheet: Any, nodes: list[dict[str, Any]], head_row: int) -> None:
        for col, (key, header, width, _) in enumerate(COLUMNS):
            sheet.write_string(head_row, col, header, self.head)
            sheet.set_column(col, col, width, self.code if key == "code" else self.text)
            if key in CHOICES:
                sheet.data_validation(head_row + 1, col, LAST_ROW, col,
                                      {"validate": "list", "source": CHOICES[key]})
        lead = [k for k, *_ in COLUMNS].index("lead")
        # A dropdown of unit codes, but only a warning: "-" and new codes must stay typeable.
        sheet.data_validation(head_row + 1, lead, LAST_ROW, lead, {
            "validate": "list", "source": f"='{UNITS}'!$A$2:$A$200", "error_type": "warning"})
        for r, row in enumerate(_rows(nodes), start=head_row + 1):
            for col, (key, *_) in enumerate(COLUMNS):
                fmt = self.code if key == "code" else self.bold if row["level"] == 1 else None
                if key in row:
                    self.cell(sheet, r, col, row[key], fmt)
        sheet.freeze_panes(head_row + 1, 2)
        # Codes such as 1.1 are text on purpose: no green "number stored as text" warnings.
        sheet.ignore_errors({"number_stored_as_text": f"B1:B{LAST_ROW}"})

    def help(self) -> None:
        sheet = self.book.add_worksheet(HELP)
        sheet.set_column(0, 0, 24, self.text)
        sheet.set_column(1, 1, 100, self.text)
        lines: list[tuple[str, str]] = [
            ("Bộ tiêu chí trong Excel", "Sửa các sheet Thông tin, Xếp loại, Đơn vị, Tiêu chí, Điểm "
             "thưởng, Điểm trừ rồi nhập lại bằng lệnh: cchc-xl catalogue import. Không đổi tên "
             "sheet, không đổi tên cột. Mọi lỗi được báo một lần, kèm sheet và ô."),
            ("Số", "Dùng dấu phẩy hoặc dấu chấm thập phân đều được: 2,5 hoặc 2.5."),
            ("Tiêu chí", "Mỗi dòng một lĩnh vực hoặc tiêu chí, theo đúng thứ tự; cột Cấp cho biết "
             "vị trí trong cây. Tiêu chí có tiêu chí con thì không có quy tắc chấm điểm."),
            ("Điểm thưởng, Điểm trừ", "Ô B1: tổng điểm thưởng (hoặc trừ) tối đa. Từ dòng 3: các "
             "mục, cùng các cột như sheet Tiêu chí, mỗi mục là cấp 1 và có quy tắc chấm điểm. "
             "Để trống cả ô B1 và các dòng nếu bộ tiêu chí không có phần này."),
            *[(f"Cú pháp {p.header}", p.syntax) for p in RULE_PARAMS if p.syntax],
            ("", ""), ("Cột (sheet Tiêu chí)", "Ý nghĩa"),
            *[(header, text) for _, header, _, text in COLUMNS],
            ("", ""), ("Loại quy tắc", "Cách tính điểm"), *KINDS_HELP,
        ]
        for r, (term, text) in enumerate(lines):
            heading = r == 0 or text in ("Ý nghĩa", "Cách tính điểm")
            sheet.write_string(r, 0, term, self.head if heading else self.bold)
            sheet.write_string(r, 1, text, self.head if heading else self.text)


# ---------------------------------------------------------------------------------------------
# Import


def import_catalogue(path: Path) -> Catalogue:
    """Read a catalogue workbook; every problem (sheet, cell, code) in one CatalogueError."""
    path = Path(path)
    reader = _Reader(path.name, _read_book(path))
    data = reader.data()
    try:
        catalogue = parse_catalogue(data, source=path.name)
    except CatalogueError as exc:
        problems = reader.problems + [reader.locate(p) for p in exc.problems]
    else:
        if not reader.problems:
            # Warnings point at their rows too (sheet and cell), like the errors.
            return replace(catalogue, warnings=tuple(map(reader.locate, catalogue.warnings)))
        problems = reader.problems
    raise CatalogueError(f"Tệp bộ tiêu chí {path.name} có {len(problems)} lỗi; hãy sửa trong "
                         "Excel rồi nhập lại.", problems)


def _read_book(path: Path) -> dict[str, list[list[Any]]]:
    from python_calamine import CalamineError

    from ..files.grids import Book, BrokenSheet

    if not path.is_file():
        raise FileError(f"Không tìm thấy tệp {path}; hãy kiểm tra lại tên và thư mục.")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise FileError(f"Tệp {path.name} không phải tệp Excel .xlsx; hãy mở bằng Excel và lưu "
                        "dưới dạng Excel Workbook (.xlsx) rồi nhập lại.")
    try:
        return {_key(name): grid for name, grid in Book(path).grids().items()}
    except (CalamineError, BrokenSheet, OSError, ValueError) as exc:
        raise FileError(f"Không đọc được tệp {path.name} như một bảng tính Excel ({exc}); hãy "
                        "mở bằng Excel, lưu lại dưới dạng .xlsx rồi nhập lại.") from None


class _Reader:
    """Turns the sheets back into the plain data of to_dict(); collects problems as it goes."""

    def __init__(self, source: str, sheets: dict[str, list[list[Any]]]) -> None:
        self.source, self.sheets = source, sheets
        self.problems: list[Problem] = []
        self.places: dict[str, list[tuple[str, str]]] = {}  # code -> (sheet, cell) of its rows
        self.placeholders: set[str] = set()  # codes invented for rows whose code is blank

    def problem(self, message: str, sheet: str, row: int, col: int,
                code: str | None = None) -> None:
        self.problems.append(Problem(message, file=self.source, sheet=sheet,
                                     cell=_cell(row, col), code=code))

    def locate(self, problem: Problem) -> Problem:
        """A validation problem from parse_catalogue, pointed at the row(s) of its code."""
        places = self.places.get(problem.code or "")
        if not places:
            return problem
        sheet = places[0][0]
        cells = ", ".join(c if s == sheet else f"'{s}'!{c}" for s, c in places)
        code = None if problem.code in self.placeholders else problem.code
        return replace(problem, sheet=sheet, cell=cells, code=code)

    def sheet(self, name: str) -> list[list[Any]]:
        rows = self.sheets.get(_key(name))
        if rows is None:
            self.problems.append(Problem(f"thiếu sheet '{name}'; đừng đổi tên hay xóa sheet, hãy "
                                         "xuất lại bộ tiêu chí nếu cần", file=self.source))
        return rows or []

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        labels = {_key(v): k for k, v in INFO_ROWS.items()} | {_key(k): k for k in INFO_ROWS}
        for r, row in enumerate(self.sheet(INFO)[1:], start=1):
            label, value = (list(row) + ["", ""])[:2]
            if _blank(label) and _blank(value):
                continue
            key = labels.get(_key(label))
            if key is None:
                self.problem(f"mục '{_text(label)}' không có; chỉ dùng: "
                             + ", ".join(INFO_ROWS.values()), INFO, r, 0)
            elif not _blank(value):
                data[key] = _number(value) if key == "supplement_deduction" else _text(value)
        if "year" in data and re.fullmatch(r"\d{4}", data["year"]):
            data["year"] = int(data["year"])
        rating = [(list(row) + ["", ""])[:2] for row in self.sheet(RATING)[1:]]
        data["rating"] = [{"min": _number(m), "label": _text(label)}
                          for m, label in rating if not (_blank(m) and _blank(label))]
        units = [(list(row) + ["", ""])[:2] for row in self.sheet(UNITS)[1:]]
        data["units"] = [{"code": _text(c), "name": _text(n)}
                         for c, n in units if not (_blank(c) and _blank(n))]
        data["fields"] = self.tree(TREE, 0)
        for key, title in SECTIONS.items():
            rows = self.sheet(title)
            cap = rows[0][1] if rows and len(rows[0]) > 1 else ""
            items = self.tree(title, 1)
            if items or not _blank(cap):
                data[key] = {"items": items, **({} if _blank(cap) else {"cap": _number(cap)})}
        return data

    def tree(self, sheet: str, head_row: int) -> list[dict[str, Any]]:
        rows = self.sheet(sheet)
        if len(rows) <= head_row:
            return []
        found = {_key(h): c for c, h in enumerate(rows[head_row])}
        cols = {key: found[_key(h)] for key, h, *_ in COLUMNS if _key(h) in found}
        for key, header, *_ in COLUMNS:
            if key not in cols:
                self.problem(f"thiếu cột '{header}'; đừng đổi tên hay xóa cột", sheet, head_row, 0)
        top: list[dict[str, Any]] = []
        stack: list[dict[str, Any]] = []  # the open ancestors of the current row
        for r in range(head_row + 1, len(rows)):
            cells = {k: rows[r][c] for k, c in cols.items() if c < len(rows[r])}
            if all(_blank(v) for v in cells.values()):
                continue  # blank rows between criteria are harmless
            level = self.level(cells.pop("level", ""), len(stack), sheet, r, cols.get("level", 0))
            node = self.node(cells, sheet, r, cols)
            del stack[level - 1:]
            (stack[-1].setdefault("children", []) if stack else top).append(node)
            stack.append(node)
        return top

    def level(self, raw: Any, depth: int, sheet: str, row: int, col: int) -> int:
        number = _number(raw)
        if not isinstance(number, Decimal) or number != int(number) or number < 1:
            self.problem(f"Cấp phải là số nguyên 1, 2, 3 … (đang là '{_text(raw)}')",
                         sheet, row, col)
            return max(depth, 1)  # read on as a sibling of the row above
        if number > depth + 1:
            self.problem("dòng đầu tiên phải là cấp 1" if depth == 0 else
                         f"Cấp {int(number)} sâu hơn dòng trên (cấp {depth}) quá 1 cấp; "
                         f"dòng này chỉ được từ cấp 1 đến cấp {depth + 1}", sheet, row, col)
            return depth + 1
        return int(number)

    def node(self, cells: dict[str, Any], sheet: str, row: int,
             cols: dict[str, int]) -> dict[str, Any]:
        code = self.code(cells.pop("code", ""), sheet, row, cols.get("code", 1))
        self.places.setdefault(code, []).append((sheet, _cell(row, cols.get("code", 1))))
        node: dict[str, Any] = {"code": code}
        rule: dict[str, Any] = {}
        for key, raw in cells.items():
            if _blank(raw):
                continue
            text = _text(raw)
            target = node if key in NODE_KEYS else rule
            if key in NUMBERS:
                target[key] = _number(raw)
            elif key == "lead":
                node[key] = None if text == NONE else text
            elif key == "support":
                node[key] = [] if text == NONE else [s.strip() for s in re.split("[;,]", text)
                                                     if s.strip()]
            elif key in PAIRS:
                rule[key] = self.pairs(text, key, sheet, row, cols[key], code)
            else:
                target[key] = _key(text) if key in CHOICES else text
        if rule and rule.get("kind") not in KINDS:
            self.problem(f"Loại quy tắc '{rule.get('kind', '')}' không có; chỉ dùng: "
                         + ", ".join(KINDS), sheet, row, cols.get("kind", 0), code)
            rule = {"kind": "manual"}
        if any(v is None for k, v in rule.items() if k in PAIRS):
            rule = {"kind": "manual"}
        if rule:
            # A placeholder rule keeps the rest of the row validated without repeating the
            # problem just reported for its cell.
            node["rule"] = rule
        return node

    def code(self, raw: Any, sheet: str, row: int, col: int) -> str:
        if _blank(raw):
            self.problem("dòng có nội dung nhưng thiếu Mã", sheet, row, col)
            code = f"0-row-{len(self.placeholders)}"
            self.placeholders.add(code)
            return code
        if isinstance(raw, float) and not raw.is_integer():
            self.problem(f"Mã {raw!r} đang là số (Excel có thể đã đổi 3.10 thành 3,1): hãy "
                         "định dạng ô là chữ (Text) và gõ lại mã", sheet, row, col, repr(raw))
        return _text(raw)

    def pairs(self, text: str, key: str, sheet: str, row: int, col: int,
              code: str) -> list[list[Any]] | None:
        pairs: list[list[Any]] = []
        for part in filter(str.strip, text.split(";")):
            left, sep, right = (s.strip() for s in part.partition("="))
            try:
                if not sep or not left or "=" in right:
                    raise ValueError(part)
                number = PAIRS[key].form == "number_pairs"
                pairs.append([to_decimal(left) if number else left, to_decimal(right)])
            except ValueError:
                self.problem(f"không đọc được '{part.strip()}' trong ô '{text}': viết dạng "
                             f"{PAIRS[key].example}, cách nhau bằng dấu ;", sheet, row, col, code)
                return None
        return pairs


def _cell(row: int, col: int) -> str:
    from xlsxwriter.utility import xl_rowcol_to_cell

    return str(xl_rowcol_to_cell(row, col))
