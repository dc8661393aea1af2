"""The master's sheet password: checked before anything is written, never changed silently.

Every write rebuilds the master and protects its sheets again, so the password must be given
again, and a wrong one would silently re-protect the file with the typo. `check_password`
compares what the user gave with the hash stored in the sheets: the legacy 16-bit hash that
XlsxWriter and LibreOffice write, or the salted SHA-512 that Excel writes.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

from ..errors import FileError
from ..files.package import Package


def legacy_hash(password: str) -> str:
    """Excel's 16-bit sheet-protection hash (ECMA-376 Part 4, 3.3.1.81), upper-case hex."""
    value = 0
    for i, char in enumerate(password, start=1):
        shifted = ord(char) << i
        value ^= (shifted & 0x7FFF) | (shifted >> 15 & 0x7FFF)
    value ^= len(password) ^ 0xCE4B
    return f"{value:04X}"


def modern_hash(password: str, salt: str, spin_count: int, algorithm: str) -> str:
    """Excel 2010+'s hashValue: H0 = hash(salt + UTF-16LE password), then spinCount rounds."""
    name = algorithm.replace("-", "").lower()
    digest = hashlib.new(name, base64.b64decode(salt) + password.encode("utf-16-le")).digest()
    for i in range(spin_count):
        digest = hashlib.new(name, digest + i.to_bytes(4, "little")).digest()
    return base64.b64encode(digest).decode("ascii")


def stored_protection(path: Path) -> dict[str, str] | None:
    """The protection attributes of the first sheet protected with a password, if any."""
    try:
        with Package(path) as package:
            for sheet in package.sheet_parts():
                attrs = package.protection(sheet)
                if attrs and (attrs.get("password") or attrs.get("hashValue")):
                    return attrs
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    return None


def matches(password: str, attrs: dict[str, str]) -> bool:
    if attrs.get("hashValue"):
        try:
            return modern_hash(password, attrs.get("saltValue", ""),
                               int(attrs.get("spinCount", "0")),
                               attrs.get("algorithmName", "SHA-512")) == attrs["hashValue"]
        except (ValueError, TypeError):
            return False
    return legacy_hash(password) == attrs.get("password", "").upper().zfill(4)


def check_password(path: Path, password: str) -> None:
    """FileError unless `password` is exactly the sheets' password ('' when there is none)."""
    if not Path(path).exists():
        return
    attrs = stored_protection(path)
    name = Path(path).name
    if attrs is None:
        if password:
            raise FileError(f"Các sheet của {name} không đặt mật khẩu; hãy chạy lại không có "
                            "--password. Tệp chưa bị thay đổi.")
        return
    if not password:
        raise FileError(f"Các sheet của {name} được bảo vệ bằng mật khẩu; hãy chạy lại với "
                        "--password <mật khẩu> để tệp mới giữ nguyên mật khẩu. Tệp chưa bị thay "
                        "đổi.")
    if not matches(password, attrs):
        raise FileError(f"Sai mật khẩu của {name}: mật khẩu đã gõ không khớp với mật khẩu bảo "
                        "vệ sheet. Hãy gõ lại đúng mật khẩu. Tệp chưa bị thay đổi.")
