"""The criteria catalogue (Bộ tiêu chí): loaded from YAML, validated all at once, hashed.

Loading collects every problem before failing so the Văn phòng fixes a file in one pass. The
content hash identifies the exact criteria a workbook was built from; returns built from another
catalogue are refused at merge time.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, Union

from ..errors import CatalogueError, FileError, Problem
from ..files.oserrors import reason
from .limits import leaf_limit_problems
from .numbers import plain, to_decimal, vn_number
from .rules import Rule, RuleProblem, parse_rule

DEFAULT_DEDUCTION = Decimal("0.3")
UNIT_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,15}$")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str


@dataclass(frozen=True)
class RatingBand:
    min: Decimal  # percent
    label: str


@dataclass(frozen=True)
class Leaf:
    code: str
    name: str
    max: Decimal
    rule: Rule
    lead: str | None  # effective: own or inherited
    support: tuple[str, ...]
    evidence: str = ""
    depth: int = 0  # 0 for a field; a leaf under a field is depth 1
    declared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_leaf(self) -> bool:
        return True


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    max: Decimal
    children: tuple[Node, ...]
    lead: str | None
    support: tuple[str, ...]
    evidence: str = ""
    depth: int = 0
    short_name: str = ""
    declared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_leaf(self) -> bool:
        return False

    def leaves(self) -> Iterator[Leaf]:
        for child in self.children:
            if isinstance(child, Leaf):
                yield child
            else:
                yield from child.leaves()

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Group):
                yield from child.walk()
            else:
                yield child


Node = Union[Leaf, Group]


@dataclass(frozen=True)
class Section:
    """Bonus (điểm thưởng) or penalty (điểm trừ) items; their total counts at most `cap`."""

    cap: Decimal
    items: tuple[Leaf, ...]


@dataclass(frozen=True)
class Catalogue:
    name: str
    year: int
    units: tuple[Unit, ...]
    fields: tuple[Group, ...]
    province: str = ""
    issued_by: str = ""
    note: str = ""
    supplement_deduction: Decimal = DEFAULT_DEDUCTION
    rating: tuple[RatingBand, ...] = ()
    bonus: Section | None = None
    penalty: Section | None = None
    # Likely slips found while loading (not errors; not part of the content hash).
    warnings: tuple[Problem, ...] = field(default=(), compare=False, repr=False)

    # -- navigation -----------------------------------------------------------------------
    def leaves(self) -> Iterator[Leaf]:
        for f in self.fields:
            yield from f.leaves()

    def extra_items(self) -> Iterator[tuple[str, Leaf]]:
        """Bonus and penalty leaves, tagged 'bonus' or 'penalty'."""
        for kind, section in (("bonus", self.bonus), ("penalty", self.penalty)):
            if section is not None:
                for item in section.items:
                    yield kind, item

    def all_leaves(self) -> Iterator[Leaf]:
        yield from self.leaves()
        for _, item in self.extra_items():
            yield item

    def nodes(self) -> Iterator[Node]:
        for f in self.fields:
            yield from f.walk()

    def unit(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)

    def unit_name(self, code: str | None) -> str:
        unit = self.unit(code) if code else None
        return unit.name if unit else (code or "")

    @property
    def max(self) -> Decimal:
        return sum((f.max for f in self.fields), Decimal(0))

    # -- who does what (computed once per catalogue) -----------------------------------------
    def unit_leaves(self, unit: str | None) -> tuple[Leaf, ...]:
        """The items a unit scores in its own workbook (it leads them and units enter them)."""
        return self.memo(("unit_leaves", unit), lambda: tuple(
            leaf for leaf in self.leaves() if leaf.lead == unit and leaf.rule.unit_input))

    def supported_leaves(self, unit: str | None) -> tuple[Leaf, ...]:
        """The items another unit scores and this one supports with evidence."""
        return self.memo(("supported_leaves", unit), lambda: tuple(
            leaf for leaf in self.leaves()
            if leaf.lead != unit and unit in leaf.support and leaf.rule.unit_input))

    def leaf(self, code: str) -> Leaf | None:
        """The leaf (bonus and penalty items included) with this code, if any."""
        return self.memo("leaves_by_code", lambda: {
            leaf.code: leaf for leaf in self.all_leaves()}).get(code)

    def has_items(self, unit: str) -> bool:
        """Whether a unit leads an item it enters itself (its return is expected)."""
        return bool(self.unit_leaves(unit))

    def gets_workbook(self, unit: str) -> bool:
        """Whether a unit gets a workbook: it leads items, or supports some with evidence."""
        return bool(self.unit_leaves(unit) or self.supported_leaves(unit))

    @property
    def leaf_codes(self) -> frozenset[str]:
        """Every leaf's code, bonus and penalty items included."""
        return self.memo("leaf_codes", lambda: frozenset(leaf.code for leaf in self.all_leaves()))

    def rating_for(self, percent: Decimal) -> str:
        for band in self.rating:
            if percent >= band.min:
                return band.label
        return ""

    # -- derived data, computed once ------------------------------------------------------
    @cached_property
    def _memo(self) -> dict[Any, Any]:
        return {}

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()` once per catalogue and key: catalogues are immutable, so derived data
        (a unit's items, a workbook's row map) can be kept with them."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # -- identity -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The catalogue as plain data, keys in schema order (what YAML and xlsx export write)."""
        data: dict[str, Any] = {"name": self.name, "year": self.year}
        for key in ("province", "issued_by", "note"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        data["supplement_deduction"] = self.supplement_deduction
        if self.rating:
            data["rating"] = [{"min": b.min, "label": b.label} for b in self.rating]
        data["units"] = [{"code": u.code, "name": u.name} for u in self.units]
        data["fields"] = [_node_dict(f) for f in self.fields]
        for key in ("bonus", "penalty"):
            section = getattr(self, key)
            if section is not None:
                data[key] = {"cap": section.cap, "items": [_node_dict(i) for i in section.items]}
        return data

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 (first 16 hex digits) of the canonical content; survives formatting changes."""
        canonical = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True,
                               default=lambda d: plain(d), separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _node_dict(node: Node) -> dict[str, Any]:
    data: dict[str, Any] = {"code": node.code, "name": node.name}
    if isinstance(node, Group) and node.short_name:
        data["short_name"] = node.short_name
    if isinstance(node, Leaf) or "max" in node.declared:
        data["max"] = node.max
    for key in ("lead", "support"):
        if key in node.declared:
            data[key] = node.declared[key]
    if node.evidence:
        data["evidence"] = node.evidence
    if isinstance(node, Leaf):
        data["rule"] = node.rule.to_dict()
    else:
        data["children"] = [_node_dict(c) for c in node.children]
    return data


# ---------------------------------------------------------------------------------------------
# Loading


def load_catalogue(path: str | Path) -> Catalogue:
    """Read and validate a catalogue YAML file."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileError(f"Không tìm thấy tệp bộ tiêu chí: {path}") from None
    except UnicodeDecodeError:
        raise FileError(f"Tệp {path} không phải văn bản UTF-8; hãy lưu lại với mã hóa "
                        "UTF-8.") from None
    except OSError as exc:
        raise FileError(f"Không đọc được tệp {path}: {reason(exc)}.") from None
    try:
        data = yaml_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        raise CatalogueError(f"Tệp {path.name} sai cú pháp YAML{where}; hãy sửa lại.",
                             [Problem(f"sai cú pháp YAML{where}: {exc}", file=path.name)]) from None
    return parse_catalogue(data, source=path.name)


def yaml_load(text: str) -> Any:
    """yaml.safe_load with libyaml's C loader when it is available (ten times faster)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


def parse_catalogue(data: Any, source: str = "bộ tiêu chí") -> Catalogue:
    """Validate plain data (from YAML or an xlsx import) into a Catalogue; report every problem."""
    return _Parser(source).parse(data)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.leaves: list[tuple[str, Rule, Decimal]] = []  # for the Excel limits, at the end
        self.codes: set[str] = set()
        self.unit_codes: set[str] = set()

    def problem(self, message: str, code: str | None = None) -> None:
        self.problems.append(Problem(message, file=self.source, code=code))

    def warn(self, message: str, code: str | None = None) -> None:
        self.warnings.append(Problem(message, file=self.source, code=code, severity="warning"))

    def parse(self, data: Any) -> Catalogue:
        if not isinstance(data, dict):
            raise CatalogueError(f"{self.source}: tệp bộ tiêu chí phải là một bảng YAML.",
                                 [Problem("nội dung không phải bảng YAML", file=self.source)])
        known = {"name", "year", "province", "issued_by", "note", "supplement_deduction",
                 "rating", "units", "fields", "bonus", "penalty"}
        for key in sorted(set(map(str, data)) - known):
            self.problem(f"khóa không biết ở cấp cao nhất: '{key}'")
        name = self.text(data.get("name"), "name", required=True)
        year = self.year(data.get("year"))
        deduction = self.deduction(data.get("supplement_deduction", DEFAULT_DEDUCTION))
        rating = self.rating(data.get("rating") or [])
        units = self.units(data.get("units"))
        fields = self.fields(data.get("fields"))
        bonus = self.section(data.get("bonus"), "bonus")
        penalty = self.section(data.get("penalty"), "penalty")
        self.excel_limits(deduction)
        # Read before the check below, so a list or table given as text is reported too.
        texts = {key: self.text(data.get(key), key) for key in ("province", "issued_by", "note")}
        if self.problems:
            raise CatalogueError(
                f"Bộ tiêu chí ({self.source}) có {len(self.problems)} lỗi; hãy sửa rồi kiểm tra "
                "lại.",
                self.problems)
        return Catalogue(name=name, year=year, units=units, fields=fields,
                         province=texts["province"], issued_by=texts["issued_by"],
                         note=texts["note"], supplement_deduction=deduction, rating=rating,
                         bonus=bonus, penalty=penalty, warnings=tuple(self.warnings))

    def excel_limits(self, deduction: Decimal) -> None:
        """Every leaf's cells as the builder will write them, within Excel's limits; checked
        once the tree is read, since its size bounds the row numbers."""
        for code, rule, max_points in self.leaves:
            for message in leaf_limit_problems(rule, max_points, deduction, len(self.codes)):
                self.problem(f"vượt giới hạn của Excel: {message}", code)

    # -- scalars --------------------------------------------------------------------------
    def text(self, value: Any, key: str, required: bool = False, code: str | None = None) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(f"thiếu '{key}'", code)
            return ""
        if isinstance(value, (dict, list)):
            self.problem(f"'{key}' phải là chữ", code)
            return ""
        return str(value).strip()

    def number(self, value: Any, what: str, code: str | None = None) -> Decimal | None:
        try:
            return to_decimal(value)
        except ValueError:
            self.problem(f"{what} phải là số (đang là {value!r})", code)
            return None

    def year(self, value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and 2000 <= value <= 2100:
            return value
        self.problem(f"'year' phải là năm đánh giá, ví dụ 2026 (đang là {value!r})")
        return 0

    def deduction(self, value: Any) -> Decimal:
        number = self.number(value, "supplement_deduction")
        if number is None:
            return DEFAULT_DEDUCTION
        if not (0 <= number < 1):
            self.problem("supplement_deduction phải từ 0 đến dưới 1 (ví dụ 0.3 là trừ 30%)")
        return number

    def rating(self, raw: Any) -> tuple[RatingBand, ...]:
        if not isinstance(raw, list):
            self.problem("'rating' phải là danh sách {min, label}")
            return ()
        bands = []
        for item in raw:
            if not isinstance(item, dict) or set(item) != {"min", "label"}:
                self.problem(f"mỗi mức xếp loại cần đúng hai khóa min và label (đang là {item!r})")
                continue
            low = self.number(item["min"], "min của mức xếp loại")
            label = self.text(item["label"], "label", required=True)
            if low is not None:
                bands.append(RatingBand(low, label))
        for upper, lower in zip(bands, bands[1:]):
            if not lower.min < upper.min:
                self.problem(f"các mức xếp loại phải xếp từ cao xuống thấp ('{lower.label}' "
                             f"đứng sau '{upper.label}')")
        return tuple(bands)

    def units(self, raw: Any) -> tuple[Unit, ...]:
        if not isinstance(raw, list) or not raw:
            self.problem("'units' phải là danh sách đơn vị {code, name} và không được rỗng")
            return ()
        units = []
        for item in raw:
            if not isinstance(item, dict) or set(item) != {"code", "name"}:
                self.problem(f"mỗi đơn vị cần đúng hai khóa code và name (đang là {item!r})")
                continue
            code = str(item["code"]).strip()
            if not UNIT_CODE.match(code):
                self.problem(f"mã đơn vị '{code}' không hợp lệ: chỉ dùng chữ không dấu, số và _, "
                             "bắt đầu bằng chữ, tối đa 16 ký tự")
            if code in self.unit_codes:
                self.problem(f"mã đơn vị '{code}' bị trùng")
            self.unit_codes.add(code)
            units.append(Unit(code, self.text(item["name"], "name", required=True)))
        return tuple(units)

    # -- the tree -------------------------------------------------------------------------
    def fields(self, raw: Any) -> tuple[Group, ...]:
        if not isinstance(raw, list) or not raw:
            self.problem("'fields' phải là danh sách lĩnh vực và không được rỗng")
            return ()
        fields = []
        for item in raw:
            node = self.node(item, depth=0, lead=None, support=())
            if isinstance(node, Leaf):
                self.problem("một lĩnh vực phải có các tiêu chí con (children)", node.code)
            elif node is not None:
                fields.append(node)
        return tuple(fields)

    def section(self, raw: Any, key: str) -> Section | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or set(raw) - {"cap", "items"} or "items" not in raw:
            self.problem(f"'{key}' phải có dạng {{cap: số, items: [...]}}")
            return None
        cap = self.number(raw.get("cap"), f"cap của {key}")
        if cap is not None and cap < 0:
            self.problem(f"cap của {key} không được âm")
        items = []
        for item in raw.get("items") or []:
            node = self.node(item, depth=1, lead=None, support=())
            if isinstance(node, Group):
                self.problem(f"mục {key} phải là tiêu chí lá (có max và rule)", node.code)
            elif node is not None:
                items.append(node)
        return Section(cap if cap is not None else Decimal(0), tuple(items))

    def node(self, raw: Any, depth: int, lead: str | None,
             support: tuple[str, ...]) -> Node | None:
        if not isinstance(raw, dict):
            self.problem(f"mỗi tiêu chí phải là một bảng có code, name (đang là {raw!r})")
            return None
        code = self.code(raw.get("code"))
        known = {"code", "name", "short_name", "max", "children", "rule", "lead", "support",
                 "evidence"}
        for key in sorted(set(map(str, raw)) - known):
            self.problem(f"khóa không biết: '{key}'", code)
        name = self.text(raw.get("name"), "name", required=True, code=code)
        declared = {k: raw[k] for k in ("lead", "support", "max") if k in raw}
        own_lead = self.lead(raw.get("lead"), code) if "lead" in raw else None
        own_support = self.support(raw.get("support"), code) if "support" in raw else None
        lead = own_lead if "lead" in raw else lead
        support = own_support if own_support is not None else support
        if "lead" in raw:
            declared["lead"] = own_lead
        if own_support is not None:
            declared["support"] = list(own_support)
        evidence = self.text(raw.get("evidence"), "evidence", code=code)
        has_children, has_rule = "children" in raw, "rule" in raw
        if has_children and has_rule:
            self.problem("một tiêu chí không thể vừa có children vừa có rule", code)
        if has_children:
            return self.group(raw, code, name, depth, lead, support, evidence, declared)
        if "short_name" in raw:
            self.problem("short_name chỉ dùng cho lĩnh vực", code)
        max_points = self.max(raw.get("max"), code)
        if not has_rule:
            self.problem("tiêu chí lá thiếu quy tắc chấm điểm (rule)", code)
            return None
        if max_points is None:
            return None
        try:
            rule = parse_rule(raw["rule"], max_points)
        except RuleProblem as exc:
            self.problem(f"quy tắc chấm điểm sai: {exc}", code)
            return None
        for message in rule.slips():
            self.warn(message, code)
        self.leaves.append((code, rule, max_points))
        if lead is None and rule.unit_input:
            self.problem("chưa có đơn vị chủ trì (lead), kể cả ở cấp trên", code)
        return Leaf(code, name, max_points, rule, lead, support, evidence, depth, declared)

    def group(self, raw: dict[str, Any], code: str, name: str, depth: int, lead: str | None,
              support: tuple[str, ...], evidence: str, declared: dict[str, Any]) -> Group | None:
        children_raw = raw.get("children")
        if not isinstance(children_raw, list) or not children_raw:
            self.problem("'children' phải là danh sách không rỗng", code)
            return None
        children = [self.node(c, depth + 1, lead, support) for c in children_raw]
        kept = tuple(c for c in children if c is not None)
        total = sum((c.max for c in kept), Decimal(0))
        if "max" in raw:
            stated = self.max(raw.get("max"), code)
            complete = len(kept) == len(children)
            if stated is not None and complete and stated != total:
                self.problem(f"điểm tối đa {vn_number(stated)} khác tổng điểm tối đa của các "
                             f"tiêu chí con ({vn_number(total)})", code)
        short = self.text(raw.get("short_name"), "short_name", code=code)
        if short and depth > 0:
            self.problem("short_name chỉ dùng cho lĩnh vực", code)
        elif depth == 0 and len(f"{code}. {short or name}") > 31 and short:
            self.problem(f"tên sheet '{code}. {short}' dài quá 31 ký tự (giới hạn của Excel); "
                         "hãy rút gọn short_name", code)
        return Group(code, name, total, kept, lead, support, evidence, depth, short, declared)

    def code(self, raw: Any) -> str:
        if isinstance(raw, bool) or raw is None or isinstance(raw, (float, dict, list)):
            hint = " (viết mã trong ngoặc kép, ví dụ \"3.2\")" if isinstance(raw, float) else ""
            self.problem(f"mã tiêu chí không hợp lệ: {raw!r}{hint}")
            return str(raw)
        code = str(raw).strip()
        if not code or not re.match(r"^[0-9A-Za-z][0-9A-Za-z._\-]*$", code):
            self.problem(f"mã tiêu chí '{code}' không hợp lệ: chỉ dùng chữ không dấu, số, dấu chấm")
        if code in self.codes:
            self.problem("mã tiêu chí bị trùng", code)
        self.codes.add(code)
        return code

    def max(self, raw: Any, code: str) -> Decimal | None:
        if raw is None:
            self.problem("thiếu điểm tối đa (max)", code)
            return None
        value = self.number(raw, "điểm tối đa (max)", code)
        if value is not None and value <= 0:
            self.problem("điểm tối đa phải lớn hơn 0", code)
        return value

    def lead(self, raw: Any, code: str) -> str | None:
        if raw is None:
            return None
        value = str(raw).strip()
        if value not in self.unit_codes:
            self.problem(f"đơn vị chủ trì '{value}' không có trong danh sách units", code)
        return value

    def support(self, raw: Any, code: str) -> tuple[str, ...]:
        if raw is None:
            return ()
        items = raw if isinstance(raw, list) else [raw]
        result = []
        for item in items:
            value = str(item).strip()
            if value not in self.unit_codes:
                self.problem(f"đơn vị phối hợp '{value}' không có trong danh sách units", code)
            result.append(value)
        return tuple(result)


def dump_catalogue(catalogue: Catalogue, header: str = "") -> str:
    """Canonical YAML text of a catalogue (what `catalogue import` writes)."""
    data = catalogue.to_dict()
    body = dump_yaml(data, c_emitter=_plain_text(data))
    return (header + body) if header else body


# libyaml's emitter writes the same text as PyYAML's pure-Python one, four to five times faster
# (the master's copy of the catalogue is dumped at every build), for text made of printable
# characters of the Basic Multilingual Plane. Tabs and control characters, line and paragraph
# separators, NEL, BOM, characters beyond the BMP, and a space next to a line break (which
# makes a long text double-quoted and folded) are written differently: a catalogue holding any
# of them is dumped by the pure-Python emitter. tests/test_catalogue_yaml.py compares the two.
_NOT_PLAIN = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]"
                        "| \n|\n ")


def _plain_text(value: Any) -> bool:
    """Whether every string in a nested structure (keys too) is plain text for the C emitter."""
    if isinstance(value, str):
        return not _NOT_PLAIN.search(value)
    if isinstance(value, dict):
        return all(_plain_text(k) and _plain_text(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_plain_text(v) for v in value)
    return True


def dump_yaml(data: Any, *, c_emitter: bool) -> str:
    """The catalogue's YAML layout: decimals as plain numbers, pairs on one line."""
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper) if c_emitter else yaml.SafeDumper

    class _Dumper(base):  # type: ignore[misc, valid-type]
        pass

    def decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
        text = plain(value)
        tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
        return dumper.represent_scalar(tag, text)

    def pair_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
        # Tiers and options read best on one line: [[100, 3], [98, 2.5]].
        flow = bool(value) and all(isinstance(v, list) and len(v) == 2 for v in value)
        if all(not isinstance(v, (list, dict)) for v in value):
            flow = True
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)

    _Dumper.add_representer(Decimal, decimal)
    _Dumper.add_representer(list, pair_list)
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)
