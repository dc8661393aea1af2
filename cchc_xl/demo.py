"""`cchc-xl demo`: a whole year of a Sở on the bundled sample, in a folder you can open.

Last year's master (published results) → this year's master started from it (`new --from`) →
split → units fill their workbooks (one with a mistake, one late) → merge → supplement requests
sent back → merge again → the Văn phòng types targets, causes and remedies → sync (a provisional
index while the survey is not published) → the self-assessment report with the evidence
package → the council's appraisal imported, explanations → survey and published results → the
remediation plan: a plan workbook per lead unit, returned with causes and tasks, merged → the
Word and Excel plan → the tasks' progress at mid-year, merged, and the progress report. Every
step uses the same library calls as the CLI.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from .criteria.catalogue import Catalogue, load_catalogue
from .criteria.numbers import vn_number, vn_percent
from .format.state import Entry, EvidenceRow, Explanation
from .ops.master import Master
from .ops.merge import MergeResult
from .sample_data import (
    fill_sample_plan,
    fill_with_openpyxl,
    sample_entry,
    sample_evidence,
    sample_state_entries,
    update_sample_plan,
)

ORG = "Sở Tư pháp tỉnh Lạng Sơn"
MISTAKE_UNIT, LATE_UNIT = "TGPL", "CC1"
LATE_PLAN_UNIT = "NV1"  # its tasks due by mid-year are still in progress
# What the Văn phòng types on 'Thông tin chung' (the Sở's settings, as in the seeds).
SETTINGS = {"parent": "UBND TỈNH LẠNG SƠN", "agency": "SỞ TƯ PHÁP", "abbreviation": "STP",
            "place": "Lạng Sơn", "head_title": "GIÁM ĐỐC", "signer_title": "PHÓ GIÁM ĐỐC",
            "signer_name": "Nguyễn Văn An"}
# Last year as the province published it (the seed: 89,70%, 5th of 15).
LAST_YEAR_PUBLISHED = {"decision": "Quyết định số 93/QĐ-UBND ngày 16/01/2026 của Chủ tịch UBND "
                                   "tỉnh Lạng Sơn", "rating": "Tốt", "rank": "05/15",
                       "survey_rank": "09/10"}
# The council lowers these items (code → points) and the Sở explains one of them.
COUNCIL_LOWERS = {"3.4.1": Decimal("4"), "5.2.1": Decimal("0.5")}


def sample_catalogue_path() -> Path:
    return Path(str(resources.files("cchc_xl") / "data" / "sample_catalogue.yaml"))


def run_demo(out: Path, say: Callable[[str], None] = print,
             master_suffix: str = ".xlsm") -> dict[str, Path]:
    out = Path(out)
    names = ("nam-truoc", "tong-hop", "gui-don-vi", "nhan-ve", "bao-cao", "tham-dinh",
             "ke-hoach", "tai-lieu")
    folders = {name: out / name for name in names}
    for folder in folders.values():
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    catalogue = load_catalogue(sample_catalogue_path())

    say("1. Tệp tổng hợp năm trước (đã có kết quả công bố), rồi tệp năm nay bắt đầu từ đó")
    last_year = _last_year_master(catalogue, folders["nam-truoc"])
    master_path = folders["tong-hop"] / f"CCHC-{catalogue.year}-tong-hop{master_suffix}"
    master = Master.create(catalogue, master_path, org=ORG, last_year=last_year)
    _settings(master)
    say(f"   {master_path}")

    say(f"2. Tạo tệp cho các đơn vị trong {folders['gui-don-vi']}")
    sent = {p.stem.rsplit("-", 1)[1]: p for p in master.split(folders["gui-don-vi"]).files}
    say(f"3. Các đơn vị nhập số liệu và tài liệu kiểm chứng ({MISTAKE_UNIT} nhập sai, "
        f"{LATE_UNIT} gửi muộn)")
    returned = folders["nhan-ve"]
    for unit, path in sent.items():
        if unit == LATE_UNIT:
            continue
        entries = sample_state_entries(catalogue, unit)
        if unit == MISTAKE_UNIT:
            entries = _with_mistake(entries)
        fill_with_openpyxl(path, returned / path.name, entries,
                           _evidence(catalogue, unit, folders["tai-lieu"]))
    say("4. Gộp dữ liệu lần 1")
    _report(master.merge([returned]), say)

    say(f"5. Gửi yêu cầu bổ sung: tệp mới cho {MISTAKE_UNIT} (sheet 'Yêu cầu bổ sung'); "
        f"{MISTAKE_UNIT} sửa, {LATE_UNIT} gửi muộn. Gộp lần 2")
    resend = master.split(folders["gui-don-vi"] / "lan-2", units=[MISTAKE_UNIT]).files[0]
    second = returned / "lan-2"
    second.mkdir()
    for unit, source in ((MISTAKE_UNIT, resend), (LATE_UNIT, sent[LATE_UNIT])):
        fill_with_openpyxl(source, second / source.name, sample_state_entries(catalogue, unit),
                           _evidence(catalogue, unit, folders["tai-lieu"]))
    _report(master.merge([second]), say)

    say("6. Văn phòng nhập mục tiêu, nguyên nhân, giải pháp; đồng bộ")
    _office_entries(master)
    report = master.sync().report
    _say_index(say, report.total, report.applicable_max, report.index, report.rating,
               "tự chấm" + (", tạm tính (chưa có kết quả điều tra xã hội học)"
                            if report.provisional else ""))

    say("7. Báo cáo tự đánh giá gửi Sở Nội vụ và gói tài liệu kiểm chứng")
    report_doc = master.export_report(
        folders["bao-cao"] / f"bao-cao-tu-danh-gia-{catalogue.year}.docx",
        evidence_dir=folders["bao-cao"] / "tai-lieu-kiem-chung")  # where the button puts it
    say(f"   {report_doc.path}; {len(report_doc.warnings)} điểm cần bổ sung hoặc xem lại")

    say("8. Thẩm định: nhập điểm của Hội đồng, giải trình")
    council = _council_file(master, folders["tham-dinh"])
    appraisal = master.import_appraisal(council)
    say(f"   {len(appraisal.points)} tiêu chí; Hội đồng chấm thấp hơn ở "
        f"{', '.join(appraisal.first_round) or 'không tiêu chí nào'}")
    _explain(master)

    say("9. Sở Nội vụ công bố: điểm điều tra xã hội học và kết quả; đồng bộ")
    _published(master)
    report = master.sync().report
    _say_index(say, report.published.total or report.total, report.applicable_max,
               report.published.index, report.published_rating,
               f"công bố, xếp thứ {report.published.rank}")

    say("10. Kế hoạch khắc phục: tệp cho các đơn vị chủ trì; đơn vị ghi nguyên nhân, giải pháp, "
        "nhiệm vụ; gộp")
    plans = folders["ke-hoach"]
    sent_plans = master.split_plan(plans / "gui-don-vi").files
    for path in sent_plans:
        fill_sample_plan(path, plans / "nhan-ve" / path.name, catalogue.year + 1)
    _report(master.merge([plans / "nhan-ve"]), say, plans=True)
    docx = master.export_plan(plans / f"ke-hoach-khac-phuc-{catalogue.year}.docx")
    xlsx = master.export_plan(plans / f"ke-hoach-khac-phuc-{catalogue.year}.xlsx")
    say(f"   {len(master.state.tasks)} nhiệm vụ ở sheet 'Theo dõi khắc phục'; kế hoạch: "
        f"{docx.path} và {xlsx.path}")

    mid_year = dt.date(catalogue.year + 1, 6, 30)
    say(f"11. Theo dõi trong năm: đến {mid_year:%d/%m/%Y} các đơn vị cập nhật tiến độ "
        f"({LATE_PLAN_UNIT} chậm); gộp; báo cáo tiến độ")
    if dt.date.today() < mid_year:  # the demo runs ahead of the calendar
        say(f"   (giả định hôm nay là {mid_year:%d/%m/%Y}: trước ngày đó, 'cchc-xl check' trên "
            "tệp tổng hợp mẫu báo các ngày hoàn thành ở tương lai)")
    update = plans / "gui-don-vi" / "6-thang"
    late = master.catalogue.unit_leaves(LATE_PLAN_UNIT)
    for path in master.split_plan(update, today=mid_year).files:
        update_sample_plan(path, plans / "nhan-ve" / "6-thang" / path.name, mid_year,
                           late=[leaf.code for leaf in late])
    _report(master.merge([plans / "nhan-ve" / "6-thang"],
                         now=dt.datetime.combine(mid_year, dt.time(17))), say, plans=True)
    progress = master.export_progress(plans / f"bao-cao-tien-do-{mid_year:%Y-%m}.docx",
                                      on=mid_year)
    totals = progress.progress.totals
    say(f"   {totals['done']}/{totals['total']} nhiệm vụ hoàn thành, {totals['overdue']} quá hạn; "
        f"{progress.path}")
    say(f"Xong. Mở {master_path} bằng Excel để xem; các tệp đơn vị ở {folders['gui-don-vi']} và "
        f"{returned}.")
    return {"master": master_path, "plan_docx": docx.path, "plan_xlsx": xlsx.path,
            "progress": progress.path,
            "report_docx": report_doc.path, **folders}


# ---------------------------------------------------------------------------------------------
# What people type, done through the library


def _last_year_master(catalogue: Catalogue, folder: Path) -> Path:
    """Last year's master: every item scored with the sample figures, results published."""
    last = replace(catalogue, year=catalogue.year - 1)
    path = folder / f"CCHC-{last.year}-tong-hop.xlsx"
    master = Master.create(last, path, org=ORG)
    entries = dict(sample_state_entries(last))
    entries = {code: _no_violation(last, code, entry) for code, entry in entries.items()}
    master.state = replace(master.state, entries=entries)
    report = master.report()
    info = {**{f"field.{f.code}": float(f.points) for f in report.fields},
            "published.total": float(report.total), "published.index": float(report.index or 0),
            **{f"published.{k}": v for k, v in LAST_YEAR_PUBLISHED.items()}}
    master.state = replace(master.state, info={**SETTINGS, **info})
    master.save()
    return path


