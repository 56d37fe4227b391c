"""What a request handler needs to find: the village of the current app, and a survey or 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import abort, current_app

if TYPE_CHECKING:
    from vliegwiel.core.village import Village
    from vliegwiel.surveys.schema import Survey


def current_village() -> Village:
    return current_app.extensions["vliegwiel"]


def survey_or_404(survey_id: str) -> Survey:
    survey = current_village().surveys.get(survey_id)
    if survey is None:
        abort(404)
    return survey
