"""The remediation plan in Word: the Nghị định 30 frame around the seeds' sections.

I. Mục đích, yêu cầu; II. Kết quả, hạn chế (the results sentence on one basis, the lost items
by field); III. Nhiệm vụ, giải pháp (per lost item: cause, remedy, tasks with deliverables,
units and deadline; the fields to keep at their maximum; other tasks); IV. Tổ chức thực hiện
(each unit runs its tasks, the Văn phòng follows up and reports monthly and quarterly); then
Phụ lục I (per field) and Phụ lục II (per sub-criterion) on landscape pages.
"""

from __future__ import annotations

from pathlib import Path

from .admin import AdminDocument
from .explain import inputs_text
from .figures import headline, survey_sentence
from .plan import FieldGroup, FieldRow, PlanItem, PlanModel, TaskLine
from .text import DOTS, num, pct, roman, sentence, signed, typed_text
from .wordtable import Column, Row, add_table



# The letters of a list in an administrative document (no j, w, z), then aa), ab) …: every item
# of a field gets one, however many lost points.
LETTERS = "abcdefghiklmnopqrstuvxy"


def item_letter(i: int) -> str:
    if i < len(LETTERS):
        return LETTERS[i]
    return item_letter(i // len(LETTERS) - 1) + LETTERS[i % len(LETTERS)]

def write_docx(model: PlanModel, path: Path) -> None:
    doc = AdminDocument(model.frame)
    doc.heading()
    doc.title()
    for text in model.bases:
        doc.basis(text)
    doc.paragraph(f"Để khắc phục những hạn chế, tồn tại và nâng cao Chỉ số cải cách hành chính "
                  f"(CCHC) năm {model.next_year}, {model.org_name} xây dựng Kế hoạch như sau:")
    _purpose(doc, model)
    _results(doc, model)
    _solutions(doc, model)
    _organisation(doc, model)
    doc.signature()
    _appendix_fields(doc, model)
    _appendix_items(doc, model)
    doc.save(path)


def _purpose(doc: AdminDocument, model: PlanModel) -> None:
    year, nxt, org = model.year, model.next_year, model.org_name
    doc.section("I. MỤC ĐÍCH, YÊU CẦU")
    doc.subsection("1. Mục đích")
    doc.paragraph(f"Khắc phục những tiêu chí, tiêu chí thành phần chưa đạt điểm tối đa của Chỉ "
                  f"số CCHC năm {year}; duy trì những tiêu chí, tiêu chí thành phần đã đạt điểm "
                  f"tối đa; phấn đấu nâng cao Chỉ số CCHC năm {nxt} của {org}.")
    doc.paragraph("Nâng cao nhận thức, trách nhiệm của người đứng đầu và của công chức, viên "
                  "chức, người lao động trong thực hiện nhiệm vụ cải cách hành chính; tăng cường "
                  "kỷ luật, kỷ cương hành chính.")
    doc.subsection("2. Yêu cầu")
    doc.paragraph("Nhiệm vụ, giải pháp bám sát những hạn chế, tồn tại đã được chỉ ra; phân công "
                  "cụ thể đơn vị chủ trì, đơn vị phối hợp, sản phẩm và thời hạn hoàn thành theo "
                  "các chỉ tiêu giao tại Phụ lục kèm theo Kế hoạch.")
    doc.paragraph("Các phòng, đơn vị chủ động triển khai nhiệm vụ được giao, phối hợp chặt chẽ; "
                  "thường xuyên rà soát tình hình thực hiện; cung cấp đầy đủ, kịp thời tài liệu "
                  "kiểm chứng, không để bị trừ điểm vì thiếu tài liệu kiểm chứng.")


def _results(doc: AdminDocument, model: PlanModel) -> None:
    report, result = model.report, model.result
    doc.section(f"II. KẾT QUẢ CHỈ SỐ CCHC NĂM {model.year} VÀ NHỮNG HẠN CHẾ, TỒN TẠI")
    doc.subsection("1. Kết quả đạt được")
    doc.paragraph(headline(report, result, model.org_name))
    survey = survey_sentence(report, result)
    if survey:
        doc.paragraph(survey)
    full = [g for g in model.groups if g.row.applicable_max and g.lost == 0]
    if full:
        names = "; ".join(f"{g.row.code}. {g.row.node.name}" for g in full)
        doc.paragraph(f"Có {len(full)}/{len(model.groups)} lĩnh vực đạt điểm tối đa: {names}.")
    doc.subsection("2. Hạn chế, tồn tại")
    lost = model.lost_groups
    if not lost and not model.penalties:
        doc.paragraph("Không có lĩnh vực, tiêu chí thành phần nào bị trừ điểm.")
    for group in lost:
        doc.paragraph(_shortcoming(group))
    if model.penalties:
        names = "; ".join(f"{p.code} {p.row.node.name} ({num(p.row.achieved)} điểm)"
                          for p in model.penalties)
        doc.paragraph(f"- Bị trừ {num(result.penalty)} điểm ở các nội dung điểm trừ: {names}.")


def _shortcoming(group: FieldGroup) -> str:
    f = group.row
    head = (f"- Lĩnh vực {f.code} ({f.node.name}) đạt {num(group.points)}/"
            f"{num(f.applicable_max)} điểm, bị trừ {num(group.lost)} điểm")
    if not group.items:
        return head + " (chưa xác định được tiêu chí thành phần bị trừ điểm: chưa nhập điểm " \
            "thẩm định của từng tiêu chí thành phần)."
    items = "; ".join(f"{i.code} {i.row.node.name} (đạt {num(i.row.achieved)}/"
                      f"{num(i.row.applicable_max)} điểm)" for i in group.items)
    return f"{head} ở các tiêu chí thành phần: {items}."


def _solutions(doc: AdminDocument, model: PlanModel) -> None:
    doc.section("III. NHIỆM VỤ, GIẢI PHÁP")
    doc.subsection("1. Khắc phục các tiêu chí thành phần bị trừ điểm")
    lost = [g for g in model.lost_groups if g.items]
    if not lost and not model.penalties:
        doc.paragraph("Không có tiêu chí thành phần nào bị trừ điểm.")
    for n, group in enumerate(lost, start=1):
        f = group.row
        doc.item(f"1.{n}. Lĩnh vực {f.code}. {f.node.name} ({group.label})")
        for i, item in enumerate(group.items):
            _item(doc, model, item, f"{item_letter(i)})")
    if model.penalties:
        doc.item(f"1.{len(lost) + 1}. Các nội dung bị điểm trừ")
        for i, item in enumerate(model.penalties):
            _item(doc, model, item, f"{item_letter(i)})")
    doc.subsection("2. Duy trì kết quả các lĩnh vực, tiêu chí đã đạt điểm tối đa")
    for group, row in zip(model.groups, model.field_rows):
        if not group.row.applicable_max or group.lost:
            continue
        doc.paragraph(f"- Lĩnh vực {group.row.code}. {group.row.node.name}: {row.lead} chủ trì"
                      + (f"; {row.support} phối hợp" if row.support else "")
                      + f"; thực hiện thường xuyên trong năm {model.next_year}.")
    doc.paragraph("Đối với các tiêu chí, tiêu chí thành phần đã đạt điểm tối đa trong các lĩnh "
                  "vực còn lại, đơn vị chủ trì tiếp tục duy trì kết quả và bảo đảm đầy đủ tài "
                  "liệu kiểm chứng. Chỉ tiêu từng lĩnh vực tại Phụ lục I; nhiệm vụ, giải pháp "
                  "đối với từng tiêu chí thành phần tại Phụ lục II kèm theo Kế hoạch này.")
    if model.other_tasks:
        doc.subsection("3. Các nhiệm vụ khác")
        for task in model.other_tasks:
            doc.paragraph("- " + _task_text(task, with_code=True))


def _item(doc: AdminDocument, model: PlanModel, item: PlanItem, letter: str) -> None:
    row = item.row
    kind = "Nội dung điểm trừ" if item in model.penalties else "Tiêu chí thành phần"
    doc.runs([("bi", f"{letter} {kind} {row.code}: "), ("i", row.node.name)])
    if item in model.penalties:
        doc.paragraph(f"Bị trừ {num(row.achieved)} điểm.")
    else:
        doc.paragraph(f"Điểm tối đa: {num(row.applicable_max)} điểm; điểm đạt được: "
                      f"{num(row.achieved)} điểm; bị trừ {num(row.lost)} điểm.")
        figures = inputs_text(row, model.report.catalogue)
        if figures and getattr(row.node, "rule", None) is not None and \
                row.node.rule.kind not in ("manual", "survey"):  # type: ignore[union-attr]
            doc.paragraph(f"Số liệu tự đánh giá: {figures}.")
    doc.runs([("b", "- Nguyên nhân: "), ("", sentence(item.cause) or DOTS)])
    if item.remedy or item.derived:  # typed tasks without a remedy: the tasks are the remedy
        doc.runs([("b", "- Giải pháp khắc phục: "), ("", sentence(item.remedy) or DOTS)])
    if item.derived:
        task = item.tasks[0]
        doc.runs([("b", "- Đơn vị chủ trì: "), ("", (task.lead or DOTS)
                                                     + (f"; đơn vị phối hợp: {task.support}"
                                                        if task.support else "") + ".")])
        doc.runs([("b", "- Thời hạn: "), ("", typed_text(task.deadline) + ".")])
        return
    doc.runs([("b", "- Nhiệm vụ cụ thể:")])
    for task in item.tasks:
        doc.paragraph("+ " + _task_text(task))


def _task_text(task: TaskLine, with_code: bool = False) -> str:
    parts = [task.task or DOTS]
    if task.deliverable:
        parts.append(f"sản phẩm: {task.deliverable}")
    parts.append(f"chủ trì: {task.lead or DOTS}")
    if task.support:
        parts.append(f"phối hợp: {task.support}")
    parts.append(f"thời hạn: {typed_text(task.deadline) or DOTS}")
    text = "; ".join(parts) + "."
    return f"({task.code}) {text}" if with_code and task.code else text


def _organisation(doc: AdminDocument, model: PlanModel) -> None:
    head = model.frame.org.head_title.capitalize() or "Giám đốc"
    doc.section("IV. TỔ CHỨC THỰC HIỆN")
    doc.paragraph("1. Các phòng, đơn vị thuộc Sở căn cứ Kế hoạch này và các Phụ lục kèm theo "
                  "chủ động triển khai các nhiệm vụ được giao chủ trì, phối hợp chặt chẽ với các "
                  "đơn vị liên quan; báo cáo kết quả thực hiện về Văn phòng Sở trước ngày 20 hằng "
                  "tháng và khi có yêu cầu.")
    doc.paragraph("2. Trưởng các phòng, đơn vị thuộc Sở quán triệt, tổ chức thực hiện nghiêm túc "
                  f"các nhiệm vụ tại Kế hoạch này và chịu trách nhiệm trước {head} Sở về kết quả "
                  "các tiêu chí, tiêu chí thành phần được giao.")
    doc.paragraph("3. Giao Văn phòng Sở theo dõi, đôn đốc, tổng hợp tình hình thực hiện Kế hoạch; "
                  "báo cáo Lãnh đạo Sở hằng tháng và định kỳ hằng quý (lồng ghép trong báo cáo "
                  "công tác cải cách hành chính định kỳ); chủ trì, phối hợp với các phòng, đơn vị "
                  f"tổ chức tự đánh giá, chấm điểm Chỉ số CCHC năm {model.next_year} theo đúng "
                  "quy định.")
    doc.paragraph(f"Trên đây là Kế hoạch khắc phục hạn chế, tồn tại trong công tác CCHC năm "
                  f"{model.year}; nâng cao Chỉ số CCHC năm {model.next_year} của "
                  f"{model.org_name}. Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các "
                  "phòng, đơn vị phản ánh về Văn phòng Sở để tổng hợp, báo cáo Lãnh đạo Sở xem "
                  "xét, giải quyết./.")


# ---------------------------------------------------------------------------------------------
# The appendices


def field_columns(model: PlanModel) -> list[Column]:
    return [
        Column("STT", 1.2, "center"),
        Column("Lĩnh vực", 7.0),
        Column("Điểm tối đa (không tính tiêu chí không chấm điểm)", 2.8, "center"),
        Column(f"Kết quả năm {model.year} ({model.result.basis_text})", 2.8, "center"),
        Column(f"Mục tiêu năm {model.next_year}", 2.4, "center"),
        Column("Đơn vị chủ trì", 3.6),
        Column("Đơn vị phối hợp", 3.8),
        Column("Thời gian hoàn thành", 2.6, "center"),
    ]


def _field_cells(row: FieldRow) -> list[str]:
    if row.kind == "penalty":
        result, target = signed(-row.result if row.result is not None else None), \
            signed(-row.target if row.target is not None else None)
    else:
        result, target = num(row.result), num(row.target)
    return [row.number, row.name, num(row.max), result, target, row.lead, row.support,
            typed_text(row.deadline)]


def _appendix_fields(doc: AdminDocument, model: PlanModel) -> None:
    doc.appendix("I", f"Chỉ tiêu khắc phục, nâng cao Chỉ số CCHC năm {model.next_year} theo "
                      "lĩnh vực")
    rows = [Row(_field_cells(r)) for r in model.field_rows]
    total = model.total
    rows.append(Row(["TỔNG ĐIỂM", "", num(total.max), num(total.result), num(total.target),
                     "", "", ""], bold=True, merge=(0, 1)))
    rows.append(Row(["Chỉ số CCHC", "", "", pct(model.result.index), pct(model.target_index),
                     "", "", ""], bold=True, merge=(0, 2)))
    add_table(doc.doc, field_columns(model), rows, size=12)


def item_columns() -> list[Column]:
    return [
        Column("STT", 1.2, "center"),
        Column("Mã", 1.9, "center"),
        Column("Tiêu chí thành phần", 3.7),
        Column("Điểm tối đa", 1.5, "center"),
        Column("Điểm đạt", 1.5, "center"),
        Column("Điểm bị trừ", 1.5, "center"),
        Column("Nguyên nhân", 3.1),
        Column("Giải pháp khắc phục", 3.6),
        Column("Sản phẩm", 2.2),
        Column("Chủ trì", 1.9),
        Column("Phối hợp", 1.9),
        Column("Thời hạn", 2.2, "center"),
    ]


def item_cells(item: PlanItem, blank: str = DOTS) -> dict[str, str]:
    """Phụ lục II's text columns for one item: one line per task, numbered when several;
    `blank` stands for a cause or remedy nobody typed."""
    tasks = item.tasks
    many = len(tasks) > 1

    def lines(values: list[str]) -> str:
        if not many or len(set(values)) == 1:
            return values[0]
        return "\n".join(f"({n}) {v}" for n, v in enumerate(values, start=1) if v)

    remedy = item.remedy
    if not item.derived:
        steps = "\n".join(f"- {t.task}" for t in tasks if t.task)
        remedy = f"{remedy}\n{steps}" if remedy and steps else remedy or steps
    return {
        "cause": item.cause or blank,
        "remedy": remedy or blank,
        "deliverable": lines([t.deliverable for t in tasks]),
        "lead": lines([t.lead for t in tasks]),
        "support": lines([t.support for t in tasks]),
        "deadline": lines([typed_text(t.deadline) for t in tasks]),
    }


def _appendix_items(doc: AdminDocument, model: PlanModel) -> None:
    doc.appendix("II", "Nhiệm vụ, giải pháp khắc phục các tiêu chí thành phần bị trừ điểm năm "
                       f"{model.year}")
    rows: list[Row] = []
    groups = [g for g in model.groups if g.items]
    for n, group in enumerate(groups, start=1):
        f = group.row
        sums = [sum((getattr(i.row, key) for i in group.items), start=0)
                for key in ("applicable_max", "achieved", "lost")]
        rows.append(Row([roman(n), f"Lĩnh vực {f.code}. {f.node.name}", "",
                         *(num(v) for v in sums), "", "", "", "", "", ""],
                        bold=True, merge=(1, 2), heading=True))
        for i, item in enumerate(group.items, start=1):
            cells = item_cells(item)
            rows.append(Row([str(i), item.code, item.row.node.name,
                             num(item.row.applicable_max), num(item.row.achieved),
                             num(item.lost), cells["cause"], cells["remedy"],
                             cells["deliverable"], cells["lead"], cells["support"],
                             cells["deadline"]]))
    items = model.items
    if not items:
        rows.append(Row(["", "", "Không có tiêu chí thành phần nào bị trừ điểm."] + [""] * 9))
    totals = [sum((getattr(i.row, key) for i in items), start=0)
              for key in ("applicable_max", "achieved", "lost")]
    rows.append(Row(["TỔNG CỘNG", "", "", *(num(v) for v in totals), "", "", "", "", "", ""],
                    bold=True, merge=(0, 2)))
    add_table(doc.doc, item_columns(), rows, size=11)
