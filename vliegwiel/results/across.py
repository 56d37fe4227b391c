"""Published results of the villages on one server, side by side (the knowledge network).

On a multi-village server (``vliegwiel serve --villages``) villages that ran the same survey
(the same template, so the same survey id) can compare without exchanging files. Only what a
village chose to publish crosses to another: a survey whose results are not published is
skipped, and what is taken is the share bundle (small-group protected numbers, never a
response or a free text).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from vliegwiel.core.errors import VliegwielError
from vliegwiel.results.share import Bundle, bundle_data
from vliegwiel.results.tallies import compute_results, is_published

__all__ = ["published_bundles"]

log = logging.getLogger(__name__)


def published_bundles(
    villages: Iterable[Any], survey_id: str, *, exclude: Any = None
) -> list[Bundle]:
    """A bundle per village (but ``exclude``) that published ``survey_id``, in order.

    A village whose storage cannot be read right now is left out (and logged), so one
    unreachable database does not take the comparison of the others down.
    """
    bundles = []
    for village in villages:
        if village is exclude:
            continue
        survey = village.surveys.get(survey_id)
        if survey is None:
            continue
        try:
            if not is_published(village.storage, survey.id):
                continue
            bundles.append(bundle_data(village, survey, compute_results(village, survey)))
        except VliegwielError as error:
            log.warning("left %s out of the comparison: %s", village.config.name, error)
    return bundles
