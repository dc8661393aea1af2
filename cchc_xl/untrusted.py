"""Checks on a returned file before any parser sees it.

Returned workbooks come by email from many people and programs. Readers such as calamine and
openpyxl do not bound decompressed size, so the container is checked first: kind of file,
size, number of parts, uncompressed size and ratio, XML entity declarations. The limits are far
above our own workbooks (see docs/reliability.md for the measured sizes) and far below what
could exhaust memory.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024  # our unit workbooks are ~20–60 KB
MAX_PARTS = 1000  # ours have ~20
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # ours are < 1 MB uncompressed
MAX_PART_RATIO = 200  # ours compress ~6–8×; zip bombs reach 1000× and more
RATIO_MIN_PART_BYTES = 1024 * 1024  # small parts may compress well; only big ones matter

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# A DTD (and so any entity) starts with one of these, in UTF-8 or UTF-16 either way round.
DTD_MARKS = tuple(mark.encode(codec) for mark in ("<!DOCTYPE", "<!ENTITY")
                  for codec in ("utf-8", "utf-16-le", "utf-16-be"))
DTD_OVERLAP = 2 * len("<!DOCTYPE")  # bytes kept between chunks so no mark is cut in two
SCAN_CHUNK = 1 << 16


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
            return _check_zip(archive)
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


def _check_zip(archive: zipfile.ZipFile) -> ContainerInfo:
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
        raise UnsafeFile("tệp LibreOffice dạng .ods bị đổi tên; hãy mở bằng LibreOffice và lưu "
                         "dạng Excel 2007-365 (.xlsx) rồi gửi lại.")
    if "xl/workbook.xml" not in names:
        raise UnsafeFile("không phải tệp Excel .xlsx (thiếu xl/workbook.xml); hãy lưu lại bằng "
                         "Excel dạng .xlsx.")
    for info in infos:  # every part: a relationship may point a sheet at any part name
        if _declares_entities(archive, info):
            raise UnsafeFile(f"thành phần {info.filename} khai báo thực thể XML (DOCTYPE/ENTITY) — "
                             "Excel không bao giờ tạo như vậy; có thể là tệp độc hại, không đọc.")
    result = ContainerInfo()
    result.has_macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    result.external_links = sum(1 for n in names if n.startswith("xl/externalLinks/")
                                and n.endswith(".xml"))
    return result


def _declares_entities(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    # The whole part is read: a DTD may follow kilobytes of comments or processing instructions,
    # and a UTF-16 part spells it with zero bytes in between. Parts are small and already
    # bounded in size and ratio, so this costs about a millisecond per return.
    # Damaged data inside a part is reported by the reader (calamine) when it parses it.
    tail = b""
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(SCAN_CHUNK):
                window = tail + chunk
                if any(mark in window for mark in DTD_MARKS):
                    return True
                tail = window[-DTD_OVERLAP:]
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise UnsafeFile(f"tệp bị hỏng (thành phần {info.filename} không giải nén được); hãy yêu "
                         "cầu gửi lại.") from exc
    return False
