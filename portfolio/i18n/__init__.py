"""UI strings in zh-CN (default) and English.

Strings live in one module per area (core.py for the shell, overview and project
library; further areas add their own module) and are merged here. `t(key, lang)`
looks one up; a missing key is an error in tests, not a blank in the UI.
"""
from __future__ import annotations

from portfolio.i18n import auth, borders, core, field, ingest, maps, meeting, outcomes

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

STRINGS: dict[str, tuple[str, str]] = {}
for _module in (core, ingest, maps, meeting, auth, field, outcomes, borders):
    for _key, _pair in _module.STRINGS.items():
        if _key in STRINGS:
            raise ValueError(f"i18n key {_key!r} defined twice")
        STRINGS[_key] = _pair


def t(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    """The string for `key` in `lang`, formatted with `values`."""
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text
