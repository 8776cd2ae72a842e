"""The layering holds: pages -> ui -> portfolio, never back; no private CLI helper crosses modules."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "portfolio": ("streamlit", "ui", "app_pages"),
    "ui": ("app_pages",),
}


def imported_modules(path: Path) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, module, names) for every import in the file, at any depth (function-level imports too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module, tuple(alias.name for alias in node.names)))
    return found


def back_arrows(package: str) -> list[str]:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module, _ in imported_modules(path):
            top = module.split(".")[0]
            if top in FORBIDDEN[package]:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_back_arrow(package):
    assert back_arrows(package) == []


def test_the_check_sees_a_back_arrow(tmp_path, monkeypatch):
    fake = tmp_path / "portfolio"
    fake.mkdir()
    (fake / "bad.py").write_text("def f():\n    import streamlit as st\n    from ui import data\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert back_arrows("portfolio") == ["portfolio/bad.py:2 imports streamlit", "portfolio/bad.py:3 imports ui"]


def test_no_module_imports_a_private_name_of_the_cli():
    bad = []
    for path in sorted(ROOT.glob("portfolio/**/*.py")):
        for line, module, names in imported_modules(path):
            if module in ("portfolio.cli", "portfolio.cli_common", "portfolio.ingest.cli"):
                bad += [f"{path.relative_to(ROOT)}:{line} {module}.{n}" for n in names if n.startswith("_")]
    assert bad == []


def test_the_cli_modules_import_no_cycle():
    """cli.py may use the command modules; they (ingest/cli.py) use cli_common, never cli.py."""
    for path in (ROOT / "portfolio/ingest/cli.py", ROOT / "portfolio/cli_common.py"):
        assert "portfolio.cli" not in {module for _, module, _ in imported_modules(path)}, path
    assert not (ROOT / "portfolio/cli_commands.py").exists()


def test_files_and_functions_a_reader_can_hold_in_their_head():
    """Issue 14: no module over 400 lines, no function over 80 (tests excepted)."""
    root = Path(__file__).resolve().parent.parent
    files = [root / "app.py", *(p for d in ("app_pages", "ui", "portfolio", "bench", "deploy")
                                for p in (root / d).rglob("*.py"))]
    too_long = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 400:
            too_long.append(f"{path.relative_to(root)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 80:
                too_long.append(f"{path.relative_to(root)}::{node.name}: {node.end_lineno - node.lineno + 1} lines")
    assert too_long == []
