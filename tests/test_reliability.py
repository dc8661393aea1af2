"""Broken and hostile returns: each gets its outcome, and costs nothing else (table-driven).

The corpus (tests/broken_returns.py) is generated once per module from the sample catalogue. Every
case merges its files into a copy of the baseline master — through `merge()`, or `cchc-xl merge`
in-process for some — and checks: the exit code; each file's outcome; a Vietnamese message naming
the file, sheet and cell; nothing of a rejected file in the master and nothing else changed (every
unit's inputs and evidence as expected); the returned files byte-identical; the merge log.

Merging is what costs time (the master is rebuilt each time), so the cases whose files must all
be rejected are merged together, once, into one copy of the master: a file's outcome never
depends on another rejected file, and that master must still hold exactly the baseline. Cases
that merge something, use the CLI or a time zone get a merge of their own. The bombs are also
merged in a real subprocess whose peak memory and time are bounded.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from broken_returns import (CASE_NAMES, INJECTED_NOTE, INJECTED_SUBJECT, LIBREOFFICE_CASES, NOW,
                            UNIT, Case, Corpus, Expect, Layout, build_corpus, evidence_cell, found,
                            measure, sheet_part)
from cchc_xl.ops.master import Master
from cchc_xl.read import untrusted
from cchc_xl.cli import main
from cchc_xl.format.layout import COL, EVIDENCE_SHEET, cell_ref
from cchc_xl.ops.merge import MERGED, REJECTED, SUPERSEDED, log_path
from cchc_xl.read.reader import read_master
from cchc_xl.format.state import State
from cchc_xl.format.rowmap import Audience, row_map

KEYS = ("a", "b", "value", "na", "supp", "note")  # what a unit's return sets in the master
# Generating the corpus and merging every case takes ~10 s: outside the inner loop.
pytestmark = pytest.mark.slow
CASES = [pytest.param(name, marks=pytest.mark.libreoffice) if name in LIBREOFFICE_CASES else name
         for name in CASE_NAMES]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def baseline(corpus: Corpus) -> State:
    _, data = read_master(corpus.master)
    assert data.state is not None
    return data.state


def batched(case: Case) -> bool:
    return not case.cli and not case.tz and all(e.outcome == REJECTED for e in case.expects)


@pytest.fixture(scope="module")
def originals(corpus: Corpus) -> dict[Path, str]:
    """The hash of every case file as generated, before any merge read it."""
    return {p: sha256(p) for case in corpus.cases for p in case.folder.iterdir()}


@pytest.fixture(scope="module")
def batch(corpus: Corpus, originals: dict[Path, str],
          tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """All rejected-only library cases merged together into one copy of the baseline master."""
    master = tmp_path_factory.mktemp("batch") / "tong-hop.xlsx"
    shutil.copy(corpus.master, master)
    folders = [c.folder for c in corpus.cases if batched(c)]
    result = Master.open(master).merge(folders, now=NOW)
    assert result.written
    _, data = read_master(master)
    return {"result": result, "state": data.state,
            "files": {f.data.path: f for f in result.files}}


@pytest.fixture
def timezone() -> Any:
    """Run a case with TZ set (restored, with time.tzset(), afterwards)."""
    saved = os.environ.get("TZ")

    def use(tz: str | None) -> None:
        if tz:
            os.environ["TZ"] = tz
            time.tzset()

    yield use
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def test_the_corpus_is_complete(corpus: Corpus) -> None:
    built = [c.name for c in corpus.cases]
    assert built == [n for n in CASE_NAMES if n not in corpus.missing]
    assert len(CASE_NAMES) >= 30
    assert {c.group for c in corpus.cases} >= {"identity and metadata", "sheets, rows and columns",
                                               "values", "several files",
                                               "not a workbook, damaged, encrypted",
                                               "hostile content"}
    assert sum(c.cli for c in corpus.cases) >= 3


@pytest.mark.parametrize("name", CASES)
def test_case(name: str, corpus: Corpus, baseline: State, originals: dict[Path, str],
              tmp_path: Path, timezone: Any, request: pytest.FixtureRequest) -> None:
    if name in corpus.missing:
        pytest.skip("LibreOffice (soffice) is needed to make this file")
    case = corpus.case(name)
    if batched(case):
        master, state, outcomes, logged = from_batch(case, request.getfixturevalue("batch"))
    else:
        master = tmp_path / "tong-hop.xlsx"
        shutil.copy(corpus.master, master)
        timezone(case.tz)
        if case.cli:
            outcomes = run_cli(case, master)
        else:
            result = Master.open(master).merge([case.folder], now=NOW)
            assert result.exit_code == case.exit_code
            assert result.written
            outcomes = {f.data.path.name: (f.outcome, [p.to_dict() for p in f.data.problems])
                        for f in result.files}
        _, data = read_master(master)
        assert data.state is not None
        state = data.state
        logged = {(row.file, row.outcome) for row in state.log[len(baseline.log):]}
    assert set(outcomes) == {e.file for e in case.expects}
    for expect in case.expects:
        check_outcome(expect, *outcomes[expect.file])
    # The returned files are never touched.
    assert {p: sha256(p) for p in case.folder.iterdir()} == {
        p: h for p, h in originals.items() if p.parent == case.folder}
    # Exactly the accepted data is in the master; everything else is as it was.
    expected_entries, expected_evidence = expected_state(corpus, baseline, case)
    assert entries_view(corpus, state) == expected_entries
    assert evidence_view(state) == expected_evidence
    # The master's own log sheet records each file with its outcome.
    assert logged == {(e.file, e.outcome) for e in case.expects}
    extra = EXTRA_CHECKS.get(name)
    if extra:
        extra(corpus, case, master)


def from_batch(case: Case, batch: dict[str, Any]) -> tuple[Path, State, Any, set[Any]]:
    result = batch["result"]
    assert result.exit_code == case.exit_code == 1
    mine = {path: f for path, f in batch["files"].items() if path.parent == case.folder.resolve()}
    outcomes = {path.name: (f.outcome, [p.to_dict() for p in f.data.problems])
                for path, f in mine.items()}
    logged = {(row.file, row.outcome) for row in batch["state"].log
              if row.sha256 in {f.data.sha256 for f in mine.values()}}
    return result.master, batch["state"], outcomes, logged


def run_cli(case: Case, master: Path) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """`cchc-xl merge MASTER FOLDER` in-process; outcomes read back from the JSON-lines log."""
    result = CliRunner().invoke(main, ["merge", str(master), str(case.folder)])
    assert result.exit_code == case.exit_code, result.output
    assert isinstance(result.exception, SystemExit) or result.exception is None, result.exception
    printed = " ".join(result.output.split())  # the console wraps long lines
    for expect in case.expects:
        assert expect.file in printed  # outcomes: from the log below (the table wraps them)
        if expect.fragment:
            assert expect.fragment in printed, (expect.fragment, printed)
        for part in (f"sheet '{expect.sheet}'" if expect.sheet else None,
                     f"ô {expect.cell}" if expect.cell else None):
            if part:
                assert part in printed, (part, printed)
    lines = log_path(master).read_text(encoding="utf-8").splitlines()
    return {Path(record["file"]).name: (record["outcome"], record["problems"])
            for record in map(json.loads, lines)}


def check_outcome(expect: Expect, outcome: str, problems: list[dict[str, Any]]) -> None:
    assert outcome == expect.outcome, (expect.file, outcome, problems)
    errors = [p for p in problems if p["severity"] == "error"]
    if expect.outcome in (MERGED, SUPERSEDED):
        assert not errors, errors
    else:
        assert errors, "a rejected file must say why"
    if expect.fragment is None:
        return
    matching = [p for p in problems if expect.fragment in p["message"]]
    assert matching, (expect.fragment, problems)
    wanted = {"severity": expect.severity, "file": expect.file, "sheet": expect.sheet,
              "cell": expect.cell}
    assert any({k: p[k] for k in wanted} == wanted for p in matching), (wanted, matching)
    # Vietnamese, and it says what to do or why (not a bare exception name).
    assert all(re.search("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỷỹ]",
                         p["message"]) for p in matching)


def expected_state(corpus: Corpus, baseline: State, case: Case) -> tuple[dict[str, Any], Any]:
    entries = entries_view(corpus, baseline)
    rows = list(baseline.evidence)
    for expect in case.expects:
        if expect.outcome != MERGED or expect.data is None:
            continue
        typed = expect.data
        for code, entry in typed.entries.items():
            entries[code] = tuple(norm(getattr(entry, k)) for k in KEYS)
        rows = [r for r in rows if str(r.unit) != typed.unit]
        rows += [type(r)(**{**r.__dict__, "unit": typed.unit}) for r in typed.evidence]
    return entries, collections.Counter(row_view(r) for r in rows)


def entries_view(corpus: Corpus, state: State) -> dict[str, Any]:
    return {leaf.code: tuple(norm(getattr(state.entry(leaf.code), k)) for k in KEYS)
            for leaf in corpus.catalogue.all_leaves()}


def evidence_view(state: State) -> collections.Counter[Any]:
    return collections.Counter(row_view(r) for r in state.evidence)


def row_view(row: Any) -> tuple[Any, ...]:
    return tuple(norm(getattr(row, k)) for k in ("unit", "code", "number", "date", "subject",
                                                 "issuer", "link"))


def norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return round(float(value), 9)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return value.strip() or None
    return value


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# What some cases must additionally leave (or not leave) in the master


def parts_text(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def no_macros(corpus: Corpus, case: Case, master: Path) -> None:
    parts = parts_text(master)
    assert not [n for n in parts if "vba" in n.lower()]
    for name, data in parts.items():
        for trace in (b"vbaProject", b"macroEnabled", b"CCHCHostileProject", b"CCHC_HOSTILE",
                      b"Auto_Open", b"TuChay"):
            assert trace not in data, (name, trace)


def no_links(corpus: Corpus, case: Case, master: Path) -> None:
    parts = parts_text(master)
    assert not [n for n in parts if "externalLink" in n]
    assert not any(b"so-lieu-goc" in data or b"externalReference" in data
                   for data in parts.values())


def injected_text_stays_text(corpus: Corpus, case: Case, master: Path) -> None:
    from python_calamine import CalamineWorkbook

    code = next(iter(case.expects[0].data.entries))  # type: ignore[union-attr]
    where = next(e for e in row_map(corpus.catalogue, Audience("master")) if e.code == code)
    book = CalamineWorkbook.from_path(str(master))
    grid = book.get_sheet_by_name(where.sheet).to_python(skip_empty_area=False)
    note_ref = cell_ref(where.row, COL["note"])
    assert grid[where.row][COL["note"]] == INJECTED_NOTE
    register = book.get_sheet_by_name(EVIDENCE_SHEET).to_python(skip_empty_area=False)
    r = next(i for i, row in enumerate(register) if INJECTED_SUBJECT in row)
    subject_ref = cell_ref(r, register[r].index(INJECTED_SUBJECT))
    for sheet, ref in ((where.sheet, note_ref), (EVIDENCE_SHEET, subject_ref)):
        xml = parts_text(master)[sheet_part(master, sheet)].decode("utf-8")
        cell_xml = found(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml, flags=re.S)
        assert "<f>" not in cell_xml and "<f " not in cell_xml, cell_xml


EXTRA_CHECKS = {"xlsm-with-macros": no_macros, "external-links": no_links,
                "formula-injection": injected_text_stays_text}


# ---------------------------------------------------------------------------------------------
# Bombs: rejected before parsing, in bounded memory and time, in a real process

RUN_MEASURED = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": done.returncode, "seconds": time.perf_counter() - start,
                  "peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "stdout": done.stdout, "stderr": done.stderr[-3000:]}))
"""
MERGE_CLI = "from cchc_xl.cli import main; main()"


