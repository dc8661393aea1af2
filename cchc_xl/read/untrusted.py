"""Checks on a returned file before any parser sees it.

Returned workbooks come by email from many people and programs. Readers such as calamine and
openpyxl do not bound decompressed size, so the container is checked first. The file is read
once; what can be decided from the zip's central directory is decided there (kind of file,
size, number of parts, uncompressed sizes and ratios, duplicate names). Then only the parts the
reader (python-calamine) will parse are inflated, each in one bounded step that must end at
exactly its declared size and checksum, and scanned for XML entity declarations; a sheet's part
also for how far its cells reach (calamine allocates the whole rectangle from A1). The package
parts are checked when the file is opened, each sheet just before the reader parses it, and the
reader is handed the very bytes that were checked. The limits are far above our own workbooks
(see docs/reliability.md for the measured sizes) and far below what could exhaust memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from ..criteria.numbers import vn_number
from ..files.package import CORE_PART, saved_in, xml_unescape

MAX_FILE_BYTES = 20 * 1024 * 1024  # ours: units 20–59 KB, the sample master 98 KB
MAX_PARTS = 1000  # ours have 12–28
# Ours are ≤ 0.7 MB uncompressed; a return with pasted images is mostly the (incompressible) images,
# so its uncompressed size is about its file size. At 100 MB a 7.7 MB file of shared strings cost
# 173 MB of memory to merge; 32 MB keeps every file within the limits well under 300 MB.
MAX_UNCOMPRESSED_BYTES = 32 * 1024 * 1024
MAX_PART_RATIO = 200  # ours compress ≤ 15× (LibreOffice's); zip bombs reach 1000× and more
RATIO_MIN_PART_BYTES = 1024 * 1024  # small parts may compress well; only big ones matter
# calamine lays every sheet it reads out as a dense grid from A1 to the farthest cell, so one
# cell at XFD1048576 in a 20 KB file asks for 17 billion cells. Ours span ≤ 8 724 in total.
MAX_CELLS = 1_000_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# A DTD (and so any entity) starts with one of these, in UTF-8 or UTF-16 either way round.
DTD_MARKS = tuple(mark.encode(codec) for mark in ("<!DOCTYPE", "<!ENTITY")
                  for codec in ("utf-8", "utf-16-le", "utf-16-be"))
DTD_OVERLAP = 2 * len("<!DOCTYPE")  # bytes kept between chunks so no mark is cut in two
SCAN_CHUNK = 1 << 20
MAX_TAG_BYTES = 1024 * 1024  # ours are < 1 KB; a longer one is only there to hide something
# Parts calamine parses when it opens a package, below the folder of the workbook part
# (_rels/.rels names it; "xl/" in every file we know), and the one its .xlsb reader parses
# when the .xlsx reader gives up (its .ods reader refuses anything but an .ods mimetype).
OPENING_PARTS = ("sharedStrings.xml", "styles.xml", "_rels/workbook.xml.rels", "workbook.xml")
XLSB_RELS = "xl/_rels/workbook.bin.rels"


class UnsafeFile(Exception):
    """The file cannot be read safely; the message is Vietnamese and says what to do."""


@dataclass
class ContainerInfo:
    has_macros: bool = False
    external_links: int = 0
    notes: list[str] = field(default_factory=list)


def open_checked(path: Path) -> CheckedFile:
    """Read `path` once and check it; UnsafeFile unless it is a plausible, bounded .xlsx/.xlsm
    package. Sheets are checked later, one by one, by `CheckedFile.check_sheet`."""
    size = path.stat().st_size
    if size == 0:
        raise UnsafeFile("tệp rỗng (0 byte); hãy yêu cầu đơn vị gửi lại tệp.")
    if size <= MAX_FILE_BYTES:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        size = len(data)
    if size > MAX_FILE_BYTES:
        raise UnsafeFile(f"tệp quá lớn ({size // 1024 // 1024} MB, giới hạn "
                         f"{MAX_FILE_BYTES // 1024 // 1024} MB); tệp của đơn vị chỉ vài chục KB — "
                         "hãy kiểm tra lại tệp.")
    if size == 0:
        raise UnsafeFile("tệp rỗng (0 byte); hãy yêu cầu đơn vị gửi lại tệp.")
    if data.startswith(OLE_MAGIC):
        raise UnsafeFile(_ole_message(data))
    if not data.startswith(ZIP_MAGIC):
        raise UnsafeFile("không phải tệp Excel .xlsx (có thể là .csv hoặc tệp khác bị đổi tên); "
                         "hãy mở tệp gốc bằng Excel và lưu dạng .xlsx.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError, struct.error):
        raise UnsafeFile("tệp bị hỏng hoặc không trọn vẹn (không giải nén được); hãy yêu cầu "
                         "đơn vị gửi lại.") from None
    return CheckedFile(path, data, archive)


def _ole_message(data: bytes) -> str:
    if ENCRYPTED_MARK in data[:4 * 1024 * 1024]:
        return ("tệp được đặt mật khẩu (mã hóa) nên không đọc được; hãy yêu cầu đơn vị gỡ mật "
                "khẩu mở tệp (File > Info > Protect Workbook) rồi gửi lại.")
    return ("tệp Excel cũ dạng .xls; hãy mở bằng Excel và lưu lại dạng .xlsx (Excel Workbook) "
            "rồi gửi lại.")


class CheckedFile:
    """A package read once: its bytes, their SHA-256, and the checks done on them so far.

    The reader gets `data` (the bytes that were checked) and calls `check_sheet` before it
    parses each sheet (`files.grids.Book`'s guard). Parts nobody parses are never inflated.
    """

    def __init__(self, path: Path, data: bytes, archive: zipfile.ZipFile) -> None:
        self.path = path
        self.data = data
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.info = ContainerInfo()
        self._zip = archive
        self._checked: set[str] = set()
        self._cells = 0
        self._everything = False  # every part checked (the package did not map sheets plainly)
        self._sheets: dict[str, str | None] | None = None  # sheet → the part calamine reads
        self._check_directory(path.suffix.lower())
        self._check_opening()

    # -- the central directory ------------------------------------------------------------
    def _check_directory(self, suffix: str) -> None:
        infos = self._zip.infolist()
        if len(infos) > MAX_PARTS:
            raise UnsafeFile(f"tệp có quá nhiều thành phần ({len(infos)}, giới hạn {MAX_PARTS}); "
                             "không phải tệp của đơn vị.")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise UnsafeFile(f"tệp khi giải nén quá lớn ({total // 1024 // 1024} MB); có thể là "
                             "tệp độc hại (zip bomb), không đọc.")
        for info in infos:
            if info.file_size > RATIO_MIN_PART_BYTES and \
                    info.file_size > MAX_PART_RATIO * max(info.compress_size, 1):
                raise UnsafeFile(f"thành phần {info.filename} có tỷ lệ nén bất thường; có thể là "
                                 "tệp độc hại (zip bomb), không đọc.")
        # calamine finds parts by name without regard to case: two such names would let it read
        # a part other than the one checked.
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            key = _folded(info.filename)
            if key in self._infos:
                raise UnsafeFile(f"tệp có hai thành phần cùng tên {info.filename}; tệp bị hỏng "
                                 "hoặc là tệp độc hại, không đọc. Hãy yêu cầu gửi lại.")
            self._infos[key] = info
        names = {i.filename for i in infos}
        if "mimetype" in names and self._part("mimetype").strip().startswith(ODS_MIMETYPE):
            if suffix == ".ods":
                raise UnsafeFile("tệp được lưu dạng .ods của LibreOffice; công cụ chỉ đọc tệp "
                                 "Excel. Hãy mở tệp bằng LibreOffice, chọn Lưu thành (Save As), "
                                 "chọn kiểu Excel 2007-365 (.xlsx) rồi gửi lại tệp .xlsx.")
            raise UnsafeFile("tệp LibreOffice dạng .ods bị đổi tên; hãy mở bằng LibreOffice và "
                             "lưu dạng Excel 2007-365 (.xlsx) rồi gửi lại.")
        if "xl/workbook.xml" not in names:
            raise UnsafeFile("không phải tệp Excel .xlsx (thiếu xl/workbook.xml); hãy lưu lại "
                             "bằng Excel dạng .xlsx.")
        self.info.has_macros = any(n.lower().endswith("vbaproject.bin") for n in names)
        self.info.external_links = sum(1 for n in names if n.startswith("xl/externalLinks/")
                                       and n.endswith(".xml"))

    # -- the parts the reader parses ------------------------------------------------------
    def _check_opening(self) -> None:
        """The parts calamine parses on opening; and where its sheets are, if that is plain."""
        package_rels = self._checked_part("_rels/.rels")
        relationships = _tags(package_rels or b"", b"Relationship")
        folders, documents = {"xl/"}, set()
        for attrs in relationships or ():
            target = attrs.get(b"Target", b"")
            folder = target[:target.rfind(b"/") + 1].removeprefix(b"/").decode("utf-8", "replace")
            folders.add(folder)
            if attrs.get(b"Type", b"").endswith(b"/relationships/officeDocument"):
                documents.add(folder)
        for folder in sorted(folders):
            for name in OPENING_PARTS:
                self._checked_part(folder + name)
        self._checked_part(XLSB_RELS)
        # calamine unescapes the workbook's target: an entity there is not read plainly.
        if package_rels is not None and relationships is not None and len(documents) == 1 \
                and b"&" not in package_rels:
            folder = documents.pop()
            if all(_plain_xml(self._part_or_empty(name)) for name in (
                    "_rels/.rels", folder + "_rels/workbook.xml.rels", folder + "workbook.xml")):
                self._sheets = self._sheet_parts(folder)
        if self._sheets is None:
            self.check_everything()

    def _sheet_parts(self, folder: str) -> dict[str, str | None] | None:
        """Sheet name → the part calamine will parse for it (resolved as calamine does), or
        None when names or relationships are ambiguous."""
        relationships = _tags(self._part_or_empty(folder + "_rels/workbook.xml.rels"),
                              b"Relationship")
        tags = _tags(self._part_or_empty(folder + "workbook.xml"), b"sheet")
        if relationships is None or tags is None:
            return None
        targets = {attrs[b"Id"]: attrs.get(b"Target", b"") for attrs in relationships
                   if b"Id" in attrs}
        sheets: dict[str, str | None] = {}
        for attrs in tags:
            name = xml_unescape(attrs.get(b"name", b"").decode("utf-8", "replace"))
            ids = [v for k, v in attrs.items() if k.rsplit(b":", 1)[-1] == b"id"]
            target = targets.get(ids[0]) if len(ids) == 1 else None
            if name in sheets or target is None or b"\\" in target:
                return None
            raw = target.decode("utf-8", "replace")
            part = raw[1:] if raw.startswith("/") else folder + raw
            info = self._infos.get(_folded(part))
            sheets[name] = info.filename if info is not None else None
        return sheets

    def check_sheet(self, sheet: str) -> None:
        """Before the reader parses `sheet`: its part inflates as declared, declares no DTD,
        and the cells of all sheets read so far stay within MAX_CELLS."""
        if self._everything:
            return
        if self._sheets is None or sheet not in self._sheets:
            self.check_everything()
            return
        part = self._sheets[sheet]
        if part is not None and part not in self._checked:
            self._checked_part(part, sheet=True)

    def check_everything(self) -> None:
        """Every part, as a sheet: what a package that does not map its sheets plainly gets."""
        if self._everything:
            return
        self._everything = True
        for info in self._zip.infolist():
            if info.filename not in self._checked:
                self._checked_part(info.filename, sheet=True)

    def _checked_part(self, name: str, sheet: bool = False) -> bytes | None:
        info = self._infos.get(_folded(name))
        if info is None:
            return None
        data = self._part(info.filename)
        self._checked.add(info.filename)
        if _declares_dtd(data):
            raise UnsafeFile(f"thành phần {info.filename} khai báo thực thể XML (DOCTYPE/ENTITY)"
                             " — Excel không bao giờ tạo như vậy; có thể là tệp độc hại, không "
                             "đọc.")
        if sheet:
            self._count_cells(info.filename, data)
        return data

    def _count_cells(self, name: str, data: bytes) -> None:
        extent = _bounded_extent(data)
        if extent is None or self._cells + extent.area() > MAX_CELLS:
            extent = _exact_extent(data)
        self._cells += extent.area()
        if self._cells > MAX_CELLS:
            raise UnsafeFile(f"thành phần {name} có ô ở rất xa (tới dòng "
                             f"{vn_number(extent.max_row)}, cột thứ {vn_number(extent.max_col)}); "
                             "đọc cả vùng đó sẽ cần quá nhiều bộ nhớ (giới hạn "
                             f"{vn_number(MAX_CELLS)} ô cho cả tệp). Hãy xóa các dòng, cột thừa "
                             "ở cuối sheet (Ctrl+End để tìm) rồi gửi lại.")

    def _part_or_empty(self, name: str) -> bytes:
        info = self._infos.get(_folded(name))
        return self._part(info.filename) if info is not None else b""

    def _part(self, name: str) -> bytes:
        """A part inflated in one bounded step: exactly its declared size and checksum."""
        info = self._zip.getinfo(name)
        try:
            offset = info.header_offset
            head = self.data[offset:offset + 30]
            if len(head) < 30 or not head.startswith(ZIP_MAGIC) or info.flag_bits & 1:
                raise ValueError(name)
            start = offset + 30 + sum(struct.unpack("<HH", head[26:30]))
            raw = memoryview(self.data)[start:start + info.compress_size]
            if len(raw) != info.compress_size:
                raise ValueError(name)
            if info.compress_type == zipfile.ZIP_STORED:
                data = bytes(raw)
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                data = inflater.decompress(raw, info.file_size + 1)
                if not inflater.eof:
                    raise ValueError(name)
            else:
                raise ValueError(name)
            if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
                raise ValueError(name)
        except (ValueError, zlib.error, struct.error):
            raise UnsafeFile(f"tệp bị hỏng (thành phần {info.filename} không giải nén được); hãy "
                             "yêu cầu gửi lại.") from None
        return data

    # -- what else the merge needs from the package ---------------------------------------
    @property
    def zip(self) -> zipfile.ZipFile:
        """The package for raw reads (formulas, protection) of parts the reader parses too."""
        return self._zip

    def saved(self) -> dt.datetime | None:
        """When the file was last saved: docProps/core.xml (parsed once), else its mtime."""
        stamp = saved_in(self._part(CORE_PART)) if CORE_PART in self._zip.NameToInfo else None
        if stamp is not None:
            return stamp
        try:
            return dt.datetime.fromtimestamp(self.path.stat().st_mtime, tz=dt.timezone.utc)
        except OSError:
            return None


def _folded(name: str) -> str:
    """A part name as calamine looks it up: '/' for '\\', ASCII letters in lower case."""
    return name.replace("\\", "/").translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ATTRIBUTE = re.compile(rb"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


_ELEMENTS = {local: re.compile(rb"<(?:[\w.-]+:)?" + local
                               + rb"""(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
             for local in (b"Relationship", b"sheet")}


def _tags(xml: bytes, local: bytes) -> list[dict[bytes, bytes]] | None:
    """The raw attributes (values not unescaped, as calamine reads them) of each element named
    `local`, with or without a namespace prefix; None if an element repeats an attribute."""
    found = []
    for match in _ELEMENTS[local].finditer(xml):
        pairs = [(key, double or single) for key, double, single in
                 _ATTRIBUTE.findall(match.group(1))]
        attrs = dict(pairs)
        if len(attrs) != len(pairs):
            return None
        found.append(attrs)
    return found


def _plain_xml(xml: bytes) -> bool:
    """UTF-8 with no comment, CDATA, DTD or processing instruction but the declaration: then
    the tags found by a pattern are the elements an XML parser sees."""
    body = xml[3:] if xml.startswith(b"\xef\xbb\xbf") else xml
    if b"\x00" in body or b"<!" in body or body.count(b"<?") > (1 if body.startswith(b"<?xml")
                                                                 else 0):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _declares_dtd(data: bytes) -> bool:
    """Whether a DTD mark is in the part; every mark starts '<!' in UTF-8, '<\\0!' in UTF-16."""
    if b"<!" not in data and b"<\x00!" not in data:
        return False
    return any(mark in data for mark in DTD_MARKS)


# Cells spelled <c r="B12" …> with one letter and at most three digits reach Z999 at most: when
# every cell of a sheet is (it is for ours), that bound is enough and no reference is parsed.
# Any other <c> (no reference first, two letters, four digits, a tab or a '>' after the name)
# or a namespace prefix sends the sheet to the exact count.
_NOT_WITHIN_Z999 = re.compile(rb'<c(?! r="[A-Z][0-9]{1,3}")[\s/>]')
BOUND_ROWS, BOUND_COLUMNS = 999, 26


def _bounded_extent(data: bytes) -> _Extent | None:
    """The Z999 bound of a sheet whose cells are all spelled plainly within it, else None."""
    start = data.find(b"sheetData")
    if start == -1:
        return _Extent()
    if _NOT_WITHIN_Z999.search(data, start) or _ODD_PREFIX.search(data, start):
        return None
    extent = _Extent()
    extent.max_row, extent.max_col = BOUND_ROWS, BOUND_COLUMNS
    return extent


def _exact_extent(data: bytes) -> _Extent:
    extent = _Extent()
    extent.feed(data)
    if extent.irregular:  # a cell or row without a plain reference: follow them one by one
        extent = _Extent(exact=True)
        extent.feed(data)
    return extent


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[bool, _Extent]:
    """(declares a DTD, how far its cells reach) of one part, read whole in bounded chunks.

    The whole part is read: a DTD may follow kilobytes of comments or processing instructions,
    and a UTF-16 part spells it with zero bytes in between. Parts are already bounded in size
    and ratio; the scan costs 1–2 ms per return. Damaged data inside a part is reported by the
    reader (calamine) when it parses it.
    """
    tail = b""
    extent = _Extent()
    for piece in _pieces(archive, info):
        window = tail + piece
        if any(mark in window for mark in DTD_MARKS):
            return True, extent
        tail = window[-DTD_OVERLAP:]
        extent.feed(piece)
    if extent.irregular:  # a cell or row without a plain reference: follow them one by one
        extent = _Extent(exact=True)
        for piece in _pieces(archive, info):
            extent.feed(piece)
    return False, extent


def _pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in chunks that never cut a tag (each piece ends before a '<…>')."""
    carry = b""
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(SCAN_CHUNK):
                data = carry + chunk
                cut = data.rfind(b"<")
                if cut == -1 or data.find(b">", cut) != -1:
                    cut = len(data)
                carry = data[cut:]
                if len(carry) > MAX_TAG_BYTES:
                    raise UnsafeFile(f"thành phần {info.filename} có thẻ XML dài bất thường; có "
                                     "thể là tệp độc hại, không đọc.")
                yield data[:cut]
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise UnsafeFile(f"tệp bị hỏng (thành phần {info.filename} không giải nén được); hãy yêu "
                         "cầu gửi lại.") from exc
    yield carry


# Cells and rows as Excel and every writer we know put them: <c r="B12" …>, <row r="12" …>.
_PLAIN = re.compile(rb'<(?:c r="([A-Z]{1,3})|row r=")([0-9]{1,7})"')
# Any other spelling calamine also accepts: another blank after the name, a namespace prefix.
_ODD_TAG = re.compile(rb"<(?:c|row)[\t\r\n/>]")
_ODD_PREFIX = re.compile(rb":(?:c|row)[\s/>]")
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^<>]*)>")
_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")


class _Extent:
    """How far a worksheet reaches from A1, as calamine will lay it out (a dense grid).

    Only the <sheetData> of a part holds cells. Normally every cell and row is spelled plainly
    with its reference first (<c r="B12", <row r="12") and one regular expression finds the
    largest row and column. Otherwise (`exact`) tags are followed one by one: a cell without a
    reference follows the previous cell, a row without a number the previous row. Counting every
    <c>, with or without a value, over-estimates, which is the safe side.
    """

    def __init__(self, exact: bool = False) -> None:
        self.exact = exact
        self.in_sheet = exact
        self.irregular = False
        self.row = self.col = self.max_row = self.max_col = 0

    def area(self) -> int:
        return self.max_row * self.max_col

    def feed(self, piece: bytes) -> None:
        start = 0
        if not self.in_sheet:
            start = piece.find(b"sheetData")
            if start == -1:
                return
            self.in_sheet = True
        if self.exact:
            self._follow(piece)
            return
        if self.irregular:
            return
        plain = _PLAIN.findall(piece, start)
        if len(plain) != piece.count(b"<c ", start) + piece.count(b"<row ", start) \
                or _ODD_TAG.search(piece, start) or _ODD_PREFIX.search(piece, start):
            self.irregular = True
            return
        if plain:  # distinct numbers and letters only (itemgetter: half the time of zip(*))
            self.max_row = max(self.max_row, max(map(int, set(map(itemgetter(1), plain)))))
            self.max_col = max(self.max_col, max(map(_column, set(map(itemgetter(0), plain)))))

    def _follow(self, piece: bytes) -> None:
        for match in _TAG.finditer(piece):
            ref = _REF.search(match.group(2))
            letters, digits = (ref.group(1), ref.group(2)) if ref else (b"", b"")
            if match.group(1) == b"row":
                self.row = _number(digits) if digits else self.row + 1
                self.col = 0
            else:
                self.row = max(self.row, 1)
                self.col = _column(letters) if letters else self.col + 1
                if digits:
                    self.row = _number(digits)
            self.max_row = max(self.max_row, self.row)
            self.max_col = max(self.max_col, self.col)


def _number(digits: bytes) -> int:
    return int(digits[:12])  # longer is absurd anyway; keeps int() cheap


def _column(letters: bytes) -> int:
    index = 0
    for ch in letters[:8].upper():
        index = index * 26 + ch - 64
    return index
