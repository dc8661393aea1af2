"""The `cchc-xl` command line: parse options, call one `Master` method, map errors to exit codes.

Exit codes, the same for every command:
  0  done (warnings may have been printed);
  1  the inputs have problems: they are listed and nothing bad was written;
  2  usage error, or a file that cannot be read or written at all (nothing was written);
  130 stopped with Ctrl-C (nothing half-written is left behind).
Heavy libraries are imported inside the commands so `--help` stays fast.
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
EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# Paths are checked by the library, which says in Vietnamese what is wrong (exit code 2).
PATH = click.Path(path_type=Path)


def reports_errors(command: F) -> F:
    """Turn library errors into a Vietnamese message on stderr and the right exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CchcError as exc:
            from .console import print_error

            print_error(exc.message, exc.problems)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def _say(message: str) -> None:
    from .console import console

    console().print(message, markup=False)


def _open(master: Path, password: str = "") -> Any:
    from .ops.master import Master

    return Master.open(master, password=password)


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
@click.argument("file", type=PATH)
@reports_errors
def catalogue_check(file: Path) -> None:
    """Kiểm tra tệp bộ tiêu chí YAML; báo mọi lỗi cùng lúc."""
    from .criteria.catalogue import load_catalogue
    from .criteria.numbers import vn_number

    cat = load_catalogue(file)
    leaves = sum(1 for _ in cat.leaves())
    _say(f"Bộ tiêu chí hợp lệ: {cat.name} — năm {cat.year}, {len(cat.fields)} lĩnh vực, "
         f"{leaves} tiêu chí thành phần, tối đa {vn_number(cat.max)} điểm, {len(cat.units)} đơn "
         f"vị (mã {cat.content_hash}).")
    if cat.warnings:
        from .console import print_problems

        print_problems(cat.warnings, title="Cần xem lại:")


@catalogue.command("sample")
@click.option("--out", type=PATH, required=True, help="Tệp .yaml để ghi.")
@reports_errors
def catalogue_sample(out: Path) -> None:
    """Ghi bộ tiêu chí MẪU đi kèm công cụ ra tệp YAML (để xem hoặc làm điểm xuất phát)."""
    from .demo import sample_catalogue_path
    from .files.atomic import atomic_write

    text = sample_catalogue_path().read_text(encoding="utf-8")
    atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    _say(f"Đã ghi {out} (bộ tiêu chí mẫu; mỗi tỉnh dùng bộ của tỉnh mình)")


@catalogue.command("export")
@click.argument("file", type=PATH)
@click.option("--out", type=PATH, required=True, help="Tệp .xlsx để ghi.")
@reports_errors
def catalogue_export(file: Path, out: Path) -> None:
    """Xuất bộ tiêu chí ra Excel để Văn phòng sửa."""
    from .criteria.catalogue import load_catalogue
    from .criteria.catalogue_xlsx import export_catalogue

    export_catalogue(load_catalogue(file), out)
    _say(f"Đã ghi {out}")


@catalogue.command("import")
@click.argument("file", type=PATH)
@click.option("--out", type=PATH, required=True, help="Tệp .yaml để ghi.")
@reports_errors
def catalogue_import(file: Path, out: Path) -> None:
    """Nhập bộ tiêu chí từ tệp Excel (đã xuất và sửa) ra YAML."""
    from .criteria.catalogue import dump_catalogue
    from .criteria.catalogue_xlsx import import_catalogue
    from .files.atomic import atomic_write

    cat = import_catalogue(file)
    text = dump_catalogue(cat, header=f"# Imported from {file.name} by cchc-xl\n")
    atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    _say(f"Đã ghi {out} ({cat.content_hash})")


# ---------------------------------------------------------------------------------------------
# The yearly loop


@main.command()
@click.option("--catalogue", "catalogue_file", type=PATH, required=True,
              help="Tệp bộ tiêu chí YAML.")
@click.option("--out", type=PATH, required=True, help="Tệp tổng hợp (.xlsm có nút, hoặc .xlsx).")
@click.option("--org", default="", help="Tên cơ quan, ví dụ 'Sở Tư pháp tỉnh Lạng Sơn'.")
@click.option("--password", default="", help="Mật khẩu bảo vệ sheet (mặc định: không).")
@click.option("--force", is_flag=True, help="Ghi đè tệp đã có (bản cũ được sao lưu).")
@click.option("--from", "last_year", type=PATH, default=None,
              help="Tệp tổng hợp năm trước: lấy kết quả năm trước của từng tiêu chí, chỉ số và "
                   "xếp hạng đã công bố.")
