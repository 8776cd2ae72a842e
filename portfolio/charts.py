"""Plotly figures. One colour per category and per status, from vocab, everywhere."""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from portfolio import formats, vocab
from portfolio.i18n import t


def _text(value) -> str:
    """Upload text for a chart label: plotly renders some HTML tags in labels, so escape it."""
    return html.escape(str(value))


def _town_labels(df: pd.DataFrame) -> list[str]:
    """Town names, with the county where a name occurs twice (太平镇 in two counties)."""
    duplicated = df["town"].duplicated(keep=False)
    return [_text(f"{town}（{county}）" if dup else town) for town, county, dup in
            zip(df["town"], df["county"], duplicated)]


FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
# Axis ticks and bar labels read from the back of a meeting room: never under 14 px. Plotly shrinks a label
# to fit inside its bar unless told otherwise; uniformtext keeps it at 14 px (outside the bar if need be).
FONT_PX = 14


def _layout(fig: go.Figure, height: int = 360, legend: bool = False) -> go.Figure:
    fig.update_layout(
        height=height, margin=dict(l=8, r=8, t=16, b=8), font=dict(family=FONT_FAMILY, size=FONT_PX),
        showlegend=legend, plot_bgcolor="white", paper_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        uniformtext=dict(minsize=FONT_PX, mode="show"),
    )
    fig.update_traces(textfont=dict(size=FONT_PX), selector=dict(type="bar"))
    # Explicit tick and title fonts: Streamlit's plotly theme would otherwise set 12 px ticks.
    axis_fonts = dict(tickfont=dict(size=FONT_PX), title_font=dict(size=FONT_PX))
    fig.update_xaxes(gridcolor="#EEEEEE", zeroline=False, **axis_fonts)
    fig.update_yaxes(gridcolor="#EEEEEE", zeroline=False, **axis_fonts)
    fig.update_layout(legend_font_size=FONT_PX)
    return fig


def category_bars(df: pd.DataFrame, lang: str, metric: str = "budget_wan") -> go.Figure:
    """Horizontal bars per category (vocabulary order, top to bottom), one colour each."""
    df = df.iloc[::-1]
    labels = [vocab.label("category", c, lang) for c in df["category"]]
    fig = go.Figure(go.Bar(
        x=df[metric], y=labels, orientation="h",
        marker_color=[vocab.category_color(c) for c in df["category"]],
        text=[formats.wan(v) if metric.endswith("_wan") else formats.count(v) for v in df[metric]],
        textposition="auto",
        customdata=df["projects"],
        hovertemplate="%{y}: %{x:" + formats.D3_WAN + "}<br>" + t("metric_projects", lang) + " %{customdata}<extra></extra>",
    ))
    fig.update_xaxes(title=t(f"metric_{'budget' if metric == 'budget_wan' else 'projects'}", lang))
    return _layout(fig, height=max(260, 34 * len(df) + 60))


def status_bars(df: pd.DataFrame, lang: str) -> go.Figure:
    """Projects per status in lifecycle order, grey (储备) through green (已验收)."""
    labels = [vocab.label("status", s, lang) for s in df["status"]]
    fig = go.Figure(go.Bar(
        x=labels, y=df["projects"], marker_color=[vocab.status_color(s) for s in df["status"]],
        text=df["projects"], textposition="auto",
        customdata=df["budget_wan"],
        hovertemplate="%{x}: %{y}<br>" + t("metric_budget", lang) + " %{customdata:" + formats.D3_WAN + "}<extra></extra>",
    ))
    fig.update_yaxes(title=t("metric_projects", lang))
    return _layout(fig)


