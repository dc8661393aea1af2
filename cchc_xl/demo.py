"""`cchc-xl demo`: the whole yearly loop on the bundled sample, in a folder you can open.

new → split → units fill their workbooks (one with a mistake, one late) → merge (problems
reported) → the unit fixes its file → merge again → the Văn phòng enters survey results, last
year's results and targets → sync → plan. Every step uses the same library calls as the CLI.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from pathlib import Path

from .criteria.catalogue import Catalogue, load_catalogue
from .criteria.numbers import vn_number, vn_percent
from .format.state import Entry
from .ops.master import Master
from .ops.merge import MergeResult
from .sample_data import fill_with_openpyxl, sample_entry, sample_evidence, sample_state_entries

ORG = "Sở Tư pháp tỉnh Lạng Sơn"
# Lạng Sơn's published 2025 results per field (seed phụ lục) and the 2026 targets (the maxima).
LAST_YEAR = {"1": 11, "2": 8, "3": 20, "4": 10, "5": 10, "6": 9, "7": 14, "8": 9}
MISTAKE_UNIT, LATE_UNIT = "TGPL", "CC1"


def sample_catalogue_path() -> Path:
    return Path(str(resources.files("cchc_xl") / "data" / "sample_catalogue.yaml"))


def run_demo(out: Path, say: Callable[[str], None] = print,
             master_suffix: str = ".xlsm") -> dict[str, Path]:
    out = Path(out)
    folders = {name: out / name for name in ("tong-hop", "gui-don-vi", "nhan-ve", "ke-hoach")}
    for folder in folders.values():
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    catalogue = load_catalogue(sample_catalogue_path())
    master_path = folders["tong-hop"] / f"CCHC-{catalogue.year}-tong-hop{master_suffix}"
    say(f"1. Tạo tệp tổng hợp: {master_path}")
    master = Master.create(catalogue, master_path, org=ORG)
    say(f"2. Tạo tệp cho các đơn vị trong {folders['gui-don-vi']}")
    sent = master.split(folders["gui-don-vi"]).files
    say("3. Các đơn vị nhập số liệu và tài liệu kiểm chứng (một đơn vị nhập sai, một đơn vị gửi "
        "muộn)")
    returned = folders["nhan-ve"]
    for path in sent:
        unit = path.stem.rsplit("-", 1)[1]
        if unit == LATE_UNIT:
            continue
        entries = sample_state_entries(catalogue, unit)
        if unit == MISTAKE_UNIT:
            entries = _with_mistake(catalogue, entries)
        fill_with_openpyxl(path, returned / path.name, entries,
                           sample_evidence(catalogue, unit, catalogue.year))
    say("4. Gộp dữ liệu lần 1")
    _report(master.merge([returned]), say)

    say(f"5. {MISTAKE_UNIT} sửa lỗi và gửi lại; {LATE_UNIT} gửi muộn. Gộp lần 2")
    second = out / "nhan-ve" / "lan-2"
    second.mkdir()
    for unit in (MISTAKE_UNIT, LATE_UNIT):
        source = folders["gui-don-vi"] / f"CCHC-{catalogue.year}-{unit}.xlsx"
        target = second / source.name
        fill_with_openpyxl(source, target, sample_state_entries(catalogue, unit),
                           sample_evidence(catalogue, unit, catalogue.year))
        later = dt.datetime.now().timestamp() + 60
        os.utime(target, (later, later))
    _report(master.merge([second]), say)

    say("6. Văn phòng nhập điểm điều tra xã hội học, điểm thưởng/trừ, kết quả năm trước, mục tiêu")
    _office_entries(master)
    say("7. Đồng bộ: sheet Tổng hợp và Phân tích chênh lệch")
    report = master.sync().report
    index = vn_percent(report.index) if report.index is not None else "—"
    say(f"   Tổng điểm {vn_number(report.total)} / {vn_number(report.applicable_max)}; "
        f"Chỉ số CCHC {index}; xếp loại {report.rating}")
    docx = master.export_plan(folders["ke-hoach"] / f"ke-hoach-khac-phuc-{catalogue.year}.docx")
    xlsx = master.export_plan(folders["ke-hoach"] / f"ke-hoach-khac-phuc-{catalogue.year}.xlsx")
    say(f"8. Kế hoạch khắc phục: {docx} và {xlsx}")
    say(f"Xong. Mở {master_path} bằng Excel để xem; các tệp đơn vị ở {folders['gui-don-vi']} và "
        f"{returned}.")
    return {"master": master_path, "plan_docx": docx, "plan_xlsx": xlsx, **folders}


def _with_mistake(catalogue: Catalogue, entries: dict[str, Entry]) -> dict[str, Entry]:
    """b larger than a on the unit's first ratio item: the kind of slip merge must catch."""
    for code, entry in entries.items():
        if entry.a is not None:
            return {**entries, code: replace(entry, b=entry.a + 5)}
    return entries


def _report(result: MergeResult, say: Callable[[str], None]) -> None:
    for f in result.files:
        errors, warnings = len(f.errors), len(f.warnings)
        say(f"   {f.data.path.name}: {f.outcome} ({errors} lỗi, {warnings} cảnh báo)")
        for problem in f.errors[:3]:
            say(f"      {problem}")
    if result.missing_units:
        say("   Chưa gửi: " + ", ".join(result.missing_units))


def _office_entries(master: Master) -> None:
    """What the Văn phòng types into the master's blue cells, done through the library."""
    catalogue = master.catalogue
    entries = dict(master.state.entries)
    for f in catalogue.fields:
        entries[f.code] = replace(entries.get(f.code, Entry()), last_year=LAST_YEAR.get(f.code),
                                  target=float(f.max), deadline=f"Tháng 12/{catalogue.year + 1}")
    for leaf in catalogue.all_leaves():
        if not leaf.rule.unit_input or leaf.lead is None:
            entries[leaf.code] = replace(entries.get(leaf.code, Entry()),
                                         value=sample_entry(leaf).value)
    for _, item in catalogue.extra_items():
        if item.code not in entries or entries[item.code].leaf_input().is_blank():
            entries[item.code] = replace(entries.get(item.code, Entry()),
                                         **_extra_value(item.code, sample_entry(item)))
    first_loss = "3.4.1"
    if first_loss in entries:
        entries[first_loss] = replace(
            entries[first_loss], appraised=4.5,
            cause="Còn 24 hồ sơ giải quyết trễ hạn trên Hệ thống một cửa điện tử.",
            remedy="Theo dõi, nhắc hạn từng hồ sơ; xử lý trên phần mềm kịp thời ở mọi bước.")
    master.state = replace(master.state, entries=entries)
    master.save()


def _extra_value(code: str, entry: Entry) -> dict[str, object]:
    # Penalty items: no violation this year in the demo.
    if code.startswith("TR"):
        return {"value": "Không vi phạm"}
    return {"value": entry.value, "a": entry.a, "b": entry.b}
