"""Tests for the vbaProject.bin writer, checked with independent readers."""

from __future__ import annotations

import io
import random
import re
import subprocess
import uuid
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping
from pathlib import Path

import olefile
import pytest
import xlsxwriter

from cchc_xl.vba import build_vba_project, read_bas_modules
from cchc_xl.vba.cfb import build_cfb
from cchc_xl.vba.compression import compress, decompress
from cchc_xl.vba.project import PROJECT_ID
from devtools.libreoffice import find_soffice

with warnings.catch_warnings():  # oletools uses deprecated pyparsing names at import
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser

# --- compression ([MS-OVBA] 2.4.1) -------------------------------------------------

# [MS-OVBA] 3.2.1 and 3.2.2: the spec's own worked examples.
SPEC_EXAMPLES = [
    (
        b"abcdefghijklmnopqrstuv.",
        "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E",
    ),
    (
        b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
        (
            "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 "
            "20 6D 6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C"
        ),
    ),
]


@pytest.mark.parametrize(("plain", "packed"), SPEC_EXAMPLES)
def test_spec_examples(plain: bytes, packed: str) -> None:
    assert decompress(bytes.fromhex(packed)) == plain
    assert compress(plain) == bytes.fromhex(packed)


def _inputs() -> list[bytes]:
    rng = random.Random(20240601)
    letters = b"abcdefghijklmnopqrstuvwxyz \r\n"
    code = b'    If x > 0 Then\r\n        MsgBox "Hello", vbInformation\r\n    End If\r\n'
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
    vba = {
        "dir": rng.randbytes(5000),  # regular sectors
        "Big": rng.randbytes(70000),  # needs two FAT sectors
        "edge": b"e" * 4096,  # exactly the cut-off: regular stream
        "small": b"s" * 4095,  # mini stream
        "empty": b"",
    }
    tree: dict[str, bytes | dict[str, bytes]] = {"PROJECT": b"x" * 300, "VBA": vba}
    blob = build_cfb(tree)
    assert len(blob) % 512 == 0
    ole = olefile.OleFileIO(io.BytesIO(blob), raise_defects=olefile.DEFECT_INCORRECT)
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(
        ["PROJECT", "VBA/dir", "VBA/Big", "VBA/edge", "VBA/small", "VBA/empty"]
    )
    assert ole.openstream("PROJECT").read() == tree["PROJECT"]
    for name, data in vba.items():
        assert ole.openstream(["VBA", name]).read() == data
    assert build_cfb(tree) == blob


def test_cfb_rejects_bad_names() -> None:
    with pytest.raises(ValueError):
        build_cfb({"a" * 32: b""})
    with pytest.raises(ValueError):
        build_cfb({"Dir": b"", "DIR": b""})


# --- whole project -----------------------------------------------------------------

HELLO = ('Option Explicit\n\nPublic Sub SayHello()\n    MsgBox "Hello from VBA", vbInformation\n'
         "End Sub\n")
HELPERS = ("Option Explicit\r\n\r\nPublic Function Twice(ByVal x As Long) As Long\r\n"
           "    Twice = 2 * x\r\nEnd Function")
ALERT = "Public Sub Alert()\r    MsgBox CStr(Twice(21))\rEnd Sub\r"  # old Mac line ends


def _big_source() -> str:
    """> 4096 bytes even after compression: several chunks, a regular CFB stream."""
    rng = random.Random(11)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    lines = ["Option Explicit", "", "Public Function BigTable() As String", "    Dim s As String"]
    for i in range(300):
        word = "".join(rng.choice(alphabet) for _ in range(40))
        lines.append(f'    s = s & "{word}" \' row {i}')
    lines += ["    BigTable = s", "End Function"]
    return "\n".join(lines) + "\n"


BIG = _big_source()

# name -> (modules, sheet code names, macro on the button, module expected to hold it)
SCENARIOS: dict[str, tuple[dict[str, str], list[str], str, str | None]] = {
    "one": ({"CchcButtons": HELLO}, ["Sheet1"], "SayHello", "CchcButtons"),
    "two": ({"CchcHelpers": HELPERS, "CchcAlerts": ALERT}, [], "Alert", "CchcAlerts"),
    "three": (
        {"CchcButtons": HELLO, "CchcHelpers": HELPERS, "CchcBig": BIG},
        ["Sheet1"],
        "SayHello",
        "CchcButtons",
    ),
    # Negative control: the button names a macro that does not exist.
    "missing": ({"CchcHelpers": HELPERS}, ["Sheet1"], "SayHello", None),
}


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _strip_attributes(code: str) -> str:
    lines = _lf(code).split("\n")
    while lines and lines[0].startswith("Attribute "):
        lines.pop(0)
    return "\n".join(lines)


def _expected(source: str) -> str:
    text = _lf(source)
    return text if text.endswith("\n") else text + "\n"


