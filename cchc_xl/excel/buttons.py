"""What each button of the master runs (see `excel_bridge.BUTTON_HANDLERS`).

A handler gets the master's path (the VBA saved the workbook first) and the button's arguments,
and returns the Vietnamese text of the message box. Each is the same operation as a command,
through the same `Master` method. Split, split-plan, report, plan, progress and check read the
saved file and need no password; merge, sync and appraisal write the master, which is open in
Excel, so they work on the open workbook (live mode: `excel.live`, which holds the write lock,
checks the password and saves after copying the previous file to sao-luu). On a master
protected with a password the VBA asks for it and passes it last. The text-building functions
are plain and tested; the few lines that touch Excel are marked.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.report import Report
from ..criteria.numbers import vn_number, vn_percent
from ..errors import InputError, Problem
from ..format.tracker import PLAN_LOG_KIND
from ..format.state import ALREADY_MERGED, CHECKED
from ..ops.merge import MergeResult, stream

if TYPE_CHECKING:
    from ..ops.master import AppraisalResult, Master

MAX_LINES = 12
# The oldest xlwings whose add-in has XLPy(), which the worksheet functions and the warm-up call
# (xlwings/addin/Main.bas: `Function Py()` became `Function XLPy()` in 0.30.11).
MIN_XLWINGS = (0, 30, 11)
# The evidence package of the *Báo cáo tự đánh giá* button: this folder beside the report, named
# in the button's question (macros/CchcButtons.bas), so the clerk knows where to look.
EVIDENCE_FOLDER = "tai-lieu-kiem-chung"


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
    return _clip([f"Đã xuất kế hoạch khắc phục:\n{result.path}", *_warning_lines(result)])


def report(master: Path, target: str, evidence: str = "") -> str:
    """The self-assessment report; `evidence` non-empty (the clerk answered Yes): the evidence
    package too, in the folder `EVIDENCE_FOLDER` beside the report."""
    out = Path(target)
    folder = evidence_folder(out) if evidence else None
    result = _reading(master).export_report(out, evidence_dir=folder)
    lines = [f"Đã xuất báo cáo tự đánh giá:\n{result.path}"]
    if result.evidence is not None:
        package = result.evidence
        lines.append(f"Gói tài liệu kiểm chứng: {package.copied} tệp trong thư mục\n"
                     f"{package.folder}\n"
                     f"(danh mục: {package.index_path.name}).")
    return _clip(lines + _warning_lines(result))


def evidence_folder(report_path: Path) -> Path:
    return Path(report_path).parent / EVIDENCE_FOLDER


def appraisal(master: Path, file: str, password: str = "") -> str:
    from .live import live_appraisal

    try:
        result = live_appraisal(_open(master, password), Path(file))
    except InputError as exc:  # the council's file: every problem with its sheet and cell
        raise InputError(_clip([exc.message] + [f"- {_where(p)}{p.message}"
                                                for p in exc.problems])) from None
    return appraisal_message(result)


def split_plan(master: Path, folder: str) -> str:
    written = _reading(master).split_plan(Path(folder)).files
    if not written:
        return ("Không có đơn vị nào cần lập kế hoạch khắc phục: mọi tiêu chí đã đạt điểm tối đa "
                "hoặc mục tiêu.")
    return (f"Đã tạo {len(written)} tệp kế hoạch khắc phục cho các đơn vị trong thư mục:\n"
            f"{folder}\nĐơn vị ghi nguyên nhân, giải pháp, nhiệm vụ rồi gửi lại; Văn phòng gộp "
            "các tệp gửi về bằng nút 'Gộp dữ liệu' (vào sheet 'Theo dõi khắc phục').")


def progress(master: Path, target: str) -> str:
    today = dt.date.today()
    result = _reading(master).export_progress(Path(target), on=today)
    totals = result.progress.totals
    return _clip([f"Đã xuất báo cáo tiến độ khắc phục (tính đến ngày {today:%d/%m/%Y}):\n"
                  f"{result.path}",
                  f"{totals['total']} nhiệm vụ: hoàn thành {totals['done']}, quá hạn "
                  f"{totals['overdue']}.", *_warning_lines(result)])


def check(master: Path) -> str:
    return check_message(_reading(master).check().problems) + "\n\n" + \
        xlwings_message(_xlwings_version())


def _reading(master: Path) -> Master:
    """The saved master for a button that only reads it: no password asked (reading needs
    none; a write checks it)."""
    from ..ops.master import Master

    return Master.open(master)


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
    plans = [f for f in accepted if stream(f) == PLAN_LOG_KIND]
    if plans:
        lines.append(f"Trong đó {len(plans)} tệp kế hoạch khắc phục: nguyên nhân, giải pháp và "
                     "nhiệm vụ đã ghi vào sheet 'Theo dõi khắc phục'.")
    if warnings:
        lines.append(f"Có {warnings} cảnh báo (ví dụ thiếu tài liệu kiểm chứng).")
    if result.missing_units:
        names = ", ".join(result.catalogue.unit_name(u) for u in result.missing_units)
        lines.append(f"Đơn vị chưa gửi tệp: {names}.")
    lines.append("Chi tiết từng tệp: sheet 'Nhật ký gộp'.")
    return _clip(lines, more="xem sheet 'Nhật ký gộp'")


def sync_message(report: Report) -> str:
    index = vn_percent(report.index) if report.index is not None else "chưa tính được"
    lines = [f"Tổng điểm: {vn_number(report.total)}/{vn_number(report.applicable_max)} "
             f"(thưởng {vn_number(report.bonus)}, trừ {vn_number(report.penalty)}).",
             f"Chỉ số CCHC: {index}; xếp loại: {report.rating or 'chưa xếp loại'}"
             + (f" (tạm tính: chưa gồm {vn_number(report.pending)} điểm chờ kết quả điều tra xã "
                "hội học)." if report.provisional else "."),
             f"{len([g for g in report.gap_leaves() if g.lost > 0])} tiêu chí thành phần bị mất "
             "điểm: xem sheet 'Phân tích chênh lệch'."]
    return "\n".join(lines)


def appraisal_message(result: AppraisalResult) -> str:
    lines = [f"Đã nhập điểm thẩm định của {len(result.points)} tiêu chí từ {result.file.name}."]
    if result.first_round:
        lines.append(f"Đã ghi điểm thẩm định lần đầu của {len(result.first_round)} tiêu chí ở "
                     "sheet 'Giải trình thẩm định': ghi nội dung giải trình ở đó.")
    if result.ignored:
        lines.append("Bỏ qua dòng của tiêu chí cha (tệp tổng hợp tự cộng): "
                     + ", ".join(result.ignored) + ".")
    if result.lowered:
        lines.append(f"Hội đồng chấm thấp hơn điểm tự chấm ở {len(result.lowered)} tiêu chí:")
        lines += [f"- {code}: tự chấm {vn_number(own)}, thẩm định {vn_number(given)}"
                  for code, (own, given) in result.lowered.items()]
    else:
        lines.append("Hội đồng không chấm thấp hơn điểm tự chấm ở tiêu chí nào.")
    return _clip(lines)


def check_message(problems: list[Problem]) -> str:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if not problems:
        return "Không phát hiện lỗi nào."
    lines = [f"Phát hiện {len(errors)} lỗi và {len(warnings)} cảnh báo:"]
    lines += [f"- {_labelled(p)}" for p in errors + warnings]
    return _clip(lines, more="danh sách đủ: trong Command Prompt gõ cchc-xl check và tên tệp")


def xlwings_message(version: str | None) -> str:
    """The installed xlwings against the minimum the buttons and worksheet functions need."""
    minimum = ".".join(map(str, MIN_XLWINGS))
    if version is None:
        return (f"Không xác định được phiên bản xlwings (cần {minimum} trở lên): hãy chạy pip "
                'install -U "cchc-xl[excel]", rồi xlwings addin install.')
    if _version_tuple(version) >= MIN_XLWINGS:
        return f"xlwings {version}: đạt yêu cầu (cần {minimum} trở lên)."
    return (f"xlwings {version} cũ hơn phiên bản tối thiểu {minimum}: các hàm tính điểm bằng "
            "Python sẽ không chạy (ô điểm dùng công thức Excel). Hãy đóng Excel, chạy pip "
            'install -U "cchc-xl[excel]", rồi xlwings addin install.')


def _version_tuple(version: str) -> tuple[int, ...]:
    """'0.30.11' -> (0, 30, 11); a suffix such as 'rc1' ends the number."""
    match = re.match(r"\d+(?:\.\d+)*", version.strip())
    return tuple(int(p) for p in match.group(0).split(".")) if match else ()


def _warning_lines(result: Any) -> list[str]:
    """What a written document still needs (`documents.outcome.DocumentResult.warnings`)."""
    if not result.warnings:
        return []
    return [f"Cần bổ sung hoặc xem lại ({len(result.warnings)}):",
            *(f"- {_where(p)}{p.message}" for p in result.warnings)]


def _labelled(problem: Problem) -> str:
    """'Lỗi (sheet …, ô …): …' as the command prints it, without the file: it is the one open."""
    label = "Lỗi" if problem.severity == "error" else "Cảnh báo"
    where = problem.where(with_file=False)
    return f"{label} ({where}): {problem.message}" if where else f"{label}: {problem.message}"


def _where(problem: Problem) -> str:
    where = problem.where(with_file=False)
    return f"{where}: " if where else ""


def _clip(lines: list[str], more: str = "danh sách đủ: chạy lệnh cchc-xl cùng tên với nút, "
          "Phần 2 của hướng dẫn sử dụng") -> str:
    """At most MAX_LINES lines (a message box), then where to read the rest."""
    if len(lines) > MAX_LINES:
        hidden = len(lines) - MAX_LINES
        lines = lines[:MAX_LINES] + [f"… và {hidden} dòng nữa ({more})."]
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
