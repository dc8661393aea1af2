"""Broken and hostile returned workbooks, generated fresh (no binaries in git), each with the
outcome the merge must give it.

`build_corpus(root)` makes a sample master from the sample catalogue, splits it, has every unit
return sample inputs (typed with openpyxl) and merges them: that is the *baseline* master, the
state every case starts from. Each `Case` is then a folder of files to merge into a copy of the
baseline, with one `Expect` per file: outcome, severity, a fragment of the Vietnamese message and
the sheet/cell it must name. A file the merge must accept carries the data it holds (`Typed`), so
a test can check that exactly that, and nothing else, changed in the master.

Cases are built from freshly typed returns of NV1 (and NV2, VP where a case needs their rows),
with inputs that differ from the baseline so a wrongful merge shows. `python
tests/broken_returns.py --sizes` prints the corpus and the measured sizes of our own workbooks
(for docs/reliability.md).
"""

from __future__ import annotations

from devtools.saved import set_saved
import csv
import datetime as dt
import io
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cchc_xl.criteria.catalogue import Catalogue, Leaf, load_catalogue
from cchc_xl.format.layout import (COL, EVIDENCE_COL, EVIDENCE_FIRST_ROW, EVIDENCE_SHEET,
                                   META_SHEET, cell_ref)
from cchc_xl.ops.merge import MERGED, REJECTED, SUPERSEDED
from cchc_xl.ops.master import Master
from cchc_xl.criteria.rules import (ChoiceRule, CountTiersRule, ManualRule, RateTiersRule,
                                    RatioRule, YesNoRule)
from cchc_xl.sample_data import (fill_with_openpyxl, sample_entry, sample_evidence,
                                 sample_state_entries)
from cchc_xl.format.state import Entry, EvidenceRow
from cchc_xl.build.context import RowMapEntry
from cchc_xl.format.rowmap import Audience, row_map

SAMPLE = Path(__file__).resolve().parent.parent / "cchc_xl" / "data" / "sample_catalogue.yaml"
ORG = "Sở Tư pháp tỉnh Lạng Sơn"
NOW = dt.datetime(2026, 12, 10, 9, 0)  # the library merges' "now" (evidence dates are checked)
UNIT = "NV1"  # the unit whose return is broken in most cases
FIELD2 = "2. Thể chế"  # NV1's own items are on this sheet
ERROR, WARNING = "error", "warning"

# Every case the builder makes, in order (tests are parametrized by these names).
CASE_NAMES = (
    "wrong-year", "wrong-catalogue", "unknown-unit", "unit-code-markup", "other-unit-code",
    "meta-sheet-deleted", "meta-template-id", "meta-format-version", "meta-format-version-nan",
    "meta-yaml-key", "master-as-return",
    "sheet-renamed", "sheet-deleted", "evidence-sheet-deleted", "extra-sheet", "row-deleted",
    "row-inserted", "rows-reordered", "code-edited", "column-inserted",
    "formula-overwritten", "text-in-number", "negative-number", "b-greater-than-a",
    "choice-not-in-list", "not-x-in-na", "formula-in-input", "points-above-max",
    "date-in-future", "date-not-a-date", "evidence-unknown-code", "office-column-typed",
    "inf-in-number", "nan-in-points",
    "same-unit-twice", "saved-in-year-9999", "supporting-unit-answers", "evidence-other-unit",
    "empty-workbook", "csv-renamed", "zero-bytes", "html-renamed", "docx-renamed",
    "truncated-zip", "corrupt-deflate", "damaged-sheet-xml", "encrypted", "oversize",
    "ods-renamed", "xls-renamed",
    "xlsm-with-macros", "external-links", "formula-injection", "zip-bomb-1gb", "zip-bomb-ratio",
    "billion-laughs", "billion-laughs-after-comment", "billion-laughs-utf16", "external-entity",
    "thousands-of-parts", "far-cell", "far-row",
)
LIBREOFFICE_CASES = ("ods-renamed", "xls-renamed")  # files soffice writes: tests need LibreOffice


# ---------------------------------------------------------------------------------------------
# The model


@dataclass
class Typed:
    """What a generated return holds: the unit's inputs (with notes) and evidence rows."""

    unit: str
    entries: dict[str, Entry]
    evidence: list[EvidenceRow]


@dataclass(frozen=True)
class Expect:
    file: str
    outcome: str  # merge.MERGED / REJECTED / SUPERSEDED
    fragment: str | None = None  # part of the message the file must get (None: no problem needed)
    severity: str = ERROR
    sheet: str | None = None
    cell: str | None = None
    data: Typed | None = None  # for an accepted file: what must now be in the master


@dataclass
class Case:
    name: str
    group: str  # the class of bad input, for the table in docs/reliability.md
    what: str  # one line, English
    folder: Path
    expects: list[Expect]
    exit_code: int
    cli: bool = False  # run through `cchc-xl merge` (CliRunner) instead of merge()
    bomb: bool = False  # also merged in the bounded-memory subprocess
    tz: str | None = None  # run with this TZ (POSIX string)
    needs: str | None = None  # "soffice" when LibreOffice made the file


@dataclass
class Corpus:
    root: Path
    catalogue: Catalogue
    master: Path  # the baseline master: never modified, cases work on copies
    sent: dict[str, Path]  # unit → the workbook the Văn phòng sent
    baseline: dict[str, Typed]  # unit → what its baseline return held
    cases: list[Case] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # cases that could not be built, and why

    def case(self, name: str) -> Case:
        return next(c for c in self.cases if c.name == name)


# ---------------------------------------------------------------------------------------------
# Typing returns


