"""MS-OVBA compression ([MS-OVBA] 2.4.1), the LZ77 variant used for VBA source.

A CompressedContainer is the signature byte 0x01 followed by chunks. Each chunk
holds at most 4096 decompressed bytes and starts with a 2-byte little-endian
header: bits 0-11 = chunk size - 3, bits 12-14 = 0b011, bit 15 = 1 if the chunk
is compressed (token sequences) or 0 if it is 4096 raw bytes.

A token sequence is one flag byte followed by up to 8 tokens; flag bit i
(LSB first) says whether token i is a literal byte (0) or a 2-byte CopyToken
(1). A CopyToken packs (offset - 1) in the high bits and (length - 3) in the
low bits; the split depends on how far into the chunk we are (2.4.1.3.19.1).

Any valid token choice decompresses correctly, so our output need not match
Office's byte for byte; it only has to be deterministic, which it is (greedy
longest match, nearest candidate wins ties).
"""

from __future__ import annotations

CHUNK_SIZE = 4096
_SIGNATURE = 0x01
_HEADER_SIGNATURE = 0b011 << 12
_COMPRESSED_FLAG = 0x8000
_MAX_CANDIDATES = 256  # bounds the match search on pathological input


def _bit_count(difference: int) -> int:
    """Bits used for the offset at `difference` bytes into the chunk (min 4)."""
    return max((difference - 1).bit_length(), 4)


def _max_length(difference: int) -> int:
    return (0xFFFF >> _bit_count(difference)) + 3


def _pack_token(offset: int, length: int, difference: int) -> bytes:
    bits = _bit_count(difference)
    return (((offset - 1) << (16 - bits)) | (length - 3)).to_bytes(2, "little")


def _unpack_token(token: int, difference: int) -> tuple[int, int]:
    bits = _bit_count(difference)
    length_mask = 0xFFFF >> bits
    return (token >> (16 - bits)) + 1, (token & length_mask) + 3


def _longest_match(
    data: bytes, start: int, pos: int, end: int, candidates: list[int]
) -> tuple[int, int]:
    """Best (offset, length) for data[pos:] among earlier positions in the chunk."""
    limit = min(_max_length(pos - start), end - pos)
    best_offset, best_length = 0, 0
    for cand in reversed(candidates[-_MAX_CANDIDATES:]):  # nearest first
        length = 0
        # Overlapping matches (cand + length >= pos) are fine: the decoder copies
        # byte by byte, so it reproduces exactly these original bytes.
        while length < limit and data[cand + length] == data[pos + length]:
            length += 1
        if length > best_length:
            best_offset, best_length = pos - cand, length
            if length == limit:
                break
    return best_offset, best_length


def _compress_tokens(data: bytes, start: int, end: int) -> bytes:
    """Token sequences for data[start:end] (one chunk, at most 4096 bytes)."""
    out = bytearray()
    seen: dict[bytes, list[int]] = {}  # 3-byte prefix -> positions, oldest first
    pos = start
    while pos < end:
        flag_at, flags = len(out), 0
        out.append(0)
        for bit in range(8):
            if pos >= end:
                break
            key = data[pos : pos + 3]
            offset, length = _longest_match(data, start, pos, end, seen.get(key, []))
            if length >= 3:
                out += _pack_token(offset, length, pos - start)
                flags |= 1 << bit
            else:
                out.append(data[pos])
                length = 1
            for p in range(pos, min(pos + length, end - 2)):  # index what we consumed
                seen.setdefault(data[p : p + 3], []).append(p)
            pos += length
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress `data` into an MS-OVBA CompressedContainer."""
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), CHUNK_SIZE):
        end = min(start + CHUNK_SIZE, len(data))
        tokens = _compress_tokens(data, start, end)
        if len(tokens) <= CHUNK_SIZE:  # chunk (header + tokens) fits in 4098 bytes
            header = _COMPRESSED_FLAG | _HEADER_SIGNATURE | (len(tokens) + 2 - 3)
            out += header.to_bytes(2, "little") + tokens
        elif end - start == CHUNK_SIZE:
            # Incompressible: store the 4096 bytes raw (size field 4095, flag 0).
            out += (_HEADER_SIGNATURE | 0x0FFF).to_bytes(2, "little") + data[start:end]
        else:
            # The spec pads a short raw chunk with zeros, which would silently add
            # NUL bytes to the decompressed text; refuse rather than corrupt.
            raise ValueError(
                "cannot compress: the last chunk is too random to fit a compressed chunk "
                "and the spec would pad it with NUL bytes"
            )
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (2.4.1.3.1)."""
    if not container or container[0] != _SIGNATURE:
        raise ValueError("not an MS-OVBA compressed container (bad signature byte)")
    out = bytearray()
    pos = 1
    while pos < len(container):
        if pos + 2 > len(container):
            raise ValueError("truncated chunk header")
        header = int.from_bytes(container[pos : pos + 2], "little")
        if header & 0x7000 != _HEADER_SIGNATURE:
            raise ValueError(f"bad chunk signature at offset {pos}")
        chunk_end = min(pos + (header & 0x0FFF) + 3, len(container))
        pos += 2
        if not header & _COMPRESSED_FLAG:
            out += container[pos : pos + CHUNK_SIZE]
            pos += CHUNK_SIZE
            continue
        pos = _decompress_tokens(container, pos, chunk_end, out)
    return bytes(out)


def _decompress_tokens(src: bytes, pos: int, end: int, out: bytearray) -> int:
    """Append the chunk's decompressed bytes to `out`; return the next position."""
    chunk_start = len(out)
    while pos < end:
        flags = src[pos]
        pos += 1
        for bit in range(8):
            if pos >= end:
                break
            if not flags & (1 << bit):
                out.append(src[pos])
                pos += 1
                continue
            token = int.from_bytes(src[pos : pos + 2], "little")
            pos += 2
            offset, length = _unpack_token(token, len(out) - chunk_start)
            copy_from = len(out) - offset
            if copy_from < chunk_start:
                raise ValueError("copy token points before the start of its chunk")
            for i in range(length):  # byte by byte: source may overlap output
                out.append(out[copy_from + i])
    return pos
