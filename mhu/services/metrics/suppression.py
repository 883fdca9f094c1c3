"""Small-cell suppression for partner output (DESIGN.md section 5).

Primary suppression hides every count from 1 to threshold - 1 (default 1-10; zero is shown).
Complementary suppression then hides further cells so that no hidden cell can be recovered by
subtracting the visible cells of a row or column from its (visible) total: in every additive line
(a row with its total, a column with its total) no hidden cell may stand alone. When one does,
the smallest visible non-zero cell of that line is hidden too (a zero, then the total, only when
nothing else is left), and the check repeats until every line is safe.
"""

from __future__ import annotations

from mhu.services import csv_writer



def primary_hidden(value: int | None, threshold: int) -> bool:
    """A count from 1 to threshold - 1 is too small to show."""
    return value is not None and 0 < value < threshold


def suppress_grid(grid: list[list[int]], *, threshold: int, rows_add_up: bool = True,
                  columns_add_up: bool = True) -> list[list[bool]]:
    """Which cells of a table *with its margins* to hide.

    `grid` has R+1 rows and C+1 columns: the last column holds row totals and the last row column
    totals (grand total bottom right). rows_add_up / columns_add_up say which lines are sums.
    """
    hidden = [[primary_hidden(value, threshold) for value in row] for row in grid]
    height, width = len(grid), len(grid[0]) if grid else 0
    lines = []
    if rows_add_up:
        lines += [[(r, c) for c in range(width)] for r in range(height)]
    if columns_add_up:
        lines += [[(r, c) for r in range(height)] for c in range(width)]

    def is_margin(r: int, c: int) -> bool:
        return (rows_add_up and c == width - 1) or (columns_add_up and r == height - 1)

    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden[r][c] for r, c in line) != 1:
                continue
            visible = [(r, c) for r, c in line if not hidden[r][c]]
            if not visible:
                continue
            r, c = min(visible, key=lambda rc: (is_margin(*rc), grid[rc[0]][rc[1]] == 0, grid[rc[0]][rc[1]]))
            hidden[r][c] = True
            changed = True
    return hidden


def suppressed_table(*, row_keys: list[str], column_keys: list[str], counts: dict, threshold: int,
                     row_label: str = "month") -> dict:
    """A count table (rows x columns) with totals, suppressed; hidden counts are None.

    counts maps (row_key, column_key) -> int. Returns {"columns", "rows", "threshold"} where each
    row is {row_label: key, <column>: count or None, ..., "total": ...} and the last row is the total.
    """
    grid = [[int(counts.get((row, column), 0)) for column in column_keys] for row in row_keys]
    for row in grid:
        row.append(sum(row))
    grid.append([sum(row[i] for row in grid) for i in range(len(column_keys) + 1)])
    hidden = suppress_grid(grid, threshold=threshold)
    rows = []
    for r, key in enumerate([*row_keys, "total"]):
        row = {row_label: key}
        for c, column in enumerate([*column_keys, "total"]):
            row[column] = None if hidden[r][c] else grid[r][c]
        rows.append(row)
    return {"columns": [row_label, *column_keys, "total"], "rows": rows, "threshold": threshold}


def suppressed_rate(numerator: int | None, denominator: int | None) -> float | None:
    """A rate, hidden (None) when its numerator or denominator is hidden or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def table_csv(table: dict) -> str:
    """The same table as CSV; hidden cells read 'suppressed', rates keep 4 decimals."""
    rows = ([_csv_value(row.get(column)) for column in table["columns"]] for row in table["rows"])
    return csv_writer.write_csv(table["columns"], rows)


def _csv_value(value):
    if value is None:
        return "suppressed"
    if isinstance(value, float):
        return f"{value:.4f}"
    return value
