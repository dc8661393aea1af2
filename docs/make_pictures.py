#!/usr/bin/env python3
"""Regenerate the pictures of the user guide (docs/huong-dan-su-dung.md) from the current build.

    pip install pillow              # once; a docs tool, not a dependency of cchc-xl
    python docs/make_pictures.py    # rewrites every docs/images/*.png

Rerun it whenever the workbooks, the plan or the messages change: the pictures are made from the
real generated files, never drawn by hand, so they cannot drift from the product.

How:

1. `cchc_xl.demo.run_demo` runs the whole yearly loop on the bundled sample in a temporary folder
   (master .xlsm, unit workbooks, returns, the Word plan), exactly as `cchc-xl demo` does.
2. LibreOffice converts the files to PDF (`devtools.libreoffice`, recalculated, locale
   vi-VN so numbers have decimal commas); the page of each sheet is found by its text
   (`pdftotext`) and rendered to PNG (`render_pdf`, poppler's `pdftoppm`).
3. Pillow crops each page to the interesting part (the top rows of a sheet, the content without
   the white margins) and saves it as a small palette PNG.
4. The merge report is console output: the script merges the demo's first round of returns (plus
   a unit that sent its file twice) into a fresh master with the library call the command uses,
   captures what `cchc-xl merge` prints, and draws it in a monospace font. The text of the
   message box the "Gộp dữ liệu" button shows is drawn from the same result.

Only one thing differs from the files a user gets: the master's buttons are marked "do not
print" (as Excel buttons should be), so for the pictures a copy of the master has that flag
removed; the buttons then appear in the PDF where Excel shows them on screen. Everything else is
printed as is.

Needs LibreOffice (`soffice`) and poppler-utils (`pdftoppm`, `pdftotext`) on PATH, a monospace
font (DejaVu Sans Mono, Liberation Mono, Consolas, Menlo or Courier New) and a font with every
Vietnamese letter (DejaVu Sans, Liberation Sans, Segoe UI or Arial). Without Pillow the pages are
written whole (not cropped, not optimised) and the two console pictures are skipped. The same
run always gives the same pictures (fixed clock and save times for the merge), so `git diff`
shows only what the product changed; the one exception is the tracker's "Quá hạn" column, which
LibreOffice computes from the day the pictures are made. Takes about 20 seconds.

    python docs/make_pictures.py --keep /tmp/pictures   # also keep the demo, PDFs and full pages
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout's cchc_xl, not an older installed copy

from cchc_xl.criteria.catalogue import load_catalogue  # noqa: E402
from cchc_xl.criteria.catalogue_xlsx import export_catalogue  # noqa: E402
from cchc_xl.demo import ORG, run_demo, sample_catalogue_path  # noqa: E402
from devtools.libreoffice import convert, render_pdf  # noqa: E402
from devtools.saved import set_saved  # noqa: E402
from cchc_xl.ops.split import unit_file_name  # noqa: E402

try:
    from PIL import Image, ImageDraw, ImageFont
except ImportError:  # documented above: pages are then kept whole
    Image = None  # type: ignore[assignment]

IMAGES = ROOT / "docs" / "images"
WIDTH = 110  # console columns of the merge report picture (as with COLUMNS=110)
YEAR = load_catalogue(sample_catalogue_path()).year
# The merge picture's clock and files: November of the assessment year, Vietnam time (UTC+7).
MERGE_TIME = dt.datetime(YEAR, 11, 25, 9, 0, 0)
RESENT_UNIT, MISTAKE_UNIT = "NV1", "TGPL"  # a unit that sends twice; the demo's b > a unit
FIRST_SENT = f"{YEAR}-11-20T03:15:00Z"   # 10:15 local
SECOND_SENT = f"{YEAR}-11-24T08:30:00Z"  # 15:30 local


# ---------------------------------------------------------------------------------------------
# What to photograph


@dataclass(frozen=True)
class Shot:
    """One picture: a page of a converted file, found by its text, cropped."""

    name: str  # docs/images/<name>.png
    source: str  # key of the converted PDF
    needles: tuple[str, ...]  # the first page with all of these (spaces ignored; use text that
    # fits on one line: a header wrapped inside its cell is interleaved with its neighbours)
    until: str | None = None  # cut above the row whose code (leftmost word) is this
    dpi: int = 110
    colours: int = 96


SHOTS = (
    Shot("tong-hop-bia", "master", ("Tệp tổng hợp của Văn phòng Sở", "CÁCH LÀM")),
    Shot("tong-hop-linh-vuc", "master", ("Lĩnh vực 3:", "3.1.1"), until="3.3.2"),
    Shot("tong-hop-cot-van-phong", "master", ("Nguyên nhân chưa đạt", "3.4.1"), until="3.4.2"),
    Shot("bo-tieu-chi-excel", "catalogue", ("Loại quy tắc", "Các lựa chọn", "1.1.1"), dpi=150),
    Shot("don-vi-bia", "unit", ("Tệp của đơn vị", "CÁCH LÀM")),
    Shot("don-vi-linh-vuc", "unit", ("Lĩnh vực 2:", "2.1.1"), until="2.3.1"),
    Shot("don-vi-loi-b-lon-hon-a", "mistake", ("Lỗi: b lớn hơn a",)),
    Shot("tong-hop-sheet-tong-hop", "master", ("TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ",)),
    Shot("phan-tich-chenh-lech", "master", ("PHÂN TÍCH CHÊNH LỆCH", "A. THEO LĨNH VỰC")),
    Shot("ke-hoach-trang-1", "plan", ("KẾ HOẠCH", "I. MỤC ĐÍCH, YÊU CẦU"), dpi=100),
    Shot("ke-hoach-phu-luc-1", "plan", ("Phụ lục I", "CHỈ TIÊU KHẮC PHỤC"), dpi=100),
    Shot("thong-tin-chung", "master", ("THÔNG TIN CHUNG",)),
    Shot("don-vi-yeu-cau", "master", ("CÁC ĐƠN VỊ: TÌNH HÌNH GỬI TỆP",)),
    Shot("giai-trinh-tham-dinh", "master", ("THẨM ĐỊNH VÀ GIẢI TRÌNH",)),
    Shot("theo-doi-khac-phuc", "master", ("THEO DÕI THỰC HIỆN KẾ HOẠCH KHẮC PHỤC",)),
    Shot("bao-cao-trang-1", "report", ("BÁO CÁO", "Kết quả tự đánh giá"), dpi=100),
    Shot("ke-hoach-don-vi", "plan_unit", ("TIÊU CHÍ THÀNH PHẦN CẦN KHẮC PHỤC",)),
    Shot("tien-do-trang-1", "progress", ("BÁO CÁO", "TIẾN ĐỘ"), dpi=100),
)


# ---------------------------------------------------------------------------------------------
# Main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the intermediate files in this folder")
    parser.add_argument("--out", type=Path, default=IMAGES, help="where to write the pictures")
    args = parser.parse_args(argv)
    for tool in ("pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: install poppler-utils.")
    if Image is None:
        print("Pillow is not installed (pip install pillow): pages are kept whole, not cropped, "
              "and the merge report pictures are skipped.", file=sys.stderr)
    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        if args.keep:
            work = args.keep.resolve()
            if work.exists():
                shutil.rmtree(work)
            work.mkdir(parents=True)
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cchc-pics-")))
        written = make_all(work, args.out)
    for path in written:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
              f"({path.stat().st_size // 1024} KB)")
    stale = sorted(set(args.out.glob("*.png")) - set(written))
    if stale:
        print("Not made by this run (delete them if the guide no longer uses them): "
              + ", ".join(p.name for p in stale))
    print(f"{len(written)} pictures in {time.perf_counter() - started:.1f} s")
    return 0


def make_all(work: Path, out: Path) -> list[Path]:
    demo = work / "demo"
    paths = run_demo(demo, say=lambda _: None)
    catalogue_xlsx = work / "bo-tieu-chi.xlsx"
    export_catalogue(load_catalogue(sample_catalogue_path()), catalogue_xlsx)
    sources = {
        "master": printable_buttons(paths["master"], work / "in"),
        "unit": demo / "nhan-ve" / returned_name(RESENT_UNIT),
        "mistake": demo / "nhan-ve" / returned_name(MISTAKE_UNIT),
        "plan": paths["plan_docx"],
        "report": paths["report_docx"],
        "progress": paths["progress"],
        "plan_unit": demo / "ke-hoach" / "nhan-ve" / f"KHKP-{YEAR}-NV1.xlsx",
        "catalogue": printable_catalogue(catalogue_xlsx, work / "in"),
    }
    pdfs_dir = work / "pdf"
    converted = convert(list(sources.values()), pdfs_dir, "pdf", recalc=True, locale="vi-VN")
    pdfs = dict(zip(sources, converted, strict=True))
    texts = {key: page_texts(pdf) for key, pdf in pdfs.items()}
    written = []
    for shot in SHOTS:
        page = find_page(texts[shot.source], shot.needles)
        if page is None:
            raise SystemExit(f"{shot.name}: no page of {pdfs[shot.source].name} has "
                             f"{shot.needles}; the product changed, update SHOTS.")
        rendered = render_pdf(pdfs[shot.source], work / "pages" / shot.name, dpi=shot.dpi,
                              first=page, last=page)[0]
        written.append(save_shot(shot, pdfs[shot.source], page, rendered, out))
    if Image is not None:
        written += merge_pictures(demo, work / "gop", out)
    return written


def returned_name(unit: str) -> str:
    return unit_file_name(load_catalogue(sample_catalogue_path()), unit)


# ---------------------------------------------------------------------------------------------
# Inputs prepared for printing


def printable_buttons(master: Path, folder: Path) -> Path:
    """A copy of the master whose buttons print (XlsxWriter marks them PrintObject False)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / master.name
    with zipfile.ZipFile(master) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/drawings/vmlDrawing"):
                data = data.replace(b"<x:PrintObject>False</x:PrintObject>", b"")
            dst.writestr(item, data)
    return target


