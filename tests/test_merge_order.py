"""Which files of a unit a merge reads in full: every file is identified (hash, unit, save time)
first; only the files whose check decides an outcome are read and checked in full.

The outcomes of tests/test_real_life.py (older than merged, re-sent, an older file never
standing in for a rejected newer one) are unchanged; what changes is that a file superseded by a
newer, sound file of its unit is listed as superseded without being checked.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from broken_returns import set_modified
from cchc_xl import Master
from cchc_xl.ops.merge import ALREADY_MERGED, MERGED, REJECTED, SUPERSEDED
from cchc_xl.read import reader
from cchc_xl.sample_data import fill_with_openpyxl, sample_evidence, sample_state_entries

UNITS = ("NV1", "VP", "TGPL")


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory, sample_path: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("order")
    master = Master.create(sample_path, root / "tong-hop.xlsx", org="Sở Tư pháp (thử)")
    files = {p.stem.rsplit("-", 1)[1]: p for p in master.split(root / "gui").files}
    return {"master": master.path, **files}


def typed(sent: dict[str, Path], unit: str, dst: Path, day: int, mistake: bool = False) -> Path:
    """The unit's sample figures typed with openpyxl, saved on day `day` of December 2026;
    with `mistake`, one b is greater than its a."""
    catalogue = Master.open(sent["master"]).catalogue
    entries = sample_state_entries(catalogue, unit)
    if mistake:
        code = next(c for c, e in entries.items() if e.a is not None)
        entries[code] = replace(entries[code], b=entries[code].a + 5)
    raw = dst.with_name(".raw-" + dst.name)
    dst.parent.mkdir(parents=True, exist_ok=True)
    fill_with_openpyxl(sent[unit], raw, entries, sample_evidence(catalogue, unit,
                                                                 catalogue.year))
    set_modified(raw, dst, f"2026-12-{day:02d}T08:00:00Z")
    raw.unlink()
    return dst


def fresh_master(sent: dict[str, Path], tmp_path: Path) -> Master:
    copy = tmp_path / "tong-hop.xlsx"
    copy.write_bytes(sent["master"].read_bytes())
    return Master.open(copy)


def outcomes(result: object) -> dict[str, str]:
    return {f.data.path.name: f.outcome for f in result.files}  # type: ignore[attr-defined]


def test_an_older_file_with_errors_is_only_listed_as_superseded(sent, tmp_path):
    folder = tmp_path / "in"
    typed(sent, "NV1", folder / "cu.xlsx", 1, mistake=True)
    typed(sent, "NV1", folder / "moi.xlsx", 3)
    result = fresh_master(sent, tmp_path).merge([folder])
    assert outcomes(result) == {"moi.xlsx": MERGED, "cu.xlsx": SUPERSEDED}
    old = next(f for f in result.files if f.data.path.name == "cu.xlsx")
    assert not old.full and old.data.state is None and result.exit_code == 0
    [problem] = old.data.problems
    assert problem.severity == "warning" and "moi.xlsx" in problem.message
    assert "không được kiểm tra chi tiết" in problem.message


def test_a_rejected_newest_file_has_every_older_one_checked(sent, tmp_path):
    folder = tmp_path / "in"
    typed(sent, "NV1", folder / "a.xlsx", 1, mistake=True)
    typed(sent, "NV1", folder / "b.xlsx", 2)
    typed(sent, "NV1", folder / "c.xlsx", 3, mistake=True)
    result = fresh_master(sent, tmp_path).merge([folder])
    assert outcomes(result) == {"c.xlsx": REJECTED, "b.xlsx": SUPERSEDED, "a.xlsx": REJECTED}
    assert all(f.full for f in result.files)
    checked = next(f for f in result.files if f.data.path.name == "a.xlsx")
    assert any("b không thể lớn hơn a" in p.message for p in checked.errors)


def test_a_file_merged_before_is_checked_even_when_superseded(sent, tmp_path):
    first = typed(sent, "NV1", tmp_path / "r1" / "lan-1.xlsx", 1)
    master = fresh_master(sent, tmp_path)
    assert outcomes(master.merge([first])) == {"lan-1.xlsx": MERGED}
    folder = tmp_path / "r2"
    folder.mkdir()
    (folder / "lan-1.xlsx").write_bytes(first.read_bytes())
    typed(sent, "NV1", folder / "lan-2.xlsx", 4)
    result = Master.open(master.path).merge([folder])
    assert outcomes(result) == {"lan-2.xlsx": MERGED, "lan-1.xlsx": ALREADY_MERGED}


def test_a_small_batch_reads_each_file_once(sent, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    for i, unit in enumerate(UNITS):
        typed(sent, unit, folder / f"{unit}-cu.xlsx", 1 + i)
        typed(sent, unit, folder / f"{unit}-moi.xlsx", 10 + i)
    master = fresh_master(sent, tmp_path)
    opened: list[Path] = []
    real = reader.open_checked

    def counting(path: Path):  # type: ignore[no-untyped-def]
        opened.append(path)
        return real(path)

    monkeypatch.setattr(reader, "open_checked", counting)
    result = master.merge([folder], dry_run=True)
    assert sorted(p.name for p in opened) == sorted(p.name for p in folder.iterdir())
    assert {f.data.path.name: f.full for f in result.files} == {
        **{f"{u}-moi.xlsx": True for u in UNITS}, **{f"{u}-cu.xlsx": False for u in UNITS}}


@pytest.mark.slow
def test_a_pool_decides_as_one_process_does(sent, tmp_path):
    """Above the pool threshold: identified in the pool, the needed files read again there."""
    folder = tmp_path / "in"
    for i in range(26):
        unit = UNITS[i % len(UNITS)]
        typed(sent, unit, folder / f"{i:02d}-{unit}.xlsx", 1 + i, mistake=i in (23, 24, 7))
    master = fresh_master(sent, tmp_path)

    def summary(result: object) -> dict[str, object]:
        return {f.data.path.name: (f.outcome, f.full, [str(p) for p in f.data.problems])
                for f in result.files}  # type: ignore[attr-defined]

    pooled = summary(master.merge([folder], dry_run=True, workers=2))
    alone = summary(master.merge([folder], dry_run=True, workers=1))
    assert pooled == alone
    # The newest of NV1 (24) and of TGPL (23) are rejected: all their files were read in full.
    # VP's 7 has a mistake too, but VP's newest (25) is sound: 7 is only superseded.
    assert {name for name, (outcome, *_) in pooled.items() if outcome == REJECTED} == {
        "24-NV1.xlsx", "23-TGPL.xlsx"}
    assert {name for name, (_, full, _) in pooled.items() if full} == {
        name for name in pooled if name.endswith(("NV1.xlsx", "TGPL.xlsx"))} | {"25-VP.xlsx"}
    assert pooled["07-VP.xlsx"][0] == SUPERSEDED
