"""Public import path for plugins (docs/plugins.md): a facade over the capability package."""

from vliegwiel.results.suppression import (
    K_DEFAULT,
    Breakdowns,
    Counts,
    Table,
    percent,
    suppress_breakdowns,
    suppress_counts,
    suppress_mean,
    suppress_table,
    threshold_note,
)

__all__ = [
    "Breakdowns",
    "Counts",
    "K_DEFAULT",
    "Table",
    "percent",
    "suppress_breakdowns",
    "suppress_counts",
    "suppress_mean",
    "suppress_table",
    "threshold_note",
]
