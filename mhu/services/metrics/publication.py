"""The partner publication grid: one calendar year of counts, by month, quarter and year, by
category (district or outcome group) and total, suppressed all at once.

Suppressing each requested table on its own let a partner subtract overlapping periods and
recover hidden cells. Here every number a partner can ever get for a year is a cell of one grid,
and the grid is suppressed as a whole: primary suppression hides counts from 1 to threshold - 1,
then an audit plays the attacker on everything published (exact elimination over all the sums
the grid implies, then interval bounds from non-negativity) and hides one more cell next to any
hidden cell it can pin down, until it pins down none. Requests then only select cells of the grid.

The grid's sums: each period's categories add up to its total; each quarter is the sum of its
three months and the year the sum of its quarters (so of its twelve months), per category and
for the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from fractions import Fraction

MONTHS = [f"M{m:02d}" for m in range(1, 13)]
QUARTERS = [f"Q{q}" for q in range(1, 5)]
YEAR = "Y"
PERIODS = [*MONTHS, *QUARTERS, YEAR]
TOTAL = "total"

Cell = tuple[str, str]  # (period, category or TOTAL)


@dataclass
class Grid:
    """A year's cells with their values and which are hidden."""

    categories: list[str]
    values: dict[Cell, int]
    hidden: set[Cell]

    def published(self) -> dict[Cell, int | None]:
        return {cell: (None if cell in self.hidden else value) for cell, value in self.values.items()}


