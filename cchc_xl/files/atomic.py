"""Writing files so that a crash or a full disk never leaves a damaged master behind.

Every write goes to a temporary file in the target's folder, is flushed to disk, and then
replaces the target in one atomic step; the previous version is first copied to a timestamped
backup in `sao-luu/` beside it (itself copied under a temporary name, then renamed). A target
open in Excel (lock file present, or the OS refuses the write) or read-only is reported and left
untouched.

Temporary files are named `.~cchc-<stem>-<random><suffix>`. A process killed mid-write can leave
one behind (never a damaged target or backup); the next write to the same target removes those
older than ten minutes. docs/reliability.md lists the crash points tested.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import FileError
from .oserrors import advice, reason

BACKUP_DIR = "sao-luu"
TEMP_PREFIX = ".~cchc-"
STALE_TEMP_SECONDS = 10 * 60
WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def lock_files(target: Path) -> list[Path]:
    """Lock files Excel (~$name) and LibreOffice (.~lock.name#) leave beside an open file."""
    candidates = [target.with_name("~$" + target.name),
                  target.with_name("~$" + target.name[2:]),
                  target.with_name(f".~lock.{target.name}#")]
    return [p for p in candidates if p.exists()]


def lock_owner(lock: Path) -> str:
    """Who holds an Excel (~$) or LibreOffice (.~lock.#) lock file, as it records: '' if unknown.

    Excel writes the user name twice: a length byte and the ANSI name, then at offset 54 a
    length and the name in UTF-16. LibreOffice writes 'name,host,…' as text.
    """
    try:
        data = lock.read_bytes()[:512]
    except OSError:
        return ""
    if lock.name.startswith(".~lock."):
        fields = data.decode("utf-8", "replace").split(",")
        return fields[0].strip() if fields and fields[0].strip() else ""
    if len(data) > 56 and 0 < data[54] <= 54 and len(data) >= 56 + 2 * data[54]:
        name = data[56:56 + 2 * data[54]].decode("utf-16-le", "replace").strip("\x00 ")
        if name:
            return name
    if data and 0 < data[0] < len(data):
        return data[1:1 + data[0]].decode("cp1252", "replace").strip("\x00 ")
    return ""


def ensure_writable(target: Path) -> None:
    """FileError (Vietnamese, says what to do) when the target cannot be replaced now.

    Every write (new, split, merge, sync) starts here, so this is also where temporary files a
    killed earlier run left behind are removed (`remove_stale_temps`).
    """
    locks = lock_files(target)
    if locks:
        who = lock_owner(locks[0])
        by = f" bởi {who}" if who else ""
        raise FileError(
            f"Tệp {target.name} đang được mở trong Excel hoặc LibreOffice{by} (có tệp khóa "
            f"{locks[0].name} bên cạnh). Hãy lưu và đóng tệp rồi chạy lại; tệp chưa bị thay đổi. "
            f"Nếu không ai đang mở tệp (ví dụ máy bị tắt đột ngột khi đang mở), hãy xóa tệp "
            f"{locks[0].name} trong thư mục {target.parent} rồi chạy lại.")
    folder = target.parent
    if not folder.exists():
        raise FileError(f"Thư mục {folder} không tồn tại; hãy tạo thư mục hoặc chọn nơi lưu khác.")
    if target.exists():
        # No write bit at all is read-only even for root, who os.access lets through (and
        # Windows' read-only attribute clears them too).
        if not os.access(target, os.W_OK) or not target.stat().st_mode & WRITE_BITS:
            raise FileError(f"Tệp {target.name} chỉ được đọc (read-only); hãy bỏ thuộc tính chỉ "
                            "đọc hoặc lưu sang tệp khác. Tệp chưa bị thay đổi.")
        try:
            with target.open("r+b"):
                pass  # on Windows this fails while Excel holds the file
        except PermissionError:
            raise FileError(f"Tệp {target.name} đang được chương trình khác mở; hãy đóng tệp rồi "
                            "chạy lại. Tệp chưa bị thay đổi.") from None
    if not os.access(folder, os.W_OK):
        raise FileError(f"Không có quyền ghi vào thư mục {folder}; hãy chọn nơi lưu khác.")
    remove_stale_temps(target)


def backup(target: Path, now: dt.datetime | None = None) -> Path | None:
    """Copy the current target to sao-luu/<stem>-YYYYmmdd-HHMMSS<suffix>; None if none.

    The copy is made under a temporary name and renamed when complete, so a crash never leaves
    a half-written file that looks like a backup.
    """
    if not target.exists():
        return None
    pause_point("before_backup")
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    folder = target.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    dest = folder / f"{target.stem}-{stamp}{target.suffix}"
    n = 1
    while dest.exists():
        n += 1
        dest = folder / f"{target.stem}-{stamp}-{n}{target.suffix}"
    tmp = _temp_file(target, folder)
    try:
        shutil.copy2(target, tmp)
        _fsync(tmp)
        pause_point("backup_copied")
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()
    pause_point("after_backup")
    return dest


def atomic_write(target: Path, write: Callable[[Path], object], *, keep_backup: bool = True,
                 now: dt.datetime | None = None) -> Path | None:
    """Call `write(tmp)` then atomically replace `target`; returns the backup path, if any."""
    target = Path(target)
    ensure_writable(target)
    tmp: Path | None = None
    try:
        tmp = _temp_file(target, target.parent)
        with _held_unraisable() as held:
            write(tmp)
        for unraisable in held:  # the write went well: these are real, report them
            sys.unraisablehook(unraisable)
        _keep_mode(target, tmp)
        pause_point("after_write")
        _fsync(tmp)
        saved = backup(target, now) if keep_backup else None
        pause_point("before_replace")
        os.replace(tmp, target)
        pause_point("after_replace")
        _fsync_dir(target.parent)
        return saved
    except Exception as exc:
        os_error = _os_error(exc)  # writers wrap it (XlsxWriter's FileCreateError …)
        if os_error is None:
            raise
        _drop_half_written(exc)
        if isinstance(os_error, PermissionError) and target.exists():
            raise FileError(f"Không ghi được {target.name}: tệp đang được mở hoặc không có quyền "
                            "ghi; hãy đóng tệp (hoặc xin quyền ghi thư mục) rồi chạy lại. Tệp cũ "
                            "vẫn nguyên vẹn.") from None
        kept = "Tệp cũ vẫn nguyên vẹn." if target.exists() else "Chưa có tệp nào được ghi."
        raise FileError(f"Không ghi được {target.name} ({reason(os_error)}). {kept} Cách xử lý: "
                        f"{advice(os_error)}.") from None
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()


@contextlib.contextmanager
def _held_unraisable() -> Iterator[list[Any]]:
    """Hold back 'Exception ignored' reports while a writer runs: when the disk fills, the zip
    file XlsxWriter could not finish fails again as it is garbage-collected, and that second,
    already-reported failure must not print a traceback. Reported as usual otherwise."""
    held: list[Any] = []
    hook = sys.unraisablehook
    sys.unraisablehook = held.append
    try:
        yield held
    finally:
        sys.unraisablehook = hook


def _drop_half_written(exc: BaseException) -> None:
    """Collect now, quietly, what the failed writer left open (the frames of the exception
    chain hold it): at exit it would fail again on the full disk and print a traceback."""
    import gc
    import traceback

    seen: BaseException | None = exc
    with _held_unraisable():
        for _ in range(10):
            if seen is None:
                break
            traceback.clear_frames(seen.__traceback__)
            seen = seen.__cause__ or seen.__context__
        gc.collect()


def _os_error(exc: BaseException | None, depth: int = 0) -> OSError | None:
    """The OSError behind an exception: itself, one it wraps in its args, or its cause."""
    if exc is None or depth > 5:
        return None
    if isinstance(exc, OSError):
        return exc
    for arg in exc.args:
        if isinstance(arg, OSError):
            return arg
    return _os_error(exc.__cause__ or exc.__context__, depth + 1)


def atomic_write_text(target: Path, text: str, *, append: bool = False) -> None:
    """Atomically write (or append to) a small text file such as the JSON-lines merge log."""
    try:
        existing = target.read_text(encoding="utf-8") if append and target.exists() else ""
    except OSError as exc:  # a folder, a file nobody may read: said like any failed write
        raise FileError(f"Không đọc được {target.name} để ghi thêm ({reason(exc)}); hãy kiểm tra "
                        "tệp đó.") from None
    atomic_write(target, lambda tmp: tmp.write_text(existing + text, encoding="utf-8"),
                 keep_backup=False)


def _temp_file(target: Path, folder: Path) -> Path:
    """An empty file .~cchc-<stem>-<random><suffix> in `folder`."""
    handle, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.stem}-", suffix=target.suffix,
                                    dir=folder)
    os.close(handle)
    return Path(name)