def _no_violation(catalogue: Catalogue, code: str, entry: Entry) -> Entry:
    """Penalty items: no violation in the demo (the sample answers 'yes' most of the time)."""
    leaf = catalogue.leaf(code)
    if leaf is not None and code.startswith("TR"):
        return replace(entry, value=getattr(leaf.rule, "no", entry.value))
    return entry


def _settings(master: Master) -> None:
    deadline = dt.date(master.catalogue.year, 12, 5)
    master.state = replace(master.state, info={**master.state.info, **SETTINGS,
                                               "return_deadline": deadline})
    master.save()


def _evidence(catalogue: Catalogue, unit: str, folder: Path) -> list[EvidenceRow]:
    """The unit's evidence rows, each pointing at a file that exists (for the package)."""
    rows = []
    for row in sample_evidence(catalogue, unit, catalogue.year):
        file = folder / unit / f"{row.code}.pdf"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(_placeholder_pdf(f"{row.number} {row.subject}"))
        rows.append(replace(row, link=f"..\\tai-lieu\\{unit}\\{row.code}.pdf"))
    return rows


def _placeholder_pdf(text: str) -> bytes:
    """A one-line PDF standing in for a scanned document."""
    safe = text.encode("ascii", "replace").decode("ascii").replace("(", "[").replace(")", "]")
    stream = f"BT /F1 10 Tf 40 800 Td ({safe[:90]}) Tj ET".encode("ascii")
    parts = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
             b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
             b"/Resources << /Font << /F1 5 0 R >> >> >>",
             b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
             b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, part in enumerate(parts, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + part + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(parts) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(parts) + 1,
                                                                             xref)
    return bytes(out)


