"""Drive headless LibreOffice (and poppler's ``pdftoppm``) for recalculation,
conversion and rendering.

Every call starts one ``soffice`` process for the whole batch (one start costs
~1.5 s; the per-file cost is small) with a fresh, throw-away user profile:

* two ``soffice`` processes sharing a profile conflict (the second one hands its
  work to the first or fails), so a private profile makes calls safe to run
  concurrently;
* the profile is where "always recalculate on load" lives. LibreOffice ignores
  ``fullCalcOnLoad`` and, by default, trusts the cached values that XlsxWriter
  writes (usually 0), so a plain ``--convert-to`` does not recalculate;
* the profile's locale decides how "General"/"#,##0.00" cells are rendered
  (``vi-VN`` gives ``1.234.567,89``).
"""

from __future__ import annotations

import os
import posixpath
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

# Light (stdlib ElementTree underneath); guards against hostile XML in untrusted xlsx files.
from defusedxml.ElementTree import fromstring, iterparse  # type: ignore[import-untyped]
import contextlib

__all__ = [
    "LibreOfficeError",
    "call_vba",
    "convert",
    "error_cells",
    "find_soffice",
    "read_values",
    "recalculate",
    "render_pdf",
]

# "xlsx" alone makes LibreOffice pick "Calc Office Open XML"; the Excel
# 2007-365 filter is the one LibreOffice itself uses for .xlsx "Save As".
_XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"


class LibreOfficeError(RuntimeError):
    """An external tool (soffice, pdftoppm) failed, timed out or left outputs missing."""

    def __init__(
        self, message: str, *, cmd: Sequence[str] = (), stdout: str = "", stderr: str = ""
    ) -> None:
        super().__init__(
            f"{message}\n--- stdout ---\n{stdout.strip()}\n--- stderr ---\n{stderr.strip()}"
        )
        self.cmd = list(cmd)
        self.stdout = stdout
        self.stderr = stderr


def find_soffice() -> str | None:
    """Path of the LibreOffice executable, or None if it is not installed."""
    for name in ("soffice", "libreoffice"):
        if found := shutil.which(name):
            return found
    # Not on PATH by default on macOS/Windows.
    for candidate in (
        "/Applications/LibreOffice.app/Contents/MacOS/soffice",
        r"C:\Program Files\LibreOffice\program\soffice.exe",
    ):
        if Path(candidate).is_file():
            return candidate
    return None


def recalculate(
    paths: Sequence[Path], outdir: Path, *, locale: str | None = None, timeout: float = 300
) -> list[Path]:
    """Recalculate every formula of xlsx/xlsm files and save them as ``outdir/<stem>.xlsx``.

    Returns the output paths in input order. Macros of .xlsm inputs are dropped.
    """
    return convert(paths, outdir, _XLSX_FILTER, recalc=True, locale=locale, timeout=timeout)


def convert(
    paths: Sequence[Path],
    outdir: Path,
    fmt: str,
    *,
    recalc: bool = False,
    locale: str | None = None,
    timeout: float = 300,
) -> list[Path]:
    """Convert files with one ``soffice --convert-to fmt`` run; outputs are ``outdir/<stem>.<ext>``.

    ``fmt`` is an extension optionally followed by a filter ("pdf", "ods",
    "pdf:calc_pdf_Export"). Existing outputs in ``outdir`` are replaced, but two
    inputs that would produce the same output name raise ValueError up front.
    """
    sources = [Path(p).resolve() for p in paths]
    if not sources:
        return []
    absent = [str(p) for p in sources if not p.is_file()]
    if absent:
        raise FileNotFoundError(f"input files not found: {absent}")
    if fmt.lower() == "xlsx":
        fmt = _XLSX_FILTER
    ext = fmt.split(":", 1)[0].lower()
    outdir = Path(outdir).resolve()
    targets = [outdir / f"{p.stem}.{ext}" for p in sources]
    _reject_collisions(sources, targets)

    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError("LibreOffice (soffice) is not installed or not on PATH")
    outdir.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="cchc-lo-") as tmp:
        profile = Path(tmp, "profile")
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(
            _registry_xcu(recalc=recalc, locale=locale), encoding="utf-8"
        )
        # Converting into a fresh dir, not outdir, so a stale file from an
        # earlier run can never pass for this run's output, and an input that
        # lives in outdir is not overwritten while soffice reads it.
        staging = Path(tmp, "out")
        staging.mkdir()
        cmd = [
            soffice,
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nologo",
            "--nodefault",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            fmt,
            "--outdir",
            str(staging),
            *map(str, sources),
        ]
        stdout, stderr = _run(cmd, timeout)
        produced = [staging / t.name for t in targets]
        # soffice exits 0 even when a file failed to load, so check each output.
        failed = [str(s) for s, p in zip(sources, produced) if not p.is_file()]
        if failed:
            raise LibreOfficeError(
                f"soffice produced no {ext} for {failed}", cmd=cmd, stdout=stdout, stderr=stderr
            )
        for src, dst in zip(produced, targets):
            shutil.move(src, dst)
    return targets


