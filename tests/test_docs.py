"""Docs that cannot rot: the format page names every column and key, the README and the user
guide every command."""

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


def test_the_user_guide_shows_every_command():
    """A command the Văn phòng cannot find in its guide is a command it will not use."""
    guide = (ROOT / "docs" / "huong-dan-su-dung.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        subcommands = getattr(command, "commands", {name: command})
        for sub in subcommands:
            shown = f"cchc-xl {name}" if sub == name else f"cchc-xl {name} {sub}"
            assert shown in guide, shown


def test_every_command_has_vietnamese_help():
    runner = CliRunner()
    for name in main.commands:
        out = runner.invoke(main, [name, "--help"]).output
        assert any(ch in out for ch in "ăâđêôơưạảấầẩậắằẳặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"), name


def test_the_readme_library_example_runs(tmp_path, monkeypatch):
    """The README's `Master` example, run as a doctest in an empty folder."""
    import doctest
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(>>> .*?)```", readme, re.S)
    assert blocks, "the README has no doctest example"
    monkeypatch.chdir(tmp_path)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(blocks[0], {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0 and runner.tries >= 8
    assert (tmp_path / "ke-hoach.docx").exists()


def test_the_package_root_exports_the_library_and_no_name_shadows_a_module():
    import importlib
    import pkgutil

    import cchc_xl

    modules = {m.name for m in pkgutil.iter_modules(cchc_xl.__path__)}
    for name in cchc_xl.__all__:
        assert getattr(cchc_xl, name) is not None, name
        assert name not in modules, f"cchc_xl.{name} would shadow the module of that name"
    # A second use gives the same object (the old root functions became modules after one use).
    assert cchc_xl.Master is importlib.import_module("cchc_xl").Master
