"""Set the 'last saved' time a workbook records, as a save at that moment would write it.

The merge orders a unit's files by docProps/core.xml's modified time, so tests and the guide's
pictures need files saved at chosen moments (an older file sent after a newer one …).
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path


def set_saved(path: Path, stamp: str, dst: Path | None = None) -> Path:
    """Rewrite `path`'s modified time to `stamp` (ISO 8601, e.g. '2026-12-01T08:00:00Z'), in
    place or into `dst`."""
    path, target = Path(path), Path(dst or path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(".saving-" + target.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(),
                              data)
            out.writestr(item, data)
    os.replace(tmp, target)
    return target