CATALOGUE_ROWS = 14  # header and the first criteria of the sample
CATALOGUE_HIDDEN = ("D", "H", "I", "J", "K", "L")  # Tên ngắn and the rule labels: rarely edited


def printable_catalogue(path: Path, folder: Path) -> Path:
    """A copy of the criteria workbook whose 'Tiêu chí' sheet prints its first rows on one page.

    The export has no print setup (it is edited on screen, never printed): LibreOffice would
    spread one row over a dozen pages. For the picture only: the first rows, the less used
    columns hidden, and row heights set the way Excel auto-fits wrapped text (LibreOffice does
    not auto-fit rows of an .xlsx it opens, so wrapped cells would overlap).
    """
    import math

    import openpyxl
    from openpyxl.utils import get_column_letter

    folder.mkdir(parents=True, exist_ok=True)
    book = openpyxl.load_workbook(path)
    sheet = book["Tiêu chí"]
    last = get_column_letter(14)  # N: Các lựa chọn
    for letter in CATALOGUE_HIDDEN:
        sheet.column_dimensions[letter].hidden = True
    for row in sheet.iter_rows(min_row=1, max_row=CATALOGUE_ROWS, max_col=14):
        lines = 1
        for cell in row:
            letter = cell.column_letter
            if cell.value is None or letter in CATALOGUE_HIDDEN:
                continue
            width = sheet.column_dimensions[letter].width or 8.43
            lines = max(lines, math.ceil(len(str(cell.value)) * 1.1 / width))
        sheet.row_dimensions[row[0].row].height = 15 * lines
    sheet.print_area = f"A1:{last}{CATALOGUE_ROWS}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    target = folder / path.name
    book.save(target)
    return target


