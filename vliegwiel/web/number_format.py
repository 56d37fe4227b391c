"""Numbers and dates as a Dutch reader writes them: 41,2 (not 41.2), 1.250, 3 maart 2027.

Flask-Babel formats for the interface language, so an English page keeps 41.2; the stored
publications are rendered once per language for the same reason.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _


def dutch_number(value: float | int | None, decimals: int = 1) -> str:
    """``value`` with at most ``decimals`` decimals in the page's language ("" for None)."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern)


def percent_text(value: float | None) -> str:
    """A published percentage, whole: "41%"; "–" when hidden."""
    if value is None:
        return "–"
    return dutch_number(round(value), 0) + "%"


def interval_text(interval: tuple[float, float] | list[float] | None, decimals: int = -1) -> str:
    """A margin of error in words: "tussen 31% en 45%" ("–" when hidden).

    ``decimals`` -1 (the default) writes percentages as :func:`percent_text` does; 0 or more
    writes plain numbers (the margin of a mean): "tussen 6,8 en 7,6".
    """
    if interval is None:
        return "–"
    low, high = interval
    if decimals < 0:
        return _("tussen %(low)s en %(high)s", low=percent_text(low), high=percent_text(high))
    return _(
        "tussen %(low)s en %(high)s",
        low=dutch_number(low, decimals),
        high=dutch_number(high, decimals),
    )


def long_date(iso: str | None) -> str:
    """An ISO time as a long date ("30 november 2026"); "" when missing."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_date(moment, "long")


def register(app) -> None:
    app.jinja_env.globals.update(
        dutch_number=dutch_number,
        percent_text=percent_text,
        interval_text=interval_text,
        long_date=long_date,
    )