@click.option("--map", "code_map", multiple=True, metavar="CŨ=MỚI",
              help="Ghép mã tiêu chí đã đổi giữa hai năm (lặp lại được), ví dụ --map 3.2.1=3.3.1")
@reports_errors
def new(catalogue_file: Path, out: Path, org: str, password: str, force: bool,
        last_year: Path | None, code_map: tuple[str, ...]) -> None:
    """Tạo tệp tổng hợp mới (mỗi lĩnh vực một sheet) từ bộ tiêu chí."""
    from .ops.master import Master

    created = Master.create(catalogue_file, out, org=org, password=password, overwrite=force,
                            last_year=last_year, code_map=_code_map(code_map))
    _say(f"Đã tạo {out}" + (f" (kết quả năm trước lấy từ {last_year.name})" if last_year else ""))
    if created.warnings:
        from .console import print_problems

        print_problems(created.warnings, title="Kết quả năm trước chưa chuyển được:")
    if created.catalogue.warnings:
        from .console import print_problems

        print_problems(created.catalogue.warnings, title="Bộ tiêu chí cần xem lại:")


@main.command()
@click.argument("master", type=PATH)
@click.option("--out", type=PATH, required=True, help="Thư mục ghi tệp của các đơn vị.")
@click.option("--unit", "units", multiple=True, help="Chỉ tạo cho đơn vị này (lặp lại được).")
@click.option("--password", default="", help="Mật khẩu bảo vệ sheet của tệp đơn vị.")
@click.option("--master-password", default="", help="Mật khẩu của tệp tổng hợp (nếu có).")
@reports_errors
def split(master: Path, out: Path, units: tuple[str, ...], password: str,
          master_password: str) -> None:
    """Tạo tệp cho từng đơn vị chủ trì (chỉ có tiêu chí của đơn vị)."""
    result = _open(master, master_password).split(out, units=list(units) or None,
                                                  password=password)
    for path in result.files:
        _say(f"  {path}")
    _say(f"Đã tạo {len(result.files)} tệp trong {out}")


@main.command()
@click.argument("master", type=PATH)
@click.argument("inputs", nargs=-1, required=True, type=PATH)
@click.option("--force", is_flag=True,
              help="Gộp cả tệp có lỗi nội dung hoặc cũ hơn tệp đã gộp (tệp không đọc được thì "
                   "không bao giờ gộp).")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi gì.")
@click.option("--json", "as_json", is_flag=True, help="In báo cáo dạng JSON.")
@click.option("--password", default="", help="Mật khẩu bảo vệ sheet của tệp tổng hợp.")
@reports_errors
def merge(master: Path, inputs: tuple[Path, ...], force: bool, dry_run: bool, as_json: bool,
          password: str) -> None:
    """Gộp các tệp đơn vị gửi lại (tệp hoặc thư mục) vào tệp tổng hợp."""
    from .console import print_json, print_merge, progress

    opened = _open(master, password)
    with progress(quiet=as_json) as tick:
        result = opened.merge(list(inputs), force=force, dry_run=dry_run, progress=tick)
    if as_json:
        print_json(result.to_json())
    else:
        print_merge(result)
    sys.exit(result.exit_code)


