"""One error hierarchy for the whole tool.

Every message is Vietnamese, names where the problem is (file, sheet, cell, unit, criterion code)
and says what to do. The CLI maps the two branches to exit codes: `InputError` → 1 (the inputs
have problems; nothing bad was written), `FileError` → 2 (usage error or unreadable file).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    unit: str | None = None
    code: str | None = None
    severity: Severity = "error"
    kind: str | None = None  # groups problems of one sort in printed summaries

    def where(self, with_file: bool = True) -> str:
        parts = []
        if self.file and with_file:
            parts.append(f"tệp {self.file}")
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.cell:
            parts.append(f"ô {self.cell}")
        if self.unit:
            parts.append(f"đơn vị {self.unit}")
        if self.code:
            parts.append(f"tiêu chí {self.code}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        label = "Lỗi" if self.severity == "error" else "Cảnh báo"
        return f"{label} ({where}): {self.message}" if where else f"{label}: {self.message}"

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


class CchcError(Exception):
    """Base of every error the tool reports to a user."""

    exit_code = 1

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        if not message:
            raise ValueError("CchcError needs a non-empty message")
        super().__init__(message)
        self.message = message
        self.problems = list(problems)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message] + [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class InputError(CchcError):
    """The inputs have problems; they are reported and nothing bad was written."""

    exit_code = 1


class CatalogueError(InputError):
    """The criteria catalogue is invalid; `problems` lists every problem found."""


class ScoreError(InputError):
    """An impossible input for a rule (b > a, a negative count, a label not in the list …)."""


class FileError(CchcError):
    """A file cannot be read or written at all (missing, locked, wrong format)."""

    exit_code = 2
