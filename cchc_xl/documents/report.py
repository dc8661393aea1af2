"""The self-assessment report (Báo cáo kết quả tự đánh giá, chấm điểm Chỉ số CCHC năm N).

What the Văn phòng sends to Sở Nội vụ with the evidence: the self-assessed result (every figure
self-assessed, never mixed with an appraisal), a summary by field, every sub-criterion with its
points and its evidence, an explanation (giải trình) for every item below its maximum, and the
list of evidence documents as an appendix. In Word (`report_docx`) or Excel (`report_xlsx`);
optionally with the evidence files copied into one folder per criterion (`evidence`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..analysis.report import NodeReport, Report, Result
from ..criteria.catalogue import Leaf
from ..files.atomic import atomic_write
from ..format.state import EvidenceRow
from .admin import Frame, check_frame
from .explain import explanation
from .outcome import DocumentResult, Warnings, output_suffix
from .text import agency_name, num, typed_text

ZERO = Decimal(0)
Register = dict[str, list[tuple[int, EvidenceRow]]]  # code → (index in state.evidence, row)


@dataclass(frozen=True)
class SummaryRow:
    """A row of the summary by field. The penalty row's points are negative, so the total is
    the plain sum of the rows above it."""

    number: str
    name: str
    max: Decimal | None
    applicable_max: Decimal | None
    points: Decimal | None
    sub_index: Decimal | None
    kind: str = "field"  # field, bonus, penalty, total


@dataclass(frozen=True)
class Shortfall:
    """An item below its maximum and what the report says about it."""

    row: NodeReport
    text: str
    typed: bool  # the unit's giải trình or cause; False: generated from its figures


@dataclass
class ReportModel:
    report: Report
    frame: Frame
    result: Result
    summary: list[SummaryRow]
    shortfalls: list[Shortfall]
    pending: list[NodeReport]  # survey items still waiting for Sở Nội vụ's figures
    evidence: Register
    warnings: Warnings = field(default_factory=Warnings)

    @property
    def year(self) -> int:
        return self.report.catalogue.year

    @property
    def org_name(self) -> str:
        return self.frame.agency_name

    @property
    def total(self) -> SummaryRow:
        rows = self.summary
        fields = [r for r in rows if r.kind == "field"]
        applicable = sum((r.applicable_max or ZERO for r in fields), ZERO)
        points = sum((r.points or ZERO for r in rows), ZERO)
        return SummaryRow("", "TỔNG ĐIỂM", sum((r.max or ZERO for r in fields), ZERO),
                          applicable, points, self.result.index, "total")

    def detail(self, f: NodeReport) -> list[NodeReport]:
        """The field's criteria and sub-criteria, in catalogue order."""
        return [self.report.nodes[n.code] for n in f.node.walk()][1:]  # type: ignore[union-attr]

    def evidence_of(self, code: str) -> list[EvidenceRow]:
        return [row for _, row in self.evidence.get(code, [])]

    def evidence_codes(self) -> list[str]:
        """The codes of the register in catalogue order, then codes the catalogue lacks."""
        catalogue = self.report.catalogue
        order = [n.code for n in catalogue.nodes()] + [i.code for _, i in
                                                       catalogue.extra_items()]
        return [c for c in order if c in self.evidence] + \
            [c for c in self.evidence if c not in order]


def self_result(report: Report) -> Result:
    """The self-assessed result only: the report never mixes in appraised or published points."""
    return Result("self", report.total, report.index, report.rating, "",
                  {f.code: f.points for f in report.fields}, report.bonus, report.penalty)


def build_report_model(report: Report) -> ReportModel:
    catalogue = report.catalogue
    name = agency_name(report.state.org, report.org.agency)
    title = (f"Kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm {catalogue.year} "
             f"của {name}")
    frame = Frame(report.org, "BC", "BÁO CÁO", title, catalogue.year, name)
    warnings = Warnings()
    result = self_result(report)
    evidence = _evidence_by_code(report, warnings)
    shortfalls, pending = [], []
    for row in report.leaves():
        if _pending(row):
            pending.append(row)
        elif row.applicable_max and row.points < row.applicable_max:
            shortfalls.append(_shortfall(report, row, warnings))
        if row.points > 0 and not evidence.get(row.code):
            warnings.add("được chấm điểm nhưng chưa có tài liệu kiểm chứng trong sổ: Hội đồng "
                         "thẩm định có thể trừ điểm.", kind="report-evidence", code=row.code)
    model = ReportModel(report, frame, result, _summary(report), shortfalls, pending, evidence,
                        warnings)
    check_frame(frame, catalogue, warnings)
    return model


