"""The `cchc-xl` command line: parse options, call one library function, map errors to exit codes.

Exit codes: 0 done; 1 the inputs have problems (reported, nothing bad written); 2 usage error or
unreadable file. Heavy libraries are imported inside the commands so `--help` stays fast.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ._version import __version__
from .errors import CchcError

F = TypeVar("F", bound=Callable[..., Any])

# Paths are checked by the library, which says in Vietnamese what is missing (exit code 2).
EXISTING = click.Path(dir_okay=False, path_type=Path)
ANY_PATH = click.Path(path_type=Path)


def reports_errors(command: F) -> F:
    """Turn library errors into a Vietnamese message on stderr and the right exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CchcError as exc:
            from .console import console, print_problems

            console(stderr=True).print(f"[red]{_escape(exc.message)}[/red]")
            if exc.problems:
                print_problems(exc.problems)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _say(message: str) -> None:
    from .console import console

    console().print(message)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cchc-xl")
def main() -> None:
    """cchc-xl: tự đánh giá Chỉ số CCHC của Sở bằng Excel (self-assessment of the PAR Index).

    Quy trình: new → split → (đơn vị nhập) → merge → sync → plan. Chạy `cchc-xl demo` để xem
    cả vòng trên bộ tiêu chí mẫu.
    """


# ---------------------------------------------------------------------------------------------
# catalogue


@main.group()
def catalogue() -> None:
    """Bộ tiêu chí: kiểm tra, xuất ra Excel để sửa, nhập lại từ Excel."""


@catalogue.command("check")
@click.argument("file", type=EXISTING)
@reports_errors
def catalogue_check(file: Path) -> None:
    """Kiểm tra tệp bộ tiêu chí YAML; báo mọi lỗi cùng lúc."""
    from .criteria.catalogue import load_catalogue
    from .criteria.numbers import vn_number

    cat = load_catalogue(file)
    leaves = sum(1 for _ in cat.leaves())
    _say(f"[green]Bộ tiêu chí hợp lệ:[/green] {_escape(cat.name)} — năm {cat.year}, "
         f"{len(cat.fields)} lĩnh vực, {leaves} tiêu chí thành phần, tối đa "
         f"{vn_number(cat.max)} điểm, {len(cat.units)} đơn vị (mã {cat.content_hash}).")


@catalogue.command("sample")
@click.option("--out", type=ANY_PATH, required=True, help="Tệp .yaml để ghi.")
@reports_errors
def catalogue_sample(out: Path) -> None:
    """Ghi bộ tiêu chí MẪU đi kèm công cụ ra tệp YAML (để xem hoặc làm điểm xuất phát)."""
    from .demo import sample_catalogue_path
    from .files.atomic import atomic_write

    text = sample_catalogue_path().read_text(encoding="utf-8")
    atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    _say(f"Đã ghi {_escape(str(out))} (bộ tiêu chí mẫu; mỗi tỉnh dùng bộ của tỉnh mình)")


@catalogue.command("export")
@click.argument("file", type=EXISTING)
@click.option("--out", type=ANY_PATH, required=True, help="Tệp .xlsx để ghi.")
@reports_errors
def catalogue_export(file: Path, out: Path) -> None:
    """Xuất bộ tiêu chí ra Excel để Văn phòng sửa."""
    from .criteria.catalogue import load_catalogue
    from .criteria.catalogue_xlsx import export_catalogue

    export_catalogue(load_catalogue(file), out)
    _say(f"Đã ghi {_escape(str(out))}")


@catalogue.command("import")
@click.argument("file", type=EXISTING)
@click.option("--out", type=ANY_PATH, required=True, help="Tệp .yaml để ghi.")
@reports_errors
def catalogue_import(file: Path, out: Path) -> None:
    """Nhập bộ tiêu chí từ tệp Excel (đã xuất và sửa) ra YAML."""
    from .criteria.catalogue import dump_catalogue
    from .criteria.catalogue_xlsx import import_catalogue
    from .files.atomic import atomic_write

    cat = import_catalogue(file)
    text = dump_catalogue(cat, header=f"# Imported from {file.name} by cchc-xl\n")
    atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    _say(f"Đã ghi {_escape(str(out))} ({cat.content_hash})")


# ---------------------------------------------------------------------------------------------
# The yearly loop


@main.command()
@click.option("--catalogue", "catalogue_file", type=EXISTING, required=True,
              help="Tệp bộ tiêu chí YAML.")
@click.option("--out", type=ANY_PATH, required=True,
              help="Tệp tổng hợp (.xlsm có nút, hoặc .xlsx).")
@click.option("--org", default="", help="Tên cơ quan, ví dụ 'Sở Tư pháp tỉnh Lạng Sơn'.")
@click.option("--password", default="", help="Mật khẩu bảo vệ sheet (mặc định: không).")
@click.option("--force", is_flag=True, help="Ghi đè tệp đã có (bản cũ được sao lưu).")
@reports_errors
def new(catalogue_file: Path, out: Path, org: str, password: str, force: bool) -> None:
    """Tạo tệp tổng hợp mới (mỗi lĩnh vực một sheet) từ bộ tiêu chí."""
    from .ops.operations import create_master

    create_master(catalogue_file, out, org=org, password=password, overwrite=force)
    _say(f"Đã tạo {_escape(str(out))}")


