"""Field readers replayed for cells seen before: a long sheet repeats a few values per column.

A reader (fields.read_money and the like) fills a candidate's values, inferred values, status rule
and problems from a few cells of its row and, for some, a value read before it. Called with those
inputs as its key, `Memo.run` reads the first row of each distinct key and replays the effect on
every later row with the same key: the problems are re-made with the later row's number. Towns,
amounts, dates and statuses take a few hundred distinct keys in 100,000 rows. A reader whose keys
hardly repeat (amounts all different) stops being remembered after a while, so it costs nothing.
"""
from __future__ import annotations

from itertools import repeat
from operator import itemgetter
from typing import Any, Callable, Iterable

from portfolio.ingest.issues import Issue

_TRIAL = 2000  # rows after which a reader that rarely repeats is no longer remembered
_MIN_HIT_RATE = 0.2


class _Reader:
    """One reader's remembered effects and how often its keys repeat."""

    __slots__ = ("cells_of", "seen", "calls", "hits")

    def __init__(self, cells_of: Callable[[list[Any]], tuple]) -> None:
        self.cells_of = cells_of
        self.seen: dict[tuple, tuple] = {}
        self.calls = self.hits = 0


class Memo:
    def __init__(self, cols: dict[str, int]) -> None:
        self._cols = cols  # field -> column of the sheet
        self._readers: dict[str, _Reader] = {}

    def _cells_of(self, cells: tuple[str, ...]) -> Callable[[list[Any]], tuple]:
        """The reader's cells of a row, as a tuple (fields the sheet lacks are left out)."""
        index = [self._cols[f] for f in cells if f in self._cols]
        if not index:
            return lambda row: ()
        if len(index) == 1:
            return lambda row, i=index[0]: (row[i],)
        return itemgetter(*index)

    def run(self, name: str, rr, read: Callable[[Any], Any], cells: tuple[str, ...], extra: Any = None) -> Any:
        """read(rr), or its remembered effect for the same cells (by type and value) and `extra`."""
        return self.column(name, [rr], read, cells, [extra])[0]

    def column(self, name: str, rows: list, read: Callable[[Any], Any], cells: tuple[str, ...],
               extras: Iterable[Any] | None = None) -> list[Any]:
        """run() for each row in turn, its keys built for the whole column at once; the results in order."""
        reader = self._readers.get(name)
        if reader is None:
            reader = self._readers[name] = _Reader(self._cells_of(cells))
        values = list(map(reader.cells_of, [rr.row for rr in rows]))
        keys = zip(values, map(_types, values), extras if extras is not None else repeat(None))
        seen = reader.seen
        calls, hits = reader.calls, reader.hits  # locals in the loop, stored back at the end
        results = []
        append = results.append
        for rr, key in zip(rows, keys):
            if calls >= _TRIAL and hits < calls * _MIN_HIT_RATE:
                append(read(rr))
                continue
            calls += 1
            c = rr.c
            hit = seen.get(key)
            if hit is not None:
                hits += 1
                set_values, set_inferred, issues, status_rule, result = hit
                c.values.update(set_values)
                if set_inferred:
                    c.inferred.update(set_inferred)
                if status_rule is not None:
                    c.status_rule = status_rule
                if issues:
                    row = c.row
                    c.issues.extend([Issue(i.level, i.key, i.sheet, row, i.column, i.header, i.params)
                                     for i in issues])
                append(result)
                continue
            before_values, before_inferred, n_issues = dict(c.values), dict(c.inferred), len(c.issues)
            before_rule = c.status_rule
            result = read(rr)
            seen[key] = (_changed(before_values, c.values), _changed(before_inferred, c.inferred),
                         tuple(c.issues[n_issues:]), c.status_rule if c.status_rule != before_rule else None, result)
            append(result)
        reader.calls, reader.hits = calls, hits
        return results


def _types(values: tuple) -> tuple:
    return tuple(map(type, values))


def _changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What a reader set (readers only add or replace keys; each reader owns its keys)."""
    return {k: v for k, v in after.items() if k not in before or before[k] is not v}