# ---------------------------------------------------------------------------------------------
# Pages: find, crop, save


def page_texts(pdf: Path) -> list[str]:
    """The text of every page, without whitespace (LibreOffice PDFs split Vietnamese words)."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                         capture_output=True, text=True, encoding="utf-8").stdout
    return [re.sub(r"\s+", "", page) for page in out.split("\f")]


def find_page(texts: list[str], needles: tuple[str, ...]) -> int | None:
    wanted = [re.sub(r"\s+", "", n) for n in needles]
    for number, text in enumerate(texts, start=1):
        if all(w in text for w in wanted):
            return number
    return None


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r"(.*?)</word>")
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def row_top(pdf: Path, page: int, code: str) -> float | None:
    """The top (as a fraction of the page height) of the row whose code column holds `code`."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         check=True, capture_output=True, text=True, encoding="utf-8").stdout
    size = _PAGE.search(out)
    if size is None:
        return None
    width, height = float(size.group(1)), float(size.group(2))
    tops = [float(y0) for x0, y0, _, _, word in _WORD.findall(out)
            if html.unescape(word) == code and float(x0) < width * 0.1]
    return (min(tops) - 1.5) / height if tops else None


def save_shot(shot: Shot, pdf: Path, page: int, rendered: Path, out: Path) -> Path:
    target = out / f"{shot.name}.png"
    if Image is None:
        shutil.copyfile(rendered, target)
        return target
    image = Image.open(rendered).convert("RGB")
    if shot.until:
        top = row_top(pdf, page, shot.until)
        if top is None:
            raise SystemExit(f"{shot.name}: row {shot.until} not found on page {page}.")
        image = image.crop((0, 0, image.width, int(top * image.height)))
    image = trim(image)
    optimise(image, shot.colours).save(target, optimize=True)
    return target


