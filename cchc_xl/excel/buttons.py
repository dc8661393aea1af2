"""What each button of the master runs (see `excel_bridge.BUTTON_HANDLERS`).

A handler gets the master's path (the VBA saved the workbook first) and the button's arguments,
and returns the Vietnamese text of the message box. Split, plan and check read the saved file
and need no password; merge and sync work on the open workbook (live mode: `excel.live`, which
holds the write lock, checks the password and saves after copying the previous file to
sao-luu). On a master protected with a password the VBA asks for it and passes it last. The
text-building functions are plain and tested; the few lines that touch Excel are marked.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.report import Report
from ..criteria.numbers import vn_number, vn_percent
from ..errors import Problem
from ..ops.merge import ALREADY_MERGED, CHECKED, MergeResult

if TYPE_CHECKING:
    from ..ops.master import Master

MAX_LINES = 12
# The oldest xlwings whose add-in has XLPy(), which the worksheet functions and the warm-up call
# (xlwings/addin/Main.bas: `Function Py()` became `Function XLPy()` in 0.30.11).
MIN_XLWINGS = (0, 30, 11)


def split(master: Path, folder: str) -> str:
    written = _reading(master).split(Path(folder)).files
    return f"Đã tạo {len(written)} tệp cho các đơn vị trong thư mục:\n{folder}"


def merge(master: Path, folder: str, password: str = "") -> str:
    from .live import live_merge

    return merge_message(live_merge(_open(master, password), [Path(folder)]))


def sync(master: Path, password: str = "") -> str:
    from .live import live_sync

    return sync_message(live_sync(_open(master, password)))


def plan(master: Path, target: str) -> str:
    result = _reading(master).export_plan(Path(target))
    lines = [f"Đã xuất kế hoạch khắc phục:\n{result.path}"]
    if result.warnings:
        lines.append(f"Cần bổ sung hoặc xem lại ({len(result.warnings)}):")
        lines += [f"- {_where(p)}{p.message}" for p in result.warnings]
    return _clip(lines)


def check(master: Path) -> str:
    return check_message(_reading(master).check().problems) + "\n\n" + \
        xlwings_message(_xlwings_version())


def _reading(master: Path) -> Master:
    """The saved master for a button that only reads it: no password asked, since nothing of
    the master is written (`Master.open` checks the password, as every command that writes
    needs it)."""
    from ..ops.master import Master
    from ..read.reader import read_master

    catalogue, data = read_master(master)
    return Master(master, catalogue, data)


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


def xlwings_message(version: str | None) -> str:
    """The installed xlwings against the minimum the buttons and worksheet functions need."""
    minimum = ".".join(map(str, MIN_XLWINGS))
    if version is None:
        return (f"Không xác định được phiên bản xlwings (cần {minimum} trở lên): hãy chạy pip "
                "install -U cchc-xl, rồi xlwings addin install.")
    if _version_tuple(version) >= MIN_XLWINGS:
        return f"xlwings {version}: đạt yêu cầu (cần {minimum} trở lên)."
    return (f"xlwings {version} cũ hơn phiên bản tối thiểu {minimum}: các hàm tính điểm bằng "
            "Python sẽ không chạy (ô điểm dùng công thức Excel). Hãy đóng Excel, chạy pip "
            "install -U cchc-xl, rồi xlwings addin install.")


def _version_tuple(version: str) -> tuple[int, ...]:
    """'0.30.11' -> (0, 30, 11); a suffix such as 'rc1' ends the number."""
    match = re.match(r"\d+(?:\.\d+)*", version.strip())
    return tuple(int(p) for p in match.group(0).split(".")) if match else ()


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


def _open(master: Path, password: str) -> Any:
    import xlwings as xw

    from .live import XlwingsBook

    return XlwingsBook(xw.Book(str(master)), password)


def _xlwings_version() -> str | None:
    import xlwings

    return getattr(xlwings, "__version__", None)