def _write_xlsm(path: Path, blob: bytes, macro: str) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    worksheet = workbook.add_worksheet()
    workbook.add_vba_project(io.BytesIO(blob), is_stream=True)
    worksheet.insert_button("B3", {"macro": macro, "caption": "Bấm"})
    workbook.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, Path]]:
    """Each scenario's vbaProject.bin bytes and the .xlsm that embeds it."""
    folder = tmp_path_factory.mktemp("xlsm")
    out = {}
    for name, (modules, sheets, macro, _) in SCENARIOS.items():
        blob = build_vba_project(modules, sheet_code_names=sheets)
        path = folder / f"{name}.xlsm"
        _write_xlsm(path, blob, macro)
        out[name] = (blob, path)
    return out


def _olevba_modules(path: Path, data: bytes | None = None) -> dict[str, str]:
    parser = VBA_Parser(str(path), data=data)
    try:
        assert parser.detect_vba_macros()
        return {vba_name: code for _, _, vba_name, code in parser.extract_macros()}
    finally:
        parser.close()


def _expected_olevba(modules: Mapping[str, str], sheets: list[str]) -> dict[str, str]:
    expected = {f"{n}.bas": _expected(src) for n, src in modules.items()}
    expected.update({f"{n}.cls": "" for n in ["ThisWorkbook", *sheets]})
    return expected


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_olevba_reads_bin_and_xlsm(scenario: str, built: dict[str, tuple[bytes, Path]]) -> None:
    modules, sheets, _, _ = SCENARIOS[scenario]
    blob, xlsm = built[scenario]
    expected = _expected_olevba(modules, sheets)
    for found in (_olevba_modules(Path("vbaProject.bin"), blob), _olevba_modules(xlsm)):
        assert {k: _strip_attributes(v) for k, v in found.items()} == expected
        for name in modules:
            assert found[f"{name}.bas"].startswith(f'Attribute VB_Name = "{name}"\r\n')


def test_olefile_lists_streams_and_build_is_reproducible(
    built: dict[str, tuple[bytes, Path]],
) -> None:
    blob, _ = built["three"]
    ole = olefile.OleFileIO(io.BytesIO(blob), raise_defects=olefile.DEFECT_INCORRECT)
    streams = sorted("/".join(p) for p in ole.listdir())
    vba = ["CchcBig", "CchcButtons", "CchcHelpers", "Sheet1", "ThisWorkbook"]
    assert streams == sorted(
        ["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"] + [f"VBA/{m}" for m in vba]
    )
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000300")
    big = ole.openstream("VBA/CchcBig").read()
    assert len(big) >= 4096  # a regular (non-mini) stream ...
    assert ole.get_size("VBA/CchcBig") >= ole.minisectorcutoff
    assert _lf(decompress(big).decode("ascii")).count("\n") > 300  # ... of several chunks
    assert len(BIG) > 3 * 4096
    # Same input, any dict order -> identical bytes.
    modules, sheets, _, _ = SCENARIOS["three"]
    again = build_vba_project(dict(reversed(list(modules.items()))), sheet_code_names=sheets)
    assert again == blob


def _decrypt(hex_text: str) -> bytes:
    """[MS-OVBA] 2.4.3.3 Decryption, written from the spec independently."""
    data = bytes.fromhex(hex_text)
    seed, version_enc, proj_key_enc = data[0], data[1], data[2]
    assert seed ^ version_enc == 2
    proj_key = seed ^ proj_key_enc
    assert proj_key == sum(PROJECT_ID.encode()) & 0xFF
    unencrypted1, encrypted1, encrypted2 = proj_key, proj_key_enc, version_enc
    plain = bytearray()
    for enc in data[3:]:
        byte = enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    ignored = (seed & 6) // 2
    length = int.from_bytes(plain[ignored : ignored + 4], "little")
    body = bytes(plain[ignored + 4 :])
    assert len(body) == length
    return body


def test_project_stream_properties(built: dict[str, tuple[bytes, Path]]) -> None:
    blob, _ = built["three"]
    ole = olefile.OleFileIO(io.BytesIO(blob))
    text = ole.openstream("PROJECT").read().decode("ascii")
    assert text.startswith(f'ID="{PROJECT_ID}"\r\n')
    assert "Document=ThisWorkbook/&H00000000\r\n" in text
    assert "Document=Sheet1/&H00000000\r\n" in text
    assert "Module=CchcBig\r\n" in text and 'Name="VBAProject"\r\n' in text
    fields = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"\r$', text, re.MULTILINE))
    assert _decrypt(fields["CMG"]) == bytes(4)  # not protected
    assert _decrypt(fields["DPB"]) == b"\0"  # no password
    assert _decrypt(fields["GC"]) == b"\xff"  # visible
    assert 22 <= len(fields["CMG"]) <= 28 and 16 <= len(fields["GC"]) <= 22
    wm = ole.openstream("PROJECTwm").read()
    assert wm.startswith(b"ThisWorkbook\0" + "ThisWorkbook\0".encode("utf-16-le"))
    assert wm.endswith(b"\0\0")


