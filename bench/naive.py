"""The naive baseline: what a script would do without cchc-xl's reader.

pandas.read_excel with the openpyxl engine over every sheet of every file, pick each unit's rows
by the code in column A, keep the last file per unit, then score with the same engine
(`cchc_xl.criteria.engine.assess`). It does less than `merge` (no container checks, no layout or
evidence checks, no master written), so the ratio to it is conservative.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from cchc_xl.criteria.catalogue import Catalogue
from cchc_xl.criteria.engine import INPUT_NAMES, Assessment, LeafInput, assess
from cchc_xl.format.layout import COL, META_SHEET


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return value


def read_file(path: Path, catalogue: Catalogue) -> tuple[str, dict[str, LeafInput]]:
    """(unit code, inputs of the unit's own leaves) from one returned workbook."""
    import pandas as pd

    sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    meta = sheets[META_SHEET]
    info = {_clean(k): _clean(v) for k, v in zip(meta[0], meta[1], strict=True)}
    unit = str(info.get("unit_code") or "")
    own = {leaf.code for leaf in catalogue.leaves() if leaf.lead == unit and leaf.rule.unit_input}
    inputs: dict[str, LeafInput] = {}
    columns = [COL[name] for name in INPUT_NAMES]
    for name, frame in sheets.items():
        if name == META_SHEET or frame.shape[1] <= max(columns):
            continue
        for row in frame.itertuples(index=False, name=None):
            code = _clean(row[0])
            if isinstance(code, str) and code.strip() in own:
                inputs[code.strip()] = LeafInput(*(_clean(row[c]) for c in columns))
    return unit, inputs


def naive_merge(catalogue: Catalogue, files: list[Path]) -> Assessment:
    by_unit: dict[str, dict[str, LeafInput]] = {}
    for path in sorted(files):  # the last file of a unit wins
        unit, inputs = read_file(path, catalogue)
        by_unit[unit] = inputs
    merged: dict[str, LeafInput] = {}
    for inputs in by_unit.values():
        merged.update(inputs)
    return assess(catalogue, merged)
