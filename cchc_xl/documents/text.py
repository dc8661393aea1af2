"""Text as the documents print it: what people typed, numbers, units, the agency's name.

Shared by the Word and the Excel documents, so both spell a date, a number or a unit the same.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from ..criteria.catalogue import Catalogue
from ..criteria.numbers import vn_number, vn_percent
from ..format.state import as_date, plain_value

DOTS = "……………"  # a blank the clerk fills in by hand

# Control characters a cell can hold but a Word document cannot: a line break copied from Word
# (vertical tab) or a page break becomes a new line; the others are dropped.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text: str) -> str:
    return _CONTROL.sub(lambda m: "\n" if m.group() in "\x0b\x0c" else "", text)


def typed_text(value: Any) -> str:
    """What a person typed, as a document shows it: dates dd/mm/yyyy, a formula's value."""
    value = plain_value(value)
    date = as_date(value)
    if date is not None:
        return f"{date:%d/%m/%Y}"
    return "" if value is None else printable(str(value)).strip()


def typed_value(value: Any) -> dt.date | str:
    """A typed deadline for a spreadsheet: a date stays a date, anything else is its text."""
    date = as_date(plain_value(value))
    return date if date is not None else typed_text(value)


def num(value: Decimal | None) -> str:
    """'84,27', '3', '' for nothing."""
    return "" if value is None else vn_number(value)


def pct(fraction: Decimal | None) -> str:
    """'89,17%', '' for nothing."""
    return "" if fraction is None else vn_percent(fraction)


def signed(value: Decimal | None) -> str:
    """A penalty as the appendix shows it: '-0,5' ('0' for none)."""
    if value is None:
        return ""
    return num(-value) if value else "0"


def unit_names(catalogue: Catalogue, codes: Any) -> str:
    """Unit codes (a tuple, or text like 'VP; NV1, các phòng') as names, '; '-separated.

    Codes the catalogue knows become their names; anything else is kept as typed."""
    if isinstance(codes, (tuple, list)):
        parts = [str(c) for c in codes]
    else:
        parts = re.split(r"[;,\n]", typed_text(codes))
    names = [catalogue.unit_name(p.strip()) for p in parts if p.strip()]
    return "; ".join(dict.fromkeys(names))


def agency_name(org: str, agency: str) -> str:
    """The agency as running text names it: 'Sở Tư pháp tỉnh Lạng Sơn' (the master's
    organisation), else the heading's 'SỞ TƯ PHÁP' written 'Sở Tư pháp'."""
    if org.strip():
        return org.strip()
    if not agency.strip():
        return "Sở"
    if agency != agency.upper():
        return agency.strip()
    words = agency.strip().lower().split()
    return " ".join(w.capitalize() if i < 2 else w for i, w in enumerate(words))


def sentence(text: str) -> str:
    """The text with a capital first letter and a full stop (typed causes often lack both)."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".;:!?)…" else text + "."


def roman(n: int) -> str:
    """1 → 'I', 4 → 'IV', 9 → 'IX' (section and group numbers)."""
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        while n >= value:
            out, n = out + letters, n - value
    return out