def quarter_of(month: str) -> str:
    return QUARTERS[(int(month[1:]) - 1) // 3]


def equations(categories: list[str]) -> list[list[Cell]]:
    """Every additive relation of the grid as [sum cell, part cells...]."""
    columns = [*categories, TOTAL]
    relations = [[(period, TOTAL), *((period, c) for c in categories)] for period in PERIODS]
    for column in columns:
        for quarter in QUARTERS:
            relations.append([(quarter, column), *((m, column) for m in MONTHS if quarter_of(m) == quarter)])
        relations.append([(YEAR, column), *((q, column) for q in QUARTERS)])
    return relations


def build(monthly: dict[tuple[str, str], int], categories: list[str]) -> dict[Cell, int]:
    """All cells from month x category counts (keys like ("M03", "North"))."""
    values = {(m, c): int(monthly.get((m, c), 0)) for m in MONTHS for c in categories}
    for m in MONTHS:
        values[(m, TOTAL)] = sum(values[(m, c)] for c in categories)
    for column in [*categories, TOTAL]:
        for quarter in QUARTERS:
            values[(quarter, column)] = sum(values[(m, column)] for m in MONTHS if quarter_of(m) == quarter)
        values[(YEAR, column)] = sum(values[(q, column)] for q in QUARTERS)
    return values


def recoverable(published: dict[Cell, int | None], relations: list[list[Cell]]) -> dict[Cell, int]:
    """What an attacker pins down from the published cells: hidden cells whose exact value follows
    from the sums (Gaussian elimination over the hidden cells) or from interval bounds with
    every count >= 0. Returns {cell: value}."""
    hidden = [cell for cell, value in published.items() if value is None]
    if not hidden:
        return {}
    rows = []
    for total, *parts in relations:
        # sum(parts) - total = 0, with known cells moved to the right-hand side.
        coefficients, constant = {}, Fraction(0)
        for cell, sign in [(total, -1), *((p, 1) for p in parts)]:
            if published[cell] is None:
                coefficients[cell] = coefficients.get(cell, 0) + sign
            else:
                constant -= sign * published[cell]
        coefficients = {cell: Fraction(v) for cell, v in coefficients.items() if v}
        if coefficients:
            rows.append((coefficients, constant))
    found = _by_elimination(rows)
    found.update(_by_bounds(rows, hidden, found))
    return {cell: int(value) for cell, value in found.items()}


def _by_elimination(rows) -> dict[Cell, Fraction]:
    pivots: list[tuple[Cell, dict, Fraction]] = []
    for coefficients, constant in rows:
        coefficients = dict(coefficients)
        for pivot, pivot_row, pivot_constant in pivots:
            factor = coefficients.get(pivot)
            if factor:
                for cell, value in pivot_row.items():
                    coefficients[cell] = coefficients.get(cell, 0) - factor * value
                constant -= factor * pivot_constant
                coefficients = {cell: v for cell, v in coefficients.items() if v}
        if not coefficients:
            continue
        pivot = min(coefficients)
        scale = coefficients[pivot]
        coefficients = {cell: v / scale for cell, v in coefficients.items()}
        constant /= scale
        for index, (other, other_row, other_constant) in enumerate(pivots):
            factor = other_row.get(pivot)
            if factor:
                merged = dict(other_row)
                for cell, value in coefficients.items():
                    merged[cell] = merged.get(cell, 0) - factor * value
                pivots[index] = (other, {c: v for c, v in merged.items() if v}, other_constant - factor * constant)
        pivots.append((pivot, coefficients, constant))
    return {pivot: constant for pivot, row, constant in pivots if len(row) == 1}


def _by_bounds(rows, hidden, known) -> dict[Cell, Fraction]:
    infinity = float("inf")
    low = {cell: known.get(cell, 0) for cell in hidden}
    high = {cell: known.get(cell, infinity) for cell in hidden}
    changed = True
    while changed:
        changed = False
        for coefficients, constant in rows:
            for cell, a in coefficients.items():
                # a * x = constant - sum(others); bound the others' sum from their intervals.
                rest_low = rest_high = Fraction(0)
                for other, b in coefficients.items():
                    if other == cell:
                        continue
                    lo, hi = (b * low[other], b * high[other]) if b > 0 else (b * high[other], b * low[other])
                    rest_low, rest_high = rest_low + lo, rest_high + hi
                bounds = sorted([(constant - rest_high) / a, (constant - rest_low) / a]) if a else None
                if bounds is None:
                    continue
                if bounds[0] > low[cell]:
                    low[cell], changed = bounds[0], True
                if bounds[1] < high[cell]:
                    high[cell], changed = bounds[1], True
    return {cell: low[cell] for cell in hidden if low[cell] == high[cell]}


def suppress(values: dict[Cell, int], categories: list[str], *, threshold: int) -> set[Cell]:
    """The cells to hide: primary (1 .. threshold - 1), then complementary until the attacker of
    recoverable() pins down no hidden cell."""
    hidden = {cell for cell, value in values.items() if 0 < value < threshold}
    relations = equations(categories)
    while True:
        published = {cell: (None if cell in hidden else value) for cell, value in values.items()}
        exposed = recoverable(published, relations)
        if not exposed:
            return hidden
        cell = min(exposed)
        hidden.add(_complement_for(cell, values, hidden, relations))


def _complement_for(cell: Cell, values, hidden, relations) -> Cell:
    """The visible cell to hide next to an exposed one: the smallest non-zero count among the
    cells sharing a sum with it, months before quarters before the year, totals last."""
    rank = {period: index for index, period in enumerate(PERIODS)}
    candidates = {other for relation in relations if cell in relation for other in relation if other not in hidden}
    if not candidates:  # every neighbour is hidden already: widen to the whole grid
        candidates = {other for other in values if other not in hidden}

    def cost(other: Cell):
        return (values[other] == 0, other[1] == TOTAL, values[other], rank[other[0]], other[1])

    return min(candidates, key=cost)


def grid(monthly: dict[tuple[str, str], int], categories: list[str], *, threshold: int) -> Grid:
    """The year's suppressed grid from month x category counts."""
    values = build(monthly, categories)
    key = (tuple(sorted(values.items())), tuple(categories), threshold)
    return Grid(categories=list(categories), values=values, hidden=set(_suppressed(key)))


@lru_cache(maxsize=256)
def _suppressed(key) -> frozenset[Cell]:
    # The same counts always give the same hidden cells: a partner fetching the months, quarters
    # and year of one grid costs one suppression, and every answer shows the same cells.
    items, categories, threshold = key
    return frozenset(suppress(dict(items), list(categories), threshold=threshold))
