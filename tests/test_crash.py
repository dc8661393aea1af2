"""Safe writes: a merge or sync killed at any moment leaves the old master or the new one.

Real `cchc-xl merge` / `cchc-xl sync` processes are killed with SIGKILL, at exact points of the
write (the test-only pause points of cchc_xl.files.atomic, chosen with CCHC_XL_TEST_PAUSE) and after
increasing delays. Afterwards the master must be byte-identical to the old one or read back with
the new state; every file in sao-luu/ must be a complete backup; the only other leftovers allowed
are `.~cchc-*` temporary files, which the next write removes once they are stale. A locked or
read-only master is refused (exit 2) and left untouched; sync refuses (exit 1) to drop content
it would not regenerate.
"""

from __future__ import annotations

import collections
import os
import select
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from broken_returns import Layout, build_baseline, edit_book, variant
from cchc_xl.cli import main
from cchc_xl.read.reader import read_master
from cchc_xl.files.atomic import BACKUP_DIR, STALE_TEMP_SECONDS, TEMP_PREFIX

CLI = "from cchc_xl.cli import main; main()"
MERGE_POINTS = ["after_write", "before_backup", "backup_copied", "after_backup", "before_replace",
                "after_replace"]
SYNC_POINTS = ["before_backup", "backup_copied", "after_backup"]  # sync.py writes its own temp
# Of one uninterrupted run's time; past 1 the run may have finished (then the master is new).
DELAY_FRACTIONS = [0.4, 0.7, 0.85, 0.92, 0.97, 1.02, 1.1, 1.5]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A merged master (old), returns that change it, and the state a full merge gives (new)."""
    root = tmp_path_factory.mktemp("crash")
    corpus = build_baseline(root / "corpus")
    returns = root / "returns"
    for unit in ("NV1", "VP"):
        typed = variant(corpus.catalogue, unit, 2)
        edit_book(corpus.sent[unit], returns / f"CCHC-2026-{unit}.xlsx",
                  Layout(corpus.catalogue, unit), typed)
    old = corpus.master.read_bytes()
    # One uninterrupted merge and sync: the new state, and how long each takes.
    reference = root / "reference" / "tong-hop.xlsx"
    reference.parent.mkdir()
    reference.write_bytes(old)
    merge_seconds = run_to_end(["merge", str(reference), str(returns)], expect=0)
    new_state = state_of(reference)
    sync_seconds = run_to_end(["sync", str(reference)], expect=0)
    return {"corpus": corpus, "old": old, "old_state": state_of(corpus.master),
            "new_state": new_state, "returns": returns, "merge_seconds": merge_seconds,
            "sync_seconds": sync_seconds}


def cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CLI, *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})


def run_to_end(args: list[str], expect: int) -> float:
    start = time.perf_counter()
    proc = cli(args)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == expect, err
    return time.perf_counter() - start


def state_of(master: Path) -> tuple[Any, Any]:
    """What a master holds (inputs and evidence; the log is not compared)."""
    _, data = read_master(master)
    assert data.state is not None and not data.problems
    return data.state.entries, collections.Counter(data.state.evidence)


def fresh_master(world: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    master = folder / "tong-hop.xlsx"
    master.write_bytes(world["old"])
    return master


def kill_at(args: list[str], point: str) -> None:
    """Run the command until it announces `point`, then SIGKILL it."""
    proc = cli(args, {"CCHC_XL_TEST_PAUSE": point})
    assert proc.stderr is not None
    deadline, seen = time.monotonic() + 60, ""
    try:
        while f"CCHC_XL_PAUSED {point}" not in seen:
            ready, _, _ = select.select([proc.stderr], [], [], max(deadline - time.monotonic(), 0))
            line = proc.stderr.readline() if ready else ""
            if not line:
                raise AssertionError(f"never reached {point}: {seen}")
            seen += line
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def kill_after(args: list[str], seconds: float) -> int:
    proc = cli(args)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    return proc.returncode


def check_aftermath(world: dict[str, Any], master: Path, allowed_new: bool) -> str:
    """The master is the old file or a good new one; backups are whole; what else is left."""
    data = master.read_bytes()
    if data == world["old"]:
        outcome = "old"
    else:
        assert allowed_new, "the master changed before the point where it is replaced"
        assert state_of(master) == world["new_state"]
        outcome = "new"
    names = set(os.listdir(master.parent)) - {master.name, BACKUP_DIR}
    leftovers = {n for n in names if n.startswith(TEMP_PREFIX)}
    others = names - leftovers - {"tong-hop.nhat-ky-gop.jsonl"}
    assert not others, others
    backups = master.parent / BACKUP_DIR
    if backups.exists():
        for path in backups.iterdir():
            if path.name.startswith(TEMP_PREFIX):
                continue  # an unfinished copy, under a temporary name
            assert path.read_bytes() == world["old"], f"damaged backup {path.name}"
    return outcome


def recover(master: Path, world: dict[str, Any]) -> None:
    """The next run: stale temporary files go, and the write succeeds."""
    temps = [p for p in (*master.parent.iterdir(), *(master.parent / BACKUP_DIR).glob("*"))
             if p.name.startswith(TEMP_PREFIX)]
    long_ago = time.time() - STALE_TEMP_SECONDS - 60
    for path in temps:
        os.utime(path, (long_ago, long_ago))
    result = CliRunner().invoke(main, ["sync", str(master)])
    assert result.exit_code == 0, result.output
    left = [p for p in (*master.parent.iterdir(), *(master.parent / BACKUP_DIR).glob("*"))
            if p.name.startswith(TEMP_PREFIX)]
    assert left == [], left
    assert state_of(master) in (world["old_state"], world["new_state"])


@pytest.mark.slow
@pytest.mark.parametrize("point", MERGE_POINTS)
def test_merge_killed_at_each_point(world: dict[str, Any], tmp_path: Path, point: str) -> None:
    master = fresh_master(world, tmp_path / "m")
    kill_at(["merge", str(master), str(world["returns"])], point)
    outcome = check_aftermath(world, master, allowed_new=point == "after_replace")
    assert outcome == ("new" if point == "after_replace" else "old")
    if point != "after_replace":
        assert state_of(master) == world["old_state"]
    recover(master, world)


@pytest.mark.slow
@pytest.mark.parametrize("point", SYNC_POINTS)
def test_sync_killed_at_each_point(world: dict[str, Any], tmp_path: Path, point: str) -> None:
    master = fresh_master(world, tmp_path / "m")
    kill_at(["sync", str(master)], point)
    assert check_aftermath(world, master, allowed_new=False) == "old"
    recover(master, world)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["merge", "sync"])
def test_killed_after_increasing_delays(world: dict[str, Any], tmp_path: Path,
                                        command: str) -> None:
    total = world[f"{command}_seconds"]
    if command == "sync":
        world = {**world, "new_state": world["old_state"]}  # sync rewrites the same state
    seen = []
    for i, fraction in enumerate(DELAY_FRACTIONS):
        master = fresh_master(world, tmp_path / f"run{i}")
        args = ["merge", str(master), str(world["returns"])] if command == "merge" else \
            ["sync", str(master)]
        code = kill_after(args, total * fraction)
        seen.append((fraction, code, check_aftermath(world, master, allowed_new=True)))
        recover(master, world)
    print(f"\n{command}: {total:.2f} s uninterrupted; killed at (fraction, exit, master) {seen}")


# ---------------------------------------------------------------------------------------------
# Locked, read-only, drift


@pytest.fixture
def master(world: dict[str, Any], tmp_path: Path) -> Path:
    return fresh_master(world, tmp_path / "m")


@pytest.mark.parametrize("lock", ["~$tong-hop.xlsx", ".~lock.tong-hop.xlsx#"])
@pytest.mark.parametrize("command", ["sync", "merge"])
def test_a_locked_master_is_refused_and_untouched(world: dict[str, Any], master: Path, lock: str,
                                                  command: str) -> None:
    (master.parent / lock).write_text("nguoi-dung")
    args = [command, str(master)] + ([str(world["returns"])] if command == "merge" else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "đang được mở" in " ".join(result.output.split())
    assert master.read_bytes() == world["old"]
    assert sorted(os.listdir(master.parent)) == sorted([master.name, lock])


@pytest.mark.parametrize("command", ["sync", "merge"])
def test_a_read_only_master_is_refused_and_untouched(world: dict[str, Any], master: Path,
                                                     command: str) -> None:
    master.chmod(0o444)
    args = [command, str(master)] + ([str(world["returns"])] if command == "merge" else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "chỉ được đọc" in " ".join(result.output.split())
    assert master.read_bytes() == world["old"]
    assert stat.S_IMODE(master.stat().st_mode) == 0o444
    assert os.listdir(master.parent) == [master.name]


def edited(master: Path, edit: Any) -> bytes:
    import openpyxl

    book = openpyxl.load_workbook(master)
    edit(book)
    book.save(master)
    return master.read_bytes()


@pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
@pytest.mark.parametrize("what", ["value outside input cells", "extra sheet"])
def test_sync_refuses_to_drop_content(master: Path, what: str) -> None:
    if what == "extra sheet":
        before = edited(master, lambda b: b.create_sheet("Ghi chú riêng").__setitem__(
            "A1", "số liệu tự theo dõi"))
        where = "sheet 'Ghi chú riêng'"
    else:
        before = edited(master, lambda b: b["Tổng hợp"].__setitem__("L2", "đã báo cáo UBND"))
        where = "sheet 'Tổng hợp', ô L2"
    result = CliRunner().invoke(main, ["sync", str(master)])
    printed = " ".join(result.output.split())
    assert result.exit_code == 1, printed
    assert "Không đồng bộ" in printed and where in printed
    assert master.read_bytes() == before
    assert os.listdir(master.parent) == [master.name]  # no backup, no temporary file


def test_a_damaged_master_is_refused_and_untouched(world: dict[str, Any], master: Path) -> None:
    master.write_bytes(world["old"][: len(world["old"]) // 2])
    before = master.read_bytes()
    for args in (["sync", str(master)], ["merge", str(master), str(world["returns"])]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert master.read_bytes() == before


def test_a_young_temporary_file_is_left_alone(world: dict[str, Any], master: Path) -> None:
    """One that may belong to a run still writing is not removed; a stale one is."""
    young = master.parent / f"{TEMP_PREFIX}tong-hop-dangghi.xlsx"
    stale = master.parent / f"{TEMP_PREFIX}tong-hop-cu.xlsx"
    young.write_bytes(b"...")
    stale.write_bytes(b"...")
    long_ago = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(stale, (long_ago, long_ago))
    assert CliRunner().invoke(main, ["sync", str(master)]).exit_code == 0
    assert young.exists() and not stale.exists()
