"""The MS-OVBA streams of a VBA project: dir, PROJECT, PROJECTwm, modules.

We write source code only. `_VBA_PROJECT` says "no performance cache"
([MS-OVBA] 2.3.4.1: Version 0xFFFF) and every MODULEOFFSET is 0, so the host
compiles from source when it opens the file. All values that Office would
randomise are fixed here so the output is reproducible:

* ProjectId (PROJECT `ID=`): the all-zero GUID. It names the project's type
  library, which the host regenerates on compile; the spec itself requires the
  zero GUID for password-protected projects, so hosts accept it.
* CMG/DPB/GC: "unprotected" defaults from 2.3.1.15-17 (protection state
  0x00000000, no password = single 0x00 byte, visible = 0xFF), obfuscated per
  2.4.3.2 with the fixed seed `ENCRYPTION_SEED`. Its bits 1-2 are zero, so there
  are no "ignored" random bytes either.
* Cookies (PROJECTCOOKIE, MODULECOOKIE): 0xFFFF, as the spec says to write.
* PROJECTVERSION 1.0, SysKind Win32, LCID 0x0409, no references (see
  `dir_stream`).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass

VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000300")  # 2.3.4.1, no p-code
PROJECT_ID = "{00000000-0000-0000-0000-000000000000}"
ENCRYPTION_SEED = 0x08  # any byte works; (seed & 6) == 0 means no ignored bytes
_WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"  # Excel Workbook class
_WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"  # Excel Worksheet class
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_MAX_LINE = 1023  # the VBA editor rejects longer physical lines

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
# VBA keywords and the names of the libraries every Excel project sees; a module
# named like these does not compile or shadows the library. "Dir" would also
# clash with the `dir` stream in the VBA storage (CFB names ignore case).
_RESERVED = frozenset(
    """and as boolean byref byte byval call case cbool cbyte ccur cdate cdbl cdec cint
    clng clnglng clngptr const csng cstr currency cvar cverr date debug decimal declare
    dim dir do double each else elseif empty end endif enum eqv erase error event exit
    false for friend function get global gosub goto if imp implements in integer is let
    like long longlong longptr loop lset me mod new next not nothing null on option
    optional or paramarray preserve private property public raiseevent redim rem resume
    return rset select set single static stop string sub then to true type typeof until
    variant wend while with withevents xor vba excel office stdole msforms""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Module:
    name: str
    code: str  # full module text including Attribute lines, CRLF line ends
    document: bool  # document module (ThisWorkbook, sheets) vs standard module