def town_ranking(df: pd.DataFrame, lang: str, top: int = 15) -> go.Figure:
    """Towns ranked by planned investment; bar colour shows the completion rate."""
    df = df.head(top).iloc[::-1]
    labels = _town_labels(df)
    fig = go.Figure(go.Bar(
        x=df["budget_wan"], y=labels, orientation="h",
        marker=dict(color=df["finish_rate"], colorscale=[[0, "#C6DBEF"], [1, "#1A9850"]], cmin=0, cmax=1,
                    colorbar=dict(title=t("k_finish_rate", lang), tickformat=formats.D3_PCT, thickness=10,
                                  tickfont=dict(size=FONT_PX))),
        text=[formats.wan(v, 0) for v in df["budget_wan"]], textposition="auto",
        customdata=df[["projects", "finish_rate"]].to_numpy(),
        hovertemplate="%{y}: %{x:" + formats.D3_WAN + "}<br>" + t("metric_projects", lang) + " %{customdata[0]}<br>"
                      + t("k_finish_rate", lang) + " %{customdata[1]:" + formats.D3_PCT + "}<extra></extra>",
    ))
    fig.update_xaxes(title=t("metric_budget", lang))
    return _layout(fig, height=max(280, 26 * len(df) + 60))


def trend_lines(df: pd.DataFrame, lang: str) -> go.Figure:
    """Cumulative started and completed projects per month."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=df["month"], y=df["started"], mode="lines+markers",
                             name=t("trend_started", lang), line=dict(color=vocab.status_color("in_progress"), width=3)))
    fig.add_trace(go.Scatter(x=df["month"], y=df["finished"], mode="lines+markers",
                             name=t("trend_finished", lang), line=dict(color=vocab.status_color("accepted"), width=3)))
    fig.update_xaxes(title=t("month", lang), tickformat="%Y-%m")
    fig.update_yaxes(title=t("metric_projects", lang), rangemode="tozero")
    return _layout(fig, legend=True)


def area_bars(df: pd.DataFrame, lang: str) -> go.Figure:
    """Investment per programme area (六个方面)."""
    labels = [vocab.label("area", a, lang) for a in df["area"]]
    fig = go.Figure(go.Bar(x=labels, y=df["budget_wan"], marker_color="#4C72B0",
                           text=[formats.wan(v, 0) for v in df["budget_wan"]], textposition="auto"))
    fig.update_yaxes(title=t("metric_budget", lang))
    return _layout(fig)


def history_chart(df: pd.DataFrame, lang: str) -> go.Figure:
    """A project's progress over its reports, markers coloured by the reported status."""
    fig = go.Figure(go.Scatter(
        x=pd.to_datetime(df["report_date"]), y=df["progress_pct"], mode="lines+markers",
        line=dict(color="#888888"),
        marker=dict(size=10, color=[vocab.status_color(s) for s in df["status"]]),
        text=[vocab.label("status", s, lang) for s in df["status"]],
        hovertemplate="%{x|%Y-%m-%d}: %{y:.0f}% (%{text})<extra></extra>",
    ))
    fig.update_yaxes(title=t("c_progress_pct", lang), range=[0, 105])
    fig.update_xaxes(title=t("c_report_date", lang), tickformat="%Y-%m")
    return _layout(fig, height=280)


def town_comparison(df: pd.DataFrame, indicator: str, indicator_label: str, assisted_label: str,
                    top: int = 25) -> go.Figure:
    """Towns ranked on one indicator; assisted towns in green, the others grey."""
    df = df.head(top).iloc[::-1]
    labels = _town_labels(df)
    is_rate = indicator.endswith("_rate")
    values = df["value"].astype(float)
    fig = go.Figure(go.Bar(
        x=values, y=labels, orientation="h",
        marker_color=["#1A9850" if a else "#BDBDBD" for a in df["assisted"]],
        text=[formats.pct(v, 0) if is_rate else formats.wan(v) for v in values],
        textposition="auto",
        hovertemplate="%{y}: %{text}<extra></extra>",
    ))
    fig.update_xaxes(title=indicator_label, tickformat=formats.D3_PCT if is_rate else ",")
    fig.add_annotation(text=f"■ {assisted_label}", font=dict(color="#1A9850"), showarrow=False,
                       xref="paper", yref="paper", x=1, y=1.04, xanchor="right")
    return _layout(fig, height=max(280, 26 * len(df) + 70))
