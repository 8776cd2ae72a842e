"""What each page asks, question by question, through the functions the pages call (the dashboard
side of the benchmark; bench/questions_pandas.py and bench/questions_polars.py ask the same in memory)."""
from __future__ import annotations

COUNTY = "阳山县"  # the town page's scope in every engine


def page_questions(db, as_of) -> dict[str, dict[str, object]]:
    """What each page asks, question by question, through the same functions the pages call
    (with the sidebar's facets). {page: {question: fn}}; the engines below use the same names."""
    from portfolio import views
    from portfolio.filters import Filters

    everything = Filters()
    county = Filters(counties=(COUNTY,))

    def sidebar(f):
        return lambda: [views.facet_counts(db, f, facet, as_of) for facet in views.FACETS]

    overview = {
        "sidebar": sidebar(everything),
        "kpis": lambda: views.kpis(db, everything, as_of),
        "by_category": lambda: views.area_totals(views.by_category(db, everything, as_of)),
        "by_status": lambda: views.by_status(db, everything, as_of),
        "by_town": lambda: views.by_town(db, everything, as_of),
        "monthly_trend": lambda: views.monthly_trend(db, everything, as_of=as_of),
        "attention": lambda: views.attention(db, everything, as_of),
    }
    projects = {
        "sidebar": sidebar(everything),
        "kpis": lambda: views.kpis(db, everything, as_of),
        "project_table": lambda: views.project_table(db, everything, as_of),
    }
    towns = {
        "sidebar": sidebar(county),
        "kpis": lambda: views.kpis(db, county, as_of),
        "teams": lambda: views.teams(db, county, as_of),
        "changes": lambda: views.changes_since_previous_report(db, county, as_of),
        "by_category": lambda: views.by_category(db, county, as_of),
        "town_comparison": lambda: views.town_comparison(db, county, as_of, "budget_wan"),
        "by_village": lambda: views.by_village(db, county, as_of),
        "attention": lambda: views.attention(db, county, as_of),
    }
    return {"overview": overview, "projects": projects, "towns": towns, "map": {"map": _map_questions(db, as_of)}}


def _map_questions(db, as_of):
    """The map page's work for the whole library: load its data and build the deck it sends."""
    from portfolio import maps
    from portfolio.filters import Filters

    return lambda: maps.build(maps.load(db, Filters(), as_of), maps.MapOptions(), data_date=as_of)