# LibreOffice Basic, put in the throw-away profile's own Standard library: opens the document
# with its macros enabled, calls one function in every module of its VBA project and writes
# "<module>\t<result or error>" lines to a file.
_VBA_DRIVER = """Sub Main(sPath As String, sFunction As String, sOut As String)
    Dim args(1) As New com.sun.star.beans.PropertyValue
    Dim oDoc As Object, names, i As Integer, result As String, msg As String, n As Integer
    args(0).Name = "Hidden" : args(0).Value = True
    args(1).Name = "MacroExecutionMode" : args(1).Value = 4
    oDoc = StarDesktop.loadComponentFromURL(ConvertToURL(sPath), "_blank", 0, args())
    oDoc.BasicLibraries.loadLibrary("VBAProject")
    names = oDoc.BasicLibraries.getByName("VBAProject").getElementNames()
    For i = LBound(names) To UBound(names)
        On Error GoTo Failed
        msg = oDoc.getScriptProvider().getScript("vnd.sun.star.script:VBAProject." & names(i) _
            & "." & sFunction & "?language=Basic&location=document").invoke(Array(), Array(), _
            Array())
        GoTo Done
Failed:
        msg = "error " & Err & ": " & Error$
        Resume Done
Done:
        On Error GoTo 0
        result = result & names(i) & Chr(9) & Join(Split(msg, Chr(10)), " ") & Chr(10)
    Next i
    oDoc.close(True)
    n = FreeFile
    Open sOut For Output As #n
    Print #n, result
    Close #n
End Sub
"""


def call_vba(path: Path, function: str, *, timeout: float = 60) -> dict[str, str]:
    """Call the public function `function` (no arguments, returns text) of every module of a
    document's VBA project, run by LibreOffice's Basic with VBA support.

    Returns module name -> the result, or "error <n>: <message>" (a module without the
    function, a run-time error). Calling into a module compiles all of it, so this is also a
    compile check, which converting the file is not (a syntax error in a routine body leaves
    the module's text and its button bindings in place). A module that does not compile makes
    LibreOffice wait on an error dialog even headless: that surfaces as a timeout.
    """
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError("LibreOffice (soffice) is not installed or not on PATH")
    with tempfile.TemporaryDirectory(prefix="cchc-lo-") as tmp:
        profile = Path(tmp, "profile")
        common = [soffice, "--headless", "--norestore", "--nolockcheck", "--nologo",
                  f"-env:UserInstallation={profile.as_uri()}"]
        # The first start creates the profile and its Standard library; the driver replaces
        # that library's empty Module1.
        _run([*common, "--terminate_after_init"], timeout)
        module = profile / "user" / "basic" / "Standard" / "Module1.xba"
        module.write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<script:module xmlns:script='
            '"http://openoffice.org/2000/script" script:name="Module1" '
            f'script:language="StarBasic">{_xml_text(_VBA_DRIVER)}</script:module>\n',
            encoding="utf-8")
        out = Path(tmp, "result.txt")
        args = ",".join(f'"{value}"' for value in (Path(path).resolve(), function, out))
        cmd = [*common, f"macro:///Standard.Module1.Main({args})"]
        stdout, stderr = _run(cmd, timeout)
        if not out.is_file():
            raise LibreOfficeError("the Basic driver wrote no result", cmd=cmd, stdout=stdout,
                                   stderr=stderr)
        lines = out.read_text(encoding="utf-8", errors="replace").splitlines()
    return dict(line.split("\t", 1) for line in lines if "\t" in line)


