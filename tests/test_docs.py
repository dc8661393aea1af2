"""Docs that cannot rot: the format page names every column and key, the README every command."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cchc_xl.cli import main
from cchc_xl.format.layout import COLUMNS, EVIDENCE_COLUMNS, META_KEYS

ROOT = Path(__file__).resolve().parent.parent


def test_workbook_format_documents_every_column_and_key():
    text = (ROOT / "docs" / "workbook-format.md").read_text(encoding="utf-8")
    for column in (*COLUMNS, *EVIDENCE_COLUMNS):
        assert f"`{column.key}`" in text and column.header in text, column.key
    for key in META_KEYS:
        assert f"`{key}`" in text, key


def test_readme_lists_every_command_and_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = main.commands
    for name in commands:
        assert f"cchc-xl {name}" in readme, name
    # Every test (--all), not the inner loop; CI runs exactly this command.
    test_command = ("python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && "
                    ".venv/bin/python -m pytest -q --all")
    assert "pip install -q . && .venv/bin/cchc-xl demo" in readme
    assert test_command in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci


def test_every_command_has_vietnamese_help():
    runner = CliRunner()
    for name in main.commands:
        out = runner.invoke(main, [name, "--help"]).output
        assert any(ch in out for ch in "ăâđêôơưạảấầẩậắằẳặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"), name