def trim(image: Image.Image, pad: int = 12) -> Image.Image:
    """Cut the white margins, keeping `pad` pixels around the content."""
    ink = image.convert("L").point(lambda p: 255 if p < 245 else 0)
    box = ink.getbbox()
    if box is None:
        return image
    left, top, right, bottom = box
    return image.crop((max(left - pad, 0), max(top - pad, 0), min(right + pad, image.width),
                       min(bottom + pad, image.height)))


def optimise(image: Image.Image, colours: int) -> Image.Image:
    """A palette image: text on flat fills needs few colours, and the file stays small."""
    return image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT,
                          dither=Image.Dither.NONE)


# ---------------------------------------------------------------------------------------------
# The merge report (console) and the button's message


def merge_pictures(demo: Path, folder: Path, out: Path) -> list[Path]:
    """Merge the demo's first round into a fresh master, as `cchc-xl merge` does; draw the output.

    The demo's first round: four units sent their files, TGPL with b > a, CC1 nothing yet. Added
    here: NV1 sent its file twice (the later one wins), with fixed save times so the picture is
    the same on every run.
    """
    import cchc_xl.console as console_module
    from cchc_xl.excel.buttons import merge_message
    from cchc_xl.ops.master import Master

    folder.mkdir(parents=True)
    returns = folder / "nhan-ve"
    shutil.copytree(demo / "nhan-ve", returns, ignore=shutil.ignore_patterns("lan-2"))
    first = returns / returned_name(RESENT_UNIT)
    second = returns / f"{first.stem} (1){first.suffix}"  # what a mail client calls a 2nd copy
    shutil.copyfile(first, second)
    set_saved(first, FIRST_SENT)
    set_saved(second, SECOND_SENT)
    master = Path("tong-hop") / f"CCHC-{YEAR}-tong-hop.xlsm"
    (folder / "tong-hop").mkdir()

    buffer = io.StringIO()

    def recording_console(stderr: bool = False) -> object:
        from rich.console import Console

        return Console(file=buffer, width=WIDTH, force_terminal=True, color_system="standard",
                       highlight=False, soft_wrap=False, legacy_windows=False)

    saved_tz = os.environ.get("TZ")
    original = console_module.console
    with _chdir(folder):
        try:
            os.environ["TZ"] = "Asia/Ho_Chi_Minh"  # save times shown in local time
            if hasattr(time, "tzset"):
                time.tzset()
            # Started from last year's master, as the demo's is: the units' files show the same
            # "Kết quả năm trước" as the master, so they raise no office-column warning.
            last_year = demo / "nam-truoc" / f"CCHC-{YEAR - 1}-tong-hop.xlsx"
            Master.create(sample_catalogue_path(), master, org=ORG, last_year=last_year)
            result = Master.open(master).merge([Path("nhan-ve")], now=MERGE_TIME)
            console_module.console = recording_console  # type: ignore[assignment]
            console_module.print_merge(result)
        finally:
            console_module.console = original
            if saved_tz is None:
                os.environ.pop("TZ", None)
            else:
                os.environ["TZ"] = saved_tz
            if hasattr(time, "tzset"):
                time.tzset()
    command = f"> cchc-xl merge {master.as_posix()} nhan-ve"
    report = draw_console(command, buffer.getvalue())
    box = draw_message_box("cchc-xl", merge_message(result))
    written = []
    for name, image in (("bao-cao-gop", report), ("hop-thong-bao-gop", box)):
        target = out / f"{name}.png"
        optimise(image, 64).save(target, optimize=True)
        written.append(target)
    return written


