"""What a workbook holds that people typed: the state every builder writes and every reader reads.

A workbook is a pure function of (catalogue, state): `new` writes an empty state, `merge` writes
the master's state updated with the accepted returns, `sync` rewrites the same state with fresh
analyses. Because of that, regeneration cannot drop anything a user typed into an input cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from ..criteria.engine import LeafInput
from .layout import Kind


@dataclass(frozen=True)
class Formula:
    """A formula a person typed into an input cell: kept as a formula, computed by its value.

    `value` is the result the file holds (None when the program that saved it did not compute
    formulas, as openpyxl does not).
    """

    text: str  # '=0,5*0,7' as the file spells it: '=0.5*0.7'
    value: Any = None


def plain_value(value: Any) -> Any:
    """What a typed cell counts as: a formula's value, else the value itself."""
    return value.value if isinstance(value, Formula) else value


def shown(value: Any) -> str:
    """A cell's content as a message quotes it: 'ô trống', a number the Vietnamese way
    (14.697; 0,5), a date dd/mm/yyyy, text in quotes (cut after 60 characters) — never Python's
    repr (None, datetime.datetime(…), 2025.0)."""
    from ..criteria.numbers import vn_number

    value = plain_value(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return "ô trống"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return vn_number(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value:%d/%m/%Y}"
    text = str(value)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


@dataclass(frozen=True)
class Entry:
    """The typed cells of one row (leaf or parent) of a tree sheet; None means blank."""

    a: Any = None
    b: Any = None
    value: Any = None
    na: Any = None
    supp: Any = None
    appraised: Any = None
    last_year: Any = None
    target: Any = None
    note: Any = None
    cause: Any = None
    remedy: Any = None
    deadline: Any = None

    def leaf_input(self) -> LeafInput:
        return LeafInput(*(plain_value(v) for v in (self.a, self.b, self.value, self.na,
                                                    self.supp)))

    def with_inputs(self, other: Entry) -> Entry:
        """This entry with the unit-typed cells (inputs and note) taken from `other`."""
        return replace(self, a=other.a, b=other.b, value=other.value, na=other.na,
                       supp=other.supp, note=other.note)

    def is_blank(self) -> bool:
        return all(v in (None, "") for v in self.__dict__.values())


@dataclass(frozen=True)
class EvidenceRow:
    code: Any = None
    number: Any = None
    date: Any = None  # a date, or whatever was typed
    subject: Any = None
    issuer: Any = None
    link: Any = None
    unit: Any = None
    origin: str | None = None  # the unit whose return brought the row; None: typed in the master

    def is_blank(self) -> bool:
        return all(getattr(self, key) in (None, "") for key in EVIDENCE_KEYS)


EVIDENCE_KEYS = ("code", "number", "date", "subject", "issuer", "link", "unit")

@dataclass(frozen=True)
class Explanation:
    """The appraisal of one item and the Sở's explanation (giải trình), as the round went.

    The final points are the item's appraised points (column 'Điểm thẩm định'): one number in
    one place; this keeps what came before it and what was said.
    """

    first: Any = None  # the council's first appraised points
    explanation: Any = None  # what the Sở explained
    supplement: Any = None  # the evidence supplemented
    decision: Any = None  # the council's decision on the explanation

    def is_blank(self) -> bool:
        return all(v in (None, "") for v in self.__dict__.values())


EXPLANATION_KEYS = ("first", "explanation", "supplement", "decision")

TASK_STATUSES = ("chưa thực hiện", "đang thực hiện", "hoàn thành")
OVERDUE = "quá hạn"  # derived from the deadline and the date, never typed


@dataclass(frozen=True)
class Task:
    """One task of the remediation plan (kế hoạch khắc phục), tracked through the year.

    Proposed by the lead unit of a lost item in its plan workbook (or typed by the Văn phòng in
    the master's tracker sheet), then updated by that unit: status, completion date, evidence.
    """

    code: Any = None  # the sub-criterion (or field) it remedies
    task: Any = None  # nhiệm vụ
    deliverable: Any = None  # sản phẩm, kết quả
    lead: Any = None  # đơn vị chủ trì (unit code)
    support: Any = None  # đơn vị phối hợp (text)
    deadline: Any = None  # a date (or what was typed)
    status: Any = None  # one of TASK_STATUSES
    completed: Any = None  # completion date
    evidence: Any = None  # what proves it was done
    note: Any = None
    origin: str | None = None  # the unit whose plan return brought it; None: the Văn phòng

    def is_blank(self) -> bool:
        return all(getattr(self, key) in (None, "") for key in TASK_KEYS)


TASK_KEYS = ("code", "task", "deliverable", "lead", "support", "deadline", "status", "completed",
             "evidence", "note")


# The outcome of a file in the merge log ('Kết quả'): written by the merge, read by the units'
# status and requests.
MERGED = "đã gộp"
MERGED_WITH_ERRORS = "đã gộp dù có lỗi"
REJECTED = "bị từ chối"
SUPERSEDED = "bị thay bằng tệp mới hơn"
ALREADY_MERGED = "đã gộp trước đó"
OLDER = "cũ hơn tệp đã gộp"
CHECKED = "đã kiểm tra, chưa gộp"

# The merge log's `kind` of a file: a unit's score returns and its plan returns are two streams.
SCORE_LOG_KIND = "chấm điểm"
PLAN_LOG_KIND = "kế hoạch khắc phục"


@dataclass(frozen=True)
class LogRow:
    """One line of the merge log (also written as JSON lines beside the master)."""

    time: str
    file: str
    sha256: str
    unit: str
    outcome: str  # "đã gộp" / "bị từ chối" / "bị thay bằng tệp mới hơn" …
    problems: str = ""
    saved: str = ""  # when the file was saved (ISO 8601), to refuse an older one later
    kind: str = ""  # score return ('chấm điểm', blank in older logs) or plan return

    @property
    def merged(self) -> bool:
        return self.outcome in (MERGED, MERGED_WITH_ERRORS)

    @property
    def saved_at(self) -> dt.datetime | None:
        """When the file was saved (UTC when the log has no zone), None if unknown."""
        try:
            stamp = dt.datetime.fromisoformat(self.saved) if self.saved else None
        except ValueError:
            return None
        return stamp.replace(tzinfo=dt.timezone.utc) if stamp and not stamp.tzinfo else stamp

    @property
    def stream(self) -> str:
        """Which of a unit's two streams of returns the file belongs to."""
        return PLAN_LOG_KIND if self.kind == PLAN_LOG_KIND else SCORE_LOG_KIND


@dataclass
class State:
    kind: Kind
    org: str = ""
    unit: str | None = None
    entries: dict[str, Entry] = field(default_factory=dict)
    evidence: list[EvidenceRow] = field(default_factory=list)
    log: list[LogRow] = field(default_factory=list)
    # The master's 'Thông tin chung' sheet: settings and published results (format/info.py).
    info: dict[str, Any] = field(default_factory=dict)
    tasks: list[Task] = field(default_factory=list)  # the remediation plan's tracker
    explanations: dict[str, Explanation] = field(default_factory=dict)  # the appraisal round

    def entry(self, code: str) -> Entry:
        return self.entries.get(code, EMPTY)

    def leaf_inputs(self) -> dict[str, LeafInput]:
        return {code: e.leaf_input() for code, e in self.entries.items()}

    def without_formulas(self) -> State:
        """The same state with every typed formula replaced by its value: what a unit's
        workbook carries (a formula typed in the master refers to the master's cells)."""
        def plain(row: Any) -> Any:
            values = {k: plain_value(v) for k, v in row.__dict__.items()}
            return replace(row, **values)

        return replace(self, entries={c: plain(e) for c, e in self.entries.items()},
                       evidence=[plain(r) for r in self.evidence],
                       tasks=[plain(t) for t in self.tasks])


EMPTY = Entry()


def as_date(value: Any) -> dt.date | None:
    """A date from what a reader returns (date, datetime); None for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None