def variant_entry(leaf: Leaf, k: int) -> Entry:
    """Valid inputs for a leaf that differ from the sample ones (k = 2, 3 … gives more)."""
    base, rule, note = sample_entry(leaf), leaf.rule, f"Giải trình bản {k} tiêu chí {leaf.code}"
    if isinstance(rule, (RatioRule, RateTiersRule)):
        total = int(base.a) + 10 * k
        return Entry(a=total, b=total - k, note=note)
    if isinstance(rule, CountTiersRule):
        return Entry(value=int(base.value) + k, note=note)
    if isinstance(rule, YesNoRule):
        return Entry(value=rule.no if base.value == rule.yes else rule.yes, note=note)
    if isinstance(rule, ChoiceRule):
        options = list(rule.options)
        return Entry(value=options[(options.index(base.value) + k) % len(options)], note=note)
    if isinstance(rule, ManualRule):
        return Entry(value=float(leaf.max) / 2 if k == 2 else float(leaf.max) / 4, note=note)
    raise TypeError(rule)


def variant(catalogue: Catalogue, unit: str, k: int) -> Typed:
    leaves = list(catalogue.unit_leaves(unit))
    evidence = [EvidenceRow(code=leaf.code, number=f"{k}{i:02d}/BC-{unit}",
                            date=dt.date(2026, 3, 1 + i % 27),
                            subject=f"Báo cáo bản {k} về tiêu chí {leaf.code}",
                            issuer="Sở Tư pháp",
                            link=f"\\\\may-chu\\CCHC\\{unit}\\{leaf.code}-{k}.pdf")
                for i, leaf in enumerate(leaves)]
    return Typed(unit, {leaf.code: variant_entry(leaf, k) for leaf in leaves}, evidence)


class Layout:
    """Where things are in a unit's workbook (from the plan the builder used)."""

    def __init__(self, catalogue: Catalogue, unit: str) -> None:
        self.rows: dict[str, RowMapEntry] = {e.code: e for e in
                                              row_map(catalogue, Audience("unit", unit))}

    def cell(self, code: str, key: str) -> str:
        return cell_ref(self.rows[code].row, COL[key])

    def sheet(self, code: str) -> str:
        return self.rows[code].sheet

    def excel_row(self, code: str) -> int:  # 1-based, as openpyxl counts
        return self.rows[code].row + 1


def evidence_cell(index: int, key: str) -> str:
    return cell_ref(EVIDENCE_FIRST_ROW + index, EVIDENCE_COL[key])


def type_into(book: Any, layout: Layout, typed: Typed) -> None:
    """Type a return's inputs, notes and evidence into an openpyxl book of that unit."""
    for code, entry in typed.entries.items():
        ws = book[layout.sheet(code)]
        for key in ("a", "b", "value", "na", "supp", "note"):
            value = getattr(entry, key)
            if value is not None:
                ws[layout.cell(code, key)] = value
    register = book[EVIDENCE_SHEET]
    for i, row in enumerate(typed.evidence):
        for key in EVIDENCE_COL:
            value = getattr(row, key)
            if value is not None:
                register[evidence_cell(i, key)] = value


def edit_book(src: Path, dst: Path, layout: Layout | None = None, typed: Typed | None = None,
              edit: Callable[[Any], None] | None = None) -> Path:
    """openpyxl: load the sent workbook, type a return into it, apply `edit`, save as dst."""
    import openpyxl

    book = openpyxl.load_workbook(src)
    if typed is not None and layout is not None:
        type_into(book, layout, typed)
    if edit is not None:
        edit(book)
    dst.parent.mkdir(parents=True, exist_ok=True)
    book.save(dst)
    return dst


def set_meta(book: Any, key: str, value: Any) -> None:
    ws = book[META_SHEET]
    for row in ws.iter_rows(min_col=1, max_col=2):
        if row[0].value == key:
            row[1].value = value
            return
    raise KeyError(key)


def as_text(ws: Any, ref: str, text: str) -> None:
    """A string that starts with '=' stored as text, as Excel stores '=1+1 typed with a quote."""
    ws[ref] = text
    ws[ref].data_type = "s"


# ---------------------------------------------------------------------------------------------
# Editing the package itself


def edit_zip(src: Path, dst: Path, edit: Callable[[str, bytes], bytes | None] | None = None,
             add: dict[str, bytes] | None = None, drop: tuple[str, ...] = ()) -> Path:
    """Copy a zip part by part; `edit(name, data)` may return replacement bytes."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info)
            if edit is not None:
                data = edit(info.filename, data) or data
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def sheet_part(path: Path, sheet: str) -> str:
    """The zip part name of a worksheet, found through workbook.xml and its relationships."""
    from xml.sax.saxutils import escape

    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    quoted = re.escape(escape(sheet, {'"': "&quot;"}))
    rid = found(rf'<sheet [^>]*name="{quoted}"[^>]*r:id="([^"]+)"', workbook, 1)
    rel = found(rf'<Relationship [^>]*Id="{rid}"[^>]*/>', rels)
    target = found(r'Target="([^"]+)"', rel, 1).lstrip("/")
    return target if target.startswith("xl/") else "xl/" + target


def found(pattern: str, text: str, group: int = 0, flags: int = 0) -> str:
    """The match (or one group of it) of a pattern that must be there."""
    match = re.search(pattern, text, flags)
    assert match is not None, pattern
    return match.group(group)


def replace_cell(xml: bytes, ref: str, body: str, attributes: str = "") -> bytes:
    """Replace cell `ref` of a sheet's XML by `<c r="ref"{attributes}>body</c>`."""
    pattern = rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)'.encode()
    new, count = re.subn(pattern, f'<c r="{ref}"{attributes}>{body}</c>'.encode(), xml, count=1,
                         flags=re.S)
    assert count == 1, ref
    return new


def set_modified(src: Path, dst: Path, stamp: str) -> Path:
    """docProps/core.xml's modified time, as a save at that moment would write it."""
    return set_saved(src, stamp, dst)


