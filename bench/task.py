"""One timed job in a fresh process; prints one JSON line. Started by bench/run.py.

    python bench/task.py [--workers N] merge-sync MASTER RETURNS WORKDIR
    python bench/task.py floor calamine|zip RETURNS
    python bench/task.py floor checked RETURNS MASTER
    python bench/task.py split MASTER OUTDIR
    python bench/task.py naive CATALOGUE_YAML RETURNS
    python bench/task.py check-naive CATALOGUE_YAML RETURNS

Times are measured inside the process around the library call (imports excluded, reported
separately); bench/run.py measures the whole process from outside as well.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def merge_sync(master: Path, returns: Path, workdir: Path,
               workers: int | None = None) -> dict[str, object]:
    import shutil
    from collections import Counter

    started = time.perf_counter()
    from cchc_xl.ops.master import Master

    imported = time.perf_counter() - started
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    target = workdir / master.name
    shutil.copyfile(master, target)
    t0 = time.perf_counter()
    result = Master.open(target).merge([returns], workers=workers)
    t1 = time.perf_counter()
    synced = Master.open(target).sync()
    t2 = time.perf_counter()
    return {"import_s": imported, "merge_s": t1 - t0, "sync_s": t2 - t1,
            "files": len(result.files), "exit_code": result.exit_code,
            "outcomes": dict(Counter(f.outcome for f in result.files)),
            "rejected": [f.data.path.name for f in result.files if f.structural or
                         f.outcome == "bị từ chối"],
            "total": str(synced.report.total), "index": str(synced.report.index)}


def floor(kind: str, returns: Path, master: Path | None = None) -> dict[str, object]:
    """A floor (bench/floors.py): the same returns read by a reader alone, in the same pool;
    `checked` (with the master) is cchc-xl's full read and check of every file."""
    started = time.perf_counter()
    import python_calamine  # noqa: F401

    import floors  # type: ignore[import-not-found]
    from cchc_xl.ops import merge, pool  # noqa: F401

    imported = time.perf_counter() - started
    files = sorted(p for p in returns.iterdir() if p.suffix == ".xlsx")
    context = floors.context_of(master)
    t0 = time.perf_counter()
    amount = floors.read_all(kind, files, context)
    return {"import_s": imported, "floor_s": time.perf_counter() - t0, "files": len(files),
            "read": amount}


def split(master: Path, outdir: Path) -> dict[str, object]:
    import shutil

    started = time.perf_counter()
    from cchc_xl.ops.master import Master

    imported = time.perf_counter() - started
    shutil.rmtree(outdir, ignore_errors=True)
    t0 = time.perf_counter()
    written = Master.open(master).split(outdir).files
    return {"import_s": imported, "split_s": time.perf_counter() - t0, "files": len(written)}


def naive(catalogue_yaml: Path, returns: Path) -> dict[str, object]:
    started = time.perf_counter()
    import pandas  # noqa: F401

    from cchc_xl.criteria.catalogue import load_catalogue

    from naive import naive_merge  # type: ignore[import-not-found]

    imported = time.perf_counter() - started
    catalogue = load_catalogue(catalogue_yaml)
    files = sorted(p for p in returns.iterdir() if p.suffix == ".xlsx")
    t0 = time.perf_counter()
    result = naive_merge(catalogue, files)
    return {"import_s": imported, "naive_s": time.perf_counter() - t0, "files": len(files),
            "total": str(result.total)}


def check_naive(catalogue_yaml: Path, returns: Path) -> dict[str, object]:
    """The baseline reads the same inputs as cchc-xl's reader (first file of each writer/unit)."""
    from cchc_xl.criteria.catalogue import load_catalogue
    from cchc_xl.read.reader import read_return

    from naive import read_file  # type: ignore[import-not-found]

    catalogue = load_catalogue(catalogue_yaml)
    seen: set[tuple[str, int]] = set()
    compared, mismatches = 0, []
    for path in sorted(p for p in returns.iterdir() if p.suffix == ".xlsx"):
        data = read_return(path, catalogue)
        key = (data.unit, int(path.name.split("-", 1)[0]) % 10)
        if key in seen or data.state is None:
            continue
        seen.add(key)
        unit, inputs = read_file(path, catalogue)
        ours = {code: data.state.entry(code).leaf_input() for code in inputs}
        compared += 1
        if unit != data.unit or ours != inputs:
            mismatches.append(path.name)
    return {"compared": compared, "mismatches": mismatches}


def main() -> None:
    argv = sys.argv[1:]
    options: dict[str, int] = {}
    if argv[:1] == ["--workers"]:  # merge-sync only: the pool size (1 = no pool)
        options["workers"] = int(argv[1])
        argv = argv[2:]
    job, *args = argv
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if job == "floor":
        print(json.dumps(floor(args[0], *(Path(a) for a in args[1:]))))
        return
    paths = [Path(a) for a in args]
    jobs = {"merge-sync": merge_sync, "split": split, "naive": naive, "check-naive": check_naive}
    print(json.dumps(jobs[job](*paths, **options), ensure_ascii=False))  # type: ignore[operator]


if __name__ == "__main__":
    main()