@main.command()
@click.argument("master", type=PATH)
@click.option("--password", default="", help="Mật khẩu bảo vệ sheet của tệp tổng hợp.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@reports_errors
def sync(master: Path, password: str, as_json: bool) -> None:
    """Đồng bộ: tính lại toàn bộ, ghi sheet Tổng hợp và Phân tích chênh lệch."""
    from .console import print_json, print_problems, print_summary

    result = _open(master, password).sync()
    if as_json:
        print_json(result.to_json())
        return
    print_summary(result.report)
    if result.notices:
        print_problems(result.notices, title="Đã lưu ý khi đọc tệp:")
    _say(f"Đã đồng bộ {master}" + (f" (bản cũ lưu ở {result.backup})" if result.backup else ""))


@main.command()
@click.argument("master", type=PATH)
@click.argument("file", type=PATH)
@click.option("--lan-dau", "first_round", is_flag=True,
              help="Ghi điểm của tệp này là điểm thẩm định lần đầu (mặc định: chỉ ghi cho tiêu "
                   "chí chưa có điểm lần đầu).")
@click.option("--password", default="", help="Mật khẩu bảo vệ sheet của tệp tổng hợp.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@reports_errors
def appraisal(master: Path, file: Path, first_round: bool, password: str, as_json: bool) -> None:
    """Nhập điểm thẩm định của Hội đồng từ bảng tính (cột mã và cột điểm tìm theo tiêu đề)."""
    from .console import print_json

    result = _open(master, password).import_appraisal(file, first_round=first_round)
    if as_json:
        print_json(result.to_json())
        return
    _say(f"Đã nhập điểm thẩm định của {len(result.points)} tiêu chí từ {file.name} vào "
         f"{master.name}" + (f" (bản cũ lưu ở {result.backup})" if result.backup else ""))
    if result.first_round:
        _say(f"Đã ghi điểm thẩm định lần đầu của {len(result.first_round)} tiêu chí ở sheet "
             "'Giải trình thẩm định'.")
    if result.ignored:
        _say("Bỏ qua dòng của tiêu chí cha (tệp tổng hợp tự cộng): " + ", ".join(result.ignored))


@main.command()
@click.argument("master", type=PATH)
@click.option("--out", type=PATH, required=True, help="Tệp .docx (Word) hoặc .xlsx.")
@reports_errors
def plan(master: Path, out: Path) -> None:
    """Xuất kế hoạch khắc phục (Word hoặc Excel)."""
    _document_written(_open(master).export_plan(out))


@main.command()
@click.argument("master", type=PATH)
@click.option("--out", type=PATH, required=True, help="Tệp .docx (Word) hoặc .xlsx.")
@click.option("--evidence-dir", type=PATH, default=None,
              help="Thư mục để chép các tệp tài liệu kiểm chứng (mỗi mã tiêu chí một thư mục).")
@reports_errors
def report(master: Path, out: Path, evidence_dir: Path | None) -> None:
    """Xuất báo cáo kết quả tự đánh giá gửi Sở Nội vụ (và gói tài liệu kiểm chứng)."""
    result = _open(master).export_report(out, evidence_dir=evidence_dir)
    _document_written(result)
    if result.evidence is not None:
        package = result.evidence
        _say(f"Gói tài liệu kiểm chứng: {package.folder} ({package.copied} tệp; danh mục "
             f"{package.index_path.name})")


def _code_map(pairs: tuple[str, ...]) -> dict[str, str]:
    mapped = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise click.BadParameter(f"'{pair}' phải có dạng MÃ_CŨ=MÃ_MỚI", param_hint="--map")
        mapped[old.strip()] = new.strip()
    return mapped


def _document_written(result: Any, detail: str = "") -> None:
    """'Đã ghi PATH' (with `detail`), then the document's warnings."""
    _say(f"Đã ghi {result.path}{detail}")
    if result.warnings:
        from .console import print_problems

        print_problems(result.warnings, title="Cần bổ sung hoặc xem lại:")


@main.command("split-plan")
@click.argument("master", type=PATH)
@click.option("--out", type=PATH, required=True, help="Thư mục ghi tệp kế hoạch của các đơn vị.")
@click.option("--unit", "units", multiple=True, help="Chỉ tạo cho đơn vị này (lặp lại được).")
@click.option("--password", default="", help="Mật khẩu bảo vệ sheet của tệp kế hoạch.")
@reports_errors
def split_plan(master: Path, out: Path, units: tuple[str, ...], password: str) -> None:
    """Tạo tệp kế hoạch khắc phục cho từng đơn vị (nguyên nhân, giải pháp, nhiệm vụ); đơn vị gửi
    lại thì gộp bằng cchc-xl merge như tệp chấm điểm."""
    result = _open(master).split_plan(out, units=list(units) or None, password=password)
    for path in result.files:
        _say(f"  {path}")
    _say(f"Đã tạo {len(result.files)} tệp kế hoạch trong {out}")


@main.command()
@click.argument("master", type=PATH)
@click.option("--out", type=PATH, required=True, help="Tệp .docx (Word) hoặc .xlsx.")
@click.option("--date", "on", default=None, help="Tính đến ngày (dd/mm/yyyy hoặc yyyy-mm-dd; "
                                                  "mặc định: hôm nay).")
@click.option("--quarter", default=None, help="Tính đến cuối quý, ví dụ 2027Q2.")
@reports_errors
def progress(master: Path, out: Path, on: str | None, quarter: str | None) -> None:
    """Báo cáo tiến độ thực hiện kế hoạch khắc phục: nhiệm vụ quá hạn trước, tỷ lệ hoàn thành
    theo đơn vị, theo lĩnh vực, tiêu chí có nguy cơ mất điểm."""
    from .analysis.progress import quarter_end
    from .errors import FileError
    from .read.typed import parse_date

    if on and quarter:
        raise FileError("Chỉ dùng một trong hai: --date hoặc --quarter.")
    day = parse_date(on) if on else quarter_end(quarter) if quarter else None
    if on and day is None:
        raise FileError(f"Ngày '{on}' không hợp lệ; hãy ghi một ngày có thật, dạng dd/mm/yyyy "
                        "(ví dụ 30/06/2027) hoặc yyyy-mm-dd.")
    result = _open(master).export_progress(out, on=day)
    totals = result.progress.totals
    _document_written(result, f": {totals['total']} nhiệm vụ, hoàn thành {totals['done']}, quá "
                              f"hạn {totals['overdue']}.")


@main.command()
@click.argument("master", type=PATH)
@click.argument("inputs", nargs=-1, type=PATH)
@click.option("--json", "as_json", is_flag=True, help="In báo cáo dạng JSON.")
@reports_errors
def check(master: Path, inputs: tuple[Path, ...], as_json: bool) -> None:
    """Kiểm tra tệp tổng hợp (và các tệp đơn vị nếu có) mà không ghi gì."""
    from .console import print_check, print_json

    result = _open(master).check(list(inputs))
    if as_json:
        print_json(result.to_json())
    else:
        print_check(result)
    sys.exit(result.exit_code)


@main.command()
@click.option("--out", type=PATH, default=Path("cchc-demo"), show_default=True,
              help="Thư mục ghi kết quả.")
@reports_errors
def demo(out: Path) -> None:
    """Chạy thử cả năm trên số liệu mẫu: tự đánh giá, yêu cầu bổ sung, báo cáo, thẩm định, kết
    quả công bố, kế hoạch khắc phục, theo dõi tiến độ (mỗi bước như lệnh cùng tên)."""
    from .demo import run_demo

    run_demo(out, say=_say)


# ---------------------------------------------------------------------------------------------
# The entry point: usage errors, Ctrl-C and the console's encoding


def entry() -> None:
    """The `cchc-xl` console script."""
    sys.exit(run())


def run(args: list[str] | None = None) -> int:
    """What the `cchc-xl` script runs; returns the exit code."""
    from .console import prepare_streams, print_error

    prepare_streams()
    try:
        main.main(args=args, prog_name="cchc-xl", standalone_mode=False)
    except click.exceptions.Exit as exc:  # --help, --version
        return exc.exit_code
    except click.ClickException as exc:
        print_error(usage_message(exc))
        return EXIT_USAGE
    except click.Abort:  # Ctrl-C inside a click prompt
        print_error(INTERRUPTED)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print_error(INTERRUPTED)
        return EXIT_INTERRUPTED
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    return EXIT_OK


INTERRUPTED = ("Đã dừng theo yêu cầu (Ctrl-C). Các tệp đang ghi dở đã được bỏ, tệp tổng hợp "
               "giữ nguyên như trước khi chạy.")


def usage_message(exc: click.ClickException) -> str:
    """Click's usage errors, said in Vietnamese, with where to read the help."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "cchc-xl"
    help_hint = f" Xem hướng dẫn: {command} --help"
    if isinstance(exc, click.MissingParameter):
        name = _param_name(exc.param)
        return f"Thiếu {name}.{help_hint}"
    if isinstance(exc, click.NoSuchOption):
        suggestion = ""
        if exc.possibilities:
            suggestion = " Có phải ý bạn là: " + ", ".join(sorted(exc.possibilities)) + "?"
        return f"Không có tùy chọn {exc.option_name}.{suggestion}{help_hint}"
    if isinstance(exc, click.BadOptionUsage):
        return f"Tùy chọn {exc.option_name} dùng sai (thiếu giá trị?).{help_hint}"
    if isinstance(exc, click.BadParameter):
        return f"Giá trị không hợp lệ cho {_param_name(exc.param)}: {exc.message}.{help_hint}"
    if isinstance(exc, click.UsageError):
        if "No such command" in exc.message:
            word = exc.message.split("'")[1] if "'" in exc.message else exc.message
            return f"Không có lệnh '{word}'.{help_hint}"
        if "unexpected extra argument" in exc.message:
            extra = exc.message.partition("(")[2].rstrip(")")
            return f"Thừa tham số trong câu lệnh: {extra}. Tên tệp có dấu cách thì đặt trong " \
                   f'ngoặc kép ("…").{help_hint}'

        return f"Câu lệnh chưa đúng: {exc.message}.{help_hint}"
    return f"Lỗi: {exc.format_message()}"


def _param_name(param: click.Parameter | None) -> str:
    if param is None:
        return "một tham số"
    if isinstance(param, click.Option):
        return f"tùy chọn {param.opts[0]}"
    return f"tham số {(param.name or '').upper()}"