def raw_zip(dst: Path, parts: list[tuple[str, bytes, int, int]]) -> Path:
    """Write a zip from (name, raw deflate data, crc32, uncompressed size) by hand."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, crc, size in parts:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                              len(encoded), 0) + encoded)
        out.write(data)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                                  len(data), size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts),
                          len(central.getvalue()), start, 0))
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(out.getvalue())
    return dst


def deflated_parts(src: Path) -> list[tuple[str, bytes, int, int]]:
    parts = []
    with zipfile.ZipFile(src) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            parts.append((info.filename, packer.compress(data) + packer.flush(),
                          zlib.crc32(data), len(data)))
    return parts


def zeros_part(name: str, megabytes: int) -> tuple[str, bytes, int, int]:
    """A part of `megabytes` MiB of zeros, deflated to ~1/1000 (built in well under a second)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(1 << 20)) + packer.flush(zlib.Z_FULL_FLUSH)
    crc, zeros = 0, bytes(1 << 20)
    for _ in range(megabytes):
        crc = zlib.crc32(zeros, crc)
    return name, block * megabytes + packer.flush(), crc, megabytes << 20


BILLION_LAUGHS = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1
                                                             else b"&lol;") * 10)
                             for i in range(1, 10)) + b"]>\n")


def with_entity(prolog: bytes, sheet: str, ref: str, utf16: bool = False
                ) -> tuple[Callable[[str, bytes], bytes | None], dict[str, bytes]]:
    """(edit, added parts) giving a return an xl/sharedStrings.xml whose only string is &lol9;
    under the DTD `prolog`, registered in the package, and used by cell `ref` of part `sheet`.

    Returns typed with openpyxl store their text inline, so the part is added."""
    text = prolog + (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                     b'count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    if utf16:
        text = b"\xff\xfe" + text.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"'
                                                   ).encode("utf-16-le")

    def edit(name: str, data: bytes) -> bytes | None:
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" Content'
                                b'Type="application/vnd.openxmlformats-officedocument.spreadsheet'
                                b'ml.sharedStrings+xml"/></Types>')
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://sc'
                                b'hemas.openxmlformats.org/officeDocument/2006/relationships/sha'
                                b'redStrings" Target="sharedStrings.xml"/></Relationships>')
        if name == sheet:
            return replace_cell(data, ref, "<v>0</v>", ' t="s"')
        return None
    return edit, {"xl/sharedStrings.xml": text}


# ---------------------------------------------------------------------------------------------
# Building the corpus


def build_baseline(root: Path) -> Corpus:
    """Master → split → every unit returns sample inputs → merged: the state cases start from."""
    catalogue = load_catalogue(SAMPLE)
    master = root / "baseline" / "tong-hop.xlsx"
    master.parent.mkdir(parents=True)
    Master.create(SAMPLE, master, org=ORG)
    sent = {p.stem.rsplit("-", 1)[1]: p for p in Master.open(master).split(root / "gui").files}
    returned = root / "v1"
    returned.mkdir()
    baseline = {}
    for unit, path in sent.items():
        entries = sample_state_entries(catalogue, unit)
        evidence = sample_evidence(catalogue, unit, catalogue.year)
        fill_with_openpyxl(path, returned / path.name, entries, evidence)
        baseline[unit] = Typed(unit, entries, evidence)
    result = Master.open(master).merge([returned], now=NOW)
    assert result.exit_code == 0 and all(f.outcome == MERGED for f in result.files), [
        (f.data.path.name, [str(p) for p in f.errors]) for f in result.files]
    return Corpus(root, catalogue, master, sent, baseline)


def build_corpus(root: Path) -> Corpus:
    corpus = build_baseline(Path(root))
    _Builder(corpus).build()
    return corpus


