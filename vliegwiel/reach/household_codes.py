"""Household codes for a plugin's own participation method (``vliegwiel.plugin_support``):
one household, one participant, exactly as in participation rounds.

The codes are the reach capability's invitation codes (``codes/<scope>``, stored only as a
keyed hash), entered through the same form, checks, messages and throttles against guessing
as a round's code page (``code_entry``). Like a round's code, a plugin's code is never used
up: it is the household's key in that scope, on any device, so a household that changes from
phone to laptop goes on where it stopped. The session remembers the code's id per scope
(never the code); the participant key given to the plugin is derived from it with the
instance secret, so it cannot be matched to a code record (and so to a street).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, render_template
from markupsafe import Markup

from vliegwiel.reach.code_entry import (
    RememberedCodes,
    code_form,
    problem_message,
    submitted_code,
)
from vliegwiel.reach.codes import IssuedCode, code_state, codes_collection, household_key
from vliegwiel.reach.letters import page_letters_pdf
from vliegwiel.reach.views import letters_page
from vliegwiel.web.context import current_village

#: scope -> the keyed hash of the household's checked code (kept when the browser closes).
PLUGIN_CODES = RememberedCodes("plugin_codes", permanent=True)


@dataclass(frozen=True)
class CodeEntry:
    """The code form of a plugin's code page, after a GET or a POST."""

    #: The form with its message, to put in the page as it is (it carries the CSRF token).
    html: Markup
    #: The posted code is valid: this browser now takes part for that household.
    accepted: bool
    #: The page refused the code (400 is the fitting status).
    error: str | None
    #: Too many wrong codes from this browser or address: return this 429 page as it is.
    blocked: Response | None


def household_of(scope: str) -> tuple[str | None, str | None]:
    """(the participant key of the household whose code this browser entered in ``scope``,
    None) or (None, why a remembered code stopped working, or None when there is none)."""
    key = PLUGIN_CODES.get(scope)
    if key is None:
        return None, None
    village = current_village()
    problem = code_state(village.storage, scope, key)
    if problem is not None:
        PLUGIN_CODES.forget(scope)
        return None, problem_message(problem)
    return household_key(village.config.secret_key, scope, key), None


def enter_code(scope: str, action: str) -> CodeEntry:
    """Handle the code form posted to ``action`` (GET: show it, filled from ``?c=``)."""
    codes_collection(scope)  # a bad scope fails here, before anything is stored
    form = code_form()
    key, error, blocked = submitted_code(form, scope)
    if key:
        PLUGIN_CODES.remember(scope, key)
    html = Markup(render_template("access/_code_form.html", form=form, error=error, action=action))
    return CodeEntry(html=html, accepted=key is not None, error=error, blocked=blocked)


def codes_page(scope: str, *, title: str, code_page: str, back: str) -> Any:
    """The organiser page of ``scope``'s codes: codes per street and, on a valid POST, the
    letters PDF; ``code_page`` is the path of the plugin's code page, ``back`` of its page."""
    village = current_village()
    base = village.config.base_url.rstrip("/")
    page_url = f"{base}{code_page}"

    def render(issued: list[IssuedCode], contact: str | None, reminders: bool) -> bytes:
        # Codes here are never used up (as in rounds): a reminder would say nothing new.
        return page_letters_pdf(
            title,
            issued,
            village_name=village.config.name,
            code_page_url=page_url,
            contact=contact,
            place=village.config.place,
        )

    return letters_page(
        scope,
        render,
        template="beheer/access/plugin_codes.html",
        filename=scope,
        title=title,
        back=back,
        codes_used_up=False,
    )