def _pending(row: NodeReport) -> bool:
    """A survey item before its result is published: waiting, not lost."""
    return isinstance(row.node, Leaf) and row.status == "pending"


def _shortfall(report: Report, row: NodeReport, warnings: Warnings) -> Shortfall:
    typed = typed_text(row.entry.note) or typed_text(row.entry.cause)
    if typed:
        return Shortfall(row, typed, True)
    warnings.add("chưa đạt điểm tối đa nhưng chưa có giải trình (cột 'Giải trình, ghi chú' "
                 "hoặc 'Nguyên nhân chưa đạt'): báo cáo ghi giải trình tự sinh từ số liệu, hãy "
                 "kiểm tra.",
                 kind="report-explain", code=row.code)
    if isinstance(row.node, Leaf) and row.status in ("missing", "error"):
        warnings.add("chưa có số liệu hợp lệ: báo cáo tính 0 điểm.", kind="report-data",
                     code=row.code)
    return Shortfall(row, explanation(row, report.catalogue), False)


def _summary(report: Report) -> list[SummaryRow]:
    catalogue = report.catalogue
    rows = [SummaryRow(str(i), f.node.name, f.max, f.applicable_max, f.points, f.sub_index)
            for i, f in enumerate(report.fields, start=1)]
    if catalogue.bonus is not None or report.bonus:
        cap = catalogue.bonus.cap if catalogue.bonus else ZERO
        rows.append(SummaryRow("", f"Điểm thưởng (tối đa {num(cap)} điểm)", None, None,
                               report.bonus, None, "bonus"))
    if catalogue.penalty is not None or report.penalty:
        cap = catalogue.penalty.cap if catalogue.penalty else ZERO
        rows.append(SummaryRow("", f"Điểm trừ (tối đa {num(cap)} điểm), ghi số âm", None,
                               None, -report.penalty, None, "penalty"))
    return rows


def _evidence_by_code(report: Report, warnings: Warnings) -> Register:
    """The register's rows by criterion code, in the register's order; rows whose code the
    catalogue does not know are kept under their code (or '') and reported."""
    from ..format.layout import EVIDENCE_SHEET
    from .evidence import register_row

    known = {n.code for n in report.catalogue.nodes()} | report.catalogue.leaf_codes
    found: Register = {}
    for i, row in enumerate(report.state.evidence):
        if row.is_blank():
            continue
        code = typed_text(row.code)
        found.setdefault(code, []).append((i, row))
        if code not in known:
            said = f"mã tiêu chí '{code}' không có trong bộ tiêu chí" if code else \
                "chưa ghi mã tiêu chí"
            warnings.add(f"dòng tài liệu kiểm chứng {said}: báo cáo xếp vào cuối danh mục.",
                         kind="report-evidence", sheet=EVIDENCE_SHEET,
                         cell=register_row(i, "code"))
    return found


def export_report(report: Report, out: Path, evidence_dir: Path | None = None,
                  source_folder: Path | None = None) -> DocumentResult:
    """Write the self-assessment report to `out` (.docx or .xlsx), atomically.

    With `evidence_dir`, also copy the files the evidence register points to into
    `evidence_dir/<criterion code>/` with an index workbook (see `documents.evidence`);
    relative links are relative to `source_folder` (the master's folder; the current folder
    when None). Returns the path, the warnings and the evidence package."""
    out = Path(out)
    suffix = output_suffix(out, (".docx", ".xlsx"), "báo cáo")
    model = build_report_model(report)
    if suffix == ".docx":
        from .report_docx import write_docx as writer
    else:
        from .report_xlsx import write_xlsx as writer
    atomic_write(out, lambda tmp: writer(model, tmp))
    result = DocumentResult(out, list(model.warnings))
    if evidence_dir is not None:
        from .evidence import package_evidence

        package = package_evidence(report, Path(evidence_dir),
                                   Path(source_folder) if source_folder else Path.cwd())
        result.evidence = package
        result.warnings.extend(package.warnings)
    return result
