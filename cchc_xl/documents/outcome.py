"""What writing a document returns: the file and the warnings for the person who asked for it.

Warnings are `Problem`s of severity "warning", located where the missing thing is typed (the
'Thông tin chung' sheet, a criterion's code, a row of the evidence register), so the command
line prints them like every other notice. A document is written even with warnings: a blank
that the clerk fills in by hand is shown as a dotted line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import FileError, Problem
from ..format.info import info_cells
from ..format.layout import INFO_SHEET, cell_ref


@dataclass
class DocumentResult:
    """The written document and what the person should know about it.

    It stands for its path where a path was expected (`os.fspath`, `str`, `.name`), so callers
    that used the path returned before keep working."""

    path: Path
    warnings: list[Problem] = field(default_factory=list)
    evidence: Any = None  # the evidence package (documents.evidence.Package), when one was made
    progress: Any = None  # the figures of a progress report (analysis.progress.Progress)

    @property
    def name(self) -> str:
        return self.path.name

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def __str__(self) -> str:
        return str(self.path)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": str(self.path),
                                "warnings": [w.to_dict() for w in self.warnings]}
        if self.evidence is not None:
            data["evidence"] = self.evidence.to_json()
        return data


class Warnings(list[Problem]):
    """The warnings of one document, collected while it is built."""

    def add(self, message: str, *, kind: str, code: str | None = None,
            sheet: str | None = None, cell: str | None = None) -> None:
        self.append(Problem(message, sheet=sheet, cell=cell, code=code, severity="warning",
                            kind=kind))

    def setting(self, catalogue: Any, key: str, message: str) -> None:
        """A blank or doubtful cell of the 'Thông tin chung' sheet."""
        row, col = info_cells(catalogue).get(key, (None, None))
        where = cell_ref(row, col) if row is not None and col is not None else None
        self.add(message, kind="settings", sheet=INFO_SHEET, cell=where)


def output_suffix(out: Path, allowed: tuple[str, ...], what: str) -> str:
    """The output's suffix, or a FileError naming the kinds this document can be written as."""
    suffix = out.suffix.lower()
    if suffix not in allowed:
        kinds = " hoặc ".join(f"{s} ({'Word' if s == '.docx' else 'Excel'})" for s in allowed)
        raise FileError(f"Chỉ xuất {what} ra {kinds}, không phải '{out.suffix or out.name}'.")
    return suffix
