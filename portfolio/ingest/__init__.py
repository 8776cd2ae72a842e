"""Spreadsheet import: read -> locate the table -> map columns -> normalise -> validate -> plan -> commit.

One pipeline (`portfolio.ingest.pipeline`) serves the 数据导入 page and the
`python -m portfolio import` command. Nothing here imports streamlit.
"""
