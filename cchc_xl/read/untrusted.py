"""Checks on a returned file before any parser sees it.

Returned workbooks come by email from many people and programs. Readers such as calamine and
openpyxl do not bound decompressed size, so the container is checked first: kind of file,
size, number of parts, uncompressed size and ratio, XML entity declarations, and how far the
cells of each sheet reach (calamine allocates the whole rectangle from A1). The limits are far
above our own workbooks (see docs/reliability.md for the measured sizes) and far below what
could exhaust memory.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

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


class UnsafeFile(Exception):
    """The file cannot be read safely; the message is Vietnamese and says what to do."""


@dataclass
class ContainerInfo:
    has_macros: bool = False
    external_links: int = 0
    notes: list[str] = field(default_factory=list)


def check_container(path: Path) -> ContainerInfo:
    """Raise UnsafeFile unless `path` is a plausible, bounded .xlsx/.xlsm package."""
    size = path.stat().st_size
    if size == 0:
        raise UnsafeFile("tệp rỗng (0 byte); hãy yêu cầu đơn vị gửi lại tệp.")
    if size > MAX_FILE_BYTES:
        raise UnsafeFile(f"tệp quá lớn ({size // 1024 // 1024} MB, giới hạn "
                         f"{MAX_FILE_BYTES // 1024 // 1024} MB); tệp của đơn vị chỉ vài chục KB — "
                         "hãy kiểm tra lại tệp.")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE_MAGIC):
        raise UnsafeFile(_ole_message(path))
    if not head.startswith(ZIP_MAGIC):
        raise UnsafeFile("không phải tệp Excel .xlsx (có thể là .csv hoặc tệp khác bị đổi tên); "
                         "hãy mở tệp gốc bằng Excel và lưu dạng .xlsx.")
    try:
        with zipfile.ZipFile(path) as archive:
            return _check_zip(archive, path.suffix.lower())
    except zipfile.BadZipFile:
        raise UnsafeFile("tệp bị hỏng hoặc không trọn vẹn (không giải nén được); hãy yêu cầu "
                         "đơn vị gửi lại.") from None


def _ole_message(path: Path) -> str:
    with path.open("rb") as handle:
        data = handle.read(min(path.stat().st_size, 4 * 1024 * 1024))
    if ENCRYPTED_MARK in data:
        return ("tệp được đặt mật khẩu (mã hóa) nên không đọc được; hãy yêu cầu đơn vị gỡ mật "
                "khẩu mở tệp (File > Info > Protect Workbook) rồi gửi lại.")
    return ("tệp Excel cũ dạng .xls; hãy mở bằng Excel và lưu lại dạng .xlsx (Excel Workbook) "
            "rồi gửi lại.")


def _check_zip(archive: zipfile.ZipFile, suffix: str) -> ContainerInfo:
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise UnsafeFile(f"tệp có quá nhiều thành phần ({len(infos)}, giới hạn {MAX_PARTS}); "
                         "không phải tệp của đơn vị.")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnsafeFile(f"tệp khi giải nén quá lớn ({total // 1024 // 1024} MB); có thể là tệp "
                         "độc hại (zip bomb), không đọc.")
    for info in infos:
        if info.file_size > RATIO_MIN_PART_BYTES and \
                info.file_size > MAX_PART_RATIO * max(info.compress_size, 1):
            raise UnsafeFile(f"thành phần {info.filename} có tỷ lệ nén bất thường; có thể là tệp "
                             "độc hại (zip bomb), không đọc.")
    names = {i.filename for i in infos}
    if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
        if suffix == ".ods":
            raise UnsafeFile("tệp được lưu dạng .ods của LibreOffice; công cụ chỉ đọc tệp Excel. "
                             "Hãy mở tệp bằng LibreOffice, chọn Lưu thành (Save As), chọn kiểu "
                             "Excel 2007-365 (.xlsx) rồi gửi lại tệp .xlsx.")
        raise UnsafeFile("tệp LibreOffice dạng .ods bị đổi tên; hãy mở bằng LibreOffice và lưu "
                         "dạng Excel 2007-365 (.xlsx) rồi gửi lại.")
    if "xl/workbook.xml" not in names:
        raise UnsafeFile("không phải tệp Excel .xlsx (thiếu xl/workbook.xml); hãy lưu lại bằng "
                         "Excel dạng .xlsx.")
    cells = 0
    for info in infos:  # every part: a relationship may point a sheet at any part name
        dtd, extent = _scan_part(archive, info)
        if dtd:
            raise UnsafeFile(f"thành phần {info.filename} khai báo thực thể XML (DOCTYPE/ENTITY) — "
                             "Excel không bao giờ tạo như vậy; có thể là tệp độc hại, không đọc.")
        cells += extent.area()
        if cells > MAX_CELLS:
            raise UnsafeFile(f"thành phần {info.filename} có ô ở rất xa (tới dòng "
                             f"{_vn(extent.max_row)}, cột thứ {_vn(extent.max_col)}); đọc cả "
                             f"vùng đó sẽ cần quá nhiều bộ nhớ (giới hạn {_vn(MAX_CELLS)} ô cho "
                             "cả tệp). Hãy xóa các dòng, cột thừa ở cuối sheet (Ctrl+End để tìm) "
                             "rồi gửi lại.")
    result = ContainerInfo()
    result.has_macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    result.external_links = sum(1 for n in names if n.startswith("xl/externalLinks/")
                                and n.endswith(".xml"))
    return result


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


def _vn(number: int) -> str:
    return f"{number:,}".replace(",", ".")