def measured_merge(master: Path, folder: Path) -> dict[str, Any]:
    """`cchc-xl merge --json` in a fresh process, measured by a parent that runs nothing else."""
    out = subprocess.run([sys.executable, "-c", RUN_MEASURED, sys.executable, "-c", MERGE_CLI,
                          "merge", str(master), str(folder), "--json"],
                         capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout)


def test_bombs_are_rejected_in_bounded_memory_and_time(corpus: Corpus, tmp_path: Path) -> None:
    bombs = tmp_path / "bombs"
    bombs.mkdir()
    cases = [c for c in corpus.cases if c.bomb]
    for case in cases:
        for path in case.folder.iterdir():
            shutil.copy(path, bombs / f"{case.name}{path.suffix}")
    total = sum(p.stat().st_size for p in bombs.iterdir())
    master = tmp_path / "tong-hop.xlsx"
    shutil.copy(corpus.master, master)
    run = measured_merge(master, bombs)
    assert run["rc"] == 1, run["stderr"]
    report = json.loads(run["stdout"])
    assert {Path(f["file"]).stem: f["outcome"] for f in report["files"]} == {
        c.name: REJECTED for c in cases}
    peak_mb = run["peak_kib"] / 1024  # ru_maxrss is KiB on Linux
    print(f"\n{len(cases)} bombs ({total / 2**20:.1f} MB on disk, "
          f"{sum(untrusted_size(p) for p in bombs.iterdir()) / 2**30:.2f} GiB declared "
          f"uncompressed): peak RSS {peak_mb:.0f} MB, {run['seconds']:.2f} s")
    assert peak_mb < 300
    assert run["seconds"] < 10