class _Builder:
    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.cat = corpus.catalogue
        self.layouts = {u: Layout(self.cat, u) for u in corpus.sent}
        self.nv1 = self.layouts[UNIT]
        self.v2 = variant(self.cat, UNIT, 2)
        self.cases_dir = corpus.root / "cases"
        self.work = corpus.root / "work"
        self.work.mkdir()
        self._typed: dict[tuple[str, int], Path] = {}

    # helpers -------------------------------------------------------------------------------

    def typed(self, unit: str = UNIT, k: int = 2) -> Path:
        """A valid return of `unit` with variant-k inputs (built once)."""
        if (unit, k) not in self._typed:
            data = self.v2 if (unit, k) == (UNIT, 2) else variant(self.cat, unit, k)
            self._typed[unit, k] = edit_book(self.corpus.sent[unit],
                                             self.work / f"{unit}-v{k}.xlsx",
                                             self.layouts[unit], data)
        return self._typed[unit, k]

    def folder(self, name: str) -> Path:
        path = self.cases_dir / name
        path.mkdir(parents=True)
        return path

    def add(self, name: str, group: str, what: str, expects: list[Expect], *,
            exit_code: int | None = None, **options: Any) -> None:
        assert name in CASE_NAMES, name
        if exit_code is None:
            exit_code = 1 if any(e.outcome == REJECTED and e.severity == ERROR
                                 for e in expects) else 0
        self.corpus.cases.append(Case(name, group, what, self.cases_dir / name, expects,
                                      exit_code, **options))

    def file_name(self, suffix: str = ".xlsx") -> str:
        return f"CCHC-{self.cat.year}-{UNIT}{suffix}"

    def book_case(self, name: str, group: str, what: str, edit: Callable[[Any], None],
                  fragment: str | None, sheet: str | None = None, cell: str | None = None,
                  outcome: str = REJECTED, severity: str = ERROR, unit: str = UNIT,
                  merged: Typed | None = None, **options: Any) -> None:
        """A return typed with variant inputs, then edited with openpyxl."""
        typed = self.v2 if unit == UNIT else variant(self.cat, unit, 2)
        dst = self.folder(name) / f"CCHC-{self.cat.year}-{unit}.xlsx"
        edit_book(self.corpus.sent[unit], dst, self.layouts[unit], typed, edit)
        data = (merged or typed) if outcome == MERGED else None
        self.add(name, group, what, [Expect(dst.name, outcome, fragment, severity, sheet, cell,
                                            data)], **options)

    def zip_case(self, name: str, group: str, what: str,
                 edit: Callable[[str, bytes], bytes | None] | None, fragment: str,
                 add: dict[str, bytes] | None = None, sheet: str | None = None,
                 cell: str | None = None, outcome: str = REJECTED, severity: str = ERROR,
                 suffix: str = ".xlsx", **options: Any) -> Path:
        """The variant return with its package edited part by part."""
        dst = edit_zip(self.typed(), self.folder(name) / self.file_name(suffix), edit, add)
        self.add(name, group, what, [Expect(dst.name, outcome, fragment, severity, sheet, cell,
                                            self.v2 if outcome == MERGED else None)], **options)
        return dst

    def bytes_case(self, name: str, group: str, what: str, data: bytes, fragment: str,
                   **options: Any) -> None:
        dst = self.folder(name) / self.file_name()
        dst.write_bytes(data)
        self.add(name, group, what, [Expect(dst.name, REJECTED, fragment)], **options)

    # the cases -----------------------------------------------------------------------------

    def build(self) -> None:
        self.metadata()
        self.structure()
        self.values()
        self.several_files()
        self.containers()
        self.hostile()

    def metadata(self) -> None:
        g = "identity and metadata"
        meta = self.meta_cells()
        self.book_case("wrong-year", g, "catalogue_year 2025 in '_cchc'",
                       lambda b: set_meta(b, "catalogue_year", 2025),
                       "không phải năm 2026", META_SHEET, meta["catalogue_year"], cli=True)
        self.book_case("wrong-catalogue", g, "catalogue_hash of another criteria set",
                       lambda b: set_meta(b, "catalogue_hash", "0123456789abcdef"),
                       "bộ tiêu chí khác", META_SHEET, meta["catalogue_hash"])
        self.book_case("unknown-unit", g, "unit_code ZZ9, not in the catalogue",
                       lambda b: set_meta(b, "unit_code", "ZZ9"),
                       "không có trong bộ tiêu chí", META_SHEET, meta["unit_code"])
        self.book_case("unit-code-markup", g, "unit_code '[/red]' (console markup) — crashed the "
                       "CLI report before the fix", lambda b: set_meta(b, "unit_code", "[/red]"),
                       "không hợp lệ", META_SHEET, meta["unit_code"], cli=True)
        self.book_case("other-unit-code", g, "NV1's workbook claiming to be VP's",
                       lambda b: set_meta(b, "unit_code", "VP"), "phải là tiêu chí",
                       *self.first_mismatch("VP"))
        self.book_case("meta-sheet-deleted", g, "hidden '_cchc' sheet deleted",
                       lambda b: b.remove(b[META_SHEET]), "không có sheet thông tin ẩn '_cchc'")
        self.book_case("meta-template-id", g, "template_id overwritten",
                       lambda b: set_meta(b, "template_id", "khác"), "thiếu template_id",
                       META_SHEET, meta["template_id"])
        self.book_case("meta-format-version", g, "format_version 99 (from a future version)",
                       lambda b: set_meta(b, "format_version", 99), "định dạng phiên bản",
                       META_SHEET, meta["format_version"])
        self.book_case("meta-format-version-nan", g, "format_version is the number NaN",
                       lambda b: set_meta(b, "format_version", float("nan")),
                       "định dạng phiên bản", META_SHEET, meta["format_version"])

        def yaml_key(book: Any) -> None:
            ws = book[META_SHEET]
            ws.cell(row=ws.max_row + 1, column=1, value="catalogue_yaml_x")
        self.book_case("meta-yaml-key", g, "extra '_cchc' key catalogue_yaml_x (crashed merge "
                       "before the fix); harmless, merged", yaml_key, None, outcome=MERGED)
        master_copy = self.folder("master-as-return") / "tong-hop-ban-sao.xlsx"
        shutil.copy(self.corpus.master, master_copy)
        self.add("master-as-return", g, "a copy of the master sent back as a return",
                 [Expect(master_copy.name, REJECTED, "tệp tổng hợp của Văn phòng")])

    def structure(self) -> None:
        g = "sheets, rows and columns"
        nv1 = self.nv1

        def rename(book: Any) -> None:
            book[FIELD2].title = "2. The che"
        self.book_case("sheet-renamed", g, f"sheet '{FIELD2}' renamed", rename,
                       f"thiếu sheet '{FIELD2}'", FIELD2)
        self.book_case("sheet-deleted", g, f"sheet '{FIELD2}' deleted",
                       lambda b: b.remove(b[FIELD2]), f"thiếu sheet '{FIELD2}'", FIELD2)
        self.book_case("evidence-sheet-deleted", g, "evidence register deleted",
                       lambda b: b.remove(b[EVIDENCE_SHEET]), f"thiếu sheet '{EVIDENCE_SHEET}'",
                       EVIDENCE_SHEET)
        def extra(book: Any) -> None:
            book.create_sheet("Ghi chép riêng")["A1"] = "số liệu nháp"
        self.book_case("extra-sheet", g, "a sheet added by the unit (merged, with a warning)",
                       extra, "sheet thêm 'Ghi chép riêng'", "Ghi chép riêng", outcome=MERGED,
                       severity=WARNING)
        self.book_case("row-deleted", g, "the row of 2.2.1 deleted",
                       lambda b: b[FIELD2].delete_rows(nv1.excel_row("2.2.1")),
                       "phải là tiêu chí 2.2.1", FIELD2, nv1.cell("2.2.1", "code"))
        self.book_case("row-inserted", g, "a row inserted above 2.2.1",
                       lambda b: b[FIELD2].insert_rows(nv1.excel_row("2.2.1")),
                       "phải là tiêu chí 2.2.1", FIELD2, nv1.cell("2.2.1", "code"))

        def swap(book: Any) -> None:
            ws = book[FIELD2]
            r1, r2 = nv1.excel_row("2.2.1"), nv1.excel_row("2.2.2")
            for col in range(1, len(COL) + 1):
                one, two = ws.cell(r1, col), ws.cell(r2, col)
                one.value, two.value = two.value, one.value
        self.book_case("rows-reordered", g, "rows 2.2.1 and 2.2.2 swapped", swap,
                       "phải là tiêu chí 2.2.1", FIELD2, nv1.cell("2.2.1", "code"))
        self.book_case("code-edited", g, "code 2.3.1 edited to 2.3.9",
                       lambda b: b[FIELD2].__setitem__(nv1.cell("2.3.1", "code"), "2.3.9"),
                       "phải là tiêu chí 2.3.1", FIELD2, nv1.cell("2.3.1", "code"))
        self.book_case("column-inserted", g, "a column inserted before column E",
                       lambda b: b[FIELD2].insert_cols(COL["a"] + 1),
                       "phải là 'a (tổng số)'", FIELD2, cell_ref(3, COL["a"]))

    def values(self) -> None:
        g = "values"
        nv1 = self.nv1

        def put(code: str, key: str, value: Any, sheet: str = FIELD2) -> Callable[[Any], None]:
            return lambda b: b[sheet].__setitem__(nv1.cell(code, key), value)
        self.book_case("formula-overwritten", g, "points formula of 2.1.1 typed over with 99",
                       put("2.1.1", "points", 99), "công thức đã bị gõ đè", FIELD2,
                       nv1.cell("2.1.1", "points"), cli=True)
        self.book_case("text-in-number", g, "a = 'mười' (text) for 2.1.1",
                       put("2.1.1", "a", "mười"), "phải là một số", FIELD2, nv1.cell("2.1.1", "a"))
        self.book_case("negative-number", g, "a = -5 for 2.2.2", put("2.2.2", "a", -5),
                       "không được là số âm", FIELD2, nv1.cell("2.2.2", "a"))

        def b_over_a(book: Any) -> None:
            book[FIELD2][nv1.cell("2.1.1", "a")] = 10
            book[FIELD2][nv1.cell("2.1.1", "b")] = 50
        self.book_case("b-greater-than-a", g, "b = 50 > a = 10 for 2.1.1", b_over_a,
                       "b không thể lớn hơn a", FIELD2, nv1.cell("2.1.1", self.flagged(
                           "2.1.1", a=10, b=50)))
        self.book_case("choice-not-in-list", g, "2.2.1 value not one of its options",
                       put("2.2.1", "value", "Ban hành rất tốt"), "phải là một trong các mức",
                       FIELD2, nv1.cell("2.2.1", "value"))
        self.book_case("not-x-in-na", g, "'có' in the x-only 'Không chấm điểm' column",
                       put("2.3.1", "na", "có"), "chỉ nhận chữ x", FIELD2,
                       nv1.cell("2.3.1", "na"))
        self.book_case("formula-in-input", g, "a typed as a formula (=10*2) saved without a value",
                       put("2.1.1", "a", "=10*2"), "chưa nhập a", FIELD2,
                       nv1.cell("2.1.1", "a"))
        manual = next(leaf for leaf in self.cat.leaves()
                      if isinstance(leaf.rule, ManualRule) and leaf.rule.unit_input
                      and leaf.lead in self.corpus.sent)
        layout = self.layouts[manual.lead]
        self.book_case("points-above-max", g, f"manual points {manual.code} = 99 > max "
                       f"{manual.max}", lambda b: b[layout.sheet(manual.code)].__setitem__(
                           layout.cell(manual.code, "value"), 99), "vượt điểm tối đa",
                       layout.sheet(manual.code), layout.cell(manual.code, "value"),
                       unit=manual.lead)

        def evidence(key: str, value: Any) -> Callable[[Any], None]:
            return lambda b: b[EVIDENCE_SHEET].__setitem__(evidence_cell(1, key), value)
        self.book_case("date-in-future", g, "evidence issued 01/01/2099",
                       evidence("date", dt.date(2099, 1, 1)), "ở tương lai", EVIDENCE_SHEET,
                       evidence_cell(1, "date"))
        self.book_case("date-not-a-date", g, "evidence date typed as text 'hôm qua'",
                       evidence("date", "hôm qua"), "không phải ngày", EVIDENCE_SHEET,
                       evidence_cell(1, "date"))
        self.book_case("evidence-unknown-code", g, "evidence row for code 9.9.9",
                       evidence("code", "9.9.9"), "không có trong bộ tiêu chí", EVIDENCE_SHEET,
                       evidence_cell(1, "code"))
        self.book_case("office-column-typed", g, "the Văn phòng's 'Điểm thẩm định' typed "
                       "(merged, value ignored, warning)", put("2.1.1", "appraised", 1),
                       "do Văn phòng nhập", FIELD2, nv1.cell("2.1.1", "appraised"),
                       outcome=MERGED, severity=WARNING)
        part = sheet_part(self.typed(), FIELD2)

        def raw_value(code: str, key: str, text: str) -> Callable[[str, bytes], bytes | None]:
            def edit(name: str, data: bytes) -> bytes | None:
                return replace_cell(data, nv1.cell(code, key), f"<v>{text}</v>") \
                    if name == part else None
            return edit
        self.zip_case("inf-in-number", g, "<v>inf</v> in a (crashed merge before the fix)",
                      raw_value("2.1.1", "a", "inf"), "phải là một số", sheet=FIELD2,
                      cell=nv1.cell("2.1.1", "a"))
        self.zip_case("nan-in-points", g, "<v>NaN</v> in the points cell (crashed merge before "
                      "the fix)", raw_value("2.1.1", "points", "NaN"), "công thức đã bị gõ đè",
                      sheet=FIELD2, cell=nv1.cell("2.1.1", "points"))

    def several_files(self) -> None:
        g = "several files"
        folder = self.folder("same-unit-twice")
        older = set_modified(self.typed(UNIT, 3), folder / "CCHC-2026-NV1 (ban cu).xlsx",
                             "2026-11-01T08:00:00Z")
        newer = set_modified(self.typed(UNIT, 2), folder / "CCHC-2026-NV1.xlsx",
                             "2026-12-01T08:00:00Z")
        self.add("same-unit-twice", g, "NV1 sent an older and a newer file",
                 [Expect(newer.name, MERGED, data=self.v2),
                  Expect(older.name, SUPERSEDED, "gửi nhiều tệp", WARNING)], cli=True)
        folder = self.folder("saved-in-year-9999")
        odd = set_modified(self.typed(UNIT, 2), folder / "a.xlsx", "9999-12-31T23:59:59Z")
        other = set_modified(self.typed(UNIT, 3), folder / "b.xlsx", "2026-11-01T08:00:00Z")
        self.add("saved-in-year-9999", g, "two files of NV1, one 'saved' 9999-12-31T23:59:59Z, "
                 "merged at UTC+7 (OverflowError before the fix)",
                 [Expect(odd.name, MERGED, data=self.v2),
                  Expect(other.name, SUPERSEDED, "gửi nhiều tệp", WARNING)], tz="<+07>-7")
        # A supporting unit typing into a row it only supports, while the lead sends its own.
        lead_typed = variant(self.cat, "VP", 2)
        support = next(code for code, e in self.nv1.rows.items()
                       if e.role == "support" and self._lead(code) == "VP")
        folder = self.folder("supporting-unit-answers")
        lead = edit_book(self.corpus.sent["VP"], folder / "CCHC-2026-VP.xlsx",
                         self.layouts["VP"], lead_typed)

        def answer(book: Any) -> None:
            ws = book[self.nv1.sheet(support)]
            ws[self.nv1.cell(support, "a")] = 1000
            ws[self.nv1.cell(support, "b")] = 1
        supporter = edit_book(self.corpus.sent[UNIT], folder / self.file_name(), self.nv1,
                              self.v2, answer)
        lead_name = self.cat.unit_name(self._lead(support))
        self.add("supporting-unit-answers", g, f"NV1 typed a and b into {support}, which "
                 f"{self._lead(support)} leads and sends too",
                 [Expect(lead.name, MERGED, data=lead_typed),
                  Expect(supporter.name, REJECTED, f"do {lead_name} chủ trì",
                         sheet=self.nv1.sheet(support), cell=self.nv1.cell(support, "a"))])
        # Evidence filed under another unit: merged as NV1's, with a warning.
        claimed = Typed(UNIT, self.v2.entries, [EvidenceRow(**{**e.__dict__, "unit": "VP"})
                                                if i == 0 else e
                                                for i, e in enumerate(self.v2.evidence)])
        dst = edit_book(self.corpus.sent[UNIT], self.folder("evidence-other-unit") /
                        self.file_name(), self.nv1, claimed)
        self.add("evidence-other-unit", g, "an evidence row of NV1's return says 'VP' in "
                 "'Đơn vị cung cấp' (duplicated on each resend before the fix)",
                 [Expect(dst.name, MERGED, "ghi VP nhưng tệp là của đơn vị NV1", WARNING,
                         EVIDENCE_SHEET, evidence_cell(0, "unit"), self.v2)])

    def containers(self) -> None:
        g = "not a workbook, damaged, encrypted"
        import openpyxl

        empty = self.folder("empty-workbook") / self.file_name()
        openpyxl.Workbook().save(empty)
        self.add("empty-workbook", g, "a new empty workbook",
                 [Expect(empty.name, REJECTED, "không có sheet thông tin ẩn '_cchc'")])
        lines = io.StringIO()
        writer = csv.writer(lines)
        writer.writerow(["Mã", "Tiêu chí", "a", "b"])
        for code, entry in self.v2.entries.items():
            writer.writerow([code, "", entry.a, entry.b])
        self.bytes_case("csv-renamed", g, "a CSV export renamed .xlsx",
                        lines.getvalue().encode("utf-8-sig"), "có thể là .csv")
        self.bytes_case("zero-bytes", g, "a file of 0 bytes", b"", "tệp rỗng (0 byte)", cli=True)
        self.bytes_case("html-renamed", g, "an HTML page saved as .xls, renamed .xlsx",
                        b"<html><body><table><tr><td>2.1.1</td></tr></table></body></html>",
                        "không phải tệp Excel .xlsx")
        docx = io.BytesIO()
        with zipfile.ZipFile(docx, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
        self.bytes_case("docx-renamed", g, "a Word document renamed .xlsx", docx.getvalue(),
                        "thiếu xl/workbook.xml")
        data = self.typed().read_bytes()
        self.bytes_case("truncated-zip", g, "the first half of a return (interrupted download)",
                        data[: len(data) // 2], "không trọn vẹn")
        corrupt = bytearray(data)
        with zipfile.ZipFile(self.typed()) as archive:
            info = archive.getinfo(sheet_part(self.typed(), FIELD2))
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        for k in range(40):
            corrupt[start + 5 + k] ^= 0x5A
        self.bytes_case("corrupt-deflate", g, "40 bytes flipped inside a sheet's compressed data "
                        "(crashed merge with zlib.error before the fix)", bytes(corrupt),
                        "không giải nén được")
        part = sheet_part(self.typed(), FIELD2)
        self.zip_case("damaged-sheet-xml", g, "a sheet's XML cut in half inside a valid zip "
                      "(crashed merge before the fix)",
                      lambda name, d: d[: len(d) // 2] if name == part else None,
                      f"sheet '{FIELD2}' bị hỏng", sheet=FIELD2)
        from msoffcrypto.format.ooxml import OOXMLFile

        encrypted = self.folder("encrypted") / self.file_name()
        with self.typed().open("rb") as plain, encrypted.open("wb") as out:
            OOXMLFile(plain).encrypt("mat-khau-2026", out)
        self.add("encrypted", g, "a return protected with a password to open (msoffcrypto)",
                 [Expect(encrypted.name, REJECTED, "đặt mật khẩu")], cli=True)
        big = self.folder("oversize") / self.file_name()
        with zipfile.ZipFile(self.typed()) as zin, zipfile.ZipFile(big, "w") as zout:
            for info in zin.infolist():
                zout.writestr(info, zin.read(info))
            zout.writestr("xl/media/image1.png", bytes(range(256)) * (21 * 4096),
                          zipfile.ZIP_STORED)
        self.add("oversize", g, "a 21 MB file (an image pasted in)",
                 [Expect(big.name, REJECTED, "tệp quá lớn")], bomb=True)
        self.libreoffice(g)

    def libreoffice(self, group: str) -> None:
        from devtools.libreoffice import convert, find_soffice

        if find_soffice() is None:
            self.corpus.missing += list(LIBREOFFICE_CASES)
            return
        source = self.work / "lo" / self.file_name()
        source.parent.mkdir()
        shutil.copy(self.typed(), source)
        with ThreadPoolExecutor(2) as pool:  # one soffice per format, both at once
            ods, xls = pool.map(lambda fmt: convert([source], self.work / fmt, fmt)[0],
                                ["ods", "xls"])
        for name, made, fragment, label in (
                ("ods-renamed", ods, "tệp LibreOffice dạng .ods", ".ods saved by LibreOffice"),
                ("xls-renamed", xls, "tệp Excel cũ dạng .xls", ".xls (Excel 97) by LibreOffice")):
            dst = self.folder(name) / self.file_name()
            shutil.copy(made, dst)
            self.add(name, group, f"an {label}, renamed .xlsx",
                     [Expect(dst.name, REJECTED, fragment)], needs="soffice")

    def hostile(self) -> None:
        g = "hostile content"
        from cchc_xl.vba import build_vba_project

        vba = build_vba_project({"TuChay": 'Sub Auto_Open()\n    Shell "cmd /c echo CCHC_HOSTILE"'
                                           "\nEnd Sub\n"}, project_name="CCHCHostileProject")

        def macro_enabled(name: str, data: bytes) -> bytes | None:
            if name == "[Content_Types].xml":
                return data.replace(b"spreadsheetml.sheet.main+xml",
                                    b"sheet.macroEnabled.main+xml").replace(
                    b"<Default Extension=\"xml\"", b'<Default Extension="bin" ContentType='
                    b'"application/vnd.ms-office.vbaProject"/><Default Extension="xml"')
            if name == "xl/_rels/workbook.xml.rels":
                return data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http'
                                    b'://schemas.microsoft.com/office/2006/relationships/vbaProj'
                                    b'ect" Target="vbaProject.bin"/></Relationships>')
            return None
        self.zip_case("xlsm-with-macros", g, "a returned .xlsm with its own VBA project "
                      "(Auto_Open that runs a shell command)", macro_enabled, "có macro (VBA)",
                      add={"xl/vbaProject.bin": vba}, outcome=MERGED, severity=WARNING,
                      suffix=".xlsm")
        ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

        def linked(name: str, data: bytes) -> bytes | None:
            if name == "[Content_Types].xml":
                return data.replace(b"</Types>", b'<Override PartName="/xl/externalLinks/exter'
                                    b'nalLink1.xml" ContentType="application/vnd.openxmlformats-'
                                    b'officedocument.spreadsheetml.externalLink+xml"/></Types>')
            if name == "xl/_rels/workbook.xml.rels":
                return data.replace(b"</Relationships>", f'<Relationship Id="rIdLink" Type="{ns}'
                                    '/externalLink" Target="externalLinks/externalLink1.xml"/>'
                                    "</Relationships>".encode())
            if name == "xl/workbook.xml":
                return data.replace(b"<definedNames>", f'<externalReferences><externalReference '
                                    f'xmlns:r="{ns}" r:id="rIdLink"/></externalReferences>'
                                    "<definedNames>".encode(), 1)
            return None
        link = (f'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                f' xmlns:r="{ns}"><externalBook r:id="rId1"><sheetNames><sheetName val="Data"/>'
                '</sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1">'
                "<v>291</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>")
        link_rels = (f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                     f'relationships"><Relationship Id="rId1" Type="{ns}/externalLinkPath" '
                     'Target="file:///C:/Users/nv1/Desktop/so-lieu-goc.xlsx" TargetMode="External"'
                     "/></Relationships>")
        self.zip_case("external-links", g, "an external link part (xl/externalLinks/"
                      "externalLink1.xml) to a file on the unit's PC", linked,
                      "liên kết tới tệp khác", add={
                          "xl/externalLinks/externalLink1.xml": link.encode(),
                          "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels.encode()},
                      outcome=MERGED, severity=WARNING)
        # Formula injection: text that starts with '=' must stay text in the master.
        code = next(iter(self.v2.entries))
        injected = Typed(UNIT, {**self.v2.entries,
                                code: Entry(**{**self.v2.entries[code].__dict__,
                                               "note": INJECTED_NOTE})},
                         [EvidenceRow(**{**e.__dict__, "subject": INJECTED_SUBJECT}) if i == 0
                          else e for i, e in enumerate(self.v2.evidence)])

        def as_texts(book: Any) -> None:
            as_text(book[self.nv1.sheet(code)], self.nv1.cell(code, "note"), INJECTED_NOTE)
            as_text(book[EVIDENCE_SHEET], evidence_cell(0, "subject"), INJECTED_SUBJECT)
        dst = edit_book(self.corpus.sent[UNIT], self.folder("formula-injection") /
                        self.file_name(), self.nv1, injected, as_texts)
        self.add("formula-injection", g, f"note '{INJECTED_NOTE}' and evidence subject "
                 f"'{INJECTED_SUBJECT}' (text that looks like formulas)",
                 [Expect(dst.name, MERGED, data=injected)])
        # Bombs: all rejected by the container check before any parser runs.
        bomb_parts = deflated_parts(self.typed())
        dst = raw_zip(self.folder("zip-bomb-1gb") / self.file_name(),
                      bomb_parts + [zeros_part("xl/media/image1.bin", 1024)])
        self.add("zip-bomb-1gb", g, f"one part of 1 GiB of zeros ({dst.stat().st_size // 1024}"
                 " KB file)", [Expect(dst.name, REJECTED, "khi giải nén quá lớn")], bomb=True,
                 cli=True)
        dst = raw_zip(self.folder("zip-bomb-ratio") / self.file_name(),
                      bomb_parts + [zeros_part("xl/media/image1.bin", 20)])
        self.add("zip-bomb-ratio", g, "one part of 20 MiB of zeros (ratio ~1000, under the size "
                 "limit)",
                 [Expect(dst.name, REJECTED, "tỷ lệ nén bất thường")], bomb=True)
        entity = "khai báo thực thể XML"
        sheet, ref = sheet_part(self.typed(), FIELD2), self.nv1.cell("2.1.1", "note")
        late = BILLION_LAUGHS.replace(b"?>\n", b"?>\n<!--" + b" " * 8000 + b"-->", 1)
        xxe = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [<!ENTITY lol9 SYSTEM '
               b'"file:///etc/passwd">]>\n')
        for name, what, prolog, utf16 in (
                ("billion-laughs", "billion laughs (10^9 'lol') in xl/sharedStrings.xml, used by "
                 "a cell", BILLION_LAUGHS, False),
                ("billion-laughs-after-comment", "the same DTD after an 8 KB comment (passed the "
                 "check before the fix)", late, False),
                ("billion-laughs-utf16", "the same DTD in a UTF-16 sharedStrings.xml (passed the "
                 "check before the fix)", BILLION_LAUGHS, True),
                ("external-entity", "an external entity (XXE) to file:///etc/passwd", xxe, False)):
            edit, add = with_entity(prolog, sheet, ref, utf16)
            self.zip_case(name, g, what, edit, entity, add=add, bomb=True)
        parts = {f"xl/media/p{i}.bin": b"x" for i in range(5000)}
        self.zip_case("thousands-of-parts", g, "5000 extra parts", None, "quá nhiều thành phần",
                      add=parts, bomb=True)
        evidence_part = sheet_part(self.typed(), EVIDENCE_SHEET)
        for name, ref, what in (("far-cell", "XFD1048576", "SIGABRT, 512 GiB asked"),
                                ("far-row", "A1048576", "400 MB, 5 s")):
            row = found(r"[A-Z]+([0-9]+)", ref, 1)

            def far(part: str, data: bytes, ref: str = ref, row: str = row) -> bytes | None:
                if part != evidence_part:
                    return None
                return data.replace(b"</sheetData>", f'<row r="{row}"><c r="{ref}"><v>1</v>'
                                    "</c></row></sheetData>".encode())
            self.zip_case(name, g, f"one value at {ref} of the evidence sheet ({what} before "
                          "the fix)", far, "có ô ở rất xa", bomb=True)

    # ---------------------------------------------------------------------------------------

    def flagged(self, code: str, **inputs: Any) -> str:
        """The input a rule's failed check points at (the cell a message must name)."""
        from cchc_xl.criteria.engine import LeafInput, score_leaf

        leaf = next(leaf for leaf in self.cat.leaves() if leaf.code == code)
        score = score_leaf(leaf, LeafInput(**inputs), self.cat.supplement_deduction)
        assert score.check is not None
        return score.check.inputs[0]

    def _lead(self, code: str) -> str:
        return next(leaf.lead for leaf in self.cat.leaves() if leaf.code == code)

    def meta_cells(self) -> dict[str, str]:
        """'_cchc' key → the cell of its value, in a unit workbook."""
        from python_calamine import CalamineWorkbook

        grid = CalamineWorkbook.from_path(str(self.corpus.sent[UNIT])).get_sheet_by_name(
            META_SHEET).to_python()
        return {str(row[0]): cell_ref(r, 1) for r, row in enumerate(grid) if row and row[0]}

    def first_mismatch(self, claimed: str) -> tuple[str, str]:
        """Where reading NV1's workbook with `claimed`'s layout first finds a wrong code."""
        actual = {(e.sheet, e.row): e.code for e in self.nv1.rows.values()}
        for entry in row_map(self.cat, Audience("unit", claimed)):
            if any(sheet == entry.sheet for sheet, _ in actual) and \
                    actual.get((entry.sheet, entry.row)) != entry.code:
                return entry.sheet, cell_ref(entry.row, COL["code"])
        raise AssertionError("layouts agree")


INJECTED_NOTE = "=1+1"
INJECTED_SUBJECT = '=HYPERLINK("http://x","y")'


# ---------------------------------------------------------------------------------------------
# Measuring our own workbooks (docs/reliability.md)


def measure(path: Path) -> dict[str, Any]:
    """File size, uncompressed size, largest part ratio, parts, and cells spanned (as checked)."""
    from cchc_xl.read.untrusted import RATIO_MIN_PART_BYTES, _scan_part

    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        cells = sum(_scan_part(archive, info)[1].area() for info in infos)
    ratios = [i.file_size / max(i.compress_size, 1) for i in infos]
    big = [i.file_size / max(i.compress_size, 1) for i in infos
           if i.file_size > RATIO_MIN_PART_BYTES]
    return {"file": path.name, "bytes": path.stat().st_size,
            "uncompressed": sum(i.file_size for i in infos), "max_ratio": max(ratios),
            "max_ratio_over_1mb": max(big, default=0.0), "parts": len(infos), "cells": cells}


if __name__ == "__main__":
    import sys
    import tempfile
    import time

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        built = build_corpus(Path(tmp))
        print(f"{len(built.cases)} cases in {time.perf_counter() - start:.1f} s; not built: "
              f"{built.missing}")
        for case in built.cases:
            for e in case.expects:
                print(f"{case.group:32} {case.name:30} {e.file:34} {e.outcome:24} "
                      f"{e.severity:8} {e.sheet or '':22} {e.cell or '':6} {e.fragment or ''}")
        if "--sizes" in sys.argv:
            from devtools.libreoffice import recalculate

            files = [built.master] + sorted(built.sent.values()) + sorted(
                (built.root / "v1").iterdir())
            files += recalculate(sorted((built.root / "v1").iterdir()), built.root / "lo")
            for path in files:
                m = measure(path)
                print(f"{path.parent.name}/{m['file']:24} {m['bytes']:>8} {m['uncompressed']:>9}"
                      f" {m['max_ratio']:6.1f} {m['parts']:>4} {m['cells']:>6}")
