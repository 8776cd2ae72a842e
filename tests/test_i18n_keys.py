"""Every UI string exists in both languages, including the keys built at run time."""
from __future__ import annotations

import re

from portfolio.i18n import STRINGS, core
from tests.conftest import ROOT

# Files whose run-time keys portfolio.i18n.core.runtime_keys() lists (the shell, filters, overview,
# project library, town page and exports); other areas list their own.
CORE_FILES = ["app.py", "app_pages/overview.py", "app_pages/projects.py", "app_pages/towns.py", "ui/sidebar.py",
              "ui/widgets.py", "ui/lang.py", "portfolio/export.py", "portfolio/views.py"]
LITERAL = re.compile(r"\b(?:tr|t)\(\s*\"([a-z][a-z0-9_]*)\"\s*[,)]")
BUILT = re.compile(r"\b(?:tr|t)\(\s*f\"([a-z][a-z0-9_]*?)\{")


def test_runtime_keys_exist_in_both_languages():
    missing = [f"{prefix}{suffix}" for prefix, suffixes in core.runtime_keys().items() for suffix in suffixes
               if not all(STRINGS.get(f"{prefix}{suffix}", ("", "")))]
    assert missing == []


def test_every_literal_key_exists_in_both_languages():
    missing = {}
    for path in [ROOT / "app.py", *ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("portfolio/**/*.py")]:
        for key in LITERAL.findall(path.read_text(encoding="utf-8")):
            if not all(STRINGS.get(key, ("", ""))):
                missing.setdefault(str(path.relative_to(ROOT)), []).append(key)
    assert missing == {}


def test_every_key_built_in_core_files_is_listed():
    listed = set(core.runtime_keys())
    unlisted = {}
    for name in CORE_FILES:
        for prefix in BUILT.findall((ROOT / name).read_text(encoding="utf-8")):
            if prefix not in listed:
                unlisted.setdefault(name, []).append(prefix)
    assert unlisted == {}