def _with_mistake(entries: dict[str, Entry]) -> dict[str, Entry]:
    """b larger than a on the unit's first ratio item: the kind of slip merge must catch."""
    for code, entry in entries.items():
        if entry.a is not None:
            return {**entries, code: replace(entry, b=entry.a + 5)}
    return entries


def _office_entries(master: Master) -> None:
    """Targets per field, the bonus and penalty items, causes and remedies of the losses."""
    catalogue, entries = master.catalogue, dict(master.state.entries)
    for f in catalogue.fields:
        entries[f.code] = replace(entries.get(f.code, Entry()), target=float(f.max),
                                  deadline=f"Tháng 12/{catalogue.year + 1}")
    for _, item in catalogue.extra_items():
        entries[item.code] = replace(entries.get(item.code, Entry()),
                                     **_extra_value(item.code, sample_entry(item)))
    entries["3.4.1"] = replace(
        entries["3.4.1"], cause="Còn 24 hồ sơ giải quyết trễ hạn trên Hệ thống một cửa điện tử.",
        remedy="Theo dõi, nhắc hạn từng hồ sơ; xử lý trên phần mềm kịp thời ở mọi bước.")
    master.state = replace(master.state, entries=entries)
    master.save()


def _extra_value(code: str, entry: Entry) -> dict[str, object]:
    if code.startswith("TR"):  # no violation this year in the demo
        return {"value": "Không vi phạm"}
    return {"value": entry.value, "a": entry.a, "b": entry.b}


