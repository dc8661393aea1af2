"""Cell formats: one cached XlsxWriter Format per distinct look.

Colours carry meaning and the cover sheet explains them: yellow cells are typed by a unit, blue
cells by the Văn phòng, grey cells do not apply, everything else is computed and locked.
"""

from __future__ import annotations

from typing import Any

FONT = "Times New Roman"
UNIT_INPUT = "#FFF2CC"
OFFICE_INPUT = "#DDEBF7"
NOT_APPLICABLE = "#EDEDED"
HEADER = "#D9E1F2"
GROUP = "#F2F2F2"
FIELD = "#E2EFDA"
BORDER_COLOR = "#A6A6A6"
NUMBER = "0.00"
COUNT = "General"  # a, b and counts: 14697, not 14697,00
MAX = "General"  # 3 → 3 ; 2.5 → 2,5 ; 0.25 → 0,25 (in the user's decimal separator)
PERCENT = "0.00%"
DATE = "dd/mm/yyyy"


class Styles:
    """Formats created on demand and cached by their properties (XlsxWriter wants reuse)."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[tuple[str, Any], ...], Any] = {}
        self._props: dict[int, dict[str, Any]] = {}  # id(format) → the properties it was made of

    def get(self, **props: Any) -> Any:
        full = {"font_name": FONT, "font_size": 11, "valign": "top", **props}
        key = tuple(sorted(full.items()))
        if key not in self._cache:
            self._cache[key] = self._workbook.add_format(full)
            self._props[id(self._cache[key])] = full
        return self._cache[key]

    def as_date(self, fmt: Any) -> Any:
        """The same look as `fmt`, showing a date as dd/mm/yyyy (a typed date stays a date)."""
        props = dict(self._props.get(id(fmt), {}))
        props.pop("text_wrap", None)
        return self.get(**{**props, "num_format": DATE})

    # Named looks used across sheets ------------------------------------------------------
    def title(self) -> Any:
        return self.get(bold=True, font_size=14)

    def subtitle(self) -> Any:
        return self.get(italic=True, font_size=11)

    def header(self) -> Any:
        return self.get(bold=True, bg_color=HEADER, border=1, border_color=BORDER_COLOR,
                        text_wrap=True, align="center", valign="vcenter")

    def cell(self, *, kind: str = "text", fill: str | None = None, bold: bool = False,
             unlocked: bool = False, indent: int = 0) -> Any:
        """A bordered table cell; `kind` is text, max, count, number, percent, date or flag."""
        props: dict[str, Any] = {"border": 1, "border_color": BORDER_COLOR, "bold": bold}
        if kind == "text":
            props["text_wrap"] = True
            if indent:
                props["indent"] = indent
        elif kind == "flag":
            props["align"] = "center"
        else:
            props["num_format"] = {"max": MAX, "count": COUNT, "number": NUMBER,
                                   "percent": PERCENT, "date": DATE}[kind]
        if fill:
            props["bg_color"] = fill
        if unlocked:
            props["locked"] = False
        return self.get(**props)
