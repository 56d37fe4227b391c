"""Numbers and dates as a Dutch reader writes them: 41,2 (not 41.2), 1.250, 3 maart 2027.

Flask-Babel formats for the interface language, so an English page keeps 41.2; the stored
publications are rendered once per language for the same reason.
"""

from __future__ import annotations

from datetime import UTC, datetime

from babel.numbers import format_decimal
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _

from vliegwiel.web.i18n import DEFAULT_LANGUAGE


def dutch_number(value: float | int | None, decimals: int = 1, *, exact: bool = False) -> str:
    """``value`` with at most ``decimals`` decimals in the page's language ("" for None).

    ``exact``: always ``decimals`` decimals (a mean score: "2,0", not "2"). Dutch outside a
    request (a command writing a PDF), never the machine's own locale.
    """
    if value is None:
        return ""
    digit = "0" if exact else "#"
    pattern = "#,##0" + ("." + digit * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=get_locale() or DEFAULT_LANGUAGE)


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


def respondents_text(count: int | None, k: int) -> str:
    """ "45 respondenten"; "minder dan 5 respondenten" when the count is hidden (below k)."""
    if count is None:
        return _("minder dan %(k)s respondenten", k=k)
    return ngettext("%(num)s respondent", "%(num)s respondenten", count)


def register(app) -> None:
    app.jinja_env.globals.update(
        respondents_text=respondents_text,
        dutch_number=dutch_number,
        percent_text=percent_text,
        interval_text=interval_text,
        long_date=long_date,
    )
