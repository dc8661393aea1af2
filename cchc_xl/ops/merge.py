"""Merging returned unit workbooks into the master.

Each return is read (never modified, never executed), checked against the catalogue and the
layout it was built with, and its points are recomputed by the engine. Files with errors are
not merged unless the user insists (`force`), and never when they cannot be read at all. The
result is a new master state plus a report; writing it is left to the caller, so the headless
command and the Excel live mode share this logic.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..analysis.checks import (
    covered_codes,
    evidence_row_problems,
    missing_evidence_message,
    scored_without_evidence,
)
from ..criteria.catalogue import Catalogue
from ..criteria.engine import LeafScore, score_leaf
from ..criteria.numbers import vn_number
from ..errors import FileError, Problem
from ..files.atomic import atomic_write_text
from ..format.layout import (
    COL,
    COVER_SHEET,
    EVIDENCE_COL,
    EVIDENCE_SHEET,
    META_SHEET,
    OFFICE_KEYS,
    REQUESTS_SHEET,
    cell_ref,
)
from ..format.state import (
    ALREADY_MERGED,
    MERGED,
    MERGED_WITH_ERRORS,
    OLDER,
    REJECTED,
    SUPERSEDED,
    LogRow,
    State,
    as_date,
    plain_value,
    shown,
)
from ..format.tracker import PLAN_KIND, PLAN_LOG_KIND, SCORE_LOG_KIND
from ..read.reader import (
    WorkbookData,
    container_warnings,
    finish_return,
    identify_return,
    read_return,
)
from .plan_return import apply_plan_return, check_plan_return
from .pool import POOL_THRESHOLD, Jobs

STREAMS = (SCORE_LOG_KIND, PLAN_LOG_KIND)
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods", ".csv"}
POINTS_TOLERANCE = Decimal("0.005")


@dataclass
class FileResult:
    data: WorkbookData
    outcome: str = ""
    structural: bool = False  # could not be read properly: never merged, even with force
    full: bool = True  # read and checked in full; False: only identified (see _read_all)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.data.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.data.problems if p.severity == "warning"]

    @property
    def accepted(self) -> bool:
        return self.outcome in (MERGED, MERGED_WITH_ERRORS)

    def to_json(self) -> dict[str, Any]:
        """One file's outcome: in the report (--json) and in the JSON-lines log."""
        data = self.data
        return {"file": str(data.path), "sha256": data.sha256, "unit": data.unit or None,
                "kind": stream(self), "outcome": self.outcome,
                "saved": data.saved.isoformat() if data.saved else None,
                "problems": [p.to_dict() for p in data.problems]}


@dataclass
class MergeResult:
    master: Path
    catalogue: Catalogue
    state: State  # the master's new state (unchanged when nothing was accepted)
    files: list[FileResult] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # inputs that are not workbooks
    missing_units: list[str] = field(default_factory=list)
    backup: Path | None = None
    written: bool = False
    time: str = ""

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in self.files) or any(
            p.severity == "error" for p in self.skipped)

    @property
    def exit_code(self) -> int:
        return 1 if self.has_errors else 0

    def to_json(self) -> dict[str, Any]:
        cat = self.catalogue
        return {
            "master": str(self.master),
            "written": self.written,
            "backup": str(self.backup) if self.backup else None,
            "files": [f.to_json() for f in self.files],
            "skipped": [p.to_dict() for p in self.skipped],
            "missing_units": [{"code": u, "name": cat.unit_name(u)} for u in self.missing_units],
            "exit_code": self.exit_code,
        }


# ---------------------------------------------------------------------------------------------
# Inputs


