"""The evidence package: the files the evidence register points to, copied into one folder per
criterion, with an index workbook, ready to upload or hand over with the report.

A register row's "Tệp, đường dẫn" may hold several links (one a line, or separated by ';'):
a path relative to the master's folder, an absolute path, a UNC path (\\\\máy-chủ\\thư-mục\\…, on
the Văn phòng's Windows machine), a file:// address, or a web address (listed, never
downloaded). A folder is copied with what it holds.

Nothing is overwritten silently: a file already in the package with the same content is reused;
a different file with the same name is copied as "tên (2).pdf" and reported. Missing files, the
same file cited twice and two different files with one name are warnings that name the
register's row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any
from urllib.parse import unquote, urlparse

from ..analysis.report import Report
from ..errors import FileError
from ..files.atomic import atomic_write
from ..files.oserrors import reason
from ..format.layout import EVIDENCE_COL, EVIDENCE_FIRST_ROW, EVIDENCE_SHEET, cell_ref
from ..format.state import EvidenceRow, as_date, plain_value
from .outcome import Warnings
from .text import typed_text

INDEX_NAME = "danh-muc-tai-lieu-kiem-chung.xlsx"
MAX_FOLDER_FILES = 500  # a linked folder with more files is not one criterion's evidence
NO_CODE_FOLDER = "_chua-ghi-ma"
COPIED, REUSED, SAME_ROW, WEB, MISSING, NO_LINK, FAILED = (
    "đã chép", "đã có sẵn (cùng nội dung)", "trùng tệp đã chép", "địa chỉ web (không chép)",
    "không tìm thấy tệp", "chưa ghi tệp, đường dẫn", "không chép được")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
_URL = re.compile(r"^(?!file:)(?:[a-z][a-z0-9+.-]*://|www\.)", re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def register_row(index: int, key: str = "link") -> str:
    """The register's cell for row `index` of state.evidence: 'F9' (the master's register is
    written without gaps, so the n-th row read is the n-th row of the sheet)."""
    return cell_ref(EVIDENCE_FIRST_ROW + index, EVIDENCE_COL[key])


@dataclass(frozen=True)
class PackedFile:
    index: int  # position in state.evidence
    row: EvidenceRow
    link: str  # this link, as typed
    copied: str  # path inside the package ('3.3.2/bao-cao.pdf'), '' when nothing was copied
    status: str

    @property
    def code(self) -> str:
        return typed_text(self.row.code)


@dataclass
class Package:
    folder: Path
    files: list[PackedFile] = field(default_factory=list)
    warnings: Warnings = field(default_factory=Warnings)

    @property
    def index_path(self) -> Path:
        return self.folder / INDEX_NAME

    @property
    def copied(self) -> int:
        """How many files the package holds: each distinct file copied (a register row that is
        missing, a web address or no link at all copies nothing)."""
        return len({f.copied for f in self.files if f.copied})

    def to_json(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "index": str(self.index_path),
                "files": [{"row": register_row(f.index), "code": f.code, "link": f.link,
                           "copied": f.copied, "status": f.status} for f in self.files]}


def safe_name(text: str, fallback: str = "_") -> str:
    """A file or folder name every file system takes: no \\ / : * ? " < > | or control
    characters, no trailing dot or space, not a reserved Windows name."""
    text = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", text).strip().rstrip(". ")
    if not text:
        return fallback
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    return text[:120]


def split_links(text: str) -> list[str]:
    return [part.strip().strip('"') for part in re.split(r"[\n;]", text) if part.strip()]


def resolve(link: str, source: Path) -> Path | None:
    """The file or folder a link names, if it exists here; None otherwise."""
    if link.lower().startswith("file:"):
        parsed = urlparse(link)
        path = unquote(parsed.path)
        if parsed.netloc and parsed.netloc != "localhost":
            path = f"//{parsed.netloc}{path}"  # file://server/share/… is a UNC path
        elif re.match(r"^/[A-Za-z]:", path):
            path = path[1:]  # file:///C:/… on Windows
        link = path
    if link.startswith(("\\\\", "//")) or _DRIVE.match(link) or Path(link).is_absolute():
        candidates = [Path(link)]
    else:
        candidates = [source / link, source / link.replace("\\", "/")]
    return next((c for c in candidates if c.exists()), None)


def package_evidence(report: Report, folder: Path, source: Path) -> Package:
    """Copy the register's files into `folder/<code>/` and write the index workbook."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(f"Không tạo được thư mục tài liệu kiểm chứng {folder} "
                        f"({reason(exc)}).") from None
    packer = _Packer(folder, Path(source))
    for i, row in enumerate(report.state.evidence):
        if not row.is_blank():
            packer.row(i, row)
    _write_index(packer.package, report)
    return packer.package


