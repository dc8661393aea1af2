"""The master workbook (tệp tổng hợp): the object the CLI, the buttons, the demo and scripts use.

    >>> from cchc_xl import Master
    >>> master = Master.create("bo-tieu-chi.yaml", "tong-hop.xlsm", org="Sở Tư pháp tỉnh X")
    >>> master.split("gui-don-vi")               # one workbook per unit
    >>> master.merge(["nhan-ve"])                # check and merge what came back
    >>> master.sync()                            # recompute after typing in Excel
    >>> master.export_plan("ke-hoach.docx")

Every write goes the same way: an exclusive lock on the file (`files.lock`), the file re-read if
someone else changed it since it was opened, the password checked, the whole workbook rebuilt
from (catalogue, state), compared with the current file so nothing typed outside the input
cells is lost (`ops.drift`), then an atomic replace with a backup in `sao-luu/`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.checks import check_master
from ..analysis.report import Report, build_report
from ..analysis.tasks import tracker_problems
from ..criteria.catalogue import Catalogue, load_catalogue
from ..errors import FileError, Problem
from ..files.atomic import atomic_write, ensure_writable
from ..files.lock import WriteLock
from ..format.layout import EVIDENCE_FIRST_ROW
from ..format.state import State
from ..format.tracker import TASK_FIRST_ROW
from ..read.reader import WorkbookData, read_master
from .password import check_password

if TYPE_CHECKING:
    import pandas

    from ..documents.outcome import DocumentResult
    from ..analysis.progress import Progress

    from .merge import MergeResult

MASTER_SUFFIXES = (".xlsm", ".xlsx")


@dataclass
class SyncResult:
    master: Path
    report: Report
    backup: Path | None = None
    notices: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {**self.report.to_json(), "backup": str(self.backup or ""),
                "notices": [p.to_dict() for p in self.notices]}


@dataclass
class CheckResult:
    master: Path
    problems: list[Problem]
    returns: MergeResult | None = None

    @property
    def exit_code(self) -> int:
        errors = any(p.severity == "error" for p in self.problems)
        return 1 if errors or (self.returns is not None and self.returns.has_errors) else 0

    def to_json(self) -> dict[str, Any]:
        return {"master": [p.to_dict() for p in self.problems],
                "returns": self.returns.to_json() if self.returns else None,
                "exit_code": self.exit_code}


@dataclass
class AppraisalResult:
    master: Path
    file: Path
    points: dict[str, Decimal]  # code → the council's points, now in 'Điểm thẩm định'
    first_round: list[str]  # codes whose first-round points were recorded
    ignored: list[str]  # group codes in the file (the master sums them)
    backup: Path | None = None
    # code → (self-assessed, appraised) points of the items the council lowered
    lowered: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"master": str(self.master), "file": str(self.file),
                "points": {code: str(p) for code, p in self.points.items()},
                "first_round": self.first_round, "ignored": self.ignored,
                "lowered": {code: [str(own), str(given)]
                            for code, (own, given) in self.lowered.items()},
                "backup": str(self.backup or "")}


@dataclass
class SplitResult:
    folder: Path
    files: list[Path]

    def to_json(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "files": [str(p) for p in self.files]}


def write_master(catalogue: Catalogue, state: State, path: Path, *, password: str = "",
                 recalc_probe: bool = False) -> None:
    """Build a master at `path`: with macros and buttons when it is an .xlsm."""
    from ..build import build_master

    path = Path(path)
    vba, extra = None, None
    if path.suffix.lower() == ".xlsm":
        from ..build.macros import master_extras, master_vba_project

        vba, extra = master_vba_project, master_extras
    build_master(catalogue, state, path, password=password, vba_project=vba, extra=extra,
                 recalc_probe=recalc_probe)


class Master:
    """A master workbook read from its file, with everything the Văn phòng does to it."""

    def __init__(self, path: Path, catalogue: Catalogue, data: WorkbookData,
                 password: str = "") -> None:
        assert data.state is not None
        self.path = Path(path)
        self.catalogue = catalogue
        self.password = password
        self.state: State = data.state  # replace it, then save(), to change the master
        self.warnings: list[Problem] = []  # what creating it noticed (codes not carried over)
        self._data = data
        # The hash of the very bytes `data` was read from: hashing the file again here would
        # take in a write made meanwhile by someone else, and theirs would be lost on our write.
        self._digest = data.sha256 or _digest(self.path)

    # -- opening --------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str, *, password: str = "") -> Master:
        """Read a master. FileError (exit 2): not a readable master, or a wrong password.
        InputError (exit 1): its structure was changed by hand (rows moved, sheets renamed).
        Reading needs no password; writing a master whose sheets have one does."""
        path = Path(path)
        catalogue, data = read_master(path)
        if password:  # a wrong one is refused now; a missing one only when writing
            check_password(path, password)
        return cls(path, catalogue, data, password)

    @classmethod
    def create(cls, catalogue: Catalogue | Path | str, path: Path | str, *, org: str = "",
               password: str = "", overwrite: bool = False,
               last_year: Path | str | None = None,
               code_map: dict[str, str] | None = None) -> Master:
        """A new, empty master; an existing file is replaced only with `overwrite` (backed up).

        With `last_year` (last year's master), each item starts with last year's result and
        'Thông tin chung' with last year's published figures (`ops.carry`); codes that changed
        are in `warnings`, and `code_map` ({old: new}) matches them.
        """
        path = Path(path)
        if path.suffix.lower() not in MASTER_SUFFIXES:
            raise FileError(f"Tệp tổng hợp phải có đuôi .xlsm (có nút bấm) hoặc .xlsx, không phải "
                            f"'{path.suffix}'.")
        if path.exists() and not overwrite:
            raise FileError(f"{path} đã có; tạo mới sẽ xóa số liệu trong đó. Dùng --force nếu "
                            "thật sự muốn ghi đè (bản cũ được lưu trong thư mục sao-luu).")
        if not isinstance(catalogue, Catalogue):
            catalogue = load_catalogue(catalogue)
        state, warnings = State("master", org=org), []
        if last_year is not None:
            from .carry import carry_over, with_carried

            previous = Master.open(last_year)
            carried = carry_over(previous.report(), catalogue, code_map,
                                 file=Path(last_year).name)
            state = replace(state, org=org or previous.state.org, info=carried.info,
                            entries=with_carried(state.entries, carried))
            # The organisation's settings stay; last year's results and deadline do not.
            state.info.update({key: value for key, value in previous.state.info.items()
                               if not key.startswith(("published.", "last_year.", "field."))
                               and key != "return_deadline"})
            warnings = carried.problems
        with WriteLock(path, command="new"):
            atomic_write(path, lambda tmp: write_master(catalogue, state, tmp, password=password))
        created = cls.open(path, password=password)
        created.warnings = warnings
        return created

    # -- what it holds ----------------------------------------------------------------------------
    def report(self) -> Report:
        """Every number the consolidated sheet, the gap analysis and the documents show."""
        return build_report(self.catalogue, self.state)

    @property
    def notices(self) -> list[Problem]:
        """What reading the file noticed and fixed on the way (a number typed as text …)."""
        return list(self._data.notices)

    def scores(self) -> pandas.DataFrame:
        """One row per sub-criterion: codes, unit, inputs, points, appraised, target, evidence."""
        from ..analysis.frame import scores_frame

        return scores_frame(self.report())

    def check(self, inputs: Iterable[Path | str] = (), *,
              today: dt.date | None = None) -> CheckResult:
        """What to fix before reporting, and (with `inputs`) what merging them would say."""
        today = today or dt.date.today()
        problems = check_master(self.catalogue, self.state, today, file=self.path.name,
                                evidence_rows=self._data.evidence_rows)
        problems += tracker_problems(self.catalogue, self.state.tasks, self._data.task_rows, today,
                                     self.path.name)
        problems += self.notices
        returns = self.merge(inputs, dry_run=True) if inputs else None
        return CheckResult(self.path, problems, returns)

    # -- operations -----------------------------------------------------------------------------
    def split(self, outdir: Path | str, *, units: list[str] | None = None, password: str = "",
              workers: int | None = None) -> SplitResult:
        """One workbook per unit that leads an item, computing live with native formulas."""
        from .split import write_unit_files

        files = write_unit_files(self.catalogue, self.state, Path(outdir), password=password,
                                 units=units, workers=workers)
        return SplitResult(Path(outdir), files)

    def split_plan(self, outdir: Path | str, *, units: list[str] | None = None,
                   password: str = "", today: dt.date | None = None) -> SplitResult:
        """One plan workbook per lead unit (kế hoạch khắc phục): its items below their maximum or
        target, with their figures, causes and solutions, and its tasks, to fill in and return
        through `merge` like a score return."""
        from .plan_round import write_plan_files

        files = write_plan_files(self.catalogue, self.state, Path(outdir), units=units,
                                 password=password, today=today)
        return SplitResult(Path(outdir), files)

    def merge(self, inputs: Iterable[Path | str], *, force: bool = False, dry_run: bool = False,
              now: dt.datetime | None = None, progress: Callable[[Path], None] | None = None,
              workers: int | None = None) -> MergeResult:
        """Check returned workbooks and merge the accepted ones; `dry_run` writes nothing."""
        from ..format.state import CHECKED
        from .merge import append_log, merge_into

        with nullcontext() if dry_run else self._writing("merge"):
            result = merge_into(self.catalogue, self.state, self.path, [Path(p) for p in inputs],
                                force=force, now=now, progress=progress, workers=workers)
            if dry_run:
                for f in result.files:
                    if f.accepted:
                        f.outcome = CHECKED
                return result
            if result.files:
                result.backup = self._write(result.state, now, action="gộp dữ liệu")
                result.written = True
                append_log(result, self.path)
        return result

    def sync(self, *, now: dt.datetime | None = None) -> SyncResult:
        """Rebuild the master from its own inputs: fresh consolidated and gap sheets."""
        with self._writing("sync"):
            backup = self._write(self.state, now, action="đồng bộ")
            return SyncResult(self.path, self.report(), backup, self.notices)

    def save(self, *, now: dt.datetime | None = None) -> Path | None:
        """Write `self.state` (changed by a script) to the file; returns the backup's path."""
        with self._writing("save", reload=False):
            return self._write(self.state, now, action="ghi")

    def import_appraisal(self, path: Path | str, *, first_round: bool = False,
                         now: dt.datetime | None = None) -> AppraisalResult:
        """The council's points from its spreadsheet into 'Điểm thẩm định'. Every problem of
        the file (unknown code, text or out-of-range points) is reported with its cell and
        nothing is written. The first import records each item's first-round points on the
        appraisal sheet ('Giải trình thẩm định') for the items it lowered; `first_round`
        records them again."""
        from .appraisal import apply_appraisal, read_council_file

        appraisal = read_council_file(Path(path), self.catalogue)
        with self._writing("appraisal"):
            applied = apply_appraisal(self.catalogue, self.state, appraisal.points,
                                      first_round=first_round)
            backup = self._write(applied.state, now, action="nhập điểm thẩm định")
        return AppraisalResult(self.path, Path(path), appraisal.points, applied.first_round,
                               sorted(set(appraisal.ignored)), backup, applied.lowered)

    def progress(self, on: dt.date | None = None) -> Progress:
        """The remediation plan's progress on a date (default today): tasks done, overdue, per
        unit and per field, and the items whose points are at risk."""
        from ..analysis.progress import progress_on

        return progress_on(self.report(), self.state.tasks, on or dt.date.today())

    def export_progress(self, out: Path | str, *,
                        on: dt.date | None = None) -> DocumentResult:
        """The progress report (báo cáo tiến độ thực hiện kế hoạch khắc phục), .docx or .xlsx;
        its `warnings` say what to complete (tracker rows without a deadline, no signer …)."""
        from ..analysis.progress import progress_on
        from ..documents.progress import export_progress

        report = self.report()
        progress = progress_on(report, self.state.tasks, on or dt.date.today())
        result = export_progress(progress, report, Path(out), task_rows=self._data.task_rows)
        result.progress = progress  # its totals, for the line that says the report was written
        return result

    def export_plan(self, out: Path | str) -> DocumentResult:
        """The remediation plan (kế hoạch khắc phục) as .docx or .xlsx; its `warnings` say what
        to complete (blank causes, no signer …)."""
        from ..documents.plan import export_plan

        return export_plan(self.report(), Path(out))

    def export_report(self, out: Path | str, *,
                      evidence_dir: Path | str | None = None) -> DocumentResult:
        """The self-assessment report to Sở Nội vụ (.docx or .xlsx); with `evidence_dir`, the
        evidence package: the register's files copied into one folder per criterion code, with
        an index (links relative to the master's folder)."""
        from ..documents.report import export_report

        folder = Path(evidence_dir) if evidence_dir is not None else None
        return export_report(self.report(), Path(out), folder, source_folder=self.path.parent)

    # -- the write path -------------------------------------------------------------------------
    @contextmanager
    def _writing(self, command: str, reload: bool = True) -> Iterator[None]:
        """Hold the lock and make sure the state in memory is what the file holds now."""
        ensure_writable(self.path)
        check_password(self.path, self.password)  # before any work: a merge reads many files
        with WriteLock(self.path, command=command):
            if _digest(self.path) != self._digest:
                if not reload or self.state is not self._data.state:
                    raise FileError(f"Tệp {self.path.name} đã được người khác (hoặc chương trình "
                                    "khác) ghi lại từ khi mở; thay đổi của bạn chưa được ghi. Hãy "
                                    "mở lại tệp rồi làm lại.")
                self._reload()
            yield

    def _reload(self) -> None:
        fresh = Master.open(self.path, password=self.password)
        self.catalogue, self._data, self.state = fresh.catalogue, fresh._data, fresh.state
        self._digest = fresh._digest

    def _write(self, state: State, now: dt.datetime | None, action: str) -> Path | None:
        from .drift import drift, refusal

        check_password(self.path, self.password)

        def write_checked(fresh: Path) -> None:
            write_master(self.catalogue, state, fresh, password=self.password)
            problems = drift(self.path, fresh, self.catalogue, self._data)
            if problems:  # raised before anything is replaced; the temporary file is removed
                raise refusal(self.path.name, action, problems)

        backup = atomic_write(self.path, write_checked, now=now)
        # The file is now the build of `state` by this version: what drift compares next time.
        self._data.state = self.state = state
        self._data.meta["generator"] = _generator()
        # The tracker is rewritten one task a row from its first row (build/tracker.py): where
        # check() and the progress report's warnings locate each task from now on.
        self._data.task_rows = [TASK_FIRST_ROW + i for i in range(len(state.tasks))]
        self._data.evidence_rows = [EVIDENCE_FIRST_ROW + i for i in range(len(state.evidence))]
        self._digest = _digest(self.path)
        return backup


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def _generator() -> str:
    from .._version import __version__

    return f"cchc-xl {__version__}"