@contextlib.contextmanager
def _chdir(path: Path):  # type: ignore[no-untyped-def]
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)




MONO_FONTS = (  # (regular, bold): Linux, Windows, macOS
    ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf"),
    ("C:/Windows/Fonts/consola.ttf", "C:/Windows/Fonts/consolab.ttf"),
    ("/System/Library/Fonts/Menlo.ttc", "/System/Library/Fonts/Menlo.ttc"),
    ("C:/Windows/Fonts/cour.ttf", "C:/Windows/Fonts/courbd.ttf"),
)
SANS_FONTS = (  # (regular, bold)
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("C:/Windows/Fonts/segoeui.ttf", "C:/Windows/Fonts/segoeuib.ttf"),
    ("/System/Library/Fonts/Supplemental/Arial.ttf",
     "/System/Library/Fonts/Supplemental/Arial Bold.ttf"),
)
COLOURS = {1: (190, 20, 20), 2: (20, 120, 40), 3: (160, 105, 0)}  # ANSI red, green, yellow
INK, PAPER, FRAME = (30, 30, 30), (255, 255, 255), (170, 170, 170)


def _fonts(pairs: tuple[tuple[str, str], ...], size: int) -> tuple[ImageFont.FreeTypeFont, ...]:
    """(regular, bold) of the first installed pair, laid out glyph by glyph (no shaping)."""
    for regular, bold in pairs:
        if Path(regular).is_file():
            bold = bold if Path(bold).is_file() else regular
            return tuple(ImageFont.truetype(p, size, layout_engine=ImageFont.Layout.BASIC)
                         for p in (regular, bold))
    raise SystemExit("No suitable font found; install fonts-dejavu (looked for "
                     + ", ".join(r for r, _ in pairs) + ").")