def untrusted_size(path: Path) -> int:
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(i.file_size for i in archive.infolist())
    except zipfile.BadZipFile:
        return 0


def test_our_own_workbooks_are_far_inside_the_limits(corpus: Corpus, tmp_path: Path) -> None:
    """The limits must never reject a real return: every workbook we make stays under 1/10."""
    files = [corpus.master, *corpus.sent.values(), *(corpus.root / "v1").iterdir()]
    for path in files:
        m = measure(path)
        assert m["bytes"] * 10 < untrusted.MAX_FILE_BYTES, m
        assert m["uncompressed"] * 10 < untrusted.MAX_UNCOMPRESSED_BYTES, m
        assert m["max_ratio_over_1mb"] * 10 < untrusted.MAX_PART_RATIO, m
        assert m["max_ratio"] * 10 < untrusted.MAX_PART_RATIO, m  # even small parts
        assert m["parts"] * 10 < untrusted.MAX_PARTS, m
        assert m["cells"] * 10 < untrusted.MAX_CELLS, m


def test_the_layout_helper_agrees_with_the_reader(corpus: Corpus) -> None:
    """The cells the cases expect come from the same plan the reader checks against."""
    layout = Layout(corpus.catalogue, UNIT)
    assert layout.cell("2.1.1", "a") == cell_ref(layout.rows["2.1.1"].row, COL["a"])
    assert evidence_cell(0, "code") == "A5"