def _council_file(master: Master, folder: Path) -> Path:
    """The council's table as it sends it: code and points, lower for a few items."""
    import openpyxl

    report = master.report()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Kết quả thẩm định"
    sheet.append([f"KẾT QUẢ THẨM ĐỊNH CHỈ SỐ CCHC NĂM {master.catalogue.year}"])
    sheet.append([])
    sheet.append(["STT", "Mã tiêu chí", "Tiêu chí", "Điểm tự chấm", "Điểm thẩm định"])
    for i, leaf in enumerate(master.catalogue.leaves(), start=1):
        node = report.nodes[leaf.code]
        if node.status != "ok":
            continue
        points = COUNCIL_LOWERS.get(leaf.code, node.points)
        sheet.append([i, leaf.code, leaf.name, float(node.points), float(points)])
    path = folder / f"ket-qua-tham-dinh-{master.catalogue.year}.xlsx"
    book.save(path)
    return path


def _explain(master: Master) -> None:
    explanations = dict(master.state.explanations)
    explanations["3.4.1"] = replace(
        explanations.get("3.4.1", Explanation()),
        explanation="24 hồ sơ trễ hạn do chờ kết quả xác minh của cơ quan khác; đã có văn bản "
                    "xin lỗi người dân theo quy định.",
        supplement="Văn bản xin lỗi số 15/STP-VP; báo cáo số 210/BC-STP",
        decision="Chấp nhận một phần")
    entries = dict(master.state.entries)
    entries["3.4.1"] = replace(entries["3.4.1"], appraised=4.25)  # after the explanation
    master.state = replace(master.state, explanations=explanations, entries=entries)
    master.save()


def _published(master: Master) -> None:
    """Survey results and the province's published figures, typed as they were published."""
    catalogue, entries = master.catalogue, dict(master.state.entries)
    for leaf in catalogue.all_leaves():
        if leaf.rule.pending_when_blank:
            entries[leaf.code] = replace(entries.get(leaf.code, Entry()),
                                         value=float(leaf.max * Decimal("0.85")))
    master.state = replace(master.state, entries=entries)
    report = master.report()
    info = {**master.state.info,
            **{f"field.{f.code}": float(f.achieved) for f in report.fields},
            "published.total": float(report.appraised_total or report.total),
            "published.index": float(report.appraised_index or report.index or 0),
            "published.rank": "04/15", "published.survey_rank": "07/10",
            "published.decision": f"Quyết định số 88/QĐ-UBND ngày 15/01/{catalogue.year + 1} "
                                  "của Chủ tịch UBND tỉnh Lạng Sơn"}
    master.state = replace(master.state, info=info)
    master.save()


# ---------------------------------------------------------------------------------------------
# Printing


def _report(result: MergeResult, say: Callable[[str], None], plans: bool = False) -> None:
    for f in result.files:
        errors, warnings = len(f.errors), len(f.warnings)
        say(f"   {f.data.path.name}: {f.outcome} ({errors} lỗi, {warnings} cảnh báo)")
        for problem in f.errors[:3]:
            say(f"      {problem}")
    if result.missing_units and not plans:  # the units missing a score return
        say("   Chưa gửi: " + ", ".join(result.missing_units))


def _say_index(say: Callable[[str], None], total: Any, applicable: Any, index: Any, rating: str,
               basis: str) -> None:
    shown = vn_percent(index) if index is not None else "—"
    say(f"   Tổng điểm {vn_number(total)} / {vn_number(applicable)}; Chỉ số CCHC {shown}; "
        f"xếp loại {rating or '—'} ({basis})")
