"""Statistical disclosure control for the leaders' statistics.

Every count below 5 is suppressed (primary suppression). A table is published
with its margins, so a single suppressed cell in a row or column could be
recovered by subtraction; secondary suppression hides the next-smallest cell
in every such line until no row or column has exactly one hidden cell. All
views offered to leaders (a breakdown, optionally filtered by one other
dimension) are slices of one protected cross-table, so filters cannot be
combined to recover a hidden count either.
"""

from __future__ import annotations

from dataclasses import dataclass

THRESHOLD = 5
TOTAL = "__total__"


@dataclass
class ProtectedTable:
    rows: list[str]
    columns: list[str]  # the filter's values, then TOTAL
    counts: dict[tuple[str, str], int]
    hidden: set[tuple[str, str]]

    def value(self, row: str, column: str = TOTAL) -> int | None:
        """The published count, or None where it is suppressed."""
        return None if (row, column) in self.hidden else self.counts[(row, column)]


def protect(counts: dict[tuple[str, str], int], rows: list[str], columns: list[str]) -> ProtectedTable:
    """Add margins to a rows × columns table of counts and suppress what must be."""
    full: dict[tuple[str, str], int] = {}
    for r in rows:
        for c in columns:
            full[(r, c)] = counts.get((r, c), 0)
        full[(r, TOTAL)] = sum(full[(r, c)] for c in columns)
    all_rows = rows + [TOTAL]
    all_cols = columns + [TOTAL]
    for c in all_cols:
        full[(TOTAL, c)] = sum(full[(r, c)] for r in rows)
    hidden = {cell for cell, n in full.items() if n < THRESHOLD}
    lines = [[(r, c) for c in all_cols] for r in all_rows] + [[(r, c) for r in all_rows] for c in all_cols]
    changed = True
    while changed:
        changed = False
        for line in lines:
            in_line = [cell for cell in line if cell in hidden]
            if len(in_line) == 1:
                candidates = sorted((cell for cell in line if cell not in hidden),
                                    key=lambda cell: (TOTAL in cell, full[cell]))
                if candidates:
                    hidden.add(candidates[0])
                    changed = True
    return ProtectedTable(all_rows, all_cols, full, hidden)


def recoverable(tables: list[ProtectedTable]) -> list[str]:
    """Cells a reader could work out from one row or column sum: should be none.
    (Used by the tests as an attacker would use the published tables.)"""
    found = []
    for t in tables:
        lines = [[(r, c) for c in t.columns] for r in t.rows] + [[(r, c) for r in t.rows] for c in t.columns]
        for line in lines:
            unknown = [cell for cell in line if cell in t.hidden]
            if len(unknown) == 1:
                found.append(f"{unknown[0]} in a line with one hidden cell")
    return found
