"""Minimal, deterministic MS-CFB (compound file) version 3 writer.

Only what a vbaProject.bin needs: 512-byte sectors, one FAT (up to 109 FAT
sectors, so no DIFAT sectors, about 6.8 MB of content), a mini stream for
streams smaller than 4096 bytes, and a directory whose sibling trees are
balanced binary search trees with every node black. [MS-CFB] 2.6.4 only
requires a black root, no two red nodes in a row and correct ordering, which
an all-black tree satisfies. Timestamps and CLSIDs are zero, so the same
input always gives the same bytes.

File layout: header, FAT sectors, directory sectors, mini FAT sectors,
mini stream sectors, then each regular stream in tree order.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Union

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096  # streams smaller than this live in the mini stream
MAX_NAME_CHARS = 31  # 32 UTF-16 code units including the terminating NUL
FREESECT, ENDOFCHAIN, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
_HEADER_DIFAT_SLOTS = 109
_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_BLACK = 1

# A storage maps child names to bytes (a stream) or to another storage.
Tree = Mapping[str, Union[bytes, "Tree"]]


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN
    size: int = 0


def _sort_key(name: str) -> tuple[int, str]:
    # [MS-CFB] 2.6.4: shorter names first, then code point by code point
    # after upper-casing. Names are ASCII here, so str.upper() is exact.
    return len(name), name.upper()


def _check_name(name: str) -> None:
    if not name or len(name) > MAX_NAME_CHARS or any(c in "/\\:!" for c in name):
        raise ValueError(f"invalid compound file entry name: {name!r}")


def _flatten(tree: Tree, entries: list[_Entry], parent: _Entry) -> None:
    """Append the children of `tree` (sorted) to `entries`, depth first."""
    keys = sorted(tree, key=_sort_key)
    if len({_sort_key(k)[1] for k in keys}) != len(keys):
        raise ValueError(f"duplicate (case-insensitive) names under {parent.name!r}")
    for name in keys:
        _check_name(name)
        value = tree[name]
        parent.children.append(len(entries))
        if isinstance(value, (bytes, bytearray)):
            entries.append(_Entry(name, _STREAM, bytes(value), size=len(value)))
        else:
            entry = _Entry(name, _STORAGE)
            entries.append(entry)
            _flatten(value, entries, entry)


def _link_siblings(entries: list[_Entry], ids: list[int]) -> int:
    """Make a balanced BST of the sorted sibling `ids`; return its root id."""
    if not ids:
        return NOSTREAM
    mid = len(ids) // 2
    node = entries[ids[mid]]
    node.left = _link_siblings(entries, ids[:mid])
    node.right = _link_siblings(entries, ids[mid + 1 :])
    return ids[mid]


def _sectors(nbytes: int, size: int = SECTOR) -> int:
    return -(-nbytes // size)


def _chain(fat: list[int], first: int, count: int) -> None:
    """Record a contiguous chain of `count` sectors starting at `first`."""
    for i in range(first, first + count - 1):
        fat[i] = i + 1
    if count:
        fat[first + count - 1] = ENDOFCHAIN


def _pad(data: bytes, size: int, filler: bytes = b"\0") -> bytes:
    """Pad `data` to a multiple of `size` with copies of `filler`."""
    return data + filler * ((-len(data) % size) // len(filler))


def _dir_entry(e: _Entry) -> bytes:
    name = (e.name + "\0").encode("utf-16-le") if e.name else b""
    return struct.pack(
        "<64sHBB3I16sI8s8sIQ",
        name, len(name), e.kind, _BLACK, e.left, e.right, e.child,
        b"\0" * 16, 0, b"\0" * 8, b"\0" * 8, e.start, e.size,
    )  # fmt: skip


_EMPTY_ENTRY = _dir_entry(_Entry("", 0, start=0))


def build_cfb(tree: Tree) -> bytes:
    """Serialise `tree` (root storage contents) as a CFB v3 file."""
    root = _Entry("Root Entry", _ROOT)
    entries = [root]
    _flatten(tree, entries, root)
    for e in entries:
        e.child = _link_siblings(entries, e.children)

    # Mini stream: small streams packed in 64-byte mini sectors.
    mini_fat: list[int] = []
    mini_stream = bytearray()
    big = [e for e in entries if e.kind == _STREAM and e.size >= MINI_CUTOFF]
    for e in entries:
        if e.kind == _STREAM and 0 < e.size < MINI_CUTOFF:
            e.start = len(mini_fat)
            mini_fat += [FREESECT] * _sectors(e.size, MINI_SECTOR)
            _chain(mini_fat, e.start, _sectors(e.size, MINI_SECTOR))
            mini_stream += _pad(e.data, MINI_SECTOR)

    n_dir = _sectors(len(entries) * 128)
    n_minifat = _sectors(len(mini_fat) * 4)
    n_mini = _sectors(len(mini_stream))
    n_content = n_dir + n_minifat + n_mini + sum(_sectors(e.size) for e in big)
    n_fat = 1
    while n_fat * (SECTOR // 4) < n_fat + n_content:  # the FAT maps its own sectors
        n_fat += 1
    if n_fat > _HEADER_DIFAT_SLOTS:
        raise ValueError("VBA project too large for a compound file without DIFAT sectors")

    fat = [FREESECT] * (n_fat * SECTOR // 4)
    fat[:n_fat] = [FATSECT] * n_fat
    next_free = n_fat

    def allocate(count: int) -> int:
        nonlocal next_free
        first = next_free
        _chain(fat, first, count)
        next_free += count
        return first if count else ENDOFCHAIN

    dir_start = allocate(n_dir)
    minifat_start = allocate(n_minifat)
    root.start, root.size = allocate(n_mini), len(mini_stream)
    for e in big:
        e.start = allocate(_sectors(e.size))

    header = struct.pack(
        "<8s16s5H6s9I",
        _SIGNATURE, b"\0" * 16, 0x003E, 0x0003, 0xFFFE, 9, 6, b"\0" * 6,
        0, n_fat, dir_start, 0, MINI_CUTOFF, minifat_start, n_minifat, ENDOFCHAIN, 0,
    )  # fmt: skip
    difat = list(range(n_fat)) + [FREESECT] * (_HEADER_DIFAT_SLOTS - n_fat)
    parts = [
        header + struct.pack(f"<{_HEADER_DIFAT_SLOTS}I", *difat),
        struct.pack(f"<{len(fat)}I", *fat),
        # Unused directory slots and mini FAT entries have their own "empty" values.
        _pad(b"".join(_dir_entry(e) for e in entries), SECTOR, _EMPTY_ENTRY),
        _pad(struct.pack(f"<{len(mini_fat)}I", *mini_fat), SECTOR, b"\xff"),
        _pad(bytes(mini_stream), SECTOR),
        *(_pad(e.data, SECTOR) for e in big),
    ]
    return b"".join(parts)
