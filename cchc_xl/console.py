"""Printing for people (rich) and for scripts (JSON). Imported lazily by the CLI.

What is printed scales with the problems, not with the files: a merge of a thousand clean
returns prints a few lines of counts; every file stays listed in the master's log sheet and in
the JSON-lines log beside it.
"""

from __future__ import annotations

import codecs
import json
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import Problem

TABLE_LIMIT = 30  # files listed one by one up to this many; above, only those with problems
GROUP_LIMIT = 5  # problems of one kind shown per unit before "… and n more"
# Vietnamese tone marks are separate characters in Windows' Vietnamese code page (cp1258).
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def vietnamese_fallback(encoding: str) -> Callable[[UnicodeError], tuple[str, int]]:
    """An encode error handler: 'ệ' becomes 'ê' + combining dot below where the code page has
    them (cp1258 does), '?' where it cannot. Charmap codecs report their encoding as 'charmap',
    so the handler is made for one encoding."""
    def handler(error: UnicodeError) -> tuple[str, int]:
        assert isinstance(error, UnicodeEncodeError)
        out = []
        for char in error.object[error.start:error.end]:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
            pieces = "".join([base, *(c for c in parts if c in _TONES)])
            try:
                pieces.encode(encoding)
                out.append(pieces)
            except UnicodeEncodeError:
                out.append("?")
        return "".join(out), error.end
    return handler


def prepare_streams() -> None:
    """Never fail on a console or a redirected file that is not UTF-8 (e.g. cp1258)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", "") or ""
        if not encoding:  # no stream (pythonw), or one that does not say: nothing to adapt
            continue
        if codecs.lookup(encoding).name != "utf-8" and hasattr(stream, "reconfigure"):
            name = f"cchc-vietnamese-{codecs.lookup(encoding).name}"
            codecs.register_error(name, vietnamese_fallback(encoding))
            stream.reconfigure(errors=name)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_error(message: str, problems: Iterable[Problem] = ()) -> None:
    out = console(stderr=True)
    out.print(f"[red]{_escape(message)}[/red]")
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        out.print(f"  [{style}]•[/{style}] {_escape(str(p))}")


def print_problems(problems: Iterable[Problem], title: str | None = None) -> None:
    out = console()
    problems = list(problems)
    if title:
        out.print(f"[bold]{_escape(title)}[/bold]")
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        out.print(f"  [{style}]•[/{style}] {_escape(str(p))}")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def print_merge(result: Any) -> None:
    """Counts per outcome, the files that need attention, problems grouped by unit and kind."""
    from rich.table import Table

    from .format.state import CHECKED, MERGED

    out = console()
    files = result.files
    counts = Counter(f.outcome for f in files)
    summary = ", ".join(f"{outcome}: {n}" for outcome, n in counts.most_common())
    out.print(f"[bold]Đã đọc {len(files)} tệp[/bold]" + (f" — {_escape(summary)}" if files else ""))
    shown = [f for f in files if len(files) <= TABLE_LIMIT or f.errors
             or f.outcome not in (MERGED, CHECKED)]
    if shown:
        table = Table(show_lines=False)
        for header in ("Tệp", "Đơn vị", "Kết quả", "Lỗi", "Cảnh báo"):
            table.add_column(header)
        for f in shown:
            passed = f.accepted or f.outcome == CHECKED
            style = "green" if passed and not f.errors else ("yellow" if passed else "red")
            table.add_row(_escape(f.data.path.name), f.data.unit or "?",
                          f"[{style}]{_escape(f.outcome)}[/{style}]", str(len(f.errors)),
                          str(len(f.warnings)))
        out.print(table)
    for title, problems in group_problems(files):
        print_problems(problems, title=title)
    if result.skipped:
        print_problems(result.skipped, title="Bỏ qua:")
    scores = [f for f in files if f.data.kind != "plan"]  # plan returns: a stream of their own
    if result.missing_units and (scores or not files):
        names = ", ".join(f"{result.catalogue.unit_name(u)} ({u})" for u in result.missing_units)
        out.print(f"[bold]Đơn vị chưa gửi tệp:[/bold] {_escape(names)}")
    elif scores:
        out.print("[bold]Tất cả đơn vị đã gửi tệp.[/bold]")
    rejected = [f for f in files if not (f.accepted or f.outcome == CHECKED)]
    if rejected:
        out.print(f"[red]{len(rejected)} tệp không được gộp[/red] (xem lý do ở trên; sửa rồi gửi "
                  "lại, hoặc dùng --force để gộp tệp chỉ có lỗi nội dung).")
    if result.written:
        out.print(f"Đã ghi {_escape(str(result.master))}"
                  + (f" (bản cũ lưu ở {_escape(str(result.backup))})" if result.backup else ""))


def group_problems(files: Iterable[Any]) -> Iterator[tuple[str, list[Problem]]]:
    """Per unit: every error, and each kind of warning shown a few times with a count."""
    by_unit: dict[str, list[Problem]] = {}
    for f in files:
        by_unit.setdefault(f.data.unit or f.data.path.name, []).extend(f.data.problems)
    for unit, problems in by_unit.items():
        if not problems:
            continue
        shown: list[Problem] = [p for p in problems if p.severity == "error"]
        kinds: dict[str, list[Problem]] = {}
        for p in problems:
            if p.severity != "error":
                kinds.setdefault(p.kind or p.message, []).append(p)
        for same in kinds.values():
            shown += same[:GROUP_LIMIT]
            if len(same) > GROUP_LIMIT:
                shown.append(Problem(f"… và {len(same) - GROUP_LIMIT} cảnh báo cùng loại nữa "
                                     "(xem sheet 'Nhật ký gộp').", severity="warning"))
        yield f"{unit}:", shown


def print_check(result: Any) -> None:
    if result.problems:
        print_problems(result.problems, title=f"Tệp tổng hợp {result.master.name}:")
    else:
        console().print(f"[green]Tệp tổng hợp {_escape(result.master.name)} không có lỗi.[/green]")
    if result.returns is not None:
        print_merge(result.returns)


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
                      vn_number(f.target) if f.target is not None else "", _escape(f.label))
    out.print(table)
    index = vn_percent(report.index) if report.index is not None else "—"
    out.print(f"Tổng điểm: [bold]{vn_number(report.total)}[/bold] / "
              f"{vn_number(report.applicable_max)} (thưởng {vn_number(report.bonus)}, trừ "
              f"{vn_number(report.penalty)}); Chỉ số CCHC: [bold]{index}[/bold]; xếp loại: "
              f"[bold]{_escape(report.rating or '—')}[/bold]")


@contextmanager
def progress(quiet: bool) -> Iterator[Callable[[Path], None]]:
    """A rich progress line on a terminal; nothing when piped or printing JSON."""
    if quiet or not sys.stderr.isatty():
        yield lambda path: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True,
                  console=console(stderr=True)) as bar:
        task = bar.add_task("Đang đọc…")
        count = 0

        def tick(path: Path) -> None:
            nonlocal count
            count += 1
            bar.update(task, description=f"Đang đọc tệp {count}: {path.name}")

        yield tick