class Cells:
    """Draws text on a monospace grid, one character per cell.

    Monospace fonts often lack the Vietnamese letters with two marks (ố, ễ, ở …: DejaVu Sans
    Mono and Liberation Mono do). Such a letter is drawn from a proportional font with the
    letter, centred in its cell, so the columns of the report stay aligned.
    """

    def __init__(self, size: int) -> None:
        self.mono = _fonts(MONO_FONTS, size)
        self.sans = _fonts(SANS_FONTS, size)
        self.width = self.mono[0].getlength("M")
        self._missing = [self._mask(f, "\U0010fffd") for f in self.mono]
        self._cache: dict[tuple[str, bool], bool] = {}

    @staticmethod
    def _mask(font: ImageFont.FreeTypeFont, char: str) -> bytes:
        mask = font.getmask(char)
        return bytes(mask.size) + bytes(mask)

    def _has(self, char: str, bold: bool) -> bool:
        key = (char, bold)
        if key not in self._cache:
            font = self.mono[bold]
            self._cache[key] = char.isascii() or self._mask(font, char) != self._missing[bold]
        return self._cache[key]

    def draw(self, draw: ImageDraw.ImageDraw, x: float, y: float, text: str,
             colour: tuple[int, int, int], bold: bool) -> None:
        for i, char in enumerate(text):
            left = x + i * self.width
            if char == " ":
                continue
            if self._has(char, bold):
                draw.text((left, y), char, font=self.mono[bold], fill=colour)
            else:
                font = self.sans[bold]
                draw.text((left + (self.width - font.getlength(char)) / 2, y), char, font=font,
                          fill=colour)


def draw_console(command: str, ansi: str, size: int = 15) -> Image.Image:
    """Console text (with rich's ANSI colours and bold) on white, in a monospace grid."""
    from rich.console import Console
    from rich.text import Text

    cells = Cells(size)
    line_height = int(size * 1.35)
    lines = [Text(command)] + [Text.from_ansi(line) for line in ansi.rstrip("\n").split("\n")]
    plain = Console(width=WIDTH, color_system="standard", force_terminal=True)
    image = Image.new("RGB", (int(cells.width * WIDTH) + 24, line_height * len(lines) + 24),
                      PAPER)
    draw = ImageDraw.Draw(image)
    for row, text in enumerate(lines):
        y = 12 + row * line_height
        column = 0
        for segment in text.render(plain):
            style = segment.style
            number = style.color.number if style and style.color else None
            colour = COLOURS.get(number, INK) if number is not None else INK
            if row == 0:
                colour = (90, 90, 90)  # the command typed
            cells.draw(draw, 12 + column * cells.width, y, segment.text, colour,
                       bool(style and style.bold))
            column += len(segment.text)
    draw.rectangle((0, 0, image.width - 1, image.height - 1), outline=FRAME)
    return image


def draw_message_box(title: str, message: str, size: int = 15) -> Image.Image:
    """The text of a button's message box, in a plain frame with a title bar and an OK button."""
    font = _fonts(SANS_FONTS, size)[0]
    lines: list[str] = []
    for paragraph in message.split("\n"):
        indent = paragraph[: len(paragraph) - len(paragraph.lstrip())]
        lines += textwrap.wrap(paragraph, 78, subsequent_indent=indent + "  ",
                               break_on_hyphens=False) or [""]
    line_height = int(size * 1.45)
    text_width = max(int(font.getlength(line)) for line in lines)
    width = max(text_width + 48, 360)
    bar = 30
    height = bar + 20 + line_height * len(lines) + 64
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width - 1, bar), fill=(238, 238, 238))
    draw.text((12, 7), title, font=font, fill=INK)
    for row, line in enumerate(lines):
        draw.text((24, bar + 16 + row * line_height), line, font=font, fill=INK)
    ok = (width - 112, height - 46, width - 24, height - 16)
    draw.rectangle(ok, outline=(0, 103, 192), width=2)
    draw.text(((ok[0] + ok[2]) / 2, (ok[1] + ok[3]) / 2), "OK", font=font, fill=INK, anchor="mm")
    draw.rectangle((0, 0, width - 1, height - 1), outline=FRAME)
    return image


if __name__ == "__main__":
    sys.exit(main())
