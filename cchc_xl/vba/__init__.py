"""Build an Excel ``vbaProject.bin`` from VBA source text, without Excel.

The file is an MS-CFB compound file ([MS-CFB]) holding an MS-OVBA VBA project
([MS-OVBA]) with source code only: no compiled p-code, so Excel compiles the
modules when it opens the workbook. Output is byte-for-byte reproducible.

Layout written::

    PROJECT              project properties (text)
    PROJECTwm            module name map
    VBA/_VBA_PROJECT     7 bytes: "no performance cache"
    VBA/dir              compressed project/module records
    VBA/ThisWorkbook     document module (compressed source)
    VBA/<sheet code names, if given>
    VBA/<each module>    compressed source

Use with XlsxWriter: ``workbook.add_vba_project(io.BytesIO(blob), is_stream=True)``
on a workbook saved as ``.xlsm``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from cchc_xl.vba.cfb import build_cfb
from cchc_xl.vba.compression import compress
from cchc_xl.vba.project import (
    VBA_PROJECT_STREAM,
    Module,
    check_identifier,
    dir_stream,
    normalise_source,
    project_stream,
    projectwm_stream,
    sheet_module,
    standard_module,
    workbook_module,
)

__all__ = ["build_vba_project", "read_bas_modules"]

WORKBOOK = "ThisWorkbook"


def _collect_modules(
    modules: Mapping[str, str], sheet_code_names: Sequence[str], project_name: str
) -> list[Module]:
    """Validate names and sources; document modules first, then sorted modules."""
    check_identifier(project_name, "project name", max_len=128)
    if not isinstance(modules, Mapping):
        raise TypeError("modules must be a mapping of module name to source text")
    names = [WORKBOOK, *sheet_code_names, *(n for n in modules if n != WORKBOOK)]
    seen: dict[str, str] = {project_name.lower(): project_name}
    for name in names:
        check_identifier(name, "module name")
        if name.lower() in seen:  # VBA names are case-insensitive
            raise ValueError(f"module name {name!r} clashes with {seen[name.lower()]!r}")
        seen[name.lower()] = name
    # A "ThisWorkbook" entry, if any, is the body of the workbook's document module
    # (for Workbook_Open and the like).
    result = [workbook_module(normalise_source(WORKBOOK, modules.get(WORKBOOK, "")))]
    result += [sheet_module(name) for name in sheet_code_names]
    result += [
        standard_module(name, normalise_source(name, modules[name]))
        for name in sorted(modules)
        if name != WORKBOOK
    ]
    return result


def build_vba_project(
    modules: Mapping[str, str],
    *,
    project_name: str = "VBAProject",
    codepage: int = 1252,
    sheet_code_names: Sequence[str] = (),
) -> bytes:
    """Return the bytes of a ``vbaProject.bin`` holding `modules`.

    modules: standard module name -> VBA source without ``Attribute VB_Name``
        (added here). ASCII only; any line ending. The key ``"ThisWorkbook"``
        instead supplies the body of the workbook's document module.
    project_name: VBA project name (shown in the editor, used in macro paths).
    codepage: ANSI code page recorded for the project (PROJECTCODEPAGE).
    sheet_code_names: worksheet code names to give document modules, e.g.
        ``["Sheet1", "Sheet2"]`` (XlsxWriter's defaults, which it writes as
        ``codeName`` once a VBA project is added). Recommended, so the project
        matches what Excel itself saves; LibreOffice works either way, and Excel
        is expected to add a missing sheet module on load (not verified here).

    Raises ValueError for bad names, non-ASCII source or an unknown code page,
    TypeError for arguments of the wrong type.
    """
    if isinstance(sheet_code_names, str):
        raise TypeError("sheet_code_names must be a sequence of names, not a string")
    _check_codepage(codepage)
    mods = _collect_modules(modules, list(sheet_code_names), project_name)
    vba = {
        "_VBA_PROJECT": VBA_PROJECT_STREAM,
        "dir": compress(dir_stream(project_name, codepage, mods)),
        **{m.name: compress(m.code.encode("ascii")) for m in mods},
    }
    return build_cfb(
        {
            "PROJECT": project_stream(project_name, codepage, mods),
            "PROJECTwm": projectwm_stream(mods, codepage),
            "VBA": vba,
        }
    )


def _check_codepage(codepage: int) -> None:
    import codecs

    try:
        if not isinstance(codepage, int) or not 0 < codepage < 0x10000:
            raise LookupError
        codecs.lookup(f"cp{codepage}")
    except LookupError:
        raise ValueError(f"unsupported code page {codepage!r} (e.g. 1252)") from None


def read_bas_modules(folder: str | Path) -> dict[str, str]:
    """Read ``folder/*.bas`` as {file stem: source}, for `build_vba_project`.

    A first line ``Attribute VB_Name = "<stem>"`` (as the VBA editor exports it)
    is dropped, since the builder adds it; any other VB_Name is an error.
    """
    modules = {}
    for path in sorted(Path(folder).glob("*.bas")):
        try:
            text = path.read_bytes().decode("ascii")
        except UnicodeDecodeError as exc:
            raise ValueError(f"{path}: VBA source must be ASCII ({exc.reason} at byte "
                             f"{exc.start})") from exc
        header = re.match(r'Attribute VB_Name = "([^"]*)"\r?\n?', text)
        if header and header.group(1) == path.stem:
            text = text[header.end() :]
        modules[path.stem] = text
    return modules
