"""Printing reports for people (rich tables) and for scripts (JSON). Imported lazily by the CLI."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from .errors import Problem


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_problems(problems: Iterable[Problem], title: str | None = None) -> None:
    out = console()
    problems = list(problems)
    if title:
        out.print(f"[bold]{title}[/bold]")
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        out.print(f"  [{style}]•[/{style}] {_escape(str(p))}")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def print_merge(result: Any) -> None:
    from rich.table import Table

    from .ops.merge import CHECKED

    out = console()
    table = Table(title="Kết quả gộp dữ liệu", show_lines=False)
    for header in ("Tệp", "Đơn vị", "Kết quả", "Lỗi", "Cảnh báo"):
        table.add_column(header)
    for f in result.files:
        passed = f.accepted or f.outcome == CHECKED
        style = "green" if passed and not f.errors else ("yellow" if passed else "red")
        table.add_row(_escape(f.data.path.name), f.data.unit or "?",
                      f"[{style}]{f.outcome}[/{style}]", str(len(f.errors)),
                      str(len(f.warnings)))
    out.print(table)
    for f in result.files:
        if f.data.problems:
            print_problems(f.data.problems, title=f"{f.data.path.name}:")
    if result.skipped:
        print_problems(result.skipped, title="Bỏ qua:")
    if result.missing_units:
        names = ", ".join(f"{result.catalogue.unit_name(u)} ({u})" for u in result.missing_units)
        out.print(f"[bold]Đơn vị chưa gửi tệp:[/bold] {_escape(names)}")
    else:
        out.print("[bold]Tất cả đơn vị đã gửi tệp.[/bold]")
    rejected = [f for f in result.files if not (f.accepted or f.outcome == CHECKED)]
    if rejected:
        out.print(f"[red]{len(rejected)} tệp không được gộp[/red] (xem lỗi ở trên; sửa rồi gửi "
                  "lại, hoặc dùng --force để gộp tệp chỉ có lỗi nội dung).")
    if result.written:
        out.print(f"Đã ghi {_escape(str(result.master))}"
                  + (f" (bản cũ lưu ở {_escape(str(result.backup))})" if result.backup else ""))


def print_summary(report: Any) -> None:
    from rich.table import Table

    from .criteria.numbers import vn_number, vn_percent

    out = console()
    table = Table(title=f"Tổng hợp Chỉ số CCHC năm {report.catalogue.year}")
    for header in ("Lĩnh vực", "Tối đa áp dụng", "Tự chấm", "Thẩm định", "Mục tiêu", "Nhận xét"):
        table.add_column(header)
    for f in report.fields:
        table.add_row(_escape(f"{f.code}. {f.node.name}"), vn_number(f.applicable_max),
                      vn_number(f.points),
                      vn_number(f.appraised) if f.appraised is not None else "",
                      vn_number(f.target) if f.target is not None else "", f.label)
    out.print(table)
    index = vn_percent(report.index) if report.index is not None else "—"
    out.print(f"Tổng điểm: [bold]{vn_number(report.total)}[/bold] / "
              f"{vn_number(report.applicable_max)} (thưởng {vn_number(report.bonus)}, trừ "
              f"{vn_number(report.penalty)}); Chỉ số CCHC: [bold]{index}[/bold]; xếp loại: "
              f"[bold]{_escape(report.rating or '—')}[/bold]")