def collect_inputs(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Files named directly, and spreadsheets inside folders (not recursive), sorted."""
    files: list[Path] = []
    skipped: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            folder = path.resolve()  # once; a child then needs resolving only if it is a link
            for child in sorted(folder.iterdir()):
                if not child.is_file():
                    continue
                if child.name.startswith(("~$", ".~lock.")):
                    skipped.append(Problem("tệp khóa tạm của Excel/LibreOffice (tệp gốc đang mở), "
                                           "bỏ qua.", file=child.name, severity="warning"))
                elif child.suffix.lower() in SPREADSHEET_SUFFIXES:
                    files.append(child.resolve() if child.is_symlink() else child)
                elif not child.name.startswith("."):
                    skipped.append(Problem("không phải tệp bảng tính, bỏ qua.", file=child.name,
                                           severity="warning"))
        elif path.is_file():
            files.append(path.resolve())
        else:
            skipped.append(Problem("không tìm thấy tệp hoặc thư mục này.", file=str(path)))
    unique = list(dict.fromkeys(files))
    return unique, skipped


# ---------------------------------------------------------------------------------------------
# Checking one return


def check_return(data: WorkbookData, catalogue: Catalogue, master: State,
                 today: dt.date) -> None:
    """Add every content problem of a readable return to `data.problems`."""
    assert data.state is not None
    scores = _check_scores(data, catalogue)
    _check_support_rows(data, catalogue, master)
    _check_office_columns(data, catalogue, master)
    _check_evidence(data, catalogue, master, today, scores)
    container_warnings(data, {COVER_SHEET, REQUESTS_SHEET, EVIDENCE_SHEET, META_SHEET,
                              *(e.sheet for e in data.rows.values())})


def _where(data: WorkbookData, code: str, key: str) -> tuple[str, str]:
    row = data.rows[code]
    return row.sheet, cell_ref(row.row, COL[key])


def _check_scores(data: WorkbookData, catalogue: Catalogue) -> dict[str, LeafScore]:
    """Score every leaf of the unit once (the evidence check reuses the scores)."""
    assert data.state is not None
    deduction = catalogue.supplement_deduction
    scores: dict[str, LeafScore] = {}
    for leaf in catalogue.unit_leaves(data.unit):
        if leaf.code not in data.rows:
            continue  # its sheet is broken; already reported
        entry = data.state.entry(leaf.code)
        score = scores[leaf.code] = score_leaf(leaf, entry.leaf_input(), deduction)
        if score.status == "error" and score.check is not None:
            sheet, ref = _where(data, leaf.code, score.check.inputs[0])
            data.problem(score.check.message, sheet=sheet, cell=ref, code=leaf.code)
        elif score.status == "missing":
            blank = [k for k in leaf.rule.inputs if _blank(getattr(entry, k))]
            blank = blank or list(leaf.rule.inputs)
            names = " và ".join(INPUT_LABELS[k] for k in blank)
            sheet, ref = _where(data, leaf.code, blank[0])
            data.problem(f"chưa nhập {names}; nếu đơn vị không được giao nhiệm vụ này, gõ x ở "
                         "cột 'Không chấm điểm'.", sheet=sheet, cell=ref, code=leaf.code,
                         kind="missing-input")
        _check_cached_points(data, leaf.code, score.points, score.cell_text, score.status)
    return scores


INPUT_LABELS = {"a": "a (tổng số)", "b": "b (số đạt)", "value": "giá trị"}


def _same_value(a: Any, b: Any) -> bool:
    """Equal as a spreadsheet shows them: numbers by value, dates by day."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) < 1e-9
    return a == b or (as_date(a) is not None and as_date(a) == as_date(b))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_cached_points(data: WorkbookData, code: str, points: Decimal | None, text: str,
                         status: str) -> None:
    """A number in the points cell that the recomputation disagrees with: typed over the formula."""
    cached = data.cached_points.get(code)
    if cached in (None, ""):
        return  # saved without recalculation (e.g. by openpyxl): nothing to compare
    sheet, ref = _where(data, code, "points")
    if isinstance(cached, (int, float)) and not isinstance(cached, bool):
        if points is not None and abs(Decimal(repr(cached)) - points) <= POINTS_TOLERANCE:
            return
        expected = vn_number(points) if points is not None else "trống"
        data.problem(f"ô điểm tự chấm đang là {vn_number(Decimal(repr(cached)))} nhưng tính lại "
                     f"từ số liệu được {expected}: công thức đã bị gõ đè. Hãy dùng lại tệp gốc "
                     "hoặc xóa số gõ tay; công cụ luôn tính lại điểm.", sheet=sheet, cell=ref,
                     code=code)
    elif str(cached) != text and status != "error":
        data.problem(f"ô điểm tự chấm bị sửa thành {shown(cached)}: công thức đã bị gõ đè. Hãy "
                     "dùng lại tệp gốc.", sheet=sheet, cell=ref, code=code)


def _check_support_rows(data: WorkbookData, catalogue: Catalogue, master: State) -> None:
    """A supporting unit's workbook shows the lead's figures read-only (as merged when it was
    sent); figures that differ from the master's were typed over them and are not merged."""
    assert data.state is not None
    for leaf in catalogue.supported_leaves(data.unit):
        entry = data.state.entries.get(leaf.code)
        if entry is None or leaf.code not in data.rows:
            continue
        shown = master.entry(leaf.code)
        typed = [k for k in ("a", "b", "value", "na", "supp") if getattr(entry, k) is not None
                 and not _same_value(getattr(entry, k), plain_value(getattr(shown, k)))]
        if typed:
            sheet, ref = _where(data, leaf.code, typed[0])
            data.problem(f"tiêu chí này do {catalogue.unit_name(leaf.lead)} chủ trì chấm điểm; "
                         "đơn vị phối hợp chỉ cung cấp tài liệu kiểm chứng. Số liệu nhập ở đây "
                         "không được gộp — hãy xóa và gửi cho đơn vị chủ trì.", sheet=sheet,
                         cell=ref, code=leaf.code)


def _check_office_columns(data: WorkbookData, catalogue: Catalogue, master: State) -> None:
    """Cells reserved for the Văn phòng are not taken from returns; say so if they were typed."""
    assert data.state is not None
    for code, entry in data.state.entries.items():
        if code not in data.rows:
            continue
        original = master.entry(code)
        for key in OFFICE_KEYS:
            value = getattr(entry, key)
            if value is not None and not _same_value(value, plain_value(getattr(original, key))):
                sheet, ref = _where(data, code, key)
                data.problem("ô này khác với tệp tổng hợp; cột này do Văn phòng nhập nên giá trị "
                             "trong tệp đơn vị không được gộp (giữ giá trị của tệp tổng hợp).",
                             sheet=sheet, cell=ref, code=code, severity="warning")
                break


def _check_evidence(data: WorkbookData, catalogue: Catalogue, master: State,
                    today: dt.date, scores: dict[str, LeafScore]) -> None:
    assert data.state is not None
    known = catalogue.leaf_codes
    allowed = {leaf.code for leaf in catalogue.unit_leaves(data.unit)} | {
        leaf.code for leaf in catalogue.supported_leaves(data.unit)}
    for row, r in zip(data.state.evidence, data.evidence_rows, strict=True):
        code = str(row.code or "").strip() or None
        for key, message in evidence_row_problems(row, known, allowed, catalogue, today):
            data.problem(message, sheet=EVIDENCE_SHEET, cell=cell_ref(r, EVIDENCE_COL[key]),
                         code=code)
        typed = str(row.unit or "").strip()
        if typed and typed != data.unit and catalogue.unit(typed) is not None:
            data.problem(f"cột 'Đơn vị cung cấp' ghi {typed} nhưng tệp là của đơn vị {data.unit}; "
                         f"dòng này được ghi là của {data.unit}.", sheet=EVIDENCE_SHEET,
                         cell=cell_ref(r, EVIDENCE_COL["unit"]), code=code, severity="warning")
    # Evidence for this unit's items may also come from supporting units already merged.
    covered = covered_codes(data.state.evidence) | covered_codes(
        r for r in master.evidence if str(r.unit or "").strip() != data.unit)
    leaves = [leaf for leaf in catalogue.unit_leaves(data.unit) if leaf.code in data.rows]
    deduction = catalogue.supplement_deduction
    for score in scored_without_evidence(leaves, data.state, covered, deduction, scores):
        sheet, ref = _where(data, score.code, "points")
        data.problem(missing_evidence_message(score.points or Decimal(0), deduction),
                     sheet=sheet, cell=ref, code=score.code, severity="warning",
                     kind="missing-evidence")


# ---------------------------------------------------------------------------------------------
# The whole merge


def merge_into(catalogue: Catalogue, master: State, master_path: Path, inputs: Iterable[Path],
               *, force: bool = False, now: dt.datetime | None = None,
               progress: Callable[[Path], None] | None = None,
               workers: int | None = None) -> MergeResult:
    """The merge on a master state already in memory (a file, or a workbook open in Excel)."""
    now = now or dt.datetime.now()
    files, skipped = collect_inputs(inputs)
    master_resolved = Path(master_path).resolve()
    files = [p for p in files if p != master_resolved]
    result = MergeResult(Path(master_path), catalogue, master, skipped=skipped,
                         time=now.strftime("%Y-%m-%d %H:%M:%S"))
    befores = {kind: merged_before(master, kind) for kind in STREAMS}
    result.files = _read_all(files, catalogue, master, now.date(), befores, force, progress,
                             workers)
    for kind in STREAMS:  # a unit's score returns and its plan returns: two streams
        _decide([f for f in result.files if stream(f) == kind], befores[kind], force)
    result.state = _apply(result, catalogue, master, now)
    result.missing_units = _missing_units(catalogue, result.state)
    return result


def read_and_check(path: Path, catalogue: Catalogue, master: State,
                   today: dt.date) -> FileResult:
    """One return, read and checked; independent of every other file (so it can run anywhere)."""
    return _checked(read_return(path, catalogue), catalogue, master, today)


def _checked(data: WorkbookData, catalogue: Catalogue, master: State,
             today: dt.date) -> FileResult:
    structural = data.unreadable or bool(data.problems)
    if not data.unreadable:
        if data.kind == PLAN_KIND:
            check_plan_return(data, catalogue, master, today)
        else:
            check_return(data, catalogue, master, today)
    return FileResult(data, structural=structural)


def stream(f: FileResult) -> str:
    """Which stream a file belongs to: score returns or plan returns (as the log says it)."""
    return PLAN_LOG_KIND if f.data.kind == PLAN_KIND else SCORE_LOG_KIND


def _identify_one(path: Path, context: dict[str, Any]) -> FileResult:
    data, book = identify_return(path, context["catalogue"])
    if book is None:
        return FileResult(data, structural=True)  # unreadable: that is all there is to know
    books = context.get("books")
    if books is not None:
        books[path] = (data, book)
    return FileResult(data, full=False)


def _read_one(path: Path, context: dict[str, Any]) -> FileResult:
    catalogue = context["catalogue"]
    kept = context.get("books", {}).pop(path, None)
    data = finish_return(kept[1], kept[0], catalogue) if kept else read_return(path, catalogue)
    return _checked(data, catalogue, context["master"], context["today"])


def _read_all(files: list[Path], catalogue: Catalogue, master: State, today: dt.date,
              befores: dict[str, dict[str, Merged]], force: bool,
              progress: Callable[[Path], None] | None, workers: int | None) -> list[FileResult]:
    """Every file identified (hash, unit, save time), then read and checked in full only where
    that decides an outcome (`_required`): a file superseded by a newer, sound file of its unit
    is listed as superseded without being read further. A small batch keeps its books open
    between the two steps, so each file is read once; a pool reads the few needed again. Each
    stream (score returns, plan returns) is decided on its own."""
    context: dict[str, Any] = {"catalogue": catalogue, "master": master, "today": today}
    if len(files) < POOL_THRESHOLD:
        context["books"] = {}
    with Jobs(context, len(files), workers=workers) as jobs:
        results = jobs.map(_identify_one, files, progress=progress)
        while todo := [i for i in _required_in_streams(results, befores, force)
                       if not results[i].full]:
            for i, read in zip(todo, jobs.map(_read_one, [files[i] for i in todo])):
                results[i] = read
    return results


def _required_in_streams(files: list[FileResult], befores: dict[str, dict[str, Merged]],
                         force: bool) -> list[int]:
    """`_required` for each stream of returns, as indexes into `files`."""
    required: set[int] = set()
    for kind, before in befores.items():
        indexes = [i for i, f in enumerate(files) if stream(f) == kind]
        required |= {indexes[j] for j in _required([files[i] for i in indexes], before, force)}
    return sorted(required)


def _rejected(f: FileResult, force: bool) -> bool:
    return f.structural or (bool(f.errors) and not force)


def _required(files: list[FileResult], before: dict[str, Merged], force: bool) -> set[int]:
    """The files whose full check decides an outcome in `_decide`: per unit, the newest; every
    file when the newest is rejected; any file merged before (already merged or rejected); and,
    newest first past those and the rejected, the first sound one, the one to merge."""
    by_unit: dict[str, list[int]] = {}
    for i, f in enumerate(files):
        if f.data.unit:
            by_unit.setdefault(f.data.unit, []).append(i)
    required: set[int] = set()
    for unit, group in by_unit.items():
        group.sort(key=lambda i: _newest_first(files[i]), reverse=True)
        newest = files[group[0]]
        required.add(group[0])
        if not newest.full:
            continue
        if _rejected(newest, force):
            required.update(group)
            continue
        seen = before.get(unit)
        resent = {i for i in group if seen and files[i].data.sha256 in seen.hashes}
        required |= resent
        for i in group:
            if i in resent:
                continue
            required.add(i)
            if not files[i].full or not _rejected(files[i], force):
                break
    return required


@dataclass(frozen=True)
class Merged:
    """What the master's log says was merged for one unit: the newest save time, every hash."""

    saved: dt.datetime | None
    file: str
    hashes: frozenset[str]


def merged_before(master: State, kind: str = SCORE_LOG_KIND) -> dict[str, Merged]:
    """Per unit, the files of one stream (`kind`) already merged into the master (from its log
    sheet; rows of older logs, without a kind, are score returns)."""
    found: dict[str, Merged] = {}
    for row in master.log:
        if not row.merged or not row.unit:
            continue
        if row.stream != kind:
            continue
        saved = row.saved_at
        old = found.get(row.unit)
        hashes = (old.hashes if old else frozenset()) | {row.sha256}
        if old is None or (saved is not None and (old.saved is None or saved >= old.saved)):
            found[row.unit] = Merged(saved, row.file, hashes)
        else:
            found[row.unit] = replace(old, hashes=hashes)
    return found


def _newest_first(f: FileResult) -> tuple[dt.datetime, str]:
    return (f.data.saved or dt.datetime.min.replace(tzinfo=dt.timezone.utc), f.data.path.name)


def _decide(files: list[FileResult], before: dict[str, Merged], force: bool) -> None:
    """Which file of each unit is merged: the newest, if it is sound and not older than the
    one already merged; a re-sent file changes nothing; an older file never stands in for a
    newer one that was rejected."""
    by_unit: dict[str, list[FileResult]] = {}
    for f in files:
        if f.structural or (f.errors and not force):
            f.outcome = REJECTED
        if f.data.unit:
            by_unit.setdefault(f.data.unit, []).append(f)
    for unit, group in by_unit.items():
        group.sort(key=_newest_first, reverse=True)
        seen = before.get(unit)
        for f in group:
            if seen and f.data.sha256 in seen.hashes and f.outcome != REJECTED:
                f.outcome = ALREADY_MERGED
                f.data.problem("tệp này đã được gộp trước đây (nội dung giống hệt); không có gì "
                               "thay đổi.", severity="warning", kind="already-merged")
        candidates = [f for f in group if not f.outcome]
        if group[0].outcome == REJECTED:
            for f in candidates:
                f.outcome = SUPERSEDED
                f.data.problem(f"tệp mới hơn của đơn vị ({group[0].data.path.name}, lưu lúc "
                               f"{_when(group[0].data.saved)}) bị từ chối, nên tệp cũ hơn này "
                               "không được gộp thay. Hãy sửa tệp mới hơn rồi gửi lại.",
                               kind="newer-rejected")
            continue
        if not candidates:
            continue
        newest, *older = candidates
        if (seen and seen.saved and newest.data.saved and newest.data.saved < seen.saved
                and not force):
            newest.outcome = OLDER
            newest.data.problem(
                f"tệp lưu lúc {_when(newest.data.saved)}, cũ hơn tệp của đơn vị đã gộp trước "
                f"({seen.file}, lưu lúc {_when(seen.saved)}): gộp tệp này sẽ đưa số liệu về bản "
                "cũ nên không gộp. Nếu thật sự muốn dùng tệp này, chạy lại với --force.",
                kind="older")
        else:
            newest.outcome = MERGED_WITH_ERRORS if newest.errors else MERGED
        for f in older:
            f.outcome = SUPERSEDED
            unread = "" if f.full else " và không được kiểm tra chi tiết"
            f.data.problem(f"đơn vị {unit} gửi nhiều tệp; dùng tệp mới hơn {newest.data.path.name}"
                           f" (lưu lúc {_when(newest.data.saved)}), tệp này không được gộp"
                           f"{unread}.", severity="warning", kind="superseded")


def _when(stamp: dt.datetime | None) -> str:
    return stamp.astimezone().strftime("%d/%m/%Y %H:%M") if stamp else "không rõ"


def _apply(result: MergeResult, catalogue: Catalogue, master: State, now: dt.datetime) -> State:
    entries = dict(master.entries)
    evidence = list(master.evidence)
    tasks = list(master.tasks)
    for f in result.files:
        if not f.accepted or f.data.state is None:
            continue
        unit = f.data.unit
        if f.data.kind == PLAN_KIND:  # causes, solutions and tasks (ops/plan_return.py)
            entries, tasks = apply_plan_return(catalogue, entries, tasks, f.data)
            continue
        for leaf in catalogue.unit_leaves(unit):
            if leaf.code in f.data.rows:
                entries[leaf.code] = entries.get(leaf.code, master.entry(leaf.code)).with_inputs(
                    f.data.state.entry(leaf.code))
        # A return replaces the rows of the unit's earlier returns, and only those: rows the
        # Văn phòng typed in the master (no origin) stay whatever their 'Đơn vị cung cấp'.
        # Rows a return brings belong to its unit, whatever its 'Đơn vị cung cấp' says.
        evidence = [e for e in evidence if e.origin != unit]
        evidence += [replace(e, unit=unit, origin=unit) for e in f.data.state.evidence]
    log = list(master.log)
    for f in result.files:
        saved = f.data.saved.isoformat(timespec="seconds") if f.data.saved else ""
        log.append(LogRow(result.time, f.data.path.name, f.data.sha256, f.data.unit, f.outcome,
                          "; ".join(str(p) for p in f.data.problems)[:2000], saved, stream(f)))
    return replace(master, entries=entries, evidence=evidence, log=log, tasks=tasks)


def _missing_units(catalogue: Catalogue, state: State) -> list[str]:
    returned = {row.unit for row in state.log if row.merged
                and row.stream == SCORE_LOG_KIND}
    return [u.code for u in catalogue.units
            if catalogue.has_items(u.code) and u.code not in returned]


def log_lines(result: MergeResult) -> str:
    """The JSON-lines merge log entries for this run (one object per file)."""
    return "".join(json.dumps({"time": result.time, **f.to_json()}, ensure_ascii=False) + "\n"
                   for f in result.files)


def append_log(result: MergeResult, master: Path) -> None:
    """Add this run's entries to the JSON-lines log beside the master. Called once the master is
    written: a log that cannot be written is then a warning, never a failed merge."""
    try:
        atomic_write_text(log_path(master), log_lines(result), append=True)
    except FileError as exc:  # the master is merged; its log sheet has every line
        result.skipped.append(Problem(
            f"đã gộp xong nhưng không ghi thêm được nhật ký JSON ({exc.message}); sheet "
            "'Nhật ký gộp' trong tệp tổng hợp vẫn có đủ.", file=log_path(master).name,
            severity="warning"))


def log_path(master: Path) -> Path:
    """The JSON-lines merge log beside the master: <master stem>.nhat-ky-gop.jsonl."""
    return master.with_name(master.stem + ".nhat-ky-gop.jsonl")
