"""Shared fixtures: the bundled sample catalogue and small hand-made catalogues."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cchc_xl.criteria.catalogue import Catalogue, parse_catalogue

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "cchc_xl" / "data" / "sample_catalogue.yaml"


def tiny_data() -> dict[str, Any]:
    """A small catalogue with every rule kind, built on the seeds' real figures."""
    return {
        "name": "Bộ tiêu chí thử",
        "year": 2026,
        "supplement_deduction": 0.3,
        "rating": [{"min": 90, "label": "Tốt"}, {"min": 80, "label": "Khá"},
                   {"min": 0, "label": "Trung bình"}],
        "units": [{"code": "VP", "name": "Văn phòng Sở"},
                  {"code": "NV1", "name": "Phòng Nghiệp vụ I"}],
        "fields": [
            {"code": "1", "name": "Chỉ đạo, điều hành", "max": 4, "lead": "VP", "children": [
                {"code": "1.1", "name": "Nhiệm vụ UBND tỉnh giao", "max": 3,
                 "rule": {"kind": "tiers", "of": "rate", "tiers": [[100, 3], [98, 2.5], [96, 2]]}},
                {"code": "1.2", "name": "Kế hoạch CCHC", "max": 1,
                 "rule": {"kind": "choice", "options": [["Ban hành kịp thời", 1],
                                                        ["Ban hành không kịp thời", 0.5],
                                                        ["Không ban hành", 0]]}},
            ]},
            {"code": "2", "name": "Thủ tục hành chính", "max": 10.5, "lead": "NV1",
             "support": ["VP"], "children": [
                {"code": "2.1", "name": "Hồ sơ đúng hạn", "max": 5,
                 "rule": {"kind": "tiers", "of": "rate", "tiers": [[100, 5], [99, 4.5]]}},
                {"code": "2.2", "name": "Kết quả điện tử", "max": 0.5, "rule": {"kind": "ratio"}},
                {"code": "2.3", "name": "Hồ sơ trực tuyến so với chỉ tiêu", "max": 3,
                 "rule": {"kind": "ratio", "target": 50, "on_zero": "na"}},
                {"code": "2.4", "name": "Quy trình nội bộ", "max": 0.5, "lead": "VP",
                 "rule": {"kind": "yesno"}},
                {"code": "2.5", "name": "Tin bài", "max": 1,
                 "rule": {"kind": "tiers", "of": "count", "tiers": [[12, 1], [10, 0.5]]}},
                {"code": "2.6", "name": "Chấm theo mức độ", "max": 0.5, "rule": {"kind": "manual"}},
            ]},
            {"code": "3", "name": "Sự hài lòng", "max": 2, "children": [
                {"code": "3.1", "name": "SIPAS", "max": 2, "rule": {"kind": "survey"}},
            ]},
        ],
        "bonus": {"cap": 1, "items": [
            {"code": "T.1", "name": "Sáng kiến", "max": 1, "lead": "VP",
             "rule": {"kind": "tiers", "of": "count", "tiers": [[2, 1], [1, 0.5]]}},
            {"code": "T.2", "name": "Thứ hạng tăng", "max": 0.5, "lead": "VP",
             "rule": {"kind": "yesno"}}]},
        "penalty": {"cap": 1, "items": [
            {"code": "TR.1", "name": "Gửi hồ sơ trễ hạn", "max": 1, "lead": "VP",
             "rule": {"kind": "yesno", "yes": "Có vi phạm", "no": "Không vi phạm"}},
            {"code": "TR.2", "name": "Văn bản giấy", "max": 0.5, "lead": "VP",
             "rule": {"kind": "yesno", "yes": "Có vi phạm", "no": "Không vi phạm"}}]},
    }


@pytest.fixture
def tiny() -> Catalogue:
    return parse_catalogue(tiny_data(), source="tiny.yaml")


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE
