"""Public import path for plugins (docs/plugins.md): a facade over the capability package."""

from vliegwiel.results.report_sections import (
    ReportSection,
    summary_section,
    summary_table,
)

__all__ = [
    "ReportSection",
    "summary_section",
    "summary_table",
]
