"""What each button of the master runs (see `excel_bridge.BUTTON_HANDLERS`).

A handler gets the master's path (the VBA saved the workbook first) and the button's argument,
and returns the Vietnamese text of the message box. Split, plan and check read the saved file;
merge and sync work on the open workbook (live mode) and then save it, after copying the
previous file to sao-luu. The text-building functions are plain and tested; the few lines that
touch Excel are marked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..analysis.report import Report
from ..criteria.numbers import vn_number, vn_percent
from ..errors import Problem
from ..ops.merge import ALREADY_MERGED, CHECKED, MergeResult

MAX_LINES = 12


def split(master: Path, folder: str) -> str:
    from ..ops.master import Master

    written = Master.open(master).split(Path(folder)).files
    return f"Đã tạo {len(written)} tệp cho các đơn vị trong thư mục:\n{folder}"


def merge(master: Path, folder: str) -> str:
    from .live import live_merge

    book = _open(master)  # Excel
    result = live_merge(book, [Path(folder)])
    _save(book)  # Excel
    return merge_message(result)


def sync(master: Path) -> str:
    from .live import live_sync

    book = _open(master)  # Excel
    report = live_sync(book)
    _save(book)  # Excel
    return sync_message(report)


def plan(master: Path, target: str) -> str:
    from ..ops.master import Master

    out = Master.open(master).export_plan(Path(target))
    return f"Đã xuất kế hoạch khắc phục:\n{out}"


def check(master: Path) -> str:
    from ..ops.master import Master

    return check_message(Master.open(master).check().problems)


# ---------------------------------------------------------------------------------------------
# Message texts


def merge_message(result: MergeResult) -> str:
    accepted = [f for f in result.files if f.accepted or f.outcome == CHECKED]
    again = [f for f in result.files if f.outcome == ALREADY_MERGED]
    refused = [f for f in result.files if f not in accepted and f not in again]
    verb = "gộp" if result.written else "đạt kiểm tra (chưa gộp)"
    lines = [f"Đã đọc {len(result.files)} tệp: {verb} {len(accepted)}, không gộp "
             f"{len(refused)}" + (f", đã gộp trước đó {len(again)}" if again else "") + "."]
    for f in refused:
        lines.append(f"- {f.data.path.name}: {f.outcome}")
        lines += [f"    {_where(p)}{p.message}" for p in f.errors[:2]]  # file named above
    warnings = sum(len(f.warnings) for f in result.files)
    if warnings:
        lines.append(f"Có {warnings} cảnh báo (ví dụ thiếu tài liệu kiểm chứng).")
    if result.missing_units:
        names = ", ".join(result.catalogue.unit_name(u) for u in result.missing_units)
        lines.append(f"Đơn vị chưa gửi tệp: {names}.")
    lines.append(f"Chi tiết trong sheet 'Nhật ký gộp' và tệp {result.master.stem}"
                 ".nhat-ky-gop.jsonl.")
    return _clip(lines)


def sync_message(report: Report) -> str:
    index = vn_percent(report.index) if report.index is not None else "chưa tính được"
    lines = [f"Tổng điểm: {vn_number(report.total)}/{vn_number(report.applicable_max)} "
             f"(thưởng {vn_number(report.bonus)}, trừ {vn_number(report.penalty)}).",
             f"Chỉ số CCHC: {index}; xếp loại: {report.rating or 'chưa xếp loại'}.",
             f"{len([g for g in report.gap_leaves() if g.lost > 0])} tiêu chí thành phần bị mất "
             "điểm: xem sheet 'Phân tích chênh lệch'."]
    return "\n".join(lines)


def check_message(problems: list[Problem]) -> str:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if not problems:
        return "Không phát hiện lỗi nào."
    lines = [f"Phát hiện {len(errors)} lỗi và {len(warnings)} cảnh báo:"]
    lines += [f"- {p}" for p in errors + warnings]
    return _clip(lines)


def _where(problem: Problem) -> str:
    where = problem.where(with_file=False)
    return f"{where}: " if where else ""


def _clip(lines: list[str]) -> str:
    if len(lines) > MAX_LINES:
        hidden = len(lines) - MAX_LINES
        lines = lines[:MAX_LINES] + [f"… và {hidden} dòng nữa (chạy lệnh cchc-xl để xem đủ)."]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Excel (xlwings): not run in CI


def _open(master: Path) -> Any:
    import xlwings as xw

    from .live import XlwingsBook

    return XlwingsBook(xw.Book(str(master)))


def _save(book: Any) -> None:
    """Keep the file as it was before the button in sao-luu, then let Excel save the workbook."""
    from ..files.atomic import backup

    backup(book.path, dt.datetime.now())
    book.book.save()