class _Packer:
    def __init__(self, folder: Path, source: Path) -> None:
        self.package = Package(folder)
        self.source = source
        self.cited: dict[Path, int] = {}  # a source file → the first row citing it
        self.placed: dict[Path, Path] = {}  # a package file → the source copied there this run

    def row(self, i: int, row: EvidenceRow) -> None:
        links = split_links(typed_text(row.link))
        if not links:
            self.add(i, row, "", "", NO_LINK, "dòng tài liệu kiểm chứng chưa ghi tệp, đường dẫn: "
                     "gói tài liệu thiếu tài liệu này.", kind="evidence-missing")
        for link in links:
            self.link(i, row, link)

    def link(self, i: int, row: EvidenceRow, link: str) -> None:
        if _URL.match(link):
            self.add(i, row, link, "", WEB)
            return
        found = resolve(link, self.source)
        if found is None:
            relative = not (PureWindowsPath(link).is_absolute() or Path(link).is_absolute()
                            or link.startswith("\\\\") or link.lower().startswith("file:"))
            where = f" (đường dẫn tương đối tính từ {self.source})" if relative else ""
            self.add(i, row, link, "", MISSING, f"không tìm thấy tệp '{link}'{where}; hãy sửa cột "
                     "'Tệp, đường dẫn' hoặc chép tệp vào đúng chỗ.", kind="evidence-missing")
            return
        code_dir = safe_name(typed_text(row.code), NO_CODE_FOLDER)
        if not found.is_dir():
            self.file(i, row, link, found, Path(code_dir) / safe_name(found.name))
            return
        files = self.folder_files(i, row, link, found)
        for path in files:
            inner = Path(*(safe_name(part) for part in path.relative_to(found).parts))
            self.file(i, row, link, path, Path(code_dir) / safe_name(found.name) / inner)

    def folder_files(self, i: int, row: EvidenceRow, link: str, found: Path) -> list[Path]:
        """The files of a linked folder; none (and a warning) for a folder that holds the
        package itself or more files than a criterion's evidence plausibly has."""
        package = self.package.folder.resolve()
        if package == found.resolve() or found.resolve() in package.parents:
            self.add(i, row, link, "", FAILED, f"thư mục '{link}' chứa chính thư mục gói tài "
                     "liệu: không chép; hãy dẫn đến từng tệp hoặc thư mục con.",
                     kind="evidence-missing")
            return []
        files = []
        for path in found.rglob("*"):
            if path.is_file() and not path.is_symlink():
                files.append(path)
            if len(files) > MAX_FOLDER_FILES:
                self.add(i, row, link, "", FAILED, f"thư mục '{link}' có hơn {MAX_FOLDER_FILES} "
                         "tệp: không chép; hãy dẫn đến thư mục của riêng tiêu chí này.",
                         kind="evidence-missing")
                return []
        return sorted(files)

    def file(self, i: int, row: EvidenceRow, link: str, src: Path, wanted: Path) -> None:
        key = src.resolve()
        first = self.cited.get(key)
        if first is not None and first != i:
            self.package.warnings.add(
                f"cùng một tệp '{src.name}' được dẫn lại (đã dẫn ở dòng "
                f"{EVIDENCE_FIRST_ROW + first + 1} của sổ).", kind="evidence-duplicate",
                code=typed_text(row.code), sheet=EVIDENCE_SHEET, cell=register_row(i))
        self.cited.setdefault(key, i)
        try:
            target, status = self.place(src, wanted, i, row)
        except OSError as exc:
            self.add(i, row, link, "", FAILED, f"không chép được '{src}' ({reason(exc)}).",
                     kind="evidence-missing")
            return
        self.add(i, row, link, target.as_posix(), status)

    def place(self, src: Path, wanted: Path, i: int, row: EvidenceRow) -> tuple[Path, str]:
        """Copy `src` to `wanted` (relative to the package), or beside it as 'name (2)…' when
        a different file holds that name; reuse a file with the same content."""
        digest = _sha256(src)
        candidate, n = wanted, 1
        while True:
            target = self.package.folder / candidate
            if not target.exists():
                break
            if self.placed.get(target) == src.resolve() or _sha256(target) == digest:
                status = SAME_ROW if target in self.placed else REUSED
                self.placed.setdefault(target, src.resolve())
                return candidate, status
            n += 1
            candidate = wanted.with_name(f"{wanted.stem} ({n}){wanted.suffix}")
        if candidate != wanted:
            self.package.warnings.add(
                f"hai tệp khác nhau cùng tên '{wanted.name}' trong thư mục {wanted.parent}: tệp "
                f"'{src}' được chép thành '{candidate.name}'.", kind="evidence-duplicate",
                code=typed_text(row.code), sheet=EVIDENCE_SHEET, cell=register_row(i))
        _copy(src, self.package.folder / candidate)
        self.placed[self.package.folder / candidate] = src.resolve()
        return candidate, COPIED

    def add(self, i: int, row: EvidenceRow, link: str, copied: str, status: str,
            warning: str = "", kind: str = "") -> None:
        self.package.files.append(PackedFile(i, row, link, copied, status))
        if warning:
            self.package.warnings.add(warning, kind=kind, code=typed_text(row.code) or None,
                                      sheet=EVIDENCE_SHEET, cell=register_row(i))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy(src: Path, target: Path) -> None:
    """Copy through a temporary file in the target's folder, so no half-copied file is left."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=".~cchc-", dir=target.parent)
    os.close(handle)
    try:
        shutil.copyfile(src, tmp)
        shutil.copystat(src, tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _write_index(package: Package, report: Report) -> None:
    from .xlsx import Book, XColumn, sheet, table

    columns = [XColumn("STT", 6, "int"), XColumn("Dòng trong sổ", 10),
               XColumn("Mã tiêu chí", 10), XColumn("Số, ký hiệu", 16),
               XColumn("Ngày ban hành", 13, "date"), XColumn("Trích yếu", 44),
               XColumn("Cơ quan ban hành", 22), XColumn("Tệp, đường dẫn gốc", 36),
               XColumn("Tệp trong gói", 36), XColumn("Tình trạng", 22)]
    rows = []
    for n, f in enumerate(package.files, start=1):
        date = as_date(plain_value(f.row.date))
        rows.append([n, register_row(f.index), f.code, typed_text(f.row.number),
                     date if date is not None else typed_text(f.row.date),
                     typed_text(f.row.subject), typed_text(f.row.issuer), f.link, f.copied,
                     f.status])

    def write(path: Path) -> None:
        book = Book(path)
        ws = sheet(book, "Danh mục", "DANH MỤC TÀI LIỆU KIỂM CHỨNG",
                   f"Chỉ số CCHC năm {report.catalogue.year}",
                   f"Lập lúc {dt.datetime.now():%H:%M %d/%m/%Y}; mỗi tiêu chí một thư mục.")
        placed = table(book, ws, columns, rows, name="TaiLieu")
        for r, f in enumerate(package.files, start=placed.first):
            if f.copied:
                ws.write_url(r, 8, "external:" + f.copied, book.fmt(), f.copied)
        book.close()

    atomic_write(package.index_path, write, keep_backup=False)