@main.command()
@click.argument("master", type=EXISTING)
@click.option("--out", type=ANY_PATH, required=True, help="Thư mục ghi tệp của các đơn vị.")
@click.option("--unit", "units", multiple=True, help="Chỉ tạo cho đơn vị này (lặp lại được).")
@click.option("--password", default="", help="Mật khẩu bảo vệ sheet của tệp đơn vị.")
@reports_errors
def split(master: Path, out: Path, units: tuple[str, ...], password: str) -> None:
    """Tạo tệp cho từng đơn vị chủ trì (chỉ có tiêu chí của đơn vị)."""
    from .ops.split import split as split_master

    written = split_master(master, out, password=password, units=list(units) or None)
    for path in written:
        _say(f"  {_escape(str(path))}")
    _say(f"Đã tạo {len(written)} tệp trong {_escape(str(out))}")


@main.command()
@click.argument("master", type=EXISTING)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True,
              help="Gộp cả tệp có lỗi nội dung (tệp không đọc được thì không bao giờ gộp).")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi gì.")
@click.option("--json", "as_json", is_flag=True, help="In báo cáo dạng JSON.")
@click.option("--password", default="", help="Mật khẩu bảo vệ sheet của tệp tổng hợp.")
@reports_errors
def merge(master: Path, inputs: tuple[Path, ...], force: bool, dry_run: bool, as_json: bool,
          password: str) -> None:
    """Gộp các tệp đơn vị gửi lại (tệp hoặc thư mục) vào tệp tổng hợp."""
    from .console import print_json, print_merge
    from .ops.merge import merge as merge_files

    with _progress(as_json) as tick:
        result = merge_files(master, list(inputs), force=force, dry_run=dry_run,
                             password=password, progress=tick)
    if as_json:
        print_json(result.to_json())
    else:
        print_merge(result)
    sys.exit(result.exit_code)


@main.command()
@click.argument("master", type=EXISTING)
@click.option("--password", default="", help="Mật khẩu bảo vệ sheet của tệp tổng hợp.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@reports_errors
def sync(master: Path, password: str, as_json: bool) -> None:
    """Đồng bộ: tính lại toàn bộ, ghi sheet Tổng hợp và Phân tích chênh lệch."""
    from .console import print_json, print_summary
    from .ops.sync import sync as sync_master

    result = sync_master(master, password=password)
    if as_json:
        from .ops.operations import report_json

        print_json({**report_json(result.report), "backup": str(result.backup or "")})
        return
    print_summary(result.report)
    _say(f"Đã đồng bộ {_escape(str(master))}"
         + (f" (bản cũ lưu ở {_escape(str(result.backup))})" if result.backup else ""))


@main.command()
@click.argument("master", type=EXISTING)
@click.option("--out", type=ANY_PATH, required=True, help="Tệp .docx (Word) hoặc .xlsx.")
@reports_errors
def plan(master: Path, out: Path) -> None:
    """Xuất kế hoạch khắc phục (Word hoặc Excel)."""
    from .documents.plan import export_plan

    export_plan(master, out)
    _say(f"Đã ghi {_escape(str(out))}")


@main.command()
@click.argument("master", type=EXISTING)
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="In báo cáo dạng JSON.")
@reports_errors
def check(master: Path, inputs: tuple[Path, ...], as_json: bool) -> None:
    """Kiểm tra tệp tổng hợp (và các tệp đơn vị nếu có) mà không ghi gì."""
    from .console import print_json, print_merge, print_problems
    from .ops.operations import check_master_file

    problems = check_master_file(master)
    merged = None
    if inputs:
        from .ops.merge import merge as merge_files

        merged = merge_files(master, list(inputs), dry_run=True)
    errors = any(p.severity == "error" for p in problems) or bool(merged and merged.has_errors)
    if as_json:
        print_json({"master": [p.to_dict() for p in problems],
                    "returns": merged.to_json() if merged else None, "exit_code": int(errors)})
    else:
        if problems:
            print_problems(problems, title=f"Tệp tổng hợp {master.name}:")
        else:
            _say(f"[green]Tệp tổng hợp {_escape(master.name)} không có lỗi.[/green]")
        if merged:
            print_merge(merged)
    sys.exit(1 if errors else 0)


@main.command()
@click.option("--out", type=ANY_PATH, default=Path("cchc-demo"), show_default=True,
              help="Thư mục ghi kết quả.")
@reports_errors
def demo(out: Path) -> None:
    """Chạy cả vòng trên bộ tiêu chí mẫu: new → split → đơn vị nhập → merge → sync → plan."""
    from .demo import run_demo

    run_demo(out, say=_say)


class _NoProgress:
    def __enter__(self) -> Callable[[Path], None]:
        return lambda path: None

    def __exit__(self, *exc: object) -> None:
        return None


def _progress(quiet: bool) -> Any:
    """A rich progress line on a terminal; nothing when piped or printing JSON."""
    if quiet or not sys.stderr.isatty():
        return _NoProgress()
    from rich.progress import Progress, SpinnerColumn, TextColumn

    class _Live:
        def __enter__(self) -> Callable[[Path], None]:
            self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                     transient=True, console=_stderr())
            self.progress.__enter__()
            self.task = self.progress.add_task("Đang đọc…")
            self.count = 0
            return self.tick

        def tick(self, path: Path) -> None:
            self.count += 1
            self.progress.update(self.task, description=f"Đang đọc tệp {self.count}: {path.name}")

        def __exit__(self, *exc: object) -> None:
            self.progress.__exit__(None, None, None)

    return _Live()


def _stderr() -> Any:
    from .console import console

    return console(stderr=True)
