"""An indicator import and its undo read as plain words on the 操作记录 page."""
from __future__ import annotations

from tests.conftest import sign_in
from tests.test_outcomes_views import _import


def test_audit_page_lists_an_indicator_import_and_undo(app):
    import os

    from portfolio.i18n import t
    from portfolio.outcomes import importer
    from tests.seed import ADMIN
    from ui import data

    store = data.get_store(os.environ["PORTFOLIO_DB"])
    result = _import(store)
    importer.undo(store, result.batch_id, ADMIN)
    at = sign_in(app).run()
    at.switch_page("app_pages/audit_log.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    counts = table[t("au_col_counts")].tolist()
    # The demo holds these villages' values for the period: the import changes 12 of them; undo names them.
    assert "变更指标值 12，新增指标值 0，统计期 2026-10-31，未导入 0，未变 0" in counts
    assert "指标值 12" in counts
