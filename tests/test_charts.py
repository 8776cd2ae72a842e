"""Charts: one colour per category everywhere, lifecycle order, upload text escaped."""
from __future__ import annotations

import pandas as pd

from portfolio import charts, views, vocab
from portfolio.filters import Filters



def test_category_colours_come_from_the_vocabulary(demo_store):
    fig = charts.category_bars(views.by_category(demo_store, Filters()), "zh")
    bar = fig.data[0]
    by_label = dict(zip(bar.y, bar.marker.color))
    for c in vocab.CATEGORIES:
        assert by_label[c.zh] == c.color
    assert list(bar.y)[::-1][:5] == ["供水", "道路", "厕所", "污水治理", "撂荒地复耕/农田"]  # core five on top


def test_status_bars_in_lifecycle_order_grey_to_green(demo_store):
    fig = charts.status_bars(views.by_status(demo_store, Filters()), "zh")
    assert list(fig.data[0].x) == [s.zh for s in vocab.STATUSES]
    assert fig.data[0].marker.color[0] == "#BDBDBD" and fig.data[0].marker.color[5] == "#1A9850"


def test_town_names_from_uploads_are_escaped_and_repeated_names_get_their_county():
    towns = pd.DataFrame({"county": ["阳山县", "清新区", "X县"], "town": ["太平镇", "太平镇", "<b onclick=x>坏</b>"],
                          "budget_wan": [3.0, 2.0, 1.0], "projects": [1, 1, 1], "finish_rate": [0.5, 0.5, 0.5]})
    labels = list(charts.town_ranking(towns, "zh").data[0].y)
    assert "太平镇（阳山县）" in labels and "太平镇（清新区）" in labels
    assert "&lt;b onclick=x&gt;坏&lt;/b&gt;" in labels
    assert not any("<b" in label for label in labels)