def render_pdf(
    pdf: Path,
    outdir: Path,
    *,
    dpi: int = 80,
    first: int | None = None,
    last: int | None = None,
    timeout: float = 300,
) -> list[Path]:
    """Render PDF pages to ``outdir/<stem>-<page>.png`` with pdftoppm; in page order."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise LibreOfficeError("pdftoppm (poppler-utils) is not installed or not on PATH")
    pdf = Path(pdf).resolve()
    if not pdf.is_file():
        raise FileNotFoundError(pdf)
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [pdftoppm, "-png", "-r", str(dpi)]
    if first is not None:
        cmd += ["-f", str(first)]
    if last is not None:
        cmd += ["-l", str(last)]
    with tempfile.TemporaryDirectory(prefix="cchc-pdftoppm-") as tmp:
        # Staging again: pdftoppm zero-pads page numbers by page count, so
        # leftovers of an earlier render in outdir could not be told apart.
        stdout, stderr = _run([*cmd, str(pdf), str(Path(tmp, pdf.stem))], timeout)

        def page(p: Path) -> int:
            return int(p.stem.rsplit("-", 1)[1])

        pages = sorted(Path(tmp).glob("*.png"), key=page)
        if not pages:
            raise LibreOfficeError(
                f"pdftoppm rendered no pages of {pdf}", cmd=cmd, stdout=stdout, stderr=stderr
            )
        targets = [outdir / f"{pdf.stem}-{page(p)}.png" for p in pages]
        for src, dst in zip(pages, targets):
            shutil.move(src, dst)
    return targets


def read_values(path: Path) -> dict[str, list[list[Any]]]:
    """Cached cell values of every sheet, as rows starting at A1 (errors read as '')."""
    from cchc_xl.files.grids import Book

    return Book(path).grids()


def error_cells(path: Path, sheet_name: str) -> dict[str, str]:
    """Cells of a sheet whose cached value is an error, e.g. ``{"M7": "#DIV/0!"}``."""
    errors: dict[str, str] = {}
    with zipfile.ZipFile(path) as zf, zf.open(_sheet_part(zf, sheet_name)) as fh:
        # Streaming: sheet parts of real workbooks can be tens of MB.
        for _, el in iterparse(fh):
            if _local(el.tag) == "c":
                if el.get("t") == "e":
                    v = next((ch for ch in el if _local(ch.tag) == "v"), None)
                    errors[el.get("r", "")] = (v.text or "") if v is not None else ""
                el.clear()
    return errors


# --------------------------------------------------------------------------- helpers


def _registry_xcu(*, recalc: bool, locale: str | None) -> str:
    items = []
    if recalc:
        # 0 = "always recalculate" (1 = never, 2 = prompt, which headless treats as never).
        for prop in ("OOXMLRecalcMode", "ODFRecalcMode"):
            items.append(("/org.openoffice.Office.Calc/Formula/Load", prop, "0"))
    if locale:
        items.append(("/org.openoffice.Setup/L10N", "ooSetupSystemLocale", locale))
    body = "\n".join(
        f'<item oor:path={quoteattr(p)}><prop oor:name={quoteattr(n)} oor:op="fuse">'
        f"<value>{_xml_text(v)}</value></prop></item>"
        for p, n, v in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{body}\n</oor:items>\n"
    )


def _xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _reject_collisions(sources: list[Path], targets: list[Path]) -> None:
    # soffice writes all outputs of a batch into one folder and silently
    # overwrites on equal names, so refuse rather than lose a file.
    seen: dict[Path, Path] = {}
    clashes = []
    for src, dst in zip(sources, targets):
        if dst in seen:
            clashes.append(f"{seen[dst]} and {src} -> {dst.name}")
        else:
            seen[dst] = src
    if clashes:
        raise ValueError(
            "output name collision (inputs with the same stem): "
            + "; ".join(clashes)
            + ". Rename them or convert them in separate calls with different outdirs."
        )


def _run(cmd: list[str], timeout: float) -> tuple[str, str]:
    # Own session/process group: soffice is a wrapper (oosplash) around
    # soffice.bin, so killing only the direct child would leave soffice.bin running.
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if hasattr(os, "killpg"):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        stdout, stderr = proc.communicate()
        raise LibreOfficeError(
            f"{Path(cmd[0]).name} timed out after {timeout} s",
            cmd=cmd,
            stdout=stdout,
            stderr=stderr,
        ) from None
    if proc.returncode != 0:
        raise LibreOfficeError(
            f"{Path(cmd[0]).name} exited with code {proc.returncode}",
            cmd=cmd,
            stdout=stdout,
            stderr=stderr,
        )
    return stdout, stderr


def _local(tag: str) -> str:
    # Namespace-agnostic: strict OOXML uses different namespace URIs.
    return tag.rsplit("}", 1)[-1]


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, absolute part name) for a package part ('' = package)."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", f"{name}.rels")
    out: dict[str, tuple[str, str]] = {}
    for rel in fromstring(zf.read(rels_name)):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        # Targets are relative to the source part's folder unless they start with "/".
        resolved = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[rel.get("Id", "")] = (rel.get("Type", ""), resolved)
    return out


def _sheet_part(zf: zipfile.ZipFile, sheet_name: str) -> str:
    workbook = next(
        (t for typ, t in _rels(zf, "").values() if typ.endswith("/officeDocument")), None
    )
    if workbook is None:
        raise ValueError(
            f"{zf.filename}: not a spreadsheet package (no officeDocument relationship)"
        )
    wb_rels = _rels(zf, workbook)
    names = []
    for el in fromstring(zf.read(workbook)).iter():
        if _local(el.tag) != "sheet":
            continue
        names.append(el.get("name"))
        if el.get("name") == sheet_name:
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
            if rid in wb_rels:
                return wb_rels[rid][1]
    raise KeyError(f"{zf.filename}: no sheet named {sheet_name!r} (sheets: {names})")
