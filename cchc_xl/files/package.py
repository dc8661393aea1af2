"""The few facts read straight from a workbook's zip package, opened once.

Spreadsheet readers give cell values; a handful of things live only in the package's XML: the
formulas people typed (python-calamine cannot return formula text), when the file was saved
(docProps/core.xml), and whether a sheet is protected with a password. One `Package` answers all
of them, for any writer's spelling (Excel, LibreOffice, WPS, openpyxl, XlsxWriter).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from pathlib import Path
from typing import IO

# A cell and its body; a formula element inside it. Namespace prefixes are allowed (x:c, x:f).
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_REF = re.compile(rb"""\br\s*=\s*["']([A-Z]{1,3})([0-9]{1,7})["']""")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*?)/?>")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*?)/?>")
_PROTECTION = re.compile(rb"<(?:\w+:)?sheetProtection\b([^>]*?)/?>")
_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def xml_unescape(text: str) -> str:
    """XML's five entities and character references (xml.sax pulls in urllib: 25 ms)."""
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _NAMED[name]

    return _ENTITY.sub(one, text)


def attributes(raw: bytes) -> dict[str, str]:
    """Attributes of one tag, keys without a namespace prefix."""
    found = {}
    for key, double, single in _ATTR.findall(raw):
        name = key.decode("ascii", "replace").rsplit(":", 1)[-1]
        found[name] = xml_unescape((double or single).decode("utf-8", "replace"))
    return found


def column_index(letters: str) -> int:
    """'A' → 0, 'AA' → 26."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


class Package:
    """A spreadsheet package (.xlsx/.xlsm) opened once for raw reads."""

    def __init__(self, source: Path | str | IO[bytes] | zipfile.ZipFile) -> None:
        self._own = not isinstance(source, zipfile.ZipFile)
        self.zip = source if isinstance(source, zipfile.ZipFile) else zipfile.ZipFile(source)
        self._sheets: dict[str, str] | None = None

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own:
            self.zip.close()

    def read(self, part: str) -> bytes:
        return self.zip.read(part)

    # -- sheets -----------------------------------------------------------------------------
    def sheet_parts(self) -> dict[str, str]:
        """Sheet name → its part ('xl/worksheets/sheet1.xml'), in workbook order."""
        if self._sheets is None:
            workbook = self.read("xl/workbook.xml")
            targets = {}
            for raw in _REL.findall(self.read("xl/_rels/workbook.xml.rels")):
                rel = attributes(raw)
                target = rel.get("Target", "")
                part = target.lstrip("/") if target.startswith("/") else \
                    posixpath.normpath(posixpath.join("xl", target))
                targets[rel.get("Id", "")] = part
            self._sheets = {}
            for raw in _SHEET.findall(workbook):
                sheet = attributes(raw)
                if sheet.get("id") in targets:
                    self._sheets[sheet.get("name", "")] = targets[sheet["id"]]
        return self._sheets

    def sheet_xml(self, sheet: str) -> bytes | None:
        part = self.sheet_parts().get(sheet)
        return None if part is None else self.read(part)

    def formulas(self, sheet: str) -> dict[tuple[int, int], str]:
        """(row, col) → formula text ('=SUM(A1:A3)') of every formula cell of a sheet, 0-based.

        A cell that only continues a shared or array formula written elsewhere has the text
        '' (its own formula is not spelled out in the file).
        """
        xml = self.sheet_xml(sheet)
        if xml is None:
            return {}
        found: dict[tuple[int, int], str] = {}
        for head, body in _CELL.findall(xml):
            if not body or b"<" not in body:
                continue
            formula = _FORMULA.search(body)
            ref = _REF.search(head)
            if formula is None or ref is None:
                continue
            text = xml_unescape((formula.group(2) or b"").decode("utf-8", "replace")).strip()
            where = (int(ref.group(2)) - 1, column_index(ref.group(1).decode("ascii")))
            found[where] = "=" + text if text else ""
        return found

    def protection(self, sheet: str) -> dict[str, str] | None:
        """The sheet's <sheetProtection> attributes, or None when it is not protected."""
        xml = self.sheet_xml(sheet)
        match = _PROTECTION.search(xml) if xml is not None else None
        return attributes(match.group(1)) if match else None

    # -- document properties ----------------------------------------------------------------
    def saved(self) -> dt.datetime | None:
        """When the file was last saved (docProps/core.xml), as an aware datetime, or None."""
        try:
            return saved_in(self.read(CORE_PART))
        except KeyError:
            return None


CORE_PART = "docProps/core.xml"


def saved_in(core: bytes) -> dt.datetime | None:
    """The save time written in a docProps/core.xml, as an aware datetime, or None."""
    match = _MODIFIED.search(core)
    if not match:
        return None
    text = match.group(1).decode("ascii", "replace").strip().replace("Z", "+00:00")
    try:
        stamp = dt.datetime.fromisoformat(text)
        stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)
        stamp.astimezone()  # reports show it in local time: year 1 or 9999 cannot be
    except (ValueError, OverflowError):
        return None
    return stamp