def test_this_workbook_body_and_line_endings() -> None:
    blob = build_vba_project({"ThisWorkbook": "Private Sub Workbook_Open()\nEnd Sub", "M": "'x"})
    found = _olevba_modules(Path("vbaProject.bin"), blob)
    assert _strip_attributes(found["ThisWorkbook.cls"]) == "Private Sub Workbook_Open()\nEnd Sub\n"
    assert found["M.bas"] == 'Attribute VB_Name = "M"\r\n\'x\r\n'


def test_rejects_wrong_types() -> None:
    with pytest.raises(TypeError, match="must be str"):
        build_vba_project({"M": b"bytes"})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="sequence"):
        build_vba_project({"M": ""}, sheet_code_names="Sheet1")
    with pytest.raises(TypeError, match="mapping"):
        build_vba_project([("M", "")])  # type: ignore[arg-type]


def test_read_bas_modules(tmp_path: Path) -> None:
    (tmp_path / "CchcButtons.bas").write_bytes(
        b'Attribute VB_Name = "CchcButtons"\r\n' + HELLO.encode()
    )
    (tmp_path / "CchcHelpers.bas").write_text(HELPERS, encoding="ascii")
    (tmp_path / "notes.txt").write_text("ignored")
    modules = read_bas_modules(tmp_path)
    assert modules == {"CchcButtons": HELLO, "CchcHelpers": HELPERS}
    assert build_vba_project(modules) == build_vba_project(
        {"CchcButtons": HELLO, "CchcHelpers": HELPERS}
    )
    (tmp_path / "Bad.bas").write_bytes('MsgBox "Bấm"'.encode())
    with pytest.raises(ValueError, match="Bad.bas.*ASCII"):
        read_bas_modules(tmp_path)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"modules": {"Cchc": 'MsgBox "Bấm"'}}, "non-ASCII"),
        ({"modules": {"Cchc": 'x = "\u00e9"'}}, "line 1"),
        ({"modules": {"Nút": ""}}, "invalid module name"),
        ({"modules": {"1Module": ""}}, "invalid module name"),
        ({"modules": {"My Module": ""}}, "invalid module name"),
        ({"modules": {"M" * 32: ""}}, "longer than 31"),
        ({"modules": {"Sub": ""}}, "reserved"),
        ({"modules": {"dir": ""}}, "reserved"),
        ({"modules": {"cchc": "", "CCHC": ""}}, "clashes"),
        ({"modules": {"Sheet1": ""}, "sheet_code_names": ["Sheet1"]}, "clashes"),
        ({"modules": {"vbaproject": ""}}, "clashes"),
        ({"modules": {"M": 'Attribute VB_Name = "M"\nSub A()\nEnd Sub'}}, "VB_Name"),
        ({"modules": {"M": "'" + "x" * 1100}}, "longer than 1023"),
        ({"modules": {"M": ""}, "project_name": "My Project"}, "project name"),
        ({"modules": {"M": ""}, "codepage": 99999}, "code page"),
    ],
)
def test_rejects_bad_input(kwargs: dict, message: str) -> None:
    modules = kwargs.pop("modules")
    with pytest.raises(ValueError, match=message):
        build_vba_project(modules, **kwargs)


# --- LibreOffice imports the project and binds the button --------------------------

SOFFICE = find_soffice()


@pytest.fixture(scope="module")
def converted(
    built: dict[str, tuple[bytes, Path]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Convert every scenario's .xlsm to .ods in one headless LibreOffice run."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed; cannot check the VBA import")
    out_dir = tmp_path_factory.mktemp("ods")
    profile = tmp_path_factory.mktemp("lo-profile") / uuid.uuid4().hex
    inputs = [str(path) for _, path in built.values()]
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "ods", "--outdir", str(out_dir), *inputs],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return {name: out_dir / f"{name}.ods" for name in built}


def _basic_module_text(ods: zipfile.ZipFile, module: str) -> str:
    root = ET.fromstring(ods.read(f"Basic/VBAProject/{module}.xml"))
    return root.text or ""


@pytest.mark.libreoffice
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_libreoffice_imports_modules_and_button(scenario: str, converted: dict[str, Path]) -> None:
    modules, _, macro, holder = SCENARIOS[scenario]
    with zipfile.ZipFile(converted[scenario]) as ods:
        for name, source in modules.items():
            assert _expected(source) in _lf(_basic_module_text(ods, name))
        content = ods.read("content.xml").decode("utf-8")
    actions = re.findall(
        r'<script:event-listener[^>]*script:event-name="form:performaction"[^>]*'
        r'xlink:href="([^"]+)"',
        content,
    )
    if holder is None:  # LibreOffice binds the button only to a macro that exists
        assert actions == []
    else:
        assert len(actions) == 1
        assert actions[0].startswith(f"vnd.sun.star.script:VBAProject.{holder}.{macro}?")
