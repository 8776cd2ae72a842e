"""Village indicators (issue 17): the outcome rates the programme is judged by, village by village.

catalogue  the standard indicators and a city's own (config/indicators.toml)
values     the store side: catalogue rows, value rows, the standing values of a filter
rollup     a town's or county's figure from its villages (numerators and denominators, or households)
"""
