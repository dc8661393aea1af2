"""cchc-xl benchmark: merge, sync, split and start-up, side by side with a naive baseline.

    python bench/run.py            # full run (medians of 3), rewrites the marked section of
                                   # docs/performance.md
    python bench/run.py --quick    # smoke run: N = 15 and 120, one run each, prints only

Every measurement is a fresh process (bench/task.py or the real `cchc-xl` script), started on
the same cached corpora (bench/corpus.py). Wall time is taken outside the process; the library
call is also timed inside it. Peak memory: the kernel's maximum resident set of the largest
process of the job (wait4's rusage, i.e. RUSAGE_CHILDREN of that process), and the peak of the
whole process tree's proportional set size (pool workers included), sampled every 20 ms from
/proc in a separate, untimed run of the same job.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin (written by bench/run.py; do not edit by hand) -->", \
    "<!-- bench:end -->"
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

TARGETS = {
    "merge1000": 3.0, "ratio": 20.0, "memory": 300.0, "so": 1.0, "help": 0.3, "split120": 5.0,
    "floor": 2.0, "so_ratio": 1.3, "linear": 1.1,
}
BIG = 5000  # a national roll-up: merged once more, to show the cost per file stays the same


# ---------------------------------------------------------------------------------------------
# Running one process and measuring it


@dataclass
class Run:
    wall: float
    maxrss_mb: float  # largest single process of the job (kernel high-water mark)
    tree_mb: float | None  # peak Σ PSS of the process tree (sampled), when sampled
    tree_rss_mb: float | None  # peak Σ RSS of the same samples (counts shared pages n times)
    background: float  # cores busy with other processes during the run (0 = quiet machine)
    out: dict[str, Any]
    code: int


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in KiB; zeros when it is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


class TreeSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_pss = self.peak_rss = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            kids = _children_map()
            tree, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo.extend(kids.get(pid, []))
            sizes = [_memory_kb(p) for p in tree]
            self.peak_pss = max(self.peak_pss, sum(p for p, _ in sizes))
            self.peak_rss = max(self.peak_rss, sum(r for _, r in sizes))
            self.stop.wait(self.interval)


def _busy_ticks() -> int:
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return user + nice + system + irq + softirq + steal


TIME = Path("/usr/bin/time")  # GNU time: its child is forked from a small process
# Measured as installed: pip compiles the package to bytecode, so must we (see main()); a
# PYTHONDONTWRITEBYTECODE in our environment must not make every run recompile the sources.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_process(cmd: list[str], *, sample: bool = False, cwd: Path | None = None) -> Run:
    """Run cmd; wall time from outside, peak memory, and the load other processes added.

    The largest-process peak comes from GNU time when available: a child forked straight from
    this (big) runner would report the runner's own size as its high-water mark.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".time") as timing:
        wrapped = [str(TIME), "-q", "-o", timing.name, "-f", "%M %U %S", *cmd] \
            if TIME.exists() else cmd
        ticks = _busy_ticks()
        started = time.perf_counter()
        proc = subprocess.Popen(wrapped, stdout=out, stderr=err, cwd=cwd, env=CHILD_ENV)
        sampler = TreeSampler(proc.pid) if sample else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        busy = (_busy_ticks() - ticks) / os.sysconf("SC_CLK_TCK")
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.stop.set()
            sampler.join()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        maxrss_kb, cpu = float(usage.ru_maxrss), usage.ru_utime + usage.ru_stime
        if TIME.exists():
            lines = Path(timing.name).read_text().split("\n")
            fields = [line for line in lines if re.fullmatch(r"\d+ [\d.]+ [\d.]+", line.strip())]
            if fields:
                rss, user, system = fields[-1].split()
                maxrss_kb, cpu = float(rss), float(user) + float(system)
    parsed: dict[str, Any] = {}
    last = stdout.strip().splitlines()[-1:] if stdout.strip() else []
    if last and last[0].startswith("{"):
        parsed = json.loads(last[0])
    if proc.returncode not in (0, 1) or (cmd[1:2] == [str(HERE / "task.py")] and not parsed):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return Run(wall, maxrss_kb / 1024, sampler.peak_pss / 1024 if sampler else None,
               sampler.peak_rss / 1024 if sampler else None, max(0.0, (busy - cpu) / wall),
               parsed, proc.returncode)


