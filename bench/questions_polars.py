"""The baseline: each page's questions in polars, the whole table in memory, each question a lazy
query, collected (loading it is not timed)."""
from __future__ import annotations

import polars as pl

from portfolio import vocab

from bench.pages import COUNTY


class PolarsQuestions:
    def __init__(self, db, as_of):
        self.frame = pl.from_arrow(db.con.cursor().sql("SELECT * FROM projects").to_arrow_table())
        self.lf = self.frame.lazy()
        self.started, self.finished = list(vocab.STARTED_STATUS_CODES), list(vocab.FINISHED_STATUS_CODES)
        self.sources = [s.column for s in vocab.FUND_SOURCES]
        self.ref = pl.min_horizontal(pl.col("place_report_date").fill_null(pl.lit(as_of)), pl.lit(as_of))
        self.late = ((pl.col("plan_end") < self.ref) & ~pl.col("status").is_in(self.finished)).fill_null(False)
        self.stalled = ((pl.col("status") == "in_progress") & (pl.col("report_count") >= 4)
                         & (pl.col("last_progress_pct") <= pl.col("progress_3_back_pct"))).fill_null(False)
        self.is_started, self.is_finished = pl.col("status").is_in(self.started), pl.col("status").is_in(self.finished)

    def scope(self, county):
        return self.lf.filter(pl.col("county") == county) if county else self.lf

    def sidebar(self, county=None):
        def run():
            df = self.scope(county)
            out = [self.lf.group_by("county").len()]
            out += [df.group_by(c).len() for c in ("category", "status", "year")]
            out.append(df.group_by(pl.concat_str("county", "town", separator="/")).len())
            out.append(df.group_by(pl.concat_str("county", "town", pl.col("village").fill_null(""),
                                                 separator="/")).len())
            out.append(df.select([(pl.col(c) > 0).sum() for c in self.sources] + [self.late.sum().alias("l"),
                                                                            self.stalled.sum().alias("s")]))
            return pl.collect_all(out)
        return run

    def kpis(self, county=None):
        return lambda: self.scope(county).select(
            pl.len(), pl.col("budget_wan").sum(), pl.col("funds_in_place_wan").sum(), pl.col("spent_wan").sum(),
            self.is_started.sum().alias("st"), self.is_finished.sum().alias("fin"), pl.col("beneficiaries").sum(),
            pl.col("beneficiary_households").sum(), self.late.sum().alias("late"), self.stalled.sum().alias("stalled"),
        ).collect()

    def by_category(self, county=None):
        return lambda: self.scope(county).group_by("category").agg(
            pl.len(), pl.col("budget_wan").sum(), pl.col("spent_wan").sum(), pl.col("beneficiaries").sum(),
            self.is_finished.sum().alias("fin")).collect()

    def by_town(self, county=None):
        return lambda: self.scope(county).group_by("county", "town").agg(
            pl.len(), pl.col("budget_wan").sum(), pl.col("funds_in_place_wan").sum(), pl.col("spent_wan").sum(),
            self.is_started.sum().alias("st"), self.is_finished.sum().alias("fin"), self.late.sum().alias("late"),
            self.stalled.sum().alias("stalled"), pl.col("beneficiaries").sum()).sort("budget_wan", descending=True).collect()

    def attention(self, county=None):
        return lambda: self.scope(county).with_columns(is_late=self.late, is_stalled=self.stalled).filter(
            pl.col("is_late") | pl.col("is_stalled")).sort(
            ["is_late", "budget_wan", "project_id"], descending=[True, True, False], nulls_last=True).head(50).collect()

    def trend(self):
        return pl.collect_all([
            self.lf.filter(pl.col("actual_start").is_not_null()).group_by(pl.col("actual_start").dt.truncate("1mo")).len(),
            self.lf.filter(pl.col("actual_end").is_not_null() & self.is_finished).group_by(
                pl.col("actual_end").dt.truncate("1mo")).len()])

    def project_table(self):
        return self.lf.with_columns(is_late=self.late, is_stalled=self.stalled).sort("project_id").head(5000).collect()

    def teams(self):
        return self.scope(COUNTY).filter(pl.col("team").is_not_null() | pl.col("assisting_unit").is_not_null()).group_by(
            "county", "town", "team", "assisting_unit").len().sort("county", "town").collect()

    def by_village(self):
        return self.scope(COUNTY).group_by("county", "town", "village").agg(
            pl.len(), pl.col("budget_wan").sum(), self.is_started.sum().alias("st"), self.is_finished.sum().alias("fin"),
            self.late.sum().alias("late"), pl.col("beneficiaries").sum()).collect()

    def changes(self):
        """The two report dates, then what changed on the latest (as queries/towns.sql changes_between_reports)."""
        scoped = self.scope(COUNTY)
        dates = scoped.select(
            pl.col("last_report_date").max().alias("latest"),
            pl.when(pl.col("last_report_date") < pl.col("last_report_date").max()).then(pl.col("last_report_date"))
            .otherwise(pl.col("prev_report_date")).max().alias("previous")).collect()
        finished = [pl.col(c).is_in(self.finished).fill_null(False) for c in ("last_status", "prev_status")]
        gain = pl.col("last_progress_pct") - pl.col("prev_progress_pct").fill_null(0)
        return scoped.filter(pl.col("last_report_date") == dates["latest"][0]).select(
            pl.col("prev_report_date").is_null().sum().alias("new_projects"),
            (finished[0] & ~finished[1]).sum().alias("newly_completed"),
            ((pl.col("last_status") == "in_progress")
             & ~pl.col("prev_status").fill_null("planned").is_in(self.started)).sum().alias("newly_started"),
            gain.clip(lower_bound=0).sum().alias("points"), gain.mean().alias("avg_gain"),
            (pl.col("last_spent_wan").fill_null(0) - pl.col("prev_spent_wan").fill_null(0)).clip(lower_bound=0)
            .sum().alias("spent"), pl.len().alias("reported")).collect()

    def map_page(self):
        return pl.collect_all([
            self.lf.group_by("county", "town").agg(
                pl.len(), pl.col("budget_wan").sum(), self.is_started.sum().alias("st"), self.is_finished.sum().alias("fin"),
                self.late.sum().alias("late"), pl.col("lon").mean(), pl.col("lat").mean()),
            self.lf.group_by("location_precision").len(),
            self.lf.select(pl.col("lon").min().alias("west"), pl.col("lon").max().alias("east"),
                      pl.col("lat").min().alias("south"), pl.col("lat").max().alias("north")),
            self.lf.sort("budget_wan", descending=True, nulls_last=True).head(2000).select(
                "project_id", "name", "lon", "lat", "budget_wan")])

    def questions(self) -> dict[str, dict[str, object]]:
        """{page: {question: fn}}, the names page_questions uses."""
        return {
            "overview": {"sidebar": self.sidebar(), "kpis": self.kpis(), "by_category": self.by_category(),
                         "by_status": lambda: self.lf.group_by("status").agg(pl.len(), pl.col("budget_wan").sum()).collect(),
                         "by_town": self.by_town(), "monthly_trend": self.trend, "attention": self.attention()},
            "projects": {"sidebar": self.sidebar(), "kpis": self.kpis(), "project_table": self.project_table},
            "towns": {"sidebar": self.sidebar(COUNTY), "kpis": self.kpis(COUNTY), "teams": self.teams, "changes": self.changes,
                      "by_category": self.by_category(COUNTY), "town_comparison": self.by_town(COUNTY),
                      "by_village": self.by_village, "attention": self.attention(COUNTY)},
            "map": {"map": self.map_page},
        }
