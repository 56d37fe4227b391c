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


def publish_instance(instance, survey_id: str) -> None:
    """Publish a survey of the instance folder ``instance`` without a browser: a stored
    publication (what public pages, bundles and other villages read), put on the site."""
    from vliegwiel.results.publications import publish
    from vliegwiel.results.tallies import set_published
    from vliegwiel.web.app import create_app

    app = create_app(instance)
    village = app.extensions["vliegwiel"]
    with app.test_request_context():
        publish(village, village.surveys.get(survey_id))
    set_published(village.storage, survey_id, True)
