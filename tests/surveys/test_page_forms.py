"""Page forms as a resident meets them, now that form classes are reused and a submitted
form that is only read carries no CSRF field of its own (issue 14, CPU per flow)."""

from __future__ import annotations

from conftest import csrf_token
from flask_babel import force_locale, gettext
from test_resident_flow import BASE, RESPONSES, answer_example_survey, page
from wtforms import StringField

from vliegwiel.surveys.forms import build_form
from vliegwiel.surveys.question_types import QuestionType


def test_a_page_shown_again_with_an_error_can_be_sent_with_its_own_token(client, village):
    response = client.post_form(page(1), {"leeftijd": "tot_25", "woonduur": "veel"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Controleer uw antwoorden" in html
    # The resident corrects the answer on that very page and sends it with its token.
    fixed = client.post(
        page(1), data={"csrf_token": csrf_token(html), "leeftijd": "tot_25", "woonduur": "3"}
    )
    assert fixed.status_code == 302, fixed.get_data(as_text=True)
    (draft,) = village.storage.all("drafts")
    assert draft["answers"] == {"leeftijd": "tot_25", "woonduur": 3}


def test_a_page_or_review_post_with_a_wrong_token_stores_nothing(client, village):
    client.get(page(1))
    refused = client.post(
        page(1), data={"csrf_token": "nep", "leeftijd": "tot_25", "woonduur": "3"}
    )
    assert refused.status_code == 400
    assert village.storage.count("drafts") == 0

    answer_example_survey(client)
    refused = client.post(f"{BASE}/controle", data={"csrf_token": "nep"})
    assert refused.status_code == 400
    assert village.storage.count(RESPONSES) == 0
    assert village.storage.count("drafts") == 1


class _LabelledText(QuestionType):
    """A plugin-style type whose field label is translated when the field is made."""

    def fields(self, question):
        return {question.id: StringField(label=gettext("Volgende"))}


def test_a_reused_form_class_keeps_each_language_its_own_label(app, village):
    question = village.surveys.get("dorpsenquete").pages[0].questions[0]
    types = {question.type: _LabelledText()}
    with app.test_request_context("/"):
        labels = []
        for language in ("nl", "en", "nl", "en"):
            with force_locale(language):
                labels.append(build_form(types, [question])[question.id].label.text)
    assert labels == ["Volgende", "Next", "Volgende", "Next"]
