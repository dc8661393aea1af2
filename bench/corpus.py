"""Benchmark corpora: masters and filled unit returns, generated once and cached in bench/.cache/.

Two kinds of corpus (docs/performance.md explains the choice):

* ``returns(n)`` — n filled returns for the bundled sample catalogue (8 lead units), the unit
  workbooks of a real Sở; file i belongs to unit ``i mod 8``, so n > 8 files are the same units
  many times over (distinct names, slightly different figures). Every file is read and checked
  in full by the merge; per unit only the newest is applied. The master keeps the real size.
* ``synthetic_catalogue(n)`` — the sample tree cloned inside each field so that exactly n units
  lead items, each clone unit leading what its original leads: unit workbooks keep the sample's
  shape while the master grows with n. Used for ``split`` of n units and for merges of n
  *distinct* units (``returns(n, distinct=True)``), where every file is applied.

Returns are written the three ways real ones are: XlsxWriter with cached values (the state
already filled when the workbook is built), openpyxl typing into the blank workbook (no cached
values, like a script), and LibreOffice recalculating and saving those openpyxl files. One file
in fifty has a typing mistake (b > a) and is rejected, as in the demo.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cchc_xl.criteria.catalogue import Catalogue, load_catalogue, parse_catalogue  # noqa: E402
from cchc_xl.format.state import Entry, State  # noqa: E402

SAMPLE = ROOT / "cchc_xl" / "data" / "sample_catalogue.yaml"
ORG = "Sở Tư pháp tỉnh Mẫu (benchmark)"

# The share of each writer, by i mod 10: like returns from Excel users, scripts and LibreOffice.
WRITERS = ("xlsxwriter",) * 6 + ("openpyxl",) * 3 + ("libreoffice",)
MISTAKE_EVERY, MISTAKE_AT = 50, 17  # file i with i % 50 == 17 has b > a somewhere


def log(message: str) -> None:
    print(f"[corpus] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Cache keys: regenerate when the generator, the builders or the layout change.


GENERATOR_VERSION = "3"  # bump when the way corpora are generated changes
_KEY: list[str] = []


def _source_key() -> str:
    """The sources that decide what the generated files look like: the layout, the builders,
    the rules' formulas, the sample inputs. Any change there regenerates the corpora (about two
    minutes, ten with the 5000-file pool), so the files read are always the files the current
    builders write.
    """
    if not _KEY:
        digest = hashlib.sha256(GENERATOR_VERSION.encode())
        package = ROOT / "cchc_xl"
        for path in (package / "sample_data.py", SAMPLE, package / "criteria" / "rules.py",
                     package / "criteria" / "expr.py", *sorted((package / "format").glob("*.py")),
                     *sorted((package / "build").glob("*.py"))):
            digest.update(path.read_bytes())
        _KEY.append(digest.hexdigest()[:12])
    return _KEY[0]


def cache_dir() -> Path:
    """bench/.cache/<key>/; corpora of another key are removed (once, when a new one starts)."""
    path = CACHE / _source_key()
    if not path.exists():
        for old in CACHE.glob("*"):
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path


# ---------------------------------------------------------------------------------------------
# Catalogues


def sample_catalogue() -> Catalogue:
    return load_catalogue(SAMPLE)


def lead_units(catalogue: Catalogue) -> list[str]:
    return [u.code for u in catalogue.units if catalogue.has_items(u.code)]


def synthetic_catalogue(n: int) -> Catalogue:
    """The sample with its tree cloned inside each field so that exactly n units lead items.

    Copy 0 is the sample itself; copy j renames every unit U to U_j (and every code C to C_j),
    until n lead units exist; units of the last, partial copy beyond n keep their original code.
    """
    base = sample_catalogue()
    leads = lead_units(base)
    copies = max(1, math.ceil(n / len(leads)))
    data = base.to_dict()
    units = list(data["units"])

    def mapped(unit: str | None, j: int) -> str | None:
        if unit is None or j == 0:
            return unit
        if unit in leads and j * len(leads) + leads.index(unit) >= n:
            return unit
        return f"{unit}_{j}"

    for j in range(1, copies):
        for u in base.units:
            code = mapped(u.code, j)
            if code != u.code:
                units.append({"code": code, "name": f"{u.name} ({j + 1})"})
    data["units"] = units
    by_code = {node.code: node for node in base.nodes()}

    def clone(raw: dict[str, Any], j: int) -> dict[str, Any]:
        node = by_code[raw["code"]]
        out = {k: v for k, v in raw.items() if k not in ("lead", "support", "children")}
        out["code"] = raw["code"] if j == 0 else f"{raw['code']}_{j}"
        out["lead"] = mapped(node.lead, j)  # explicit: the field's lead is not inherited
        if node.support:
            out["support"] = [mapped(s, j) for s in node.support]
        if "children" in raw:
            out["children"] = [clone(c, j) for c in raw["children"]]
        return out

    for f in data["fields"]:
        children = f.pop("children")
        f.pop("max", None)  # k copies: the field's maximum is the sum of its children's
        f["children"] = [clone(c, j) for j in range(copies) for c in children]
    data["name"] = f"{data['name']} — tổng hợp {n} đơn vị (benchmark)"
    catalogue = parse_catalogue(data, source=f"synthetic-{n}")
    assert len(lead_units(catalogue)) == n, (n, len(lead_units(catalogue)))
    return catalogue


def catalogue_file(catalogue: Catalogue, path: Path) -> Path:
    from cchc_xl.criteria.catalogue import dump_catalogue

    if not path.exists():
        path.write_text(dump_catalogue(catalogue), encoding="utf-8")
    return path


def master(catalogue: Catalogue, name: str) -> Path:
    """An empty master (.xlsx) for this catalogue, built once."""
    from cchc_xl.ops.master import Master

    path = cache_dir() / f"{name}-master.xlsx"
    if not path.exists():
        yaml_path = catalogue_file(catalogue, cache_dir() / f"{name}.yaml")
        tmp = path.with_name(".tmp-" + path.name)
        Master.create(yaml_path, tmp, org=ORG, overwrite=True)
        os.replace(tmp, path)
    return path


# ---------------------------------------------------------------------------------------------
# Returns


def _figures(catalogue: Catalogue, unit: str, i: int) -> tuple[dict[str, Entry], list[Any]]:
    """The sample figures for a unit, varied a little per file; a mistake in one file in 50."""
    from cchc_xl.sample_data import sample_evidence, sample_state_entries

    entries = {}
    for code, entry in sample_state_entries(catalogue, unit).items():
        if entry.a is not None and entry.b is not None and i % 3:
            entry = replace(entry, b=max(0, entry.b - i % 3))
        entries[code] = entry
    if i % MISTAKE_EVERY == MISTAKE_AT:
        code = next((c for c, e in entries.items() if e.a is not None), None)
        if code is not None:
            entries[code] = replace(entries[code], b=entries[code].a + 5)
    # Documents are dated in the past (a date after today is an error the merge reports).
    latest = dt.date.today() - dt.timedelta(days=30)
    evidence = [replace(e, unit=unit, date=min(e.date, latest))
                for e in sample_evidence(catalogue, unit, catalogue.year)]
    return entries, evidence


def _unit_of(catalogue: Catalogue, leads: list[str], i: int, distinct: bool) -> str:
    return leads[i] if distinct else leads[i % len(leads)]


def returns(n: int, *, distinct: bool = False) -> tuple[Catalogue, Path, Path]:
    """(catalogue, empty master, folder of n returns); built once, then cached.

    Not distinct: the sample catalogue, n files over its 8 lead units (one pool of files,
    grown to the largest n asked for, at least 1000; the first n are hard-linked). Distinct: the
    synthetic catalogue of n units, one file per unit.
    """
    if distinct:
        catalogue, name = synthetic_catalogue(n), f"synthetic-{n}"
        pool_size = n
    else:
        catalogue, name = sample_catalogue(), "sample"
        pool_size = max(n, 1000)
    master_path = master(catalogue, name)
    pool = _pool(catalogue, name, pool_size, distinct)
    folder = cache_dir() / f"returns-{name}-{n}"
    if not folder.exists():
        tmp = folder.with_name(".tmp-" + folder.name)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for path in sorted(p for p in pool.iterdir() if not p.name.startswith("."))[:n]:
            try:
                os.link(path, tmp / path.name)
            except OSError:
                shutil.copy2(path, tmp / path.name)
        os.replace(tmp, folder)
    return catalogue, master_path, folder


def _pool(catalogue: Catalogue, name: str, size: int, distinct: bool) -> Path:
    from cchc_xl.sample_data import fill_with_openpyxl
    from cchc_xl.ops.split import unit_file_name
    from cchc_xl.build import build_unit

    folder = cache_dir() / f"pool-{name}"
    done = folder / ".complete"  # how many files the pool holds
    if done.exists() and int(done.read_text().strip() or 0) >= size:
        return folder
    folder.mkdir(exist_ok=True)
    leads = lead_units(catalogue)
    blanks = cache_dir() / f"blank-{name}"
    blanks.mkdir(exist_ok=True)
    started = time.perf_counter()
    log(f"generating {size} returns for {name} in {folder} …")
    via_lo: list[tuple[Path, Path]] = []
    for i in range(size):
        unit = _unit_of(catalogue, leads, i, distinct)
        writer = WRITERS[i % len(WRITERS)]
        target = folder / f"{i:04d}-{unit_file_name(catalogue, unit)}"
        if target.exists():
            continue
        entries, evidence = _figures(catalogue, unit, i)
        if writer == "xlsxwriter":
            state = State("unit", org=ORG, entries=entries, evidence=evidence)
            tmp = target.with_name(".tmp-" + target.name)
            build_unit(catalogue, state, unit, tmp)
            os.replace(tmp, target)
            continue
        blank = blanks / unit_file_name(catalogue, unit)
        if not blank.exists():
            build_unit(catalogue, State("unit", org=ORG), unit, blank)
        if writer == "openpyxl":
            tmp = target.with_name(".tmp-" + target.name)
            fill_with_openpyxl(blank, tmp, entries, evidence)
            os.replace(tmp, target)
        else:
            staged = blanks / "lo-in" / target.name
            staged.parent.mkdir(exist_ok=True)
            fill_with_openpyxl(blank, staged, entries, evidence)
            via_lo.append((staged, target))
        if (i + 1) % 100 == 0:
            log(f"  {i + 1}/{size} ({time.perf_counter() - started:.0f} s)")
    if via_lo:
        from devtools.libreoffice import recalculate

        log(f"  LibreOffice recalculates {len(via_lo)} openpyxl files …")
        for start in range(0, len(via_lo), 100):
            batch = via_lo[start:start + 100]
            out = blanks / "lo-out"
            produced = recalculate([s for s, _ in batch], out)
            for made, (_, target) in zip(produced, batch, strict=True):
                os.replace(made, target)
    done.write_text(f"{size}\n")
    log(f"  done in {time.perf_counter() - started:.0f} s")
    return folder


def split_master(n: int) -> tuple[Catalogue, Path]:
    """The empty master of the synthetic catalogue with n lead units (split writes n files)."""
    catalogue = synthetic_catalogue(n)
    return catalogue, master(catalogue, f"synthetic-{n}")


def writer_of(name: str) -> str:
    """Which program wrote pool file `name` (by its index)."""
    return WRITERS[int(name.split("-", 1)[0]) % len(WRITERS)]


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Generate (or find) the benchmark corpora.")
    parser.add_argument("sizes", nargs="*", type=int, default=[15, 120, 1000])
    args = parser.parse_args()
    for size in args.sizes:
        cat, m, folder = returns(size)
        print(folder, len(list(folder.iterdir())))
