"""Test helper: publish a survey's results as a beheerder does, through the real app."""

from __future__ import annotations


def publish_survey(app, survey_id: str, *, expect: int = 302):
    """POST "Deze uitslag openbaar maken" as a beheerder; returns the response."""
    client = app.test_client()
    client.login("beheerder")
    response = client.post_form(
        f"/beheer/uitslag/{survey_id}/publiceren", page=f"/beheer/uitslag/{survey_id}"
    )
    assert response.status_code == expect, response.get_data(as_text=True)[:2000]
    return response
