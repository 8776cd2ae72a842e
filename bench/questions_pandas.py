"""The baseline: each page's questions answered with pandas on the whole table held in memory
(loading it is not timed)."""
from __future__ import annotations

import pandas as pd

from portfolio import vocab

from bench.pages import COUNTY


class PandasQuestions:
    def __init__(self, db, as_of):
        self.projects = db.con.cursor().sql("SELECT * FROM projects").to_arrow_table().to_pandas()
        self.started, self.finished = list(vocab.STARTED_STATUS_CODES), list(vocab.FINISHED_STATUS_CODES)
        self.sources = [s.column for s in vocab.FUND_SOURCES]
        self.as_of_ts = pd.Timestamp(as_of)
        self.projects["plan_end"] = pd.to_datetime(self.projects["plan_end"])
        self.projects["place_report_date"] = pd.to_datetime(self.projects["place_report_date"])

    def flags(self, df):
        # Late on the earlier of the data date and the town's own latest report date (as the SQL does).
        ref = df["place_report_date"].fillna(self.as_of_ts).clip(upper=self.as_of_ts)
        late = (df["plan_end"] < ref) & ~df["status"].isin(self.finished)
        stalled = (df["status"] == "in_progress") & (df["report_count"] >= 4) & \
            (df["last_progress_pct"] <= df["progress_3_back_pct"])
        return late, stalled

    def scope(self, county):
        return self.projects[self.projects["county"] == county] if county else self.projects

    def sidebar(self, county=None):
        def run():
            df = self.scope(county)
            self.projects["county"].value_counts()  # the county facet ignores the county filter
            for column in ("category", "status", "year"):
                df[column].value_counts()
            (df["county"] + "/" + df["town"]).value_counts()
            (df["county"] + "/" + df["town"] + "/" + df["village"].fillna("")).value_counts()
            for column in self.sources:
                (df[column] > 0).sum()
            late, stalled = self.flags(df)
            late.sum(), stalled.sum()
        return run

    def kpis(self, county=None):
        def run():
            df = self.scope(county)
            late, stalled = self.flags(df)
            return (len(df), df["budget_wan"].sum(), df["funds_in_place_wan"].sum(), df["spent_wan"].sum(),
                    df["status"].isin(self.started).sum(), df["status"].isin(self.finished).sum(), df["beneficiaries"].sum(),
                    df["beneficiary_households"].sum(), late.sum(), stalled.sum())
        return run

    def by_category(self, county=None):
        return lambda: self.scope(county).groupby("category").agg(
            n=("project_id", "size"), b=("budget_wan", "sum"), s=("spent_wan", "sum"), p=("beneficiaries", "sum"))

    def by_town(self, df):
        late, stalled = self.flags(df)
        return df.assign(late=late, stalled=stalled, st=df["status"].isin(self.started),
                         fin=df["status"].isin(self.finished)).groupby(["county", "town"]).agg(
            n=("project_id", "size"), b=("budget_wan", "sum"), f=("funds_in_place_wan", "sum"),
            s=("spent_wan", "sum"), st=("st", "sum"), fin=("fin", "sum"), late=("late", "sum"),
            stalled=("stalled", "sum"), p=("beneficiaries", "sum")).sort_values("b", ascending=False)

    def attention(self, county=None):
        def run():
            df = self.scope(county)
            late, stalled = self.flags(df)
            return df[late | stalled].assign(late=late).sort_values(
                ["late", "budget_wan", "project_id"], ascending=[False, False, True]).head(50)
        return run

    def trend(self):
        df = self.projects
        pd.to_datetime(df["actual_start"]).dt.to_period("M").value_counts()
        pd.to_datetime(df.loc[df["status"].isin(self.finished), "actual_end"]).dt.to_period("M").value_counts()

    def project_table(self):
        late, stalled = self.flags(self.projects)
        return self.projects.assign(is_late=late, is_stalled=stalled).sort_values("project_id").head(5000)

    def teams(self):
        return self.scope(COUNTY).groupby(["county", "town", "team", "assisting_unit"]).size()

    def by_village(self):
        df = self.scope(COUNTY)
        late, _ = self.flags(df)
        return df.assign(late=late, st=df["status"].isin(self.started), fin=df["status"].isin(self.finished)).groupby(
            ["county", "town", "village"], dropna=False).agg(n=("project_id", "size"), b=("budget_wan", "sum"),
                                                            st=("st", "sum"), fin=("fin", "sum"), late=("late", "sum"))

    def changes(self):
        """The two report dates, then what changed on the latest (as queries/towns.sql changes_between_reports)."""
        df = self.scope(COUNTY)
        latest = df["last_report_date"].max()
        previous = df["last_report_date"].where(df["last_report_date"] < latest, df["prev_report_date"]).max()
        now = df[df["last_report_date"] == latest]
        finished = [now[c].isin(self.finished) for c in ("last_status", "prev_status")]
        gain = now["last_progress_pct"] - now["prev_progress_pct"].fillna(0)
        return (latest, previous, int(now["prev_report_date"].isna().sum()), int((finished[0] & ~finished[1]).sum()),
                int(((now["last_status"] == "in_progress")
                     & ~now["prev_status"].fillna("planned").isin(self.started)).sum()),
                gain.clip(lower=0).sum(), gain.mean(),
                (now["last_spent_wan"].fillna(0) - now["prev_spent_wan"].fillna(0)).clip(lower=0).sum(), len(now))

    def map_page(self):
        df = self.projects
        df.groupby(["county", "town"]).agg(n=("project_id", "size"), b=("budget_wan", "sum"),
                                           lon=("lon", "mean"), lat=("lat", "mean"))
        df["location_precision"].value_counts()
        (df["lon"].min(), df["lon"].max(), df["lat"].min(), df["lat"].max())
        df.nlargest(2000, "budget_wan")[["project_id", "name", "lon", "lat", "budget_wan"]]

    def questions(self) -> dict[str, dict[str, object]]:
        """{page: {question: fn}}, the names page_questions uses."""
        return {
            "overview": {"sidebar": self.sidebar(), "kpis": self.kpis(), "by_category": self.by_category(),
                         "by_status": lambda: self.projects.groupby("status").agg(n=("project_id", "size"),
                                                                             b=("budget_wan", "sum")),
                         "by_town": lambda: self.by_town(self.projects), "monthly_trend": self.trend, "attention": self.attention()},
            "projects": {"sidebar": self.sidebar(), "kpis": self.kpis(), "project_table": self.project_table},
            "towns": {"sidebar": self.sidebar(COUNTY), "kpis": self.kpis(COUNTY), "teams": self.teams, "changes": self.changes,
                      "by_category": self.by_category(COUNTY), "town_comparison": lambda: self.by_town(self.scope(COUNTY)),
                      "by_village": self.by_village, "attention": self.attention(COUNTY)},
            "map": {"map": self.map_page},
        }
