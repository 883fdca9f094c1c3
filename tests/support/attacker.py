"""The attacker of the publication grid, written apart from the service's own audit: given the
published cells of a year's grid (None = hidden or not published), solve for the hidden ones by
elimination over every sum the grid implies and by interval bounds from non-negativity."""

from fractions import Fraction

from mhu.services.metrics import publication


def _reduced(matrix: list[list[Fraction]]) -> list[list[Fraction]]:
    """Reduced row echelon form of an augmented matrix (last column: the constants)."""
    rows = [list(row) for row in matrix]
    rank = 0
    for c in range(len(rows[0]) - 1 if rows else 0):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][c]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        rows[rank] = [v / rows[rank][c] for v in rows[rank]]
        for r in range(len(rows)):
            if r != rank and rows[r][c]:
                factor = rows[r][c]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank])]
        rank += 1
    return rows[:rank]


def attack(published: dict, categories: list[str], relations: list | None = None) -> dict:
    """Hidden cells the attacker pins down: {cell: value}. Written apart from the service's own
    audit: a cell is determined when the reduced sums over the hidden cells name it alone; then
    bounds 0 <= x are propagated through every sum."""
    hidden = sorted(cell for cell, value in published.items() if value is None)
    index = {cell: i for i, cell in enumerate(hidden)}
    equations = []
    for total, *parts in (relations if relations is not None else publication.equations(categories)):
        row, constant = [Fraction(0)] * len(hidden), Fraction(0)
        for cell, sign in [(total, -1), *((part, 1) for part in parts)]:
            if published[cell] is None:
                row[index[cell]] += sign
            else:
                constant -= sign * published[cell]
        if any(row):
            equations.append((row, constant))
    found = {}
    if equations:
        # A cell is determined exactly when its row of the reduced system names it alone.
        for row in _reduced([row + [constant] for row, constant in equations]):
            named = [j for j, value in enumerate(row[:-1]) if value]
            if len(named) == 1:
                found[hidden[named[0]]] = row[-1]
    low = {cell: found.get(cell, 0) for cell in hidden}
    high = {cell: found.get(cell, float("inf")) for cell in hidden}
    changed = True
    while changed:
        changed = False
        for row, constant in equations:
            members = [(hidden[j], a) for j, a in enumerate(row) if a]
            for cell, a in members:
                others = [(o, b) for o, b in members if o != cell]
                lo = constant - sum(b * (high[o] if b > 0 else low[o]) for o, b in others)
                hi = constant - sum(b * (low[o] if b > 0 else high[o]) for o, b in others)
                lo, hi = sorted((lo / a, hi / a))
                if lo > low[cell]:
                    low[cell], changed = lo, True
                if hi < high[cell]:
                    high[cell], changed = hi, True
    found.update({cell: low[cell] for cell in hidden if low[cell] == high[cell]})
    return found
