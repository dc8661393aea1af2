"""The shipped template: the master built from the bundled sample catalogue.

`workbook_templates/` holds it so people can look at a master without installing anything;
`python -m cchc_xl.templates` rebuilds it and a test checks the file is current.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .criteria.catalogue import load_catalogue
from .demo import sample_catalogue_path
from .format.state import State
from .ops.master import write_master

TEMPLATE_NAME = "CCHC-mau-tong-hop.xlsm"
TEMPLATE_ORG = "Sở Tư pháp (mẫu)"


def build_template(path: Path) -> Path:
    catalogue = load_catalogue(sample_catalogue_path())
    write_master(catalogue, State("master", org=TEMPLATE_ORG), Path(path))
    return Path(path)


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("workbook_templates")
    print(build_template(folder / TEMPLATE_NAME))
