"""A per-address limit on what residents submit, against ballot stuffing by script.

``[limits] submissions_per_ip_per_hour`` in vliegwiel.toml (0 turns it off) caps the
*successful* public submissions per IP address in a sliding hour: survey responses, ideas,
supports, comments, ballots, pledges, meeting sign-ups and poll answers. Going on a page,
saving a draft page or entering a code is not a submission (codes have their own throttle).

The counts live where the village's data lives (``RecordStore.window_counts``): in memory on
TinyDB, whose village one server process serves (a restart forgets them, which costs an
attacker a restart they cannot cause); in the database on PostgreSQL, so every process of
``vliegwiel serve --processes N`` (or several servers behind one proxy) counts together, at
one statement per submission. The database keeps a keyed hash of the address, never the
address, and drops it after the hour (``vliegwiel.core.postgres_counts``).

Why 600 an hour by default: residents in a village hall on one wifi share one public address.
A full hall (150 people) answering the survey together is 150 submissions; a round evening
where each of 100 people adds an idea, supports four and comments once is 600. Above that one
address is more likely a script than a hall, and the page tells a real resident to ask for a
paper form.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, current_app, g, request
from werkzeug.exceptions import TooManyRequests

from vliegwiel.core.storage import StorageError
from vliegwiel.core.window_counts import WindowCounts
from vliegwiel.reach.codes import address_key
from vliegwiel.web.context import current_village

__all__ = ["WINDOW", "SubmissionLimit", "bp", "submission_limit"]

#: The sliding window, in seconds.
WINDOW = 3600.0

#: Public POST endpoints that are not a submission: draft pages (the review counts, through the
#: submission guard) and code entry (throttled on failures in web/access_pages.py).
NOT_SUBMISSIONS = frozenset({"resident.page", "resident.review", "access.enter_code"})

bp = Blueprint("rate_limits", __name__)
log = logging.getLogger(__name__)


class SubmissionLimit:
    """At most ``per_hour`` submissions per address in any window of the counts (an hour)."""

    def __init__(self, per_hour: int, counts: WindowCounts) -> None:
        self.per_hour = per_hour
        self.counts = counts

    @property
    def enabled(self) -> bool:
        return self.per_hour > 0

    def take(self, address: str) -> bool:
        """Count one submission for ``address``; False (nothing counted) when over the limit."""
        if not self.enabled:
            return True
        return self.counts.add(address, limit=self.per_hour)

    def give_back(self, address: str) -> None:
        """Uncount the latest submission of ``address`` (it was refused or failed).

        Never fails: when the database is out of reach the submission stays counted (one too
        many for an hour is harmless), and the resident gets the page of what went wrong (the
        Dutch 503), not an error of the clean-up."""
        if not self.enabled:
            return
        try:
            self.counts.undo(address)
        except StorageError as error:
            log.warning("could not give back a counted submission: %s", error)

    def retry_after(self, address: str) -> int:
        """Seconds until ``address`` may submit again (0 when it may now)."""
        if not self.enabled or self.counts.count(address) < self.per_hour:
            return 0
        return self.counts.retry_after(address)


def submission_limit() -> SubmissionLimit:
    """The current app's limit, made on first use from its config (never shared between apps)."""
    limit = current_app.extensions.get("vliegwiel_submission_limit")
    if limit is None:
        per_hour = current_app.config.get(
            "SUBMISSIONS_PER_IP_PER_HOUR", current_village().config.submissions_per_ip_per_hour
        )
        counts = current_village().storage.window_counts("submissions", WINDOW)
        limit = current_app.extensions.setdefault(
            "vliegwiel_submission_limit", SubmissionLimit(per_hour, counts)
        )
    return limit


def _address() -> str:
    return address_key(request.remote_addr)


def _refuse(limit: SubmissionLimit, address: str) -> TooManyRequests:
    # The error page (kind "too_many") says in Dutch to try again later or ask for paper.
    return TooManyRequests(retry_after=limit.retry_after(address))


@contextlib.contextmanager
def survey_guard(survey: Any, extra: dict) -> Iterator[None]:
    """A submission guard: the response counts only when it is saved."""
    limit, address = submission_limit(), _address()
    if not limit.take(address):
        raise _refuse(limit, address)
    try:
        yield
    except BaseException:
        limit.give_back(address)
        raise


def _is_public_submission() -> bool:
    return (
        request.method == "POST"
        and request.endpoint is not None
        and request.endpoint not in NOT_SUBMISSIONS
        and not request.path.startswith("/beheer")
    )


@bp.before_app_request
def _check_public_submission() -> None:
    # Runs after CSRF protection (registered on the app first), so forged posts never count.
    if not _is_public_submission():
        return
    limit, address = submission_limit(), _address()
    if not limit.take(address):
        raise _refuse(limit, address)
    g.counted_submission = address


@bp.after_app_request
def _uncount_refused(response):
    address = g.pop("counted_submission", None)
    if address is not None and response.status_code >= 400:
        submission_limit().give_back(address)
    return response
