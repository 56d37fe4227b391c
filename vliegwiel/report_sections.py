"""A block of HTML that a plugin adds to results pages and PDF reports."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class ReportSection:
    """A titled section. ``html`` is trusted plugin markup: escape resident text inside it."""

    plugin: str
    title: str
    html: Markup
    #: Sections are shown in ascending order; core sections use 100, 200, ...
    order: int = 500