def remove_stale_temps(target: Path) -> list[Path]:
    """Delete what a killed run left: temporary files of `target` older than STALE_TEMP_SECONDS.

    Writes take seconds, so an older .~cchc-<stem>-*<suffix> beside the target or in sao-luu/
    belongs to no running write. A younger one is left alone: it may be another run's.
    """
    removed = []
    limit = time.time() - STALE_TEMP_SECONDS
    pattern = f"{glob.escape(TEMP_PREFIX + target.stem)}-*{glob.escape(target.suffix)}"
    for folder in (target.parent, target.parent / BACKUP_DIR):
        for path in folder.glob(pattern):
            try:
                if path.is_file() and path.stat().st_mtime < limit:
                    path.unlink()
                    removed.append(path)
            except OSError:
                pass  # in use (Windows) or already gone: try again next time
    return removed


def pause_point(point: str) -> None:
    """TEST ONLY: with CCHC_XL_TEST_PAUSE=<point>, announce the point on stderr and sleep.

    tests/test_crash.py uses it to kill -9 a real process at an exact point of a write. Points:
    before_backup, backup_copied, after_backup (in `backup`, so also sync's write), after_write,
    before_replace, after_replace (in `atomic_write`). Never set in normal use.
    """
    if os.environ.get("CCHC_XL_TEST_PAUSE") == point:
        sys.stderr.write(f"CCHC_XL_PAUSED {point}\n")
        sys.stderr.flush()
        time.sleep(60)


def _keep_mode(target: Path, tmp: Path) -> None:
    """mkstemp makes 0600 files: give the new file the old one's permissions (or the default)."""
    if target.exists():
        shutil.copymode(target, tmp)
    else:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
