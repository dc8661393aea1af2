"""The catalogue's YAML is the same text whichever emitter writes it.

The master carries its catalogue as YAML and every build dumps it: libyaml's emitter does that
four to five times faster than PyYAML's pure-Python one, and `dump_catalogue` uses it whenever
every string is plain text of the Basic Multilingual Plane (`_plain_text`). Here both emitters
write the sample, the benchmarks' large synthetic catalogue and fuzzed strings, and must agree.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cchc_xl.criteria.catalogue import (
    _NOT_PLAIN,
    _plain_text,
    dump_catalogue,
    dump_yaml,
    load_catalogue,
)

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("yaml").CSafeDumper  # noqa: B018 - libyaml is what is compared

PLAIN = st.characters(codec="utf-8", exclude_categories=("Cs",)).filter(
    lambda ch: not _NOT_PLAIN.match(ch)) | st.sampled_from(" \n:#'\"-?&*!|>%@`\\,[]{}")
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def both(data: Any) -> tuple[str, str]:
    return dump_yaml(data, c_emitter=False), dump_yaml(data, c_emitter=True)


def test_the_sample_and_a_large_catalogue_dump_the_same(sample_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import corpus
        catalogues = [load_catalogue(sample_path), corpus.synthetic_catalogue(40)]
    finally:
        sys.path.remove(str(ROOT / "bench"))
    for catalogue in catalogues:
        data = catalogue.to_dict()
        assert _plain_text(data)
        python, c = both(data)
        assert python == c
        assert dump_catalogue(catalogue) == python


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(PLAIN, max_size=120), min_size=1, max_size=6),
       st.lists(st.tuples(st.text(PLAIN, min_size=1, max_size=30),
                          st.decimals(min_value=0, max_value=100, places=2)), max_size=3))
def test_plain_text_dumps_the_same(texts: list[str], options: list[tuple[str, Decimal]]) -> None:
    data = {"name": texts[0], "fields": [{"code": "1", "name": t, "note": f"  {t}\n\n{t}"}
                                         for t in texts],
            "options": [[label, points] for label, points in options]}
    assume(_plain_text(data))
    python, c = both(data)
    assert python == c


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT)
def test_the_c_emitter_is_chosen_only_where_it_agrees(text: str) -> None:
    data = {"name": text, "fields": [{"code": "1", "name": text, "rule": [[text, 1]]}]}
    if _plain_text(data):
        python, c = both(data)
        assert python == c


@pytest.mark.parametrize("odd", ["\x07", "\x85", "\u2028", "\u2029", "\ufeff", "\U0001f600",
                                 "\x7f", "\r", "\t", " \n", "\n "])
def test_odd_characters_go_to_the_python_emitter(odd: str) -> None:
    assert not _plain_text({"fields": [{"name": f"Tiêu chí {odd}"}]})
    assert not _plain_text({f"khóa{odd}": 1})
