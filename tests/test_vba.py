"""Tests for the vbaProject.bin writer, checked with independent readers."""

from __future__ import annotations

import io
import random

import olefile
import pytest

from cchc_xl.vba.cfb import build_cfb
from cchc_xl.vba.compression import compress, decompress

# --- compression ([MS-OVBA] 2.4.1) -------------------------------------------------

# [MS-OVBA] 3.2.1 and 3.2.2: the spec's own worked examples.
SPEC_EXAMPLES = [
    (
        b"abcdefghijklmnopqrstuv.",
        "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E",
    ),
    (
        b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 "
        "20 6D 6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C",
    ),
]


@pytest.mark.parametrize(("plain", "packed"), SPEC_EXAMPLES)
def test_spec_examples(plain: bytes, packed: str) -> None:
    assert decompress(bytes.fromhex(packed)) == plain
    assert compress(plain) == bytes.fromhex(packed)


def _inputs() -> list[bytes]:
    rng = random.Random(20240601)
    letters = b"abcdefghijklmnopqrstuvwxyz \r\n"
    code = b"    If x > 0 Then\r\n        MsgBox \"Hello\", vbInformation\r\n    End If\r\n"
    out = [b"", b"a", b"ab", b"abc", b"a" * 4096, b"a" * 10000, code * 300]
    for n in (100, 4095, 4096, 4097, 8192, 12289):
        out.append(bytes(rng.choice(letters[:8]) for _ in range(n)))  # small alphabet
    for n in (100, 2047, 4096, 4097, 8192, 12289):  # incompressible: raw chunks
        out.append(rng.randbytes(n))
    out.append(bytes(rng.choice(letters) for _ in range(9000)))  # last chunk 808 bytes
    return out


@pytest.mark.parametrize("data", _inputs(), ids=lambda d: f"len{len(d)}")
def test_round_trip(data: bytes) -> None:
    packed = compress(data)
    assert decompress(packed) == data
    assert compress(data) == packed  # deterministic


def test_incompressible_input_uses_raw_chunks() -> None:
    data = random.Random(7).randbytes(8192)
    packed = compress(data)
    assert len(packed) == 1 + 2 * (2 + 4096)  # two raw chunks, header 0x3FFF each
    assert packed[1:3] == b"\xff\x3f"


def test_short_incompressible_tail_is_refused() -> None:
    # The spec would pad a short raw chunk with NULs; we refuse instead.
    with pytest.raises(ValueError, match="NUL"):
        compress(random.Random(3).randbytes(4000))


def test_decompress_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        decompress(b"\x02\x00")
    with pytest.raises(ValueError):
        decompress(b"\x01\x00\x00")


# --- compound file ---------------------------------------------------------------


def test_cfb_round_trip_with_olefile() -> None:
    rng = random.Random(5)
    tree = {
        "PROJECT": b"x" * 300,
        "VBA": {
            "dir": rng.randbytes(5000),  # regular sectors
            "Big": rng.randbytes(70000),  # needs two FAT sectors
            "edge": b"e" * 4096,  # exactly the cut-off: regular stream
            "small": b"s" * 4095,  # mini stream
            "empty": b"",
        },
    }
    blob = build_cfb(tree)
    assert len(blob) % 512 == 0
    ole = olefile.OleFileIO(io.BytesIO(blob), raise_defects=olefile.DEFECT_INCORRECT)
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(
        ["PROJECT", "VBA/dir", "VBA/Big", "VBA/edge", "VBA/small", "VBA/empty"]
    )
    assert ole.openstream("PROJECT").read() == tree["PROJECT"]
    for name, data in tree["VBA"].items():  # type: ignore[union-attr]
        assert ole.openstream(["VBA", name]).read() == data
    assert build_cfb(tree) == blob


def test_cfb_rejects_bad_names() -> None:
    with pytest.raises(ValueError):
        build_cfb({"a" * 32: b""})
    with pytest.raises(ValueError):
        build_cfb({"Dir": b"", "DIR": b""})
