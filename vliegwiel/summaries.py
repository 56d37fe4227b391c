"""Public import path for plugins (docs/plugins.md): a facade over the capability package."""

from vliegwiel.results.summaries import (
    Finding,
    Summary,
)

__all__ = [
    "Finding",
    "Summary",
]
