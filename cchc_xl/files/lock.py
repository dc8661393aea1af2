"""One writer at a time: an exclusive lock on the master, held from reading it to replacing it.

Every command that writes the master (merge, sync, new over an existing file, the buttons'
live mode) holds `WriteLock` for the whole read-change-write, so two people merging at once
never lose each other's units: the second waits a few seconds, then refuses and says who holds
the lock. The lock is an operating-system lock (flock on POSIX, a byte-range lock on Windows)
on a small file beside the master, `.~cchc-khoa-<name>`, which also names the holder (machine,
user, process, since when, command). The system releases the lock when a process dies, even
killed with -9, so a lock left by a killed run never blocks anyone: the next run takes it and
says whose it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import socket
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import FileError
from .oserrors import advice, reason

LOCK_PREFIX = ".~cchc-khoa-"
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.2
# Windows locks byte ranges and a locked range cannot be read: the holder's description is
# written at the start of the file and the lock taken far beyond it.
_LOCK_OFFSET = 1 << 20


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a lock."""

    host: str
    user: str
    pid: int
    since: str  # ISO time, local
    command: str

    def describe(self) -> str:
        when = self.since
        with contextlib.suppress(ValueError):
            when = dt.datetime.fromisoformat(self.since).strftime("%H:%M:%S ngày %d/%m/%Y")
        what = f" (lệnh: {self.command})" if self.command else ""
        return (f"người dùng {self.user} trên máy {self.host}, tiến trình {self.pid}, từ {when}"
                + what)


def lock_path(target: Path) -> Path:
    return Path(target).with_name(LOCK_PREFIX + Path(target).name)


class WriteLock:
    """`with WriteLock(master, command="merge"):` — exclusive, waits at most `wait` seconds."""

    def __init__(self, target: Path, *, command: str = "", wait: float = WAIT_SECONDS) -> None:
        self.target = Path(target)
        self.path = lock_path(self.target)
        self.command = command
        self.wait = wait
        self.cleared: Holder | None = None  # a lock a killed run left behind, taken over
        self._fd: int | None = None
        self._depth = 0

    def __enter__(self) -> WriteLock:
        if self._depth == 0:
            self._acquire()
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._release()

    @property
    def held(self) -> bool:
        return self._fd is not None

    # -----------------------------------------------------------------------------------------
    def _acquire(self) -> None:
        deadline = time.monotonic() + self.wait
        while True:
            fd = self._open()
            if _try_lock(fd):
                if self._same_file(fd):
                    break
                _unlock(fd)  # the previous holder removed the file as we opened it: again
            holder = _read_holder(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                who = holder.describe() if holder else "một lần chạy khác của cchc-xl"
                raise FileError(
                    f"Tệp {self.target.name} đang được ghi bởi {who}. Hãy chờ lần chạy đó xong "
                    "rồi chạy lại (tệp chưa bị thay đổi). Nếu chắc chắn không còn ai chạy, đóng "
                    "các cửa sổ cchc-xl/Excel đang dùng tệp rồi thử lại.")
            time.sleep(POLL_SECONDS)
        self.cleared = _read_holder(fd)  # content left while nobody held the lock: a dead run
        me = Holder(socket.gethostname(), _user(), os.getpid(),
                    dt.datetime.now().isoformat(timespec="seconds"), self.command)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(asdict(me), ensure_ascii=False).encode("utf-8"))
        os.fsync(fd)
        self._fd = fd

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except PermissionError:
            raise FileError(f"Không tạo được tệp khóa trong thư mục {self.target.parent}: không "
                            "có quyền ghi. Hãy chọn thư mục khác hoặc xin quyền ghi.") from None
        except OSError as exc:
            raise FileError(f"Không tạo được tệp khóa {self.path.name} ({reason(exc)}); tệp "
                            f"chưa bị thay đổi. Cách xử lý: {advice(exc)}.") from None

    def _same_file(self, fd: int) -> bool:
        try:
            return os.path.samestat(os.fstat(fd), os.stat(self.path))
        except FileNotFoundError:
            return False

    def _release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # an empty lock file holds nobody
            os.unlink(self.path)  # while still locked, so nobody takes a file about to vanish
        except OSError:
            pass  # Windows keeps a file open elsewhere: left empty, which is harmless
        finally:
            _unlock(fd)
            os.close(fd)


def _read_holder(fd: int) -> Holder | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        raw = os.read(fd, 4096)
        data = json.loads(raw.decode("utf-8")) if raw.strip() else None
        return Holder(**data) if isinstance(data, dict) else None
    except (OSError, ValueError, TypeError):
        return None


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (a service account): still lock
        return "?"


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