def check_identifier(name: str, what: str, max_len: int = 31) -> None:
    """Raise ValueError unless `name` is a usable VBA module/project name."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(
            f"invalid {what} {name!r}: use an ASCII letter followed by letters, digits or _"
        )
    if len(name) > max_len:
        raise ValueError(f"invalid {what} {name!r}: longer than {max_len} characters")
    if name.lower() in _RESERVED:
        raise ValueError(f"invalid {what} {name!r}: reserved word or library name in VBA")


def normalise_source(name: str, source: str) -> str:
    """Validate module body text and return it with CRLF line ends."""
    if not isinstance(source, str):
        raise TypeError(f"source of module {name!r} must be str, not {type(source).__name__}")
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, 1):
        bad = next((c for c in line if not c.isascii() or c == "\0"), None)
        if bad is not None:
            raise ValueError(
                f"module {name!r} line {number}: non-ASCII character {bad!r} (U+{ord(bad):04X}); "
                "VBA source must be ASCII, build non-ASCII text at run time (e.g. ChrW)"
            )
        if re.match(r"\s*Attribute\s+VB_Name\b", line, re.IGNORECASE):
            raise ValueError(
                f"module {name!r} line {number}: remove 'Attribute VB_Name', "
                "it is added from the module name"
            )
        if len(line) > _MAX_LINE:
            raise ValueError(f"module {name!r} line {number}: longer than {_MAX_LINE} characters")
    return "".join(line + "\r\n" for line in lines)


def standard_module(name: str, body: str) -> Module:
    return Module(name, f'Attribute VB_Name = "{name}"\r\n' + body, document=False)


def document_module(name: str, base: str, body: str = "") -> Module:
    """A document module: the attributes Excel writes for ThisWorkbook/sheets."""
    header = (
        f'Attribute VB_Name = "{name}"\r\n'
        f'Attribute VB_Base = "{base}"\r\n'
        "Attribute VB_GlobalNameSpace = False\r\n"
        "Attribute VB_Creatable = False\r\n"
        "Attribute VB_PredeclaredId = True\r\n"
        "Attribute VB_Exposed = True\r\n"
        "Attribute VB_TemplateDerived = False\r\n"
        "Attribute VB_Customizable = True\r\n"
    )
    return Module(name, header + body, document=True)


def workbook_module(body: str = "") -> Module:
    return document_module("ThisWorkbook", _WORKBOOK_BASE, body)


def sheet_module(name: str) -> Module:
    return document_module(name, _WORKSHEET_BASE)


# --- dir stream ([MS-OVBA] 2.3.4.2), stored compressed ----------------------------


def _rec(record_id: int, payload: bytes) -> bytes:
    """Id (2 bytes), Size (4 bytes), then the payload."""
    return struct.pack("<HI", record_id, len(payload)) + payload


def _text_rec(record_id: int, unicode_id: int, text: str, codepage: str) -> bytes:
    """A record with an MBCS string followed by its UTF-16 twin."""
    return _rec(record_id, text.encode(codepage)) + _rec(unicode_id, text.encode("utf-16-le"))


def _u32(value: int) -> bytes:
    return struct.pack("<I", value)


def _u16(value: int) -> bytes:
    return struct.pack("<H", value)


def _project_information(name: str, codepage: int, enc: str) -> bytes:
    return b"".join(
        [
            _rec(0x0001, _u32(1)),  # PROJECTSYSKIND: Win32; the host recompiles anyway
            _rec(0x0002, _u32(0x0409)),  # PROJECTLCID (spec: MUST be 0x409)
            _rec(0x0014, _u32(0x0409)),  # PROJECTLCIDINVOKE
            _rec(0x0003, _u16(codepage)),  # PROJECTCODEPAGE
            _rec(0x0004, name.encode(enc)),  # PROJECTNAME
            _text_rec(0x0005, 0x0040, "", enc),  # PROJECTDOCSTRING
            _rec(0x0006, b"") + _rec(0x003D, b""),  # PROJECTHELPFILEPATH (two MBCS copies)
            _rec(0x0007, _u32(0)),  # PROJECTHELPCONTEXT
            _rec(0x0008, _u32(0)),  # PROJECTLIBFLAGS
            # PROJECTVERSION: Size field says 4 but 6 bytes follow (major u32, minor u16).
            struct.pack("<HIIH", 0x0009, 4, 1, 0),
            _text_rec(0x000C, 0x003C, "", enc),  # PROJECTCONSTANTS
        ]
    )


def _module_record(module: Module, enc: str) -> bytes:
    name = module.name
    return b"".join(
        [
            _rec(0x0019, name.encode(enc)),  # MODULENAME
            _rec(0x0047, name.encode("utf-16-le")),  # MODULENAMEUNICODE
            _text_rec(0x001A, 0x0032, name, enc),  # MODULESTREAMNAME (= module name)
            _text_rec(0x001C, 0x0048, "", enc),  # MODULEDOCSTRING
            _rec(0x0031, _u32(0)),  # MODULEOFFSET: source starts at 0, no p-code
            _rec(0x001E, _u32(0)),  # MODULEHELPCONTEXT
            _rec(0x002C, _u16(0xFFFF)),  # MODULECOOKIE
            _rec(0x0022 if module.document else 0x0021, b""),  # MODULETYPE
            _rec(0x002B, b""),  # Terminator
        ]
    )


def dir_stream(project_name: str, codepage: int, modules: Sequence[Module]) -> bytes:
    """The uncompressed dir stream.

    PROJECTREFERENCES is empty: the VBA and Excel libraries are implicit, and
    leaving out stdole/Office (which a user may also untick in Excel) avoids
    machine-specific type library paths and "MISSING:" references. Macros must
    therefore late-bind Office types (Dim x As Object).
    """
    enc = f"cp{codepage}"
    return b"".join(
        [
            _project_information(project_name, codepage, enc),
            _rec(0x000F, _u16(len(modules))),  # PROJECTMODULES
            _rec(0x0013, _u16(0xFFFF)),  # PROJECTCOOKIE
            *(_module_record(m, enc) for m in modules),
            _rec(0x0010, b""),  # Terminator
        ]
    )


# --- PROJECT stream ([MS-OVBA] 2.3.1) and PROJECTwm (2.3.3) ------------------------


def encrypt(data: bytes, project_id: str = PROJECT_ID, seed: int = ENCRYPTION_SEED) -> str:
    """Data Encryption (2.4.3.2) with a fixed seed, as upper-case hex."""
    version, proj_key = 2, sum(project_id.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ proj_key])
    unencrypted1, encrypted1, encrypted2 = proj_key, out[2], out[1]
    ignored = bytes((seed & 6) // 2)  # empty for our seed
    for byte in ignored + _u32(len(data)) + data:
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    return out.hex().upper()


def project_stream(project_name: str, codepage: int, modules: Sequence[Module]) -> bytes:
    lines = [f'ID="{PROJECT_ID}"']
    for m in modules:
        lines.append(f"Document={m.name}/&H00000000" if m.document else f"Module={m.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(bytes(4))}"',  # protection state: none
        f'DPB="{encrypt(bytes(1))}"',  # password: none
        f'GC="{encrypt(bytes([0xFF]))}"',  # visibility: visible
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER,
    ]
    return "".join(line + "\r\n" for line in lines).encode(f"cp{codepage}")


def projectwm_stream(modules: Sequence[Module], codepage: int) -> bytes:
    """Module name map: MBCS name + NUL, UTF-16 name + NUL, ..., then 2 NULs."""
    out = b"".join(
        m.name.encode(f"cp{codepage}") + b"\0" + m.name.encode("utf-16-le") + b"\0\0"
        for m in modules
    )
    return out + b"\0\0"