def task(*args: object) -> list[str]:
    return [sys.executable, str(HERE / "task.py"), *map(str, args)]


def cli() -> str:
    """The installed console script itself (not a pyenv/asdf shim in front of it)."""
    beside = Path(sys.executable).with_name("cchc-xl")
    if beside.exists():
        return str(beside)
    found = shutil.which("cchc-xl")
    if not found:
        raise SystemExit("cchc-xl is not installed (pip install -e .)")
    return found


# ---------------------------------------------------------------------------------------------
# Measurements


@dataclass
class Measure:
    key: str
    label: str
    n: int | None
    seconds: list[float] = field(default_factory=list)  # process wall times
    inner: dict[str, list[float]] = field(default_factory=dict)  # timed inside the process
    background: list[float] = field(default_factory=list)
    maxrss_mb: float = 0.0
    tree_mb: float | None = None
    tree_rss_mb: float | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def add(self, *runs: Run, inner_keys: tuple[str, ...] = ()) -> None:
        """One timed repetition (several processes run one after the other count as one)."""
        wall = sum(r.wall for r in runs)
        self.seconds.append(wall)
        self.background.append(sum(r.background * r.wall for r in runs) / wall)
        for key in inner_keys:
            self.inner.setdefault(key, []).append(float(runs[0].out[key]))
        self.maxrss_mb = max([self.maxrss_mb, *(r.maxrss_mb for r in runs)])

    def memory(self, *runs: Run) -> None:
        """The sampled, untimed run(s): peak memory of the process tree."""
        self.maxrss_mb = max([self.maxrss_mb, *(r.maxrss_mb for r in runs)])
        self.tree_mb = max(r.tree_mb or 0 for r in runs)
        self.tree_rss_mb = max(r.tree_rss_mb or 0 for r in runs)

    def median(self, key: str | None = None) -> float:
        return statistics.median(self.inner[key] if key else self.seconds)


