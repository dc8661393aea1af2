"""The floors under a merge: reading the same returns with nothing but a reader, in the same pool.

Measured in the same run as the merge, so the ratio does not depend on how fast the shared
machine happens to be. Each job runs in cchc-xl's own process pool (`ops.pool.run_all`, the
same workers and chunks as the merge's reading), and returns how much it read, so nothing is
optimised away:

* ``calamine`` — python-calamine opens each file and reads every sheet the merge reads in full
  (all but the cover sheet 'Hướng dẫn') into Python lists, as `files.grids.Book` does;
* ``zip`` — the zip module inflates the XML of every worksheet (no parsing at all);
* ``checked`` — not a floor: cchc-xl reads and checks every file in full (`read_and_check`, the
  container check included), as if no file were superseded by a newer one of its unit.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from cchc_xl.format.layout import COVER_SHEET


def calamine_sheets(path: Path, context: dict[str, Any]) -> int:
    """Cells python-calamine returns for the sheets the merge reads."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    cells = 0
    for name in book.sheet_names:
        if name != COVER_SHEET:
            cells += sum(map(len, book.get_sheet_by_name(name).to_python(
                skip_empty_area=False)))
    return cells


def zip_sheets(path: Path, context: dict[str, Any]) -> int:
    """Bytes of worksheet XML inflated from the package."""
    with zipfile.ZipFile(path) as archive:
        return sum(len(archive.read(info)) for info in archive.infolist()
                   if info.filename.startswith("xl/worksheets/")
                   and info.filename.endswith(".xml"))


def checked_in_full(path: Path, context: dict[str, Any]) -> int:
    """Problems cchc-xl finds reading and checking the file in full."""
    from cchc_xl.ops.merge import read_and_check

    result = read_and_check(path, context["catalogue"], context["master"], context["today"])
    return len(result.data.problems)


FLOORS = {"calamine": calamine_sheets, "zip": zip_sheets, "checked": checked_in_full}


def context_of(master: Path | None) -> dict[str, Any]:
    """What `checked` needs: the master's catalogue and state (opened before the timing)."""
    if master is None:
        return {}
    import datetime as dt

    from cchc_xl.ops.master import Master

    opened = Master.open(master)
    return {"catalogue": opened.catalogue, "master": opened.state, "today": dt.date.today()}


def read_all(kind: str, files: list[Path], context: dict[str, Any],
             workers: int | None = None) -> int:
    from cchc_xl.ops.pool import run_all

    return sum(run_all(FLOORS[kind], files, context, workers=workers))