def warm_os_cache(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_file():
            path.read_bytes()


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def measure_merge_sync(key: str, label: str, master: Path, returns: Path, n: int, runs: int,
                       work: Path, workers: int | None = None) -> Measure:
    """merge() then sync() in one process, each timed inside; first run untimed (memory)."""
    m = Measure(key, label, n)
    warm_os_cache(returns)
    options = ["--workers", str(workers)] if workers is not None else []
    cmd = task(*options, "merge-sync", master, returns, work / key)
    first = run_process(cmd, sample=True)
    m.memory(first)
    m.info = {k: first.out[k] for k in ("files", "outcomes", "total", "index", "exit_code")}
    unexpected = [name for name in first.out["rejected"]
                  if int(name.split("-", 1)[0]) % corpus.MISTAKE_EVERY != corpus.MISTAKE_AT]
    if unexpected or first.out["files"] != n:
        raise SystemExit(f"{label}: {first.out['files']} files, unexpected rejections "
                         f"{unexpected[:5]} — stale corpus? Delete bench/.cache/ and run again.")
    for i in range(runs):
        m.add(run_process(cmd), inner_keys=("merge_s", "sync_s", "import_s"))
        log(f"{label}: run {i + 1}/{runs} merge {m.inner['merge_s'][-1]:.3f} s, "
            f"sync {m.inner['sync_s'][-1]:.3f} s (background {m.background[-1]:.2f} cores)")
    return m


def fresh_master_copy(master: Path, folder: Path) -> Path:
    """An untouched copy of the master in an empty folder: every timed run starts the same."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    target = folder / master.name
    shutil.copyfile(master, target)
    return target


def measure_cli_merge_sync(key: str, label: str, master: Path, returns: Path, n: int, runs: int,
                           work: Path) -> Measure:
    """What a user runs: `cchc-xl merge` then `cchc-xl sync`, two processes, end to end."""
    m = Measure(key, label, n)
    warm_os_cache(returns)
    exe = cli()
    folder = work / key
    for i in range(runs + 1):
        target = fresh_master_copy(master, folder)
        merged = run_process([exe, "merge", str(target), str(returns)], sample=i == 0)
        synced = run_process([exe, "sync", str(target)], sample=i == 0)
        if i == 0:
            m.memory(merged, synced)
            continue
        m.add(merged, synced)
        m.inner.setdefault("merge_s", []).append(merged.wall)
        m.inner.setdefault("sync_s", []).append(synced.wall)
        log(f"{label}: run {i}/{runs} {merged.wall:.3f} + {synced.wall:.3f} s "
            f"(background {m.background[-1]:.2f} cores)")
    return m


def measure_cli_merge_json(key: str, master: Path, returns: Path, n: int, runs: int,
                           work: Path) -> Measure:
    """`cchc-xl merge --json`: the same merge without rich printing every problem of every file."""
    m = Measure(key, f"`cchc-xl merge --json`, {n} files", n)
    exe = cli()
    folder = work / key
    for i in range(runs + 1):
        target = fresh_master_copy(master, folder)
        run = run_process([exe, "merge", "--json", str(target), str(returns)], sample=i == 0)
        if i == 0:
            m.memory(run)
            continue
        m.add(run)
        log(f"{m.label}: run {i}/{runs} {run.wall:.3f} s")
    return m


FLOOR_LABELS = {"calamine": "floor: python-calamine reads the sheets a full read reads",
                "zip": "floor: zipfile inflates every worksheet's XML",
                "checked": "cchc-xl reads and checks every file in full (none superseded)"}


def measure_floor(kind: str, returns: Path, n: int, runs: int, master: Path) -> Measure:
    """A reader alone on the same files, in the same pool (bench/floors.py)."""
    m = Measure(f"floor-{kind}-{n}", f"{n} files, {FLOOR_LABELS[kind]} (same pool)", n)
    warm_os_cache(returns)
    cmd = task("floor", kind, returns, *([master] if kind == "checked" else []))
    m.memory(run_process(cmd, sample=True))
    for i in range(runs):
        m.add(run_process(cmd), inner_keys=("floor_s", "import_s"))
        log(f"floor {kind} {n}: run {i + 1}/{runs} {m.inner['floor_s'][-1]:.3f} s")
    return m


def measure_naive(key: str, catalogue_yaml: Path, returns: Path, n: int, runs: int) -> Measure:
    """Seconds to minutes in one process: memory is sampled during the first timed run."""
    m = Measure(key, f"naive baseline, {n} files", n)
    warm_os_cache(returns)
    for i in range(runs):
        run = run_process(task("naive", catalogue_yaml, returns), sample=i == 0)
        if i == 0:
            m.memory(run)
            m.info = {"total": run.out["total"]}
        m.add(run, inner_keys=("naive_s", "import_s"))
        log(f"naive {n}: run {i + 1}/{runs} {run.out['naive_s']:.2f} s "
            f"(background {m.background[-1]:.2f} cores)")
    return m


def measure_split(key: str, master: Path, n: int, runs: int, work: Path) -> list[Measure]:
    lib = Measure(key, f"split, {n} units (library call)", n)
    end = Measure(key + "-cli", f"`cchc-xl split`, {n} units, end to end", n)
    exe = cli()
    for i in range(runs + 1):
        run = run_process(task("split", master, work / key), sample=i == 0)
        shutil.rmtree(work / key, ignore_errors=True)
        whole = run_process([exe, "split", str(master), "--out", str(work / (key + "-cli"))],
                            sample=i == 0)
        shutil.rmtree(work / (key + "-cli"), ignore_errors=True)
        if i == 0:
            lib.memory(run)
            end.memory(whole)
            lib.info = {"files": run.out["files"]}
            continue
        lib.add(run, inner_keys=("split_s", "import_s"))
        end.add(whole)
        log(f"split {n}: run {i}/{runs} {run.out['split_s']:.3f} s (cli {whole.wall:.3f} s)")
    return [lib, end]


CPU_PROBE = "import time\nt = time.perf_counter()\nx = 0\nfor i in range(10_000_000):\n" \
            "    x += i\nprint('{\"loop_s\": %f}' % (time.perf_counter() - t))"


def measure_cpu(key: str, label: str, runs: int) -> Measure:
    """A fixed pure-Python loop: how fast this (shared) machine runs Python right now."""
    m = Measure(key, label, None)
    for _ in range(max(runs, 3)):
        m.add(run_process([sys.executable, "-c", CPU_PROBE]), inner_keys=("loop_s",))
    return m


def measure_python(runs: int) -> list[Measure]:
    """The floor under every command: starting the interpreter (with and without site)."""
    result = []
    for key, label, flags in (("python", "`python -c pass` (reference)", []),
                              ("python-bare", "`python -I -S -c pass` (reference)", ["-I", "-S"])):
        m = Measure(key, label, None)
        run_process([sys.executable, *flags, "-c", "pass"])
        for _ in range(max(runs, 5)):
            m.add(run_process([sys.executable, *flags, "-c", "pass"]))
        result.append(m)
    return result


def measure_help(runs: int) -> Measure:
    m = Measure("help", "`cchc-xl --help`", None)
    exe = cli()
    m.memory(run_process([exe, "--help"], sample=True))
    for _ in range(max(runs, 5)):
        m.add(run_process([exe, "--help"]))
    return m


# ---------------------------------------------------------------------------------------------
# The machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "?"


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "—"


def _soffice() -> str:
    from devtools.libreoffice import find_soffice

    exe = find_soffice()
    if not exe:
        return "not installed"
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
        return out.stdout.split("\n")[0].strip().replace("LibreOffice ", "") or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def _git() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no",
                                "cchc_xl"], cwd=ROOT, capture_output=True, text=True).stdout
        return head + (" with uncommitted changes in cchc_xl/" if dirty.strip() else "")
    except OSError:
        return "?"


def machine() -> list[str]:
    cpus = os.cpu_count() or 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    libs = ", ".join(f"{name} {_version(name)}" for name in
                     ("python-calamine", "openpyxl", "XlsxWriter", "pandas", "PyYAML", "click",
                      "rich"))
    return [
        f"- CPU: {_cpu_model()}, {cpus} logical cores ({usable} usable)",
        f"- RAM: {_ram_gb()}; OS: {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}); {libs}; "
        f"LibreOffice {_soffice()} (corpus generation only)",
        f"- cchc-xl at commit {_git()}",
    ]


# ---------------------------------------------------------------------------------------------
# Report


def _s(x: float) -> str:
    return f"{x:.2f} s" if x >= 0.995 else f"{x * 1000:.0f} ms"


def _mb(x: float | None) -> str:
    return "—" if not x else f"{x:.0f} MB"


def _ok(value: float, target: float, higher_is_better: bool = False) -> str:
    met = value >= target if higher_is_better else value < target
    return "met" if met else "**missed**"


def _memory(m: Measure) -> str:
    tree = f"{_mb(m.tree_mb)} ({_mb(m.tree_rss_mb)})" if m.tree_mb else "—"
    return f"{_mb(m.maxrss_mb)} | {tree}"


def _load(m: Measure) -> str:
    return f"{statistics.median(m.background):.2f}" if m.background else ""


def report(measures: dict[str, Measure], quick: bool, runs: int, seconds: float,
           load: tuple[float, float]) -> str:
    lines = [BEGIN, ""]
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    lines += [f"Generated by `python bench/run.py{' --quick' if quick else ''}` on {when}: "
              f"medians of {runs} timed runs per job, after one untimed run that warms up and "
              f"samples memory. The whole benchmark took {seconds / 60:.1f} min; load average "
              f"{load[0]:.2f} before and {load[1]:.2f} after.", ""]
    lines += machine() + [""]

    lines += ["### Targets", "", "| what | measured | target | |", "|---|---|---|---|"]
    big, naive_big = measures.get("merge-1000"), measures.get("naive-1000")
    floor_big = measures.get("floor-calamine-1000")
    if big:
        merge_s = big.median("merge_s")
        if floor_big:
            ratio = merge_s / floor_big.median("floor_s")
            lines.append(f"| **`merge()` of 1000 returns ÷ python-calamine reading the same sheets "
                         f"of the same files in the same pool (same run)** | **{ratio:.2f}×** | "
                         f"≤ 2× | {_ok(ratio, TARGETS['floor'] + 1e-9)} |")
        lines.append(f"| `merge()` of 1000 unit workbooks (read, check, write the master) | "
                     f"{_s(merge_s)} | < 3 s | {_ok(merge_s, TARGETS['merge1000'])} |")
        if naive_big:
            ratio = naive_big.median("naive_s") / merge_s
            lines.append(f"| … speed-up over the naive baseline, pandas + openpyxl (same files, "
                         f"same run) | {ratio:.0f}× | ≥ 20× | "
                         f"{_ok(ratio, TARGETS['ratio'], True)} |")
        lines.append(f"| … peak memory of merge + sync, whole process tree (Σ PSS: parent and "
                     f"pool workers) | {_mb(big.tree_mb)} | < 300 MB | "
                     f"{_ok(big.tree_mb or 0, TARGETS['memory'])} |")
    huge = measures.get(f"merge-{BIG}")
    if big and huge:
        per_file = (huge.median("merge_s") / BIG) / (big.median("merge_s") / 1000)
        lines.append(f"| {BIG} files (a national roll-up): `merge()` cost per file ÷ that of 1000 "
                     f"files (linear: ≤ {TARGETS['linear']}) | {per_file:.2f} | ≤ "
                     f"{TARGETS['linear']} | {_ok(per_file, TARGETS['linear'] + 1e-9)} |")
        lines.append(f"| … peak memory of merge + sync of {BIG} files, whole process tree | "
                     f"{_mb(huge.tree_mb)} | < 300 MB | "
                     f"{_ok(huge.tree_mb or 0, TARGETS['memory'])} |")
    if "cli-15" in measures:
        m = measures["cli-15"]
        ratio = m.median("merge_s") / m.median("sync_s")
        lines.append(f"| Sở: `cchc-xl merge` of 15 returns ÷ `cchc-xl sync` of the same master "
                     f"(each a process, end to end) | {ratio:.2f}× | ≤ 1.3× | "
                     f"{_ok(ratio, TARGETS['so_ratio'] + 1e-9)} |")
    for key, what in (("cli-15", "15 files of the sample's units"),
                      ("cli-distinct-15", "15 distinct units (synthetic catalogue)")):
        if key in measures:
            m = measures[key]
            lines.append(f"| Sở: `cchc-xl merge` then `cchc-xl sync`, {what}, end to end | "
                         f"{_s(m.median())} | < 1 s | {_ok(m.median(), TARGETS['so'])} |")
    if "help" in measures:
        m = measures["help"]
        lines.append(f"| `cchc-xl --help` | {_s(m.median())} | < 0.3 s | "
                     f"{_ok(m.median(), TARGETS['help'])} |")
    for key in ("split-120-cli", "split-120"):
        if key in measures:
            m = measures[key]
            value = m.median("split_s") if "split_s" in m.inner else m.median()
            lines.append(f"| {m.label} | {_s(value)} | < 5 s | "
                         f"{_ok(value, TARGETS['split120'])} |")
    lines.append("")

    floors = [n for n in (15, 120, 1000, BIG) if f"floor-calamine-{n}" in measures
              and f"merge-{n}" in measures]
    if floors:
        lines += ["### The merge against its floors", "",
                  "The same files in the same run, each job in the same process pool "
                  "(bench/floors.py): `merge()` (read the master, identify every return, read "
                  "and check in full only those that decide an outcome — here the newest file of "
                  "each of the 8 units — and write the master); python-calamine alone reading, "
                  "in every file, the sheets a full read reads; the zip module alone inflating "
                  "every worksheet's XML; cchc-xl reading and checking every file in full, as if "
                  "none were superseded (what a corpus of distinct units costs per file); the "
                  "naive baseline where it was run.", "",
                  "| files | `merge()` | ms per file | calamine floor | merge ÷ calamine | "
                  "zip floor | merge ÷ zip | every file in full | ÷ calamine | naive | "
                  "naive ÷ merge |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]

        def pair(m: Measure | None, key: str, ratio: float | None, unit: str = "×") -> str:
            if m is None or ratio is None:
                return " | "
            return f"{_s(m.median(key))} | {ratio:.2f}{unit}"

        for n in floors:
            merge_s = measures[f"merge-{n}"].median("merge_s")
            cal = measures[f"floor-calamine-{n}"]
            zipped = measures.get(f"floor-zip-{n}")
            full = measures.get(f"floor-checked-{n}")
            naive = measures.get(f"naive-{n}")
            cal_s = cal.median("floor_s")
            zip_ratio = merge_s / zipped.median("floor_s") if zipped else None
            full_ratio = full.median("floor_s") / cal_s if full else None
            naive_ratio = naive.median("naive_s") / merge_s if naive else None
            lines.append(
                f"| {n} | {_s(merge_s)} | {merge_s / n * 1000:.2f} | "
                f"{pair(cal, 'floor_s', merge_s / cal_s)} | "
                f"{pair(zipped, 'floor_s', zip_ratio)} | {pair(full, 'floor_s', full_ratio)} | "
                f"{pair(naive, 'naive_s', naive_ratio, '×')} |")
        lines.append("")

    lines += ["### All measurements", "",
              "*In-process*: the library call alone, timed inside the process (imports "
              "excluded). *Process*: the whole process from outside, start-up included. "
              "*vs naive*: the naive baseline's time ÷ `merge()`'s, on the same files. Memory: "
              "the largest single process's peak RSS (GNU time), and the peak of the whole "
              "process tree (pool workers included) as Σ PSS (Σ RSS, which counts shared pages "
              "once per process). *Background*: CPU cores other processes kept busy during the "
              "timed runs (median; 0 on a quiet machine, up to 2 here).", "",
              "| job | files | in-process | process | files/s | vs naive | peak RSS, largest "
              "process | peak, process tree | background |",
              "|---|---|---|---|---|---|---|---|---|"]
    for m in measures.values():
        files = m.info.get("files", m.n) or ""
        if "import_s" in m.inner and "merge_s" in m.inner:
            merge_s, sync_s = m.median("merge_s"), m.median("sync_s")
            naive = None if m.key.startswith("distinct") or m.key.endswith("-1w") else \
                measures.get(f"naive-{m.n}")
            ratio = f"{naive.median('naive_s') / merge_s:.0f}×" if naive else ""
            lines.append(f"| {m.label}: `merge()` | {files} | {_s(merge_s)} | | "
                         f"{files / merge_s:.0f} | {ratio} | | | |")
            lines.append(f"| {m.label}: `sync()` | | {_s(sync_s)} | | | | | | |")
            lines.append(f"| {m.label}: merge + sync in one process | {files} | "
                         f"{_s(merge_s + sync_s)} | {_s(m.median())} | | | {_memory(m)} | "
                         f"{_load(m)} |")
        elif "merge_s" in m.inner:
            lines.append(f"| {m.label} | {files} | | {_s(m.median())} (merge "
                         f"{_s(m.median('merge_s'))} + sync {_s(m.median('sync_s'))}) | | | "
                         f"{_memory(m)} | {_load(m)} |")
        elif "naive_s" in m.inner:
            lines.append(f"| {m.label} | {files} | {_s(m.median('naive_s'))} | {_s(m.median())} "
                         f"| {m.n / m.median('naive_s'):.0f} | 1× | {_memory(m)} | {_load(m)} |")
        elif "floor_s" in m.inner:
            lines.append(f"| {m.label} | {files} | {_s(m.median('floor_s'))} | {_s(m.median())} "
                         f"| {m.n / m.median('floor_s'):.0f} | | {_memory(m)} | {_load(m)} |")
        elif "loop_s" in m.inner:
            lines.append(f"| {m.label} | | {_s(m.median('loop_s'))} | {_s(m.median())} | | | "
                         f"{_memory(m)} | {_load(m)} |")
        elif "split_s" in m.inner:
            lines.append(f"| {m.label} | {files} | {_s(m.median('split_s'))} | {_s(m.median())} "
                         f"| {m.n / m.median('split_s'):.0f} | | {_memory(m)} | {_load(m)} |")
        else:
            lines.append(f"| {m.label} | {files} | | {_s(m.median())} | | | {_memory(m)} | "
                         f"{_load(m)} |")
    lines.append("")
    outcome_lines = []
    for m in measures.values():
        if "outcomes" in m.info:
            parts = ", ".join(f"{v} {k}" for k, v in sorted(m.info["outcomes"].items()))
            outcome_lines.append(f"- {m.label}: {parts}; exit code {m.info['exit_code']}; "
                                 f"{m.info['total']} points after sync")
    if outcome_lines:
        lines += ["Merge outcomes (checked in every run's warm-up: only the planted mistakes are "
                  "rejected):", "", *outcome_lines, ""]
    lines += [END]
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    DOC.write_text(pattern.sub(lambda _: section, text, count=1), encoding="utf-8")


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: N = 15 and 120, one run each; prints the table only")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per job (default 3)")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the doc")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    sizes = [15, 120] if args.quick else [15, 120, 1000]
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    measures: dict[str, Measure] = {}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "cchc_xl")],
                   check=True, env=CHILD_ENV)
    with tempfile.TemporaryDirectory(prefix="cchc-bench-") as tmp:
        work = Path(tmp)
        log("corpora …")
        for n in sizes + ([] if args.quick else [BIG]):
            corpus.returns(n)
        distinct = [15] if args.quick else [15, 120]
        for n in distinct:
            corpus.returns(n, distinct=True)
        splits = [15] if args.quick else [15, 120]
        for n in splits:
            corpus.split_master(n)
        measures["cpu-start"] = measure_cpu("cpu-start", "CPU reference at the start: a 10⁷-step "
                                            "Python loop", runs)
        for m in measure_python(runs):
            measures[m.key] = m
        measures["help"] = measure_help(runs)
        for n in sizes:
            _, master, returns = corpus.returns(n)
            measures[f"merge-{n}"] = measure_merge_sync(
                f"merge-{n}", f"{n} files", master, returns, n, runs, work)
            for kind in FLOOR_LABELS:
                measures[f"floor-{kind}-{n}"] = measure_floor(kind, returns, n, runs, master)
            measures[f"cli-{n}"] = measure_cli_merge_sync(
                f"cli-{n}", f"`cchc-xl merge` + `cchc-xl sync`, {n} files", master, returns, n,
                runs, work)
        if not args.quick:
            _, master, returns = corpus.returns(1000)
            measures["cli-json-1000"] = measure_cli_merge_json("cli-json-1000", master, returns,
                                                               1000, runs, work)
            measures["merge-1000-1w"] = measure_merge_sync(
                "merge-1000-1w", "1000 files, one worker (no pool)", master, returns, 1000,
                runs, work, workers=1)
            _, master, returns = corpus.returns(BIG)
            measures[f"merge-{BIG}"] = measure_merge_sync(
                f"merge-{BIG}", f"{BIG} files (a national roll-up)", master, returns, BIG, runs,
                work)
            for kind in FLOOR_LABELS:
                measures[f"floor-{kind}-{BIG}"] = measure_floor(kind, returns, BIG, runs, master)
        for n in distinct:
            _, master, returns = corpus.returns(n, distinct=True)
            measures[f"distinct-{n}"] = measure_merge_sync(
                f"distinct-{n}", f"{n} distinct units (synthetic catalogue)", master, returns,
                n, runs, work)
            measures[f"cli-distinct-{n}"] = measure_cli_merge_sync(
                f"cli-distinct-{n}", f"`cchc-xl merge` + `cchc-xl sync`, {n} distinct units",
                master, returns, n, runs, work)
        for n in splits:
            _, master = corpus.split_master(n)
            for m in measure_split(f"split-{n}", master, n, runs, work):
                measures[m.key] = m
        yaml_path = corpus.cache_dir() / "sample.yaml"
        check = run_process(task("check-naive", yaml_path, corpus.returns(sizes[1])[2]))
        if check.out["mismatches"]:
            raise SystemExit(f"the naive baseline reads other inputs: {check.out}")
        log(f"naive baseline reads the same inputs ({check.out['compared']} files compared)")
        for n in sizes:
            _, _, returns = corpus.returns(n)
            measures[f"naive-{n}"] = measure_naive(f"naive-{n}", yaml_path, returns, n, runs)
    measures["cpu-end"] = measure_cpu("cpu-end", "CPU reference at the end: the same loop", runs)
    section = report(measures, args.quick, runs, time.perf_counter() - started,
                     (load_before, os.getloadavg()[0]))
    print(section)
    if not args.quick and not args.no_doc:
        write_doc(section)
        log(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
